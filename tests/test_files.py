"""The only writer (generator/files.py): staging and swap, manifest, unchanged files kept, refusals, lock, verify."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from generator.errors import LegationError
from generator.files import MARKER, build_lock, check_output_dir, check_output_path, verify_tree, write_site
from generator.model import OutputFile


def outputs(text: str = "a") -> list[OutputFile]:
    return [OutputFile("index.html", f"<p>{text}</p>".encode()), OutputFile("en/index.html", b"<p>en</p>")]


def test_write_swap_manifest_and_unchanged_files(tmp_path: Path) -> None:
    out = tmp_path / "public"
    stats = write_site(outputs(), out, tmp_path)
    assert stats.files == 2 and stats.written == 2
    manifest = json.loads((out / MARKER).read_text())
    assert manifest["algorithm"] == "sha256"
    files = manifest["files"]
    assert set(files) == {"index.html", "en/index.html"} and all(len(v) == 64 for v in files.values())
    kept = (out / "en/index.html").stat()
    again = write_site(outputs("b"), out, tmp_path)
    assert again.written == 1 and (out / "index.html").read_bytes() == b"<p>b</p>"
    now = (out / "en/index.html").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)  # hard-linked, not rewritten
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".public.") and not p.name.endswith(".lock")]
    assert verify_tree(out) == []


def test_two_outputs_on_one_path_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(LegationError, match="two outputs"):
        write_site([OutputFile("a.html", b"1"), OutputFile("a.html", b"2")], tmp_path / "public", tmp_path)
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("path", ["../evil.html", "/etc/passwd", "a/../../b", ""])
def test_paths_escaping_the_output_are_refused(path: str) -> None:
    with pytest.raises(LegationError):
        check_output_path(path)


def test_output_dir_refusals(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    for bad in (site, site / "content", site / "content" / "x", tmp_path):
        with pytest.raises(LegationError):
            check_output_dir(bad, site)
    foreign = site / "public"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(LegationError, match="not made by legation"):
        check_output_dir(foreign, site)
    check_output_dir(site / "fresh", site)  # absent is fine


def test_lock_waits_then_gives_up(tmp_path: Path) -> None:
    out = tmp_path / "public"
    waited = threading.Event()
    with build_lock(out, 5), pytest.raises(LegationError, match="another build"), build_lock(out, 0.3, on_wait=waited.set):
        pass
    assert waited.is_set()
    with build_lock(out, 0.3):  # released
        pass


def test_verify_finds_changed_and_missing_files(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(outputs(), out, tmp_path)
    (out / "index.html").write_text("<p>defaced</p>")
    (out / "en/index.html").unlink()
    (out / "extra.js").write_text("alert(1)")
    found = "\n".join(verify_tree(out))
    assert "index.html" in found and "en/index.html" in found and "extra.js" in found
