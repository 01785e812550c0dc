"""The only writer (generator/files.py): staging and swap, manifest, unchanged files kept, refusals, lock, verify."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from generator.core.errors import LegationError, OutputError
from generator.core.files import (
    MARKER,
    Staging,
    build_lock,
    check_output_dir,
    check_output_path,
    has_leftovers,
    verify_tree,
    write_site,
)
from generator.core.model import OutputFile
from tests.conftest import run_build, tree


def outputs(text: str = "a") -> list[OutputFile]:
    return [OutputFile("index.html", f"<p>{text}</p>".encode()), OutputFile("en/index.html", b"<p>en</p>")]


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".public.") and not p.name.endswith(".lock"))


def test_first_write_creates_the_folder_and_a_sha256_manifest(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_bytes(b"<svg/>")
    out = tmp_path / "public"
    stats = write_site([*outputs(), OutputFile("static/logo.svg", copy_from="logo.svg")], out, tmp_path)
    assert (stats.files, stats.written, stats.bytes) == (3, 3, len(b"<p>a</p><p>en</p><svg/>"))
    assert (out / "static/logo.svg").read_bytes() == b"<svg/>"
    manifest = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert manifest["algorithm"] == "sha256"
    assert manifest["files"] == {path: hashlib.sha256((out / path).read_bytes()).hexdigest()
                                 for path in ("index.html", "en/index.html", "static/logo.svg")}
    assert leftovers(tmp_path) == [] and verify_tree(out) == []


def test_unchanged_files_are_kept_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(outputs(), out, tmp_path)
    kept = (out / "en/index.html").stat()
    again = write_site(outputs("b"), out, tmp_path)
    assert (again.files, again.written) == (2, 1) and (out / "index.html").read_bytes() == b"<p>b</p>"
    now = (out / "en/index.html").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    before = {p: (out / p).stat().st_ino for p in ("index.html", "en/index.html", MARKER)}
    assert write_site(outputs("b"), out, tmp_path).written == 0  # nothing changed: nothing touched
    assert {p: (out / p).stat().st_ino for p in before} == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("damage", ["deleted", "added", "longer", "shorter", "empty folder", "linked folder",
                                    "linked file"])
def test_a_folder_changed_by_hand_is_put_right_when_no_output_changed(tmp_path: Path, damage: str) -> None:
    """The live folder is kept only when it holds exactly what its manifest lists; a file edited by hand to
    another length is not linked into the new folder (a same-length edit is what ``legation verify`` finds)."""
    out = tmp_path / "public"
    write_site(outputs(), out, tmp_path)
    if damage == "deleted":
        (out / "en/index.html").unlink()
    elif damage == "added":
        (out / "en/notes.txt").write_text("left by hand")
    elif damage == "empty folder":
        (out / "en/drafts").mkdir()
    elif damage == "linked folder":
        (out / "etc").symlink_to("/etc")
    elif damage == "linked file":
        (out / "en/index.html").unlink()
        (tmp_path / "secret.txt").write_text("<p>en</p>")  # the same bytes: only the link gives it away
        (out / "en/index.html").symlink_to(tmp_path / "secret.txt")
    else:
        (out / "en/index.html").write_bytes(b"<p>english</p>" if damage == "longer" else b"<p></p>")
    stats = write_site(outputs(), out, tmp_path)
    assert (out / "en/index.html").read_bytes() == b"<p>en</p>" and not (out / "en/index.html").is_symlink()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        ".legation-manifest.json", "en", "en/index.html", "index.html"]
    # a stray entry is dropped without rewriting anything; a missing, edited or linked file is written anew
    assert stats.written == (0 if damage in ("added", "empty folder", "linked folder") else 1)
    assert verify_tree(out) == [] and leftovers(tmp_path) == []


def test_a_copied_file_edited_by_hand_in_the_live_folder_is_copied_again(tmp_path: Path) -> None:
    """A static file or bundle asset is copied from the sources: a live copy of another length is not reused."""
    (tmp_path / "logo.svg").write_bytes(b"<svg/>")
    out = tmp_path / "public"
    files = [*outputs(), OutputFile("static/logo.svg", copy_from="logo.svg")]
    write_site(files, out, tmp_path)
    (out / "static/logo.svg").unlink()  # as an editor saves: a new file, not the hard-linked one
    (out / "static/logo.svg").write_bytes(b"<svg>edited by hand</svg>")
    stats = write_site(files, out, tmp_path)
    assert (out / "static/logo.svg").read_bytes() == b"<svg/>" and stats.written == 1
    assert verify_tree(out) == []


def test_a_reused_output_replaced_by_a_link_is_refused(tmp_path: Path) -> None:
    """A reused file is copied from the live one: a symbolic link there is reported, never followed."""
    out = tmp_path / "public"
    write_site(outputs(), out, tmp_path)
    (out / "en/index.html").unlink()
    (out / "en/index.html").symlink_to("/etc/hostname")
    reused = [outputs()[0], OutputFile("en/index.html", copy_from=str(out / "en/index.html"),
                                       digest=hashlib.sha256(b"<p>en</p>").hexdigest())]
    with pytest.raises(OutputError, match="symbolic link") as caught:
        write_site(reused, out, tmp_path)
    assert caught.value.problems[0].location.path == "public/en/index.html"
    assert (out / "en/index.html").is_symlink() and leftovers(tmp_path) == []  # the live site as it was


def test_nothing_is_taken_from_the_live_site_through_a_linked_folder(tmp_path: Path) -> None:
    """A live folder replaced by a link to files elsewhere: outputs made in the build are written anew, a reused
    one (copied from the live file) is refused, and the outside files are never linked into the new site."""
    out, outside = tmp_path / "public", tmp_path / "outside"
    write_site(outputs(), out, tmp_path)
    outside.mkdir()
    (outside / "index.html").write_bytes(b"<p>XX</p>")  # the length of the real page: only the folder tells
    shutil.rmtree(out / "en")
    (out / "en").symlink_to(outside)
    write_site(outputs(), out, tmp_path)
    assert (out / "en/index.html").read_bytes() == b"<p>en</p>" and not (out / "en").is_symlink()
    assert (out / "en/index.html").stat().st_ino != (outside / "index.html").stat().st_ino
    shutil.rmtree(out / "en")
    (out / "en").symlink_to(outside)
    reused = [outputs()[0], OutputFile("en/index.html", copy_from=str(out / "en/index.html"),
                                       digest=hashlib.sha256(b"<p>en</p>").hexdigest())]
    with pytest.raises(OutputError, match="symbolic link"):
        write_site(reused, out, tmp_path)
    assert (outside / "index.html").read_bytes() == b"<p>XX</p>" and leftovers(tmp_path) == []


def test_leftovers_of_a_killed_build_are_cleaned_up(tmp_path: Path) -> None:
    out = tmp_path / "public"
    (tmp_path / ".public.staging").mkdir()
    (tmp_path / ".public.staging" / "half.html").write_text("half")
    write_site(outputs(), out, tmp_path)
    assert not (out / "half.html").exists() and leftovers(tmp_path) == []
    os.rename(out, tmp_path / ".public.old")  # killed between the two renames of the fallback swap
    write_site(outputs("c"), out, tmp_path)
    assert (out / "index.html").read_bytes() == b"<p>c</p>" and leftovers(tmp_path) == [] and verify_tree(out) == []


def test_two_outputs_on_one_path_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="two outputs"):
        write_site([OutputFile("a.html", b"1"), OutputFile("a.html", b"2")], tmp_path / "public", tmp_path)
    with pytest.raises(OutputError, match="two outputs"):
        write_site([OutputFile(MARKER, b"{}")], tmp_path / "public", tmp_path)  # the manifest's own path
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("path", ["../x", "../evil.html", "/etc/passwd", "a/../../b", "", "./a", "a//b", "a/", "a\\b", "a\x00b"])
def test_paths_escaping_the_output_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(LegationError, match="leave the output folder"):
        check_output_path(path)
    with pytest.raises(LegationError):
        write_site([OutputFile("ok.html", b"1"), OutputFile(path, b"2")], tmp_path / "site" / "public", tmp_path)
    assert not (tmp_path / "site").exists()  # refused while planning: nothing was created
    assert check_output_path("en/events/index.html") == PurePosixPath("en", "events", "index.html")


def test_output_dir_refusals(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "notes.txt").write_text("a file")
    for bad in (site, site / "content", site / "content" / "x", tmp_path, site / "notes.txt"):
        with pytest.raises(OutputError):
            check_output_dir(bad, site)
    foreign = site / "public"
    foreign.mkdir()
    check_output_dir(foreign, site)  # empty is fine
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(OutputError, match="not made by legation"):
        check_output_dir(foreign, site)
    assert (foreign / "thesis.docx").read_text() == "precious"
    check_output_dir(site / "fresh", site)  # absent is fine
    write_site(outputs(), site / "built", site)
    check_output_dir(site / "built", site)  # a previous legation output is fine


def test_a_failed_write_leaves_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(outputs(), out, tmp_path)
    with pytest.raises(OutputError, match="cannot write the site"):
        write_site([OutputFile("a", b"file"), OutputFile("a/b.html", b"under a file")], out, tmp_path)
    assert (out / "index.html").read_bytes() == b"<p>a</p>" and verify_tree(out) == [] and leftovers(tmp_path) == []


def test_lock_waits_then_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "public"
    waited = threading.Event()
    with build_lock(out, 5):
        assert (tmp_path / ".public.lock").read_text() == str(os.getpid())
        with pytest.raises(OutputError) as caught, build_lock(out, 0.3, on_wait=waited.set):
            pass
        # the holder's process number from the lock file; a wait under a second is not "after 0 s"
        assert caught.value.problems[0].message == (f"another build of {out} is running "
                                                    f"(the lock file names process {os.getpid()})")
        with pytest.raises(OutputError, match=r"another build of .*public is still running after 1 s \(the lock"), \
                build_lock(out, 1):
            pass
        # a number that names no live process (another machine's, a stale one) is not shown
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout.strip()
        (tmp_path / ".public.lock").write_text(gone)
        with pytest.raises(OutputError) as stale, build_lock(out, 0.2):
            pass
        assert stale.value.problems[0].message == f"another build of {out} is running"
    assert waited.is_set() and "wait for it to finish" in caught.value.problems[0].hint
    with build_lock(out, 0.3):  # released
        pass


def test_verify_finds_changed_missing_and_extra_files(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert verify_tree(out) == [f"{out / MARKER}: no readable build manifest"]
    write_site(outputs(), out, tmp_path)
    (out / "index.html").write_text("<p>defaced</p>")
    (out / "en/index.html").unlink()
    (out / "extra.js").write_text("alert(1)")
    assert verify_tree(out) == ["en/index.html: missing", "extra.js: not produced by the build",
                                "index.html: content differs from the build"]


def test_a_second_output_for_a_linked_path_never_writes_through_the_link(tmp_path: Path) -> None:
    """Unchanged files are hard links to the live site: a duplicate must be refused before it is written."""
    out = tmp_path / "public"
    write_site([OutputFile("a.html", b"live")], out, tmp_path)
    staging = Staging(out, tmp_path)
    assert staging.put(OutputFile("a.html", b"live")).written is False  # linked from the live site
    with pytest.raises(LegationError, match="two outputs"):
        staging.put(OutputFile("a.html", b"other"))
    staging.abort()
    assert (out / "a.html").read_bytes() == b"live"
    assert not staging.folder.exists()


def test_the_previous_site_is_deleted_in_the_background_and_settle_waits_for_it(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site([OutputFile(f"old/{i}.html", b"old") for i in range(300)], out, tmp_path)
    staging = Staging(out, tmp_path)
    placed = [staging.put(output) for output in outputs("new")]
    stats = staging.commit(placed)
    assert stats.files == 2 and (out / "index.html").read_bytes() == b"<p>new</p>"  # live before the clean-up ends
    assert not (out / "old").exists()
    staging.settle()
    assert leftovers(tmp_path) == []  # the swapped-out site is gone once settle returns
    staging.settle()  # a second wait does nothing


def test_abort_after_a_commit_waits_for_the_background_deletion(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site([OutputFile(f"old/{i}.html", b"old") for i in range(300)], out, tmp_path)
    staging = Staging(out, tmp_path)
    staging.commit([staging.put(output) for output in outputs("new")])
    staging.abort()  # e.g. the snippets folder failed to commit after the site did
    assert leftovers(tmp_path) == []
    assert (out / "index.html").read_bytes() == b"<p>new</p>"


@pytest.mark.parametrize("files", [{}, {"index.html": "0" * 64},
                                   {"z/index.html": "1", 'a "q"/é.html': "2", "ar/ا/index.html": "3", "b\\c": "4"}])
def test_manifest_text_is_the_sorted_indented_json_it_always_was(files: dict[str, str]) -> None:
    """The manifest is written without json's slow indenting encoder, in the same format as before (deploy
    scripts and the next build read it)."""
    from generator.core.files import manifest_text

    expected = json.dumps({"algorithm": "sha256", "files": files}, indent=0, sort_keys=True)
    assert manifest_text(files) == expected
    assert json.loads(manifest_text(files))["files"] == files


def test_output_folders_that_overlap_are_refused_before_any_lock(make_site: Callable[..., Path]) -> None:
    """`--out snippets` after a build exited 0 with a folder holding only a manifest; `--out /` made "/..lock"."""
    root = make_site()
    assert run_build(root).ok
    snippets_before = tree(root / "snippets")
    report = run_build(root, root / "snippets")
    assert not report.ok
    assert "snippets folder" in report.errors[0].message
    assert tree(root / "snippets") == snippets_before
    for folder in ("static", "static/css", "i18n", "themes/default", "content/announcements"):
        report = run_build(root, root / folder)
        assert not report.ok and report.errors[0].hint, folder
        assert not (root / folder).parent.joinpath(f".{Path(folder).name}.lock").exists(), folder
    outside = root.parent
    report = run_build(root, outside)
    assert not report.ok
    assert not outside.parent.joinpath(f".{outside.name}.lock").exists()


def test_an_output_folder_that_is_a_link_is_built_through_it(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """`public -> /var/www/site` was replaced by a real folder, and every later build failed with "File exists"."""
    served = tmp_path / "www" / "site"
    served.mkdir(parents=True)
    root = make_site()
    (root / "public").symlink_to(served, target_is_directory=True)
    assert run_build(root).ok
    assert (root / "public").is_symlink() and (root / "public").resolve() == served.resolve()
    first = tree(served)
    assert "en/index.html" in first
    page = root / "content/announcements/consular-hours.en.md"
    page.write_text(page.read_text(encoding="utf-8").replace("weekdays", "weekdays and Saturdays"), encoding="utf-8")
    report = run_build(root)
    assert report.ok, [p.format() for p in report.problems]
    assert (root / "public").is_symlink()
    assert b"Saturdays" in (served / "en/announcements/consular-hours/index.html").read_bytes()
    assert verify_tree(served) == []


def test_an_output_link_to_nothing_is_a_clear_error(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    (root / "public").symlink_to(tmp_path / "missing", target_is_directory=True)
    report = run_build(root)
    assert not report.ok
    assert "link to nothing" in report.errors[0].message
    assert (root / "public").is_symlink()


def many(text: str = "a", count: int = 12) -> list[OutputFile]:
    """A site of ``count`` pages in folders of their own, the first with ``text``."""
    return [OutputFile(f"en/p{n}/index.html", f"<p>{text if n == 0 else n}</p>".encode()) for n in range(count)]


def patched(out: Path, files: list[OutputFile], root: Path) -> tuple[Staging, object]:
    """A build on an output known to be as the last one left it (the engine's trusted case)."""
    staging = Staging(out, root, patch=True)
    stats = staging.commit([staging.put(output) for output in files])
    staging.settle()
    return staging, stats


def test_a_small_change_to_a_trusted_output_is_patched_in_place(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    folder, kept = out.stat().st_ino, (out / "en/p5/index.html").stat()
    staging, stats = patched(out, many("b"), tmp_path)
    # the folder itself stayed (a swap puts a new one in its place) and only the changed page moved into it
    assert staging.patched and out.stat().st_ino == folder
    assert (stats.files, stats.written) == (12, 1)  # type: ignore[attr-defined]
    assert (out / "en/p0/index.html").read_bytes() == b"<p>b</p>"
    now = (out / "en/p5/index.html").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert verify_tree(out) == [] and leftovers(tmp_path) == []


def test_a_patch_deletes_the_files_no_longer_made_and_the_folders_they_leave_empty(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    folder = out.stat().st_ino
    staging, _ = patched(out, [*many()[:11], OutputFile("en/p11/feed.xml", b"<rss/>")], tmp_path)
    assert staging.patched and out.stat().st_ino == folder
    assert sorted(p.name for p in (out / "en/p11").iterdir()) == ["feed.xml"]
    staging, _ = patched(out, many()[:10], tmp_path)
    assert staging.patched and not (out / "en/p11").exists() and not (out / "en/p10").exists()
    assert verify_tree(out) == [] and leftovers(tmp_path) == []


def test_a_change_to_many_files_swaps_the_whole_folder_even_when_trusted(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    folder, kept = out.stat().st_ino, (out / "en/p11/index.html").stat().st_ino
    changed = [OutputFile(o.path, o.data + b"!") if n < 4 else o for n, o in enumerate(many())]  # type: ignore[operator]
    staging, stats = patched(out, changed, tmp_path)
    assert not staging.patched and out.stat().st_ino != folder
    assert (out / "en/p11/index.html").stat().st_ino == kept  # the unchanged ones linked in at commit
    assert (stats.files, stats.written) == (12, 4)  # type: ignore[attr-defined]
    assert verify_tree(out) == [] and leftovers(tmp_path) == []


def test_an_output_not_trusted_is_never_patched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    folder = out.stat().st_ino
    staging = Staging(out, tmp_path, verify=True, patch=True)  # verified file by file: swapped whole
    staging.commit([staging.put(output) for output in many("b")])
    staging.settle()
    assert not staging.patched and out.stat().st_ino != folder and verify_tree(out) == []


def test_a_build_killed_in_the_middle_of_a_patch_is_finished_by_the_next(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "public"
    write_site(many(count=12), out, tmp_path)
    new = [OutputFile(o.path, o.data + b"!") if n in (0, 1) else o for n, o in enumerate(many())]  # type: ignore[operator]
    new = new[:11]  # and one page less
    staging = Staging(out, tmp_path, patch=True)
    placed = [staging.put(output) for output in new]
    real, moves = os.replace, []

    def killed(source: object, target: object) -> None:
        if str(target).startswith(str(out) + os.sep):
            if moves:
                raise KeyboardInterrupt  # the first page moved, then the process dies
            moves.append(target)
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", killed)
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)  # a kill: no clean-up runs either
    with pytest.raises(KeyboardInterrupt):
        staging.commit(placed)
    monkeypatch.undo()
    # half-done: one page new, one old, the manifest the old one; the journal says what is left to do
    assert has_leftovers(out) and (out / "en/p0/index.html").read_bytes() == b"<p>a</p>!"
    assert (out / "en/p1/index.html").read_bytes() == b"<p>1</p>"
    Staging(out, tmp_path).abort()  # the next build, under the lock, finishes it before anything else
    assert not has_leftovers(out) and leftovers(tmp_path) == []
    assert (out / "en/p1/index.html").read_bytes() == b"<p>1</p>!" and not (out / "en/p11").exists()
    assert verify_tree(out) == [] and json.loads((out / MARKER).read_text())["files"].keys() == {o.path for o in new}


def test_a_journal_naming_a_path_outside_the_output_is_dropped_and_nothing_outside_is_touched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    (tmp_path / ".public.patch.json").write_text(json.dumps({"put": [], "remove": ["../site.yml"]}))
    (tmp_path / "site.yml").write_text("title: x\n")
    Staging(out, tmp_path).abort()
    assert (tmp_path / "site.yml").exists() and not (tmp_path / ".public.patch.json").exists()


def test_a_forged_journal_following_links_moves_writes_and_deletes_nothing(tmp_path: Path) -> None:
    """Someone who can write the site's folder leaves a journal, a staging folder that is a link to a folder of
    secrets and a link inside the output to a folder to damage: nothing is moved, written or deleted through them,
    and the next build swaps in a whole site it verified itself."""
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    secrets, target = tmp_path / "secrets", tmp_path / "target"
    secrets.mkdir()
    target.mkdir()
    (secrets / "id_rsa").write_text("PRIVATE KEY")
    (secrets / "w").mkdir()
    (secrets / "w" / "evil.pth").write_text("import os")
    (target / "important.txt").write_text("keep me")
    (tmp_path / ".public.staging").symlink_to(secrets)
    (out / "w").symlink_to(target)
    (tmp_path / ".public.patch.json").write_text(json.dumps({"put": ["id_rsa", "w/evil.pth"],
                                                             "remove": ["w/important.txt"]}))
    staging = Staging(out, tmp_path, verify=True)
    assert (secrets / "id_rsa").read_text() == "PRIVATE KEY" and not (out / "id_rsa").exists()
    assert (target / "important.txt").exists() and not (target / "evil.pth").exists()
    assert not (tmp_path / ".public.patch.json").exists() and (secrets / "w/evil.pth").exists()
    staging.commit([staging.put(output) for output in many()])
    staging.settle()
    assert verify_tree(out) == [] and not (out / "w").exists() and (target / "important.txt").exists()


def test_a_journal_whose_file_to_move_is_a_link_is_dropped(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    (tmp_path / ".public.staging").mkdir()
    (tmp_path / ".public.staging" / "leak.txt").symlink_to("/etc/hostname")
    (tmp_path / ".public.patch.json").write_text(json.dumps({"put": ["leak.txt"], "remove": []}))
    Staging(out, tmp_path).abort()
    assert not os.path.lexists(out / "leak.txt") and not (tmp_path / ".public.patch.json").exists()


def test_a_patch_interrupted_by_an_exception_is_finished_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.core.files as files

    out = tmp_path / "public"
    write_site(many(), out, tmp_path)
    staging = Staging(out, tmp_path, patch=True)
    placed = [staging.put(output) for output in many("b")]
    real = files._finish_patch

    def interrupted(*args: object) -> None:
        monkeypatch.setattr(files, "_finish_patch", real)
        raise KeyboardInterrupt  # Ctrl-C once the journal is in place, before the first move

    monkeypatch.setattr(files, "_finish_patch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        staging.commit(placed)
    # the abort that follows the interruption rolls the patch forward, never back
    assert not (tmp_path / ".public.patch.json").exists() and leftovers(tmp_path) == []
    assert (out / "en/p0/index.html").read_bytes() == b"<p>b</p>" and verify_tree(out) == []
