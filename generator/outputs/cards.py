"""Share cards: a 1200×630 image per item page and language, for the page's og:image (issue 26).

What a card shows (`Card`) is worked out for every page first (cheap, and what the page's head and the
incremental build depend on); drawing it (`draw_card`) is a render unit of its own, redone only when what it
shows, the theme's card style or the fonts change. Text is laid out by Pillow with Raqm (FriBiDi and
HarfBuzz): an Arabic title is shaped and ordered right to left, numbers and Latin words in it included. The
fonts come with the theme (``fonts/card-*.ttf``: Noto Sans Arabic and Noto Sans merged, OFL), never the
system's, so a card looks the same on every machine that builds it. A card is not drawn, with a warning at
the item's file, when its text needs Raqm and Pillow has none (never disconnected letters) or when the font
lacks a character of it (never boxes).
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..core.errors import Problem, SourceLocation, counted
from ..core.model import OutputFile, Page, Site
from ..sources.i18n import Catalog, format_date

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
CardMode = Literal["missing", "always", "off"]
#: title sizes tried in turn (px) until the title fits its area in whole words
TITLE_SIZES = (64, 58, 52, 46, 40, 36)
TITLE_TOP, TITLE_BOTTOM = 220, 528
LINE_HEIGHT = 1.32
FONT_FILES = ("card-regular.ttf", "card-bold.ttf", "card-coverage.txt")


@dataclass(frozen=True)
class CardStyle:
    """The theme's card: colours (#rrggbb), its font files and an optional emblem (static/emblem.png)."""

    regular: str
    bold: str
    coverage: tuple[tuple[int, int], ...]
    background: str = "#0b3d6e"
    text: str = "#ffffff"
    band: str = "#f3f5f8"
    band_text: str = "#0b3d6e"
    label: str = "#ffffff"
    label_text: str = "#0b3d6e"
    emblem: str = ""
    digest: str = ""  # of the fonts, the emblem and the colours: every card depends on it

    def covers(self, char: str) -> bool:
        point = ord(char)
        low, high = 0, len(self.coverage)
        while low < high:  # the ranges are sorted
            middle = (low + high) // 2
            first, last = self.coverage[middle]
            if point < first:
                high = middle
            elif point > last:
                low = middle + 1
            else:
                return True
        return False


@dataclass(frozen=True)
class Card:
    """What one card shows, and where it goes."""

    path: str  # in the output: cards/<lang>/<section>/<slug>.jpg
    lang: str
    rtl: bool
    site: str
    label: str  # the item's kind: "Official statement", "Consular notice", "Event"
    title: str
    line: str  # date, and the place of an event or the reference of a statement
    alt: str  # the image's text alternative


def card_path(page: Page) -> str:
    return f"cards/{page.lang}/{page.section}/{page.slug}.jpg"


def load_style(font_dirs: list[Path], static_dirs: list[Path], colours: Mapping[str, str]) -> CardStyle | None:
    """The card style from the first theme folder with card fonts (None when no theme has them)."""
    folder = next((d for d in font_dirs if all((d / name).is_file() for name in FONT_FILES)), None)
    if folder is None:
        return None
    coverage = []
    for line in (folder / "card-coverage.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            coverage.append((int(first, 16), int(last or first, 16)))
    emblem = next((d / "emblem.png" for d in static_dirs if (d / "emblem.png").is_file()), None)
    digest = hashlib.sha256()
    for file in (*(folder / name for name in FONT_FILES), *([emblem] if emblem else [])):
        digest.update(file.read_bytes())
    digest.update(repr(sorted(colours.items())).encode())
    known = {key: value for key, value in colours.items() if key in CARD_COLOURS}
    return CardStyle(str(folder / "card-regular.ttf"), str(folder / "card-bold.ttf"), tuple(sorted(coverage)),
                     emblem=str(emblem or ""), digest=digest.hexdigest(), **known)


CARD_COLOURS = ("background", "text", "band", "band_text", "label", "label_text")


def plan_cards(site: Site, catalog: Catalog, style: CardStyle, mode: str, raqm: bool,
               references: Mapping[tuple[str, str], str] | None = None,
               memo: dict[str, tuple[str, Card | Problem | None]] | None = None
               ) -> tuple[dict[str, Card], list[Problem]]:
    """Page URL → its card, for the item pages that get one; and a warning for each card that cannot be drawn.

    ``memo`` (a resident preview's, kept between its builds): page URL → (what the card was planned from, the
    card, its warning, or None for a page written right to left that cannot be shaped here); a page whose inputs
    are the same is not planned again."""
    cards: dict[str, Card] = {}
    problems: list[Problem] = []
    unshaped: list[Page] = []
    seen: set[str] = set()
    lacking: set[str] = set()  # of the characters seen, those the font has no glyph for
    if mode == "off":
        return cards, problems
    known = references if references is not None else site.references
    # everything besides the page a card is planned from: the settings, fonts and each language's strings
    common = hashlib.sha256(repr((
        site.config, style.digest, raqm, mode,
        {lang: sorted(catalog.effective(lang).items()) for lang in site.config.language_codes},
    )).encode()).hexdigest() if memo is not None else ""
    for page in site.pages:
        if page.image is not None and mode == "missing":
            continue
        reference = known.get(page.key, "")
        key = f"{common}|{page.fingerprint}|{reference}"
        kept = memo.get(page.url) if memo is not None else None
        if kept is not None and kept[0] == key:
            outcome = kept[1]
        else:
            outcome = _plan(site, catalog, style, raqm, page, reference, seen, lacking)
            if memo is not None:
                memo[page.url] = (key, outcome)
        if outcome is None:
            unshaped.append(page)
        elif isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            cards[page.url] = outcome
    if unshaped:  # one warning for them all: it has one cause and one fix
        problems.insert(0, Problem(
            "warning", SourceLocation(unshaped[0].source),
            f"no share card was drawn for {counted(len(unshaped), 'page')} written right to left (this one first): "
            "Pillow has no Raqm layout here, and their letters would not join",
            "install FriBiDi (Debian: apt-get install libfribidi0) and build again", "card"))
    return cards, problems


def _plan(site: Site, catalog: Catalog, style: CardStyle, raqm: bool, page: Page, reference: str, seen: set[str],
          lacking: set[str]) -> Card | Problem | None:
    """One page's card, or the warning that it cannot be drawn, or None when it cannot be shaped here."""
    card = _card(site, catalog, page, reference)
    shown = card.site + card.label + card.title + card.line
    if not raqm and any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in shown):
        return None
    for char in set(shown) - seen:  # each character is looked up once per build, not once per card
        seen.add(char)
        if unicodedata.category(char) not in ("Zs", "Cc", "Cf") and not style.covers(char):
            lacking.add(char)
    missing = sorted(lacking.intersection(shown))
    if missing:
        listed = ", ".join(f"“{char}” (U+{ord(char):04X})" for char in missing[:5])
        return Problem("warning", SourceLocation(page.source), f"no share card was drawn: the card font has no {listed}",
                       "give the item an image: of its own (it is shared instead), or use a theme whose "
                       "fonts/card-*.ttf cover the language", "card")
    return card


def _card(site: Site, catalog: Catalog, page: Page, reference: str) -> Card:
    lang = page.lang
    config = site.config
    if page.event is not None:
        label = catalog.get(lang, "card.events")
        when = format_date(page.event.start, lang, config.timezone)
        venue = page.event.venue
        place = ", ".join(part for part in ((venue.name, venue.city) if venue else ()) if part)
        line = " · ".join(part for part in (when, place) if part)
    else:
        key = f"kind.{page.kind}" if page.kind else f"card.{page.section}"
        label = catalog.get(lang, key) if catalog.get(lang, key) != key else catalog.get(lang, f"card.{page.section}")
        when = format_date(page.date, lang, config.timezone) if page.date else ""
        line = " · ".join(part for part in (when, reference) if part)
    site_title = config.site_title(lang)
    return Card(card_path(page), lang, config.language(lang).direction == "rtl", site_title, label, page.title,
                line, f"{label}: {page.title} — {site_title}")


def card_digest(card: Card, style: CardStyle, code: str) -> str:
    return hashlib.sha256(repr((card, style.digest, code)).encode()).hexdigest()


def draw_card(card: Card, style: CardStyle, raqm: bool = True, bases: dict[str, Any] | None = None) -> OutputFile:
    """The card as a JPEG (quality 90; byte-identical for the same card and libraries). ``bases``: where the
    part every card of a language shares (background, emblem, site name, band) is kept once drawn."""
    from PIL import ImageDraw, ImageFont

    layout = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC

    def font(path: str, size: int) -> Any:
        return ImageFont.truetype(path, size, layout_engine=layout)

    options: dict[str, Any] = {"direction": "rtl" if card.rtl else "ltr", "language": card.lang} if raqm else {}
    start = WIDTH - MARGIN if card.rtl else MARGIN
    anchor = "r" if card.rtl else "l"
    key = repr((card.lang, card.rtl, card.site, style.digest, raqm))
    base = bases.get(key) if bases is not None else None
    if base is None:
        base = _base(card, style, font, options, start, anchor)
        if bases is not None:
            bases[key] = base
    image = base.copy()
    draw = ImageDraw.Draw(image)

    label_font = font(style.bold, 26)
    label_width = label_font.getlength(card.label, **options)
    box = (start - label_width - 32, 156, start, 198) if card.rtl else (start, 156, start + label_width + 32, 198)
    draw.rounded_rectangle(box, radius=8, fill=style.label)
    draw.text(((box[0] + box[2]) / 2, 177), card.label, font=label_font, fill=style.label_text, anchor="mm", **options)

    size, lines = title_lines(card.title, lambda px: font(style.bold, px), WIDTH - 2 * MARGIN, options)
    title_font = font(style.bold, size)
    for number, text in enumerate(lines):
        draw.text((start, TITLE_TOP + number * size * LINE_HEIGHT), text, font=title_font, fill=style.text,
                  anchor=anchor + "a", **options)

    line_font = font(style.regular, 30)
    draw.text((start, 589), _fit_one_line(card.line, line_font, WIDTH - 2 * MARGIN, options), font=line_font,
              fill=style.band_text, anchor=anchor + "m", **options)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, optimize=False, progressive=False)
    return OutputFile(card.path, out.getvalue())


def _base(card: Card, style: CardStyle, font: Callable[[str, int], Any], options: Mapping[str, Any], start: int,
          anchor: str) -> Any:
    """What every card of one language shows the same: background, emblem, the site's name, the lower band."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(image)
    head = start
    if style.emblem:
        with Image.open(style.emblem) as opened:
            emblem = opened.convert("RGBA")
        emblem.thumbnail((88, 88))
        image.paste(emblem, (int(start - emblem.width) if card.rtl else start, 48), emblem)
        head = int(start - emblem.width - 24 if card.rtl else start + emblem.width + 24)
    site_font = font(style.regular, 30)
    site_line = _fit_one_line(card.site, site_font, WIDTH - 2 * MARGIN - abs(head - start), options)
    draw.text((head, 92), site_line, font=site_font, fill=style.text, anchor=anchor + "m", **options)
    draw.rectangle((0, 548, WIDTH, HEIGHT), fill=style.band)
    return image


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str] | None:
    """``text`` in lines of whole words no wider than ``width``; None when one word alone is wider."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if measure(trial) <= width:
            current = trial
            continue
        if not current or measure(word) > width:
            return None
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def title_lines(title: str, font_of: Callable[[int], Any], width: float,
                options: Mapping[str, str]) -> tuple[int, list[str]]:
    """(size, lines) of the largest title size whose whole words fit the title's area; at the smallest size a
    title still too long ends, after its last whole word that fits, with an ellipsis."""
    for size in TITLE_SIZES:
        lines = wrap(title, width, _measure(font_of(size), options))
        if lines is not None and len(lines) <= _room(size):
            return size, lines
    size = TITLE_SIZES[-1]
    font = font_of(size)
    words: list[str] = []
    kept: list[str] = []
    for word in title.split():
        trial = wrap(" ".join([*words, word]) + " …", width, lambda text: font.getlength(text, **options))
        if trial is None or len(trial) > _room(size):
            break
        words.append(word)
        kept = trial
    return size, kept or ["…"]


def _measure(font: Any, options: Mapping[str, str]) -> Callable[[str], float]:
    return lambda text: float(font.getlength(text, **options))


def _room(size: int) -> int:
    return int((TITLE_BOTTOM - TITLE_TOP) // (size * LINE_HEIGHT))


def _fit_one_line(text: str, font: Any, width: float, options: Mapping[str, str]) -> str:
    """``text`` on one line, ending after its last whole word that fits, with an ellipsis, when too long."""
    if font.getlength(text, **options) <= width:
        return text
    words = text.split()
    while words and font.getlength(" ".join(words) + " …", **options) > width:
        words.pop()
    return " ".join(words) + " …" if words else "…"


def raqm_available() -> bool:
    """Whether Pillow lays text out with Raqm here (it needs the system's FriBiDi library)."""
    from PIL import features

    return bool(features.check("raqm"))
