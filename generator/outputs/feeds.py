"""Site → RSS 2.0 and Atom feeds per language, section and tag (DESIGN §7).

Feeds are made with feedgen. Everything in them derives from the content, never
from the build clock, so a nightly rebuild of unchanged content gives the same
bytes: ids are the items' permalinks, ``lastBuildDate``/``updated`` is the
newest item's date.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from ..assembly.site import absolute_url, list_url, tag_label, tag_slug, tag_url
from ..core.model import OutputFile, Page, Site
from ..sources.i18n import Catalog, format_date

#: Sections with dated items; static pages have no feed.
FEED_SECTIONS: tuple[str, ...] = ("announcements", "events", "investment")
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LINK_ATTR = re.compile(r'(?<=\s)(href|src)="([^"]*)"')  # an attribute of its own, not data-src
#: A start tag, its quoted attribute values read whole (a value may hold ">"); text between tags is left alone,
#: even where raw HTML is allowed and nh3 keeps a quote unescaped in text (`<img src="x">` in a code span).
_START_TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>""")


@dataclass(frozen=True)
class FeedLink:
    """One `<link rel="alternate">` to a feed, for a page's head."""

    title: str
    href: str  # site path
    type: str


@dataclass(frozen=True)
class FeedSpec:
    """One feed in one language, before rendering."""

    lang: str
    title: str
    page_path: str  # site path of the HTML page the feed mirrors
    folder: str  # site path of the folder holding feed.xml and atom.xml
    items: tuple[Page, ...]

    @property
    def rss_path(self) -> str:
        return self.folder + "feed.xml"

    @property
    def atom_path(self) -> str:
        return self.folder + "atom.xml"


def all_feed_folder(lang: str) -> str:
    return f"/{lang}/"


def section_feed_folder(lang: str, section: str) -> str:
    return list_url(lang, section)


def tag_feed_folder(lang: str, tag: str) -> str:
    return tag_url(lang, tag)


def feed_links(spec_title: str, folder: str) -> list[FeedLink]:
    return [FeedLink(f"{spec_title} (RSS)", folder + "feed.xml", RSS_TYPE),
            FeedLink(f"{spec_title} (Atom)", folder + "atom.xml", ATOM_TYPE)]


def all_feed_title(site: Site, catalog: Catalog, lang: str) -> str:
    return site.config.site_title(lang)


def section_feed_title(site: Site, catalog: Catalog, lang: str, section: str) -> str:
    return f"{catalog.get(lang, f'section.{section}')} · {site.config.site_title(lang)}"


def tag_feed_title(site: Site, catalog: Catalog, lang: str, tag: str) -> str:
    return f"{tag_label(site.config, tag, lang)} · {site.config.site_title(lang)}"


def feed_specs(site: Site, catalog: Catalog) -> list[FeedSpec]:
    """Every feed of the site: per language all items, each section, each tag."""
    length = site.config.feed_length
    specs: list[FeedSpec] = []
    for lang in site.config.language_codes:
        alerts = site.alerts.get(lang, ())
        everything = [p for section in FEED_SECTIONS for p in site.listings[(lang, section)]]
        specs.append(FeedSpec(lang, all_feed_title(site, catalog, lang), f"/{lang}/", all_feed_folder(lang),
                              _pinned(alerts, everything, length)))
        for section in FEED_SECTIONS:
            items = list(site.listings[(lang, section)])
            specs.append(FeedSpec(lang, section_feed_title(site, catalog, lang, section), list_url(lang, section),
                                  section_feed_folder(lang, section),
                                  _pinned(alerts if section == "announcements" else (), items, length)))
    for (lang, slug), pages in site.tags.items():
        specs.append(FeedSpec(lang, tag_feed_title(site, catalog, lang, tag_named(pages, slug)), tag_url(lang, slug),
                              tag_feed_folder(lang, slug), _pinned(site.alerts.get(lang, ()), list(pages), length)))
    return specs


def tag_named(pages: tuple[Page, ...], slug: str) -> str:
    """The tag as written in the content, for a tag's URL slug (titles need the name, not the slug)."""
    return next((tag for page in pages for tag in page.tags if tag_slug(tag) == slug), slug)


def _pinned(alerts: tuple[Page, ...], items: list[Page], length: int) -> tuple[Page, ...]:
    """Active alerts first (most severe first), then the rest newest first, cut to ``length``."""
    listed = {id(p) for p in items}  # by identity: comparing whole pages is slow, and equal pages are the same page
    pinned = [p for p in alerts if id(p) in listed]
    shown = {id(p) for p in pinned}
    rest = sorted((p for p in items if id(p) not in shown), key=lambda p: (-published(p).timestamp(), p.section, p.slug))
    return tuple([*pinned, *rest][:length])


def published(page: Page) -> datetime:
    if page.date is not None:
        return page.date
    if page.event is not None:
        return page.event.start
    return page.updated or _EPOCH


def modified(page: Page) -> datetime:
    return max(published(page), page.updated or _EPOCH)


def render_feeds(site: Site, catalog: Catalog, spec: FeedSpec) -> list[OutputFile]:
    """feed.xml (RSS 2.0) and atom.xml for one spec."""
    config = site.config
    page_url = absolute_url(config, spec.page_path)
    rss_url = absolute_url(config, spec.rss_path)
    atom_url = absolute_url(config, spec.atom_path)
    author = {"name": config.site_title(spec.lang), "uri": absolute_url(config, f"/{spec.lang}/")}
    newest = feed_updated(site, spec)
    description = config.description.get(spec.lang) or spec.title

    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(spec.title)
    feed.subtitle(description)
    feed.author(author)
    feed.language(spec.lang)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    feed.generator("legation", uri="https://github.com/legation")
    feed.docs("https://www.rssboard.org/rss-specification")
    feed.ttl(60)
    for page in reversed(spec.items):  # feedgen prepends entries: add oldest first
        entry = feed.add_entry()
        link = absolute_url(config, page.url)
        entry.id(link)
        entry.guid(link, permalink=True)
        entry.title(page.title)
        entry.link(href=link, rel="alternate")
        entry.author(author)
        entry.published(published(page))
        entry.updated(modified(page))
        entry.pubDate(published(page))
        summary = page.summary or page.title
        body = absolute_links(page.body_html, link)
        if page.changes:  # the latest change, in the open: readers of the feed see what was corrected
            change = page.changes[-1]
            note = catalog.text(spec.lang, "history.feed_note", date=format_date(change.at, page.lang, config.timezone),
                                note=change.note)
            summary = f"{note} {summary}"
            body = f"<p><strong>{html.escape(note)}</strong></p>\n{body}"
        entry.summary(summary)
        entry.description(summary)
        entry.content(body, type="html")
        for tag in page.tags:
            entry.category(term=tag, label=tag_label(config, tag, spec.lang))

    def links(self_url: str) -> list[dict[str, str]]:
        # feedgen makes the *last* link the RSS channel <link>: self first, the HTML page last.
        return [{"href": self_url, "rel": "self"}, {"href": page_url, "rel": "alternate"}]

    # One feed object, two serializations: only the self link differs between RSS and Atom.
    feed.link(links(rss_url), replace=True)
    rss = feed.rss_str(pretty=True)
    feed.link(links(atom_url), replace=True)
    atom = feed.atom_str(pretty=True)
    return [OutputFile(spec.rss_path.lstrip("/"), rss), OutputFile(spec.atom_path.lstrip("/"), atom)]


def feed_updated(site: Site, spec: FeedSpec) -> datetime:
    """The feed's own date: its newest entry's, or for an empty feed the newest in the site."""
    return max((modified(p) for p in spec.items), default=None) or _site_newest(site)


def _site_newest(site: Site) -> datetime:
    """For an empty feed: the newest date anywhere in the site, so it is still stable across builds."""
    return max((modified(p) for p in site.pages if p.date or p.updated), default=_EPOCH)


def absolute_links(html: str, base: str) -> str:
    """Feed readers have no base URL: make every href/src in an item's HTML absolute."""
    def attributes(tag: re.Match[str]) -> str:
        return _LINK_ATTR.sub(lambda m: f'{m.group(1)}="{urljoin(base, m.group(2))}"', tag[0])

    return _START_TAG.sub(attributes, html)
