"""The QR code on a statement's printed copy (generator/outputs/qr.py), read as a phone would read it: drawn by
Chromium with the print style, photographed (a screenshot) and decoded by ZXing's reader."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from generator.outputs.qr import qr_modules, qr_svg
from tests.browser import chromium_page, require_chromium, serve_folder

STATEMENT = "en/announcements/statement-on-regional-water-forum/"


def _read(png: bytes) -> str:
    found = zxingcpp.read_barcode(Image.open(io.BytesIO(png)).convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None and found.valid, "no QR code could be read in the screenshot"
    return str(found.text)


def test_the_modules_are_a_qr_code_of_the_text() -> None:
    rows = qr_modules("https://embassy.example.org/ar/announcements/x/")
    assert len(rows) == len(rows[0]) >= 21 and (len(rows) - 17) % 4 == 0  # a QR version's size: 17 + 4·v
    # the three finder patterns: a 7-module dark ring in three corners, not in the fourth
    for top, left in ((0, 0), (0, len(rows) - 7), (len(rows) - 7, 0)):
        assert rows[top][left:left + 7] == b"\x00" * 7 and rows[top + 1][left + 1:left + 6] == b"\xff" * 5
    assert rows[-1][-7:] != b"\x00" * 7


def test_the_svg_is_inert_and_titled_with_the_escaped_text() -> None:
    svg = qr_svg('https://e.example/en/a/?q=<script>&"x"')
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<script" not in svg and "&lt;script&gt;&amp;&quot;x&quot;" in svg
    assert 'viewBox="0 0 ' in svg  # scales with the stylesheet's size without cropping


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_printed_statement_s_qr_code_reads_as_its_address(demo: Path, lang: str) -> None:
    require_chromium()
    path = STATEMENT.replace("en/", f"{lang}/", 1)
    page_html = (demo / path / "index.html").read_text(encoding="utf-8")
    assert page_html.count('class="qr"') == 1
    with serve_folder(demo) as base, chromium_page() as page:
        page.emulate_media(media="print")  # the code is on the printed copy only
        page.goto(f"{base}/{path}")
        code = page.locator(".statement-print svg")
        assert code.is_visible()
        text = _read(code.screenshot())
    assert text == f"https://embassy.example.org/{path}"
