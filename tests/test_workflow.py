"""Scheduling and alerts across builds: publish, expire, withdraw at their boundaries; pinned critical alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
from click.testing import CliRunner, Result

from generator.commands.cli import main
from tests.conftest import run_build

NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


NY_SITE = """\
title: {en: "Embassy of Testland", ar: "سفارة تستلاند"}
base_url: "https://embassy.example.org/"
default_language: en
languages: [{code: en}, {code: ar}]
timezone: America/New_York
"""


def _titles(root: Path, feed: str = "public/en/feed.xml") -> list[str]:
    return [e.title for e in feedparser.parse((root / feed).read_bytes()).entries]


def test_publish_expire_and_withdraw_around_their_boundaries_in_new_york(make_site: Callable[..., Path]) -> None:
    root = make_site({
        "site.yml": NY_SITE,
        # 09:00 in New York on 8 March 2027, the first morning of daylight saving time (UTC-4)
        "content/announcements/later.en.md": ('---\ntitle: "Later"\ndate: 2026-11-02T10:00:00-05:00\n'
                                              "publish_at: 2027-03-08T09:00:00-04:00\n---\nLater.\n"),
        "content/announcements/brief.en.md": ('---\ntitle: "Brief"\ndate: 2026-11-02T10:00:00-05:00\nalert: warning\n'
                                              "expires_at: 2027-03-08T09:00:00-04:00\n---\nBrief.\n"),
        "content/announcements/retracted.en.md": (
            '---\ntitle: "Retracted"\ndate: 2026-11-02T10:00:00-05:00\n'
            'withdrawn: {at: 2027-03-08T09:00:00-04:00, reason: "Superseded by a new statement"}\n---\nOld.\n'),
        "content/announcements/retracted.ar.md": '---\ntitle: "مسحوب"\n---\nقديم.\n',
    })
    before = datetime.fromisoformat("2027-03-08T12:59:59+00:00")  # 08:59:59 in New York
    at = before + timedelta(seconds=1)

    report = run_build(root, now=before)
    assert report.ok
    assert not (root / "public/en/announcements/later/index.html").exists()
    assert {"Brief", "Retracted"} <= set(_titles(root)) and "Later" not in _titles(root)
    assert "alert-warning" not in (root / "public/ar/index.html").read_text()  # alerts are per language
    assert "alert-warning" in (root / "public/en/about/index.html").read_text()
    assert sorted(c["to"] for c in report.schedule) == ["expired", "published", "withdrawn", "withdrawn"]

    assert run_build(root, now=at).ok
    titles = _titles(root)
    assert "Later" in titles and "Brief" not in titles and "Retracted" not in titles
    assert (root / "public/en/announcements/later/index.html").is_file()
    expired = (root / "public/en/announcements/brief/index.html").read_text()
    assert "expired" in expired and 'name="robots" content="noindex"' in expired
    assert "alert-warning" not in (root / "public/en/about/index.html").read_text()  # the banner is gone
    for lang, text in (("en", "Superseded by a new statement"), ("ar", "Superseded by a new statement")):
        page = (root / f"public/{lang}/announcements/retracted/index.html").read_text()
        assert "notice-withdrawn" in page and text in page
    listing = (root / "public/en/announcements/index.html").read_text()
    assert "/en/announcements/retracted/" not in listing and "/en/announcements/brief/" not in listing


def test_critical_alert_is_pinned_first_on_home_and_feed(make_site: Callable[..., Path]) -> None:
    root = make_site({
        "content/announcements/older-critical.en.md": ('---\ntitle: "Evacuation advice"\ndate: 2026-10-01T10:00:00+04:00\n'
                                                       "alert: critical\n---\nLeave the area.\n"),
        "content/announcements/newer-info.en.md": ('---\ntitle: "Office hours"\ndate: 2026-11-20T10:00:00+04:00\n'
                                                   "alert: info\n---\nHours.\n"),
    })
    assert run_build(root).ok
    home = (root / "public/en/index.html").read_text()
    assert home.index("Evacuation advice") < home.index("Office hours")
    assert 'class="alert alert-critical" role="alert"' in home
    assert _titles(root)[0] == "Evacuation advice"
