"""What a resident preview keeps between builds, in its own process: the files it read, the parsed pages, the
unit table and every output file. A build given a Memory reads no cache from disk and writes no file: it takes
what did not change from here and leaves its outputs here, where the preview server answers from.

The CLI keeps the same things on disk (generator/cache.py) and its outputs in the site's folder; both feed
the one reuse rule of generator/templates.py: a unit is made again exactly when the digest of its inputs changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import LegationError, Problem, SourceLocation
from ..core.model import OutputFile, Page, Site, SiteConfig, SourceFile
from ..core.units import DrawnFile, Held, PackedFile, Pending, PendingFile, unpacked

if TYPE_CHECKING:  # types only: build.py imports this module on its no-change path, which loads no parser
    from ..assembly.rules import RulesMemo
    from ..core.cache import Rendered, UnitState
    from ..core.files import Placed
    from ..outputs.unit_inputs import DigestMemo
    from ..sources.content import PageEntry, Parsed, SourceMemo
    from ..sources.i18n import Catalog
    from .fastpath import Walk


class Deferred(Protocol):
    """A build's renderer that kept some units' previous files for now (templates.Renderer)."""

    def render_deferred(self) -> list[tuple[str, str | None, list[OutputFile]]]: ...


@dataclass(frozen=True)
class Posts:
    """A build's posts and boards as it held them, with the site and strings they were made from: a next build of
    that site with bodies edited and the same post keys (snippets.posts_unchanged) keeps them as they are."""

    site: Site
    catalog: Catalog
    files: tuple[Held, ...]
    problems: tuple[Problem, ...]
    state: dict[str, object]  # the board's state they leave (build_snippet_files's)


@dataclass
class Memory:
    """Mutable on purpose: one preview server owns one, and only its build thread changes it."""

    sources: SourceMemo = field(default_factory=dict)
    # what the last look at content/ found (content.discover): a save the watcher names is read into it alone
    discovered: tuple[list[SourceFile], list[Problem]] | None = None
    markdown: dict[str, Rendered] = field(default_factory=dict)  # Markdown key → rendered body
    pages: dict[str, PageEntry] = field(default_factory=dict)  # page key → parsed page, without its body
    whole: dict[str, Page] = field(default_factory=dict)  # page key → the page as the last build had it
    units: UnitState = field(default_factory=dict)  # unit key → (input digest, output paths)
    cards: dict[str, tuple[str, Any]] = field(default_factory=dict)  # see cards.plan_cards
    digests: DigestMemo | None = None  # what each unit's digest read: the next build digests what a change reached
    snippets: object = None  # the snippet board's state, as build_snippet_files returns it (or the unit making it)
    snippet_paths: frozenset[str] = frozenset()  # the files of the last snippet board made
    # a pending unit the next build starts from (the posts): the after-work makes it before any page
    first: Pending | None = None
    # path → file, swapped as a whole when a build succeeds (a request never sees half of two builds); a file of
    # a unit not made yet is a PendingFile, replaced by the file itself once the unit is made
    outputs: dict[str, Held] = field(default_factory=dict)
    waiting: tuple[str, ...] = ()  # the paths the last build left pending, in output order (not 12,000 looked at)
    statements: dict[int, tuple[Page, str]] = field(default_factory=dict)  # see ledger.check_ledger
    rules: RulesMemo | None = None  # each page's link and image findings (see rules.content_problems)
    code: str = ""  # the package's digest (cache.code_digest), read once: the code does not change under a process
    defer_search: bool = True  # search indexes follow the reload (see templates.Renderer.defer)
    # a resident builder's (engine/publish.py), not a preview's: every file is made as the CLI makes it (share
    # cards too, never drawn on request), the next days' changes are listed, and the files are then written out
    publish: bool = False
    # a resident builder's: each input file's size and time when its last build began (fastpath.fingerprint's),
    # whose differences name the files its next build reads again (as a preview's file watcher names them)
    seen: dict[str, str] | None = None
    # a resident builder's: the order its last fingerprint hashed the files in, with ``seen`` (fastpath.retake)
    walk: tuple[Walk, dict[str, str]] | None = None
    # a resident builder's: the files its last build wrote, by path: one still held is not looked at again
    published: dict[str, tuple[Held, Placed]] = field(default_factory=dict)  # each with how it stands there
    pending: Deferred | None = None  # the last build's renderer while it holds deferred units
    # the Jinja environment (its compiled templates) under ((the theme chain, its template folders), each template
    # file's stamp): made again when the chain or the folders change; a changed file's template is compiled again
    environment: tuple[tuple[Any, dict[str, tuple[str, int, int, int]]], Any] | None = None
    ledger: dict[str, tuple[tuple[int, ...], object]] = field(default_factory=dict)  # see ledger.read_ledger
    # what the last build read and assembled before rendering (stages.Upstream), kept while only templates change
    upstream: object = None
    # the last parse: (its files, the settings, the code, what it parsed), which the next one's edits start from
    parsed: tuple[list[SourceFile], SiteConfig, str, Parsed] | None = None
    posts: Posts | None = None  # the last build's posts and boards, made or kept at once (not after the reload)


    def output(self, path: str) -> OutputFile | None:
        """The file at ``path``, its unit made first if it is pending (a LegationError when that fails)."""
        held = self.outputs.get(path)
        if isinstance(held, DrawnFile):
            try:
                return held.make()
            except (OSError, ValueError) as exc:  # a font or the emblem gone since the build (Pillow's errors)
                raise LegationError.at(SourceLocation("site.yml"), f"the share card {path} could not be drawn: {exc}",
                                       "check that the theme's fonts and emblem are still there, or write "
                                       "share_cards: off in site.yml", "cards") from None
        if isinstance(held, PendingFile):
            held = self.realise(held.pending).get(path)
        return None if held is None else unpacked(held)

    def realise(self, pending: Pending) -> dict[str, OutputFile | PackedFile]:
        """Make a pending unit and put its files where its placeholders were."""
        made = pending.files()
        outputs = self.outputs  # the current build's: an older dict may still be read by a request, unharmed
        for path, output in made.items():
            held = outputs.get(path)
            if isinstance(held, PendingFile) and held.pending is pending:
                outputs[path] = output  # one key's value: no reader ever sees the dict change size
        return made

    def pending_units(self) -> list[Pending]:
        """The units still to make, each once: ``first`` first, then in output order."""
        found: dict[int, Pending] = {}
        if self.first is not None and not self.first.done:
            found[id(self.first)] = self.first
        outputs = self.outputs
        for path in self.waiting:
            held = outputs.get(path)
            if isinstance(held, PendingFile) and not held.pending.done:
                found.setdefault(id(held.pending), held.pending)
        return list(found.values())

    def files(self) -> HeldFiles:
        """The files already made (what the snippet board's reuse and manifests look at), unpacked when read."""
        return HeldFiles({path: held for path, held in self.outputs.items() if isinstance(held, OutputFile | PackedFile)})


class HeldFiles(Mapping[str, OutputFile]):
    """Made files by path, each unpacked when it is read; ``digests`` without unpacking any."""

    def __init__(self, held: dict[str, OutputFile | PackedFile]) -> None:
        self._held = held

    def __getitem__(self, path: str) -> OutputFile:
        return unpacked(self._held[path])

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, path: object) -> bool:  # Mapping's would unpack the file to answer
        return path in self._held

    def digests(self) -> dict[str, str]:
        return {path: held.digest for path, held in self._held.items()}

    def as_held(self) -> list[OutputFile | PackedFile]:
        """The files as they are held (packed ones not unpacked), in path order."""
        return [self._held[path] for path in sorted(self._held)]

    def only(self, paths: Iterable[str]) -> HeldFiles:
        return HeldFiles({path: self._held[path] for path in paths if path in self._held})
