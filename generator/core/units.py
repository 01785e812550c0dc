"""Units: the pieces of rendering work a build is cut into. Each makes one or a few files from inputs the
renderer digests (unit_inputs.UnitInputs.unit_digest); the engine makes a unit again exactly when that digest changed
(see docs/how-a-build-works.md)."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType

from .model import OutputFile

#: What each kind makes: one page or file per unit, except where noted.
KINDS = MappingProxyType({
    "root": "the language chooser and the 404 page",
    "home": "a language's home page",
    "list": "one page of a section's listing",
    "tag": "a tag's page",
    "tagindex": "a language's list of tags",
    "channels": "the official channels page",
    "rumours": "the answers to false claims",
    "statements": "the official statements page",
    "check": "the page that checks a statement",
    "searchpage": "a language's search page",
    "search": "a language's Pagefind index (many files, named by their content)",
    "item": "an item's page",
    "card": "an item's share card",
    "ics": "an event's calendar file",
    "calendar": "a language's calendar of events",
    "feed": "an Atom and an RSS feed",
    "sitemap": "sitemap.xml and robots.txt",
    "register": "statements.json (and its signature)",
})


@dataclass(frozen=True)
class Unit:
    """One unit of rendering work; which fields are set depends on ``kind``."""

    kind: str
    lang: str = ""  # the language of the pages it makes (home, list, tag, tagindex, calendar, search, …)
    name: str = ""  # a list's section, a tag's slug
    number: int = 0  # a list page's number; the position of a page (item, card, ics) or feed in the site's lists

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"no unit of kind {self.kind!r}")


#: What a resident preview holds compressed: text, which zlib's fastest level shrinks five to ten times.
PACKED_SUFFIXES = (".html", ".xml", ".json", ".ics", ".txt", ".css", ".js", ".svg", ".webmanifest")
#: Smaller files are held as they are: a page of the site is 5-30 KB, a language's snippet board megabytes.
PACK_FROM = 2048
#: Nor are the social posts (the preview's ``_snippets/…json``): the next save's board reuses each of them as it
#: is, and unpacking and packing 9,000 of them again doubled the board's time (0.42 -> 0.94 s at 3,000 items).
POSTS = "_snippets/"


@dataclass(frozen=True, eq=False)
class PackedFile:
    """A text file a resident preview holds zlib-compressed, unpacked for each request (a page in a tenth of a
    millisecond): at 3,000 items per language the HTML, feeds and snippet boards it held were 300 MiB as they are.
    ``size`` is the unpacked length, ``digest`` the file's own when it was known."""

    path: str
    packed: bytes
    size: int
    digest: str = ""

    def unpack(self) -> OutputFile:
        return OutputFile(self.path, zlib.decompress(self.packed), digest=self.digest)


def packed(output: OutputFile | PackedFile) -> OutputFile | PackedFile:
    """``output`` as a resident preview holds it: compressed when it is text of some size, else itself (a file
    packed already, too)."""
    if isinstance(output, PackedFile):
        return output
    data = output.data
    if data is None or len(data) < PACK_FROM or not output.path.endswith(PACKED_SUFFIXES) or \
            (output.path.startswith(POSTS) and output.path.endswith(".json")):
        return output
    return PackedFile(output.path, zlib.compress(data, 1), len(data), output.digest)


def unpacked(held: OutputFile | PackedFile) -> OutputFile:
    return held.unpack() if isinstance(held, PackedFile) else held


class Pending:
    """A unit whose inputs changed, made when its page is first asked for or by the preview's after-work,
    whichever comes first (Hugo's server renders in the same order). Made once: a second caller waits for it.
    Once made, it holds its files as a resident preview does (``packed``): a request that still reaches it from
    an older build's table gets them without a second copy of the bytes being kept."""

    def __init__(self, make: Callable[[], Iterable[OutputFile | PackedFile]]) -> None:
        self._make: Callable[[], Iterable[OutputFile | PackedFile]] | None = make
        self._lock = threading.Lock()
        self._files: dict[str, OutputFile | PackedFile] | None = None

    @property
    def done(self) -> bool:
        return self._files is not None

    def made_elsewhere(self, files: dict[str, OutputFile | PackedFile]) -> None:
        """The unit made by a worker process, which sent back ``files`` (as ``files()`` there returned them)."""
        with self._lock:
            if self._files is None:
                self._files, self._make = files, None

    def files(self) -> dict[str, OutputFile | PackedFile]:
        """The unit's files by path, as held (a LegationError of the template or page is raised to every caller)."""
        with self._lock:
            if self._files is None:
                assert self._make is not None
                self._files = {output.path: packed(output) for output in self._make()}
                self._make = None  # lets go of the renderer (and the site) that made it
            return self._files


@dataclass(frozen=True, eq=False)
class PendingFile:
    """One file of a pending unit, held under its path until the unit is made."""

    path: str
    pending: Pending


@dataclass(frozen=True, eq=False)
class DrawnFile:
    """A file a resident preview makes each time it is asked for and never keeps: a share card (12 ms to draw,
    47 KB to hold; at 3,000 items per language the cards were a third of the preview's memory and half of its
    first build). ``key`` is what it shows: two with the same key make the same bytes."""

    path: str
    key: object
    make: Callable[[], OutputFile]


Held = OutputFile | PackedFile | PendingFile | DrawnFile
