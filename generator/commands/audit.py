"""`legation check`: what a strict build rejects (its errors and warnings, the content rules' included) and the
schedule of the next 24 hours."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.errors import Problem
from ..engine.build import BuildOptions, build


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]
    upcoming: tuple[dict[str, str], ...]

    @property
    def failing(self) -> tuple[Problem, ...]:
        """The problems that fail the check: all but a discarded build cache (rebuilt, not a content problem,
        and ignored by ``build --strict`` too); it is still listed."""
        return tuple(p for p in self.problems if p.code != "cache")

    @property
    def failed(self) -> bool:
        return bool(self.failing)

    def grouped(self) -> dict[str, list[Problem]]:
        groups: dict[str, list[Problem]] = {}
        for problem in sorted(self.problems, key=lambda p: (p.location, p.message)):
            groups.setdefault(problem.location.path, []).append(problem)
        return groups

    def as_json(self) -> dict[str, object]:
        return {"ok": not self.failed, "problems": [p.as_json() for p in self.problems],
                "next_24_hours": list(self.upcoming)}


def check_site(root: Path, now: datetime) -> CheckResult:
    """Build into a temporary folder and list what it found; the real output is not touched.

    The build runs the content rules (generator/rules.py: links, anchors, images, tags) as every build does,
    so `check` and `build --strict` fail on the same findings.
    """
    with tempfile.TemporaryDirectory(prefix="legation-check-") as tmp:
        report = build(BuildOptions(root, Path(tmp) / "site", now, strict=False, snippets_in_site=True))
    return CheckResult(tuple(report.problems), report.schedule)
