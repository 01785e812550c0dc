"""Type checks on loaded YAML values, each failure located and explained.

YAML 1.1 turns some unquoted text into other types (``no`` → false, ``9:30``
→ 570, ``2026-01-11`` → a date). The checks run after loading and say what to
quote when that happened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from .clock import EARLIEST_YEAR, LATEST_YEAR, out_of_range
from .controls import BIDI_CONTROLS, CONTROL
from .controls import describe as describe_control
from .errors import Problem, did_you_mean
from .yamltext import YamlDoc

_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINE_BREAK = re.compile("\r\n?|[\n\u2028\u2029]")  # CR and the Unicode line and paragraph separators too


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f'"{value}"'


def _quote_hint(key: str, value: Any) -> str:
    if isinstance(value, bool):
        word = "no" if value is False else "yes"
        return f'YAML reads bare yes/no/on/off as true/false: write {key}: "{word}" in quotes'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'YAML may read values like 9:30 as a number: put the value of {key} in double quotes'
    if isinstance(value, (date, datetime)):
        return f"YAML read a date here: put the value of {key} in double quotes"
    return f"write {key} as text in double quotes"


#: Characters that show nothing: a title made of them only is empty
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\u180e]")


@dataclass
class Checker:
    """Checks values of one document; problems pile up instead of stopping."""

    doc: YamlDoc
    tz: str = "UTC"
    problems: list[Problem] = field(default_factory=list)
    kind: str = "front-matter"
    #: Top-level keys whose text may span lines; None: any may (site.yml). The others are one line, as a
    #: feed's or calendar's title or place must be: a line break there is joined with a warning.
    multiline: frozenset[str] | None = None

    def error(self, keys: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.append(Problem("error", self.doc.where(*keys), message, hint, self.kind))

    def warning(self, keys: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.append(Problem("warning", self.doc.where(*keys), message, hint, self.kind))

    def name(self, keys: tuple[str | int, ...]) -> str:
        return ".".join(str(k) for k in keys)

    def mapping(self, value: Any, keys: tuple[str | int, ...], allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.error(keys, f"{self.name(keys) or 'the document'} must be a mapping (key: value lines), "
                       f"not {describe(value)}", "indent the keys under it")
            return None
        out: dict[str, Any] = {}
        misspelt: set[str] = set()  # keys an unknown key's hint suggests: not reported as missing too
        for k, v in value.items():
            sk = str(k)
            if sk not in allowed:
                suggestion = did_you_mean(sk, allowed)
                misspelt.add(did_you_mean(sk, allowed, bare=True))
                where = f" in {self.name(keys)}" if keys else ""
                self.problems.append(Problem("error", self.doc.where_key(*keys, sk), f'unknown key "{sk}"{where}',
                                             suggestion or f"allowed keys: {', '.join(allowed)}", self.kind))
                continue
            out[sk] = v
        for req in required:
            if out.get(req) in (None, "") and req not in misspelt:
                where = f" in {self.name(keys)}" if keys else ""
                self.error(keys, f'missing required key "{req}"{where}', f"add a line {req}: …")
        return out

    def text(self, value: Any, keys: tuple[str | int, ...], allow_empty: bool = True) -> str | None:
        if isinstance(value, str):
            value = self._plain_text(value, keys)
            if value is None:
                return None
            if not allow_empty and not INVISIBLE.sub("", value).strip():
                self.error(keys, f"{self.name(keys)} is empty" + (" (it holds only invisible characters)"
                                                                   if value.strip() else ""),
                           f"write a value for {self.name(keys)}")
                return None
            if BIDI_CONTROLS.search(value):
                self.error(keys, f"{self.name(keys)} contains invisible text-direction control characters",
                           "remove them; they can make text read differently from how it looks (legation isolates"
                           " mixed-direction text itself)")
                return None
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and keys and keys[-1] in ("value", "phone"):
            return str(value)
        self.error(keys, f"{self.name(keys)} must be text, not {describe(value)}", _quote_hint(self.name(keys), value))
        return None

    def _plain_text(self, value: str, keys: tuple[str | int, ...]) -> str | None:
        """``value`` without control characters (an error) and, in a one-line field, without line breaks."""
        found = CONTROL.search(value)
        if found is not None:
            before = value[max(0, found.start() - 20):found.start()].replace("\n", " ").lstrip()
            after = f' after "{before}"' if before.strip() else " at its start"
            self.error(keys, f"{self.name(keys)} contains {describe_control(found.group())}{after}: an invisible "
                       "character that web pages, feeds and calendars cannot carry",
                       "delete it (text pasted from a PDF or a word processor often brings one); in quotes, remove "
                       "the escape that writes it (like \\f or \\x0c)")
            return None
        if "\r" in value or "\u2028" in value or "\u2029" in value:
            value = _LINE_BREAK.sub("\n", value)
        if "\n" not in value or self.multiline is None or (keys and keys[0] in self.multiline):
            return value
        lines = [line.strip() for line in value.split("\n") if line.strip()]
        joined = " ".join(lines)
        if len(lines) > 1:
            self.warning(keys, f'{self.name(keys)} is written on {len(lines)} lines; it is used as one line: "{joined}"',
                         f"write {self.name(keys)} on one line, or fold its lines with {self.name(keys)}: >- "
                         "(a title or a place is one line in feeds and calendars)")
        return joined

    def boolean(self, value: Any, keys: tuple[str | int, ...]) -> bool | None:
        if isinstance(value, bool):
            return value
        self.error(keys, f"{self.name(keys)} must be true or false, not {describe(value)}", "write true or false")
        return None

    def integer(self, value: Any, keys: tuple[str | int, ...], minimum: int | None = None) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            if minimum is not None and value < minimum:
                self.error(keys, f"{self.name(keys)} must be at least {minimum}, not {value}")
                return None
            return value
        self.error(keys, f"{self.name(keys)} must be a whole number, not {describe(value)}", "write a number such as 3")
        return None

    def number(self, value: Any, keys: tuple[str | int, ...]) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        self.error(keys, f"{self.name(keys)} must be a number, not {describe(value)}")
        return None

    def choice(self, value: Any, keys: tuple[str | int, ...], choices: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        shown = value if isinstance(value, str) else describe(value)
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        self.error(keys, f'{self.name(keys)} must be one of {", ".join(choices)}; got "{shown}"',
                   hint or f"use one of: {', '.join(choices)}")
        return None

    def text_list(self, value: Any, keys: tuple[str | int, ...]) -> tuple[str, ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(keys, f"{self.name(keys)} must be a list, not {describe(value)}",
                       f"write {self.name(keys)}: [first, second]")
            return None
        out = []
        for i, item in enumerate(value):
            checked = self.text(item, (*keys, i))
            if checked is not None:
                out.append(checked)
        return tuple(out)

    def url(self, value: Any, keys: tuple[str | int, ...]) -> str | None:
        text = self.text(value, keys)
        if text is None:
            return None
        if not _URL.match(text.strip()):
            self.error(keys, f'{self.name(keys)} must be an http(s) address, got "{text}"',
                       "write a full address such as https://example.org/page")
            return None
        return text.strip()

    def email(self, value: Any, keys: tuple[str | int, ...]) -> str | None:
        text = self.text(value, keys)
        if text is not None and not _EMAIL.match(text.strip()):
            self.error(keys, f'{self.name(keys)} is not an e-mail address: "{text}"')
            return None
        return text.strip() if text else text

    def moment(self, value: Any, keys: tuple[str | int, ...]) -> datetime | None:
        """An ISO 8601 date or date-time, between the years EARLIEST_YEAR and LATEST_YEAR; without an offset,
        the site's zone."""
        found = self._moment(value, keys)
        if found is not None and out_of_range(found):
            self.error(keys, f"{self.name(keys)} is out of range: {found.isoformat()}",
                       f"write a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
            return None
        return found

    def _moment(self, value: Any, keys: tuple[str | int, ...]) -> datetime | None:
        zone = ZoneInfo(self.tz)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=zone)
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=zone)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
            self.error(keys, f'{self.name(keys)} is not an ISO 8601 date: "{value}"',
                       "write it like 2026-01-11T09:30:00+04:00 (or 2026-01-11 for a whole day)")
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            self.error(keys, f"{self.name(keys)} must be a date, not {describe(value)}",
                       "YAML reads 9:30 as a number: write a full date-time in quotes, "
                       'like "2026-01-11T09:30:00+04:00"')
            return None
        self.error(keys, f"{self.name(keys)} must be a date, not {describe(value)}",
                   "write it like 2026-01-11T09:30:00+04:00")
        return None
