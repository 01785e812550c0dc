"""One rule set for `legation build`, `build --strict` and `legation check` (issue 19): a missing image, an image
without a description, a dead internal link or anchor, and an unknown tag were published by --strict with
"0 warnings, 0 errors" while `check` listed them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.commands.audit import check_site
from tests.conftest import NOW, SITE_YML, run_build, tree

FILE = "content/announcements/visa.en.md"
TAGGED_SITE = SITE_YML + "tags:\n  consular: {ar: قنصلي}\n"
FRONT = '---\ntitle: "Visa"\ndate: 2026-11-01\ntags: [consular]\n---\n'

CASES = {
    "dead link": (FRONT + "Read [the fees](/en/announcements/no-such-page/).\n", 6, "link", "broken link"),
    "dead link by the site's full address": (FRONT + "Read [the fees](https://embassy.example.org/en/fees/).\n", 6,
                                              "link", "broken link"),
    "dead anchor": (FRONT + "Read [the hours](/en/announcements/consular-hours/#evening).\n", 6, "anchor",
                    'no anchor "#evening"'),
    "missing image": (FRONT + "![A map](map.png)\n", 6, "image", "does not exist"),
    "image without a description": (FRONT + "![](/static/style.css)\n", 6, "image", "no description"),
    "unknown tag": ('---\ntitle: "Visa vissa"\ndate: 2026-11-01\ntags: [consular, vissa]\n---\nText.\n', 4, "tag",
                    'unknown tag "vissa"'),  # located at the tags line, not at the title that has the word too
    "unknown tag in a block list": ('---\ntitle: "vissa"\ndate: 2026-11-01\ntags:\n  - consular\n  - vissa\n---\nT.\n',
                                    6, "tag", 'unknown tag "vissa"'),
}


@pytest.mark.parametrize("case", list(CASES))
def test_build_warns_strict_fails_and_check_agrees(make_site: Callable[..., Path], case: str) -> None:
    text, line, code, words = CASES[case]
    root = make_site({"site.yml": TAGGED_SITE, FILE: text,
                      "static/style.css": "body {}"})
    assert run_build(root).ok  # a build that is not strict publishes, with the warning
    before = tree(root / "public")
    report = run_build(root)
    assert report.ok
    [warning] = [w for w in report.warnings if w.code == code]
    assert (warning.location.path, warning.location.line) == (FILE, line) and words in warning.message
    assert warning.location.col > 0 and warning.hint
    strict = run_build(root, strict=True)  # --strict refuses it, and the site that was there stays
    assert not strict.ok
    assert tree(root / "public") == before
    found = check_site(root, NOW)  # check lists the same finding, at the same place
    assert found.failed
    assert [(p.location, p.code) for p in found.problems if p.code == code] == [(warning.location, code)]


def test_a_clean_site_has_no_findings(make_site: Callable[..., Path]) -> None:
    root = make_site({"site.yml": TAGGED_SITE, FILE: FRONT + "See [hours](/en/announcements/consular-hours/) and "
                      "[the text](#text), [a file](/static/style.css), [mail](mailto:a@b.org), "
                      "[elsewhere](https://example.org/x).\n\n## Text\n\n![A map](/static/style.css)\n",
                      "static/style.css": "body {}"})
    report = run_build(root, strict=True)
    assert report.ok, [p.format() for p in report.problems]
    assert not check_site(root, NOW).failed


def test_a_link_to_a_page_deleted_since_is_found_in_the_unchanged_page(make_site: Callable[..., Path]) -> None:
    """An incremental build reuses the linking page: the rule still sees the link break."""
    root = make_site({"site.yml": TAGGED_SITE, FILE: FRONT + "Read [the hours](/en/announcements/consular-hours/).\n"})
    assert run_build(root).ok and not run_build(root).warnings
    for lang in ("en", "ar"):
        (root / f"content/announcements/consular-hours.{lang}.md").unlink()
    report = run_build(root)
    assert [(w.code, w.location.path) for w in report.warnings] == [("link", FILE)]


def test_strict_lists_every_warning_not_only_those_found_before_rendering(make_site: Callable[..., Path]) -> None:
    """A warning found while reading (a YAML comment cutting a value) stopped a strict build before the rules ran,
    so the officer fixed one thing, built again, and only then saw the broken link."""
    root = make_site({"site.yml": TAGGED_SITE, FILE: '---\ntitle: "Visa"\ndate: 2026-11-01\nsummary: Call us #1\n'
                      'tags: [consular]\n---\nRead [the fees](/en/announcements/no-such-page/).\n'})
    report = run_build(root, strict=True)
    assert not report.ok
    assert {w.code for w in report.warnings} >= {"link"} and len(report.warnings) == 2


def test_a_resident_process_checks_again_only_pages_whose_findings_may_have_changed(tmp_path: Path) -> None:
    """With a memo (a preview's or a resident builder's), a page kept as the same object is not looked at again,
    unless a page whose anchors it reads changed, or the outputs did: the findings are those of a fresh check."""
    from dataclasses import replace

    from generator.assembly.rules import RulesMemo, content_problems
    from generator.core.errors import SourceLocation
    from generator.core.model import Page
    from generator.sources.config import load_config

    (tmp_path / "site.yml").write_text(SITE_YML, encoding="utf-8")
    config = load_config(tmp_path)

    def item(slug: str, body: str) -> Page:
        return Page(source=f"content/announcements/{slug}.en.md", section="announcements", slug=slug, lang="en",
                    title=slug, body_html=body, source_hash=slug)

    linking = item("a", '<p><a href="/en/announcements/b/#hours">hours</a> <a href="/en/c/">c</a></p>')
    target = item("b", '<h2 id="hours">Hours</h2>')
    outputs = frozenset({"en/announcements/a/index.html", "en/announcements/b/index.html", "en/c/index.html"})
    looked: list[str] = []

    def locate(source: str, needle: str, key: str = "") -> SourceLocation:
        looked.append(source)
        return SourceLocation(source, 1, 1)

    def check(pages: list[Page], made: frozenset[str] = outputs) -> list[str]:
        fresh = [p.message for p in content_problems(pages, config, made, locate)]
        found = [p.message for p in content_problems(pages, config, made, locate, memo)]
        assert found == fresh
        return found

    memo = RulesMemo()
    assert check([linking, target]) == []
    moved = replace(target, body_html='<h2 id="opening">Opening</h2>')  # the anchor a links to is gone
    assert check([linking, moved]) == ['link to /en/announcements/b/#hours: there is no anchor "#hours" on that page']
    looked.clear()
    assert len(check([linking, moved])) == 1 and looked == ["content/announcements/a.en.md"]  # the fresh check's
    assert check([linking, moved], outputs - {"en/c/index.html"}) == [
        'link to /en/announcements/b/#hours: there is no anchor "#hours" on that page',
        "broken link to /en/c/: this site has no such page or file"]
    assert check([linking, target]) == []
