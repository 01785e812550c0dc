"""A killed build, a cache that cannot be written, and an output changed by hand never leave a wrong site that
the next build keeps (issue 20, #1 and #11): after any of them, the next build equals a clean build."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.engine.build import BuildOptions, build
from tests.conftest import NOW, SITE_YML, run_build, tree

REPO = Path(__file__).resolve().parent.parent
NOW_ARG = "2026-11-23T12:00:00+00:00"
ITEM = "content/announcements/consular-hours.en.md"


def set_version(root: Path, version: str) -> None:
    file = root / ITEM
    text = file.read_text(encoding="utf-8")
    for old in ("Version A", "Version B"):
        text = text.replace(old, version)
    if version not in text:
        text = text.replace("The consular section is open on weekdays.", f"{version}: open on weekdays.")
    file.write_text(text, encoding="utf-8")


def clean_tree(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a clean build of ``root``'s sources makes (no caches, a fresh output folder)."""
    copy = tmp_path / f"clean-{time.monotonic_ns()}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("public", "snippets", ".legation-cache", ".public*"))
    assert run_build(copy, incremental=False).ok
    return {**tree(copy / "public"), **{f"snippets/{k}": v for k, v in tree(copy / "snippets").items()}}


def site_tree(root: Path) -> dict[str, bytes]:
    return {**tree(root / "public"), **{f"snippets/{k}": v for k, v in tree(root / "snippets").items()}}


def crashing_build(root: Path, where: str) -> subprocess.CompletedProcess[str]:
    """A CLI build whose process dies (os._exit, like SIGKILL: no clean-up runs) when it reaches ``where``."""
    program = textwrap.dedent(f"""
        import os, sys
        import generator.{where.rsplit('.', 1)[0]} as module
        setattr(module, {where.rsplit('.', 1)[1]!r}, lambda *a, **k: os._exit(137))
        from generator.commands.cli import main
        sys.argv = ["legation", "build", "--root", {str(root)!r}, "--now", {NOW_ARG!r}]
        main()
    """)
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=REPO, timeout=120)


@pytest.mark.parametrize("where", ["core.cache.save_render_state", "engine.stages.save_state", "core.cache.save_page_cache",
                                   "core.cache.remove_obsolete_caches"])
def test_killed_right_after_the_swap_then_reverted(make_site: Callable[..., Path], tmp_path: Path, where: str) -> None:
    """Build A; edit to B; the build is killed after its swap, before its state is saved; revert to A; build:
    the page, lists and feeds showed B, and verify and check saw nothing wrong."""
    root = make_site()
    set_version(root, "Version A")
    assert run_build(root).ok
    set_version(root, "Version B")
    killed = crashing_build(root, where)
    assert killed.returncode == 137, killed.stderr
    assert b"Version B" in (root / "public/en/announcements/consular-hours/index.html").read_bytes()  # swapped in
    set_version(root, "Version A")
    assert run_build(root).ok
    assert site_tree(root) == clean_tree(root, tmp_path)


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3])
def test_killed_at_a_random_point_then_reverted(make_site: Callable[..., Path], tmp_path: Path, delay: float) -> None:
    root = make_site({f"content/announcements/item-{i:03}.en.md": f'---\ntitle: "Item {i}"\ndate: 2026-10-01\n---\nText {i}.\n'
                      for i in range(120)})
    set_version(root, "Version A")
    assert run_build(root).ok
    set_version(root, "Version B")
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--now", NOW_ARG],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    set_version(root, "Version A")
    assert run_build(root).ok
    assert site_tree(root) == clean_tree(root, tmp_path)


def test_an_unwritable_render_state_is_a_warning_and_is_not_trusted_later(make_site: Callable[..., Path],
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.core.cache as cache

    root = make_site()
    set_version(root, "Version A")
    assert run_build(root).ok
    set_version(root, "Version B")
    real_save = cache.save_json_cache
    monkeypatch.setattr(cache, "save_json_cache",
                        lambda r, name, data: False if name.startswith("render-") else real_save(r, name, data))
    report = run_build(root)
    assert report.ok
    # (the edit of the consular notice's text without a changes: entry is also a ledger warning: test_ledger.py)
    assert [(w.code, w.location.path) for w in report.warnings if w.code != "ledger"] == [("cache", ".legation-cache")]
    monkeypatch.undo()
    set_version(root, "Version A")
    assert run_build(root).ok
    assert site_tree(root) == clean_tree(root, tmp_path)


@pytest.mark.parametrize("damage", ["delete", "same length", "other length", "stray file", "link"])
def test_the_next_build_repairs_an_output_changed_by_hand(make_site: Callable[..., Path], tmp_path: Path,
                                                          damage: str) -> None:
    """The no-change shortcut never looked at the output: a defaced page stayed with '0 changed', exit 0."""
    root = make_site()
    assert run_build(root).ok
    page = root / "public/en/announcements/consular-hours/index.html"
    original = page.read_bytes()
    time.sleep(0.01)  # a different modification time, as a hand edit has
    if damage == "delete":
        page.unlink()
    elif damage == "same length":
        page.write_bytes(original.replace(b"weekdays", b"HACKED!!"))
    elif damage == "other length":
        page.write_bytes(b"<h1>defaced</h1>")
    elif damage == "stray file":
        (root / "public/en/phishing.html").write_text("<form>")
    else:
        page.unlink()
        page.symlink_to("/etc/hostname")
    report = run_build(root)  # nothing in the sources changed
    assert report.ok
    assert site_tree(root) == clean_tree(root, tmp_path)
    assert page.read_bytes() == original and not page.is_symlink()


def test_force_renders_everything_and_takes_nothing_from_the_live_site(make_site: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    root = make_site()
    assert run_build(root).ok
    page = root / "public/en/announcements/consular-hours/index.html"
    original = page.read_bytes()
    stat = page.stat()
    page.write_bytes(original.replace(b"weekdays", b"HACKED!!"))
    import os

    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a careful defacer keeps the time too
    report = build(BuildOptions(root=root, out_dir=root / "public", now=NOW, force=True))
    assert report.ok
    assert page.read_bytes() == original
    assert site_tree(root) == clean_tree(root, tmp_path)


def test_a_failure_after_the_sites_swap_says_what_was_replaced(make_site: Callable[..., Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The snippets folder's commit failed after public/ was swapped in, and the build said "nothing was
    written"."""
    from click.testing import CliRunner

    from generator.commands.cli import main
    from generator.core.errors import OutputError, SourceLocation
    from generator.core.files import Staging

    root = make_site({"site.yml": SITE_YML + "snippets: {platforms: [x, telegram]}\n"})
    assert run_build(root).ok
    assert (root / "snippets").is_dir()
    set_version(root, "Version B")
    source = root / ITEM  # a new title: every post of the item changes, so the snippets folder is swapped too
    source.write_text(source.read_text(encoding="utf-8").replace("Consular hours", "Consular hours B"), encoding="utf-8")
    real_commit = Staging.commit

    def commit(self: Staging, placed: object) -> object:
        if self.out_dir.name == "snippets":
            raise OutputError.at(SourceLocation(str(self.out_dir)), "disk full", "free some space", "io")
        return real_commit(self, placed)  # type: ignore[arg-type]

    monkeypatch.setattr(Staging, "commit", commit)
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--now", NOW_ARG])
    assert result.exit_code == 1
    assert "nothing was written" not in result.output
    assert f"replaced {root / 'public'}" in result.output
    assert b"Version B" in (root / "public/en/announcements/consular-hours/index.html").read_bytes()


def test_a_patch_killed_half_way_is_finished_by_the_next_build_even_when_that_build_fails(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A build killed in the middle of moving its few changed files into the live folder leaves a new page beside
    old lists; the next build finishes the moves before anything else, so even when it then stops on a content
    error the live site is whole (every file what its manifest says)."""
    import generator.core.files as files
    from generator.core.files import has_leftovers, verify_tree

    root = make_site()
    assert run_build(root).ok
    source = root / ITEM
    source.write_text(source.read_text(encoding="utf-8").replace("Opening hours", "Winter opening hours"),
                      encoding="utf-8")
    real_replace, moved = files.os.replace, []

    def killed(src: object, dst: object) -> None:
        if str(dst).startswith(str(root / "public") + "/"):
            if moved:
                raise KeyboardInterrupt  # the process dies after its first move
            moved.append(dst)
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "replace", killed)
    monkeypatch.setattr(files.shutil, "rmtree", lambda *a, **k: None)  # a kill runs no clean-up
    monkeypatch.setattr(files, "_remove_leftovers", lambda out_dir: None)  # … nor the abort's roll-forward
    with pytest.raises(KeyboardInterrupt):
        run_build(root)
    monkeypatch.undo()
    assert has_leftovers(root / "public") and moved and verify_tree(root / "public") != []
    (root / "content/announcements/broken.en.md").write_text("---\ntitle: [\n---\nx\n", encoding="utf-8")
    report = run_build(root)
    assert not report.ok and not has_leftovers(root / "public")
    assert verify_tree(root / "public") == []
    page = (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert "Winter opening hours" in page
