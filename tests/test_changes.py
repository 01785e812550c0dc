"""Corrections in the open (front matter `changes:`): parsing with located errors, translated notes, the
page history, feeds, JSON-LD and the demo's corrected consular notice."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from tests.conftest import run_build

EN = """\
---
title: "Consular hours"
date: 2026-11-01T10:00:00+04:00
summary: "New opening hours"
kind: consular
changes:
  - {at: 2026-11-03T09:00:00+04:00, note: "The Friday hours were wrong."}
  - {at: 2026-11-04T12:00:00+04:00, note: "Typo fixed.", minor: true}
---
The consular section is open on weekdays.
"""
AR = """\
---
title: "ساعات العمل القنصلية"
changes: ["كانت ساعات يوم الجمعة خاطئة.", {note: "تصحيح خطأ مطبعي."}]
---
القسم القنصلي مفتوح في أيام الأسبوع.
"""


def test_a_corrected_item_shows_its_history_in_every_language_and_moves_its_updated_time(
        make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/consular-hours.en.md": EN,
                      "content/announcements/consular-hours.ar.md": AR})
    report = run_build(root)
    assert report.ok, report.errors
    page = (root / "public/ar/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    history = page[page.index('<section class="history"'):page.index("</section>", page.index('class="history"'))]
    assert "سجل الصفحة" in history and "كانت ساعات يوم الجمعة خاطئة." in history and "تصحيح طفيف" in history
    assert history.index("نُشرت أول مرة") < history.index("كانت ساعات") < history.index("تصحيح خطأ مطبعي.")
    assert '<time datetime="2026-11-04T12:00:00+04:00">' in history
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["dateModified"] == "2026-11-04T12:00:00+04:00"
    assert data["correction"] == [
        {"@type": "CorrectionComment", "text": "كانت ساعات يوم الجمعة خاطئة.", "datePublished": "2026-11-03T09:00:00+04:00"},
        {"@type": "CorrectionComment", "text": "تصحيح خطأ مطبعي.", "datePublished": "2026-11-04T12:00:00+04:00"}]
    feed = feedparser.parse((root / "public/en/atom.xml").read_bytes())
    entry = next(e for e in feed.entries if e.link.endswith("/consular-hours/"))
    assert entry.updated.startswith("2026-11-04T12:00:00") and entry.summary.startswith("Updated ")
    assert "Typo fixed." in entry.summary and "Typo fixed." in entry.content[0].value


@pytest.mark.parametrize(("changes", "where", "expected"), [
    ("changes: {at: 2026-11-03T09:00:00+04:00, note: x}", "changes", "changes is not a list"),
    ("changes: [{note: x}]", "changes.0", 'missing required key "at"'),
    ("changes: [{at: yesterday, note: x}]", "changes.0.at", ""),
    ("changes: [{at: 2026-11-03T09:00:00+04:00, note: x, why: y}]", "changes.0", "why"),
    ("changes: [{at: 2026-11-05T09:00:00+04:00, note: a}, {at: 2026-11-03T09:00:00+04:00, note: b}]",
     "changes.1.at", "is not after the one before it"),
    ("changes: [{at: 2026-10-01T09:00:00+04:00, note: a}]", "changes.0.at", "before the item was published"),
    ("changes: [{at: 2026-11-03T09:00:00+04:00, note: 7}]", "changes.0.note", ""),
])
def test_a_malformed_change_is_an_error_at_its_line(make_site: Callable[..., Path], changes: str, where: str,
                                                    expected: str) -> None:
    text = EN.split("changes:")[0] + changes + "\n---\nBody.\n"
    root = make_site({"content/announcements/consular-hours.en.md": text,
                      "content/announcements/consular-hours.ar.md": None})
    report = run_build(root)
    assert not report.ok
    first = report.errors[0]
    lines = text.splitlines()
    assert first.location.path == "content/announcements/consular-hours.en.md"
    assert first.location.line == next(n for n, line in enumerate(lines, 1) if line.startswith("changes:"))
    assert first.location.col > 0
    assert expected in first.message, first.message


def test_a_translation_with_another_number_of_notes_or_its_own_times_is_refused(
        make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/consular-hours.en.md": EN,
                      "content/announcements/consular-hours.ar.md": AR.replace(', {note: "تصحيح خطأ مطبعي."}', "")})
    report = run_build(root)
    assert not report.ok
    assert "this file has 1 change notes and content/announcements/consular-hours.en.md has 2" in report.errors[0].message
    root = make_site({"content/announcements/consular-hours.en.md": EN, "content/announcements/consular-hours.ar.md":
                      AR.replace('{note: "تصحيح خطأ مطبعي."}', '{at: 2026-11-05T09:00:00+04:00, note: "x"}')})
    report = run_build(root)
    assert "at of a change comes from content/announcements/consular-hours.en.md" in report.errors[0].message


def test_notes_written_only_in_the_source_language_are_a_warning(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/consular-hours.en.md": EN})
    report = run_build(root)
    assert report.ok
    assert any("the change notes are written only in content/announcements/consular-hours.en.md" in w.message
               for w in report.warnings)


def test_the_demo_consular_notice_carries_its_correction(demo: Path) -> None:
    for lang, note in (("en", "Added the roads to Shahdag"), ("ar", "أُضيفت الطرق المؤدية إلى شاهداغ"),
                       ("az", "Şahdağ yolları əlavə edildi"), ("uz", "Shohdagʻ yoʻllari qoʻshildi")):
        page = (demo / lang / "announcements/consular-registration-winter-2026/index.html").read_text(encoding="utf-8")
        assert 'class="history"' in page and note in page


@pytest.mark.parametrize(("now", "minor", "offered"), [
    ("2026-11-05T12:00:00+04:00", False, True),
    ("2026-11-12T12:00:00+04:00", False, False),  # more than a week after the correction
    ("2026-11-05T12:00:00+04:00", True, False),  # a typo fix is not announced
])
def test_the_snippet_board_offers_a_correction_post_for_a_week(make_site: Callable[..., Path], now: str,
                                                               minor: bool, offered: bool) -> None:
    from datetime import datetime

    text = EN.replace('  - {at: 2026-11-04T12:00:00+04:00, note: "Typo fixed.", minor: true}\n', "")
    if minor:
        text = text.replace('note: "The Friday hours were wrong."}', 'note: "The Friday hours were wrong.", minor: true}')
    root = make_site({"content/announcements/consular-hours.en.md": text,
                      "content/announcements/consular-hours.ar.md": AR.replace(', {note: "تصحيح خطأ مطبعي."}', "")})
    site = root / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "snippets: {platforms: [x, telegram, mastodon]}\n", encoding="utf-8")
    assert run_build(root, now=datetime.fromisoformat(now)).ok
    for lang, prefix, note in (("en", "Correction: Consular hours", "The Friday hours were wrong."),
                               ("ar", "تصحيح: ساعات العمل القنصلية", "كانت ساعات يوم الجمعة خاطئة.")):
        data = json.loads((root / f"snippets/{lang}/announcements/consular-hours.json").read_text(encoding="utf-8"))
        assert ("corrections" in data) is offered
        if offered:
            for post in data["corrections"].values():
                assert prefix in post["text"] and note in post["text"] and post["fits"]
