"""A bundle's files as published: once per item, not once per language; photos without their metadata; large
photos with smaller WebP copies for phones (issue 26).

An item's bundle (content/<section>/<slug>/ with index.<lang>.md and its files) is published at
``media/<section>/<slug>/``, and every language's page links there (`with_media` rewrites the links of the
rendered body and of ``image:``, relative to the page, so a site under a sub-path works too). For an image:

- what is published carries no EXIF or XMP (a phone photo of a consular queue holds GPS coordinates, the
  time it was taken, the camera's serial number and often the owner's name): JPEG and PNG are rewritten
  without those segments and chunks, byte for byte otherwise (no re-encoding), keeping the colour profile;
  a photo the camera stored turned (EXIF orientation) is turned for real and saved again, since without its
  EXIF a browser would show it on its side; WebP and GIF with metadata are saved again without it; an AVIF
  with metadata is refused (export it without). The file in the bundle is never changed.
- `<img>` gets its ``width`` and ``height`` (no page jump while it loads) and, when wider than
  ``RESIZE_ABOVE``, a ``srcset`` of WebP copies at ``VARIANT_WIDTHS`` narrower than it, with ``sizes`` for
  the theme's text column; the original stays the ``src``.
- An image that cannot be read (corrupt, truncated) or that would unpack to more than ``MAX_PIXELS`` (a
  decompression bomb) is a located error at the bundle file.

The work is cached by content (.legation-cache/media/<sha-256 of the bytes and these settings>/), so an
unchanged image costs a read and a hash on the next build. Encoders are run with fixed settings and no
timestamps, so two builds give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import re
import struct
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.errors import Problem, SourceLocation
from ..core.model import Image, OutputFile, Page
from .assets import refusal

MEDIA_FOLDER = "media"
VARIANT_WIDTHS = (480, 800, 1200, 1600)
RESIZE_ABOVE = 800
MAX_PIXELS = 40_000_000  # 40 megapixels: any real photo; a bomb declares far more
WEBP_QUALITY = 80
#: the theme's text column (.prose) is 46rem wide at most; on a narrower screen an image fills its width
SIZES = "(max-width: 48rem) 100vw, 46rem"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
SETTINGS = f"media-1|{VARIANT_WIDTHS}|{RESIZE_ABOVE}|{WEBP_QUALITY}|{MAX_PIXELS}"
CACHE_FOLDER = "media"


class MediaError(Exception):
    """An image that cannot be published (its message says why)."""


@dataclass(frozen=True)
class MediaFile:
    """One bundle file as published."""

    source: str  # content/<section>/<slug>/<name>
    path: str  # media/<section>/<slug>/<name>
    width: int = 0
    height: int = 0
    variants: tuple[tuple[int, str], ...] = ()  # (width, output path) of the WebP copies, narrowest first
    digest: str = ""  # of the source bytes and the settings


def media_path(page: Page, asset: str) -> str:
    """Where a bundle file of ``page`` is published."""
    folder = page.source.rsplit("/", 1)[0] + "/"
    return f"{MEDIA_FOLDER}/{page.section}/{page.slug}/{asset[len(folder):]}"


def plan_media(root: Path, pages: Iterable[Page], cache: Path | None, folders: tuple[str, ...] = ("content",)
               ) -> tuple[dict[str, MediaFile], dict[str, list[OutputFile]], list[Problem]]:
    """Every bundle file of ``pages`` once: (source path → how it is published, source path → the files to
    write for it, errors). The caller writes the files of the pages it publishes only (not a draft's).
    ``folders``: where bundles may be, from the site's root (a mission's: its ministry's content/ too)."""
    files: dict[str, MediaFile] = {}
    outputs: dict[str, list[OutputFile]] = {}
    problems: list[Problem] = []
    for page in pages:
        folder = page.source.rsplit("/", 1)[0] + "/"
        for asset in page.bundle_assets:
            if asset in files:
                continue
            # discovery made these paths; a page read from the cache is checked again like a fresh one
            base = next((f + "/" for f in folders if asset.startswith(f + "/")), "")
            if (not asset.startswith(folder) or not base or any(part in ("", ".", "..")
                                                                for part in asset[len(base):].split("/"))
                    or refusal(asset.rsplit("/", 1)[-1])):
                problems.append(Problem("error", SourceLocation(page.source),
                                        f'bundle file "{asset}" is not a file of this bundle',
                                        "delete the .legation-cache folder and build again", "cache"))
                continue
            path = media_path(page, asset)
            if not asset.lower().endswith(IMAGE_SUFFIXES):
                files[asset] = MediaFile(asset, path)
                outputs[asset] = [OutputFile(path, copy_from=str(root / asset))]
                continue
            try:
                data = (root / asset).read_bytes()
                made, made_files = _image(data, asset, path, cache)
            except OSError as exc:
                problems.append(Problem("error", SourceLocation(asset), f"cannot read the image: {exc.strerror or exc}",
                                        "check the file's permissions", "image"))
                continue
            except MediaError as exc:
                problems.append(Problem("error", SourceLocation(asset), str(exc),
                                        "open the photo in an image editor, export it again as JPEG or PNG "
                                        "(at most 40 megapixels), and replace the file", "image"))
                continue
            files[asset] = made
            outputs[asset] = made_files
    return files, outputs, problems


def _image(data: bytes, asset: str, path: str, cache: Path | None) -> tuple[MediaFile, list[OutputFile]]:
    key = hashlib.sha256(SETTINGS.encode() + b"\0" + data).hexdigest()
    folder = cache / CACHE_FOLDER / key if cache is not None else None
    if folder is not None:
        found = _cached(folder, asset, path, key)
        if found is not None:
            return found
    published, width, height, variants = process_image(data, asset)
    stem = path.rsplit(".", 1)[0]
    names = [(w, f"{stem}-{w}w.webp") for w, _ in variants]
    made = MediaFile(asset, path, width, height, tuple(names), key)
    outputs = [OutputFile(path, published), *(OutputFile(name, webp) for (_, name), (_, webp) in
                                              zip(names, variants, strict=True))]
    if folder is not None:
        _store(folder, published, width, height, variants)
    return made, outputs


def _cached(folder: Path, asset: str, path: str, key: str) -> tuple[MediaFile, list[OutputFile]] | None:
    try:
        info = json.loads((folder / "image.json").read_text(encoding="utf-8"))
        width, height, widths = int(info["width"]), int(info["height"]), [int(w) for w in info["variants"]]
        published = (folder / "published").read_bytes()
        if hashlib.sha256(published).hexdigest() != info["published"]:
            return None
        stem = path.rsplit(".", 1)[0]
        names = tuple((w, f"{stem}-{w}w.webp") for w in widths)
        outputs = [OutputFile(path, published)]
        for w, name in names:
            data = (folder / f"{w}.webp").read_bytes()
            if hashlib.sha256(data).hexdigest() != info["digests"][str(w)]:
                return None
            outputs.append(OutputFile(name, data))
        return MediaFile(asset, path, width, height, names, key), outputs
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(folder: Path, published: bytes, width: int, height: int, variants: list[tuple[int, bytes]]) -> None:
    """Keep the work for the next build (best effort: a cache that cannot be written costs only time)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "published").write_bytes(published)
        for w, data in variants:
            (folder / f"{w}.webp").write_bytes(data)
        info = {"width": width, "height": height, "variants": [w for w, _ in variants],
                "published": hashlib.sha256(published).hexdigest(),
                "digests": {str(w): hashlib.sha256(data).hexdigest() for w, data in variants}}
        temporary = folder / f"image.json.{os.getpid()}"
        temporary.write_text(json.dumps(info), encoding="utf-8")
        os.replace(temporary, folder / "image.json")  # written last: a half-stored entry is never read
    except OSError:
        pass


def process_image(data: bytes, name: str) -> tuple[bytes, int, int, list[tuple[int, bytes]]]:
    """(the image without metadata, its width and height as shown, [(width, WebP copy)]) of an image file."""
    from PIL import Image as Pillow
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Pillow.DecompressionBombWarning)
            with Pillow.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise MediaError(f"the image is {width}×{height} pixels, over {MAX_PIXELS // 1_000_000} "
                                     "megapixels (a small file that unpacks this large is a decompression bomb)")
                image.load()
                kind = image.format
                turned = _orientation(image) not in (0, 1)
                shown = ImageOps.exif_transpose(image) if turned else image.copy()
    except MediaError:
        raise
    except UnidentifiedImageError:
        raise MediaError("the file is not an image Pillow can read (corrupt, or not the type its name says)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"the image is damaged: {exc}") from None
    except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning) as exc:
        raise MediaError(f"the image is a decompression bomb: {exc}") from None
    if turned:
        published = _saved(shown, kind or "JPEG", icc=shown.info.get("icc_profile"))
    elif kind == "JPEG":
        published = strip_jpeg(data)
    elif kind == "PNG":
        published = strip_png(data)
    elif kind in ("WEBP", "GIF") and (shown.info.get("exif") or shown.info.get("xmp")):
        published = _saved(shown, kind, icc=shown.info.get("icc_profile"))
    elif kind == "AVIF" and (shown.info.get("exif") or shown.info.get("xmp")):
        raise MediaError("the AVIF image holds EXIF or XMP data (where and when it was taken, the camera), which "
                         "cannot be removed without encoding it again")
    else:
        published = data
    width, height = shown.size
    variants: list[tuple[int, bytes]] = []
    if width > RESIZE_ABOVE and kind != "GIF":  # an animated GIF would lose its animation
        rgb = shown.convert("RGBA" if shown.mode in ("RGBA", "LA", "P") else "RGB")
        for target in VARIANT_WIDTHS:
            if target >= width:
                break
            small = rgb.resize((target, max(1, round(height * target / width))), Pillow.Resampling.LANCZOS)
            out = io.BytesIO()
            small.save(out, "WEBP", quality=WEBP_QUALITY, method=4, exact=False)
            variants.append((target, out.getvalue()))
    return published, width, height, variants


def _orientation(image: object) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return 1


def _saved(image: object, kind: str, icc: object) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if kind == "JPEG":
        options.update(quality=95, subsampling=0)
    elif kind == "WEBP":
        options.update(quality=90, method=4)
    image.save(out, kind, **options)  # type: ignore[attr-defined]
    return out.getvalue()


_JPEG_DROPPED = frozenset({0xE1})  # APP1: EXIF and XMP; APP2 (ICC profile) and the rest stay


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG without its APP1 segments (EXIF, XMP), every other byte as it was."""
    if data[:2] != b"\xff\xd8":
        raise MediaError("the file is not a JPEG image")
    out = bytearray(data[:2])
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise MediaError("the JPEG image is damaged (a segment marker is missing)")
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the compressed image follows, kept whole
            out += data[position:]
            return bytes(out)
        (size,) = struct.unpack(">H", data[position + 2:position + 4])
        end = position + 2 + size
        if end > len(data):
            raise MediaError("the JPEG image is truncated")
        if marker not in _JPEG_DROPPED:
            out += data[position:end]
        position = end
    raise MediaError("the JPEG image is truncated (no image data)")


_PNG_DROPPED = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})


def strip_png(data: bytes) -> bytes:
    """The PNG without its EXIF, text (XMP is an iTXt) and time chunks, every other byte as it was."""
    signature = b"\x89PNG\r\n\x1a\n"
    if data[:8] != signature:
        raise MediaError("the file is not a PNG image")
    out = bytearray(signature)
    position = 8
    while position + 8 <= len(data):
        (size,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        end = position + 12 + size
        if end > len(data):
            raise MediaError("the PNG image is truncated")
        if kind not in _PNG_DROPPED:
            out += data[position:end]
        position = end
        if kind == b"IEND":
            return bytes(out)
    raise MediaError("the PNG image is truncated (no end chunk)")


_LINK = re.compile(r'(\s(?:src|href|poster)=")([^"]*)(")')
_IMG = re.compile(r"<img\b[^>]*>")


def with_media(pages: Iterable[Page], files: Mapping[str, MediaFile]) -> tuple[Page, ...]:
    """Each page with its body's and ``image:``'s links to bundle files pointing where they are published."""
    return tuple(_page_with_media(page, files) if page.bundle_assets else page for page in pages)


def _page_with_media(page: Page, files: Mapping[str, MediaFile]) -> Page:
    folder = page.source.rsplit("/", 1)[0] + "/"
    here = page.url.rstrip("/")

    def published(value: str) -> MediaFile | None:
        if not value or value.startswith(("/", "#", "?")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
            return None
        return files.get(posixpath.normpath(folder + value.split("#", 1)[0].split("?", 1)[0]))

    def link(found: MediaFile) -> str:
        return posixpath.relpath("/" + found.path, here)

    def srcset(found: MediaFile) -> str:
        if not found.variants:
            return ""
        return ", ".join([*(f"{link(MediaFile('', p))} {w}w" for w, p in found.variants), f"{link(found)} {found.width}w"])

    def image_tag(match: re.Match[str]) -> str:
        tag = match.group(0)
        source = re.search(r'\ssrc="([^"]*)"', tag)
        found = published(source.group(1)) if source else None
        if found is None or not found.width:
            return tag
        extra = f' width="{found.width}" height="{found.height}"'
        if found.variants:
            extra += f' srcset="{srcset(found)}" sizes="{SIZES}"'
        extra += ' loading="lazy" decoding="async"'
        tag = re.sub(r'\s(?:width|height|loading|decoding)="[^"]*"', "", tag)
        return tag[:-1].rstrip("/").rstrip() + extra + ">"

    def relink(match: re.Match[str]) -> str:
        found = published(match.group(2))
        return match.group(0) if found is None else f"{match.group(1)}{link(found)}{match.group(3)}"

    body = _LINK.sub(relink, _IMG.sub(image_tag, page.body_html))
    image = page.image
    if image is not None:
        found = published(image.src)
        if found is not None:
            image = Image(link(found), image.alt, found.width, found.height, srcset(found),
                          SIZES if found.variants else "")
    if body == page.body_html and image == page.image:
        return page
    shown = hashlib.sha256(repr((body, image)).encode()).hexdigest()[:16]
    return replace(page, body_html=body, image=image,
                   digest=f"{page.digest}:{shown}" if page.digest else "",
                   meta=f"{page.meta}:{hashlib.sha256(repr(image).encode()).hexdigest()[:16]}" if page.meta else "")
