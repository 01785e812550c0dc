"""`legation status` (generator/status.py): the translation matrix, stale notices, --strict."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from generator.commands.cli import main
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
    assert ("\n3 items in 2 languages: 3 up to date, 0 untracked, 2 missing, 1 out of date, 0 drafts  ("
            in result.output), result.output
    # next to the stale entry: how to see what changed and how to mark it current
    assert ("! announcements/consular-hours [ar]: the source changed since it was translated; see what changed: "
            "legation status --diff announcements/consular-hours --lang ar; once updated: "
            "legation translated announcements/consular-hours --lang ar") in result.output
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




def counts_line(output: str) -> str:
    return next(line for line in output.splitlines() if " items in " in line)


def test_an_untranslated_draft_is_a_draft_even_after_its_source_is_written(make_site: Callable[..., Path]) -> None:
    """`legation new --translate-to` makes draft stubs that name the source's first version; writing the source
    must not turn them into stale translations, and the counts under the matrix say what its cells say."""
    root = make_site()
    assert cli(root, "new", "announcements", "fee-change", "--translate-to", "ar", "--title", "Fee change",
               "--now", NOW_ARG).exit_code == 0
    source = root / "content/announcements/fee-change.en.md"
    source.write_text(source.read_text(encoding="utf-8").replace("kind: news", 'kind: news\nsummary: "New fees"'),
                      encoding="utf-8")
    result = cli(root, "status", "--now", NOW_ARG)
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:] if line.startswith(("ann", "ev", "pa"))}
    assert rows["announcements/fee-change"] == ["✓", "d"]
    marks = [mark for row in rows.values() for mark in row if mark in "✓?–!d"]
    drafts = marks.count("d")
    assert counts_line(result.output).startswith(
        f"{len(rows)} items in 2 languages: {marks.count('✓')} up to date, {marks.count('?')} untracked, "
        f"{marks.count('–')} missing, {marks.count('!')} out of date, {drafts} draft{'' if drafts == 1 else 's'}")
    assert marks.count("d") == 1 and marks.count("!") == 0
    data = json.loads(cli(root, "status", "--json", "--now", NOW_ARG).output)
    item = next(i for i in data["items"] if i["slug"] == "fee-change")
    assert item["languages"] == {"en": "present", "ar": "draft"} and item["stale_since"] == {}


def test_a_draft_translation_of_a_published_critical_alert_fails_strict(make_site: Callable[..., Path]) -> None:
    """Arabic readers do not see a draft: for a critical alert that is as bad as a missing translation."""
    root = make_site({
        "content/announcements/storm.en.md": ('---\ntitle: "Storm warning"\ndate: 2026-11-20T10:00:00+04:00\n'
                                              "alert: critical\n---\nStay inside.\n"),
        "content/announcements/storm.ar.md": '---\ntitle: "تحذير من العاصفة"\ndraft: true\n---\nابقوا في الداخل.\n',
    })
    strict = cli(root, "status", "--strict", "--now", NOW_ARG)
    assert strict.exit_code == 1 and "announcements/storm" in strict.output


DRAFT_AR = '---\ntitle: "ساعات العمل القنصلية"\ndraft: true\n---\nالقسم القنصلي مفتوح.\n'


def test_snippets_for_a_draft_language_say_why_there_is_nothing(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/consular-hours.ar.md": DRAFT_AR})
    result = cli(root, "snippets", "announcements/consular-hours", "--lang", "ar", "--platform", "x", "--now", NOW_ARG)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("content/announcements/consular-hours.ar.md:3:1: error: the ar copy of "
                                    "announcements/consular-hours is a draft")
    assert "remove `draft: true`" in result.stderr
    # every language: English posts are printed, the Arabic draft is a warning, and the exit is 0
    both = cli(root, "snippets", "announcements/consular-hours", "--platform", "x", "--now", NOW_ARG)
    assert both.exit_code == 0 and "── en · X" in both.stdout and "── ar" not in both.stdout
    assert "consular-hours.ar.md:3:1: warning:" in both.stderr


def test_snippets_for_a_missing_or_scheduled_language_say_why(make_site: Callable[..., Path]) -> None:
    root = make_site()
    missing = cli(root, "snippets", "events/reception", "--lang", "ar", "--now", NOW_ARG)
    assert missing.exit_code == 1 and missing.stdout == ""
    assert ("content/events/reception.en.md: error: events/reception has no ar translation "
            "(content/events/reception.ar.md does not exist)") in missing.stderr
    (root / "content/announcements/consular-hours.ar.md").write_text(
        '---\ntitle: "ساعات العمل"\npublish_at: 2026-12-01T09:00:00+04:00\n---\nنص.\n', encoding="utf-8")
    scheduled = cli(root, "snippets", "announcements/consular-hours", "--lang", "ar", "--now", NOW_ARG)
    assert scheduled.exit_code == 1 and "is scheduled for 2026-12-01T09:00:00+04:00" in scheduled.stderr
    assert "--now 2026-12-01T09:00:00+04:00" in scheduled.stderr
    later = cli(root, "snippets", "announcements/consular-hours", "--lang", "ar", "--now", "2026-12-02T00:00:00Z")
    assert later.exit_code == 0 and "── ar" in later.stdout and later.stderr == ""
