"""A build: the pipeline of stages (generator/stages.py) from the site's files to its output, and the shortcut
that answers at once when nothing it depends on changed (DESIGN §11; docs/how-a-build-works.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import LegationError, Problem, SourceLocation
from ..core.files import MARKER, build_lock, check_output_dir, has_leftovers, linked_output, recover
from ..core.parallel import side_by_side
from ..core.paths import builtin_themes_dir
from ..core.zones import environment_stamp
from .fastpath import (
    BuildState,
    Walk,
    build_settings,
    clock_in_templates,
    crossed,
    fingerprint_folders,
    input_extras,
    inputs_fingerprint,
    load_state,
    output_stamp,
    retake,
)
from .run import BuildOptions, BuildReport, Run

if TYPE_CHECKING:
    from ..core.model import Site
    from ..sources.i18n import Catalog
    from .memory import Memory
    from .untouched import Untouched

__all__ = ("BuildOptions", "BuildReport", "LoadedSite", "build", "check_unchanged", "load_pages", "load_site", "unchanged")


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
            recover(options.out_dir)  # a patch a killed build left is finished first, whatever happens next
            return _build(options, progress)
    except LegationError as exc:
        return BuildReport(False, options.now, exc.problems, out_dir=str(options.out_dir))


def _build(options: BuildOptions, progress: Callable[[str], None] | None, memory: Memory | None = None) -> BuildReport:
    """The pipeline. Outputs go into a staging folder as they are made (by the workers, too), so no process
    holds the whole site, and only a complete, successful build swaps it in (or, for the preview, into memory)."""
    # Taken before any input is read: a file saved while this build runs then makes the next build look again
    # (a fingerprint taken at the end would name content this build never read).
    fast, trusted, inputs, outside = check_unchanged(options) if options.write and options.incremental else \
        (None, False, "", ())
    if fast is not None:
        return fast
    from . import stages  # the pipeline's heavy modules load only when a build runs

    run = Run(options, progress, memory, trusted, inputs, outside)
    try:
        upstream = stages.kept_upstream(run)  # a preview's build after template edits alone starts at render
        if upstream is None:
            with run.stage("config"):
                setup = stages.configure(run)
            with run.stage("i18n"):
                catalog = stages.load_strings(run, setup)
            with run.stage("discover"):
                sources = stages.read_sources(run, setup)
            with run.stage("parse"):
                parse = stages.parse(run, setup, sources)
                del sources  # the files' text is no longer needed (the largest thing a clean build holds)
            with run.stage("media"):
                published = stages.publish_media(run, setup, parse)
            with run.stage("assemble"):
                assembled = stages.assemble_site(run, setup, published, parse)
            if run.diagnostics.errors:  # under --strict a warning alone goes on: the rules may find more, listed too
                return run.report(False)
            upstream = stages.keep_upstream(run, setup, catalog, parse, published, assembled)
        setup, catalog, parse, published, assembled = (upstream.setup, upstream.catalog, upstream.parse,
                                                       upstream.published, upstream.assembled)
        with stages.Outputs(run, setup) as outputs:
            with run.stage("render"):
                rendered = stages.render(run, setup, catalog, assembled, published, parse, outputs)
            with run.stage("snippets"):
                snippets = stages.make_snippets(run, catalog, assembled, parse, rendered, outputs)
            if outputs.kept:
                with run.stage("rules"):
                    stages.check_rules(run, setup, assembled, rendered)
            if run.failed() or not outputs.kept:
                outputs.abort()
                return run.report(not run.failed())
            with run.stage("write"):
                stages.write(run, outputs, rendered, snippets, assembled, parse)
        if options.incremental and memory is None:
            stages.save_caches(run, setup, parse, published, rendered, snippets, outputs)
        return run.report(True)
    except LegationError as exc:
        run.diagnostics.extend(exc.problems)
        return run.report(False)
    finally:
        run.settle()


def unchanged(options: BuildOptions) -> BuildReport | None:
    """The previous build's report when nothing a build of ``options`` depends on changed since (a build would
    write nothing), else None. Reads, never writes: a network build asks it before starting a mission's build."""
    if not options.write or not options.incremental or options.force:
        return None
    try:
        options = replace(options, out_dir=linked_output(options.out_dir))
    except LegationError:  # the build tells what is wrong with the output folder
        return None
    return check_unchanged(options)[0]


def _fingerprint(options: BuildOptions, outside: tuple[str, ...], seen: dict[str, str] | None = None,
                 walk: Walk | None = None) -> str:
    return inputs_fingerprint(options.root, options.out_dir, options.drafts, options.strict, outside, seen,
                              options.signing_key, walk)


def _retaken(options: BuildOptions, outside: tuple[str, ...], untouched: Untouched | None, seen: dict[str, str] | None,
             walk: Walk | None, last: tuple[Walk, dict[str, str]] | None) -> str | None:
    """The inputs' fingerprint from the last build's (``last``: its walk and each file's stat line) and the files a
    resident builder's watch named alone (fastpath.retake), filling ``seen`` and ``walk`` as a fingerprint would;
    None when it cannot be known so."""
    if untouched is None or untouched.touched is None or last is None or seen is None or walk is None:
        return None
    before, lines = last
    seen.update(lines)
    found = retake(before, seen, build_settings(options.out_dir, options.drafts, options.strict, options.signing_key),
                   fingerprint_folders(options.root, input_extras(outside)), untouched.touched)
    if found is None:
        seen.clear()
        return None
    walk.settings, walk.folders, walk.main[:], walk.written[:] = before.settings, before.folders, before.main, \
        before.written
    return found


def check_unchanged(options: BuildOptions, seen: dict[str, str] | None = None, untouched: Untouched | None = None,
                    walk: Walk | None = None, last: tuple[Walk, dict[str, str]] | None = None
                    ) -> tuple[BuildReport | None, bool, str, tuple[str, ...]]:
    """(the previous build's report when nothing it depends on changed, else None; whether the output folders
    are still exactly as the previous build left them; the inputs' fingerprint now; the inputs outside the site
    it took in, as the previous build read them). ``seen`` is filled with every input file's size and time (not
    when ``untouched`` says the inputs are: a resident builder's watch, see untouched.py, which also spares the
    outputs' lstat when they are), and ``walk`` with the order they were hashed in; when the watch names the files
    touched since the last build (whose walk and stat lines are ``last``), only those are looked at."""
    start = time.perf_counter()
    state = load_state(options.root)
    outside = state.outside if state is not None else ()
    if state is None or options.force:
        return None, False, _fingerprint(options, outside, seen, walk), outside

    def taken() -> str:
        return _retaken(options, outside, untouched, seen, walk, last) or _fingerprint(options, outside, seen, walk)

    # a file deleted, defaced or added by hand in the output since, or a site swapped in by a build that was
    # killed before it saved this state: the full path repairs it, trusting no live file it cannot verify.
    # The inputs' stat and the outputs' lstat, both a tenth of a second at 3000 items, run side by side.
    if untouched is not None and (untouched.inputs or untouched.outputs):
        inputs = state.fingerprint if untouched.inputs else taken()
        outputs = state.outputs if untouched.outputs else _output_stamp(state)
    else:
        inputs, outputs = side_by_side(taken, lambda: _output_stamp(state))
    trusted = bool(state.outputs) and outputs == state.outputs
    if not trusted or not (options.out_dir / MARKER).is_file() or crossed(state, options.now):
        return None, trusted, inputs, outside
    for folder in map(Path, state.folders):  # the snippets folder too: deleted, or left half-swapped by a build
        if not (folder / MARKER).is_file() or has_leftovers(folder):  # killed after saving its state
            return None, False, inputs, outside  # the full path puts it right
    if state.clock != options.now.isoformat() and clock_in_templates(options.root, [builtin_themes_dir()]):
        return None, trusted, inputs, outside
    if state.fingerprint != inputs or state.environment != environment_stamp(state.zone):
        return None, trusted, inputs, outside  # a site file, a library or the time zone's rules changed
    summary = state.summary
    if "html" not in summary or "next_build" not in summary:
        return None, trusted, inputs, outside  # saved by a version that did not count HTML pages or keep its look-ahead
    warnings = tuple(
        Problem("warning", SourceLocation(str(w["file"]), int(w["line"]), int(w["col"])), str(w["message"]),
                str(w["hint"]), str(w["code"]))
        for w in summary.get("warnings", [])
    )
    return BuildReport(True, options.now, warnings, summary.get("counts", {}), int(summary.get("files", 0)),
                       int(summary.get("bytes", 0)), {"unchanged": time.perf_counter() - start},
                       # the same look-ahead: no boundary entered or left it since (``crossed``)
                       tuple({str(k): str(v) for k, v in change.items()} for change in summary.get("next_build", [])),
                       str(options.out_dir), 0, int(summary["html"])), True, inputs, outside


def _output_stamp(state: BuildState | None) -> str:
    if state is None or len(state.listings) != len(state.folders):
        return ""
    return output_stamp(state.folders, state.listings)


@dataclass(frozen=True)
class LoadedSite:
    """Config and parsed pages without rendering: for status, check and new."""

    config: Any
    pages: tuple[Any, ...]
    problems: tuple[Problem, ...]


def load_pages(root: Path) -> LoadedSite:
    """Read site.yml and parse every content file; raises LegationError when site.yml is unusable."""
    from ..sources.config import load_config
    from ..sources.content import discover, parse_all
    from ..sources.network import link_mission

    config = link_mission(root, load_config(root))  # a mission's: its ministry's theme and settings
    sources, problems = discover(root, config)
    pages, found = parse_all(sources, config)
    return LoadedSite(config, tuple(pages), tuple(problems + found))


def load_site(root: Path, now: datetime) -> tuple[Site, Catalog, tuple[Problem, ...]]:
    """The assembled site and its UI strings without rendering (for commands that inspect items)."""
    from ..assembly.site import assemble
    from ..sources.i18n import load_catalog
    from ..sources.theme import resolve_theme

    loaded = load_pages(root)
    chain = resolve_theme(root, loaded.config.theme, loaded.config.theme_version)
    catalog, found = load_catalog([*chain.i18n_dirs, root / "i18n"], root, loaded.config.language_codes,
                                  loaded.config.default_language)
    site, assembled = assemble(list(loaded.pages), loaded.config, now)
    return site, catalog, (*loaded.problems, *found, *assembled)
