"""Make the share cards' fonts (themes/default/fonts/card-*.ttf) from Noto Sans and Noto Sans Arabic.

Pillow draws a line of text with one font, and Raqm orders and shapes that whole line (an Arabic title with
"COP29" in it is one line), so the card font is the two Noto fonts merged: Noto Sans Arabic's glyphs and
shaping rules first, then Noto Sans's Latin, Greek and Cyrillic. The merged font is renamed ("Legation Card
Sans") so that it is never taken for either original; both are under the SIL Open Font License 1.1
(themes/default/fonts/OFL.txt), which allows this. It also writes card-coverage.txt, the code points the font
has, so that a build can refuse to draw a card whose text the font cannot show (never boxes).

Run once by a maintainer, not by the build (it needs fontTools, not a dependency of legation):

    pip install fonttools
    apt-get download fonts-noto-core && dpkg-deb -x fonts-noto-core_*.deb noto   # Debian 12: 20201225-1
    python scripts/make_card_fonts.py noto/usr/share/fonts/truetype/noto themes/default/fonts
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(source: Path, out: Path) -> None:
    from fontTools.merge import Merger, Options  # type: ignore[import-not-found]
    from fontTools.ttLib import TTFont  # type: ignore[import-not-found]

    covered: set[int] | None = None
    for weight in ("Regular", "Bold"):
        merger = Merger(options=Options(drop_tables=["vmtx", "vhea", "MATH"]))
        font = merger.merge([str(source / f"NotoSansArabic-{weight}.ttf"), str(source / f"NotoSans-{weight}.ttf")])
        names = font["name"]
        for record in names.names:
            if record.nameID in (1, 16):
                record.string = "Legation Card Sans"
            elif record.nameID in (4,):
                record.string = f"Legation Card Sans {weight}"
            elif record.nameID in (6,):
                record.string = f"LegationCardSans-{weight}"
            elif record.nameID in (3,):
                record.string = f"legation: Noto Sans Arabic + Noto Sans {weight}"
        font.save(str(out / f"card-{weight.lower()}.ttf"))
        have = set(TTFont(str(out / f"card-{weight.lower()}.ttf")).getBestCmap())
        covered = have if covered is None else covered & have
    ranges: list[tuple[int, int]] = []
    for point in sorted(covered or ()):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    (out / "card-coverage.txt").write_text(
        "# code points both card fonts have, as ranges (made by scripts/make_card_fonts.py)\n"
        + "\n".join(f"{a:04X}-{b:04X}" for a, b in ranges) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
