"""The ledger of published official text: no silent edits of official positions.

For statements and consular notices, each language's published text is recorded (the SHA-256 of its
normalised text, statement_text.py) in ``ledger/<section>/<slug>.yml`` in the site's repository, one small
file per item so that edits of different items never conflict in a merge. A build compares: text that
changed with no new ``changes:`` entry is a silent edit (a warning at the file; ``--strict`` refuses it);
text that changed with a new entry (a correction, or ``minor: true`` for a typo) is recorded again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from ..core.errors import LegationError, Problem, SourceLocation
from ..core.model import Page, Site
from ..sources.statement_text import OFFICIAL_KINDS, digest, is_official, statement_text

LEDGER_DIR = "ledger"
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: 300 files took 1.4 s in Python
LEDGER_KINDS = OFFICIAL_KINDS
KIND_NAMES = MappingProxyType({"statement": "statement", "consular": "consular notice",
                               "rumour": "answer to a false claim"})
HEADER = ("# {item}: its public reference, and the published text as legation recorded it (one line per\n"
          "# language: the SHA-256 of its normalised text, and how many changes: entries it had). Written by\n"
          "# `legation build`; commit it with the content. See docs/guide.md, \"Publishing a correction\".\n")


@dataclass(frozen=True)
class Entry:
    sha256: str
    changes: int
    recorded: str  # when the item was first published (its date), for people reading the file


@dataclass(frozen=True)
class Reference:
    """A statement's public reference, numbered once in its year and kept in the ledger for good."""

    id: str
    year: int
    seq: int


@dataclass(frozen=True)
class Record:
    """One item's ledger file: its reference and each language's published text."""

    reference: Reference | None
    entries: Mapping[str, Entry]


@dataclass(frozen=True)
class LedgerCheck:
    problems: tuple[Problem, ...]
    updates: Mapping[tuple[str, str], Record]  # (section, slug) → the item's whole new record
    disagreements: tuple[tuple[Page, Entry], ...]  # silent edits: the page and what the ledger holds
    references: Mapping[tuple[str, str], str]  # every recorded item's public reference


def recorded_pages(site: Site) -> list[Page]:
    """Statements, consular notices, answers to rumours and alerts, once published: official text (the site's own:
    a mission does not record its ministry's items under references of its own)."""
    return [page for page in site.pages if is_official(page) and site.page_status(page) in ("published", "withdrawn")
            and not site.config.from_ministry(page)]


def ministry_references(root: Path, site: Site) -> dict[tuple[str, str], str]:
    """A mission's share of its ministry's references: the statements it syndicates, as the ministry's ledger
    numbers them (``legation network build`` keeps that ledger); none for an item the ledger does not hold yet."""
    link = site.config.ministry
    if link is None or not link.ledger:
        return {}
    keys = {page.key for page in site.pages if site.config.from_ministry(page) and is_official(page)}
    records = read_ledger((root / link.ledger).parent, sorted(keys))
    return {key: record.reference.id for key, record in records.items() if record.reference is not None}


def ledger_path(section: str, slug: str) -> str:
    return f"{LEDGER_DIR}/{section}/{slug}.yml"


def read_ledger(root: Path, items: Iterable[tuple[str, str]],
                memo: dict[str, tuple[tuple[int, ...], object]] | None = None) -> dict[tuple[str, str], Record]:
    """Each item's record (none for an item without a file: its text is recorded, and a reference issued). A file
    that is there but cannot be read as a ledger file (a merge conflict left in it, a hand edit gone wrong) is a
    located error: taken as none, the statement's public reference was silently issued again under a new number.
    With ``memo`` (a resident process's), a file with the size, time and inode it had when last read is not read
    again."""
    found: dict[tuple[str, str], Record] = {}
    for section, slug in items:
        path = root / ledger_path(section, slug)
        shown = ledger_path(section, slug)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
        stamp = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
        known = memo.get(str(path)) if memo is not None else None
        if known is not None and known[0] == stamp:
            data = known[1]
        else:
            try:
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
            except OSError as exc:
                raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
            except UnicodeDecodeError:
                raise _unreadable(shown, "is not UTF-8 text") from None
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                raise _unreadable(shown, f"is not valid YAML ({getattr(exc, 'problem', None) or exc})",
                                  mark.line + 1 if mark is not None else 0,
                                  mark.column + 1 if mark is not None else 0) from None
            if memo is not None:
                memo[str(path)] = (stamp, data)
        found[(section, slug)] = _record(shown, data)
    return found


def _record(shown: str, data: object) -> Record:
    """One ledger file's record; a located error when it is not of a ledger file's shape."""
    if data is None:
        return Record(None, {})  # an empty file: nothing recorded yet
    if not isinstance(data, dict):
        raise _unreadable(shown, "does not hold a reference and one line per language")
    entries: dict[str, Entry] = {}
    reference = None
    for lang, value in data.items():
        if lang == "reference":
            if not (isinstance(value, dict) and isinstance(value.get("id"), str)
                    and type(value.get("year")) is int and type(value.get("seq")) is int):
                raise _unreadable(shown, "has a reference without its id, year and seq")
            reference = Reference(value["id"], value["year"], value["seq"])
        elif isinstance(value, dict) and isinstance(value.get("sha256"), str) and type(value.get("changes")) is int:
            entries[str(lang)] = Entry(value["sha256"], value["changes"], str(value.get("recorded", "")))
        else:
            raise _unreadable(shown, f'has a line for "{lang}" without its sha256 and changes')
    return Record(reference, entries)


def _unreadable(shown: str, what: str, line: int = 0, col: int = 0) -> LegationError:
    return LegationError.at(SourceLocation(shown, line, col), f"this ledger file {what}; nothing was built",
                            "fix it by hand (a merge conflict: keep the side with the statement's reference), or "
                            "restore it from version control. Deleting it records the text again under a NEW "
                            "public reference", "ledger")


def check_ledger(pages: Iterable[Page], ledger: Mapping[tuple[str, str], Record],
                 pattern: str = "{year}-{seq:03d}", memo: dict[int, tuple[Page, str]] | None = None) -> LedgerCheck:
    """``memo`` (a resident preview's): each page's digest by the page object, kept from build to build for the
    pages that are still there (a page that did not change is the same object)."""
    problems: list[Problem] = []
    known = dict(memo) if memo is not None else {}
    if memo is not None:
        memo.clear()
    disagreements: list[tuple[Page, Entry]] = []
    updates: dict[tuple[str, str], dict[str, Entry]] = {}
    pages = list(pages)
    for page in pages:
        key = (page.section, page.slug)
        before = ledger.get(key, Record(None, {})).entries
        entry = before.get(page.lang)
        remembered = known.get(id(page))
        sha = remembered[1] if remembered is not None and remembered[0] is page else digest(statement_text(page))
        if memo is not None:
            memo[id(page)] = (page, sha)
        now = Entry(sha, len(page.changes), page.date.isoformat() if page.date else "")
        if entry is not None and entry.sha256 != now.sha256 and len(page.changes) <= entry.changes:
            disagreements.append((page, entry))
            problems.append(Problem(
                "warning", SourceLocation(page.source),
                f"the published text of this {KIND_NAMES.get(page.kind, 'alert')} changed without a new "
                "changes: entry (an official position must not be edited silently)",
                'add the correction to the default-language file: changes: [{at: …, note: "What changed and why"}] '
                "(a typo fix: add minor: true), with the note in each translation", "ledger"))
            continue
        if entry != now:
            updates.setdefault(key, dict(before))[page.lang] = now
    references = _numbered(pages, ledger, pattern)
    records: dict[tuple[str, str], Record] = {}
    for key in sorted(set(updates) | {k for k in references if k not in ledger or ledger[k].reference is None}):
        entries = updates.get(key) or dict(ledger.get(key, Record(None, {})).entries)
        records[key] = Record(references[key], entries)
    return LedgerCheck(tuple(problems), records, tuple(disagreements),
                       {key: reference.id for key, reference in references.items()})


def _numbered(pages: list[Page], ledger: Mapping[tuple[str, str], Record], pattern: str
              ) -> dict[tuple[str, str], Reference]:
    """Every item's reference: the ledger's, else the next number of its year, oldest first (stable: a number
    once given is in the ledger and never given again)."""
    given = {key: record.reference for key, record in ledger.items() if record.reference is not None}
    last: dict[int, int] = {}
    for reference in given.values():
        last[reference.year] = max(last.get(reference.year, 0), reference.seq)
    first: dict[tuple[str, str], Page] = {}
    for page in pages:
        if page.key not in given and page.date is not None:
            known = first.get(page.key)
            if known is None or page.date < known.date:  # type: ignore[operator]
                first[page.key] = page
    found = dict(given)
    for key, page in sorted(first.items(), key=lambda item: (item[1].date, item[0])):
        assert page.date is not None
        year = page.date.year
        last[year] = last.get(year, 0) + 1
        found[key] = Reference(pattern.format(year=year, seq=last[year]), year, last[year])
    return found


def write_ledger(root: Path, updates: Mapping[tuple[str, str], Record]) -> None:
    for (section, slug), record in updates.items():
        path = root / ledger_path(section, slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [HEADER.format(item=f"{section}/{slug}")]
        if record.reference is not None:
            ref = record.reference
            lines.append(f'reference: {{id: "{ref.id}", year: {ref.year}, seq: {ref.seq}}}\n')
        for lang in sorted(record.entries):
            entry = record.entries[lang]
            lines.append(f'{lang}: {{sha256: "{entry.sha256}", changes: {entry.changes}, recorded: "{entry.recorded}"}}\n')
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text("".join(lines), encoding="utf-8")
        temporary.replace(path)
