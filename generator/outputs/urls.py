"""Where each page's translations are and what each listing page selects: one helper per kind of page, used by
the page's head and by sitemap.xml, so both carry the identical set of alternates."""

from __future__ import annotations

import functools
import itertools
from datetime import datetime

from ..assembly.site import absolute_url, event_is_upcoming, list_url, paginate
from ..core.model import SECTIONS, Page, Site
from .seo import Alternate, SitemapEntry
from .seo import newest as seo_newest


def rumours_url(lang: str) -> str:
    return f"/{lang}/rumours/"


def channels_url(lang: str) -> str:
    return f"/{lang}/channels/"


class SiteUrls:
    """The URL groups and the selections of one Site (the rumours of a language are worked out once)."""

    def __init__(self, site: Site) -> None:
        self.site, self.config = site, site.config
        self._rumours: dict[str, tuple[Page, ...]] = {}

    def language_alternates(self, urls: dict[str, str]) -> list[Alternate]:
        """hreflang links for the same set of URLs on every page of a group, plus x-default."""
        out = [Alternate(code, absolute_url(self.config, urls[code])) for code in self.config.language_codes if code in urls]
        default = urls.get(self.config.default_language) or next(iter(urls.values()), None)
        if default:
            out.append(Alternate("x-default", absolute_url(self.config, default)))
        return out

    def home_urls(self) -> dict[str, str]:
        return {code: f"/{code}/" for code in self.config.language_codes}

    def list_urls(self, section: str, number: int) -> dict[str, str]:
        return {code: list_url(code, section, number) for code in self.config.language_codes
                if number <= len(paginate(self.site.listings[(code, section)], self.config.paginate))}

    def tag_urls(self, slug: str) -> dict[str, str]:
        return {code: f"/{code}/tags/{slug}/" for code in self.config.language_codes if (code, slug) in self.site.tags}

    def tags_index_urls(self) -> dict[str, str]:
        return {code: f"/{code}/tags/" for code in self.config.language_codes}

    def rumours(self, lang: str) -> tuple[Page, ...]:
        """The published answers to false claims in ``lang``, newest first (worked out once per language)."""
        found = self._rumours.get(lang)
        if found is None:
            found = self._rumours[lang] = tuple(page for page in self.site.listings[(lang, "announcements")]
                                                if page.rumour is not None)
        return found

    def rumours_urls(self) -> dict[str, str]:
        return {code: rumours_url(code) for code in self.config.language_codes if self.rumours(code)}

    def channels_urls(self) -> dict[str, str]:
        return {code: channels_url(code) for code in self.config.language_codes}

    def item_urls(self, page: Page) -> dict[str, str]:
        return {code: other.url for code, other in self.site.translations_of(page).items()}

    def root_alternates(self) -> list[Alternate]:
        """The homes and the root language chooser: the chooser is their x-default."""
        return [*self.language_alternates(self.home_urls())[:-1], Alternate("x-default", absolute_url(self.config, "/"))]

    def home_lists(self, lang: str) -> tuple[tuple[Page, ...], tuple[Page, ...], tuple[Page, ...]]:
        """What a home page lists: the latest announcements, the next events, investment highlights."""
        events = self.site.listings[(lang, "events")]
        upcoming = tuple(itertools.islice((p for p in events if event_is_upcoming(p, self.site.now)), 5))
        return tuple(self.site.listings[(lang, "announcements")][:5]), upcoming, \
            tuple(self.site.listings[(lang, "investment")][:3])

    def statements(self, lang: str) -> tuple[Page, ...]:
        """The published statements in ``lang`` that have a public reference, newest first."""
        return tuple(page for page in self.site.listings[(lang, "announcements")] if page.key in self.site.references)

    def search_languages(self) -> tuple[str, ...]:
        """The languages with a page to find (each has its own index)."""
        return tuple(code for code in self.config.language_codes
                     if any(page.lang == code and self.site.page_status(page) == "published" for page in self.site.pages))

    # -------------------------------------------------------------- sitemap
    def sitemap_entries(self) -> list[SitemapEntry]:
        """Every indexable HTML page with the same alternates its head carries."""
        def entry(url: str, alternates: list[Alternate], lastmod: datetime | None) -> SitemapEntry:
            return SitemapEntry(absolute_url(self.config, url), tuple(alternates), lastmod)

        newest = functools.partial(seo_newest, times={})  # each page's time worked out once

        everything = [p for p in self.site.pages if self.site.page_status(p) == "published"]
        entries = [entry("/", self.root_alternates(), newest(everything))]
        for lang in self.config.language_codes:
            listed = [p for section in SECTIONS for p in self.site.listings[(lang, section)]]
            entries.append(entry(f"/{lang}/", self.root_alternates(), newest(listed)))
            for section in SECTIONS:
                chunks = paginate(self.site.listings[(lang, section)], self.config.paginate)
                for number, items in enumerate(chunks, start=1):
                    entries.append(entry(list_url(lang, section, number),
                                         self.language_alternates(self.list_urls(section, number)), newest(items)))
            tagged = [(slug, items) for (code, slug), items in self.site.tags.items() if code == lang]
            entries.append(entry(f"/{lang}/tags/", self.language_alternates(self.tags_index_urls()),
                                 newest([p for _, items in tagged for p in items])))
            for slug, items in tagged:
                entries.append(entry(f"/{lang}/tags/{slug}/", self.language_alternates(self.tag_urls(slug)), newest(items)))
            if self.config.channels:
                entries.append(entry(channels_url(lang), self.language_alternates(self.channels_urls()), None))
            if self.rumours(lang):
                entries.append(entry(rumours_url(lang), self.language_alternates(self.rumours_urls()),
                                     newest(self.rumours(lang))))
            if self.site.references:
                entries.append(entry(f"/{lang}/statements/", self.language_alternates(
                    {code: f"/{code}/statements/" for code in self.config.language_codes}),
                    newest(self.statements(lang))))
                entries.append(entry(f"/{lang}/check/", self.language_alternates(
                    {code: f"/{code}/check/" for code in self.config.language_codes}), None))
        for page in everything:
            if self.config.from_ministry(page):  # its canonical address is the ministry's: a sitemap lists its own
                continue
            entries.append(entry(page.url, self.language_alternates(self.item_urls(page)), newest([page])))
        return entries
