"""`legation status` (generator/status.py): the translation matrix, stale notices, --strict."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from generator.cli import main
from tests.conftest import run_build

NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def test_status_reports_missing_and_stale(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/consular-hours.ar.md": (
        '---\ntitle: "ساعات العمل"\ntranslation_of: {lang: en, hash: "000000000000"}\n---\nنص.\n')})
    result = cli(root, "status", "--now", NOW_ARG)
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:] if line.startswith(("ann", "ev", "pa"))}
    assert rows["announcements/consular-hours"][:2] == ["✓", "!"]  # then "← critical": a consular notice
    assert rows["events/reception"][:2] == ["✓", "–"]
    assert "\n3 items in 2 languages: 3 present, 2 missing, 1 stale, 0 drafts  (" in result.output, result.output
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


