"""A resident builder's build (commands/resident.py): the preview's in-memory engine (memory.py) makes the site
from what changed since its previous build, and then only the files whose bytes differ from the live folder's
manifest are written, through the same staging as the CLI's (patched in place under a journal when the live
folder is as the last build left it, else verified and swapped): a failed or killed build never damages the live
site. The no-change state is saved as the CLI saves it, so a build without the resident builder after this one
compares with it."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace

from ..core.errors import LegationError, Problem, SourceLocation
from ..core.files import (
    Placed,
    Staging,
    WriteStats,
    build_lock,
    check_output_dir,
    linked_output,
    read_manifest,
    recover,
)
from ..core.model import OutputFile
from ..core.units import Held, PackedFile, Pending, PendingFile, unpacked
from .build import BuildOptions, BuildReport, build, check_unchanged
from .fastpath import Walk, restamp_written
from .memory import Memory
from .stages import Upstream, save_state_of
from .untouched import Sentry

#: where the memory build puts the social posts and their board (the preview's layout); written to their own folder
SNIPPETS = "_snippets/"
PUBLISHED = "publish"  # the report's timing of the files written: a report that has it came from a build here


def resident_memory() -> Memory:
    """A resident builder's memory: every file made at once, as the CLI makes it."""
    return Memory(defer_search=False, publish=True)


def build_resident(options: BuildOptions, memory: Memory, progress: Callable[[str], None] | None = None,
                   answer: Callable[[BuildReport], None] | None = None,
                   going_on: Callable[[], bool] | None = None, sentry: Sentry | None = None) -> BuildReport:
    """What ``build(options)`` does, from ``memory`` (made by resident_memory) and into the output folders.
    ``answer`` is given the report as soon as the files are in place, before the no-change state is saved (the
    lock is held until it is: a build that waits for it finds that state). When ``going_on`` says False before
    the files are written (the CLI that asked was interrupted), nothing is written, as with a CLI's own build.
    ``sentry``, the builder's watch over its files, is asked what is untouched once the lock is held, and told
    when the files are written."""
    if not (options.write and options.incremental and not options.force and memory.publish):
        raise ValueError("a resident build writes, incrementally, into a resident builder's memory")
    try:
        options = replace(options, out_dir=linked_output(options.out_dir))
        check_output_dir(options.out_dir, options.root)
        with build_lock(options.out_dir, options.lock_wait,
                        on_wait=(lambda: progress("waiting for another build")) if progress else None):
            recover(options.out_dir)
            report = _build(options, memory, progress, answer, going_on, sentry)
    except LegationError as exc:
        report = BuildReport(False, options.now, exc.problems, out_dir=str(options.out_dir))
    if answer is not None and (not report.ok or PUBLISHED not in report.timings):
        answer(report)  # a failure, or nothing to do: answered here, once
    return report


def _build(options: BuildOptions, memory: Memory, progress: Callable[[str], None] | None,
           answer: Callable[[BuildReport], None] | None, going_on: Callable[[], bool] | None,
           sentry: Sentry | None) -> BuildReport:
    seen: dict[str, str] = {}
    walk = Walk()
    untouched = sentry.ask(options) if sentry is not None else None
    # before anything is read, as the CLI's build (only the files its watch named, when it can tell)
    fast, trusted, inputs, outside = check_unchanged(options, seen, untouched, walk, memory.walk)
    if fast is not None:
        if memory.seen is None and seen:  # the first build handed to it: the files are as its memory read them
            memory.seen = seen  # (else the first edit after it read every file again: 1 s at 3,000 items)
            memory.walk = (walk, seen) if walk.folders else None
        if trusted and not memory.published and isinstance(memory.upstream, Upstream):
            _seed_published(options, memory, memory.upstream)
        return fast
    if untouched is not None and untouched.inputs:  # only the output folders changed (a file edited by hand)
        changed: frozenset[str] | None = frozenset()
    else:
        before, memory.seen = memory.seen, seen
        memory.walk = (walk, seen) if walk.folders else None
        # the files changed since its last build, as a preview's watcher names them (None: not known, all are read)
        changed = None if before is None else frozenset(path for path in before.keys() | seen.keys()
                                                        if before.get(path) != seen.get(path))
    report = build(replace(options, snippets_in_site=True, changed=changed), progress, memory)
    upstream = memory.upstream
    if not report.ok or not isinstance(upstream, Upstream):
        done = replace(report, out_dir=str(options.out_dir), waiting=0)
        return done if report.ok else _nothing_written(done)
    if going_on is not None and not going_on():
        return _interrupted(options, report)
    if progress:
        progress(PUBLISHED)
    start = time.perf_counter()
    replaced: list[str] = []
    try:
        stats, html, folders = _publish(options, memory, upstream, trusted, replaced, going_on)
    except _Interrupted:
        return _interrupted(options, report)
    except LegationError as exc:
        # as the CLI's failed build reports it: the counts of what it wrote (nothing, unless a folder was replaced)
        failed = replace(report, ok=False, problems=(*exc.problems, *report.problems), out_dir=str(options.out_dir),
                         waiting=0, replaced=tuple(replaced))
        return failed if replaced else _nothing_written(failed)
    if memory.seen is not None:
        # the ledger it wrote is no change for the next build
        restamp_written(options.root, memory.seen, memory.walk[0] if memory.walk is not None else None)
    if sentry is not None:
        sentry.written()
    done = replace(report, files=stats.files, bytes=stats.bytes, written=stats.written, html=html, waiting=0,
                   out_dir=str(options.out_dir), timings={**report.timings, PUBLISHED: time.perf_counter() - start})
    if answer is not None:
        answer(done)
    save_state_of(options, upstream.setup, upstream.published.pages, folders, done, inputs, outside)
    return done


def _seed_published(options: BuildOptions, memory: Memory, upstream: Upstream) -> None:
    """The files the live folders hold as this builder holds them (by their manifests), known as written by it:
    its first edit then places 12,000 unchanged files as its later edits do, without looking at each (0.3 s at
    3,000 items per language). Asked of a build that found the folders as the last build left them."""
    config = upstream.setup.config
    folders = [(options.out_dir, "")]
    if config.snippets.platforms:
        folders.append((linked_output(options.root / config.snippets.out_dir), SNIPPETS))
    for folder, prefix in folders:
        for path, digest in read_manifest(folder).items():
            held = memory.outputs.get(prefix + path)
            if isinstance(held, OutputFile | PackedFile) and held.digest and held.digest == digest:
                size = held.size if isinstance(held, PackedFile) else len(held.data or b"")
                memory.published[prefix + path] = (held, Placed(path, digest, size, False))


def _nothing_written(report: BuildReport) -> BuildReport:
    """``report`` with the counts of a build that wrote nothing (its memory build's counts are not what was
    written), as the CLI's failed build reports them."""
    return replace(report, files=0, bytes=0, written=0, html=0)


class _Interrupted(Exception):
    """The CLI that asked went away before anything was written."""


def _interrupted(options: BuildOptions, report: BuildReport) -> BuildReport:
    stopped = Problem("error", SourceLocation(str(options.root)), "the build was interrupted; nothing was written",
                      "build again", "interrupted")
    return _nothing_written(replace(report, ok=False, out_dir=str(options.out_dir), waiting=0,
                                    problems=(stopped, *report.problems)))


def _publish(options: BuildOptions, memory: Memory, upstream: Upstream, trusted: bool, replaced: list[str],
             going_on: Callable[[], bool] | None = None) -> tuple[WriteStats, int, tuple[str, ...]]:
    """Write what differs into the site's folder and the snippets' own; (the site's stats, its HTML pages, the
    folders written). The CLI is asked once more whether it is still there after the pending units are made (a
    template edit renders every page here) and before the first file is written."""
    from ..assembly.ledger import write_ledger

    _make_pending(memory, options.jobs)
    if going_on is not None and not going_on():
        raise _Interrupted
    config, root = upstream.setup.config, options.root
    snippets_dir = linked_output(root / config.snippets.out_dir) if config.snippets.platforms else None
    if snippets_dir is not None:
        check_output_dir(options.out_dir, root, {"snippets": snippets_dir})
        check_output_dir(snippets_dir, root, {"site's output": options.out_dir})
    site_files = {path: path for path in memory.outputs if not path.startswith(SNIPPETS)}
    snippet_files = {path[len(SNIPPETS):]: path for path in memory.outputs if path.startswith(SNIPPETS)}
    published: dict[str, tuple[Held, Placed]] = {}
    last, memory.published = memory.published, {}  # until both folders hold what this build made
    site = Staging(options.out_dir, root, verify=not trusted, patch=trusted)
    try:
        stats = site.commit(_placed(site, memory, site_files, last, published))
    finally:
        site.settle()
    replaced.append(str(options.out_dir))
    if not options.drafts:  # the text this build published, recorded for the next
        write_ledger(root, upstream.assembled.ledger.updates)
    folders = [str(options.out_dir)]
    if snippets_dir is not None:
        stage = Staging(snippets_dir, root, verify=not trusted, patch=trusted)
        try:
            stage.commit(_placed(stage, memory, snippet_files, last, published))
        finally:
            stage.settle()
        folders.append(str(snippets_dir))
    memory.published = published
    return stats, sum(1 for path in site_files if path.endswith(".html")), tuple(folders)


def _make_pending(memory: Memory, jobs: int) -> None:
    """Every unit the build left for later made now (the posts' board here, the pages in ``jobs`` worker processes
    when there are many, as after a template edit), and put in place of its placeholders."""
    from ..core.parallel import fork_map

    units = memory.pending_units()
    board = memory.first
    pages = [pending for pending in units if pending is not board]
    if len(pages) > 16 and jobs > 1:
        for pending, files in zip(pages, fork_map(_files_of, pages, jobs), strict=True):
            pending.made_elsewhere(files)
    for pending in units:
        memory.realise(pending)
    # a unit made again may make fewer files than before (statements.json.sig without a signing key): the
    # placeholders of files it no longer makes go (a resident builder's memory is read by no other thread)
    for path in memory.waiting:
        if isinstance(memory.outputs.get(path), PendingFile):
            del memory.outputs[path]


def _files_of(pending: Pending) -> dict[str, OutputFile | PackedFile]:
    return pending.files()


def _placed(stage: Staging, memory: Memory, paths: dict[str, str], last: dict[str, tuple[Held, Placed]],
            published: dict[str, tuple[Held, Placed]]) -> list[Placed]:
    """Every file of ``paths`` (its path in ``stage`` → its path in memory) placed in ``stage``: kept where the
    live folder already holds its bytes, else written (a file copied from the sources is read, as the CLI does);
    each held file placed goes into ``published``, with how it stands in the live folder now (``last``: the
    previous build's)."""
    placed: list[Placed] = []
    previous = stage.previous
    try:
        for path, held_path in sorted(paths.items()):
            held = memory.outputs[held_path]
            before = last.get(held_path)
            if stage.patch and before is not None and before[0] is held and previous.get(path) == before[1].digest:
                placed.append(before[1])  # as this builder wrote it last time: nothing to look at (12,000 files)
                published[held_path] = before
                continue
            if isinstance(held, OutputFile) and held.data is None:  # a static or bundle file, copied
                placed.append(stage.put(replace(held, path=path)))
                continue
            if not isinstance(held, OutputFile | PackedFile):
                raise AssertionError(f"{held_path} was not made before it was written")
            if not held.digest:
                held = _with_digest(memory, held_path, held)
            digest, size = held.digest, held.size if isinstance(held, PackedFile) else len(held.data or b"")
            # its path checked, its folder looked at in the live site
            found = stage.keep(path, digest, size) or stage.put(replace(unpacked(held), path=path, digest=digest))
            placed.append(found)
            published[held_path] = (held, Placed(path, digest, size, False))  # there from now on
    except BaseException:
        stage.abort()
        raise
    return placed


def remember_digests(memory: Memory) -> None:
    """Every held file's SHA-256 known (see _with_digest): a builder does it once after it made the site."""
    for path, held in list(memory.outputs.items()):
        if isinstance(held, OutputFile | PackedFile) and not held.digest and \
                (not isinstance(held, OutputFile) or held.data is not None):
            _with_digest(memory, path, held)


def _with_digest(memory: Memory, path: str, held: OutputFile | PackedFile) -> OutputFile | PackedFile:
    """The file with its SHA-256, held so from now on: the next build's unchanged file is not unpacked again."""
    known = replace(held, digest=hashlib.sha256(unpacked(held).data or b"").hexdigest())
    memory.outputs[path] = known  # one key's value: the same file, its digest known
    return known
