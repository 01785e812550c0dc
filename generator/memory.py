"""What a resident preview keeps between builds, in its own process: the files it read, the parsed pages, the
unit table and every output file. A build given a Memory reads no cache from disk and writes no file: it takes
what did not change from here and leaves its outputs here, where the preview server answers from.

The CLI keeps the same things on disk (generator/cache.py) and its outputs in the site's folder; both feed
the one reuse rule of generator/templates.py: a unit is made again exactly when the digest of its inputs changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .model import OutputFile, Page

if TYPE_CHECKING:  # types only: build.py imports this module on its no-change path, which loads no parser
    from .cache import Rendered, UnitState
    from .content import PageEntry, SourceMemo


class Pending:
    """A unit whose inputs changed, made when its page is first asked for or by the preview's after-work,
    whichever comes first (Hugo's server renders in the same order). Made once: a second caller waits for it."""

    def __init__(self, make: Callable[[], list[OutputFile]]) -> None:
        self._make: Callable[[], list[OutputFile]] | None = make
        self._lock = threading.Lock()
        self._files: dict[str, OutputFile] | None = None

    @property
    def done(self) -> bool:
        return self._files is not None

    def files(self) -> dict[str, OutputFile]:
        """The unit's files by path (a LegationError of the template or page is raised to every caller)."""
        with self._lock:
            if self._files is None:
                assert self._make is not None
                self._files = {output.path: output for output in self._make()}
                self._make = None  # lets go of the renderer (and the site) that made it
            return self._files


@dataclass(frozen=True, eq=False)
class PendingFile:
    """One file of a pending unit, held under its path until the unit is made."""

    path: str
    pending: Pending


Held = OutputFile | PendingFile


class Deferred(Protocol):
    """A build's renderer that kept some units' previous files for now (templates.Renderer)."""

    def render_deferred(self) -> list[tuple[str, str | None, list[OutputFile]]]: ...


@dataclass
class Memory:
    """Mutable on purpose: one preview server owns one, and only its build thread changes it."""

    sources: SourceMemo = field(default_factory=dict)
    markdown: dict[str, Rendered] = field(default_factory=dict)  # Markdown key → rendered body
    pages: dict[str, PageEntry] = field(default_factory=dict)  # page key → parsed page, without its body
    whole: dict[str, Page] = field(default_factory=dict)  # page key → the page as the last build had it
    units: UnitState = field(default_factory=dict)  # unit key → (input digest, output paths)
    snippets: object = None  # the snippet board's state, as build_snippet_files returns it
    # path → file, swapped as a whole when a build succeeds (a request never sees half of two builds); a file of
    # a unit not made yet is a PendingFile, replaced by the file itself once the unit is made
    outputs: dict[str, Held] = field(default_factory=dict)
    statements: dict[int, tuple[Page, str]] = field(default_factory=dict)  # see ledger.check_ledger
    code: str = ""  # the package's digest (cache.code_digest), read once: the code does not change under a process
    defer_search: bool = True  # search indexes follow the reload (see templates.Renderer.defer)
    pending: Deferred | None = None  # the last build's renderer while it holds deferred units
    # the Jinja environment (its compiled templates) under the key of the template files it read: made again
    # only when one of them, or the theme chain, changed
    environment: tuple[object, Any] | None = None
    ledger: dict[str, tuple[tuple[int, int, int], object]] = field(default_factory=dict)  # see ledger.read_ledger

    def output(self, path: str) -> OutputFile | None:
        """The file at ``path``, its unit made first if it is pending (a LegationError when that fails)."""
        held = self.outputs.get(path)
        if not isinstance(held, PendingFile):
            return held
        return self.realise(held.pending).get(path)

    def realise(self, pending: Pending) -> dict[str, OutputFile]:
        """Make a pending unit and put its files where its placeholders were."""
        made = pending.files()
        outputs = self.outputs  # the current build's: an older dict may still be read by a request, unharmed
        for path, output in made.items():
            held = outputs.get(path)
            if isinstance(held, PendingFile) and held.pending is pending:
                outputs[path] = output  # one key's value: no reader ever sees the dict change size
        return made

    def pending_units(self) -> list[Pending]:
        """The units still to make, in output order, each once."""
        found: dict[int, Pending] = {}
        for held in list(self.outputs.values()):
            if isinstance(held, PendingFile) and not held.pending.done:
                found.setdefault(id(held.pending), held.pending)
        return list(found.values())

    def files(self) -> dict[str, OutputFile]:
        """The files already made (what the snippet board's reuse and manifests look at)."""
        return {path: held for path, held in self.outputs.items() if isinstance(held, OutputFile)}
