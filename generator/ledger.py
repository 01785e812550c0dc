"""The ledger of published official text: no silent edits of official positions.

For statements and consular notices, each language's published text is recorded (the SHA-256 of its
normalised text, statement_text.py) in ``ledger/<section>/<slug>.yml`` in the site's repository, one small
file per item so that edits of different items never conflict in a merge. A build compares: text that
changed with no new ``changes:`` entry is a silent edit (a warning at the file; ``--strict`` refuses it);
text that changed with a new entry (a correction, or ``minor: true`` for a typo) is recorded again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from .errors import Problem, SourceLocation
from .model import Page, Site
from .statement_text import digest, statement_text

LEDGER_DIR = "ledger"
LEDGER_KINDS = frozenset({"statement", "consular", "rumour"})
KIND_NAMES = MappingProxyType({"statement": "statement", "consular": "consular notice",
                               "rumour": "answer to a false claim"})
HEADER = ("# The published text of {item}, as legation recorded it: one line per language, with the SHA-256 of\n"
          "# its normalised text and how many changes: entries it had. Written by `legation build`; commit it\n"
          "# with the content. See docs/guide.md, \"Publishing a correction\".\n")


@dataclass(frozen=True)
class Entry:
    sha256: str
    changes: int
    recorded: str  # when the item was first published (its date), for people reading the file


@dataclass(frozen=True)
class LedgerCheck:
    problems: tuple[Problem, ...]
    updates: Mapping[tuple[str, str], Mapping[str, Entry]]  # (section, slug) → the item's whole new record
    disagreements: tuple[tuple[Page, Entry], ...]  # silent edits: the page and what the ledger holds


def recorded_pages(site: Site) -> list[Page]:
    return [page for page in site.pages if page.section == "announcements" and page.kind in LEDGER_KINDS
            and site.page_status(page) in ("published", "withdrawn")]


def ledger_path(section: str, slug: str) -> str:
    return f"{LEDGER_DIR}/{section}/{slug}.yml"


def read_ledger(root: Path, items: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Entry]]:
    """Each item's record (an unreadable file counts as none: the text is recorded again, with a warning
    from check_ledger's caller)."""
    found: dict[tuple[str, str], dict[str, Entry]] = {}
    for section, slug in items:
        try:
            data = yaml.safe_load((root / ledger_path(section, slug)).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        entries: dict[str, Entry] = {}
        for lang, value in data.items():
            if isinstance(value, dict) and isinstance(value.get("sha256"), str) and isinstance(value.get("changes"), int):
                entries[str(lang)] = Entry(value["sha256"], value["changes"], str(value.get("recorded", "")))
        found[(section, slug)] = entries
    return found


def check_ledger(pages: Iterable[Page], ledger: Mapping[tuple[str, str], Mapping[str, Entry]]) -> LedgerCheck:
    problems: list[Problem] = []
    disagreements: list[tuple[Page, Entry]] = []
    updates: dict[tuple[str, str], dict[str, Entry]] = {}
    for page in pages:
        key = (page.section, page.slug)
        before = ledger.get(key, {})
        entry = before.get(page.lang)
        now = Entry(digest(statement_text(page)), len(page.changes), page.date.isoformat() if page.date else "")
        if entry is not None and entry.sha256 != now.sha256 and len(page.changes) <= entry.changes:
            disagreements.append((page, entry))
            problems.append(Problem(
                "warning", SourceLocation(page.source),
                f"the published text of this {KIND_NAMES.get(page.kind, page.kind)} changed without a new "
                "changes: entry (an official position must not be edited silently)",
                'add the correction to the default-language file: changes: [{at: …, note: "What changed and why"}] '
                "(a typo fix: add minor: true), with the note in each translation", "ledger"))
            continue
        if entry != now:
            updates.setdefault(key, dict(before))[page.lang] = now
    return LedgerCheck(tuple(problems), updates, tuple(disagreements))


def write_ledger(root: Path, updates: Mapping[tuple[str, str], Mapping[str, Entry]]) -> None:
    for (section, slug), entries in updates.items():
        path = root / ledger_path(section, slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [HEADER.format(item=f"{section}/{slug}")]
        for lang in sorted(entries):
            entry = entries[lang]
            lines.append(f'{lang}: {{sha256: "{entry.sha256}", changes: {entry.changes}, recorded: "{entry.recorded}"}}\n')
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text("".join(lines), encoding="utf-8")
        temporary.replace(path)
