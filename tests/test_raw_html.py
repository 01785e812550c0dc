"""With raw HTML on (markdown.allow_html), content cannot fake the site's own parts, load third-party images or
swallow the rest of its body (issue 20, "Low")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.sources.markdown import make_markdown, render_markdown
from tests.conftest import SITE_YML, run_build

FILE = "content/announcements/raw.en.md"
HTML_ON = SITE_YML + "markdown: {allow_html: true}\n"


def html(text: str) -> str:
    return render_markdown(make_markdown(allow_html=True, site_host="embassy.example.org"), text)[0]


def test_content_cannot_wear_the_sites_alert_classes_or_layout_ids() -> None:
    out = html('<div class="alert alert-critical" id="main" role="alert">Embassy closed!</div>\n\n<p id="note">x</p>')
    assert "alert-critical" not in out and 'class="alert' not in out
    assert 'id="main"' not in out
    assert 'id="note"' in out  # an id of its own stays, for links to it
    # the classes Markdown itself writes stay
    assert 'class="footnote-ref"' in html("Text[^1]\n\n[^1]: A note.\n")


@pytest.mark.parametrize("body", [
    "Before\n\n<math><style>\n\nAfter one.\n\nAfter two.\n",
    "Before\n\n<style>\n\nAfter one.\n\nAfter two.\n",
    "Before <!-- a comment never closed\n\nAfter one.\n\nAfter two.\n",
    "Before\n\n<textarea>\n\nAfter one.\n\nAfter two.\n",
    "Before <xmp>\n\nAfter one.\n\nAfter two.\n",
])
def test_an_unclosed_raw_text_element_no_longer_drops_the_rest_of_the_body(body: str) -> None:
    out = html(body)
    assert "After one." in out and "After two." in out
    assert "<style" not in out and "<textarea" not in out and "<xmp" not in out


def test_a_closed_style_is_still_removed_with_its_content() -> None:
    out = html("A\n\n<style>body { display: none }</style>\n\nB\n")
    assert "display" not in out and "<p>B</p>" in out


@pytest.mark.parametrize("image", ['<img src="https://tracker.example/p.gif" alt="x">',
                                   "![A photo](https://tracker.example/p.gif)",
                                   '<img src="//tracker.example/p.gif" alt="x">'])
def test_a_third_party_image_is_refused_unless_site_yml_allows_its_host(make_site: Callable[..., Path],
                                                                        image: str) -> None:
    root = make_site({"site.yml": HTML_ON, FILE: f'---\ntitle: "Raw"\ndate: 2026-11-01\n---\nText.\n\n{image}\n'})
    report = run_build(root)
    assert not report.ok
    [error] = report.errors
    assert (error.location.path, error.location.line, error.code) == (FILE, 7, "third-party-image")
    assert "image_hosts" in error.hint
    root = make_site({"site.yml": SITE_YML + "markdown: {allow_html: true, image_hosts: [tracker.example]}\n",
                      FILE: f'---\ntitle: "Raw"\ndate: 2026-11-01\n---\nText.\n\n{image}\n'})
    assert run_build(root).ok


def test_the_sites_own_images_need_no_permission(make_site: Callable[..., Path]) -> None:
    root = make_site({"site.yml": HTML_ON, FILE: '---\ntitle: "Raw"\ndate: 2026-11-01\n---\n'
                      '![Map](https://embassy.example.org/static/map.png)\n\n<img src="/static/x.png" alt="x">\n'})
    assert run_build(root).ok


def test_image_hosts_must_be_host_names(make_site: Callable[..., Path]) -> None:
    root = make_site({"site.yml": SITE_YML + "markdown: {image_hosts: ['https://photos.example.org/']}\n"})
    report = run_build(root)
    assert not report.ok and "is not a host name" in report.errors[0].message
