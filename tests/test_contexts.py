"""generator/outputs/contexts.py: what every page's template is given (the whole set per kind of page is checked
against docs/themes.md by tests/test_context_doc.py)."""

from __future__ import annotations

from generator.assembly.site import assemble
from generator.core.model import Image
from generator.outputs.cards import HEIGHT, WIDTH, Card
from generator.outputs.contexts import Contexts, ShareImage
from generator.outputs.seo import Alternate
from generator.outputs.urls import SiteUrls
from generator.sources.i18n import load_catalog
from generator.sources.theme import resolve_theme
from tests.conftest import NOW
from tests.test_templates_unit import CONFIG
from tests.test_unit_inputs import page


def contexts(tmp_path: object, pages: list, cards: dict | None = None, search: bool = False,  # type: ignore[type-arg]
             prefix: str = "") -> Contexts:
    from pathlib import Path

    root = Path(str(tmp_path))
    site, _ = assemble(pages, CONFIG, NOW)
    catalog, _ = load_catalog(resolve_theme(root, "default").i18n_dirs, root, CONFIG.language_codes, "en")
    return Contexts(site, catalog, SiteUrls(site), cards or {}, search, prefix)


def test_the_switcher_offers_every_language_and_marks_where_the_page_is_missing(tmp_path: object) -> None:
    made = contexts(tmp_path, [page("visa", "en"), page("visa", "ar")])
    context = made.base("ar", "/ar/announcements/visa/", [], {"en": "/en/announcements/visa/",
                                                              "ar": "/ar/announcements/visa/"}, "item", "Visa",
                        available={"en", "ar"})
    switcher = {option.language.code: option for option in context["switcher"]}
    assert switcher["ar"].current and not switcher["en"].current
    assert switcher["en"].href == "/en/announcements/visa/" and switcher["en"].available
    assert switcher["az"].href == "/az/" and not switcher["az"].available  # no Azerbaijani copy: its home
    assert context["lang"].direction == "rtl" and context["canonical"] == \
        "https://embassy.example.org/ar/announcements/visa/"


def test_links_and_optional_pages(tmp_path: object) -> None:
    plain = contexts(tmp_path, [page("visa", "en")]).base("en", "/en/", [Alternate("en", "x")], {}, "home", "Home")
    assert plain["search_url"] == "" and plain["rumours_url"] == "" and plain["statements_url"] == ""
    assert plain["href"]("/en/") == "/en/" and plain["url"]("/en/") == "https://embassy.example.org/en/"
    assert plain["description"] == "" and plain["share_image"] is None and plain["indexable"]
    under = contexts(tmp_path, [page("visa", "en")], search=True, prefix="/embassy")
    found = under.base("en", "/en/", [], {}, "home", "Home", description="About us")
    assert found["search_url"] and found["href"]("/en/") == "/embassy/en/" and found["description"] == "About us"
    assert [feed.href for feed in found["feeds"]]  # the site's own feeds are linked from every page


def test_a_page_is_shared_with_its_card_else_its_own_image(tmp_path: object) -> None:
    card = Card("cards/en/announcements/visa.jpg", "en", False, "Embassy", "News", "Visa", "", "News: Visa")
    with_image = page("photo", "en", image=Image("photo.jpg", "A photo", 800, 600))
    made = contexts(tmp_path, [page("visa", "en"), with_image], cards={"/en/announcements/visa/": card})
    pages = {p.slug: p for p in made.site.pages}
    assert made.share_image(pages["visa"]) == ShareImage(
        "https://embassy.example.org/cards/en/announcements/visa.jpg", "News: Visa", WIDTH, HEIGHT)
    assert made.share_image(pages["photo"]) == ShareImage(
        "https://embassy.example.org/en/announcements/photo/photo.jpg", "A photo", 800, 600)
    assert made.share_image(page("bare", "en")) is None
