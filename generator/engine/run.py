"""One build while it runs (Run), what it is asked to do (BuildOptions) and what it did (BuildReport)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import Diagnostics, Problem, SourceLocation, counted, of_severity

if TYPE_CHECKING:
    from ..core.files import Staging
    from ..core.model import Site
    from .memory import Memory


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
    # a resident preview's build: the files the operating system said changed since its previous build (None:
    # not known, as after a poll); when they are all templates, what was read and assembled before is kept
    changed: frozenset[str] | None = None


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
    waiting: int = 0  # the preview's: files whose inputs changed, made when asked for or after the reload

    @property
    def errors(self) -> list[Problem]:
        return of_severity(self.problems, "error")

    @property
    def warnings(self) -> list[Problem]:
        return of_severity(self.problems, "warning")

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
            "waiting": self.waiting,
            "replaced": list(self.replaced),
            "bytes": self.bytes,
            "errors": [p.as_json() for p in self.errors],
            "warnings": [p.as_json() for p in self.warnings],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "next_build": list(self.schedule),
        }

    def wire(self) -> dict[str, Any]:
        """The whole report as JSON values (``from_wire`` makes it again): what a resident builder sends back."""
        return {"ok": self.ok, "now": self.now.isoformat(), "counts": self.counts, "files": self.files,
                "bytes": self.bytes, "timings": self.timings, "schedule": list(self.schedule), "out_dir": self.out_dir,
                "written": self.written, "html": self.html, "replaced": list(self.replaced), "waiting": self.waiting,
                "problems": [[p.severity, p.location.path, p.location.line, p.location.col, p.message, p.hint, p.code]
                             for p in self.problems]}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> BuildReport:
        """The report ``wire`` gave (KeyError, TypeError or ValueError when ``data`` is not one)."""
        problems = tuple(Problem("error" if severity == "error" else "warning",
                                 SourceLocation(str(path), int(line), int(col)), str(message), str(hint), str(code))
                         for severity, path, line, col, message, hint, code in data["problems"]
                         if severity in ("error", "warning") or _unknown(severity))
        return cls(bool(data["ok"]), datetime.fromisoformat(data["now"]), problems,
                   {str(lang): {str(k): int(v) for k, v in sections.items()} for lang, sections in data["counts"].items()},
                   int(data["files"]), int(data["bytes"]), {str(k): float(v) for k, v in data["timings"].items()},
                   tuple({str(k): str(v) for k, v in change.items()} for change in data["schedule"]),
                   str(data["out_dir"]), int(data["written"]), int(data["html"]), tuple(map(str, data["replaced"])),
                   int(data["waiting"]))

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
        changed = f"{self.written} changed" + (f", {self.waiting} to make when asked for" if self.waiting else "")
        return (f"legation: built {items} ({per_lang}) as {counted(self.html, 'HTML page')}; "
                f"{counted(self.files, 'file')} ({changed}), {warnings}, {seconds:.2f} s")


def _unknown(severity: object) -> bool:
    raise ValueError(f"a problem of an unknown severity: {severity!r}")


class Run:
    """The state of one build while it runs: its options, the problems found so far, the time each stage took,
    the staging folders it opened and what its report counts. Mutable on purpose: it lives inside one call of
    build() and is never handed to a worker process; what flows from stage to stage are frozen values."""

    def __init__(self, options: BuildOptions, progress: Callable[[str], None] | None, memory: Memory | None,
                 trusted: bool, inputs: str, outside: tuple[str, ...] = ()) -> None:
        self.options, self.progress, self.memory = options, progress, memory
        self.trusted = trusted  # the output folders are as the previous build left them (see build.check_unchanged)
        self.inputs = inputs  # the inputs' fingerprint taken before anything was read ("" when not kept)
        self.outside = outside  # the inputs outside the site that fingerprint took in (the last build's)
        self.diagnostics = Diagnostics()
        self.timings: dict[str, float] = {}
        self.stagings: list[Staging] = []
        self.replaced: list[str] = []  # folders swapped in: a failure after that must not claim nothing was written
        self.site: Site | None = None
        self.before: object = None  # a resident process's last Upstream, when it is not kept whole (kept_upstream)
        self.schedule: list[dict[str, str]] = []
        self.files = self.bytes = self.written = self.html = self.waiting = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def failed(self) -> bool:
        # a discarded cache is reported but is not a content problem, so --strict does not fail on it
        content_warnings = [w for w in self.diagnostics.warnings if w.code != "cache"]
        return bool(self.diagnostics.errors) or (self.options.strict and bool(content_warnings))

    def report(self, ok: bool) -> BuildReport:
        counts: dict[str, dict[str, int]] = {}
        if self.site is not None:
            from ..core.model import SECTIONS

            tally = Counter((p.lang, p.section) for p in self.site.pages)
            counts = {lang: {s: tally[(lang, s)] for s in SECTIONS} for lang in self.site.config.language_codes}
        return BuildReport(ok, self.options.now, tuple(self.diagnostics.sorted()), counts, self.files, self.bytes,
                           self.timings, tuple(self.schedule), str(self.options.out_dir), self.written, self.html,
                           () if ok else tuple(self.replaced), self.waiting)

    def settle(self) -> None:
        """The previous sites were deleted meanwhile, in the background: waited for before the lock is released,
        on every path (a failed second commit too), so the next build never meets a deletion in progress."""
        for stage in self.stagings:
            stage.settle()
