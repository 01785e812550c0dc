"""Share cards (generator/cards.py): Arabic shaped by Raqm, titles wrapped in whole words, the pages' og:image,
and cards drawn again only when what they show changes."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat, features

from generator.outputs import templates
from generator.outputs.cards import TITLE_SIZES, title_lines, wrap
from tests.conftest import run_build

REPO = Path(__file__).resolve().parent.parent
BOLD = REPO / "themes/default/fonts/card-bold.ttf"
GOLDEN = REPO / "tests/golden/card-arabic-word.png"
WORD = "السفارة"  # "the embassy": alef and reh never join the letter after them, the others join both ways
#: the same word as the shaping must draw it, left to right: the presentation forms each position requires,
#: ة(isolated) ر(isolated) ا(final) ف(medial) س(medial) ل(initial) ا(isolated)
SHAPED_FORMS = "\ufe93\ufead\ufe8e\ufed4\ufeb4\ufedf\ufe8d"
ISOLATED_FORMS = "\ufe93\ufead\ufe8d\ufed1\ufeb1\ufedd\ufe8d"  # each letter alone: what a card must never show


def require_raqm() -> None:
    if not features.check("raqm"):
        pytest.fail("Pillow has no Raqm layout here: install FriBiDi (Debian: libfribidi0), as .ci/run does")


def drawn(text: str, raqm: bool) -> Image.Image:
    layout = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(BOLD), 64, layout_engine=layout)
    image = Image.new("L", (420, 110), 255)
    options = {"direction": "rtl", "language": "ar"} if raqm else {}
    ImageDraw.Draw(image).text((400, 14), text, font=font, fill=0, anchor="ra", **options)
    return image


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two grey images, 0 (same) to 255."""
    return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])


def test_arabic_is_shaped_exactly_as_its_joined_forms_and_never_as_isolated_letters() -> None:
    require_raqm()
    raqm = ImageFont.truetype(str(BOLD), 64, layout_engine=ImageFont.Layout.RAQM)
    basic = ImageFont.truetype(str(BOLD), 64, layout_engine=ImageFont.Layout.BASIC)
    width = raqm.getlength(WORD, direction="rtl", language="ar")
    assert abs(width - basic.getlength(SHAPED_FORMS)) < 2  # the joined forms, in visual order
    assert basic.getlength(ISOLATED_FORMS) - width > 20  # isolated letters are wider: no joins
    assert abs(basic.getlength(WORD) - basic.getlength(ISOLATED_FORMS)) < 2  # unshaped text is isolated letters
    shaped = drawn(WORD, raqm=True)
    assert difference(shaped, drawn(SHAPED_FORMS, raqm=False)) < 8  # 3.6 here: glyph positions round apart
    assert difference(shaped, drawn(ISOLATED_FORMS, raqm=False)) > 16  # 28.5 here


def test_the_word_matches_the_reviewed_reference_image() -> None:
    """tests/golden/card-arabic-word.png: the word drawn by Raqm, checked by eye (joined letters, right to left)."""
    require_raqm()
    golden = Image.open(GOLDEN).convert("L")
    assert difference(drawn(WORD, raqm=True), golden) < 8
    assert difference(drawn(ISOLATED_FORMS, raqm=False), golden) > 16  # the comparison can tell them apart


@pytest.mark.parametrize(("title", "lang"), [
    ("Statement of the Embassy on the regional water cooperation forum held in Baku this week with partners", "en"),
    ("بيان السفارة بشأن منتدى التعاون الإقليمي في مجال المياه الذي عقد في باكو هذا الأسبوع مع الشركاء", "ar"),
    ("Заявление посольства о региональном форуме по сотрудничеству в области водных ресурсов в Баку", "ru"),
    ("Səfirliyin bu həftə Bakıda tərəfdaşlarla keçirilən regional su əməkdaşlığı forumu ilə bağlı bəyanatı", "az"),
])
def test_long_titles_wrap_in_whole_words_within_the_card(title: str, lang: str) -> None:
    require_raqm()
    options = {"direction": "rtl" if lang == "ar" else "ltr", "language": lang}

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(BOLD), size, layout_engine=ImageFont.Layout.RAQM)

    size, lines = title_lines(title, font, 1072, options)
    assert len(lines) > 1 and size in TITLE_SIZES
    assert " ".join(lines).split() == title.split()  # every word, whole, in order
    assert all(font(size).getlength(line, **options) <= 1072 for line in lines)


def test_a_title_too_long_for_the_card_ends_after_a_whole_word() -> None:
    require_raqm()
    title = " ".join(["Consular"] * 120)

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(BOLD), size, layout_engine=ImageFont.Layout.RAQM)

    size, lines = title_lines(title, font, 1072, {})
    assert size == TITLE_SIZES[-1] and lines[-1].endswith(" …")
    assert set(" ".join(lines).removesuffix(" …").split()) == {"Consular"}
    assert wrap("a verylongwordthatcannotfit", 10, len) is None and wrap("ab cd ef", 5, len) == ["ab cd", "ef"]


def og(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("cards") / "site"
    site.mkdir()
    for name in ("site.yml", "content", "ledger", "translations"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, site / name)
    report = run_build(site, site / "public")
    assert report.ok and not [p for p in report.warnings if p.code == "card"], report.warnings
    return site / "public"


def test_every_item_page_without_an_image_is_shared_with_its_card(demo: Path) -> None:
    require_raqm()
    for lang in ("en", "ar", "az", "uz"):
        page = demo / lang / "announcements/statement-on-regional-water-forum/index.html"
        tags = og(page.read_text(encoding="utf-8"))
        assert tags["og:image"] == f"https://embassy.example.org/cards/{lang}/announcements/statement-on-regional-water-forum.jpg"
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert tags["twitter:card"] == "summary_large_image" and tags["og:image:alt"] == tags["twitter:image:alt"]
        card = demo / "cards" / lang / "announcements/statement-on-regional-water-forum.jpg"
        with Image.open(card) as image:
            assert image.size == (1200, 630) and image.format == "JPEG"
            assert not image.getexif()  # nothing but pixels
    items = [p for p in demo.glob("*/*/*/index.html") if p.parts[-4] in ("en", "ar", "az", "uz")
             and p.parts[-3] in ("announcements", "events", "investment")]
    assert items
    for page in items:
        assert "og:image" in og(page.read_text(encoding="utf-8")), page
    listing = og((demo / "en/announcements/index.html").read_text(encoding="utf-8"))
    assert listing["twitter:card"] == "summary" and "og:image" not in listing  # large only with an image


def test_an_item_with_its_own_image_is_shared_with_it(make_site: Callable[..., Path]) -> None:
    root = make_site()
    source = next((root / "content/announcements").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("---\n", "---\nimage: {src: https://photos.example.org/a.jpg, alt: A hall}\n", 1)
                      if "image:" not in text else text, encoding="utf-8")
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "markdown: {image_hosts: [photos.example.org]}\n"
                      if "markdown:" not in config.read_text(encoding="utf-8") else config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    report = run_build(root)
    assert report.ok, [p.format() for p in report.problems]
    pages = [p for p in (root / "public").rglob("index.html")
             if "https://photos.example.org/a.jpg" in p.read_text(encoding="utf-8")]
    assert pages
    tags = og(pages[0].read_text(encoding="utf-8"))
    assert tags["og:image"] == "https://photos.example.org/a.jpg" and tags["og:image:alt"] == "A hall"
    assert tags["twitter:card"] == "summary_large_image"


def test_cards_are_byte_identical_and_drawn_again_only_when_what_they_show_changes(
        make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_raqm()
    calls = tmp_path / "drawn"
    original = templates.draw_card

    def counted(card: object, *args: object) -> object:
        with calls.open("a", encoding="utf-8") as log:
            log.write(f"{getattr(card, 'path', '')}\n")
        return original(card, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(templates, "draw_card", counted)
    root = make_site()
    assert run_build(root).ok
    first = calls.read_text(encoding="utf-8").splitlines()
    assert first
    cards = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / "public/cards").rglob("*.jpg")}
    source = next((root / "content/announcements").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    source.write_text(text + "\nOne more sentence of the body.\n", encoding="utf-8")
    assert run_build(root).ok
    assert calls.read_text(encoding="utf-8").splitlines() == first  # a body edit draws nothing
    source.write_text(re.sub(r"^title: .*$", 'title: "A new title for the card"', text, count=1, flags=re.M),
                      encoding="utf-8")
    assert run_build(root).ok
    again = calls.read_text(encoding="utf-8").splitlines()[len(first):]
    assert len(again) == 1  # that item's card alone
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("public", ".legation*"))
    assert run_build(fresh).ok
    for card in (root / "public/cards").rglob("*.jpg"):
        assert card.read_bytes() == (fresh / "public/cards" / card.relative_to(root / "public/cards")).read_bytes()
    assert len(cards) == len(list((fresh / "public/cards").rglob("*.jpg")))


def test_without_raqm_no_right_to_left_card_is_drawn_and_the_item_is_named(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs import cards

    monkeypatch.setattr(cards, "raqm_available", lambda: False)
    root = make_site()
    report = run_build(root)
    assert report.ok
    warnings = [p for p in report.warnings if p.code == "card"]
    assert len(warnings) == 1 and warnings[0].location.path.endswith(".ar.md"), warnings
    assert "Raqm" in warnings[0].message and "libfribidi0" in warnings[0].hint
    arabic = sum(1 for p in (root / "content").rglob("*.ar.md"))
    assert f"for {arabic} page" in warnings[0].message
    assert not list((root / "public/cards").glob("ar/**/*.jpg"))
    assert list((root / "public/cards").glob("en/**/*.jpg"))


def test_a_character_the_card_font_lacks_gives_no_card_and_a_warning(make_site: Callable[..., Path]) -> None:
    root = make_site()
    source = next((root / "content/announcements").glob("*.en.md"))
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"^title: .*$", 'title: "Visit of the 中国 delegation"', text, count=1, flags=re.M),
                      encoding="utf-8")
    report = run_build(root)
    assert report.ok
    warning = next(p for p in report.warnings if p.code == "card")
    assert warning.location.path.endswith(source.name) and "U+4E2D" in warning.message


@pytest.mark.parametrize(("addition", "expected"), [
    ("share_cards: sometimes\n", "share_cards must be one of missing, always, off"),
])
def test_a_wrong_share_cards_setting_is_a_located_error(make_site: Callable[..., Path], addition: str,
                                                        expected: str) -> None:
    root = make_site()
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + addition, encoding="utf-8")
    report = run_build(root)
    assert not report.ok and expected in report.errors[0].message and report.errors[0].location.line > 0


def test_share_cards_off_draws_none(make_site: Callable[..., Path]) -> None:
    root = make_site()
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "share_cards: off\n", encoding="utf-8")
    assert run_build(root).ok
    assert not (root / "public/cards").exists()


def test_a_themes_wrong_card_colour_is_a_located_error(make_site: Callable[..., Path]) -> None:
    root = make_site()
    theme = root / "themes/mine"
    theme.mkdir(parents=True)
    (theme / "theme.yml").write_text('extends: default\ncard: {background: "navy"}\n', encoding="utf-8")
    config = root / "site.yml"
    config.write_text(re.sub(r"^theme: .*\n", "", config.read_text(encoding="utf-8"), flags=re.M) + "theme: mine\n",
                      encoding="utf-8")
    report = run_build(root)
    assert not report.ok
    error = report.errors[0]
    assert error.location.path == "themes/mine/theme.yml" and error.location.line == 2
    assert "card.background must be a colour" in error.message


def test_the_previews_card_plan_is_the_same_from_its_memo_and_plans_only_changed_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from generator.assembly.site import assemble
    from generator.outputs import cards
    from generator.sources.i18n import load_catalog
    from generator.sources.theme import resolve_theme
    from tests.conftest import NOW
    from tests.test_templates_unit import CONFIG
    from tests.test_unit_inputs import page

    chain = resolve_theme(tmp_path, "default")
    style = cards.load_style(list(chain.font_dirs), list(chain.static_dirs), {})
    assert style is not None
    catalog, _ = load_catalog(chain.i18n_dirs, tmp_path, CONFIG.language_codes, "en")
    pages = [page("visa", "en"), page("visa", "ar"), page("fair", "az", "events"),
             replace(page("odd", "en"), title="中国")]

    def plan(pages: list, memo: dict | None = None) -> tuple:  # type: ignore[type-arg]
        site, _ = assemble(pages, CONFIG, NOW)
        return cards.plan_cards(site, catalog, style, "always", True, memo=memo)

    memo: dict = {}  # type: ignore[type-arg]
    assert plan(pages, memo) == plan(pages)
    assert len(memo) == 4 and plan(pages)[1][0].code == "card"  # the missing glyph's warning, kept too
    planned: list[str] = []
    real = cards._card

    def spy(site: object, catalog: object, page: object, reference: str) -> object:
        planned.append(getattr(page, "url", ""))
        return real(site, catalog, page, reference)  # type: ignore[arg-type]

    monkeypatch.setattr(cards, "_card", spy)
    changed = [replace(p, title="New visa rules") if p.url == "/ar/announcements/visa/" else p for p in pages]
    assert plan(changed, memo) == plan(changed)
    assert planned[0] == "/ar/announcements/visa/" and len(planned) == 1 + 4  # then all four without the memo
    assert memo["/ar/announcements/visa/"][1].title == "New visa rules"  # type: ignore[union-attr]
    planned.clear()
    other = replace(CONFIG, title={**CONFIG.title, "en": "The Embassy"})  # a setting every card shows
    site, _ = assemble(changed, other, NOW)
    cards.plan_cards(site, catalog, style, "always", True, memo=memo)
    assert len(planned) == 4
