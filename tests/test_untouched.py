"""engine/untouched.py: a resident builder told by the kernel what changed since its last build (core/inotify.py)
looks at no file when nothing did, sees an output edited by hand, and builds what was saved while it built."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.commands.resident import _Builder
from generator.engine.build import BuildOptions
from generator.engine.publish import PUBLISHED
from tests.conftest import NOW
from tests.test_incremental import _edit, demo_copy
from tests.test_publish import BODY

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's; elsewhere a "
                                "builder looks at every file (tests/test_publish.py), by design")


def _watched(root: Path) -> tuple[_Builder, BuildOptions]:
    builder = _Builder(root)
    options = BuildOptions(root, root / "public", NOW)
    assert builder.build(options, None).ok
    return builder, options


def test_a_watched_builder_answers_no_change_without_looking_at_any_file(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel told it nothing changed since its last build: neither the inputs' sizes and times nor the
    outputs' are taken (0.15 s at 3,000 items per language, most of a no-change build)."""
    from generator.engine import build as build_module

    root = demo_copy(tmp_path / "site")
    builder, options = _watched(root)
    assert "unchanged" in builder.build(options, None).timings  # looked at every file: the watch now knows
    looked: list[str] = []
    monkeypatch.setattr(build_module, "_fingerprint", lambda *a, **k: looked.append("inputs") or "")
    monkeypatch.setattr(build_module, "_output_stamp", lambda *a, **k: looked.append("outputs") or "")
    again = builder.build(options, None)
    assert again.ok and "unchanged" in again.timings and looked == []


def test_a_watched_builder_sees_an_output_edited_by_hand_and_reads_no_input(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engine import build as build_module

    root = demo_copy(tmp_path / "site")
    builder, options = _watched(root)
    page = root / "public" / "en" / "index.html"
    good = page.read_bytes()
    page.write_bytes(b"defaced")
    (root / "public" / "en" / "extra.html").write_bytes(b"added by hand")
    monkeypatch.setattr(build_module, "_fingerprint", lambda *a, **k: pytest.fail("the inputs were looked at"))
    report = builder.build(options, None)
    assert report.ok and PUBLISHED in report.timings
    assert page.read_bytes() == good and not (root / "public" / "en" / "extra.html").exists()


@pytest.mark.parametrize("where", ["an item", "a new folder"])
def test_a_watched_builder_builds_what_was_edited_while_it_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 where: str) -> None:
    """An input saved after a build looked at the files and before it was done is no change that build saw: the
    next build must read it (its own writes, the output and the ledger, are not changes)."""
    from generator.engine import publish

    root = demo_copy(tmp_path / "site")
    builder, options = _watched(root)
    publish_files = publish._publish
    bundle = root / "content" / "announcements" / "late-news"

    def saved_meanwhile(*args: object, **kwargs: object) -> object:
        if where == "an item":
            _edit(root, *BODY)
        else:
            bundle.mkdir()
            (bundle / "index.en.md").write_text('---\ntitle: "Late news"\ndate: 2026-11-20\n---\nLate.\n',
                                                encoding="utf-8")
        return publish_files(*args, **kwargs)  # type: ignore[operator]

    _edit(root, "content/announcements/foreign-minister-visit.en.md", "visited Baku", "was in Baku")
    with monkeypatch.context() as patched:
        patched.setattr(publish, "_publish", saved_meanwhile)
        assert builder.build(options, None).ok
    after = builder.build(options, None)
    assert after.ok and PUBLISHED in after.timings
    if where == "an item":
        assert "to graduates." in (root / "public/en/announcements/scholarships-2027/index.html"
                                   ).read_text(encoding="utf-8")
    else:
        assert (root / "public/en/announcements/late-news/index.html").is_file()


def test_an_input_with_another_name_elsewhere_is_looked_at_on_every_build(tmp_path: Path) -> None:
    """A content file that is another name (a hard link) of a file outside the watched folders changes when that
    is written, which no watch of the site's folders sees: such a site's inputs are looked at as without the
    watch. (A symbolic link may point only inside content/, which is watched.)"""
    import os

    root = demo_copy(tmp_path / "site")
    source = root / BODY[0]
    elsewhere = root / "drafts" / source.name  # no input folder
    elsewhere.parent.mkdir()
    source.rename(elsewhere)
    os.link(elsewhere, source)
    builder, options = _watched(root)
    assert "unchanged" in builder.build(options, None).timings
    text = elsewhere.read_text(encoding="utf-8")
    elsewhere.write_text(text.replace(BODY[1], BODY[2]), encoding="utf-8")  # in place: both names see it
    report = builder.build(options, None)
    assert report.ok and PUBLISHED in report.timings
    assert "to graduates." in (root / "public/en/announcements/scholarships-2027/index.html").read_text(encoding="utf-8")


def test_a_watched_builder_takes_the_fingerprint_of_an_edit_from_the_files_the_watch_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body edit: the kernel named the file, so only it is looked at again (not 13,000 at 3,000 items per
    language), and the state the build saves holds the fingerprint a look at every file takes. A file made
    since makes it look at every file again, as does an editor's backup that stays."""
    from generator.engine import build as build_module
    from generator.engine.fastpath import inputs_fingerprint, load_state

    root = demo_copy(tmp_path / "site")
    builder, options = _watched(root)
    assert "unchanged" in builder.build(options, None).timings
    full = build_module._fingerprint
    looked: list[str] = []

    def counted(*args: object, **kwargs: object) -> str:
        looked.append("every file")
        return full(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_fingerprint", counted)
    edits = [("content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates."),
             ("content/announcements/scholarships-2027.ar.md", "\n---\n", "\n---\nنص.\n\n")]
    for name, old, new in edits:
        _edit(root, name, old, new)
        (root / "content" / "announcements" / "#draft.md#").write_text("auto-save", encoding="utf-8")
        (root / "content" / "announcements" / "#draft.md#").unlink()  # an editor's auto-save, come and gone
        report = builder.build(options, None)
        assert report.ok and PUBLISHED in report.timings, report.problems
        assert looked == []
        state = load_state(root)
        assert state is not None
        assert state.fingerprint.split("|")[0] == inputs_fingerprint(
            root, options.out_dir, False, False, state.outside).split("|")[0]
        assert "unchanged" in builder.build(options, None).timings
    (root / "content" / "announcements" / "brand-new.en.md").write_text(
        '---\ntitle: "New"\ndate: 2026-11-20\n---\nNew.\n', encoding="utf-8")
    assert builder.build(options, None).ok and looked == ["every file"]
    assert (root / "public" / "en" / "announcements" / "brand-new" / "index.html").is_file()


def test_a_started_builders_first_edit_looks_at_no_unchanged_file(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A builder started beside a site a CLI build wrote: its first build finds nothing changed and learns which
    live files hold what it holds (their manifests), so its first edit places the unchanged files as later edits
    do, without a look at each (0.3 s at 3,000 items per language), and writes what changed."""
    from generator.core.files import Staging
    from generator.engine.build import build

    root = demo_copy(tmp_path / "site")
    options = BuildOptions(root, root / "public", NOW)
    assert build(options).ok
    builder = _Builder(root)
    builder.prime()
    assert "unchanged" in builder.build(options, None).timings
    looked: list[str] = []
    keep = Staging.keep

    def counted(self: Staging, path: str, digest: str, size: int) -> object:
        looked.append(path)
        return keep(self, path, digest, size)

    monkeypatch.setattr(Staging, "keep", counted)
    _edit(root, *BODY)
    report = builder.build(options, None)
    assert report.ok and PUBLISHED in report.timings and 0 < report.written < 40
    # the changed pages, feeds and lists, and the files made anew by every build (_headers, security.txt, ...)
    assert 0 < len(looked) < 60 < report.files // 5, (len(looked), report.files)
    assert b"to graduates." in (root / "public/en/announcements/scholarships-2027/index.html").read_bytes()
