"""Units: the pieces of rendering work a build is cut into. Each makes one or a few files from inputs the
renderer digests (unit_inputs.UnitInputs.unit_digest); the engine makes a unit again exactly when that digest changed
(see docs/how-a-build-works.md)."""

from __future__ import annotations

import threading
from collections.abc import Callable
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


@dataclass(frozen=True, eq=False)
class DrawnFile:
    """A file a resident preview makes each time it is asked for and never keeps: a share card (12 ms to draw,
    47 KB to hold; at 3,000 items per language the cards were a third of the preview's memory and half of its
    first build). ``key`` is what it shows: two with the same key make the same bytes."""

    path: str
    key: object
    make: Callable[[], OutputFile]


Held = OutputFile | PendingFile | DrawnFile
