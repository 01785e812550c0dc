"""No silent edits of official positions (generator/ledger.py): the ledger records the published text of
statements and consular notices; an edit with no changes: entry is a warning at the file, --strict refuses
it, `legation status` lists it; a correction (or a minor fix) is recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from generator.commands.cli import main
from tests.conftest import run_build

LEDGER = "ledger/announcements/consular-hours.yml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_silent_edit_is_caught_and_a_correction_is_recorded(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    record = (root / LEDGER).read_text(encoding="utf-8")
    assert record.startswith("# announcements/consular-hours: its public reference")
    assert 'reference: {id: "2026-001", year: 2026, seq: 1}' in record
    assert 'en: {sha256: "' in record and 'ar: {sha256: "' in record and "changes: 0" in record

    source = root / "content/announcements/consular-hours.en.md"
    edit(source, "open on weekdays", "open on weekdays except Friday")
    report = run_build(root)
    assert report.ok  # a warning, not an error: the site is still built
    warning = next(w for w in report.warnings if w.code == "ledger")
    assert warning.location.path == "content/announcements/consular-hours.en.md"
    assert "changed without a new changes: entry" in warning.message and "minor: true" in warning.hint
    assert (root / LEDGER).read_text(encoding="utf-8") == record  # the silent edit is not recorded
    assert not run_build(root, strict=True).ok  # the nightly job refuses it

    status = CliRunner().invoke(main, ["status", "--root", str(root), "--now", "2026-11-23T12:00:00+00:00"])
    assert "≠ announcements/consular-hours [en]: the published text differs from the ledger" in status.output

    edit(source, "kind: consular", 'kind: consular\nchanges: [{at: 2026-11-05T10:00:00+04:00, note: "Closed on Fridays."}]')
    edit(root / "content/announcements/consular-hours.ar.md", "---\nالقسم", 'changes: ["مغلق أيام الجمعة."]\n---\nالقسم')
    report = run_build(root, strict=True)
    assert report.ok, report.problems
    assert "changes: 1" in (root / LEDGER).read_text(encoding="utf-8")


def test_a_typo_fix_marked_minor_is_allowed_and_recorded(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    source = root / "content/announcements/consular-hours.en.md"
    edit(source, "open on weekdays", "open on week days")
    edit(source, "kind: consular",
         'kind: consular\nchanges: [{at: 2026-11-05T10:00:00+04:00, note: "Typo.", minor: true}]')
    edit(root / "content/announcements/consular-hours.ar.md", "---\nالقسم", 'changes: ["خطأ مطبعي."]\n---\nالقسم')
    assert run_build(root, strict=True).ok


def test_only_statements_and_consular_notices_are_recorded_and_not_by_the_preview(
        make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root, drafts=True).ok
    assert not (root / "ledger").exists()
    assert run_build(root).ok
    assert sorted(p.relative_to(root).as_posix() for p in (root / "ledger").rglob("*.yml")) == [LEDGER]


def test_the_demo_ledger_matches_the_demo(tmp_path: Path) -> None:
    """The demo's committed ledger records its statements as they are: its build has no silent edit."""
    import shutil

    repo = Path(__file__).resolve().parent.parent
    for name in ("site.yml", "content", "ledger"):
        (shutil.copytree if (repo / name).is_dir() else shutil.copy)(repo / name, tmp_path / name)
    before = {p.name: p.read_bytes() for p in (tmp_path / "ledger/announcements").glob("*.yml")}
    assert {"statement-on-regional-water-forum.yml", "consular-registration-winter-2026.yml"} <= set(before)
    report = run_build(tmp_path)
    assert report.ok and [w for w in report.warnings if w.code == "ledger"] == []
    assert {p.name: p.read_bytes() for p in (tmp_path / "ledger/announcements").glob("*.yml")} == before


def test_a_ledger_file_that_cannot_be_read_stops_the_build_and_keeps_the_reference(
        make_site: Callable[..., Path]) -> None:
    """From a new user's trial: a ledger file left broken (a merge conflict, a slip of the hand) was taken as no
    record, and the statement's public reference was issued again under a new number, with no word. It is a
    located error; nothing is written, the file is left as it is, and once fixed the reference is the same."""
    from tests.conftest import tree

    root = make_site()
    assert run_build(root).ok
    ledger = root / LEDGER
    record = ledger.read_text(encoding="utf-8")
    site = tree(root / "public")
    broken = {
        "merge conflict": record.replace("reference:", "<<<<<<< HEAD\nreference:", 1),
        "bad YAML": record.replace("reference: {", "reference: {{", 1),
        "reference without its number": record.replace(", seq: 1}", "}", 1),
        "not UTF-8": record.encode("utf-8") + b"\xff",
        "a language line of another shape": record.replace('en: {sha256: "', 'en: {sha: "', 1),
    }
    for case, text in broken.items():
        if isinstance(text, bytes):
            ledger.write_bytes(text)
        else:
            ledger.write_text(text, encoding="utf-8")
        report = run_build(root)
        assert not report.ok, case
        [error] = report.errors
        assert error.code == "ledger" and error.location.path == LEDGER and "NEW public reference" in error.hint, case
        assert tree(root / "public") == site and ledger.read_bytes() == (text if isinstance(text, bytes)
                                                                          else text.encode("utf-8")), case
    bad_yaml = broken["bad YAML"]
    assert isinstance(bad_yaml, str)
    ledger.write_text(bad_yaml, encoding="utf-8")
    error = run_build(root).errors[0]
    assert error.location.line > 0 and error.location.col > 0  # where YAML gave up
    ledger.write_text(record, encoding="utf-8")
    assert run_build(root).ok and ledger.read_text(encoding="utf-8") == record
