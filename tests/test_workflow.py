"""The officer's workflow: new, status, check, the preview server, scheduling and alerts (issue 6)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.serve import PreviewApp
from tests.conftest import NOW, SITE_YML, run_build

NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


# ------------------------------------------------------------------ new
def test_new_creates_source_and_translations_with_every_field(make_site: Callable[..., Path]) -> None:
    root = make_site()
    result = cli(root, "new", "events", "book-fair", "--translate-to", "ar", "--title", "Book fair", "--now", NOW_ARG)
    assert result.exit_code == 0, result.output
    source = (root / "content/events/book-fair.en.md").read_text(encoding="utf-8")
    assert 'title: "Book fair"' in source
    assert "date: 2026-11-23T16:00:00+04:00" in source  # the build clock, in the site's zone
    for key in ("start:", "end:", "status: scheduled", "venue:", "# online_url:", "# registration_url:", "# summary:",
                "# tags:", "# publish_at:", "# expires_at:", "# withdrawn:", "# image:"):
        assert key in source, key
    translation = (root / "content/events/book-fair.ar.md").read_text(encoding="utf-8")
    assert "translation_of: {lang: en, hash: " in translation and "draft: true" in translation
    report = run_build(root)
    assert report.ok, report.errors
    assert (root / "public/en/events/book-fair/index.html").is_file()
    assert not (root / "public/ar/events/book-fair/index.html").exists()  # the translation is a draft
    status = cli(root, "status", "--json", "--now", NOW_ARG)
    cells = {i["slug"]: i["languages"] for i in json.loads(status.output)["items"]}
    assert cells["book-fair"] == {"en": "present", "ar": "draft"}


def test_new_refuses_to_overwrite(make_site: Callable[..., Path]) -> None:
    root = make_site()
    before = (root / "content/announcements/consular-hours.en.md").read_text()
    result = cli(root, "new", "announcements", "consular-hours")
    assert result.exit_code == 1
    assert "already exists; nothing was created" in result.output
    assert (root / "content/announcements/consular-hours.en.md").read_text() == before


@pytest.mark.parametrize(("args", "expected"), [
    (("announcements", "Visa Fees!"), 'use "visa-fees"'),
    (("announcements", "../../etc"), "is not a safe URL slug"),
    (("anouncements", "x"), 'did you mean "announcements"'),
    (("announcements", "x", "--translate-to", "fr"), 'language "fr" is not one of the site\'s languages'),
])
def test_new_rejects_bad_input_with_a_hint(make_site: Callable[..., Path], args: tuple[str, ...], expected: str) -> None:
    root = make_site()
    result = cli(root, "new", *args)
    assert result.exit_code == 1
    assert expected in result.output
    assert sorted(p.name for p in (root / "content").rglob("*.md")) == [
        "about.en.md", "consular-hours.ar.md", "consular-hours.en.md", "reception.en.md"]


# ------------------------------------------------------------------ status
def test_status_reports_missing_and_stale(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/consular-hours.ar.md": (
        '---\ntitle: "ساعات العمل"\ntranslation_of: {lang: en, hash: "000000000000"}\n---\nنص.\n')})
    result = cli(root, "status", "--now", NOW_ARG)
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:] if line.startswith(("ann", "ev", "pa"))}
    assert rows["announcements/consular-hours"][:2] == ["✓", "!"]  # then "← critical": a consular notice
    assert rows["events/reception"][:2] == ["✓", "–"]
    data = json.loads(cli(root, "status", "--json", "--now", NOW_ARG).output)
    item = next(i for i in data["items"] if i["slug"] == "consular-hours")
    assert item["languages"] == {"en": "present", "ar": "stale"} and item["stale_since"]["ar"]
    # the stale page says so, in its own language, linking to the source
    assert run_build(root).ok
    page = (root / "public/ar/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert "notice-stale" in page and 'href="/en/announcements/consular-hours/"' in page


def test_status_strict_fails_when_a_critical_alert_is_untranslated(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/storm.en.md": (
        '---\ntitle: "Storm warning"\ndate: 2026-11-20T10:00:00+04:00\nalert: critical\n---\nStay inside.\n')})
    assert cli(root, "status", "--now", NOW_ARG).exit_code == 0
    strict = cli(root, "status", "--strict", "--now", NOW_ARG)
    assert strict.exit_code == 1
    assert "announcements/storm" in strict.output
    report = run_build(root)
    assert any(w.code == "alert-missing" and "ar" in w.message for w in report.warnings)


# ------------------------------------------------------------------ check
def test_check_groups_problems_by_file_with_lines(make_site: Callable[..., Path]) -> None:
    root = make_site({
        "site.yml": SITE_YML + 'tags:\n  consular: {ar: "قنصلي"}\n  culture: {ar: "ثقافة"}\n',
        "content/announcements/links.en.md": ('---\ntitle: "Links"\ndate: 2026-11-02T10:00:00+04:00\ntags: [cultur]\n---\n'
                                              "Read [about](/en/about/#no-such-part) and [gone](/en/nowhere/).\n\n"
                                              "![](/static/missing.png)\n"),
        "content/announcements/soon.en.md": ('---\ntitle: "Soon"\ndate: 2026-11-02T10:00:00+04:00\n'
                                             "publish_at: 2026-11-24T09:00:00+04:00\n---\nSoon.\n"),
    })
    result = cli(root, "check", "--now", NOW_ARG)
    assert result.exit_code == 1
    out = result.output
    assert "content/announcements/links.en.md\n" in out
    assert '     6:14  error: link to /en/about/#no-such-part: there is no anchor "#no-such-part" there' in out
    assert "broken link to /en/nowhere/" in out
    assert "image /static/missing.png has no alt text" in out and "image /static/missing.png does not exist" in out
    assert 'unknown tag "cultur"' in out and 'did you mean "culture"' in out
    assert "next 24 h: content/announcements/soon.en.md becomes published at 2026-11-24T09:00:00+04:00" in out
    data = json.loads(cli(root, "check", "--json", "--now", NOW_ARG).output)
    assert data["ok"] is False and data["next_24_hours"][0]["to"] == "published"
    assert {p["file"] for p in data["problems"]} == {"content/announcements/links.en.md"}
    assert not (root / "public").exists() and not (root / "snippets").exists()  # check writes nothing


def test_check_reports_snippets_that_do_not_fit(make_site: Callable[..., Path]) -> None:
    title = "Statement " * 40
    root = make_site({"content/announcements/long.en.md": f'---\ntitle: "{title.strip()}"\ndate: 2026-11-02\n---\nx\n'})
    site_yml = root / "site.yml"
    site_yml.write_text(site_yml.read_text() + "snippets: {platforms: [x]}\n")
    result = cli(root, "check", "--now", NOW_ARG)
    assert result.exit_code == 1
    assert "the X post does not fit in 280" in result.output


def test_check_passes_on_the_demo() -> None:
    result = cli(Path(__file__).resolve().parent.parent, "check", "--now", NOW_ARG)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("legation check: no problems")


# ------------------------------------------------------------------ preview server
def call(app: PreviewApp, path: str) -> tuple[str, bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    body = b"".join(app({"PATH_INFO": path}, start_response))
    return seen["status"], body


def test_preview_rebuilds_once_per_change_shows_errors_and_recovers(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/draft.en.md": '---\ntitle: "Draft note"\ndate: 2026-11-02\ndraft: true\n---\nx\n',
                      "site.yml": SITE_YML + "snippets: {platforms: [x, telegram]}\n"})
    app = PreviewApp(root, root / ".legation-cache/preview")
    clock = lambda: NOW  # noqa: E731
    first = app.rebuild(clock)
    assert first is not None and first.ok
    assert app.rebuild(clock) is None  # nothing changed: no second build for the same save
    status, body = call(app, "/en/announcements/draft/")
    assert status.startswith("200") and b"Draft note" in body and b"notice-preview" in body  # drafts are shown, marked
    status, body = call(app, "/_snippets/en/")
    assert status.startswith("200") and b"copy" in body

    broken = root / "content/announcements/consular-hours.en.md"
    good = broken.read_text()
    broken.write_text(good.replace("date: 2026-11-01T10:00:00+04:00", "date: yesterday"))
    _touch_later(broken)
    report = app.rebuild(clock)
    assert report is not None and not report.ok
    assert app.rebuild(clock) is None
    status, body = call(app, "/en/")
    assert status.startswith("500")
    assert b"content/announcements/consular-hours.en.md:3" in body and b"<mark>" in body
    broken.write_text(good)
    _touch_later(broken)
    fixed = app.rebuild(clock)
    assert fixed is not None and fixed.ok
    status, body = call(app, "/en/")
    assert status.startswith("200") and b"Consular hours" in body


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("path", ["/../site.yml", "/%2e%2e/site.yml", "/en/../../site.yml", "/../../../etc/passwd"])
def test_preview_refuses_paths_outside_the_output(make_site: Callable[..., Path], path: str) -> None:
    root = make_site()
    app = PreviewApp(root, root / ".legation-cache/preview")
    assert app.rebuild(lambda: NOW) is not None
    status, body = call(app, path)
    assert status.startswith("404")
    assert b"base_url" not in body and b"root:" not in body


def test_preview_relaxes_csp_only_in_the_preview(make_site: Callable[..., Path]) -> None:
    root = make_site()
    app = PreviewApp(root, root / ".legation-cache/preview")
    app.rebuild(lambda: NOW)
    _, body = call(app, "/en/")
    assert b"'unsafe-inline'" in body
    assert run_build(root).ok
    assert b"'unsafe-inline'" not in (root / "public/en/index.html").read_bytes()


def test_serve_command_serves_over_http(make_site: Callable[..., Path]) -> None:
    """One real `legation serve` process: it answers on 127.0.0.1 and reloads after a save."""
    import socket
    import subprocess
    import sys
    import urllib.request

    root = make_site()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        body = _get(f"http://127.0.0.1:{port}/en/", urllib.request)
        assert "Consular hours" in body
        page = root / "content/announcements/consular-hours.en.md"
        page.write_text(page.read_text().replace('title: "Consular hours"', 'title: "Consular hours changed"'))
        deadline = time.monotonic() + 30
        while "Consular hours changed" not in body and time.monotonic() < deadline:
            time.sleep(0.3)
            body = _get(f"http://127.0.0.1:{port}/en/", urllib.request)
        assert "Consular hours changed" in body
    finally:
        process.terminate()
        process.communicate(timeout=20)


def _get(url: str, request: Any) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# ------------------------------------------------------------------ scheduling and alerts
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
