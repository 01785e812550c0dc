"""Safe YAML with locations (generator/yamltext.py): marks, duplicate keys, aliases, depth, size, impossible dates."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator.core.errors import ConfigError, LegationError, Problem
from generator.core.yamltext import MAX_DEPTH, MAX_NODES, load_yaml


def problem_of(text: str, line_offset: int = 0) -> Problem:
    with pytest.raises(LegationError) as caught:
        load_yaml(text, "site.yml", line_offset=line_offset)
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


def test_values_and_keys_are_located() -> None:
    doc = load_yaml("title: Hello\nvenue:\n  name: Hall\nlist:\n  - a\n  - b\n", "x.md", line_offset=1)
    assert doc.data == {"title": "Hello", "venue": {"name": "Hall"}, "list": ["a", "b"]}
    assert str(doc.where("title")) == "x.md:2:8"
    assert str(doc.where("venue", "name")) == "x.md:4:9"
    assert str(doc.where_key("venue", "name")) == "x.md:4:3"
    assert str(doc.where_key("list")) == "x.md:5:1"
    assert str(doc.where("list", 1)) == "x.md:7:5"
    assert str(doc.where("venue", "missing")) == str(doc.where("venue"))  # closest ancestor
    assert str(doc.where_key("nowhere")) == "x.md:2:1"  # falls back to the document


def test_empty_document_is_an_empty_mapping() -> None:
    doc = load_yaml("", "x")
    assert doc.data == {} and str(doc.where("anything")) == "x:1:1"


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.mkdir", "!!python/object/new:os.mkdir", "!!python/name:os.mkdir",
                                 "!custom"])
def test_python_and_unknown_tags_are_refused_without_running(tmp_path: Path, tag: str) -> None:
    target = tmp_path / "pwned"
    with pytest.raises(ConfigError) as caught:
        load_yaml(f"title: x\nvalue: {tag} [{str(target)!r}]\n", "site.yml", error=ConfigError)
    problem = caught.value.problems[0]
    assert "is not allowed" in problem.message and problem.location.line == 2 and "'!!' tag" in problem.hint
    assert not target.exists()


def test_duplicate_keys_are_errors() -> None:
    problem = problem_of("a: 1\nb: 2\na: 3\n")
    assert problem.message == 'duplicate key "a" (first on line 1)' and (problem.location.line, problem.location.col) == (3, 1)
    nested = problem_of("a:\n  b: 1\n  b: 2\n", line_offset=5)
    assert nested.message == 'duplicate key "b" (first on line 7)' and (nested.location.line, nested.location.col) == (8, 3)
    assert load_yaml("a: {b: 1}\nc: {b: 1}\n", "x").data == {"a": {"b": 1}, "c": {"b": 1}}  # same name, other mapping


def test_scalar_aliases_are_allowed_but_not_aliases_of_collections() -> None:
    assert load_yaml("a: &x 1\nb: *x\n", "x").data == {"a": 1, "b": 1}
    merged = problem_of("base: &b {x: 1}\nother:\n  <<: *b\n")
    # located where the alias is used (line 3), naming the anchored value's line (1)
    assert (merged.code, merged.location.line, merged.location.col) == ("yaml-alias", 3, 3)
    assert "repeats the value on line 1" in merged.message
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    listed = problem_of(bomb)
    assert "aliases of mappings or lists are not allowed" in listed.message and listed.location.line == 2
    # in a list, the list is named (PyYAML keeps no position for an alias); lines count from the file's start
    in_list = problem_of("a: &a [x]\nb:\n  - 1\n  - 2\n  - *a\n", line_offset=10)
    assert (in_list.location.line, in_list.location.col) == (13, 3)
    assert "an item of this list repeats the value on line 11" in in_list.message


def test_size_limit_counts_every_value_including_aliased_scalars() -> None:
    assert len(load_yaml("a: [" + "1, " * (MAX_NODES - 10) + "]", "x").data["a"]) == MAX_NODES - 10
    assert problem_of("a: [" + "1, " * MAX_NODES + "]").code == "yaml-size"
    laughs = problem_of("a: &a lol\nb: [" + ", ".join(["*a"] * (MAX_NODES + 1)) + "]\n")
    assert f"more than {MAX_NODES} values" in laughs.message and "aliases" in laughs.hint


def test_deep_nesting_is_refused() -> None:
    assert load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "x").data["a"] != []
    problem = problem_of("a: " + "[" * 40 + "]" * 40 + "\n")
    assert problem.message == f"YAML is nested deeper than {MAX_DEPTH} levels" and problem.code == "yaml-depth"
    assert problem_of("[" * 3000 + "]" * 3000).code == "yaml-depth"


def test_very_deep_nesting_is_refused_not_a_crash() -> None:
    code = ("from generator.core.yamltext import load_yaml\nfrom generator.core.errors import LegationError\n"
            "try:\n    load_yaml('a: ' + '[' * 200_000 + ']' * 200_000, 'x')\n"
            "except LegationError as exc:\n    print(exc.problems[0].code)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "yaml-depth")


@pytest.mark.parametrize(("value", "why"), [("2026-02-30", "day is out of range"), ("2026-13-01", "month must be in 1..12"),
                                            ("2026-02-28T25:00:00Z", "hour must be in 0..23")])
def test_impossible_dates_are_located(value: str, why: str) -> None:
    problem = problem_of(f"title: x\ndate: {value}\n")
    assert f'impossible date "{value}"' in problem.message and why in problem.message
    assert (problem.location.line, problem.location.col, problem.code) == (2, 7, "date")


def test_possible_and_quoted_dates_load() -> None:
    assert load_yaml("a: 2028-02-29\nb: '2026-02-30'\n", "x").data == {"a": date(2028, 2, 29), "b": "2026-02-30"}


def test_syntax_errors_and_several_documents_give_line_and_a_hint() -> None:
    with pytest.raises(LegationError) as caught:
        load_yaml("title: [unclosed\nsummary: x\n", "content/a.en.md", line_offset=1)
    problem = caught.value.problems[0]
    assert problem.message.startswith("YAML:") and problem.location.line >= 2 and "quote" in problem.hint
    assert problem.location.path == "content/a.en.md" and problem.code == "yaml"
    assert problem_of("a: 1\n---\nb: 2\n").location.line == 2


def test_expanded_text_of_scalar_aliases_is_bounded() -> None:
    """112 KB of front matter (a 100 KB scalar and 3,000 aliases of it) made a 300 MB page and took 4.9 GB."""
    text = "title: &t " + "x" * 100_000 + "\nsummary: [" + ", ".join(["*t"] * 3000) + "]\n"
    problem = problem_of(text)
    assert problem.code == "yaml-size"
    assert "aliases are expanded" in problem.message and problem.hint
    assert problem.location.line == 2
    # text that is merely long, without repeats, is not refused here (the file size limit applies to it)
    assert len(load_yaml("body: " + "y" * 600_000 + "\n", "x").data["body"]) == 600_000
    # and a few aliases of a short value stay fine
    assert load_yaml("a: &a hi\nb: [*a, *a, *a]\n", "x").data["b"] == ["hi"] * 3
