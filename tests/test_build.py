"""The build stages (generator/build.py) through its Python API: report, timings, write=False, failures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.build import BuildOptions, build, load_site
from tests.conftest import NOW, run_build, tree


def test_report_counts_pages_per_language_and_section(make_site: Callable[..., Path]) -> None:
    report = run_build(make_site())
    assert report.ok
    assert report.counts["en"] == {"announcements": 1, "events": 1, "investment": 0, "pages": 1}
    assert report.counts["ar"]["announcements"] == 1
    assert report.pages_per_language == {"en": 3, "ar": 1}
    assert {"config", "discover", "parse", "assemble", "render", "snippets", "write"} <= set(report.timings)
    data = report.as_json()
    assert data["ok"] is True and data["files"] == report.files > 0 and data["errors"] == []
    assert report.summary().startswith("legation: built 4 pages (en 3 ar 1), ")


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
