"""Bundle files published once per item (generator/media.py): photos without EXIF, with their size and smaller
WebP copies, damaged images and decompression bombs refused at their file, the work cached by content."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from generator.sources import media
from tests.conftest import run_build, tree

ITEM = "content/announcements/photo-day"
FRONT = '---\ntitle: "{title}"\ndate: 2026-11-10T10:00:00+04:00\nimage: {{src: "photo.jpg", alt: "A queue"}}\n{extra}---\n'
GPS = 0x8825


def photo(width: int = 2000, height: int = 1000, gps: bool = True, orientation: int = 1,
          icc: bool = False) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera serial number, orientation, maybe a colour profile."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    for x in range(0, width, 50):  # something to see, so that a rotation shows in the pixels
        image.paste((240, 200, 40), (x, 0, x + 10, height // 3))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    if gps:
        exif.get_ifd(GPS).update({1: "N", 2: (40.0, 22.0, 30.0), 3: "E", 4: (49.0, 51.0, 10.0)})
    out = io.BytesIO()
    options: dict[str, object] = {"exif": exif, "quality": 90}
    if icc:
        options["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def bundle_site(make_site: Callable[..., Path], image: bytes, name: str = "photo.jpg",
                body: str = "![A queue at the consulate](photo.jpg)\n\nThe [form](form.pdf).\n") -> Path:
    files: dict[str, str | bytes] = {f"{ITEM}/{name}": image, f"{ITEM}/form.pdf": b"%PDF-1.4\n%%EOF\n"}
    for lang in ("en", "ar"):
        files[f"{ITEM}/index.{lang}.md"] = FRONT.format(title=f"Photo day {lang}", extra="" if lang == "en" else
                                                        "translation_of: {lang: en}\n") + body
    return make_site(files)


def test_a_bundle_is_published_once_and_every_language_links_there(make_site: Callable[..., Path]) -> None:
    root = bundle_site(make_site, photo())
    report = run_build(root)
    assert report.ok, [p.format() for p in report.problems]
    out = root / "public"
    published = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and "photo" in p.name)
    assert published == [f"media/announcements/photo-day/photo-{w}w.webp" for w in (1200, 1600, 480, 800)] + [
        "media/announcements/photo-day/photo.jpg"]
    assert not (out / "en/announcements/photo-day/photo.jpg").exists()
    assert len(list(out.rglob("form.pdf"))) == 1
    for lang in ("en", "ar"):
        html = (out / lang / "announcements/photo-day/index.html").read_text(encoding="utf-8")
        tags = re.findall(r"<img [^>]*>", html)
        body = next(tag for tag in tags if "A queue at the consulate" in tag)
        assert 'src="../../../media/announcements/photo-day/photo.jpg"' in body
        assert 'width="2000" height="1000"' in body and 'sizes="' in body
        srcset = re.search(r'srcset="([^"]*)"', body)
        assert srcset is not None
        widths = [int(part.rsplit(" ", 1)[1][:-1]) for part in srcset.group(1).split(", ")]
        assert widths == [480, 800, 1200, 1600, 2000]
        for part in srcset.group(1).split(", "):  # every copy the browser may choose is there
            target = (out / lang / "announcements/photo-day" / part.rsplit(" ", 1)[0]).resolve()
            assert target.is_file(), part
        hero = next(tag for tag in tags if 'alt="A queue"' in tag)
        assert 'width="2000"' in hero and "srcset=" in hero
        assert 'href="../../../media/announcements/photo-day/form.pdf"' in html
        assert 'og:image" content="https://embassy.example.org/media/announcements/photo-day/photo.jpg"' in html
        assert '<meta property="og:image:width" content="2000">' in html
    with Image.open(out / "media/announcements/photo-day/photo-800w.webp") as small:
        assert small.format == "WEBP" and small.size == (800, 400)


def test_published_photos_carry_no_exif_and_the_bundle_file_is_untouched(make_site: Callable[..., Path]) -> None:
    original = photo(icc=True)
    root = bundle_site(make_site, original)
    assert run_build(root).ok
    assert (root / ITEM / "photo.jpg").read_bytes() == original
    published = (root / "public/media/announcements/photo-day/photo.jpg").read_bytes()
    assert b"Exif" not in published and b"SERIAL-12345" not in published
    with Image.open(io.BytesIO(published)) as after, Image.open(io.BytesIO(original)) as before:
        assert not after.getexif() and GPS not in after.getexif()
        assert after.info.get("icc_profile") == before.info.get("icc_profile")  # colours as the camera meant
        assert after.tobytes() == before.tobytes()  # not re-encoded: the same pixels, bit for bit
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS)  # the test's photo did have a position


def test_a_photo_stored_turned_is_published_upright(make_site: Callable[..., Path]) -> None:
    root = bundle_site(make_site, photo(2000, 1000, orientation=6))  # 6: to be turned 90° clockwise to show
    assert run_build(root).ok
    with Image.open(root / "public/media/announcements/photo-day/photo.jpg") as after:
        assert after.size == (1000, 2000) and not after.getexif()
    html = (root / "public/en/announcements/photo-day/index.html").read_text(encoding="utf-8")
    assert 'width="1000" height="2000"' in html


def png_with_metadata() -> bytes:
    image = Image.new("RGB", (300, 200), (200, 30, 30))
    exif = Image.Exif()
    exif.get_ifd(GPS).update({1: "N", 2: (40.0, 22.0, 30.0)})
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Comment", "taken at 40.375 N 49.852 E")
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes(), pnginfo=info)
    return out.getvalue()


def test_a_png_loses_its_exif_and_text_chunks_and_nothing_else(make_site: Callable[..., Path]) -> None:
    original = png_with_metadata()
    assert b"eXIf" in original and b"tEXt" in original
    root = bundle_site(make_site, original, "photo.png", "![A red card](photo.png)\n")
    (root / ITEM / "index.en.md").write_text((root / ITEM / "index.en.md").read_text(encoding="utf-8").replace(
        "photo.jpg", "photo.png"), encoding="utf-8")
    (root / ITEM / "index.ar.md").write_text((root / ITEM / "index.ar.md").read_text(encoding="utf-8").replace(
        "photo.jpg", "photo.png"), encoding="utf-8")
    assert run_build(root).ok
    published = (root / "public/media/announcements/photo-day/photo.png").read_bytes()
    assert b"eXIf" not in published and b"tEXt" not in published and b"40.375" not in published
    with Image.open(io.BytesIO(published)) as after, Image.open(io.BytesIO(original)) as before:
        assert after.tobytes() == before.tobytes()
    assert not list((root / "public/media").rglob("*.webp"))  # 300 px wide: no smaller copies


def truncated_png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (400, 300), (1, 2, 3)).save(data, "PNG")
    return data.getvalue()[:-40]


def bomb_png() -> bytes:
    """A PNG of a few kilobytes that declares 20,000 × 20,000 pixels (400 megapixels)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (20001 * 50), 9)  # only the first rows: the header is what counts
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("data", "expected"), [
    (truncated_png(), "the image is damaged"),
    (b"GIF89 this is not really a photo", "not an image Pillow can read"),
    (b"\xff\xd8\xff\xe0 a JPEG header and then nothing", "the image is damaged"),
    (bomb_png(), "decompression bomb"),
])
def test_a_damaged_image_or_a_bomb_is_a_located_error_and_the_site_is_kept(
        make_site: Callable[..., Path], data: bytes, expected: str) -> None:
    root = bundle_site(make_site, photo(400, 300))
    assert run_build(root).ok
    before = tree(root / "public")
    (root / ITEM / "photo.jpg").write_bytes(data)
    report = run_build(root)
    assert not report.ok
    error = report.errors[0]
    assert error.location.path == f"{ITEM}/photo.jpg" and expected in error.message, error.format()
    assert "export it again" in error.hint
    assert tree(root / "public") == before


def test_images_are_processed_once_by_content_and_incremental_equals_clean(
        make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = media.process_image

    def counted(data: bytes, name: str) -> object:
        calls.append(name)
        return original(data, name)

    monkeypatch.setattr(media, "process_image", counted)
    root = bundle_site(make_site, photo())
    assert run_build(root).ok and len(calls) == 1
    page = root / ITEM / "index.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert run_build(root).ok and len(calls) == 1  # the photo did not change: taken from the cache
    (root / ITEM / "photo.jpg").write_bytes(photo(1600, 1200, gps=False))
    assert run_build(root).ok and len(calls) == 2
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("public", ".legation*"))
    assert run_build(fresh).ok
    mine, theirs = tree(root / "public"), tree(fresh / "public")
    mine.pop(".legation-manifest.json", None)
    theirs.pop(".legation-manifest.json", None)
    assert mine == theirs
    html = (root / "public/ar/announcements/photo-day/index.html").read_text(encoding="utf-8")
    assert 'width="1600" height="1200"' in html


def test_a_drafts_photo_is_not_published_until_the_item_is(make_site: Callable[..., Path]) -> None:
    root = bundle_site(make_site, photo(400, 300))
    for lang in ("en", "ar"):
        index = root / ITEM / f"index.{lang}.md"
        index.write_text(index.read_text(encoding="utf-8").replace("---\ntitle", "---\ndraft: true\ntitle", 1),
                         encoding="utf-8")
    assert run_build(root).ok
    assert not (root / "public/media").exists()
    assert run_build(root, root / "preview", drafts=True).ok  # what the preview shows
    assert (root / "preview/media/announcements/photo-day/photo.jpg").is_file()


def avif(gps: bool) -> bytes:
    image = Image.new("RGB", (64, 48), (30, 90, 160))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif.get_ifd(GPS).update({1: "N", 2: (40.0, 22.0, 30.0)})
    image.save(out, "AVIF", **({"exif": exif.tobytes()} if gps else {}))
    return out.getvalue()


def test_an_avif_photo_with_its_position_is_refused_and_one_without_is_published(
        make_site: Callable[..., Path]) -> None:
    clean = avif(gps=False)
    root = bundle_site(make_site, clean, "photo.avif", "![A queue](photo.avif)\n")
    for lang in ("en", "ar"):
        index = root / ITEM / f"index.{lang}.md"
        index.write_text(index.read_text(encoding="utf-8").replace("photo.jpg", "photo.avif"), encoding="utf-8")
    assert run_build(root).ok
    assert (root / "public/media/announcements/photo-day/photo.avif").read_bytes() == clean
    (root / ITEM / "photo.avif").write_bytes(avif(gps=True))
    report = run_build(root)
    assert not report.ok
    error = report.errors[0]
    assert error.location.path == f"{ITEM}/photo.avif" and "EXIF or XMP" in error.message


@pytest.mark.parametrize(("asset", "folders", "published"), [
    ("content/announcements/x/notes.pdf", ("content",), True),
    ("../../content/announcements/x/notes.pdf", ("content", "../../content"), True),  # a mission's ministry's
    ("../../content/announcements/x/notes.pdf", ("content",), False),  # not a folder this site reads
    ("../../content/announcements/x/../../../../site.yml", ("content", "../../content"), False),
    ("../../content/announcements/x/../x/notes.pdf", ("content", "../../content"), False),
])
def test_a_bundle_file_is_published_only_from_a_folder_the_site_reads_bundles_from(
        tmp_path: Path, asset: str, folders: tuple[str, ...], published: bool) -> None:
    from generator.core.model import Page

    folder = asset.rsplit("/", 1)[0]
    page = Page(source=f"{folder}/index.en.md", section="announcements", slug="x", lang="en", title="X",
                body_html="", source_hash="", bundle_assets=(asset,))
    (tmp_path / "site").mkdir()
    files, _outputs, problems = media.plan_media(tmp_path / "site", [page], None, folders)
    assert (asset in files) is published and bool(problems) is not published
    if published:
        assert files[asset].path == "media/announcements/x/notes.pdf"
    else:
        assert "is not a file of this bundle" in problems[0].message
