"""Typed checks on loaded YAML (generator/checks.py): YAML 1.1 pitfalls get a hint saying what to quote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.core.checks import Checker
from generator.core.yamltext import load_yaml


def checker(text: str, tz: str = "Asia/Baku") -> tuple[Checker, dict[str, object]]:
    doc = load_yaml(text, "content/x.en.md", line_offset=1)
    return Checker(doc, tz=tz), dict(doc.data)  # type: ignore[arg-type]


def test_bare_no_title_says_to_quote_it() -> None:
    check, data = checker("title: no\n")
    assert check.text(data["title"], ("title",)) is None
    problem = check.problems[0]
    assert problem.location.line == 2 and 'write title: "no" in quotes' in problem.hint


def test_sexagesimal_time_is_explained() -> None:
    check, data = checker("start: 9:30\n")
    assert check.moment(data["start"], ("start",)) is None
    assert "9:30" in check.problems[0].hint


def test_dates_without_zone_take_the_site_zone() -> None:
    check, data = checker("a: 2026-01-11\nb: 2026-01-11T09:30:00\nc: '2026-01-11T09:30:00Z'\n")
    a = check.moment(data["a"], ("a",))
    b = check.moment(data["b"], ("b",))
    c = check.moment(data["c"], ("c",))
    assert a is not None and a.utcoffset() == timedelta(hours=4) and a.hour == 0
    assert b is not None and b.utcoffset() == timedelta(hours=4) and b.hour == 9
    assert c == datetime(2026, 1, 11, 9, 30, tzinfo=UTC)
    assert check.problems == []


def test_mapping_unknown_key_has_did_you_mean_and_location() -> None:
    check, data = checker("venue:\n  nmae: Hall\n")
    check.mapping(data["venue"], ("venue",), ("name", "address"))
    problem = check.problems[0]
    assert "nmae" in problem.message and 'did you mean "name"' in problem.hint
    assert (problem.location.line, problem.location.col) == (3, 3)


def test_a_misspelt_required_key_is_one_message() -> None:
    check, data = checker('image: {scr: "a.png", alt: "A"}\n')
    check.mapping(data["image"], ("image",), ("src", "alt"), required=("src", "alt"))
    assert [p.message for p in check.problems] == ['unknown key "scr" in image']  # not "missing src" as well
    check, data = checker('image: {file: "a.png", alt: "A"}\n')
    check.mapping(data["image"], ("image",), ("src", "alt"), required=("src", "alt"))
    assert [p.message for p in check.problems] == ['unknown key "file" in image', 'missing required key "src" in image']


def test_url_email_choice_and_integer() -> None:
    check, data = checker("u: javascript:alert(1)\ne: not-an-email\nc: cancled\ni: -2\n")
    assert check.url(data["u"], ("u",)) is None
    assert check.email(data["e"], ("e",)) is None
    assert check.choice(data["c"], ("c",), ("scheduled", "cancelled")) is None
    assert check.integer(data["i"], ("i",), minimum=1) is None
    assert len(check.problems) == 4
    assert 'did you mean "cancelled"' in check.problems[2].hint
