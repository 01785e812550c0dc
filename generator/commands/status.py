"""`legation status`: which translations are present, missing or stale (DESIGN §6)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Literal

from ..core.errors import Problem, SourceLocation, counted
from ..core.model import Page, SiteConfig, Status
from ..sources.translation_units import pinned_state

Cell = Literal["present", "untracked", "missing", "stale", "draft"]
MARKS: Mapping[Cell, str] = MappingProxyType(
    {"present": "✓", "untracked": "?", "missing": "–", "stale": "!", "draft": "d"})
MEANINGS: Mapping[Cell, str] = MappingProxyType({"present": "up to date", "untracked": "version not recorded",
                                                 "missing": "missing", "stale": "out of date", "draft": "draft"})


@dataclass(frozen=True)
class ItemStatus:
    section: str
    slug: str
    source: str  # the default-language file, or the first file found
    critical: bool  # a consular notice or a critical alert
    cells: tuple[tuple[str, Cell], ...]  # (lang, state) in site language order
    stale_since: tuple[tuple[str, str], ...] = ()  # (lang, ISO time the source last changed)

    def state(self, lang: str) -> Cell:
        return dict(self.cells)[lang]

    @property
    def incomplete(self) -> bool:
        """A language lacks the item, or has an outdated copy, while it is published in another one.

        A draft translation counts when another language's copy is not a draft: its readers do not see the item.
        """
        states = [cell for _, cell in self.cells]
        published = "present" in states or "untracked" in states
        return any(cell in ("missing", "stale") for cell in states) or ("draft" in states and published)


@dataclass(frozen=True)
class StatusReport:
    languages: tuple[str, ...]
    items: tuple[ItemStatus, ...]
    oldest_stale_days: float | None

    @property
    def critical_problems(self) -> tuple[ItemStatus, ...]:
        return tuple(item for item in self.items if item.critical and item.incomplete)

    @property
    def counts(self) -> dict[str, int]:
        """How many cells of the matrix are in each state."""
        return {state: sum(1 for i in self.items for _, c in i.cells if c == state) for state in MARKS}

    def todo(self) -> list[dict[str, str]]:
        """Each out-of-date or untracked translation, with the commands that deal with it."""
        found: list[dict[str, str]] = []
        for item in self.items:
            since = dict(item.stale_since)
            for lang, cell in item.cells:
                name = f"{item.section}/{item.slug}"
                if cell == "stale":
                    found.append({"item": name, "lang": lang, "state": cell, "source_changed": since.get(lang, ""),
                                  "diff": f"legation status --diff {name} --lang {lang}",
                                  "mark_current": f"legation translated {name} --lang {lang}"})
                elif cell == "untracked":
                    found.append({"item": name, "lang": lang, "state": cell, "source_changed": "", "diff": "",
                                  "mark_current": f"legation translated {name} --lang {lang}"})
        return found

    def as_json(self) -> dict[str, object]:
        return {
            "languages": list(self.languages),
            "oldest_stale_days": self.oldest_stale_days,
            "counts": self.counts,
            "items": [
                {"section": i.section, "slug": i.slug, "source": i.source, "critical": i.critical,
                 "incomplete": i.incomplete, "languages": dict(i.cells), "stale_since": dict(i.stale_since)}
                for i in self.items
            ],
            "todo": self.todo(),
        }

    def table(self) -> str:
        """A plain-text matrix (✓ up to date, ? version not recorded, – missing, ! out of date, d draft), its
        counts, and under it what to do about each translation that is out of date or untracked."""
        width = max([len(f"{i.section}/{i.slug}") for i in self.items] + [4])
        lines = ["item".ljust(width) + "  " + "  ".join(code.ljust(3) for code in self.languages)]
        for item in self.items:
            row = f"{item.section}/{item.slug}".ljust(width)
            row += "  " + "  ".join(MARKS[item.state(code)].ljust(3) for code in self.languages)
            lines.append(row + ("  ← critical" if item.critical and item.incomplete else ""))
        counts = self.counts
        legend = ", ".join(f"{MARKS[state]} {MEANINGS[state]}" for state in MARKS)
        lines.append(f"{counted(len(self.items), 'item')} in {counted(len(self.languages), 'language')}: "
                     f"{counts['present']} up to date, {counts['untracked']} untracked, {counts['missing']} missing, "
                     f"{counts['stale']} out of date, {counted(counts['draft'], 'draft')}  ({legend})")
        if self.oldest_stale_days is not None:
            lines.append(f"oldest out-of-date translation: source changed {self.oldest_stale_days:.1f} days ago")
        for entry in self.todo():
            head = f"{entry['item']} [{entry['lang']}]"
            if entry["state"] == "stale":
                lines.append(f"! {head}: the source changed since it was translated; see what changed: "
                             f"{entry['diff']}; once updated: {entry['mark_current']}")
            else:
                lines.append(f"? {head}: no source version recorded, so a later change of the source cannot be "
                             f"flagged; once checked against the source: {entry['mark_current']}")
        return "\n".join(lines)


def translation_status(pages: list[Page], config: SiteConfig, source_changed: dict[str, datetime],
                       now: datetime) -> StatusReport:
    """Matrix of items × languages; ``source_changed`` maps a source file to its last change time."""
    groups: dict[tuple[str, str], dict[str, Page]] = {}
    for page in pages:
        groups.setdefault(page.key, {})[page.lang] = page
    items: list[ItemStatus] = []
    oldest: float | None = None
    for (section, slug), by_lang in sorted(groups.items()):
        source = by_lang.get(config.default_language) or next(iter(by_lang.values()))
        critical = any(p.kind == "consular" or p.alert == "critical" for p in by_lang.values())
        cells: list[tuple[str, Cell]] = []
        since: list[tuple[str, str]] = []
        for code in config.language_codes:
            entry = by_lang.get(code)
            if entry is None:
                cells.append((code, "missing"))
                continue
            ref = entry.translation_of
            origin = by_lang.get(ref.lang) if ref else None
            state = (pinned_state(ref.hash, origin.source_hash, origin.legacy_hash, ref.at,
                                  [(change.at, change.minor) for change in origin.changes])
                     if ref and origin else "current")
            if entry.draft:
                # not published, whatever it was translated from
                cells.append((code, "draft"))
            elif state == "untracked":
                cells.append((code, "untracked"))
            elif state == "stale" and origin is not None:
                cells.append((code, "stale"))
                changed = source_changed.get(origin.source)
                if changed is not None:
                    since.append((code, changed.isoformat()))
                    days = max(0.0, (now - changed).total_seconds() / 86400)  # a clock before the edit: 0
                    oldest = days if oldest is None else max(oldest, days)
            else:
                cells.append((code, "present"))
        items.append(ItemStatus(section, slug, source.source, critical, tuple(cells), tuple(since)))
    return StatusReport(config.language_codes, tuple(items), oldest)


DRAFT_LINE = re.compile(r"^draft\s*:", re.MULTILINE)


def no_posts_reason(section: str, slug: str, lang: str, state: Status | None, page: Page | None,
                    source: Page | None, now: datetime, page_text: str = "") -> Problem:
    """Why `legation snippets` prints nothing for ``lang``: the item's copy there is a draft, scheduled or absent.

    ``state`` and ``page`` are the language's own (None when it has no file), ``source`` the copy in another
    language translations are made from, ``page_text`` the language's file, to point at its ``draft:`` line.
    """
    item = f"{section}/{slug}"
    if page is not None and state == "draft":
        match = DRAFT_LINE.search(page_text)
        line = page_text.count("\n", 0, match.start()) + 1 if match else 0
        return Problem("error", SourceLocation(page.source, line, 1 if line else 0),
                       f"the {lang} copy of {item} is a draft, so it has no social posts",
                       "remove `draft: true` when it is ready to publish; `legation serve` shows its page meanwhile "
                       "(a draft has no posts on the preview's board either)",
                       "snippets-draft")
    if page is not None and state == "scheduled" and page.publish_at is not None:
        return Problem("error", SourceLocation(page.source),
                       f"the {lang} copy of {item} is scheduled for {page.publish_at.isoformat()}, "
                       f"after the clock ({now.isoformat()}), so it has no social posts yet",
                       f"pass --now {page.publish_at.isoformat()} to see the posts it will have", "snippets-scheduled")
    if page is not None:
        return Problem("error", SourceLocation(page.source), f"the {lang} copy of {item} is {state} and has no posts",
                       "", "snippets-unpublished")
    wanted = _translation_path(source, lang) if source else f"content/{section}/{slug}.{lang}.md"
    return Problem("error", SourceLocation(source.source if source else wanted),
                   f"{item} has no {lang} translation ({wanted} does not exist), so it has no {lang} posts",
                   f"translate it into {wanted}", "snippets-missing")


def _translation_path(source: Page, lang: str) -> str:
    """Where the ``lang`` translation of ``source`` goes: beside it, in a bundle or as a plain file."""
    path = PurePosixPath(source.source)
    if path.name.startswith("index."):
        return str(path.with_name(f"index.{lang}.md"))
    return str(path.with_name(f"{source.slug}.{lang}.md"))
