"""Markdown (generator/markdown.py): CommonMark + tables, footnotes, anchors; unsafe links and raw HTML handled."""

from __future__ import annotations

import pytest

from generator.sources.markdown import is_safe_url, make_markdown, render_markdown


def html(text: str, allow_html: bool = False) -> str:
    return render_markdown(make_markdown(allow_html, "embassy.example.org"), text)[0]


def test_tables_footnotes_and_strikethrough() -> None:
    out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1] ~~old~~\n\n[^1]: Source.\n")
    assert "<table>" in out and "<td>1</td>" in out
    assert 'class="footnote-ref"' in out and "<s>old</s>" in out


def test_heading_anchors_including_arabic() -> None:
    out, headings = render_markdown(make_markdown(), "## What to bring\n\n### ما يجب إحضاره\n")
    assert '<h2 id="what-to-bring">' in out
    assert [(h.level, h.text) for h in headings] == [(2, "What to bring"), (3, "ما يجب إحضاره")]
    assert headings[1].anchor and headings[1].anchor in out


def test_raw_html_is_escaped_by_default() -> None:
    out = html("<script>alert(1)</script>\n\nText <b>bold</b>\n")
    assert "<script>" not in out and "&lt;script&gt;" in out and "<b>" not in out


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "&#106;avascript:x",
                                 "vbscript:x", "data:text/html;base64,PHA+", "%6Aavascript:x"])
def test_dangerous_schemes_are_refused(url: str) -> None:
    assert not is_safe_url(url)
    assert "href=" not in html(f"[x]({url})")


@pytest.mark.parametrize("url", ["https://example.org", "mailto:a@b.org", "tel:+994125550100", "/en/about/", "photo.jpg",
                                 "#part"])
def test_safe_links_are_kept(url: str) -> None:
    assert is_safe_url(url)
    assert 'href="' in html(f"[x]({url})")


def test_external_links_get_noopener_but_own_site_links_do_not() -> None:
    out = html("[out](https://example.org/a) [in](https://embassy.example.org/en/)")
    assert '<a href="https://example.org/a" rel="noopener noreferrer">' in out
    assert '<a href="https://embassy.example.org/en/">' in out


def test_allowed_html_passes_the_allowlist_only() -> None:
    out = html('<p lang="ar" dir="rtl" onclick="x()">نص</p>\n\n<iframe src="https://evil.example"></iframe>\n'
               '<img src="javascript:alert(1)" onerror="alert(1)" alt="a">\n', allow_html=True)
    assert '<p lang="ar" dir="rtl">نص</p>' in out
    assert "onclick" not in out and "<iframe" not in out and "onerror" not in out and "javascript:" not in out


def test_non_latin_anchors_are_unique_and_only_h2_to_h4_get_one() -> None:
    out, headings = render_markdown(make_markdown(), "# Top\n\n## Что взять\n\n## ما يجب\n\n## ما يجب\n\n##### Deep\n")
    assert [h.anchor for h in headings] == ["что-взять", "ما-يجب", "ما-يجب-1"]
    assert "<h1>Top</h1>" in out and "<h5>Deep</h5>" in out and '<h2 id="ما-يجب-1">' in out


def test_heading_without_letters_has_no_empty_id() -> None:
    assert 'id=""' not in html("## 🎉\n")


def test_footnotes_link_both_ways() -> None:
    out = html("Claim[^src].\n\n[^src]: The source.\n")
    assert 'href="#fn1"' in out and 'id="fnref1"' in out and 'href="#fnref1"' in out and "The source." in out


@pytest.mark.parametrize("text", ["![i](javascript:alert(1))", "[a](data:image/png;base64,AAA)",
                                  '<a href="javascript:x">x</a>', "<img src=x onerror=alert(1)>"])
def test_unsafe_input_never_becomes_markup(text: str) -> None:
    out = html(text)
    assert "<a" not in out and "<img" not in out and out.startswith("<p>")


def test_protocol_relative_external_link_gets_noopener() -> None:
    assert "noopener" in html("[x](//other.example/path)")


def test_allow_html_drops_scripts_styles_and_handlers() -> None:
    out = html('<div class="c" onmouseover="x()">hi</div>\n<script>alert(1)</script><style>p{}</style>'
               '<svg onload="x()"></svg>\n<a href="javascript:alert(1)" target="_blank">y</a>\n', allow_html=True)
    assert '<div>hi</div>' in out  # a class of its own is dropped too: only the classes Markdown writes stay
    for bad in ("<script", "alert(1)", "<style", "<svg", "onmouseover", "onload", "javascript:", "target="):
        assert bad not in out, bad
