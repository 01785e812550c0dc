"""What a translator translates: the units of an item, its source version, and the body rebuilt from units.

An item's translatable text is split into units: one per translatable front-matter field (title, summary,
venue name, …) and one per Markdown block (heading, paragraph, list item, quote, table cell). Inside a
unit, Markdown markup and link addresses are *protected codes* (`Code`): a translator moves them but cannot
change them. The same units give the source *version*: a digest of their text with whitespace folded, so a
reflowed paragraph or a trailing space does not make a translation stale, and a change of words does.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

Role = Literal["open", "close", "standalone"]

#: Front-matter text a translation gives in its own language (a path into the YAML, "*" for every list entry).
TRANSLATABLE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("title",), ("summary",), ("image", "alt"), ("withdrawn", "reason"), ("organizer",),
    ("venue", "name"), ("venue", "address"), ("venue", "city"), ("venue", "country"),
    ("contact", "name"), ("incentives", "*"), ("figures", "*", "label"), ("figures", "*", "value"),
    ("changes", "*", "note"), ("claim",), ("claim_seen", "*", "where"), ("sources", "*", "title"),
)
FIELD_NOTES: Mapping[str, str] = MappingProxyType({
    "title": "The title: the page's heading, its browser tab, feeds and social posts.",
    "summary": "One or two sentences shown in lists, feeds and social posts.",
    "image.alt": "What the photo shows, read aloud to blind readers.",
    "withdrawn.reason": "Why the item was withdrawn, shown at its top.",
    "organizer": "Who organises the event.",
})
#: Longest title a search result shows whole; a title is checked against it (the guide's advice to officers).
TITLE_LIMIT = 70
BLOCK_NOTES: Mapping[str, str] = MappingProxyType({
    "heading": "A heading in the text.",
    "paragraph": "A paragraph of the text.",
    "item": "One entry of a list.",
    "quote": "A paragraph of a quotation.",
    "cell": "One cell of a table: keep it on one line.",
    "footnote": "A footnote.",
})


@dataclass(frozen=True)
class Code:
    """Protected markup inside a unit: ``**``, ``[`` … ``](https://…)``, a code span, an HTML tag, a bare URL."""

    id: int
    text: str
    role: Role
    pair: int = 0  # the id of the other half of a pair, 0 for a standalone code


Part = str | Code


@dataclass(frozen=True)
class Unit:
    id: str  # "title", "venue.name", "figures.1.label", "b3" (the fourth block of the body)
    kind: str  # "field" or a block kind of BLOCK_NOTES
    parts: tuple[Part, ...]
    note: str = ""
    max_chars: int = 0  # 0: no limit

    @property
    def text(self) -> str:
        """The unit as it is written in the Markdown file."""
        return "".join(part.text if isinstance(part, Code) else part for part in self.parts)

    @property
    def codes(self) -> tuple[Code, ...]:
        return tuple(part for part in self.parts if isinstance(part, Code))


@dataclass(frozen=True)
class Block:
    """One Markdown block that holds text: where it is in the body, and its text as written."""

    id: str
    kind: str
    content: str
    lines: tuple[int, int]  # first line, line after the last (0-based, in the body)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)


def body_blocks(body: str) -> tuple[Block, ...]:
    """The text blocks of a Markdown body in reading order; code blocks and raw HTML blocks are not text."""
    blocks: list[Block] = []
    context: list[str] = []
    for token in _parser().parse(body):
        if token.nesting == 1:
            context.append(token.type)
        elif token.nesting == -1 and context:
            context.pop()
        if token.type != "inline" or not token.content.strip() or token.map is None:
            continue
        if "th_open" in context or "td_open" in context:
            kind = "cell"
        elif "heading_open" in context:
            kind = "heading"
        elif "footnote_open" in context:
            kind = "footnote"
        elif "list_item_open" in context:
            kind = "item"
        elif "blockquote_open" in context:
            kind = "quote"
        else:
            kind = "paragraph"
        blocks.append(Block(f"b{len(blocks) + 1}", kind, token.content, (token.map[0], token.map[1])))
    return tuple(blocks)


_INLINE = re.compile(
    r"(?P<escape>\\.)"
    r"|(?P<codespan>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<autolink><(?:[a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\s]*|[^<>@\s]+@[^<>@\s]+)>)"
    r"|(?P<html></?[a-zA-Z][a-zA-Z0-9\-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<footref>\[\^[^\]\s]+\])"
    r"|(?P<linkend>\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)|\]\[[^\]]*\])"
    r"|(?P<linkstart>!?\[)"
    r"|(?P<emphasis>\*\*|__|~~|\*|(?<![\w])_|_(?![\w]))"
    r"|(?P<url>\bhttps?://[^\s<>]*[^\s<>.,;:!?'\")\]])",
    re.DOTALL,
)


def protect(text: str) -> tuple[Part, ...]:
    """Split one block's Markdown into text and protected codes; markup that does not pair stays text."""
    pieces: list[str | tuple[str, str]] = []  # text, or (kind, markup) for a candidate code
    last = 0
    for match in _INLINE.finditer(text):
        kind = match.lastgroup or ""
        if kind == "escape":
            continue
        if match.start() > last:
            pieces.append(text[last:match.start()])
        pieces.append((kind if kind != "ticks" else "codespan", match.group()))
        last = match.end()
    if last < len(text):
        pieces.append(text[last:])
    roles: dict[int, tuple[Role, int]] = {}  # piece index -> role and partner piece index
    openers: list[tuple[int, str]] = []  # (piece index, markup) of unclosed link starts and emphasis
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            continue
        kind, markup = piece
        if kind in ("codespan", "autolink", "html", "footref", "url"):
            roles[index] = ("standalone", 0)
        elif kind == "linkstart":
            openers.append((index, "["))
        elif kind == "linkend":
            opener = next((pos for pos in range(len(openers) - 1, -1, -1) if openers[pos][1] == "["), None)
            if opener is not None:
                start, _ = openers[opener]
                del openers[opener:]
                roles[start], roles[index] = ("open", index), ("close", start)
        elif kind == "emphasis":
            opener = next((pos for pos in range(len(openers) - 1, -1, -1) if openers[pos][1] == markup), None)
            if opener is not None:
                start, _ = openers[opener]
                del openers[opener:]
                roles[start], roles[index] = ("open", index), ("close", start)
            else:
                openers.append((index, markup))
    ids = {index: number for number, index in enumerate(sorted(roles), 1)}
    parts: list[Part] = []
    for index, piece in enumerate(pieces):
        if isinstance(piece, str) or index not in roles:
            text_piece = piece if isinstance(piece, str) else piece[1]
            if parts and isinstance(parts[-1], str):
                parts[-1] += text_piece
            else:
                parts.append(text_piece)
            continue
        role, partner = roles[index]
        parts.append(Code(ids[index], piece[1], role, ids[partner] if role != "standalone" else 0))
    return tuple(part for part in parts if part != "")


def _field_values(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(unit id, text) of every translatable field the front matter holds, in TRANSLATABLE_FIELDS order."""
    found: list[tuple[str, str]] = []

    def walk(value: Any, path: tuple[str, ...], done: tuple[str, ...]) -> None:
        if not path:
            if isinstance(value, str) and value.strip():
                found.append((".".join(done), value))
            return
        head, rest = path[0], path[1:]
        if head == "*":
            if isinstance(value, list):
                for number, entry in enumerate(value):
                    walk(entry, rest, (*done, str(number)))
        elif isinstance(value, Mapping) and head in value:
            walk(value[head], rest, (*done, head))

    for path in TRANSLATABLE_FIELDS:
        walk(data, path, ())
    return found


def item_units(data: Mapping[str, Any], body: str, kind: str = "") -> tuple[Unit, ...]:
    """The units of one file: its translatable front-matter fields, then its body's blocks."""
    units: list[Unit] = []
    for unit_id, value in _field_values(data):
        note = FIELD_NOTES.get(unit_id, f"The {unit_id.replace('.', ' ')} field.")
        if unit_id == "title" and kind:
            note = f"The title of an item of kind {kind}: the page's heading, feeds and social posts."
        units.append(Unit(unit_id, "field", (value,), note, TITLE_LIMIT if unit_id == "title" else 0))
    for block in body_blocks(body):
        units.append(Unit(block.id, block.kind, protect(block.content), BLOCK_NOTES[block.kind]))
    return tuple(units)


def fold(text: str) -> str:
    """Text as a version compares it: NFC, every run of whitespace one space, no space at either end."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def readable_text(units: Sequence[Unit]) -> str:
    """A version as people compare it (`legation status --diff`): one line per unit, ``id: folded text``."""
    return "".join(f"{unit.id if unit.kind == 'field' else f'{unit.kind} {unit.id}'}: {fold(unit.text)}\n"
                   for unit in units)


def version_of(data: Mapping[str, Any], body: str) -> str:
    """The version of a file's translatable text (12 hex digits): what a translation records in
    translation_of.hash. Its fields and body with whitespace folded, so re-wrapping lines or a trailing space
    is no new version (and no Markdown parse is needed: every build computes it for every file)."""
    text = "".join(f"{unit_id}: {fold(value)}\n" for unit_id, value in _field_values(data)) + "body: " + fold(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def rebuild_body(body: str, targets: Mapping[str, str]) -> str:
    """``body`` with the text of each block whose id is in ``targets`` replaced, its Markdown structure kept.

    A block that spans lines gets the target's lines; each line after the first keeps the prefix the
    source's second line had (a quotation's ``>``, a list item's indentation).
    """
    lines = body.split("\n")
    edits: dict[int, list[tuple[int, int, str]]] = {}  # line -> (start, end, new text) edits, left to right
    drop: set[int] = set()
    cursor: dict[int, int] = {}
    for block in body_blocks(body):
        pieces = block.content.split("\n")
        first, _ = block.lines
        spans: list[tuple[int, int, int]] = []  # (line, start, end) of each piece
        line = first
        for piece in pieces:
            while line < len(lines):
                start = _find(lines[line], piece, cursor.get(line, 0), block.kind == "cell")
                if start >= 0:
                    end = start + len(_as_written(lines[line], piece, start, block.kind == "cell"))
                    spans.append((line, start, end))
                    cursor[line] = end
                    break
                line += 1
            line += 1
        if len(spans) != len(pieces) or block.id not in targets:
            continue
        target = targets[block.id]
        if block.kind == "cell":
            target = re.sub(r"(?<!\\)\|", r"\\|", " ".join(target.split("\n")))
        elif len(spans) > 1:
            second, start, _ = spans[1]
            prefix = lines[second][:start]
            target = target.replace("\n", "\n" + prefix)
        line0, start0, end0 = spans[0]
        edits.setdefault(line0, []).append((start0, end0, target))
        for other, _, _ in spans[1:]:
            drop.add(other)
    out: list[str] = []
    for number, text in enumerate(lines):
        if number in drop:
            continue
        for start, end, new in sorted(edits.get(number, []), reverse=True):
            text = text[:start] + new + text[end:]
        out.append(text)
    return "\n".join(out)


def _find(line: str, piece: str, start: int, cell: bool) -> int:
    found = line.find(piece, start)
    if found < 0 and cell and "|" in piece:
        found = line.find(piece.replace("|", "\\|"), start)
    return found


def _as_written(line: str, piece: str, start: int, cell: bool) -> str:
    if line.startswith(piece, start):
        return piece
    return piece.replace("|", "\\|") if cell else piece


def pinned_state(recorded: str, version: str, legacy: str = "", pinned_at: datetime | None = None,
                 changes: Sequence[tuple[datetime, bool]] = ()) -> Literal["current", "stale", "untracked"]:
    """How a translation stands against its source: ``recorded`` is its translation_of.hash, ``version`` and
    ``legacy`` the source's version now (and as legation recorded it before versions folded whitespace).

    ``pinned_at`` is when the translation was marked current (translation_of.at) and ``changes`` the source's
    change entries (time, minor): when every change since then is marked minor, the source's edit was a typo
    fix the translation does not need, and it stays current.
    """
    if not recorded:
        return "untracked"
    if recorded in (version, legacy):
        return "current"
    since = [minor for at, minor in changes if pinned_at is not None and at > pinned_at]
    return "current" if since and all(since) else "stale"
