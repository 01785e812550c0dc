"""The Jinja environment (loader chain) and Site → HTML OutputFiles."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..assembly.site import Swap, absolute_url, event_is_upcoming, list_url, paginate, tag_label, tag_slug
from ..core.errors import LegationError, SourceLocation
from ..core.model import SECTIONS, OutputFile, Page, Site
from ..core.parallel import fork_map
from ..core.paths import shown_path
from ..core.units import DrawnFile, Held, Pending, PendingFile, Unit
from ..core.zones import zone_source
from ..sources.i18n import Catalog, format_date, format_datetime, format_time
from ..sources.theme import ThemeChain
from .calendars import (
    calendar_path,
    event_ics_path,
    render_calendar,
    render_event_calendar,
    timezone_component,
    zone_ical,
    zone_years,
)
from .cards import Card, CardStyle, draw_card
from .contexts import Contexts, Pagination, TagLink
from .feeds import (
    FEED_SECTIONS,
    FeedLink,
    all_feed_folder,
    all_feed_title,
    feed_links,
    feed_specs,
    render_feeds,
    section_feed_folder,
    section_feed_title,
    tag_feed_folder,
    tag_feed_title,
)
from .qr import qr_svg
from .register import SigningKey, register_files
from .search import SEARCH_FOLDER, SearchUnavailable, fold_languages, index_files, search_records, search_url
from .seo import home_json_ld, item_json_ld, robots_txt, sitemap_xml
from .unit_inputs import DigestMemo, UnitInputs
from .urls import SiteUrls, channels_url, rumours_url

T = TypeVar("T")


class TemplateFailure(LegationError):
    """A template could not be loaded or rendered."""


def make_environment(root: Path, chain: ThemeChain) -> Environment:
    """Site ``templates/`` first, then the theme and its parents; ``name:file`` reaches a theme directly."""
    loaders: list[Any] = []
    site_templates = root / "templates"
    if site_templates.is_dir():
        loaders.append(FileSystemLoader(str(site_templates)))
    loaders.extend(FileSystemLoader(str(folder)) for folder in chain.template_dirs)
    prefixed = {name: FileSystemLoader(str(folder / "templates")) for name, folder in chain.themes}
    loaders.append(PrefixLoader(prefixed, delimiter=":"))
    # sandboxed: a template reaches no Python internals (``cycler.__init__.__globals__.os`` ran any command), so a
    # theme or a mission's templates/ cannot run code in the build, however the repository is shared
    env = _Sandbox(
        loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # one environment per build, made after the sources are read: no template changes under it, so
        # Jinja need not stat every template file again on each of thousands of renders
        auto_reload=False,
    )
    env.filters.update(date=_date_filter, time=_time_filter, datetime=_datetime_filter, absolute=_absolute_filter)
    return env


def forget_templates(env: Environment, names: set[str], everything: bool = False) -> None:
    """Drop from ``env`` the compiled templates whose files changed since they were compiled (Jinja's own check of
    the file's time, however the template was named: ``./x.html`` or ``x.html``), those called ``names`` (or
    ``theme:name``: a file added in front of another of the same name), or, with ``everything``, all of them: a
    resident preview's environment after template files changed. A template that extends, includes or imports one
    of them asks the environment for it at render time, so needs no dropping."""
    cache = env.cache
    if cache is None:
        return
    if everything:
        cache.clear()
        return
    for cache_key, template in list(cache.items()):
        name = cache_key[1]
        if name in names or name.split(":", 1)[-1] in names or not template.is_up_to_date:
            with contextlib.suppress(KeyError):  # dropped meanwhile by the cache's own limit
                del cache[cache_key]


def syntax_failure(exc: TemplateSyntaxError, name: str, root: Path | None) -> LegationError:
    """A template's syntax error, located: its file (from the site's root when it is the site's own) and line."""
    shown = exc.filename or exc.name or name
    if root is not None and Path(shown).is_absolute():
        shown = shown_path(Path(shown), root)
    return TemplateFailure.at(SourceLocation(shown, exc.lineno or 0), f"template syntax error: {exc.message}",
                              "fix the template", "template")


def compile_templates(env: Environment, names: Iterable[str], root: Path) -> None:
    """Compile the templates ``names`` now (a resident preview's templates whose files changed), so that a syntax
    error fails the build that follows the save, located, rather than each page later (the save was told as
    built, and every page then answered with the error). Raises TemplateFailure."""
    for name in sorted(names):
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            raise syntax_failure(exc, name, root) from None
        except TemplateError:  # not found: a file removed, or one no name reaches; told where a page uses it
            continue


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, where a template can change none of the lists, dicts and sets it is given (a resident
    preview or builder keeps the site it assembled across builds: ``config.title.update(...)`` in a template
    would outlive the template), remembering its verdict on each (type, attribute name): the verdict depends on nothing
    else (``jinja2.sandbox.is_internal_attribute`` tests the object's type and the name), and a page reads some
    150 attributes, each checked anew (a tenth of a build's render time at 1000 items per language)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


@pass_context
def _absolute_filter(ctx: Any, value: str, base: str = "/") -> str:
    """An absolute URL for ``value`` read relative to the site path ``base`` (e.g. a bundle image)."""
    return urljoin(absolute_url(ctx["config"], base), value)


@pass_context
def _date_filter(ctx: Any, value: datetime | None, fmt: str = "long") -> str:
    return format_date(value, ctx["lang"], ctx["config"].timezone, fmt) if value else ""


@pass_context
def _time_filter(ctx: Any, value: datetime | None, tz: str | None = None) -> str:
    return format_time(value, ctx["lang"], tz or ctx["config"].timezone) if value else ""


@pass_context
def _datetime_filter(ctx: Any, value: datetime | None) -> str:
    return format_datetime(value, ctx["lang"], ctx["config"].timezone) if value else ""


def output_path(url: str) -> str:
    """'/en/events/x/' → 'en/events/x/index.html'."""
    path = url.strip("/")
    return f"{path}/index.html" if path else "index.html"


#: Units whose files are a function of their key alone (not the search index, whose file names are digests of its
#: content): the preview may make them after the reload, under the paths they had.
LAZY_KINDS = frozenset({"root", "home", "list", "tag", "tagindex", "channels", "rumours", "statements", "check",
                        "searchpage", "card", "calendar", "ics", "feed", "sitemap", "register", "item"})


class Renderer:
    """Renders every HTML page of one Site with one environment and catalog.

    ``reuse`` (unit key → (input digest, output paths) of the previous build, whose files are in
    ``previous_dir``, listed with their SHA-256 in ``previous_files``) lets a page, list, feed or calendar
    whose inputs did not change be taken from the previous output instead of rendered again.
    """

    def __init__(self, site: Site, env: Environment, catalog: Catalog,
                 reuse: Mapping[str, tuple[str, list[str]]] | None = None, previous_dir: str = "",
                 previous_files: Mapping[str, str] | None = None, root: Path | None = None, fingerprint: str = "",
                 search: bool = False, cards: Mapping[str, Card] | None = None, card_style: CardStyle | None = None,
                 raqm: bool = True, previous_outputs: Mapping[str, Held] | None = None,
                 defer: frozenset[str] = frozenset(), signing: SigningKey | None = None, code: str = "",
                 digests: DigestMemo | None = None, track: bool = False, draw_on_request: bool = False,
                 swap: Swap | None = None):
        self.site, self.env, self.catalog = site, env, catalog
        # the previous build's files held in memory (the preview's), reused as they are; else read from previous_dir
        self.previous_outputs = previous_outputs
        # kinds of unit whose changed files may follow later (the preview's search index): render_into keeps their
        # previous files and lists them in ``deferred``; render_deferred makes them
        self.defer = defer
        self.deferred: list[tuple[Unit, str | None]] = []
        self.cards, self.card_style, self.raqm = (cards or {}) if card_style else {}, card_style, raqm
        self.draw_on_request = draw_on_request  # the preview's: cards are no units, see drawn_cards
        self.search = search  # Pagefind is there and site.yml wants search: a search page per language and its index
        self.fingerprint = fingerprint  # of the key that signs statements.json, shown where readers check
        self.signing = signing  # that key
        self.root = root  # template errors name a site template by its path from here
        self.previous_files = previous_files or {}
        self.reuse, self.previous_dir = reuse or {}, previous_dir
        self.config = site.config
        self.urls = SiteUrls(site)
        self.prefix = urlsplit(site.config.base_url).path.rstrip("/")
        # the last build's feeds when it had the same site and strings (a template-only edit keeps both), or that
        # site with bodies edited (``swap``: the same items in every feed, some of them new objects)
        kept = digests.basis if digests is not None else None
        if kept is not None and kept.holds(site, catalog):
            self.feeds = kept.feeds
        elif kept is not None and swap is not None and kept.site is swap.before and kept.catalog is catalog:
            self.feeds = [replace(spec, items=tuple(swap.pages.get(id(page), page) for page in spec.items))
                          for spec in kept.feeds]
        else:
            self.feeds = feed_specs(site, catalog)
        # Pages show times in the site's zone: every page depends on its rules (in the site digest), read once
        # here; every calendar also on the years its VTIMEZONE covers. The VTIMEZONE itself is made only when
        # a calendar is rendered (see zone), from these same bytes, as it is slow to make and serialize.
        self._zone_rules = zone_source(site.config.timezone)[1]
        self._zone: bytes | None = None
        self._chosen: dict[tuple[str, ...], Template] = {}  # candidate names → the template they resolve to
        self._state: dict[str, tuple[str, list[str]]] = {}
        self._card_bases: dict[str, Any] = {}  # per language, a card's background and heading, drawn once
        # what each unit is made from (``digests``: the previous build's in this process, the preview's; ``track``:
        # keep what each digest read, for the next)
        self.contexts = Contexts(site, catalog, self.urls, self.cards, search, self.prefix)
        self.inputs = UnitInputs(site, env, catalog, self.urls, self.feeds, self.cards, card_style, fingerprint,
                                 self.prefix, self._zone_rules, repr(zone_years(site)), code, digests, track, swap)

    @property
    def zone(self) -> bytes:
        """The site's VTIMEZONE as every calendar holds it (b"" without events), made on first use."""
        if self._zone is None:
            self._zone = zone_ical(timezone_component(self.site, self._zone_rules))
        return self._zone

    def _render(self, names: list[str], url: str, context: dict[str, Any], path: str | None = None) -> OutputFile:
        try:
            html = self._template(names).render(context)
        except TemplateSyntaxError as exc:
            raise syntax_failure(exc, names[0], self.root) from None
        except TemplateError as exc:
            line, name = _template_line(exc)
            raise TemplateFailure.at(SourceLocation(self._shown(name or names[0]), line),
                                     f"template error while rendering {url}: {exc}",
                                     "check the variable names against docs/themes.md", "template") from None
        except LegationError:
            raise
        except Exception as exc:
            # a template's own mistake at run time ({{ page.date | date("%d") }} on a date, a division by zero):
            # told where it is, as a syntax error is, never as a traceback
            line, name = _template_line(exc)
            raise TemplateFailure.at(SourceLocation(self._shown(name or names[0]), line),
                                     f"template error while rendering {url}: {type(exc).__name__}: "
                                     f"{exc or 'a filter or an operation was given a value it cannot take'}",
                                     "check what the template does with that value against docs/themes.md",
                                     "template") from None
        return OutputFile(path or output_path(url), html.encode("utf-8"))

    def _shown(self, filename: str) -> str:
        """A template's file as an error names it: from the site's root when it is the site's own."""
        return shown_path(Path(filename), self.root) if self.root is not None and Path(filename).is_absolute() else filename

    def _template(self, names: list[str]) -> Template:
        """The first of ``names`` that exists, looked up once per build: Jinja caches the templates it
        finds but asks every loader again, by raising and catching TemplateNotFound, for each miss."""
        key = tuple(names)
        found = self._chosen.get(key)
        if found is None:
            found = self._chosen[key] = self.env.select_template(names)
        return found

    # -------------------------------------------------------------- pages
    def units(self) -> list[Unit]:
        """Independent pieces of rendering work, in output order (for workers)."""
        work: list[Unit] = [Unit("root")]
        for lang in self.config.language_codes:
            work.append(Unit("home", lang))
            for section in SECTIONS:
                chunks = paginate(self.site.listings[(lang, section)], self.config.paginate)
                work.extend(Unit("list", lang, section, number) for number in range(1, len(chunks) + 1))
            work.extend(Unit("tag", lang, slug) for (code, slug) in self.site.tags if code == lang)
            work.append(Unit("tagindex", lang))
            work.append(Unit("calendar", lang))
            if self.config.channels:
                work.append(Unit("channels", lang))
            if self.urls.rumours(lang):
                work.append(Unit("rumours", lang))
            if self.site.references:
                work.append(Unit("statements", lang))
                work.append(Unit("check", lang))
        if self.search:  # the indexes first: the longest single pieces of work, one per language
            work[:0] = [Unit("search", lang) for lang in self.urls.search_languages()]
            work.extend(Unit("searchpage", lang) for lang in self.config.language_codes)
        work.extend(Unit("item", number=index) for index in range(len(self.site.pages)))
        if not self.draw_on_request:
            work.extend(Unit("card", number=index) for index, page in enumerate(self.site.pages)
                        if page.url in self.cards)
        work.extend(Unit("ics", number=index) for index, page in enumerate(self.site.pages) if page.event is not None)
        work.extend(Unit("feed", number=index) for index in range(len(self.feeds)))
        work.append(Unit("sitemap"))
        if self.site.references:
            work.append(Unit("register"))
        return work

    def render_unit(self, unit: Unit) -> list[OutputFile]:
        """The files of one unit: taken from the previous output when its inputs did not change."""
        main, extra = self._unit_outputs(unit, self.inputs.unit_digest(unit))
        return [*main, *extra]

    def _reusable(self, unit: Unit, digest: str | None) -> list[str] | None:
        """The previous build's files of ``unit`` when its inputs are unchanged, else None."""
        previous = self.reuse.get(self.inputs.unit_key(unit))
        if digest is not None and (self.previous_dir or self.previous_outputs is not None) and previous is not None \
                and previous[0] == digest:
            return previous[1]
        return None

    def _previous(self, paths: list[str]) -> list[OutputFile]:
        """The previous output folder's files (the preview's held files are taken by render_held itself)."""
        return [OutputFile(path, copy_from=f"{self.previous_dir}/{path}", digest=self.previous_files.get(path, ""))
                for path in paths]

    def _unit_outputs(self, unit: Unit, digest: str | None) -> tuple[list[OutputFile], list[OutputFile]]:
        """(rendered or reused files, files that go with them: none since bundle files are published once, by
        generator/media.py)."""
        extra: list[OutputFile] = []
        previous = self._reusable(unit, digest)
        if previous is not None:
            return self._previous(previous), extra
        return self._fresh(unit), extra

    def _fresh(self, unit: Unit) -> list[OutputFile]:
        kind = unit.kind
        if kind == "root":
            return list(self.render_root())
        if kind == "home":
            return [self.render_home(unit.lang)]
        if kind == "list":
            return [self.render_list_page(unit.lang, unit.name, unit.number)]
        if kind == "tag":
            return [self.render_tag(unit.lang, unit.name)]
        if kind == "tagindex":
            return [self.render_tags_index(unit.lang)]
        if kind == "channels":
            return [self.render_channels(unit.lang)]
        if kind == "rumours":
            return [self.render_rumours(unit.lang)]
        if kind == "statements":
            return [self.render_statements(unit.lang)]
        if kind == "check":
            return [self.render_check(unit.lang)]
        if kind == "searchpage":
            return [self.render_search_page(unit.lang)]
        if kind == "card" and self.card_style is not None:
            return [draw_card(self.cards[self.site.pages[unit.number].url], self.card_style, self.raqm, self._card_bases)]
        if kind == "search":  # one Pagefind bundle per language, under pagefind/<lang>/
            try:
                return index_files(search_records(self.site, self.prefix, unit.lang), f"{SEARCH_FOLDER}/{unit.lang}")
            except SearchUnavailable as exc:
                raise LegationError.at(SourceLocation("site.yml"), f"the search index could not be made: {exc}",
                                       "build without search (search: false in site.yml), or install legation "
                                       "again so that Pagefind's binary is there (pip install .)", "search") from None
        if kind == "calendar":
            return [render_calendar(self.site, self.catalog, unit.lang, self.zone)]
        if kind == "ics":
            return [render_event_calendar(self.site, self.catalog, self.site.pages[unit.number], self.zone)]
        if kind == "feed":
            return render_feeds(self.site, self.catalog, self.feeds[unit.number])
        if kind == "sitemap":
            return [sitemap_xml(self.urls.sitemap_entries()), robots_txt(self.site)]
        if kind == "register":
            return register_files(self.site, self.signing)
        return [self.render_item(self.site.pages[unit.number])]

    def render_all(self, jobs: int = 1) -> list[OutputFile]:
        """Every page, feed and calendar, in memory; identical for any number of ``jobs``."""
        return self.render_into(lambda output: output, jobs)

    def render_into(self, sink: Callable[[OutputFile], T], jobs: int = 1) -> list[T]:
        """Every page, feed and calendar, each handed to ``sink`` where it was made (in a worker with ``jobs`` > 1).

        With a sink that writes the file and returns a small record, no process holds the whole site.
        Digests are computed here, before workers fork, so that each is computed once; afterwards
        ``unit_state()`` holds what the next build needs to reuse this one's files.
        """
        units, keys, digests, kept = self._plan()
        if any(unit.kind in ("ics", "calendar") and paths is None for unit, paths in zip(units, kept, strict=True)):
            _ = self.zone  # made here, once, before the workers fork, rather than once in each

        def work(task: tuple[Unit, str | None]) -> tuple[list[str], list[T]]:
            main, extra = self._unit_outputs(*task)
            return [output.path for output in main], [sink(output) for output in (*main, *extra)]

        # only the units to render go to the workers; reused files are placed here (nothing to ship back)
        fresh = [number for number, paths in enumerate(kept) if paths is None]
        made = dict(zip(fresh, fork_map(work, [(units[n], digests[n]) for n in fresh], jobs if len(fresh) > 16 else 1),
                        strict=True))
        chunks = [made[number] if paths is None else (paths, [sink(output) for output in self._previous(paths)])
                  for number, paths in enumerate(kept)]
        self._state = {key: (digest, paths)
                       for key, digest, (paths, _) in zip(keys, digests, chunks, strict=True) if digest is not None}
        return [made for _, outputs in chunks for made in outputs]

    def _plan(self) -> tuple[list[Unit], list[str], list[str | None], list[list[str] | None]]:
        """Every unit, its key and input digest, and its previous files when they are still what it makes."""
        units, keys, digests = self.inputs.plan((self.search, self.draw_on_request, bool(self.card_style)),
                                                self.units)
        self.deferred = []
        kept: list[list[str] | None] = []
        reuse, usable = self.reuse, bool(self.previous_dir) or self.previous_outputs is not None
        for number, key in enumerate(keys):
            before = reuse.get(key)
            digest = digests[number]
            if before is None or digest is None or not usable:
                kept.append(None)
                continue
            if before[0] != digest and units[number].kind in self.defer:
                self.deferred.append((units[number], digest))
                digests[number] = digest = before[0]  # its previous files now, the new ones later; the next build
            kept.append(before[1] if before[0] == digest else None)  # compares with the previous digest, so it is
        return units, keys, digests, kept  # still due then

    def render_held(self) -> list[Held]:
        """The preview's render, into memory: unchanged units' files as the preview holds them; a changed unit
        that made files before is pending under the same paths (made when first asked for, or by the preview's
        after-work); a unit new to this build is made now."""
        assert self.previous_outputs is not None
        units, keys, digests, kept = self._plan()
        held: list[Held] = []
        state: dict[str, tuple[str, list[str]]] = {}
        for unit, key, digest, paths in zip(units, keys, digests, kept, strict=True):
            before = self.reuse.get(key)
            if paths is not None:
                files: list[Held] = [self.previous_outputs[path] for path in paths]
            elif before is not None and unit.kind in LAZY_KINDS:
                pending = Pending(functools.partial(self._fresh, unit))
                paths = before[1]
                files = [PendingFile(path, pending) for path in paths]
            else:
                made = self._fresh(unit)
                paths, files = [output.path for output in made], list(made)
            if digest is not None:
                state[key] = (digest, paths)
            held.extend(files)
        self._state = state
        return held

    def drawn_cards(self) -> list[DrawnFile]:
        """With ``draw_on_request`` (a resident preview), every share card as a file drawn when asked for."""
        style = self.card_style
        if not self.draw_on_request or style is None:
            return []
        return [DrawnFile(card.path, (card, style.digest, self.raqm),
                          functools.partial(draw_card, card, style, self.raqm, self._card_bases))
                for card in (self.cards[page.url] for page in self.site.pages if page.url in self.cards)]

    def render_deferred(self) -> list[tuple[str, str | None, list[OutputFile]]]:
        """The deferred units rendered now: (unit key, input digest, files) each."""
        return [(self.inputs.unit_key(unit), digest, self._fresh(unit)) for unit, digest in self.deferred]

    def unit_state(self) -> dict[str, tuple[str, list[str]]]:
        """Unit key → (input digest, output paths) of everything render_all made (for the next build)."""
        return dict(self._state)

    def render_root(self) -> Iterator[OutputFile]:
        homes = self.urls.home_urls()
        default = self.config.default_language
        others = [link for code in self.config.language_codes if code != default
                  for link in feed_links(all_feed_title(self.site, self.catalog, code), all_feed_folder(code))]
        context = self.contexts.base(default, "/", self.urls.root_alternates(), homes, "chooser", self.config.site_title(default),
                             feeds=others)
        context["homes"] = [(lang, f"/{lang.code}/", self.config.site_title(lang.code)) for lang in self.config.languages]
        yield self._render(["chooser.html"], "/", context)
        context404 = self.contexts.base(default, "/404.html", [], homes, "404", self.catalog.get(default, "not_found"))
        context404["homes"] = context["homes"]
        context404["indexable"] = False
        yield self._render(["404.html"], "/404.html", context404, "404.html")

    def render_home(self, lang: str) -> OutputFile:
        homes = self.urls.home_urls()
        context = self.contexts.base(lang, f"/{lang}/", self.urls.root_alternates(), homes, "home",
                             self.config.site_title(lang), json_ld=home_json_ld(self.site, lang),
                             calendar_url=calendar_path(lang))
        latest, upcoming, highlights = self.urls.home_lists(lang)
        context.update(latest=latest, upcoming=upcoming, highlights=highlights)
        return self._render(["home.html"], f"/{lang}/", context)

    def _section_feeds(self, lang: str, section: str) -> list[FeedLink]:
        if section not in FEED_SECTIONS:
            return []
        return feed_links(section_feed_title(self.site, self.catalog, lang, section), section_feed_folder(lang, section))

    def render_list(self, lang: str, section: str) -> Iterator[OutputFile]:
        """Every page of one section's listing."""
        chunks = paginate(self.site.listings[(lang, section)], self.config.paginate)
        for number in range(1, len(chunks) + 1):
            yield self.render_list_page(lang, section, number)

    def render_list_page(self, lang: str, section: str, number: int) -> OutputFile:
        chunks = paginate(self.site.listings[(lang, section)], self.config.paginate)
        items = chunks[number - 1]
        url = list_url(lang, section, number)
        title = self.catalog.get(lang, f"section.{section}")
        context = self.contexts.base(lang, url, self.urls.language_alternates(self.urls.list_urls(section, number)),
                             {code: list_url(code, section) for code in self.config.language_codes}, "list", title,
                             feeds=self._section_feeds(lang, section),
                             calendar_url=calendar_path(lang) if section == "events" else "")
        context.update(
            section=section, current_section=section, items=items,
            upcoming_items=[p for p in items if event_is_upcoming(p, self.site.now)],
            past_items=[p for p in items if not event_is_upcoming(p, self.site.now)],
            pagination=Pagination(number, len(chunks),
                                  list_url(lang, section, number - 1) if number > 1 else None,
                                  list_url(lang, section, number + 1) if number < len(chunks) else None),
        )
        return self._render([f"list-{section}.html", "list.html"], url, context)

    def render_tags(self, lang: str) -> Iterator[OutputFile]:
        """Every tag page of ``lang`` and the tag index."""
        for (tag_lang, slug) in self.site.tags:
            if tag_lang == lang:
                yield self.render_tag(lang, slug)
        yield self.render_tags_index(lang)

    def _tag_name(self, lang: str, slug: str) -> str:
        items = self.site.tags[(lang, slug)]
        return items[0].tags[[tag_slug(t) for t in items[0].tags].index(slug)]

    def render_tag(self, lang: str, slug: str) -> OutputFile:
        items = self.site.tags[(lang, slug)]
        tag = self._tag_name(lang, slug)
        urls = self.urls.tag_urls(slug)
        label = tag_label(self.config, tag, lang)
        url = f"/{lang}/tags/{slug}/"
        feeds = feed_links(tag_feed_title(self.site, self.catalog, lang, tag), tag_feed_folder(lang, slug))
        context = self.contexts.base(lang, url, self.urls.language_alternates(urls), urls, "tag", label, feeds=feeds)
        context.update(tag=tag, label=label, items=items)
        return self._render(["tag.html"], url, context)

    def render_tags_index(self, lang: str) -> OutputFile:
        entries = [TagLink(tag_label(self.config, self._tag_name(lang, slug), lang), f"/{lang}/tags/{slug}/", len(items))
                   for (tag_lang, slug), items in self.site.tags.items() if tag_lang == lang]
        index_urls = self.urls.tags_index_urls()
        context = self.contexts.base(lang, f"/{lang}/tags/", self.urls.language_alternates(index_urls), index_urls, "tags",
                             self.catalog.get(lang, "tags"))
        context["tags"] = sorted(entries, key=lambda e: (e.label.casefold(), e.url))
        return self._render(["tags.html"], f"/{lang}/tags/", context)

    def render_channels(self, lang: str) -> OutputFile:
        """The mission's official accounts, with each platform's name: what a reader checks a profile against."""
        urls = self.urls.channels_urls()
        context = self.contexts.base(lang, channels_url(lang), self.urls.language_alternates(urls), urls, "channels",
                             self.catalog.get(lang, "channels.title"))
        context["fingerprint"] = self.fingerprint
        return self._render(["channels.html"], channels_url(lang), context)

    def render_statements(self, lang: str) -> OutputFile:
        """The register in one language: every official statement with its reference."""
        urls = {code: f"/{code}/statements/" for code in self.config.language_codes}
        context = self.contexts.base(lang, urls[lang], self.urls.language_alternates(urls), urls, "statements",
                             self.catalog.get(lang, "statements.title"))
        context["items"] = self.urls.statements(lang)
        context["references"] = self.site.references
        context["fingerprint"] = self.fingerprint
        return self._render(["statements.html"], urls[lang], context)

    def render_check(self, lang: str) -> OutputFile:
        """Check a statement: a script file compares a pasted text with /statements.json, in the browser."""
        urls = {code: f"/{code}/check/" for code in self.config.language_codes}
        context = self.contexts.base(lang, urls[lang], self.urls.language_alternates(urls), urls, "check",
                             self.catalog.get(lang, "check.title"))
        context["fingerprint"] = self.fingerprint
        return self._render(["check.html"], urls[lang], context)

    def render_search_page(self, lang: str) -> OutputFile:
        """Search the site: a script file asks the language's Pagefind index (the page's policy allows its WASM)."""
        urls = {code: search_url(code) for code in self.config.language_codes}
        context = self.contexts.base(lang, urls[lang], self.urls.language_alternates(urls), urls, "search",
                             self.catalog.get(lang, "search.title"))
        context["indexable"] = False  # a results page is not a page for search engines
        context["folded"] = fold_languages()
        return self._render(["search.html"], urls[lang], context)

    def render_rumours(self, lang: str) -> OutputFile:
        """Every false claim the embassy has answered, with its verdict: where a reader checks a rumour."""
        urls = self.urls.rumours_urls()
        context = self.contexts.base(lang, rumours_url(lang), self.urls.language_alternates(urls),
                             {code: urls.get(code) or f"/{code}/" for code in self.config.language_codes}, "rumours",
                             self.catalog.get(lang, "rumours.title"), available=set(urls))
        context["items"] = self.urls.rumours(lang)
        return self._render(["rumours.html"], rumours_url(lang), context)

    def render_item(self, page: Page) -> OutputFile:
        translations = self.site.translations_of(page)
        urls = self.urls.item_urls(page)
        switch = {code: urls.get(code) or (f"/{code}/" if page.section == "pages" else list_url(code, page.section))
                  for code in self.config.language_codes}
        status = self.site.page_status(page)
        context = self.contexts.base(page.lang, page.url, self.urls.language_alternates(urls), switch, "item", page.title,
                             page.summary, available=set(urls), feeds=self._section_feeds(page.lang, page.section),
                             json_ld=item_json_ld(self.site, page),
                             calendar_url=event_ics_path(page) if page.event is not None else "")
        source = translations.get(page.translation_of.lang) if page.translation_of else None
        context.update(
            page=page, current_section=page.section, status=status,
            stale=self.site.stale.get((page.section, page.slug, page.lang), False),
            source_page=source, translations=translations, indexable=status == "published",
            reference=self.site.references.get(page.key, ""),
            qr_svg=qr_svg(absolute_url(self.config, page.url)) if page.key in self.site.references else "",
            share_image=self.contexts.share_image(page),
            **self.contexts.origin(page),
        )
        return self._render([f"{page.section}.html", "item.html"], page.url, context)



def _template_line(exc: BaseException) -> tuple[int, str]:
    """Line and file of the innermost template frame (Jinja rewrites tracebacks to template lines)."""
    tb = exc.__traceback__
    found = (0, "")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (tb.tb_lineno, filename)
        tb = tb.tb_next
    return found
