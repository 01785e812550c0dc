"""Located problems (generator/errors.py): formatting, collection, suggestions, pickling."""

from __future__ import annotations

import pickle

from generator.errors import ConfigError, ContentError, Diagnostics, LegationError, Problem, SourceLocation, did_you_mean


def test_locations_format_as_path_line_col() -> None:
    assert str(SourceLocation("site.yml", 4, 3)) == "site.yml:4:3"
    assert str(SourceLocation("site.yml", 4)) == "site.yml:4"
    assert str(SourceLocation("content/a.en.md")) == "content/a.en.md"


def test_problem_format_and_json() -> None:
    problem = Problem("error", SourceLocation("a.md", 2, 5), "bad date", "quote it", "date")
    assert problem.format() == "a.md:2:5: error: bad date\n    hint: quote it"
    assert problem.as_json() == {"severity": "error", "file": "a.md", "line": 2, "col": 5, "message": "bad date",
                                 "hint": "quote it", "code": "date"}


def test_diagnostics_split_and_sort() -> None:
    found = Diagnostics()
    found.warning(SourceLocation("b.md", 1), "w")
    found.error(SourceLocation("a.md", 9), "e2")
    found.error(SourceLocation("a.md", 2), "e1")
    assert [p.message for p in found.errors] == ["e2", "e1"]
    assert [p.message for p in found.warnings] == ["w"]
    assert [p.message for p in found.sorted()] == ["e1", "e2", "w"]


def test_did_you_mean() -> None:
    assert did_you_mean("anouncements", ["announcements", "events"]) == 'did you mean "announcements"?'
    assert did_you_mean("zzz", ["announcements", "events"]) == ""


def test_errors_carry_problems_exit_codes_and_pickle() -> None:
    error = ContentError.at(SourceLocation("a.md", 3, 1), "missing title", "add title:", "front-matter")
    assert isinstance(error, LegationError) and error.exit_code == 1
    assert "a.md:3:1: error: missing title" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ContentError and again.problems == error.problems
    assert ConfigError.at(SourceLocation("site.yml"), "x").problems[0].severity == "error"
