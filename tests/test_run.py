"""One build while it runs (generator/run.py): what fails it, what its report counts, how its stages are timed."""

from __future__ import annotations

from pathlib import Path

from generator.core.errors import SourceLocation
from generator.engine.run import BuildOptions, Run
from tests.conftest import NOW


def run(strict: bool = False) -> Run:
    return Run(BuildOptions(Path("/site"), Path("/site/public"), NOW, strict=strict), None, None, False, "")


def test_an_error_fails_a_build_and_a_warning_only_under_strict_but_never_a_cache_warning() -> None:
    lenient, strict = run(), run(strict=True)
    for each in (lenient, strict):
        each.diagnostics.warning(SourceLocation(".legation-cache"), "cache discarded", "nothing to do", "cache")
    assert not lenient.failed() and not strict.failed()
    for each in (lenient, strict):
        each.diagnostics.warning(SourceLocation("content/a.md", 3), "odd", "fix it", "content")
    assert not lenient.failed() and strict.failed()
    lenient.diagnostics.error(SourceLocation("site.yml", 1), "broken", "fix it", "config")
    assert lenient.failed()
    report = lenient.report(False)
    assert not report.ok and [p.message for p in report.errors] == ["broken"] and report.counts == {}


def test_stages_are_timed_and_announced_and_a_stage_run_twice_adds_up() -> None:
    told: list[str] = []
    each = Run(BuildOptions(Path("/site"), Path("/site/public"), NOW), told.append, None, False, "")
    for _ in range(2):
        with each.stage("render"):
            pass
    with each.stage("write"):
        pass
    assert told == ["render", "render", "write"]
    assert set(each.timings) == {"render", "write"} and all(seconds >= 0 for seconds in each.timings.values())
    assert each.report(True).timings is each.timings
