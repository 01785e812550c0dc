"""A resident build (engine/publish.py): the memory engine makes the site, only the files that differ from the
live folder's are written, and what it leaves (site, social posts, ledger, no-change state, caches) is what a
clean CLI build of the same sources leaves."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from generator.commands.resident import _Builder
from generator.engine.build import BuildOptions, BuildReport
from generator.engine.memory import Memory
from generator.engine.publish import PUBLISHED, build_resident, resident_memory
from tests.conftest import NOW, run_build, tree
from tests.test_incremental import DEMO_STEPS, _edit, _fresh_units, demo_copy
from tests.test_memory import EXTRA_STEPS

OUTPUTS = ("public", "snippets", "ledger")
THEME_ITEM = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "item.html"
BODY = ("content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates.")


def resident(root: Path, memory: Memory, now: object = NOW, **settings: object) -> BuildReport:
    return build_resident(BuildOptions(root, root / "public", now, **settings), memory)  # type: ignore[arg-type]


def clean_copy(root: Path, where: Path, now: object, **settings: object) -> Path:
    """A copy of ``root``'s sources (its ledger too) built from nothing."""
    return clean_build(root, where, now, **settings)[0]


def clean_build(root: Path, where: Path, now: object, **settings: object) -> tuple[Path, BuildReport]:
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("public", "snippets", ".legation-cache", ".*.lock"))
    report = run_build(where, now=now, incremental=False, **settings)
    assert report.ok, report.errors
    return where, report


def assert_same(root: Path, clean: Path, step: str) -> None:
    for folder in OUTPUTS:
        built = tree(root / folder) if (root / folder).exists() else {}
        expected = tree(clean / folder) if (clean / folder).exists() else {}
        assert sorted(built) == sorted(expected), (step, folder)
        assert [path for path in built if built[path] != expected[path]] == [], (step, folder)


@pytest.mark.parametrize("watched", [False, True], ids=["looking", "watched"])
def test_a_resident_build_leaves_what_a_clean_build_makes_after_every_kind_of_change(tmp_path: Path,
                                                                                      watched: bool) -> None:
    """``watched``: as a builder makes them, told by the kernel what changed since its last build (untouched.py)
    rather than looking at every file's size and time."""
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    if watched:
        builder = _Builder(root)
        memory = builder.memory

        def resident(root: Path, memory: Memory, now: object = NOW) -> BuildReport:
            return builder.build(BuildOptions(root, root / "public", now), None)  # type: ignore[arg-type]

        assert builder.sentry.watch is not None  # Linux: the kernel's inotify
    else:
        resident = globals()["resident"]
    assert resident(root, memory).ok
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "first build")
    steps = [*DEMO_STEPS, *((name, change, timedelta(days=14)) for name, change in EXTRA_STEPS)]
    for name, change, later in steps:
        change(root)
        report = resident(root, memory, NOW + later)
        assert report.ok and PUBLISHED in report.timings, (name, report.errors)
        clean, expected = clean_build(root, tmp_path / "clean", NOW + later)
        assert_same(root, clean, name)
        assert (report.schedule, report.counts, report.files, report.html) == \
            (expected.schedule, expected.counts, expected.files, expected.html), name
        assert [p.format() for p in report.problems] == [p.format() for p in expected.problems], name
    # and the CLI, after it, finds nothing to do
    again = run_build(root, now=NOW + timedelta(days=14))
    assert again.ok and again.written == 0 and "unchanged" in again.timings


def test_a_body_edit_writes_the_changed_files_alone_in_place(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    untouched = root / "public" / "en" / "events" / "index.html"
    edited = root / "public" / "en" / "announcements" / "scholarships-2027" / "index.html"
    before = untouched.stat().st_ino, edited.stat().st_ino
    _edit(root, *BODY)
    report = resident(root, memory)
    cli = run_build(clean_copy(root, tmp_path / "cli", NOW), now=NOW)  # the CLI's count for the same edit
    assert report.ok and 0 < report.written < 40
    assert untouched.stat().st_ino == before[0]  # the folder was patched, not swapped
    assert edited.stat().st_ino != before[1] and b"to graduates." in edited.read_bytes()
    assert report.files == cli.files and report.html == cli.html


def test_nothing_changed_is_answered_without_building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    first = resident(root, memory)
    fresh = _fresh_units(monkeypatch)
    again = resident(root, memory)
    assert again.ok and "unchanged" in again.timings and PUBLISHED not in again.timings and fresh == []
    assert (again.files, again.html) == (first.files, first.html)


def test_a_hand_edited_output_is_put_right(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    page = root / "public" / "en" / "index.html"
    good = page.read_bytes()
    page.write_bytes(b"defaced")
    (root / "public" / "extra.html").write_bytes(b"added by hand")
    report = resident(root, memory)
    assert report.ok and PUBLISHED in report.timings
    assert page.read_bytes() == good and not (root / "public" / "extra.html").exists()


def test_a_failed_build_writes_nothing(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    before = tree(root / "public")
    _edit(root, "content/announcements/scholarships-2027.en.md", 'title: "', 'title: [unclosed "')
    report = resident(root, memory)
    assert not report.ok and report.errors[0].location.path == "content/announcements/scholarships-2027.en.md"
    assert tree(root / "public") == before
    _edit(root, "content/announcements/scholarships-2027.en.md", 'title: [unclosed "', 'title: "')
    assert resident(root, memory).ok
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "fixed")
    # From a new user's trial: a template mistake found while the pages were made (after the memory build) was
    # reported with the memory build's counts (632 files, 194 HTML pages) where nothing was written
    override = root / "templates" / "item.html"
    override.parent.mkdir(exist_ok=True)
    override.write_text(THEME_ITEM.read_text(encoding="utf-8").replace("{{ page.title }}", "{{ page.title }", 1),
                        encoding="utf-8")
    before = tree(root / "public")
    report = resident(root, memory)
    shutil.copytree(root, tmp_path / "cli", ignore=shutil.ignore_patterns(".legation-cache", ".*.lock"))
    cli = run_build(tmp_path / "cli", now=NOW)  # the CLI's own, from the same folder as it was
    assert not report.ok and not cli.ok and report.errors[0].code == cli.errors[0].code == "template"
    assert (report.files, report.html, report.written, report.bytes) == (cli.files, cli.html, cli.written,
                                                                         cli.bytes) == (0, 0, 0, 0)
    assert tree(root / "public") == before


def test_drafts_and_back(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    assert resident(root, memory, drafts=True).ok
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW, drafts=True), "drafts")
    assert resident(root, memory).ok
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "no drafts")


def test_the_caches_it_saves_let_the_cli_render_only_what_changed(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """After the builder's caches are saved, a CLI build of one more edit renders what that edit reached alone."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    builder = _Builder(root)
    builder.prime()
    _edit(root, "content/events/cuisine-evening.en.md", "start: 2026-12-05T19:00", "start: 2026-12-04T19:00")
    assert builder.build(BuildOptions(root, root / "public", NOW), None).ok
    builder.save_caches()
    fresh = _fresh_units(monkeypatch)
    _edit(root, *BODY)
    report = run_build(root, jobs=1)
    assert report.ok
    assert "item:/en/announcements/scholarships-2027/" in fresh
    assert not any(key.startswith(("list:", "tag:", "calendar")) for key in fresh), fresh
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "after the CLI")


def test_a_resident_build_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    with pytest.raises(ValueError, match="resident"):
        build_resident(BuildOptions(root, root / "public", NOW, force=True), resident_memory())
    with pytest.raises(ValueError, match="resident"):
        build_resident(BuildOptions(root, root / "public", NOW), Memory())  # a preview's memory


def test_the_next_days_changes_are_told_after_a_template_edit_too(tmp_path: Path) -> None:
    """The report's (and the no-change state's) list of what tomorrow's build publishes, after a build that kept
    what it read and assembled (only a template changed)."""
    root = demo_copy(tmp_path / "site")
    (root / "content/announcements/tomorrow.en.md").write_text(
        '---\ntitle: "Tomorrow"\ndate: 2026-11-23T09:00:00Z\nsummary: "Soon."\npublish_at: 2026-11-24T06:00:00Z\n'
        '---\nText.\n', encoding="utf-8")
    memory = resident_memory()
    assert resident(root, memory).ok
    EXTRA_STEPS[0][1](root)  # a template overridden
    report = resident(root, memory)
    expected = clean_build(root, tmp_path / "clean", NOW)[1]
    assert report.ok and [change["file"] for change in report.schedule] == ["content/announcements/tomorrow.en.md"]
    assert report.schedule == expected.schedule


def test_another_signing_key_or_none_is_no_template_edit(tmp_path: Path) -> None:
    """From the review: after a template edit the kept upstream held the signing key the earlier build loaded,
    so a build without the key (or with another) still published the old signature and public key."""
    from tests.test_register import key_file

    root = demo_copy(tmp_path / "site")
    keys = tmp_path / "keys"
    keys.mkdir()
    memory = resident_memory()
    assert resident(root, memory, signing_key=key_file(keys)).ok
    assert (root / "public" / "statements.json.sig").exists()
    EXTRA_STEPS[0][1](root)  # a template overridden
    report = resident(root, memory)  # and no key given now
    assert report.ok and not (root / "public" / "statements.json.sig").exists()
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "without the key")


def test_a_cli_build_without_the_key_is_no_unchanged_build(tmp_path: Path) -> None:
    """The no-change check compares the signing key too (it did not: the signature stayed published)."""
    from tests.test_register import key_file

    root = demo_copy(tmp_path / "site")
    assert run_build(root, signing_key=key_file(tmp_path)).ok
    again = run_build(root)
    assert again.ok and "unchanged" not in again.timings
    assert not (root / "public" / "statements.json.sig").exists()


def test_a_template_cannot_change_what_the_next_build_keeps(tmp_path: Path) -> None:
    """From the review: a template that called ``config.title.update(...)`` changed the site a resident build
    keeps across builds, and the change outlived the template. Jinja's immutable sandbox refuses the call."""
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    override = root / "templates" / "item.html"
    override.parent.mkdir()
    override.write_text('{% set _ = config.title.update({"en": "PWNED"}) %}' + (
        Path(__file__).resolve().parent.parent / "themes/default/templates/item.html").read_text(encoding="utf-8"),
        encoding="utf-8")
    failed = resident(root, memory)
    assert not failed.ok and "templates/item.html" in failed.errors[0].format()
    shutil.rmtree(root / "templates")
    assert resident(root, memory).ok
    assert not any(b"PWNED" in data for data in tree(root / "public").values())
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "after the template is gone")


def test_an_interrupted_build_writes_nothing(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    before = tree(root / "public")
    _edit(root, *BODY)
    report = build_resident(BuildOptions(root, root / "public", NOW), memory, going_on=lambda: False)
    assert not report.ok and report.errors[0].code == "interrupted" and tree(root / "public") == before
    assert resident(root, memory).ok
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "built again")
    # From a new user's trial: interrupted while the pages of a template edit were being made (after the memory
    # build, which asked first), the builder published them anyway. It asks again before it writes.
    before = tree(root / "public")
    override = root / "templates" / "item.html"
    override.parent.mkdir(exist_ok=True)
    override.write_text(THEME_ITEM.read_text(encoding="utf-8").replace("<h1", '<h1 data-edited=""', 1),
                        encoding="utf-8")
    answers = iter([True, False])
    report = build_resident(BuildOptions(root, root / "public", NOW), memory, going_on=lambda: next(answers))
    assert not report.ok and report.errors[0].code == "interrupted" and tree(root / "public") == before
    assert report.written == report.files == 0
    assert resident(root, memory).ok
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "built again after the template edit")


def test_a_fault_in_the_builder_leaves_no_cache_of_what_it_did_not_write(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """From the review: a build that raised after its memory build (not a LegationError) left the builder's
    last output named as written; the caches saved then described the new memory under the old manifest, and
    the CLI kept the old page."""
    from generator.engine import publish

    root = demo_copy(tmp_path / "site")
    builder = _Builder(root)
    builder.prime()
    assert builder.build(BuildOptions(root, root / "public", NOW), None).ok
    _edit(root, *BODY)

    def broken(*args: object) -> object:
        raise RuntimeError("a fault")

    monkeypatch.setattr(publish, "_publish", broken)
    with pytest.raises(RuntimeError):
        builder.build(BuildOptions(root, root / "public", NOW), None)
    builder.save_caches()  # what the builder does as it leaves
    monkeypatch.undo()
    assert run_build(root).ok  # the CLI by itself
    assert_same(root, clean_copy(root, tmp_path / "clean", NOW), "the CLI after the fault")


def test_the_posts_warnings_are_told_by_every_resident_build(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A post that does not fit is told by each build, as the CLI tells it: when the board is kept whole (a body
    edit changes no post) and when it is made again (a title edit). Kept whole, nothing of it is made again."""
    import generator.outputs.snippets as snippets_module

    root = demo_copy(tmp_path / "site")
    _edit(root, "content/events/cuisine-evening.en.md", 'title: "', 'title: "' + "A very long title " * 20)
    memory = resident_memory()
    first = resident(root, memory)
    assert first.ok and any("X post does not fit" in p.message for p in first.warnings)

    def told(report: BuildReport) -> list[str]:
        return [p.format() for p in report.problems]

    _edit(root, *BODY)  # not an urgent item: its posts are made from what lists show, which a body edit keeps
    with monkeypatch.context() as patched:
        patched.setattr(snippets_module, "build_snippet_files", lambda *a, **k: pytest.fail("board made again"))
        kept = resident(root, memory)
    assert kept.ok and told(kept) == told(clean_build(root, tmp_path / "clean", NOW)[1])
    _edit(root, "content/events/cuisine-evening.en.md", "A very long title", "A long title")
    remade = resident(root, memory)
    assert remade.ok and told(remade) == told(clean_build(root, tmp_path / "clean", NOW)[1])
    assert any("X post does not fit" in p.message for p in remade.warnings)
    assert_same(root, tmp_path / "clean", "title edit")


def test_an_edit_that_keeps_the_size_and_the_time_is_read_again(tmp_path: Path) -> None:
    """From a new user's trial (`sed`, then `touch -r`): the builder's memory of the files it read compares ctime
    too, as the no-change check does."""
    import os
    import time

    root = demo_copy(tmp_path / "site")
    memory = resident_memory()
    assert resident(root, memory).ok
    source = root / BODY[0]
    before = source.stat()
    time.sleep(1.1)  # past the second in which a file just written is read again anyway
    text = source.read_text(encoding="utf-8")
    assert BODY[1] in text
    source.write_text(text.replace(BODY[1], BODY[1].replace(".", "!")), encoding="utf-8")  # the same size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert resident(root, memory).ok
    assert "Azerbaijan!" in (root / "public/en/announcements/scholarships-2027/index.html").read_text(encoding="utf-8")



def test_the_first_edit_after_the_builder_started_reads_that_file_alone(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its first build found nothing changed since the CLI's: the builder's memory (its first build's) is then
    what the files hold, and the next edit reads the edited file alone (it read every file again: 1 s at 3,000
    items per language, the one slow edit of a benchmark's run)."""
    import generator.sources.content as content

    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok  # the CLI by itself, then the builder it starts
    builder = _Builder(root)
    builder.prime()
    options = BuildOptions(root, root / "public", NOW)
    assert "unchanged" in builder.build(options, None).timings
    _edit(root, *BODY)
    monkeypatch.setattr(content, "discover", lambda *a, **k: pytest.fail("every file read again"))
    report = builder.build(options, None)
    assert report.ok and PUBLISHED in report.timings
    assert "to graduates." in (root / "public/en/announcements/scholarships-2027/index.html").read_text(encoding="utf-8")


def test_the_builder_makes_the_site_at_the_clock_of_the_build_that_started_it(tmp_path: Path) -> None:
    """Made at the machine's clock while the builds named theirs (--now), its first edit found statuses changed
    and assembled everything again (1.8 s at 3,000 items per language)."""
    from generator.engine.stages import Upstream

    root = demo_copy(tmp_path / "site")
    assert run_build(root, now=NOW).ok  # the CLI by itself, at its own clock
    builder = _Builder(root)
    builder.prime()
    upstream = builder.memory.upstream
    assert isinstance(upstream, Upstream) and upstream.clock == NOW
