"""Units, protected codes, source versions and rebuilt bodies (generator/translation_units.py)."""

from __future__ import annotations

from generator.sources.translation_units import Code, body_blocks, item_units, pinned_state, protect, rebuild_body, version_of


def codes(text: str) -> list[tuple[str, str]]:
    return [(part.text, part.role) for part in protect(text) if isinstance(part, Code)]


def test_markup_and_addresses_are_protected_and_paired() -> None:
    parts = protect("Call **[+994 12 555 0100](tel:+994125550100)** now")
    assert parts[0] == "Call " and parts[-1] == " now"
    assert codes("Call **[+994 12 555 0100](tel:+994125550100)** now") == [
        ("**", "open"), ("[", "open"), ("](tel:+994125550100)", "close"), ("**", "close")]
    bold_open, link_open, link_close, bold_close = [p for p in parts if isinstance(p, Code)]
    assert bold_open.pair == bold_close.id and link_open.pair == link_close.id
    assert "+994 12 555 0100" in parts  # the text a reader sees stays translatable


def test_code_spans_html_urls_and_footnotes_are_single_codes_and_lone_markup_is_text() -> None:
    assert codes("run `legation build` <br> at https://example.org/a. [^1]") == [
        ("`legation build`", "standalone"), ("<br>", "standalone"), ("https://example.org/a", "standalone"),
        ("[^1]", "standalone")]
    assert codes("a snake_case name, a [bracket and a * star") == []
    assert codes(r"an \*escaped\* star") == []


def test_blocks_of_a_body_have_kinds_and_lines() -> None:
    body = "# Head\n\nPara one\ncontinued.\n\n- item\n\n> quoted\n\n| a | b |\n|---|---|\n| c | d |\n\n```\ncode\n```\n"
    kinds = [(b.kind, b.content, b.lines) for b in body_blocks(body)]
    assert kinds == [("heading", "Head", (0, 1)), ("paragraph", "Para one\ncontinued.", (2, 4)),
                     ("item", "item", (5, 6)), ("quote", "quoted", (7, 8)), ("cell", "a", (9, 10)),
                     ("cell", "b", (9, 10)), ("cell", "c", (11, 12)), ("cell", "d", (11, 12))]


def test_rebuilt_body_keeps_the_structure_and_replaces_only_the_text() -> None:
    body = "## What to do\n\n> first line\n> second line\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n\n```\nkeep\n```\n"
    blocks = body_blocks(body)
    assert rebuild_body(body, {b.id: b.content for b in blocks}) == body
    ids = {b.content: b.id for b in blocks}
    out = rebuild_body(body, {ids["What to do"]: "ما يجب فعله", ids["first line\nsecond line"]: "سطر\nآخر",
                              ids["two"]: "اثنان", ids["c"]: "x | y"})
    assert out == ("## ما يجب فعله\n\n> سطر\n> آخر\n\n- one\n- اثنان\n\n| a | b |\n|---|---|\n| x \\| y | d |\n\n"
                   "```\nkeep\n```\n")


def test_a_version_ignores_whitespace_and_sees_words_and_translatable_fields() -> None:
    data = {"title": "Visa fees", "venue": {"name": "Embassy House", "city": "Baku"}, "date": "2026-01-01"}
    base = version_of(data, "From 1 January a visa costs 80 euros.\n\nChildren pay less.\n")
    assert version_of(data, "From 1 January a visa\ncosts 80 euros.  \n\nChildren pay less.") == base
    assert version_of({**data, "title": "Visa  fees "}, "From 1 January a visa costs 80 euros.\n\nChildren pay less.") == base
    assert version_of(data, "From 1 January a visa costs 90 euros.\n\nChildren pay less.\n") != base
    moved = {**data, "venue": {"name": "Veloria House", "city": "Baku"}}
    assert version_of(moved, "From 1 January a visa costs 80 euros.\n\nChildren pay less.\n") != base
    assert version_of({**data, "date": "2027-01-01"}, "From 1 January a visa costs 80 euros.\n\nChildren pay less.\n") \
        == base  # not translatable: a translation takes it from the source


def test_units_of_an_item_name_each_field_and_block_with_notes_and_limits() -> None:
    units = item_units({"title": "T", "summary": "S", "figures": [{"label": "L", "value": "3"}],
                        "image": {"src": "a.png", "alt": "A"}}, "Para.\n", "consular")
    assert [(u.id, u.kind) for u in units] == [("title", "field"), ("summary", "field"), ("image.alt", "field"),
                                               ("figures.0.label", "field"), ("figures.0.value", "field"),
                                               ("b1", "paragraph")]
    assert units[0].max_chars == 70 and "consular" in units[0].note


def test_pinned_state() -> None:
    assert pinned_state("", "abc") == "untracked"
    assert pinned_state("abc", "abc") == "current"
    assert pinned_state("old", "abc", "old") == "current"  # a hash recorded the way legation did before
    assert pinned_state("old", "abc") == "stale"
