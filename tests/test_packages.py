"""What a translator may do to protected codes (generator/packages.py)."""

from __future__ import annotations

from generator.commands.packages import code_problem, localised, with_codes
from generator.sources.translation_units import Code, protect

SOURCE = protect("Read **the [notice](/en/notice/)** today")


def target(*order: int, text: str = "x") -> tuple[str | Code, ...]:
    codes = {p.id: p for p in SOURCE if isinstance(p, Code)}
    return tuple(item for number in order for item in (text, codes[number]))


def test_moving_whole_pairs_is_allowed() -> None:
    assert code_problem(SOURCE, target(1, 2, 3, 4)) == ""


def test_a_lost_repeated_unknown_or_crossed_code_is_refused() -> None:
    assert "lost the protected codes '[' (2), '](/en/notice/)' (3)" in code_problem(SOURCE, target(1, 4))
    assert "repeats" in code_problem(SOURCE, target(1, 2, 3, 3, 4))
    assert "does not have" in code_problem(SOURCE, (*target(1, 2, 3, 4), Code(9, "?", "standalone")))
    assert "closes before its opening" in code_problem(SOURCE, target(1, 2, 4, 3))
    assert "closes before its opening" in code_problem(SOURCE, target(3, 2, 1, 4))


def test_codes_take_the_source_text_and_site_links_point_to_the_target_language() -> None:
    bare = tuple(Code(p.id, "", "standalone") if isinstance(p, Code) else p for p in target(1, 2, 3, 4))
    filled = with_codes(SOURCE, bare, "en", "ar")
    assert [p.text for p in filled if isinstance(p, Code)] == ["**", "[", "](/ar/notice/)", "**"]
    assert localised("](https://example.org/en/x)", "en", "ar") == "](https://example.org/en/x)"
