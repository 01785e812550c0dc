"""Where a problem is, what it is, and how to fix it.

Every user-facing problem is a :class:`Problem` with a :class:`SourceLocation`.
Errors are exceptions that carry one or more problems and pickle cleanly, so
they survive crossing a process pool.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to encode as UTF-8: bytes of a file name that are not UTF-8 (Python keeps them as
    surrogate escapes) are shown as ``\\xNN``, any other lone surrogate as ``\\uNNNN``."""
    if not _SURROGATE.search(text):
        return text

    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"

    return _SURROGATE.sub(show, text)


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a file; line and column are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One error or warning, with an optional hint saying how to fix it."""

    severity: Severity
    location: SourceLocation
    message: str
    hint: str = ""
    code: str = ""

    def format(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return printable(text)

    def as_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": printable(self.location.path),
            "line": self.location.line,
            "col": self.location.col,
            "message": printable(self.message),
            "hint": printable(self.hint),
            "code": self.code,
        }


class LegationError(Exception):
    """A failure the user can fix; exits with ``exit_code``."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))

    @classmethod
    def at(
        cls, location: SourceLocation, message: str, hint: str = "", code: str = ""
    ) -> LegationError:
        return cls([Problem("error", location, message, hint, code)])


class ConfigError(LegationError):
    """site.yml is wrong."""


class ContentError(LegationError):
    """A content file is wrong."""


class OutputError(LegationError):
    """The output folder cannot be written."""


@dataclass
class Diagnostics:
    """Collects problems during one build; owned by that build, never global."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def error(self, location: SourceLocation, message: str, hint: str = "", code: str = "") -> None:
        self.add(Problem("error", location, message, hint, code))

    def warning(self, location: SourceLocation, message: str, hint: str = "", code: str = "") -> None:
        self.add(Problem("warning", location, message, hint, code))

    @property
    def errors(self) -> list[Problem]:
        return of_severity(self.problems, "error")

    @property
    def warnings(self) -> list[Problem]:
        return of_severity(self.problems, "warning")

    def sorted(self) -> list[Problem]:
        """Each problem once (a damaged bundle image was told once per language of its item: one mistake, one
        message), in file order."""
        return sorted(dict.fromkeys(self.problems), key=lambda p: (p.location, p.severity, p.message))


def did_you_mean(word: str, choices: Iterable[str], bare: bool = False) -> str:
    """A 'did you mean "x"?' hint (``bare``: just x), or '' when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not matches:
        return ""
    return matches[0] if bare else f'did you mean "{matches[0]}"?'


def counted(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless it is one: "1 error", "0 errors", "158 HTML pages"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def of_severity(problems: Iterable[Problem], severity: str) -> list[Problem]:
    """The problems of one severity ("error" or "warning"), in their order."""
    return [problem for problem in problems if problem.severity == severity]
