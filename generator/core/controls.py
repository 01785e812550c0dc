"""Control characters in authored text: found, named and located, so none reaches a page, feed or calendar.

A form feed pasted from a PDF, an escape or a C1 character (U+0080-U+009F) is invisible in an editor and
makes the XML of a feed invalid (lxml refuses it) or a calendar line unreadable. Tab, line feed and
carriage return are the only control characters text may hold; a one-line field may not hold the last two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

#: C0 controls but tab, LF and CR; DEL; C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Invisible characters that change how text reads (Trojan Source, "invoice\u202efdp.exe"): embeddings,
#: overrides, isolates and the direction marks
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def hidden(text: str) -> bool:
    """Whether ``text`` holds a control character, a line separator or a text-direction control."""
    return bool(CONTROL.search(text) or BIDI_CONTROLS.search(text) or "\u2028" in text or "\u2029" in text)


#: A numeric character reference as Markdown and HTML read it (&#12; &#x0C;).
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_NAMES = MappingProxyType({0x00: "NUL character", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
                           0x1B: "escape", 0x7F: "delete character", 0x85: "next-line character"})


@dataclass(frozen=True)
class Found:
    """The first control character of a text: its offset, how it is written there, and how many there are."""

    index: int
    written: str
    count: int


def name(char: str) -> str:
    """'form feed (U+000C)'."""
    code = ord(char)
    label = _NAMES.get(code, "control character")
    return f"{label} (U+{code:04X})"


def find_control(text: str) -> Found | None:
    """The first control character written into ``text`` (a Markdown body) either as itself or as a
    character reference like ``&#12;``, or None."""
    raw = CONTROL.search(text)
    refs = [match for match in _REFERENCE.finditer(text) if _is_control(match)] if "&#" in text else []
    if raw is None and not refs:
        return None
    candidates = ([(raw.start(), raw.group())] if raw is not None else []) + [(ref.start(), ref.group()) for ref in refs[:1]]
    index, written = min(candidates)
    return Found(index, written, len(CONTROL.findall(text)) + len(refs))


def _is_control(match: re.Match[str]) -> bool:
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    return code <= 0x10FFFF and bool(CONTROL.match(chr(code)))


def describe(written: str) -> str:
    """How the message names what was found: 'a form feed (U+000C)' or '&#12;, a form feed (U+000C)'."""
    if len(written) == 1:
        return _article(name(written))
    match = _REFERENCE.fullmatch(written)
    code = int(match.group(1), 16) if match and match.group(1) else int(match.group(2)) if match else 0
    return f"{written}, {_article(name(chr(code)))}"


def _article(label: str) -> str:
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def position(text: str, index: int) -> tuple[int, int]:
    """0-based line and 1-based column of ``index`` in ``text``."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
