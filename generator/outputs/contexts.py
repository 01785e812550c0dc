"""The template contexts: what every page's template is given, and the types of the values in it (each name
and type is listed for theme authors in docs/themes.md, generated from generator/core/context_doc.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urljoin

from ..assembly.site import absolute_url, event_is_upcoming, list_url, tag_label, tag_url
from ..core.model import SECTIONS, Language, Page, Site
from ..sources.i18n import Catalog
from .cards import HEIGHT, WIDTH, Card
from .feeds import FeedLink, all_feed_folder, all_feed_title, feed_links
from .search import search_url
from .seo import Alternate, json_ld_text
from .urls import SiteUrls, channels_url, rumours_url


@dataclass(frozen=True)
class SwitchOption:
    language: Language
    href: str
    current: bool
    available: bool


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class ShareImage:
    """The image a page is shared with (og:image): its absolute URL, text alternative and size when known."""

    url: str
    alt: str
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class TagLink:
    label: str
    url: str
    count: int


class Contexts:
    """The contexts of one Site's pages."""

    def __init__(self, site: Site, catalog: Catalog, urls: SiteUrls, cards: Mapping[str, Card], search: bool,
                 prefix: str) -> None:
        self.site, self.catalog, self.urls, self.cards = site, catalog, urls, cards
        self.config = site.config
        self.search = search  # a search page per language
        self.prefix = prefix  # the path of the site under its host ("" at the root)

    def base(self, lang: str, url: str, alternates: list[Alternate], switch: dict[str, str],
              kind: str, title: str, description: str = "", available: set[str] | None = None,
              feeds: list[FeedLink] | None = None, json_ld: dict[str, Any] | None = None,
              calendar_url: str = "") -> dict[str, Any]:
        """What every page's template is given (docs/themes.md lists each name); a page kind adds its own."""
        language = self.config.language(lang)
        config = self.config
        site_feeds = feed_links(all_feed_title(self.site, self.catalog, lang), all_feed_folder(lang))

        return {
            "config": config,
            "site_title": config.site_title(lang),
            "lang": language,
            "languages": config.languages,
            "default_language": config.language(config.default_language),
            "t": partial(self.catalog.text, lang),
            "url": lambda path: absolute_url(config, path),
            "relative_url": url,
            "canonical": absolute_url(config, url),
            "alternates": alternates,
            "switcher": [
                SwitchOption(other, switch.get(other.code) or f"/{other.code}/", other.code == lang,
                             other.code in (switch if available is None else available))
                for other in config.languages
            ],
            "menu": self.site.menus.get(lang, ()),
            "alerts": self.site.alerts.get(lang, ()),
            "sections": SECTIONS,
            "section_url": lambda section: list_url(lang, section),
            "tag_url": lambda tag: tag_url(lang, tag),
            "tag_label": lambda tag: tag_label(config, tag, lang),
            "now": self.site.now,
            "href": lambda path: self.prefix + path,
            "current_section": "",
            "kind": kind,
            "page_title": title,
            "description": description or config.description.get(lang, ""),
            "status_of": self.site.page_status,
            "is_upcoming": lambda page: event_is_upcoming(page, self.site.now),
            "feeds": [*(feeds or []), *site_feeds],
            "json_ld": json_ld_text(json_ld),
            "calendar_url": calendar_url,
            "indexable": True,
            "channels_url": channels_url(lang) if config.channels else "",
            "rumours_url": rumours_url(lang) if self.urls.rumours(lang) else "",
            "statements_url": f"/{lang}/statements/" if self.site.references else "",
            "search_url": search_url(lang) if self.search else "",
            "share_image": None,
            "channels": config.channels,
            "contact": config.contact,
        }

    def origin(self, page: Page) -> dict[str, str]:
        """For an item a ministry syndicates to this mission: its canonical address (the ministry's own page) and
        the ministry's name in the page's language, its label; nothing for the site's own items."""
        link = self.config.ministry
        if link is None or not self.config.from_ministry(page):
            return {"ministry_name": "", "ministry_url": ""}
        canonical = link.base_url.rstrip("/") + page.url
        name = link.name.get(page.lang) or link.name.get(link.default_language) or next(iter(link.name.values()), "")
        return {"canonical": canonical, "ministry_name": name, "ministry_url": canonical}

    def share_image(self, page: Page) -> ShareImage | None:
        """What the page is shared with: its own image, else its share card, else nothing."""
        card = self.cards.get(page.url)
        if card is not None:
            return ShareImage(absolute_url(self.config, "/" + card.path), card.alt, WIDTH, HEIGHT)
        if page.image is not None:
            return ShareImage(urljoin(absolute_url(self.config, page.url), page.image.src), page.image.alt,
                              page.image.width, page.image.height)
        return None
