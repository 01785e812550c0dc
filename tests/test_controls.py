"""controls: every control character but tab, LF and CR is found, as itself or as a character reference."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.core.controls import CONTROL, describe, find_control, position
from generator.sources.markdown import make_markdown, render_markdown

ALLOWED = "\t\n\r"


def test_the_control_set_is_unicodes_cc_category_without_tab_and_line_ends() -> None:
    import unicodedata
    cc = {chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cc"}
    assert {char for char in cc if CONTROL.match(char)} == cc - set(ALLOWED)
    assert not any(CONTROL.match(chr(code)) for code in range(0xA0, 0x3000))


@pytest.mark.parametrize(("text", "index", "written", "count"), [
    ("a\x0cb", 1, "\x0c", 1),
    ("ab &#12; c\x1b", 3, "&#12;", 2),
    ("x &#x0C; &#X85; \x85", 2, "&#x0C;", 3),
    ("&#0000012;", 0, "&#0000012;", 1),
])
def test_the_first_control_character_and_how_many(text: str, index: int, written: str, count: int) -> None:
    found = find_control(text)
    assert found is not None and (found.index, found.written, found.count) == (index, written, count)


@pytest.mark.parametrize("text", ["plain\ttext\nwith lines\r\n", "&#9; &#10; &#13; &#160; &amp;#12; &#12", "&#1114112;"])
def test_allowed_characters_and_other_references_are_not_found(text: str) -> None:
    assert find_control(text) is None


PIECES = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["&#", ";", "x", "X", "0", "1", "2", "12", "1b", "85", "133", "`", "\n", " ", "[a](b ", "*"]),
    st.integers(0, 0x10FFFF).map(lambda code: f"&#{code};"),
    st.integers(0, 0x3FF).map(lambda code: f"&#x{code:x};"),
)


@pytest.mark.parametrize("allow_html", [False, True])
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, max_size=12))
def test_markdown_without_a_found_control_character_renders_none(allow_html: bool, pieces: list[str]) -> None:
    """The invariant the build relies on: a body find_control passes gives HTML with no control character
    (markdown-it decodes references like &#12; itself, so the check must know every way to write one)."""
    text = "".join(pieces)
    if find_control(text) is None:
        html_text, headings = render_markdown(make_markdown(allow_html, "example.org"), text)
        assert not CONTROL.search(html_text) and not any(CONTROL.search(h.label) for h in headings)


def test_names_and_positions() -> None:
    assert describe("\x0c") == "a form feed (U+000C)"
    assert describe("\x1b") == "an escape (U+001B)"
    assert describe("&#x85;") == "&#x85;, a next-line character (U+0085)"
    assert describe("\x02") == "a control character (U+0002)"
    assert position("ab\ncd\x0c", 5) == (1, 3)
    assert html.unescape("&#12;") == "\x0c"  # what a browser reading the page would make of it
