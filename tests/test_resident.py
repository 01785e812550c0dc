"""The resident builder's process (commands/resident.py), for real: `legation build` starts it after building by
itself, hands it the next builds over its socket and prints what it sends back; the builder leaves when its
code or settings are not the CLI's, when asked, or after its idle time; its folder must be the user's alone."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from generator.commands import resident
from generator.engine.run import BuildReport
from tests.conftest import NOW, run_build, tree
from tests.test_incremental import _edit, demo_copy
from tests.test_publish import BODY, clean_copy

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only (not on Windows)")


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private folder of this test's own for the builder's socket, and a short idle time."""
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("LEGATION_RESIDENT_IDLE", "60")
    monkeypatch.delenv("LEGATION_RESIDENT", raising=False)
    return folder


def legation(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root), "--now", NOW.isoformat(),
                           *args], capture_output=True, text=True, timeout=300, check=False,
                          cwd=Path(__file__).resolve().parent.parent)


def ready(root: Path, seconds: float = 120.0) -> resident.Place:
    found = resident.place(root)
    assert found is not None
    deadline = time.monotonic() + seconds
    while not found.socket.exists():
        assert time.monotonic() < deadline, found.log.read_text(encoding="utf-8") if found.log.exists() else "no log"
        time.sleep(0.2)
    return found


def log_of(root: Path) -> str:
    found = resident.place(root)
    assert found is not None
    return found.log.read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, runtime: Path) -> object:
    root = demo_copy(tmp_path / "site")
    yield root
    resident.stop(root)


def test_the_cli_hands_its_builds_to_the_builder_it_started(site: Path, tmp_path: Path) -> None:
    first = legation(site, "--resident")
    assert first.returncode == 0, first.stderr
    ready(site)  # started by the first build, in the background
    _edit(site, *BODY)
    second = legation(site, "--resident", "--report", str(tmp_path / "report.json"))
    assert second.returncode == 0, second.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert "publish" in report["timings"] and 0 < report["written"] < 40  # made by the builder
    assert second.stdout.strip().startswith("legation: built 79 items")
    expected = clean_copy(site, tmp_path / "clean", NOW)
    for folder in ("public", "snippets", "ledger"):
        assert tree(site / folder) == tree(expected / folder), folder


def test_a_failed_build_is_reported_as_the_cli_reports_it(site: Path) -> None:
    assert legation(site, "--resident").returncode == 0
    ready(site)
    _edit(site, "content/announcements/scholarships-2027.en.md", 'title: "', 'title: [unclosed "')
    done = legation(site, "--resident")
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith("content/announcements/scholarships-2027.en.md:") and "error" in first
    assert "nothing was written" in done.stderr and "Traceback" not in done.stderr
    assert "FAILED" in log_of(site)  # the builder made it


def test_a_builder_of_other_code_or_settings_is_not_used_and_leaves(site: Path, tmp_path: Path) -> None:
    assert legation(site, "--resident").returncode == 0
    found = ready(site)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(str(found.socket))
    connection.sendall(json.dumps({"root": str(site), "stamp": "another version"}).encode() + b"\n")
    answer = json.loads(connection.makefile("rb").readline())
    connection.close()
    assert "declined" in answer
    deadline = time.monotonic() + 30
    while found.socket.exists():  # it leaves: the next build starts a builder of the CLI's own code
        assert time.monotonic() < deadline
        time.sleep(0.1)
    _edit(site, *BODY)
    done = legation(site, "--resident", "--report", str(tmp_path / "report.json"))
    assert done.returncode == 0
    assert "publish" not in json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["timings"]


def test_without_a_builder_the_cli_builds_by_itself(site: Path, tmp_path: Path) -> None:
    done = legation(site, "--no-resident", "--report", str(tmp_path / "report.json"))
    assert done.returncode == 0
    time.sleep(0.5)
    found = resident.place(site)
    assert found is not None and not found.socket.exists() and not found.log.exists()  # none was started


def test_a_folder_that_is_not_the_users_alone_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"  # the runtime folder is the user's own; the legation/ folder in it is not
    shared.mkdir(mode=0o700)
    (shared / "legation").mkdir(mode=0o777)
    os.chmod(shared / "legation", 0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert resident.place(tmp_path) is None
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (shared / "legation").rmdir()
    (shared / "legation").symlink_to(target)  # a link, even to a private folder, is not the folder itself
    assert resident.place(tmp_path) is None


def test_the_stamp_follows_the_code_and_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = resident.stamp(tmp_path)
    assert resident.stamp(tmp_path) == before
    monkeypatch.setenv("LEGATION_MARKDOWN", "fast")
    assert resident.stamp(tmp_path) != before
    monkeypatch.delenv("LEGATION_MARKDOWN")
    other = tmp_path / "other"
    other.mkdir()
    assert resident.stamp(other) != before
    # From a new user's trial: a build clock given by SOURCE_DATE_EPOCH is sent with each build; a new one made
    # every build decline the builder and start another
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796400000")
    assert resident.stamp(tmp_path) == before


def test_the_builder_runs_the_code_of_the_cli_that_started_it(tmp_path: Path, runtime: Path) -> None:
    """From a new user's trial: a CLI run from another copy of legation (a checkout beside the installed one)
    started a builder of the installed code, which declined every build and was started again by each."""
    root = demo_copy(tmp_path / "site")
    copy = tmp_path / "code"
    repository = Path(resident.__file__).resolve().parent.parent.parent
    for folder in ("generator", "themes"):  # a checkout: the package and its built-in themes beside it
        shutil.copytree(repository / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))

    def build(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root), "--now",
                               NOW.isoformat(), "--resident", *args], capture_output=True, text=True, timeout=300,
                              check=False, cwd=copy)
    try:
        first = build()
        assert first.returncode == 0, first.stderr
        ready(root)
        _edit(root, *BODY)
        done = build("--report", str(tmp_path / "report.json"))
        assert done.returncode == 0, done.stderr
        assert '"publish"' in (tmp_path / "report.json").read_text(encoding="utf-8"), log_of(root)
    finally:
        resident.stop(root)


def test_when_a_build_uses_the_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGATION_RESIDENT", "1")
    assert resident.wanted(None) and not resident.wanted(False)
    monkeypatch.setenv("LEGATION_RESIDENT", "0")
    assert not resident.wanted(None) and resident.wanted(True)
    monkeypatch.delenv("LEGATION_RESIDENT")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("CI", "true")
    assert not resident.wanted(None)  # never in CI
    monkeypatch.delenv("CI")
    assert resident.wanted(None)  # someone at a terminal


def test_the_report_crosses_the_socket_whole() -> None:
    report = run_build(Path(__file__).resolve().parent.parent, write=False, now=NOW + timedelta(days=1))
    again = BuildReport.from_wire(json.loads(json.dumps(report.wire())))
    assert again == report
    with pytest.raises(ValueError, match="severity"):
        BuildReport.from_wire({**report.wire(), "problems": [["fatal", "x", 0, 0, "m", "", ""]]})


def test_stop_leaves(site: Path) -> None:
    assert legation(site, "--resident").returncode == 0
    found = ready(site)
    _edit(site, *BODY)
    assert legation(site, "--resident").returncode == 0
    assert resident.stop(site)
    assert not found.socket.exists() and log_of(site).rstrip().endswith("left")
    again = legation(site, "--no-resident")  # the state it saved: the CLI finds nothing to do
    assert again.returncode == 0 and "(0 changed)" in again.stdout


def test_sigterm_leaves_even_during_a_build(site: Path) -> None:
    """From a new user's trial: SIGTERM during a build that made pages in worker processes left the builder
    waiting for ever on its workers, holding the site's lock. It leaves once the build is answered (or at once when
    idle), and the next build takes the lock."""
    import os
    import signal

    assert legation(site, "--resident").returncode == 0
    found = ready(site)
    override = site / "templates" / "item.html"  # every item page made again, in worker processes
    override.parent.mkdir(exist_ok=True)
    override.write_text((Path(__file__).resolve().parent.parent / "themes/default/templates/item.html").read_text(
        encoding="utf-8").replace("<h1", '<h1 data-edited=""', 1), encoding="utf-8")
    pid = int(found.lock.read_text(encoding="utf-8"))
    handed = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(site), "--now",
                               NOW.isoformat(), "--resident"], cwd=Path(__file__).resolve().parent.parent,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + 120
    while not children.read_text(encoding="utf-8").strip():  # its workers forked: the build is making pages
        assert time.monotonic() < deadline and handed.poll() is None, "no worker process was seen"
        time.sleep(0.005)
    os.kill(pid, signal.SIGTERM)
    _, err = handed.communicate(timeout=300)
    assert handed.returncode == 0, err
    deadline = time.monotonic() + 120
    while Path(f"/proc/{pid}").exists() and (Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"):
        assert time.monotonic() < deadline, "the builder did not leave"
        time.sleep(0.2)
    again = legation(site, "--no-resident", "--lock-wait", "5")
    assert again.returncode == 0 and "(0 changed)" in again.stdout, again.stderr
    assert 'data-edited=""' in (site / "public/en/announcements/scholarships-2027/index.html").read_text("utf-8")


def test_no_standard_input_is_no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """From the review: `legation build 0<&-` raised AttributeError (sys.stdin is None)."""
    monkeypatch.delenv("LEGATION_RESIDENT", raising=False)
    monkeypatch.setattr(sys, "stdin", None)
    assert not resident.wanted(None)


def test_a_runtime_folder_that_is_not_the_users_own_is_not_used(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """From the review: only the legation/ folder inside XDG_RUNTIME_DIR was checked, not the folder itself."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    found = resident.place(tmp_path)
    assert found is None or shared not in found.socket.parents
