"""What a resident preview keeps between builds, in its own process: the files it read, the parsed pages, the
unit table and every output file. A build given a Memory reads no cache from disk and writes no file: it takes
what did not change from here and leaves its outputs here, where the preview server answers from.

The CLI keeps the same things on disk (generator/cache.py) and its outputs in the site's folder; both feed
the one reuse rule of generator/templates.py: a unit is made again exactly when the digest of its inputs changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .cache import Rendered, UnitState
from .content import PageEntry, SourceMemo
from .model import OutputFile, Page


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
    # path → file, swapped as a whole when a build succeeds (a request never sees half of two builds)
    outputs: dict[str, OutputFile] = field(default_factory=dict)
    defer_search: bool = True  # search indexes follow the reload (see templates.Renderer.defer)
    pending: Deferred | None = None  # the last build's renderer while it holds deferred units
    # the Jinja environment (its compiled templates) under the key of the template files it read: made again
    # only when one of them, or the theme chain, changed
    environment: tuple[object, Any] | None = None
    ledger: dict[str, tuple[tuple[int, int, int], object]] = field(default_factory=dict)  # see ledger.read_ledger

    def output(self, path: str) -> OutputFile | None:
        return self.outputs.get(path)
