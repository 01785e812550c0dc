"""The stages of a build, one function each, in the order build() calls them (DESIGN §11): configure, load the
UI strings, read the sources, parse, publish bundle files, assemble, render, make the social posts, check the
rules, write (or keep in memory), save the caches. Each takes the Run and the frozen results of the stages
before it; the heavy modules load inside them, so that `legation --help` and a no-change rebuild never do."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..core.errors import LegationError, Problem, SourceLocation, counted
from ..core.files import Placed, Staging, check_output_dir, linked_output, manifest_id, read_manifest, verified_manifest
from ..core.model import OutputFile, Page, SourceFile
from ..core.paths import shown_path
from ..core.units import DrawnFile, Held, PackedFile, Pending, PendingFile, packed, unpacked
from ..core.zones import environment_stamp
from .fastpath import (
    BuildState,
    boundaries,
    inputs_fingerprint,
    key_stamp,
    moments_between,
    output_listing,
    output_stamp,
    save_state,
    written_stamp,
)
from .memory import HeldFiles, Memory, Posts
from .run import BuildOptions, BuildReport, Run

if TYPE_CHECKING:
    from ..assembly.ledger import LedgerCheck
    from ..assembly.site import Swap
    from ..core.cache import PageCache, Rendered
    from ..core.model import Site
    from ..outputs.register import SigningKey
    from ..outputs.snippets import SnippetBuild
    from ..outputs.templates import Renderer
    from ..sources.config import SiteConfig
    from ..sources.content import Parsed
    from ..sources.i18n import Catalog
    from ..sources.theme import ThemeChain


@dataclass(frozen=True)
class Setup:
    """site.yml, the theme chain, what the output depends on outside the site, the signing key."""

    config: SiteConfig
    chain: ThemeChain
    environment: str
    signing: SigningKey | None


@dataclass(frozen=True)
class ParseResult:
    parsed: Parsed
    cache: Mapping[str, Rendered]  # the Markdown cache this build started from
    stale: str  # the cache file that was unreadable ("" when none)
    known: PageCache
    code: str  # the package's digest ("" when nothing is cached)


@dataclass(frozen=True)
class Published:
    """The parsed pages with their bundle files' links, and the files made from those bundles."""

    pages: list[Page]
    media_files: Mapping[str, Any]


@dataclass(frozen=True)
class Assembled:
    site: Site
    ledger: LedgerCheck
    pages: tuple[Page, ...] = ()  # the pages the site was assembled from
    problems: tuple[Problem, ...] = ()  # what assembling them told
    swap: Swap | None = None  # the site was the last build's with bodies edited (assembly/site.reassemble)


@dataclass(frozen=True)
class RenderResult:
    placed: list[Placed | Held]
    renderer: Renderer


@dataclass(frozen=True)
class SnippetResult:
    made: SnippetBuild[Any]
    previous: object  # the state the snippets started from
    later: LaterBoard | None = None  # the preview's, when the posts are made after the reload

    @property
    def state(self) -> object:
        """What the next build starts from: the state, or the pending unit that will have it."""
        return self.later if self.later is not None else self.made.state


@dataclass(frozen=True)
class Upstream:
    """What a build read and assembled before rendering: a resident preview keeps it for its next build while
    only templates change (Zola's and Hugo's servers re-render alone on a template edit, too)."""

    setup: Setup
    catalog: Catalog
    parse: ParseResult
    published: Published
    assembled: Assembled
    problems: tuple[Problem, ...]  # what these stages told, told again by every build that keeps them
    clock: datetime  # the clock they were assembled at; kept while no page's status changed since (boundaries)
    boundaries: tuple[str, ...]
    settings: tuple[bool, bool, str]  # (drafts, strict, the signing key: fastpath.key_stamp)
    rules: tuple[frozenset[str], tuple[Problem, ...]] | None = None  # (output paths, the content rules' findings)
    schedule: tuple[dict[str, str], ...] = ()  # what the next days' builds publish or withdraw (see assemble_site)


def kept_upstream(run: Run) -> Upstream | None:
    """The preview's last Upstream, when every file changed since is a template (of the site or of a theme in
    its chain) and the clock crossed no page's boundary; its problems are told again. None otherwise, and then
    nothing is kept: the build reads everything, and keeps what it assembles."""
    options, memory = run.options, run.memory
    if memory is None:
        return None
    upstream, memory.upstream = memory.upstream, None
    run.before = upstream  # a body edit reassembles it (assemble_site)
    if not isinstance(upstream, Upstream) or not options.changed or upstream.settings != _settings(options):
        return None
    # resolved, both: a file reached through a link in a template folder (templates/x -> ../i18n) is not a template
    folders = [Path(os.path.realpath(folder)) for folder in
               (options.root / "templates", *(folder / "templates" for _, folder in upstream.setup.chain.themes))]
    if not all(_inside(Path(os.path.realpath(path)), folders) for path in options.changed) or \
            moments_between(upstream.clock, options.now, upstream.boundaries):
        return None
    run.diagnostics.extend(upstream.problems)
    run.schedule = list(upstream.schedule)  # the same: the clock crossed no page's boundary
    run.site = site = replace(upstream.assembled.site, now=options.now)
    memory.upstream = upstream = replace(upstream, assembled=replace(upstream.assembled, site=site))
    return upstream


def _settings(options: BuildOptions) -> tuple[bool, bool, str]:
    """What a build's options change before rendering (the signing key is loaded by ``configure``)."""
    return options.drafts, options.strict, key_stamp(options.signing_key)


def _linked(path: Path) -> bool:
    """Whether ``path`` is a symbolic link or one of several hard links to its file (or cannot be looked at)."""
    try:
        found = os.lstat(path)
    except OSError:
        return True
    return found.st_nlink > 1 or stat.S_ISLNK(found.st_mode)


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def keep_upstream(run: Run, setup: Setup, catalog: Catalog, parse: ParseResult, published: Published,
                  assembled: Assembled) -> Upstream:
    """The stages' results as one; a resident preview keeps them for its next build."""
    options = run.options
    upstream = Upstream(setup, catalog, parse, published, assembled, tuple(run.diagnostics.problems), options.now,
                        boundaries(published.pages) if run.memory is not None else (),
                        _settings(options), schedule=tuple(run.schedule))
    if run.memory is not None:
        run.memory.upstream = upstream
    return upstream


class Outputs:
    """Where this build's files go: a staging folder swapped in whole at the end (the site's, and the snippets'
    own when they are not inside it), the preview's memory, or nowhere (a check). Aborted on any failure."""

    def __init__(self, run: Run, setup: Setup) -> None:
        options = run.options
        # an output changed since the last build (by hand, or by a build killed before it saved its state) is
        # trusted file by file, by digest, and never wholesale; one that is not is patched in place (O(change))
        self.site = Staging(options.out_dir, options.root, verify=not run.trusted,
                            patch=run.trusted) if options.write else None
        self.snippets: Staging | None = self.site if options.snippets_in_site else None
        self.snippets_dir = options.root / setup.config.snippets.out_dir
        if options.write and not options.snippets_in_site and setup.config.snippets.platforms:
            self.snippets_dir = linked_output(self.snippets_dir)
            check_output_dir(self.snippets_dir, options.root, {"site's output": options.out_dir})
            self.snippets = Staging(self.snippets_dir, options.root, verify=not run.trusted, patch=run.trusted)
        run.stagings.extend(stage for stage in dict.fromkeys((self.site, self.snippets)) if stage is not None)
        self.memory = run.memory

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            self.abort()

    def abort(self) -> None:
        for stage in (self.site, self.snippets):
            if stage is not None:
                stage.abort()  # a second abort of the same folder does nothing

    @property
    def kept(self) -> bool:
        """Whether the files are kept (written, or held by the preview), so the rules look at them."""
        return self.site is not None or self.memory is not None


def configure(run: Run) -> Setup:
    from ..outputs.register import load_signing_key
    from ..sources.config import load_config
    from ..sources.network import link_mission
    from ..sources.theme import resolve_theme

    options = run.options
    config = load_config(options.root)
    # what the output depends on outside the site, taken before it is read (see build's inputs); and zoneinfo's
    # cached zones are dropped, so that a preview server that builds again and again reads rules a system
    # tzdata update changed, as a new process would
    environment = environment_stamp(config.timezone)
    ZoneInfo.clear_cache()
    config = link_mission(options.root, config)  # a mission of a network: what it takes from network.yml
    chain = resolve_theme(options.root, config.theme, config.theme_version)
    signing = load_signing_key(options.signing_key, options.root) if options.signing_key else None
    if options.write:
        check_output_dir(options.out_dir, options.root, None if options.snippets_in_site else
                         {"snippets": options.root / config.snippets.out_dir})
    return Setup(config, chain, environment, signing)


def load_strings(run: Run, setup: Setup) -> Catalog:
    from ..sources.i18n import load_catalog

    config, root = setup.config, run.options.root
    catalog, found = load_catalog([*setup.chain.i18n_dirs, root / "i18n"], root, config.language_codes,
                                  config.default_language)
    run.diagnostics.extend(found)
    if isinstance(run.before, Upstream) and run.before.catalog == catalog:
        catalog = run.before.catalog  # the same strings as the last build's: its object, which the renderer knows
    missing: dict[str, list[str]] = {}
    for lang, key in catalog.missing(config.language_codes):
        missing.setdefault(lang, []).append(key)
    for lang, keys in missing.items():
        shown = ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
        run.diagnostics.warning(SourceLocation(f"i18n/{lang}.yml"),
                                f"{counted(len(keys), 'UI string')} {'is' if len(keys) == 1 else 'are'} "
                                f"missing in {lang} ({shown}); the {config.default_language} text is used",
                                f"add them to the site's i18n/{lang}.yml or the theme's", "i18n-missing")
    return catalog


def read_sources(run: Run, setup: Setup) -> list[SourceFile]:
    """The site's content/, and the items of its ministry's when it is a mission of a network."""
    from ..sources.content import discover, discover_syndicated, rediscover

    options, memory = run.options, run.memory
    if memory is None:
        sources, found = discover(options.root, setup.config)
    else:  # a resident preview: the files the watcher named, when it named edits alone
        kept, memory.discovered = memory.discovered, None
        again = rediscover(options.root, setup.config, kept, options.changed, memory.sources) \
            if kept is not None and options.changed else None
        sources, found = again or discover(options.root, setup.config, memory.sources)
        # a content file that is a link, or one of several names of a file, changes when another does, unnamed:
        # such a site is looked at whole on every save
        if again is not None or not any(_linked(options.root / source.path) for source in sources):
            memory.discovered = (sources, found)
    run.diagnostics.extend(found)
    syndicated, found = discover_syndicated(run.options.root, setup.config)
    run.diagnostics.extend(found)
    return [*sources, *syndicated]


def parse(run: Run, setup: Setup, sources: list[SourceFile]) -> ParseResult:
    from ..core.cache import CACHE_DIR, PAGES_FILE, PageCache, code_digest, load_markdown_cache, load_page_cache
    from ..sources.content import parse_mission, reparse

    options, memory = run.options, run.memory
    cache, stale = (load_markdown_cache(options.root) if memory is None else (memory.markdown, "")
                    ) if options.incremental else ({}, "")
    if stale:
        run.diagnostics.warning(SourceLocation(stale), "the build cache was unreadable and was discarded; everything "
                                "is rebuilt", "nothing to do: a fresh cache is written after this build", "cache")
    code = (memory.code if memory is not None and memory.code else code_digest()) if options.incremental else ""
    if memory is not None:
        memory.code = code  # the code does not change under a running process
    known, discarded = (load_page_cache(options.root, code) if memory is None else
                        (PageCache(memory.pages), False)) if options.incremental else (PageCache(), False)
    if discarded:
        run.diagnostics.warning(SourceLocation(f"{CACHE_DIR}/{PAGES_FILE}"), "the page cache was unreadable and was"
                                " discarded; every page is parsed again",
                                "nothing to do: a fresh cache is written after this build", "cache")
    last = memory.parsed if memory is not None and not options.force else None
    parsed = reparse(last[0], last[3], sources, setup.config, options.jobs, cache, known.entries, code,
                     memory.whole if memory is not None else None) \
        if last is not None and last[1] == setup.config and last[2] == code else None
    if parsed is None:
        parsed = parse_mission(sources, setup.config, options.jobs, cache, known.entries, code,
                               memory.whole if memory is not None else None)
    if memory is not None:  # what the next build's edits are parsed from (a function of these files alone)
        memory.parsed = (sources, setup.config, code, parsed)
    run.diagnostics.extend(parsed.problems)
    return ParseResult(parsed, cache, stale, known, code)


def publish_media(run: Run, setup: Setup, parse: ParseResult) -> Published:
    """Bundle files once per item; photos measured, stripped, resized (cached)."""
    from ..core.cache import CACHE_DIR
    from ..sources.media import plan_media, with_media

    root, link = run.options.root, setup.config.ministry
    media, files, found = plan_media(root, parse.parsed.pages, root / CACHE_DIR if run.options.incremental else None,
                                     ("content", link.content) if link is not None else ("content",))
    run.diagnostics.extend(found)
    return Published(list(with_media(parse.parsed.pages, media)), files)


def assemble_site(run: Run, setup: Setup, published: Published, parse: ParseResult) -> Assembled:
    from ..assembly.ledger import check_ledger, ministry_references, read_ledger, recorded_pages
    from ..assembly.site import Swap, assemble, reassemble, schedule_changes
    from ..core.clock import LOOK_AHEAD
    from ..sources.network import carried

    options, memory = run.options, run.memory
    pages, found = carried(setup.config, published.pages)  # a mission: the ministry's items that reach it
    run.diagnostics.extend(found)
    before = run.before if isinstance(run.before, Upstream) else None
    edited = _body_edits(run, setup, parse, before, pages)
    if before is not None and edited is not None:  # the last build's site, with the edited pages in place
        site, assembled_problems = reassemble(before.assembled.site, edited, options.now), before.assembled.problems
    else:
        site, told = assemble(pages, setup.config, options.now, options.drafts, parse.parsed.failed)
        assembled_problems = tuple(told)
    run.diagnostics.extend(assembled_problems)
    run.site = site
    # what the next day's build will publish or withdraw (a preview has no use for it)
    if before is not None and edited is not None and not moments_between(
            before.clock + LOOK_AHEAD, options.now + LOOK_AHEAD, before.boundaries):
        run.schedule = list(before.schedule)  # nothing entered or left the look-ahead, and the dates are the same
    else:
        run.schedule = schedule_changes(pages, options.now) if memory is None or memory.publish else []
    # official text edited with no changes: entry (a warning; --strict refuses it)
    recorded = recorded_pages(site)
    ledger = check_ledger(recorded, read_ledger(options.root, {p.key for p in recorded},
                                                memory.ledger if memory is not None else None),
                          setup.config.reference_pattern, memory.statements if memory is not None else None)
    run.diagnostics.extend(ledger.problems)
    # a mission carries its ministry's references for the statements it syndicates
    run.site = site = replace(site, references={**ledger.references, **ministry_references(options.root, site)})
    swap = Swap(before.assembled.site, edited) if before is not None and edited is not None else None
    return Assembled(site, ledger, tuple(pages), assembled_problems, swap)


def _body_edits(run: Run, setup: Setup, parse: ParseResult, before: Upstream | None,
                pages: list[Page]) -> dict[int, Page] | None:
    """The pages that replace the last build's (by the id of the old page) when only their bodies changed since
    it was assembled, with the same settings, site.yml and files that fail, at a clock that crossed no page's
    boundary; else None (the site is assembled anew)."""
    from ..assembly.site import body_edits

    if before is None or run.memory is None or not before.assembled.pages or \
            before.settings != _settings(run.options) or before.setup.config != setup.config or \
            before.parse.parsed.failed != parse.parsed.failed or \
            moments_between(before.clock, run.options.now, before.boundaries):
        return None
    return body_edits(before.assembled.pages, pages)


def render(run: Run, setup: Setup, catalog: Catalog, assembled: Assembled, published: Published,
           parse: ParseResult, outputs: Outputs) -> RenderResult:
    from ..core.cache import load_render_state
    from ..outputs.cards import load_style, plan_cards, raqm_available
    from ..outputs.rootfiles import atproto_did, root_files, security_txt
    from ..outputs.search import SEARCH_FOLDER
    from ..outputs.search import available as search_available
    from ..outputs.security import headers_file
    from ..outputs.templates import Renderer
    from ..sources.config import CONFIG_FILE
    from ..sources.media import MEDIA_FOLDER

    options, memory, config, chain, site = run.options, run.memory, setup.config, setup.chain, assembled.site
    env = _environment(options.root, chain, memory)
    reuse: dict[str, tuple[str, list[str]]] = {}
    previous_files: dict[str, str] = {}
    staging = outputs.site
    if staging is not None and options.incremental and not options.force:
        units = load_render_state(options.root, str(options.out_dir), manifest_id(options.out_dir))
        if units:
            previous_files = staging.previous
            # a file deleted by hand since is rendered again (its unit is not reused); when the output is as the
            # last build left it (its stamp), none was
            live = str(options.out_dir)
            reuse = {key: unit for key, unit in units.items()
                     if all(path in previous_files and (run.trusted or os.path.isfile(os.path.join(live, path)))
                            for path in unit[1])}
    elif memory is not None and not options.force:
        reuse = {key: unit for key, unit in memory.units.items() if all(path in memory.outputs for path in unit[1])}
    search = config.search and search_available()
    if config.search and not search:
        run.diagnostics.warning(SourceLocation(CONFIG_FILE), "the site is built without search: Pagefind's binary is "
                                "not installed for this platform", "install legation again (pip install .), or "
                                "write search: false in site.yml", "search")
    raqm = raqm_available()
    style = load_style(list(chain.font_dirs), [options.root / "static", *reversed(chain.static_dirs)],
                       _card_colours(chain, options.root))
    cards, found = plan_cards(site, catalog, style, config.share_cards, raqm,
                              memo=memory.cards if memory is not None else None) if style is not None else ({}, [])
    run.diagnostics.extend(found)
    signing = setup.signing
    renderer = Renderer(site, env, catalog, reuse, str(options.out_dir), previous_files, root=options.root,
                        fingerprint=signing.fingerprint if signing else "", signing=signing, search=search,
                        cards=cards, code=parse.code, card_style=style, raqm=raqm,
                        previous_outputs=memory.outputs if memory is not None else None,
                        defer=frozenset({"search"}) if memory is not None and memory.defer_search else frozenset(),
                        digests=memory.digests if memory is not None else None, track=memory is not None,
                        swap=assembled.swap,
                        draw_on_request=memory is not None and not memory.publish)
    extras = [*_static_files(options.root, chain.static_dirs), headers_file(config.language_codes, search),
              # the bundle files of the pages this build publishes (a draft's photo is not)
              *(made for asset in sorted({a for p in site.pages for a in p.bundle_assets})
                for made in published.media_files.get(asset, ())),
              *root_files(options.root, frozenset({*config.language_codes, "static", "_snippets", "search",
                                                   SEARCH_FOLDER, "cards", MEDIA_FOLDER})),
              *(made for made in (security_txt(config, options.now), atproto_did(config)) if made)]
    placed: list[Placed | Held] = []
    if staging is not None:
        placed.extend(renderer.render_into(staging.put, options.jobs))
        placed.extend(staging.put(output) for output in extras)
    elif memory is not None:  # the preview's: changed units are made on request, or after the reload
        # the first build's files are packed where they are made: the workers send back a fifth of the bytes
        placed = [*(renderer.render_held() if memory.outputs else renderer.render_into(packed, options.jobs)),
                  *renderer.drawn_cards(), *extras]
    else:
        placed = [*renderer.render_all(options.jobs), *extras]
    return RenderResult(placed, renderer)


def make_snippets(run: Run, catalog: Catalog, assembled: Assembled, parse: ParseResult, rendered: RenderResult,
                  outputs: Outputs) -> SnippetResult:
    from ..core.cache import CACHE_DIR, SNIPPET_CACHE, load_json_cache
    from ..outputs.snippets import (
        SnippetBuild,
        SnippetCacheError,
        build_snippet_files,
        kept_whole,
        posts_unchanged,
        snippet_paths,
    )

    options, memory, site = run.options, run.memory, assembled.site
    prefix = "_snippets/" if options.snippets_in_site else ""
    target = options.out_dir if options.snippets_in_site else outputs.snippets_dir
    if memory is not None and isinstance(memory.snippets, LaterBoard):  # the last build's, perhaps not made yet
        memory.realise(memory.snippets.pending)  # its files in place too: the board below reuses them
        memory.snippets = memory.snippets.state
    previous, discarded = ((memory.snippets, False) if memory is not None else load_json_cache(options.root,
                           SNIPPET_CACHE) if options.incremental and not options.force else (None, False))
    posts, swap = (memory.posts, assembled.swap) if memory is not None else (None, None)
    if memory is not None:
        memory.posts = None  # set again below when this build makes or keeps them at once
    if memory is not None and posts is not None and posts.catalog is catalog and posts.state is previous and \
            not options.force and (site.is_at_later_clock(posts.site) or (swap is not None and posts.site is swap.before and
                                                                posts_unchanged(site, catalog, swap.pages, swap.before,
                                                                                parse.code))):
        return _posts_kept(run, memory, replace(posts, site=site), rendered)  # nothing looked at (0.08 s at 3000)
    if memory is not None and memory.outputs and memory.snippet_paths and not options.force:
        paths = snippet_paths(site, prefix)
        if paths == memory.snippet_paths:  # the same items and boards as the last build's
            last = memory.files().only(paths)  # not the whole site's
            kept = kept_whole(site, catalog, previous, last.digests(), str(target), prefix, parse.code)
            if kept is not None and isinstance(previous, dict):  # and the same bytes: kept as they are held
                return _posts_kept(run, memory, Posts(site, catalog, tuple(last.as_held()), kept, previous), rendered)
            if not memory.publish:  # a preview's, made after the reload (a resident build tells their warnings)
                later = _board_later(catalog, site, parse.code, previous, str(target), prefix, last)
                rendered.placed.extend(later.held)
                return SnippetResult(SnippetBuild(tuple(later.held), (), {}), previous, later)
    manifest_of = _manifest_of if run.trusted else _verified_manifest_of
    held = memory.files() if memory is not None else None
    if held is not None:
        def manifest_of(folder: str) -> dict[str, str]:
            return held.digests()
    staging = outputs.snippets
    # a preview's files packed as they are made, as it holds them (a board is 15 MiB at 3,000 items)
    sink: Callable[[OutputFile], object] = staging.put if staging is not None else packed if memory is not None \
        else _keep
    # its own folder, not the site's: when no file of it would change, it is kept as it is
    alone = staging is not None and staging is not outputs.site
    try:
        made = build_snippet_files(site, catalog, options.jobs, previous, str(target), manifest_of, sink, prefix,
                                   skip_unchanged=alone, held=held, code=parse.code)
    except SnippetCacheError:  # raised before any file was made
        discarded = True
        made = build_snippet_files(site, catalog, options.jobs, None, str(target), manifest_of, sink, prefix)
    if discarded:
        run.diagnostics.warning(SourceLocation(f"{CACHE_DIR}/{SNIPPET_CACHE}"), "the snippet cache was unreadable "
                                "and was discarded; every post is made again",
                                "nothing to do: a fresh cache is written after this build", "cache")
    run.diagnostics.extend(made.problems)
    if options.snippets_in_site:
        rendered.placed.extend(p for p in made.outputs if isinstance(p, Placed | OutputFile | PackedFile | PendingFile))
    if memory is not None:
        memory.snippet_paths = frozenset(p.path for p in made.outputs if isinstance(p, OutputFile | PackedFile))
        files = tuple(p for p in made.outputs if isinstance(p, OutputFile | PackedFile))
        if len(files) == len(made.outputs):  # made now, not after the reload
            memory.posts = Posts(site, catalog, files, tuple(made.problems), made.state)
    return SnippetResult(made, previous)


def _posts_kept(run: Run, memory: Memory, posts: Posts, rendered: RenderResult) -> SnippetResult:
    """The last build's posts and boards kept as they are held, their warnings told again (as a CLI build tells
    them)."""
    from ..outputs.snippets import SnippetBuild

    rendered.placed.extend(posts.files)
    run.diagnostics.extend(posts.problems)
    memory.posts = posts
    return SnippetResult(SnippetBuild(posts.files, posts.problems, posts.state), posts.state)


class LaterBoard:
    """The preview's social posts and boards of one build, made after the reload (or when a file of theirs is
    asked for) rather than before it: one pending unit for them all, as every board lists every item. Mutable
    on purpose: ``state`` is set when the pending unit is made, and the next build starts from it."""

    def __init__(self, make: Callable[[], SnippetBuild[OutputFile | PackedFile]], paths: frozenset[str]) -> None:
        self._make = make
        self.state: object = None
        self.problems: tuple[Problem, ...] = ()  # the posts' warnings, once made (a post that does not fit)
        self.pending = Pending(self._files)
        self.held: list[Held] = [PendingFile(path, self.pending) for path in sorted(paths)]

    def _files(self) -> list[OutputFile | PackedFile]:
        made = self._make()
        self.state, self.problems = made.state, made.problems
        del self._make  # lets go of the site and the previous files it was made from
        return list(made.outputs)


def _board_later(catalog: Catalog, site: Site, code: str, previous: object, target: str, prefix: str,
                 held: HeldFiles) -> LaterBoard:
    """The posts and boards as one pending unit, when they are the same files as the last build's (``held``; not
    a new item, a newly published one or a language more: those are made now, as the reload's pages link to them)."""
    from ..outputs.snippets import SnippetCacheError, build_snippet_files

    def manifest_of(folder: str) -> dict[str, str]:
        return held.digests()

    def make() -> SnippetBuild[OutputFile | PackedFile]:  # each file packed as it is made (boards: 15 MiB each)
        try:
            return build_snippet_files(site, catalog, 1, previous, target, manifest_of, packed, prefix, held=held,
                                       code=code)
        except SnippetCacheError:
            return build_snippet_files(site, catalog, 1, None, target, manifest_of, packed, prefix)

    return LaterBoard(make, frozenset(held))


def check_rules(run: Run, setup: Setup, assembled: Assembled, rendered: RenderResult) -> None:
    """The content rules `legation check` lists, over what this build made."""
    from ..assembly.rules import RulesMemo, content_problems

    made = frozenset(p.path for p in rendered.placed)
    memory = run.memory
    upstream = memory.upstream if memory is not None else None
    if isinstance(upstream, Upstream) and upstream.rules is not None and upstream.rules[0] == made:
        run.diagnostics.extend(upstream.rules[1])  # the same pages and outputs as the build that kept them
        return
    if memory is not None and memory.rules is None:
        memory.rules = RulesMemo()
    found = content_problems(assembled.site.pages, setup.config, made, _locator(run.options.root),
                             memory.rules if memory is not None else None)
    run.diagnostics.extend(found)
    if memory is not None and isinstance(upstream, Upstream) and upstream.assembled is assembled:
        memory.upstream = replace(upstream, rules=(made, tuple(found)))


def write(run: Run, outputs: Outputs, rendered: RenderResult, snippets: SnippetResult, assembled: Assembled,
          parse: ParseResult) -> None:
    """Swap the staging folders in (or leave the files in the preview's memory) and record the published text."""
    from ..assembly.ledger import write_ledger

    if run.memory is not None:
        run.files, run.bytes, run.written, run.html, run.waiting = _keep_in(
            run.memory, [p for p in rendered.placed if not isinstance(p, Placed)], rendered.renderer, parse.parsed,
            snippets.state)
        return
    assert outputs.site is not None
    stats = outputs.site.commit(p for p in rendered.placed if isinstance(p, Placed))
    if not run.options.drafts:  # the text this build published, recorded for the next (not a preview's)
        write_ledger(run.options.root, assembled.ledger.updates)
    run.replaced.append(str(run.options.out_dir))
    run.files, run.bytes, run.written = stats.files, stats.bytes, stats.written
    run.html = sum(1 for item in rendered.placed if item.path.endswith(".html"))
    staging = outputs.snippets
    if staging is not None and staging is not outputs.site:
        if snippets.made.unchanged:
            staging.abort()  # the folder already holds every file: nothing to swap in
        else:
            staging.commit(p for p in snippets.made.outputs if isinstance(p, Placed))


def save_caches(run: Run, setup: Setup, parse: ParseResult, published: Published, rendered: RenderResult,
                snippets: SnippetResult, outputs: Outputs) -> None:
    """Every cache the next build reuses, then the state its no-change shortcut compares with."""
    from ..core.cache import (
        CACHE_DIR,
        SNIPPET_CACHE,
        remove_obsolete_caches,
        save_json_cache,
        save_markdown_cache,
        save_page_cache,
        save_render_state,
    )
    from ..outputs.snippets import state_json

    options, parsed = run.options, parse.parsed
    # every cache is keyed by content, so one holding the same keys as before needs no writing
    saved = True
    if parse.stale:  # every file again: an unreadable one must not outlive this build
        saved &= save_markdown_cache(options.root, parsed.rendered)
    elif parsed.rendered.keys() != parse.cache.keys():
        saved &= save_markdown_cache(options.root, parsed.rendered, parse.cache.keys())
    saved &= save_page_cache(options.root, parse.code, parsed.entries, parse.known)
    state = state_json(snippets.made.state)
    if state != snippets.previous:
        saved &= save_json_cache(options.root, SNIPPET_CACHE, state)
    # for the manifest now live: a state left by an earlier build is never taken for this site's
    saved &= save_render_state(options.root, str(options.out_dir), rendered.renderer.unit_state(),
                               manifest_id(options.out_dir))
    remove_obsolete_caches(options.root)
    if not saved:  # a file that failed was removed: the next build renders what it described again
        run.diagnostics.warning(SourceLocation(CACHE_DIR), "the build cache could not be written; the site was built,"
                                " and the next build renders it all again",
                                f"check that {CACHE_DIR}/ can be written (disk space, permissions)", "cache")
    folders = tuple(str(stage.out_dir) for stage in (outputs.site, outputs.snippets) if stage is not None)
    save_state_of(run.options, setup, published.pages, folders, run.report(True), run.inputs, run.outside)


def save_state_of(options: BuildOptions, setup: Setup, pages: list[Page], folders: tuple[str, ...],
                  done: BuildReport, inputs: str, outside_before: tuple[str, ...]) -> None:
    """The state the next build's no-change check compares with: ``inputs``, the inputs' fingerprint taken before
    the build read anything (with the inputs outside the site it took in, ``outside_before``), and what the
    build left in ``folders``; saved last, after the files and every cache."""
    from ..outputs.rootfiles import next_month
    from ..sources.network import network_inputs
    from ..sources.theme import outside_folders

    listings = output_listing(folders)
    config = setup.config
    outside = tuple(map(str, (*network_inputs(options.root, config), *outside_folders(setup.chain, options.root))))
    if outside != outside_before:  # taken now: the first build of a mission, or one whose network: changed,
        # did not know beforehand what it would read
        inputs = inputs_fingerprint(options.root, options.out_dir, options.drafts, options.strict, outside,
                                    signing_key=options.signing_key)
    save_state(options.root, BuildState(
        # the ledger this build wrote is part of what the next build compares with
        inputs.rsplit("|", 1)[0] + "|" + written_stamp(options.root), options.now.isoformat(),
        # security.txt's expiry moves on at the start of each month: the next build then is a full one
        (*boundaries(pages), *((next_month(options.now).isoformat(),) if config.security else ())),
        {"counts": done.counts, "files": done.files, "html": done.html, "bytes": done.bytes,
         "warnings": [p.as_json() for p in done.warnings], "next_build": list(done.schedule)}, config.timezone,
        setup.environment, folders, output_stamp(folders, listings), listings, outside))


def _card_colours(chain: ThemeChain, root: Path) -> Any:
    from ..sources.theme import card_colours

    return card_colours(chain, root)


def _environment(root: Path, chain: Any, memory: Memory | None) -> Any:
    """The Jinja environment; a resident preview's own while its template folders and theme chain are the same,
    with the templates whose files changed dropped from it (compiled again when next used)."""
    from ..outputs.templates import compile_templates, forget_templates, make_environment
    from .fastpath import input_files

    if memory is None:
        return make_environment(root, chain)
    folders = (str(root / "templates"), *map(str, chain.template_dirs))
    stamps: dict[str, tuple[str, int, int, int]] = {}  # file → (its template name, time, size, inode)
    for folder in folders:
        for file in input_files(folder):
            with contextlib.suppress(OSError):
                info = os.stat(file)
                name = os.path.relpath(file, folder).replace(os.sep, "/")
                stamps[file] = (name, info.st_mtime_ns, info.st_size, info.st_ino)
    key = (repr(chain), tuple(folder for folder in folders if os.path.isdir(folder)))
    kept = memory.environment
    before = kept[0][1] if kept is not None else {}
    names = {stamp[0] for file in before.keys() | stamps.keys() if before.get(file) != stamps.get(file)
             for stamp in (before.get(file), stamps.get(file)) if stamp is not None}
    if kept is None or kept[0][0] != key:
        env = make_environment(root, chain)
    else:  # the same folders: only the templates whose files changed are compiled again
        env = kept[1]
        forget_templates(env, names, everything=before.keys() != stamps.keys())  # a file added or removed: all
    memory.environment = ((key, stamps), env)
    if kept is not None:  # a save's templates, compiled with its build (a syntax error fails it, located)
        compile_templates(env, {stamp[0] for stamp in stamps.values()} & names, root)
    return env


def _keep_in(memory: Memory, outputs: list[Held], renderer: Renderer, parsed: Parsed,
             snippets: object) -> tuple[int, int, int, int, int]:
    """Leave a successful build's outputs and everything the next build reuses in ``memory``; (files, bytes,
    files changed, HTML pages, files still to make)."""
    before = memory.outputs
    # one assignment: requests see one build. Text is held compressed (a file carried from the last build
    # already is, and is not packed again)
    memory.outputs = {output.path: packed(output) if isinstance(output, OutputFile) else output
                      for output in outputs}
    memory.units, memory.snippets, memory.digests = renderer.unit_state(), snippets, renderer.inputs.memo()
    memory.first = snippets.pending if isinstance(snippets, LaterBoard) else None
    memory.markdown, memory.pages, memory.whole = parsed.rendered, parsed.entries, parsed.held
    memory.pending = renderer if renderer.deferred else None
    size = changed = html = 0
    waiting: list[str] = []
    for o in outputs:  # one pass: 12,000 files at 3,000 items per language, on every save
        if isinstance(o, PendingFile):
            waiting.append(o.path)  # not known to change until made; its size is not known yet
        else:
            if isinstance(o, OutputFile | PackedFile):
                size += o.size if isinstance(o, PackedFile) else len(o.data) if o.data is not None else \
                    os.path.getsize(o.copy_from) if o.copy_from else 0
            if before.get(o.path) is not o and not _same(before.get(o.path), o):
                changed += 1
        if o.path.endswith(".html"):
            html += 1
    memory.waiting = tuple(waiting)
    return len(outputs), size, changed, html, len(waiting)


def _same(before: Held | None, now: Held) -> bool:
    """Whether a file the preview held is the one a build made again (the same object, bytes or source file)."""
    if before is now:
        return True
    if isinstance(before, DrawnFile) and isinstance(now, DrawnFile):
        return before.key == now.key
    if isinstance(before, PackedFile) and isinstance(now, PackedFile):
        return before.packed == now.packed  # the same bytes packed at the same level
    if not isinstance(before, OutputFile | PackedFile) or not isinstance(now, OutputFile | PackedFile):
        return False
    before, now = unpacked(before), unpacked(now)  # one of them is a file just made: one page to unpack
    return (before.data is not None and before.data == now.data) or \
        (before.copy_from is not None and before.copy_from == now.copy_from)




def _locator(root: Path) -> Callable[..., SourceLocation]:
    """(file, text, key="") → the location of the first line of ``file`` that holds ``text`` (the file alone if
    none); with ``key``, the line of that front-matter key (``tags: [a, b]``) or of an item of its block list."""
    def locate(source: str, needle: str, key: str = "") -> SourceLocation:
        try:
            lines = (root / source).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return SourceLocation(source)
        if key:
            inside = False
            for number, text in enumerate(lines, start=1):
                if text.startswith(f"{key}:"):
                    inside = True
                elif inside and not text.startswith((" ", "\t", "-")):
                    inside = False
                if inside and needle in text:
                    return SourceLocation(source, number, text.index(needle) + 1)
            return SourceLocation(source)
        for number, text in enumerate(lines, start=1):
            if needle and needle in text:
                return SourceLocation(source, number, text.index(needle) + 1)
        return SourceLocation(source)

    return locate


def _verified_manifest_of(folder: str) -> dict[str, str]:
    return verified_manifest(Path(folder))


def _manifest_of(folder: str) -> dict[str, str]:
    return read_manifest(Path(folder))


def _keep(output: OutputFile) -> OutputFile:
    return output


def _static_files(root: Path, theme_static: tuple[Path, ...]) -> list[OutputFile]:
    """Theme static files (parents first), then the site's own ``static/``; later ones win.

    A symbolic link must stay inside its static folder: ``static/env.txt -> /proc/self/environ`` would publish
    the build's environment, CI tokens included. Every such link is a located error; nothing is published.
    """
    from ..core.model import OutputFile

    chosen: dict[str, OutputFile] = {}
    problems: list[Problem] = []

    def outside(path: Path, folder: Path, target: str) -> None:
        problems.append(Problem("error", SourceLocation(shown_path(path, root)),
                                f"symbolic link in a static folder points outside it (to {target})",
                                f"copy the file into {shown_path(folder, root)}/ instead of linking to it", "path"))

    for folder in (*theme_static, root / "static"):
        if not folder.is_dir():
            continue
        real_folder = os.path.realpath(folder)
        seen = {real_folder}
        for here, dirs, files in os.walk(folder, followlinks=True):
            kept = []
            for name in sorted(dirs):
                real = os.path.realpath(os.path.join(here, name))
                if name.startswith(".") or real in seen:  # hidden, or a link back to a folder already listed
                    continue
                if os.path.commonpath((real, real_folder)) != real_folder:
                    outside(Path(here, name), folder, real)
                    continue
                seen.add(real)
                kept.append(name)
            dirs[:] = kept
            for name in files:
                file = Path(here, name)
                real = os.path.realpath(file)
                if name.startswith(".") or not os.path.isfile(real):
                    continue
                if os.path.commonpath((real, real_folder)) != real_folder:
                    outside(file, folder, real)
                    continue
                path = "static/" + file.relative_to(folder).as_posix()
                chosen[path] = OutputFile(path, copy_from=real)
    if problems:
        raise LegationError(problems)
    return [chosen[k] for k in sorted(chosen)]


