"""The build stages (generator/build.py) through its Python API: report, timings, write=False, failures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.engine.build import BuildOptions, build, load_site
from tests.conftest import ANNOUNCEMENT_EN, NOW, SITE_YML, run_build, tree


def test_report_counts_pages_per_language_and_section(make_site: Callable[..., Path]) -> None:
    root = make_site()
    report = run_build(root)
    assert report.ok
    assert report.counts["en"] == {"announcements": 1, "events": 1, "investment": 0, "pages": 1}
    assert report.counts["ar"]["announcements"] == 1
    assert report.pages_per_language == {"en": 3, "ar": 1}
    assert {"config", "discover", "parse", "assemble", "render", "snippets", "write"} <= set(report.timings)
    data = report.as_json()
    assert data["ok"] is True and data["files"] == report.files > 0 and data["errors"] == []
    html = sorted((root / "public").rglob("*.html"))
    assert data["html_pages"] == report.html == len(html) > report.counts["en"]["announcements"]
    assert report.summary().startswith(f"legation: built 4 items (en 3, ar 1) as {len(html)} HTML pages; "
                                       f"{report.files} files ({report.files} changed), 0 warnings, ")
    again = run_build(root)  # nothing changed: the summary comes from the previous build's state
    assert "unchanged" in again.timings and (again.html, again.files) == (report.html, report.files)


def test_the_summary_counts_in_words_that_fit_the_number(make_site: Callable[..., Path]) -> None:
    one = {"content/events/reception.en.md": None, "content/pages/about.en.md": None,
           "content/announcements/consular-hours.ar.md": None}
    root = make_site(one)
    (root / "content/stray.txt").write_text("x")
    report = run_build(root)
    assert report.ok and report.counts["en"]["announcements"] == 1
    assert report.summary().startswith("legation: built 1 item (en 1, ar 0) as ") and ", 1 warning, " in report.summary()
    (root / "content/announcements/consular-hours.en.md").write_text('---\ntitel: "x"\ndate: 2026-11-01\n---\n')
    failed = run_build(root)
    assert not failed.ok and failed.summary().startswith("legation: FAILED: 1 error, 1 warning, ")  # not "0 pages ()"
    (root / "site.yml").write_text("titel: x\n")
    failed = run_build(root)
    assert not failed.ok and failed.summary().startswith("legation: FAILED: ") and " error" in failed.summary()
    assert " pages" not in failed.summary() and "()" not in failed.summary()
    (root / "site.yml").write_text(SITE_YML)
    (root / "content/announcements/consular-hours.en.md").write_text(ANNOUNCEMENT_EN)
    strict = run_build(root, strict=True)
    assert strict.summary().startswith("legation: FAILED: 1 warning under --strict, ")


def test_write_false_renders_but_writes_nothing(make_site: Callable[..., Path]) -> None:
    root = make_site()
    report = build(BuildOptions(root, root / "public", NOW, write=False))
    assert report.ok and report.counts["en"]["events"] == 1
    assert not (root / "public").exists()


def test_a_failed_build_reports_and_keeps_the_previous_output(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    before = tree(root / "public")
    (root / "content/events/reception.en.md").write_text('---\ntitle: "x"\ndate: 2026-11-01\nstart: 2026-12-12T18:00:00+04:00\n'
                                                          "end: 2026-12-12T17:00:00+04:00\n---\nx\n")
    report = run_build(root)
    assert not report.ok and report.files == 0
    assert report.errors[0].location.path == "content/events/reception.en.md" and report.errors[0].location.line == 5
    assert tree(root / "public") == before


def test_load_site_assembles_without_rendering(make_site: Callable[..., Path]) -> None:
    root = make_site()
    site, catalog, problems = load_site(root, NOW)
    assert [p.url for p in site.pages if p.section == "announcements"] == ["/ar/announcements/consular-hours/",
                                                                           "/en/announcements/consular-hours/"]
    assert catalog.get("ar", "section.events") != catalog.get("en", "section.events")
    assert not [p for p in problems if p.severity == "error"]
    assert not (root / "public").exists()
