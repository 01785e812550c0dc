"""The QR code of a statement's address, as inline SVG for its printed copy.

The symbol is made by zxing-cpp (its writer is zint, compiled: about 0.2 ms a code, where a pure-Python encoder
took 5 ms, most of it choosing the mask); this module only draws its modules. Each row's runs of dark modules are
one stroke of width 1 along the row's middle, so a version-5 code is one short path.
"""

from __future__ import annotations

from html import escape
from typing import Any, cast


def qr_modules(text: str) -> list[bytes]:
    """The rows of the QR code (error correction level M) of ``text``: per module 0 when dark, 255 when light."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    rows, columns = image.shape
    data = bytes(memoryview(cast(Any, image)))  # its stub names no buffer protocol; the module has one
    return [data[row * columns:(row + 1) * columns] for row in range(rows)]


def _runs(row: bytes) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in ``row``."""
    runs: list[tuple[int, int]] = []
    start = -1
    for column, value in enumerate(row):
        if value == 0 and start < 0:
            start = column
        elif value != 0 and start >= 0:
            runs.append((start, column - start))
            start = -1
    if start >= 0:
        runs.append((start, len(row) - start))
    return runs


def qr_svg(text: str, scale: int = 3, border: int = 2) -> str:
    """An inline SVG (no script, no external reference) of the QR code of ``text``, titled with ``text``.

    ``border`` light modules surround the symbol (readers want a quiet zone; 2 is enough on a printed page with a
    margin around it); ``scale`` is the width of one module in CSS pixels when the SVG is not sized by a style.
    """
    rows = qr_modules(text)
    size = len(rows) + 2 * border
    strokes = []
    for y, row in enumerate(rows):
        for start, length in _runs(row):
            strokes.append(f"M{start + border} {y + border}.5h{length}")
    pixels = size * scale
    return (f'<svg width="{pixels}" height="{pixels}" viewBox="0 0 {size} {size}" class="qr" role="img">'
            f"<title>{escape(text)}</title>"
            f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
            f'<path stroke="#000" d="{"".join(strokes)}"/></svg>')
