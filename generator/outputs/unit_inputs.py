"""What each unit of rendering work is made from: its stable key and the digest of its inputs.

The engine makes a unit again exactly when that digest changed (generator/outputs/templates.py). A digest
covers the site-wide inputs (config, templates, code, time zone rules, a language's UI strings, menu and
alerts) and, per page it shows, either everything the page holds (``full_key``) or what a listing shows of
it (``listed_key``).

A unit's digest joins the site-wide digest of its scope (the site's, its language's, or none) to a digest
of its other inputs. A resident preview keeps, for each unit, that second digest and which pages' keys it
read (``DigestMemo``). When the next build's *frame* (everything those other inputs hold besides page keys:
the config, which pages exist in which order, their status, listings, tags, feeds, references,
translations) is the same, only the units that read a changed page's key work out their inputs again; the
others join their kept digest to today's site-wide one. A body edit then reads a dozen units' inputs, not
7,000; a template edit reads none (one hash a unit).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from jinja2 import Environment, TemplateError

from ..assembly.site import Swap, event_is_upcoming, paginate
from ..core.cache import code_digest
from ..core.clock import CLOCK_WORDS
from ..core.model import SECTIONS, Page, Site
from ..core.units import Unit
from ..sources.i18n import Catalog
from .cards import Card, CardStyle, card_digest
from .feeds import FeedSpec, feed_updated
from .register import statements as register_statements
from .urls import SiteUrls

# Template names an item page may be rendered with; any other template that mentions a body makes
# lists depend on bodies too (see UnitInputs.listed_key).
ITEM_TEMPLATES = frozenset({"item.html", *(f"{section}.html" for section in SECTIONS)})
BODY_WORDS = re.compile(r"body_html|headings|\bwords\b|source_hash")

#: A page key a digest read: ("full", URL) for everything the page holds (its share card too), ("listed", URL)
#: for what a listing shows of it.
Read = tuple[Literal["full", "listed"], str]


@dataclass(frozen=True)
class DigestMemo:
    """One build's unit digests and what each read, for the next build of the same process (the preview's)."""

    frame: str
    pages: Mapping[str, tuple[str, str]]  # page URL → (full key with its card, listed key)
    # unit key → (the site-wide digest it takes: "site", a language, or "" for none; the digest of the rest of its
    # inputs; the page keys it read)
    units: Mapping[str, tuple[str, str, frozenset[Read]]]
    basis: Basis | None = None  # what the frame, the page keys and the feeds were worked out from
    keys: Mapping[Unit, str] = field(default_factory=dict)  # each unit's key (the same while the basis holds)
    # the site-wide digests the units were joined to, and each unit's joined digest: the same again while both are
    scopes: tuple[str, Mapping[str, str]] = ("", {})
    joined: Mapping[str, str] = field(default_factory=dict)
    plan: Plan | None = None  # the build's units, in order, and which of them read each page key


@dataclass(frozen=True)
class Plan:
    """A build's units in output order and their keys; a next build with the same frame has the same units (the
    frame holds every page, list, tag, feed and card there is) and takes them from here, digesting again only the
    units that read a changed page key (``readers``), not 12,000 units at 3,000 items per language."""

    shape: tuple[object, ...]  # the renderer's settings that also decide which units there are (search, cards)
    units: tuple[Unit, ...]
    keys: tuple[str, ...]
    # page key read → the positions of the units that read it; worked out when a build first needs it
    readers: Mapping[Read, tuple[int, ...]] | None = None


@dataclass(frozen=True, eq=False)
class Basis:
    """What a build's frame, page keys and feeds were worked out from. The same site (a template-only edit keeps
    what was assembled), strings and settings give the same frame, keys and feeds, which the next build then does
    not work out again (0.2 s at 3000 items per language)."""

    site: Site
    catalog: Catalog
    feeds: list[FeedSpec]
    settings: tuple[object, ...]  # cards, card style, key, prefix, zone rules and years, code, bodies in lists

    def holds(self, site: Site, catalog: Catalog) -> bool:
        """Whether ``site`` is this one but for its clock (a preview's kept upstream is the last build's site at a
        later clock that crossed no page's boundary: the same statuses, upcoming events and lists), with the same
        strings."""
        return self.catalog is catalog and site.is_at_later_clock(self.site)


class UnitInputs:
    """The keys and input digests of one Site's units (memoized per build)."""

    def __init__(self, site: Site, env: Environment, catalog: Catalog, urls: SiteUrls, feeds: list[FeedSpec],
                 cards: Mapping[str, Card], card_style: CardStyle | None, fingerprint: str, prefix: str,
                 zone_rules: bytes, zone_digest: str, code: str = "", previous: DigestMemo | None = None,
                 track: bool = False, swap: Swap | None = None):
        self.site, self.env, self.catalog, self.urls, self.feeds = site, env, catalog, urls, feeds
        self.config = site.config
        self.cards, self.card_style, self.fingerprint, self.prefix = cards, card_style, fingerprint, prefix
        self._zone_rules, self._zone_digest = zone_rules, zone_digest
        self.code = code or code_digest()  # read once: every unit's digest holds it
        self._full: dict[int, str] = {}
        self._listed: dict[int, str] = {}
        self._keys: dict[Unit, str] = {}
        self._bodies_in_lists = True
        self._language_digests: dict[str, str] = {}
        self.site_digest = self._site_digest()
        # the preview's: what each digest reads, so that the next build digests only the units a change reached
        self._track = track or previous is not None
        self._reads: set[Read] | None = None
        self._digests: dict[str, tuple[str, str, frozenset[Read]]] = {}
        self._changed: set[Read] | None = None
        self._previous_units: Mapping[str, tuple[str, str, frozenset[Read]]] = {}
        self._joined: dict[str, str] = {}
        # the last build's joined digests, when it joined them to the same site-wide digests (a body edit's)
        self._previous_joined: Mapping[str, str] = previous.joined if previous is not None and \
            previous.scopes == (self.site_digest, self._language_digests) else {}
        self._frame: str | None = None
        self._page_keys: Mapping[str, tuple[str, str]] | None = None
        self._previous_plan: Plan | None = None  # the last build's, while the frame is the same
        self._plan: Plan | None = None
        basis = Basis(site, catalog, feeds, (self.cards, repr(card_style), fingerprint, prefix, zone_rules,
                                             zone_digest, self.code, self._bodies_in_lists))
        self._basis = basis if self._track else None
        if previous is not None and previous.basis is not None and previous.basis.holds(site, catalog) \
                and previous.basis.settings == basis.settings:
            # the same site, strings and settings as the last build (only templates changed): the same frame and
            # page keys, and no page key changed
            self._frame, self._page_keys = previous.frame, previous.pages
            self._changed, self._previous_units = set(), previous.units
            self._keys = dict(previous.keys)
        elif previous is not None and previous.basis is not None and swap is not None \
                and previous.basis.site is swap.before and previous.basis.catalog is catalog \
                and previous.basis.settings == basis.settings and site.stale == swap.before.stale \
                and site.references == swap.before.references:
            # the last build's site with bodies edited (the same pages, lists, feeds, statuses, staleness and
            # references, some pages new objects): the same frame, and only the new pages' keys worked out again
            self._frame, self._previous_units = previous.frame, previous.units
            self._keys = dict(previous.keys)  # the same pages, in the same places, and the same feeds
            keys = dict(previous.pages)
            self._changed = set()
            for page in swap.pages.values():
                was = keys.get(page.url, ("", ""))
                keys[page.url] = fresh = (self.full_key(page) + repr(self.cards.get(page.url)), self.listed_key(page))
                if fresh[0] != was[0]:
                    self._changed.add(("full", page.url))
                if fresh[1] != was[1]:
                    self._changed.add(("listed", page.url))
            self._page_keys = keys
        elif self._track:
            self._frame, self._page_keys = self.frame(), self.page_keys()
        if self._changed is None and previous is not None and previous.frame == self._frame \
                and self._page_keys is not None:
            now, before = self._page_keys, previous.pages
            changed: set[Read] = {("full", url) for url, keys in now.items() if before.get(url, ("", ""))[0] != keys[0]}
            changed.update(("listed", url) for url, keys in now.items() if before.get(url, ("", ""))[1] != keys[1])
            self._changed = changed
            self._previous_units = previous.units
        if self._changed is not None and previous is not None:
            self._previous_plan = previous.plan

    # -------------------------------------------------------------- site-wide
    def _template_sources(self) -> list[tuple[str, str]]:
        loader = self.env.loader
        sources = []
        if loader is not None:
            for name in sorted(loader.list_templates()):
                try:
                    sources.append((name, loader.get_source(self.env, name)[0]))
                except TemplateError:
                    continue
        return sources

    def _site_digest(self) -> str:
        """What every page depends on besides its own items: config, templates, and per language its UI
        strings, menu and alerts (``self._language_digests``); this digest covers every language (the sitemap).

        A page in one language shows that language's strings (falling back to the default language's), menu
        and alerts only, so a translator's new ``i18n/az.yml`` re-renders the Azerbaijani pages, not all.
        The clock enters only when a template mentions it (the default theme does not), so a nightly
        build with a later clock can still reuse unchanged pages.
        """
        digest = hashlib.sha256(repr((self.config, self.fingerprint, bool(self.site.references))).encode())
        digest.update(self.code.encode())  # another legation or library version may render differently
        digest.update(f"{self.config.timezone}\0".encode() + self._zone_rules)  # a system tzdata update
        sources = self._template_sources()
        digest.update(repr(sources).encode())
        if any(CLOCK_WORDS.search(text) for _, text in sources):
            digest.update(self.site.now.isoformat().encode())
        common = digest.hexdigest()
        self._language_digests = {
            lang: hashlib.sha256(repr((common, sorted(self.catalog.effective(lang).items()),
                                       self.site.menus.get(lang, ()), self.site.alerts.get(lang, ()))).encode()
                                 ).hexdigest()
            for lang in self.config.language_codes
        }
        # Lists, tags and the sitemap show page metadata only, unless a template other than an item
        # page's reaches for a body: then they depend on the bodies too.
        self._bodies_in_lists = any(BODY_WORDS.search(text) for name, text in sources
                                    if name.rsplit(":", 1)[-1] not in ITEM_TEMPLATES)
        return hashlib.sha256(repr((common, sorted(self._language_digests.items()))).encode()).hexdigest()

    def language_digest(self, lang: str) -> str:
        """What every page in ``lang`` depends on besides its own items (see _site_digest)."""
        return self._language_digests.get(lang, self.site_digest)

    # -------------------------------------------------------------- per page
    def full_key(self, page: Page) -> str:
        """Digest of everything one page holds (memoized per build)."""
        if self._reads is not None:
            self._reads.add(("full", page.url))
        found = self._full.get(id(page))
        if found is None:
            found = self._full[id(page)] = page.fingerprint
        return found

    def listed_key(self, page: Page) -> str:
        """Digest of what a list, tag page or sitemap shows of a page: metadata, status, upcoming."""
        if self._reads is not None:
            self._reads.add(("listed", page.url))
        found = self._listed.get(id(page))
        if found is None:
            if self._bodies_in_lists:
                shown = self.full_key(page)
            else:  # the digest parse_cached worked out, or one of the same fields
                shown = page.meta or repr(replace(page, body_html="", headings=(), words=0, source_hash=""))
            found = self._listed[id(page)] = hashlib.sha256(repr((
                shown, self.site.page_status(page), event_is_upcoming(page, self.site.now),
            )).encode()).hexdigest()
        return found

    def card(self, page: Page) -> Card | None:
        """The page's share card as planned (part of its full key for the digests that read it)."""
        if self._reads is not None:
            self._reads.add(("full", page.url))
        return self.cards.get(page.url)

    def item_digest(self, page: Page) -> str:
        """The inputs of one item page: its language's digest, the page and every translation of it, status and
        staleness."""
        return self._join(page.lang, self._item_parts(page))

    def _item_parts(self, page: Page) -> str:
        group = [(code, self.full_key(other)) for code, other in sorted(self.site.translations_of(page).items())]
        key = (self.full_key(page), group, self.site.references.get(page.key), self.card(page),
               self.site.page_status(page),
               self.site.stale.get((page.section, page.slug, page.lang), False),
               event_is_upcoming(page, self.site.now))
        return hashlib.sha256(repr(key).encode()).hexdigest()

    # -------------------------------------------------------------- per unit
    def unit_key(self, unit: Unit) -> str:
        """A name for a unit that stays the same across builds (indexes do not)."""
        found = self._keys.get(unit)
        if found is None:
            if unit.kind in ("item", "ics", "card"):
                found = f"{unit.kind}:{self.site.pages[unit.number].url}"
            elif unit.kind == "feed":
                found = f"feed:{self.feeds[unit.number].folder}"
            elif unit.kind == "list":
                found = f"list:{unit.lang}:{unit.name}:{unit.number}"
            else:
                found = ":".join(part for part in (unit.kind, unit.lang, unit.name) if part)
            self._keys[unit] = found
        return found

    def unit_digest(self, unit: Unit) -> str | None:
        """Digest of everything a unit's files are made from: the site-wide digest of its scope (the site's, its
        language's, or none) joined to the digest of the rest (``_parts``). In the preview the rest is the last
        build's when the frame is the same and no page key it read changed: a template or UI-string edit then
        costs one hash a unit, not its inputs again."""
        if not self._track:
            return self._join(*self._parts(unit))
        key = self.unit_key(unit)
        if self._changed is not None:
            before = self._previous_units.get(key)
            if before is not None and before[2].isdisjoint(self._changed):
                self._digests[key] = before
                joined = self._previous_joined.get(key) or self._join(before[0], before[1])
                self._joined[key] = joined
                return joined
        self._reads = set()
        try:
            scope, rest = self._parts(unit)
            self._digests[key] = (scope, rest, frozenset(self._reads))
        finally:
            self._reads = None
        self._joined[key] = joined = self._join(scope, rest)
        return joined

    def plan(self, shape: tuple[object, ...], make_units: Callable[[], list[Unit]]
             ) -> tuple[list[Unit], list[str], list[str | None]]:
        """Every unit, in output order, with its key and input digest. With the last build's frame (and the
        renderer's ``shape``), its units and keys are taken as they were and only the units that read a changed
        page key are digested again; the others keep their digest (joined again to today's site-wide digests
        when a template or UI string changed them)."""
        previous, changed = self._previous_plan, self._changed
        digests: list[str | None]
        if previous is None or changed is None or previous.shape != shape:
            units = make_units()
            digests = [self.unit_digest(unit) for unit in units]
            keys = [self.unit_key(unit) for unit in units]
            self._plan = Plan(shape, tuple(units), tuple(keys)) if self._track else None
            return units, keys, digests
        units, keys = list(previous.units), list(previous.keys)
        readers = previous.readers if previous.readers is not None else self._readers(previous)
        before = self._previous_units
        self._digests = dict(before)
        if self._previous_joined:  # the same site-wide digests: each digest as it was
            self._joined = dict(self._previous_joined)
        else:
            self._joined = {key: self._join(scope, rest) for key, (scope, rest, _) in before.items()}
        joined = self._joined
        digests = [joined[key] for key in keys]
        same_reads = True  # each unit digested again read the same page keys as before (it always should)
        for number in sorted({number for read in changed for number in readers.get(read, ())}):
            digests[number] = self.unit_digest(units[number])
            same_reads = same_reads and self._digests[keys[number]][2] == before[keys[number]][2]
        self._plan = replace(previous, readers=readers if same_reads else None)
        return units, keys, digests

    def _readers(self, plan: Plan) -> Mapping[Read, tuple[int, ...]]:
        """Page key → the positions of the units of ``plan`` that read it (from the last build's digests)."""
        found: dict[Read, list[int]] = {}
        units = self._previous_units
        for number, key in enumerate(plan.keys):
            for read in units[key][2]:
                found.setdefault(read, []).append(number)
        return {read: tuple(numbers) for read, numbers in found.items()}

    def _join(self, scope: str, rest: str) -> str:
        base = "" if not scope else self.site_digest if scope == "site" else self.language_digest(scope)
        return hashlib.sha256(f"{base}|{rest}".encode()).hexdigest()

    def memo(self) -> DigestMemo | None:
        """What the next build of this process needs to digest only what a change reached (None untracked)."""
        if self._frame is None or self._page_keys is None:
            return None
        return DigestMemo(self._frame, self._page_keys, dict(self._digests), self._basis, dict(self._keys),
                          (self.site_digest, self._language_digests), dict(self._joined), self._plan)

    def _parts(self, unit: Unit) -> tuple[str, str]:
        """(the scope of the site-wide digest the unit takes, a digest of its other inputs)."""
        kind = unit.kind
        parts: tuple[object, ...]
        site = self.site
        if kind == "root":  # the language chooser and the 404 page: the config and every language's strings
            return "site", ""
        if kind == "item":
            page = site.pages[unit.number]
            return page.lang, self._item_parts(page)
        if kind == "card" and self.card_style is not None:
            card = self.card(site.pages[unit.number])
            assert card is not None  # a card unit is made only for a page with a planned card
            return "", card_digest(card, self.card_style, self.code)
        if kind == "list":
            lang, section, number = unit.lang, unit.name, unit.number
            chunks = paginate(site.listings[(lang, section)], self.config.paginate)
            counts = [len(paginate(site.listings[(code, section)], self.config.paginate))
                      for code in self.config.language_codes]
            parts = (counts, [self.listed_key(p) for p in chunks[number - 1]])
        elif kind == "home":  # what render_home lists
            latest, upcoming, highlights = self.urls.home_lists(unit.lang)
            parts = ([self.listed_key(p) for p in (*latest, *upcoming, *highlights)], len(latest), len(upcoming))
        elif kind == "tag":
            parts = (sorted(self.urls.tag_urls(unit.name)), [self.listed_key(p) for p in site.tags[(unit.lang, unit.name)]])
        elif kind == "tagindex":
            parts = ([(slug, len(items), self.listed_key(items[0]))
                      for (code, slug), items in site.tags.items() if code == unit.lang],)
        elif kind == "channels":  # site.yml's channels, in the language digest
            parts = ()
        elif kind == "rumours":
            parts = ([self.full_key(page) for page in self.urls.rumours(unit.lang)],)
        elif kind == "statements":
            parts = ([(site.references[p.key], self.listed_key(p)) for p in self.urls.statements(unit.lang)],)
        elif kind in ("check", "searchpage"):  # their text and script; what they read is a file of its own
            parts = ()
        elif kind == "search":  # the text of the language's pages found, the indexer's version (not the templates)
            found = [(page.url, self.full_key(page)) for page in site.pages
                     if page.lang == unit.lang and site.page_status(page) == "published"]
            return "", hashlib.sha256(repr((self.code, self.prefix, unit.lang, found)).encode()).hexdigest()
        elif kind == "calendar":
            parts = (self._zone_digest, [(self.full_key(p), event_is_upcoming(p, site.now), site.page_status(p))
                      for p in site.listings[(unit.lang, "events")] if p.event is not None],)
        elif kind == "ics":
            page = site.pages[unit.number]  # STATUS:CANCELLED once a withdrawal passes
            parts = (self._zone_digest, self.full_key(page), site.page_status(page))
        elif kind == "feed":
            spec = self.feeds[unit.number]
            parts = (spec.lang, spec.title, spec.page_path, spec.folder, feed_updated(site, spec),
                     [(self.full_key(p), site.page_status(p)) for p in spec.items])
        elif kind == "register":  # every statement's text and dates, and the key that signs them
            parts = (self.fingerprint, [(site.references[p.key], self.full_key(p), site.page_status(p))
                                        for p in register_statements(site)])
        else:  # sitemap: every page's URL, status and dates (not its body); alternates follow from the set of pages
            parts = ([(self._meta(p), site.page_status(p)) for p in site.pages],)
        if kind in ("home", "list", "tag", "tagindex", "calendar", "channels", "rumours", "statements", "check", "searchpage"):
            scope = unit.lang
        elif kind == "ics":
            scope = site.pages[unit.number].lang
        elif kind == "feed":
            scope = self.feeds[unit.number].lang
        else:  # the sitemap: every language
            scope = "site"
        # the unit's key, not its position: a page added before it must not change its digest
        return scope, hashlib.sha256(repr((self.unit_key(unit), parts)).encode()).hexdigest()

    def _meta(self, page: Page) -> str:
        """The digest of a page's metadata parse_cached worked out, else its full key."""
        if self._reads is not None:
            self._reads.update((("listed", page.url), ("full", page.url)))
        return page.meta or self.full_key(page)

    # -------------------------------------------------------------- the preview's frame
    def page_keys(self) -> dict[str, tuple[str, str]]:
        """Page URL → (its full key with its share card, its listed key), for every page."""
        reads, self._reads = self._reads, None
        try:
            return {page.url: (self.full_key(page) + repr(self.cards.get(page.url)), self.listed_key(page))
                    for page in self.site.pages}
        finally:
            self._reads = reads

    def frame(self) -> str:
        """Digest of everything a unit's digest reads besides the page keys and the site-wide digests: when it is
        the same as the last build's, a unit that read no changed page key has the same other inputs as then."""
        site, urls = self.site, self.urls
        languages = self.config.language_codes
        pages = [(page.url, page.lang, page.key, site.page_status(page), event_is_upcoming(page, site.now),
                  site.stale.get((page.section, page.slug, page.lang), False), site.references.get(page.key),
                  page.event is not None, page.url in self.cards)
                 for page in site.pages]
        translations = [(key, [(code, page.url) for code, page in group.items()])
                        for key, group in site.translations.items()]
        listings = [(key, [page.url for page in found]) for key, found in site.listings.items()]
        tags = [(key, [page.url for page in found]) for key, found in site.tags.items()]
        selections = [(lang, [p.url for p in urls.rumours(lang)], [p.url for p in urls.statements(lang)],
                       [[p.url for p in chosen] for chosen in urls.home_lists(lang)]) for lang in languages]
        feeds = [(spec.lang, spec.title, spec.page_path, spec.folder, feed_updated(site, spec),
                  [p.url for p in spec.items]) for spec in self.feeds]
        register = [p.url for p in register_statements(site)]
        return hashlib.sha256(repr((
            # not the site-wide digests (templates, UI strings): each unit's digest joins them to the rest anew
            self.config, self.code, self.prefix, self.fingerprint, repr(self.card_style), self._zone_digest,
            self._bodies_in_lists, pages, translations, listings, tags, selections, feeds, register,
        )).encode()).hexdigest()
