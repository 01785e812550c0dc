#!/usr/bin/env python3
"""Screenshots of the demo site in Chromium for the README: English and Arabic home and an event page, the search
page with a folded Azerbaijani query, and an English and an Arabic share card as a browser shows them.

    python scripts/screenshots.py            # writes docs/screenshots/*.png

Needs Debian's chromium (/usr/bin/chromium) and `pip install -e '.[test]'` (playwright).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import REPO, build_demo, chromium_page, serve_folder

SHOTS = [
    ("home-en", "/en/", 1280, 900),
    ("home-ar", "/ar/", 1280, 900),
    ("event-en", "/en/events/national-day-reception/", 1280, 900),
    ("event-ar", "/ar/events/national-day-reception/", 1280, 900),
    ("home-ar-mobile", "/ar/", 390, 844),
    ("search-az", "/search/az/?q=beyanat", 1280, 900),
    ("search-ar", "/search/ar/?q=انباء", 1280, 900),
    ("card-en", "/cards/en/events/national-day-reception.jpg", 1200, 630),
    ("card-ar", "/cards/ar/announcements/statement-on-regional-water-forum.jpg", 1200, 630),
]


def main() -> None:
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = build_demo(Path(tmp) / "public")
        with serve_folder(site, honour_headers=True) as base:
            for name, path, width, height in SHOTS:
                with chromium_page(width, height) as page:
                    page.goto(base + path)  # type: ignore[attr-defined]
                    if path.startswith("/search/"):  # the results, once the script has drawn them
                        page.wait_for_selector("body[data-searched]", state="attached")  # type: ignore[attr-defined]
                    page.screenshot(path=str(out / f"{name}.png"), full_page=False)  # type: ignore[attr-defined]
                print(f"wrote {out / name}.png")


if __name__ == "__main__":
    main()
