"""Safe YAML with locations (generator/yamltext.py): marks, duplicate keys, aliases, depth, impossible dates."""

from __future__ import annotations

import pytest

from generator.errors import LegationError
from generator.yamltext import load_yaml


def error_of(text: str) -> tuple[str, int, int]:
    with pytest.raises(LegationError) as caught:
        load_yaml(text, "site.yml")
    problem = caught.value.problems[0]
    return problem.message, problem.location.line, problem.location.col


def test_values_and_keys_are_located() -> None:
    doc = load_yaml("title: Hello\nvenue:\n  name: Hall\nlist:\n  - a\n  - b\n", "x.md", line_offset=1)
    assert doc.data["venue"] == {"name": "Hall"}
    assert str(doc.where("venue", "name")) == "x.md:4:9"
    assert str(doc.where_key("venue", "name")) == "x.md:4:3"
    assert str(doc.where("list", 1)) == "x.md:7:5"
    assert str(doc.where("venue", "missing")) == str(doc.where("venue"))  # closest ancestor


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_yaml("", "x").data == {}


def test_python_tags_are_refused() -> None:
    message, line, _ = error_of('title: !!python/object/apply:os.system ["echo pwned"]\n')
    assert "not allowed" in message and line == 1


def test_duplicate_keys_are_errors() -> None:
    message, line, col = error_of("a: 1\nb: 2\na: 3\n")
    assert message == 'duplicate key "a" (first on line 1)' and (line, col) == (3, 1)


def test_alias_bombs_and_deep_nesting_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    assert "aliases" in error_of(bomb)[0]
    assert "nested deeper" in error_of("a: " + "[" * 40 + "]" * 40 + "\n")[0]


def test_impossible_dates_are_located() -> None:
    message, line, col = error_of("title: x\ndate: 2026-02-30\n")
    assert 'impossible date "2026-02-30"' in message and (line, col) == (2, 7)


def test_syntax_errors_give_line_and_a_hint() -> None:
    with pytest.raises(LegationError) as caught:
        load_yaml("title: [unclosed\nsummary: x\n", "content/a.en.md", line_offset=1)
    problem = caught.value.problems[0]
    assert problem.message.startswith("YAML:") and problem.location.line >= 2 and "quote" in problem.hint
