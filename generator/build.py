"""Runs the stages top to bottom and returns a BuildReport (DESIGN §11)."""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .errors import Diagnostics, LegationError, Problem, SourceLocation, counted
from .fastpath import (
    BuildState,
    boundaries,
    clock_in_templates,
    crossed,
    fingerprint,
    load_state,
    output_stamp,
    save_state,
    written_stamp,
)
from .files import (
    MARKER,
    Placed,
    Staging,
    build_lock,
    check_output_dir,
    has_leftovers,
    linked_output,
    manifest_id,
    read_manifest,
    verified_manifest,
)
from .memory import PendingFile
from .model import OutputFile
from .paths import builtin_themes_dir, shown_path
from .zones import environment_stamp

if TYPE_CHECKING:
    from .cache import UnitState
    from .content import Parsed
    from .i18n import Catalog
    from .memory import Held, Memory
    from .model import Site
    from .templates import Renderer


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out_dir: Path
    now: datetime
    drafts: bool = False
    strict: bool = False
    write: bool = True
    jobs: int = 1
    incremental: bool = True
    lock_wait: float = 600.0
    snippets_in_site: bool = False  # the preview serves the snippet board from the site at /_snippets/
    force: bool = False  # render everything and take nothing from the live site (caches of parsed text still used)
    signing_key: Path | None = None  # an Ed25519 key that signs statements.json (outside the site's folder)


@dataclass(frozen=True)
class BuildReport:
    """What a build did; ``ok`` is False when it failed, and then nothing was written except the folders in
    ``replaced`` (a failure after the site's swap, such as the snippets folder's)."""

    ok: bool
    now: datetime
    problems: tuple[Problem, ...]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # lang -> section -> pages
    files: int = 0
    bytes: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    schedule: tuple[dict[str, str], ...] = ()
    out_dir: str = ""
    written: int = 0  # files whose content changed since the previous build
    html: int = 0  # of the files, the HTML pages (an item's page, lists, tag pages, home pages, 404)
    replaced: tuple[str, ...] = ()  # output folders this build swapped in, though it failed afterwards

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def pages_per_language(self) -> dict[str, int]:
        return {lang: sum(sections.values()) for lang, sections in self.counts.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "now": self.now.isoformat(),
            "output": self.out_dir,
            "counts": self.counts,
            "pages_per_language": self.pages_per_language,
            "files": self.files,
            "html_pages": self.html,
            "written": self.written,
            "replaced": list(self.replaced),
            "bytes": self.bytes,
            "errors": [p.as_json() for p in self.errors],
            "warnings": [p.as_json() for p in self.warnings],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "next_build": list(self.schedule),
        }

    def summary(self) -> str:
        """One line: what was built (items per language, HTML pages, files), or that nothing was, and why."""
        seconds = sum(self.timings.values())
        warnings = counted(len(self.warnings), "warning")
        if not self.ok:  # nothing was written, so there is nothing to count but the problems
            if not self.errors:
                return f"legation: FAILED: {warnings} under --strict, {seconds:.2f} s"
            return f"legation: FAILED: {counted(len(self.errors), 'error')}, {warnings}, {seconds:.2f} s"
        per_lang = ", ".join(f"{lang} {n}" for lang, n in self.pages_per_language.items())
        items = counted(sum(self.pages_per_language.values()), "item")
        return (f"legation: built {items} ({per_lang}) as {counted(self.html, 'HTML page')}; "
                f"{counted(self.files, 'file')} ({self.written} changed), {warnings}, {seconds:.2f} s")


class _Timer:
    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def build(options: BuildOptions, progress: Callable[[str], None] | None = None,
          memory: Memory | None = None) -> BuildReport:
    """Read, check, render and (unless ``write`` is False) swap in the site.

    A build that writes holds the output folder's lock from start to end, so two
    builds never interleave; the second waits up to ``lock_wait`` seconds. With ``memory`` (a resident
    preview's), nothing is read from or written to disk but the sources: the outputs are left in ``memory``.
    """
    if memory is not None:
        return _build(replace(options, write=False, incremental=True), progress, memory)
    if not options.write:
        return _build(options, progress)
    try:
        # before the lock file beside it is made: `--out /` made "/..lock"
        options = replace(options, out_dir=linked_output(options.out_dir))
        check_output_dir(options.out_dir, options.root)
        with build_lock(options.out_dir, options.lock_wait,
                        on_wait=(lambda: progress("waiting for another build")) if progress else None):
            return _build(options, progress)
    except LegationError as exc:
        return BuildReport(False, options.now, exc.problems, out_dir=str(options.out_dir))


def _build(options: BuildOptions, progress: Callable[[str], None] | None, memory: Memory | None = None) -> BuildReport:
    diagnostics = Diagnostics()
    timer = _Timer(progress)
    stagings: list[Staging] = []
    replaced: list[str] = []  # folders swapped in: a failure after that must not claim nothing was written
    site: Site | None = None
    stats_files = stats_bytes = stats_written = stats_html = 0
    schedule: list[dict[str, str]] = []

    def report(ok: bool) -> BuildReport:
        counts: dict[str, dict[str, int]] = {}
        if site is not None:
            tally = Counter((p.lang, p.section) for p in site.pages)
            from .model import SECTIONS

            counts = {lang: {s: tally[(lang, s)] for s in SECTIONS} for lang in site.config.language_codes}
        return BuildReport(ok, options.now, tuple(diagnostics.sorted()), counts, stats_files, stats_bytes,
                           timer.timings, tuple(schedule), str(options.out_dir), stats_written, stats_html,
                           () if ok else tuple(replaced))

    def failed() -> bool:
        # a discarded cache is reported but is not a content problem, so --strict does not fail on it
        content_warnings = [w for w in diagnostics.warnings if w.code != "cache"]
        return bool(diagnostics.errors) or (options.strict and bool(content_warnings))

    # Taken before any input is read: a file saved while this build runs then makes the next build look again
    # (a fingerprint taken at the end would name content this build never read).
    inputs = _fingerprint(options) if options.write and options.incremental else ""
    fast, trusted = _unchanged(options, inputs) if inputs else (None, False)
    if fast is not None:
        return fast

    # The pipeline's heavy modules load only when a build actually runs (not for --help or no-change rebuilds).
    from .cache import (
        CACHE_DIR,
        PAGES_FILE,
        SNIPPET_CACHE,
        PageCache,
        code_digest,
        load_json_cache,
        load_markdown_cache,
        load_page_cache,
        load_render_state,
        remove_obsolete_caches,
        save_json_cache,
        save_markdown_cache,
        save_page_cache,
        save_render_state,
    )
    from .cards import load_style, plan_cards, raqm_available
    from .config import CONFIG_FILE, load_config
    from .content import discover, parse_cached
    from .i18n import load_catalog
    from .ledger import check_ledger, read_ledger, recorded_pages, write_ledger
    from .media import MEDIA_FOLDER, plan_media, with_media
    from .register import load_signing_key
    from .rootfiles import atproto_did, next_month, root_files, security_txt
    from .rules import content_problems
    from .search import SEARCH_FOLDER
    from .search import available as search_available
    from .security import headers_file
    from .site import assemble, schedule_changes
    from .snippets import SnippetCacheError, build_snippet_files
    from .templates import Renderer
    from .theme import card_colours, resolve_theme

    try:
        with timer.stage("config"):
            config = load_config(options.root)
            # what the output depends on outside the site, taken before it is read (see inputs above); and
            # zoneinfo's cached zones are dropped, so that a preview server that builds again and again
            # reads rules a system tzdata update changed, as a new process would
            environment = environment_stamp(config.timezone)
            ZoneInfo.clear_cache()
            chain = resolve_theme(options.root, config.theme)
            signing = load_signing_key(options.signing_key, options.root) if options.signing_key else None
            if options.write:
                check_output_dir(options.out_dir, options.root, None if options.snippets_in_site else
                                 {"snippets": options.root / config.snippets.out_dir})
        with timer.stage("i18n"):
            catalog, found = load_catalog([*chain.i18n_dirs, options.root / "i18n"], options.root,
                                          config.language_codes, config.default_language)
            diagnostics.extend(found)
            missing: dict[str, list[str]] = {}
            for lang, key in catalog.missing(config.language_codes):
                missing.setdefault(lang, []).append(key)
            for lang, keys in missing.items():
                shown = ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
                diagnostics.warning(SourceLocation(f"i18n/{lang}.yml"),
                                    f"{counted(len(keys), 'UI string')} {'is' if len(keys) == 1 else 'are'} "
                                    f"missing in {lang} ({shown}); "
                                    f"the {config.default_language} text is used",
                                    f"add them to the site's i18n/{lang}.yml or the theme's", "i18n-missing")
        with timer.stage("discover"):
            sources, found = discover(options.root, config, memory.sources if memory is not None else None)
            diagnostics.extend(found)
        with timer.stage("parse"):
            cache, stale_markdown = (load_markdown_cache(options.root) if memory is None else (memory.markdown, "")
                                     ) if options.incremental else ({}, "")
            if stale_markdown:
                diagnostics.warning(SourceLocation(stale_markdown),
                                    "the build cache was unreadable and was discarded; everything is rebuilt",
                                    "nothing to do: a fresh cache is written after this build", "cache")
            code = code_digest() if options.incremental and not (memory and memory.code) else \
                memory.code if memory is not None else ""
            if memory is not None:
                memory.code = code
            known, discarded = (load_page_cache(options.root, code) if memory is None else
                                (PageCache(memory.pages), False)) if options.incremental else (PageCache(), False)
            if discarded:
                diagnostics.warning(SourceLocation(f"{CACHE_DIR}/{PAGES_FILE}"),
                                    "the page cache was unreadable and was discarded; every page is parsed again",
                                    "nothing to do: a fresh cache is written after this build", "cache")
            parsed = parse_cached(sources, config, options.jobs, cache, known.entries, code,
                                  memory.whole if memory is not None else None)
            pages = parsed.pages
            del sources  # the files' text is no longer needed (the largest thing a clean build holds)
            diagnostics.extend(parsed.problems)
        with timer.stage("media"):  # bundle files once per item; photos measured, stripped, resized (cached)
            media, media_files, found = plan_media(options.root, pages,
                                                   options.root / CACHE_DIR if options.incremental else None)
            diagnostics.extend(found)
            pages = list(with_media(pages, media))
        with timer.stage("assemble"):
            site, found = assemble(pages, config, options.now, options.drafts, parsed.failed)
            diagnostics.extend(found)
            schedule = schedule_changes(pages, options.now) if memory is None else []  # (the preview's has no use)
            # official text edited with no changes: entry (a warning; --strict refuses it)
            recorded = recorded_pages(site)
            ledger = check_ledger(recorded, read_ledger(options.root, {p.key for p in recorded},
                                                        memory.ledger if memory is not None else None),
                                  config.reference_pattern, memory.statements if memory is not None else None)
            diagnostics.extend(ledger.problems)
            site = replace(site, references=dict(ledger.references))
        if diagnostics.errors:  # under --strict a warning alone goes on: the render's rules may find more, listed too
            return report(False)
        # Outputs go into a staging folder as they are made (by the workers, too), so no process holds
        # the whole site; only a complete, successful build swaps it in.
        # an output changed since the last build (by hand, or by a build killed before it saved its state) is
        # trusted file by file, by digest, and never wholesale
        staging = Staging(options.out_dir, options.root, verify=not trusted) if options.write else None
        stagings.extend([staging] if staging is not None else [])
        snippet_staging: Staging | None = None
        try:
            with timer.stage("render"):
                env = _environment(options.root, chain, memory)
                reuse: UnitState = {}
                previous_files: dict[str, str] = {}
                if staging is not None and options.incremental and not options.force:
                    units = load_render_state(options.root, str(options.out_dir), manifest_id(options.out_dir))
                    if units:
                        previous_files = staging.previous
                        # a file deleted by hand since is rendered again (its unit is not reused)
                        live = str(options.out_dir)
                        reuse = {key: unit for key, unit in units.items()
                                 if all(path in previous_files and os.path.isfile(os.path.join(live, path))
                                        for path in unit[1])}
                elif memory is not None and not options.force:
                    reuse = {key: unit for key, unit in memory.units.items()
                             if all(path in memory.outputs for path in unit[1])}
                search = config.search and search_available()
                if config.search and not search:
                    diagnostics.warning(SourceLocation(CONFIG_FILE), "the site is built without search: Pagefind's"
                                        " binary is not installed for this platform", "install legation again "
                                        "(pip install .), or write search: false in site.yml", "search")
                raqm = raqm_available()
                style = load_style(list(chain.font_dirs), [options.root / "static", *reversed(chain.static_dirs)],
                                   card_colours(chain, options.root))
                cards, found = (plan_cards(site, catalog, style, config.share_cards, raqm)
                                if style is not None else ({}, []))
                diagnostics.extend(found)
                renderer = Renderer(site, env, catalog, reuse, str(options.out_dir), previous_files, root=options.root,
                                    fingerprint=signing.fingerprint if signing else "", signing=signing,
                                    search=search, cards=cards, code=code,
                                    card_style=style, raqm=raqm,
                                    previous_outputs=memory.outputs if memory is not None else None,
                                    defer=frozenset({"search"}) if memory is not None and memory.defer_search
                                    else frozenset())
                extras = [*_static_files(options.root, chain.static_dirs), headers_file(config.language_codes, search),
                          # the bundle files of the pages this build publishes (a draft's photo is not)
                          *(made for asset in sorted({a for p in site.pages for a in p.bundle_assets})
                            for made in media_files.get(asset, ())),
                          *root_files(options.root, frozenset({*config.language_codes, "static", "_snippets",
                                                               "search", SEARCH_FOLDER, "cards", MEDIA_FOLDER})),
                          *(made for made in (security_txt(config, options.now), atproto_did(config)) if made)]
                placed: list[Placed | Held] = []
                if staging is not None:
                    placed.extend(renderer.render_into(staging.put, options.jobs))
                    placed.extend(staging.put(output) for output in extras)
                elif memory is not None:  # the preview's: changed units are made on request, or after the reload
                    placed = [*(renderer.render_held() if memory.outputs else renderer.render_all(options.jobs)),
                              *extras]
                else:
                    placed = [*renderer.render_all(options.jobs), *extras]
            with timer.stage("snippets"):
                snippets_dir = options.root / config.snippets.out_dir
                if options.write and not options.snippets_in_site and config.snippets.platforms:
                    snippets_dir = linked_output(snippets_dir)
                prefix = "_snippets/" if options.snippets_in_site else ""
                target = options.out_dir if options.snippets_in_site else snippets_dir
                if options.snippets_in_site:
                    snippet_staging = staging
                elif options.write and config.snippets.platforms:
                    check_output_dir(snippets_dir, options.root, {"site's output": options.out_dir})
                    snippet_staging = Staging(snippets_dir, options.root, verify=not trusted)
                    stagings.append(snippet_staging)
                previous, discarded = ((memory.snippets, False) if memory is not None else
                                       load_json_cache(options.root, SNIPPET_CACHE)
                                       if options.incremental and not options.force else (None, False))
                manifest_of = _manifest_of if trusted else _verified_manifest_of
                held = memory.files() if memory is not None else None
                if held is not None:
                    def manifest_of(folder: str) -> dict[str, str]:
                        return {path: output.digest for path, output in held.items()}
                sink: Callable[[OutputFile], object] = snippet_staging.put if snippet_staging is not None else _keep
                # its own folder, not the site's: when no file of it would change, it is kept as it is
                alone = snippet_staging is not None and snippet_staging is not staging
                try:
                    made = build_snippet_files(site, catalog, options.jobs, previous, str(target), manifest_of,
                                               sink, prefix, skip_unchanged=alone,
                                               held=held, code=code)
                except SnippetCacheError:  # raised before any file was made
                    discarded = True
                    made = build_snippet_files(site, catalog, options.jobs, None, str(target), manifest_of, sink,
                                               prefix)
                if discarded:
                    diagnostics.warning(SourceLocation(f"{CACHE_DIR}/{SNIPPET_CACHE}"),
                                        "the snippet cache was unreadable and was discarded; every post is made again",
                                        "nothing to do: a fresh cache is written after this build", "cache")
                diagnostics.extend(made.problems)
                if options.snippets_in_site:
                    placed.extend(p for p in made.outputs if isinstance(p, Placed | OutputFile | PendingFile))
            if staging is not None or memory is not None:  # the content rules `legation check` lists, over
                with timer.stage("rules"):  # what this build made
                    outputs = frozenset(p.path for p in placed)
                    diagnostics.extend(content_problems(site.pages, config, outputs, _locator(options.root)))
            if memory is not None and not failed():
                with timer.stage("write"):
                    stats_files, stats_bytes, stats_written, stats_html = _keep_in(
                        memory, [p for p in placed if not isinstance(p, Placed)], renderer, parsed, made.state)
                return report(True)
            if failed() or staging is None:
                for stage in (staging, snippet_staging):
                    if stage is not None:
                        stage.abort()  # a second abort of the same folder does nothing
                return report(not failed())
            with timer.stage("write"):
                stats = staging.commit(p for p in placed if isinstance(p, Placed))
                if not options.drafts:  # the text this build published, recorded for the next (not a preview's)
                    write_ledger(options.root, ledger.updates)
                replaced.append(str(options.out_dir))
                stats_files, stats_bytes, stats_written = stats.files, stats.bytes, stats.written
                stats_html = sum(1 for item in placed if item.path.endswith(".html"))
                if snippet_staging is not None and snippet_staging is not staging:
                    if made.unchanged:
                        snippet_staging.abort()  # the folder already holds every file: nothing to swap in
                    else:
                        snippet_staging.commit(p for p in made.outputs if isinstance(p, Placed))
        except BaseException:
            for stage in (staging, snippet_staging):
                if stage is not None:
                    stage.abort()
            raise
        if options.incremental:
            # every cache is keyed by content, so one holding the same keys as before needs no writing
            saved = True
            if stale_markdown:  # every file again: an unreadable one must not outlive this build
                saved &= save_markdown_cache(options.root, parsed.rendered)
            elif parsed.rendered.keys() != cache.keys():
                saved &= save_markdown_cache(options.root, parsed.rendered, cache.keys())
            saved &= save_page_cache(options.root, code, parsed.entries, known)
            if made.state != previous:
                saved &= save_json_cache(options.root, SNIPPET_CACHE, made.state)
            # for the manifest now live: a state left by an earlier build is never taken for this site's
            saved &= save_render_state(options.root, str(options.out_dir), renderer.unit_state(),
                                       manifest_id(options.out_dir))
            remove_obsolete_caches(options.root)
            if not saved:  # a file that failed was removed: the next build renders what it described again
                diagnostics.warning(SourceLocation(CACHE_DIR), "the build cache could not be written; the site was"
                                    " built, and the next build renders it all again",
                                    f"check that {CACHE_DIR}/ can be written (disk space, permissions)", "cache")
            done = report(True)
            folders = tuple(str(stage.out_dir) for stage in (staging, snippet_staging) if stage is not None)
            save_state(options.root, BuildState(
                # the ledger this build wrote is part of what the next build compares with
                inputs.rsplit("|", 1)[0] + "|" + written_stamp(options.root), options.now.isoformat(),
                # security.txt's expiry moves on at the start of each month: the next build then is a full one
                (*boundaries(pages), *((next_month(options.now).isoformat(),) if config.security else ())),
                {"counts": done.counts, "files": done.files, "html": done.html, "bytes": done.bytes,
                 "warnings": [p.as_json() for p in done.warnings]}, config.timezone, environment,
                folders, output_stamp(folders)))
    except LegationError as exc:
        diagnostics.extend(exc.problems)
        return report(False)
    finally:
        # the previous sites were deleted meanwhile, in the background: done before the lock is released,
        # on every path (a failed second commit too), so the next build never meets a deletion in progress
        for stage in stagings:
            stage.settle()
    return report(True)


def _environment(root: Path, chain: Any, memory: Memory | None) -> Any:
    """The Jinja environment; a resident preview's own while no template file and no theme changed."""
    from .fastpath import input_files
    from .templates import make_environment

    if memory is None:
        return make_environment(root, chain)
    stamps = []
    for folder in (str(root / "templates"), *map(str, chain.template_dirs)):
        for file in input_files(folder):
            with contextlib.suppress(OSError):
                stat = os.stat(file)
                stamps.append((file, stat.st_mtime_ns, stat.st_size, stat.st_ino))
    key = (repr(chain), tuple(stamps))
    if memory.environment is None or memory.environment[0] != key:
        memory.environment = (key, make_environment(root, chain))
    return memory.environment[1]


def _keep_in(memory: Memory, outputs: list[Held], renderer: Renderer, parsed: Parsed,
             snippets: object) -> tuple[int, int, int, int]:
    """Leave a successful build's outputs and everything the next build reuses in ``memory``; (files, bytes,
    files changed, HTML pages)."""
    before = memory.outputs
    memory.outputs = {output.path: output for output in outputs}  # one assignment: requests see one build
    memory.units, memory.snippets = renderer.unit_state(), snippets
    memory.markdown, memory.pages, memory.whole = parsed.rendered, parsed.entries, parsed.held
    memory.pending = renderer if renderer.deferred else None
    made = [o for o in outputs if isinstance(o, OutputFile)]  # a pending file's size is not known yet
    size = sum(len(o.data) if o.data is not None else os.path.getsize(o.copy_from) if o.copy_from else 0 for o in made)
    changed = sum(1 for o in outputs if not _same(before.get(o.path), o))
    return len(outputs), size, changed, sum(1 for o in outputs if o.path.endswith(".html"))


def _same(before: Held | None, now: Held) -> bool:
    """Whether a file the preview held is the one a build made again (the same object, bytes or source file)."""
    if before is now:
        return True
    if not isinstance(before, OutputFile) or not isinstance(now, OutputFile):
        return False
    return (before.data is not None and before.data == now.data) or \
        (before.copy_from is not None and before.copy_from == now.copy_from)


def _fingerprint(options: BuildOptions) -> str:
    settings = f"{options.out_dir}|{options.drafts}|{options.strict}"
    return fingerprint(options.root, [builtin_themes_dir()], settings)


def _unchanged(options: BuildOptions, inputs: str) -> tuple[BuildReport | None, bool]:
    """(the previous build's report when nothing it depends on changed, else None; whether the output folders
    are still exactly as the previous build left them). ``inputs``: the inputs' fingerprint now."""
    start = time.perf_counter()
    state = load_state(options.root)
    if state is None or options.force:
        return None, False
    # a file deleted, defaced or added by hand in the output since, or a site swapped in by a build that was
    # killed before it saved this state: the full path repairs it, trusting no live file it cannot verify
    trusted = bool(state.outputs) and output_stamp(state.folders) == state.outputs
    if not trusted or not (options.out_dir / MARKER).is_file() or crossed(state, options.now):
        return None, trusted
    for folder in map(Path, state.folders):  # the snippets folder too: deleted, or left half-swapped by a build
        if not (folder / MARKER).is_file() or has_leftovers(folder):  # killed after saving its state
            return None, False  # the full path puts it right
    if state.clock != options.now.isoformat() and clock_in_templates(options.root, [builtin_themes_dir()]):
        return None, trusted
    if state.fingerprint != inputs or state.environment != environment_stamp(state.zone):
        return None, trusted  # a site file, a library or the time zone's rules changed
    summary = state.summary
    if "html" not in summary:
        return None, trusted  # saved by a version that did not count HTML pages: its summary would say 0
    warnings = tuple(
        Problem("warning", SourceLocation(str(w["file"]), int(w["line"]), int(w["col"])), str(w["message"]),
                str(w["hint"]), str(w["code"]))
        for w in summary.get("warnings", [])
    )
    return BuildReport(True, options.now, warnings, summary.get("counts", {}), int(summary.get("files", 0)),
                       int(summary.get("bytes", 0)), {"unchanged": time.perf_counter() - start}, (),
                       str(options.out_dir), 0, int(summary["html"])), True


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
    from .model import OutputFile

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


@dataclass(frozen=True)
class LoadedSite:
    """Config and parsed pages without rendering: for status, check and new."""

    config: Any
    pages: tuple[Any, ...]
    problems: tuple[Problem, ...]


def load_pages(root: Path) -> LoadedSite:
    """Read site.yml and parse every content file; raises LegationError when site.yml is unusable."""
    from .config import load_config
    from .content import discover, parse_all

    config = load_config(root)
    sources, problems = discover(root, config)
    pages, found = parse_all(sources, config)
    return LoadedSite(config, tuple(pages), tuple(problems + found))


def load_site(root: Path, now: datetime) -> tuple[Site, Catalog, tuple[Problem, ...]]:
    """The assembled site and its UI strings without rendering (for commands that inspect items)."""
    from .i18n import load_catalog
    from .site import assemble
    from .theme import resolve_theme

    loaded = load_pages(root)
    chain = resolve_theme(root, loaded.config.theme)
    catalog, found = load_catalog([*chain.i18n_dirs, root / "i18n"], root, loaded.config.language_codes,
                                  loaded.config.default_language)
    site, assembled = assemble(list(loaded.pages), loaded.config, now)
    return site, catalog, (*loaded.problems, *found, *assembled)
