"""Located problems (generator/errors.py): formatting, collection, suggestions, exit codes, pickling."""

from __future__ import annotations

import pickle

import pytest

from generator.core.errors import (
    ConfigError,
    ContentError,
    Diagnostics,
    LegationError,
    OutputError,
    Problem,
    SourceLocation,
    counted,
    did_you_mean,
)


def test_locations_format_as_path_line_col() -> None:
    assert str(SourceLocation("site.yml", 4, 3)) == "site.yml:4:3"
    assert str(SourceLocation("site.yml", 4)) == "site.yml:4"
    assert str(SourceLocation("content/a.en.md")) == "content/a.en.md"
    assert str(SourceLocation("a.md", 0, 7)) == "a.md"  # a column without a line means nothing


def test_locations_order_by_path_then_line_then_col() -> None:
    places = [SourceLocation("b.md", 1), SourceLocation("a.md", 9, 2), SourceLocation("a.md", 9, 1), SourceLocation("a.md")]
    assert [str(p) for p in sorted(places)] == ["a.md", "a.md:9:1", "a.md:9:2", "b.md:1"]


def test_problem_format_includes_the_hint() -> None:
    problem = Problem("error", SourceLocation("a.md", 2, 5), "bad date", "quote it", "date")
    assert problem.format() == "a.md:2:5: error: bad date\n    hint: quote it"
    assert Problem("warning", SourceLocation("a.md", 2), "short").format() == "a.md:2: warning: short"
    assert problem.as_json() == {"severity": "error", "file": "a.md", "line": 2, "col": 5, "message": "bad date",
                                 "hint": "quote it", "code": "date"}


def test_diagnostics_collect_split_and_sort() -> None:
    found = Diagnostics()
    assert found.problems == [] and found.sorted() == []
    found.warning(SourceLocation("b.md", 1), "w", "fix it", "style")
    found.error(SourceLocation("a.md", 9), "e2")
    found.error(SourceLocation("a.md", 2), "e1")
    found.warning(SourceLocation("a.md", 2), "w0")
    found.extend([Problem("error", SourceLocation("c.md"), "e3")])
    assert [p.message for p in found.errors] == ["e2", "e1", "e3"]
    assert [p.message for p in found.warnings] == ["w", "w0"]
    assert found.warnings[0] == Problem("warning", SourceLocation("b.md", 1), "w", "fix it", "style")
    assert [p.message for p in found.sorted()] == ["e1", "w0", "e2", "w", "e3"]  # by place, errors first on a tie
    assert [p.message for p in found.problems] == ["w", "e2", "e1", "w0", "e3"]  # sorting copies


def test_diagnostics_are_never_shared() -> None:
    one, two = Diagnostics(), Diagnostics()
    one.error(SourceLocation("a.md"), "x")
    assert two.problems == []


def test_did_you_mean() -> None:
    assert did_you_mean("anouncements", ["announcements", "events"]) == 'did you mean "announcements"?'
    assert did_you_mean("evnets", iter(["announcements", "events"])) == 'did you mean "events"?'
    assert did_you_mean("zzz", ["announcements", "events"]) == ""
    assert did_you_mean("title", []) == ""
    assert did_you_mean("titel", ["title", "date"], bare=True) == "title"
    assert did_you_mean("zzz", ["title"], bare=True) == ""


@pytest.mark.parametrize("kind", [LegationError, ConfigError, ContentError, OutputError])
def test_at_builds_one_located_error(kind: type[LegationError]) -> None:
    error = kind.at(SourceLocation("a.md", 3, 1), "missing title", "add title:", "front-matter")
    assert type(error) is kind and isinstance(error, LegationError)
    assert error.problems == (Problem("error", SourceLocation("a.md", 3, 1), "missing title", "add title:", "front-matter"),)
    assert str(error) == "a.md:3:1: error: missing title\n    hint: add title:"
    assert error.exit_code == 1


def test_errors_with_several_problems_pickle_round_trip() -> None:
    problems = [Problem("error", SourceLocation("a.md", 1), "one"), Problem("error", SourceLocation("b.md", 2, 4), "two", "h")]
    error = ContentError(problems)
    assert str(error) == "a.md:1: error: one\nb.md:2:4: error: two\n    hint: h"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ContentError and again.problems == tuple(problems) and str(again) == str(error)
    with pytest.raises(ContentError) as caught:
        raise again
    assert caught.value.problems[1].location.col == 4


def test_counted_fits_the_noun_to_the_number() -> None:
    assert [counted(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert counted(158, "HTML page") == "158 HTML pages"


def test_one_mistake_found_again_is_told_once() -> None:
    """From a new user's trial: a damaged bundle image was told once per language of its item (four identical
    errors)."""
    found = Diagnostics()
    for _ in range(4):
        found.error(SourceLocation("content/announcements/x/photo.jpg"), "the image is damaged", "replace it", "media")
    found.error(SourceLocation("content/announcements/x/photo.jpg"), "another mistake there")
    assert [p.message for p in found.sorted()] == ["another mistake there", "the image is damaged"]
