"""generator/jsontext.py writes the same text as json.dumps with indent, on any JSON data."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.core.jsontext import indented

LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
          | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\n\t\x00\u2028é ا😀')))
DATA = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=30)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(DATA, st.sampled_from([0, 1, 2, 4]), st.booleans())
def test_indented_is_json_dumps_with_indent(value: object, indent: int, sort_keys: bool) -> None:
    assert indented(value, indent, sort_keys) == json.dumps(value, ensure_ascii=False, indent=indent,
                                                            sort_keys=sort_keys)


def test_the_snippet_item_shape() -> None:
    item = {"url": "https://example.org/ar/x/?utm_source=x", "posts": [{"platform": "x", "text": "سلام\n\n#Baku",
                                                                          "length": 12, "fits": True, "notes": []}],
            "empty": {}, "nothing": None, "ratio": 0.5}
    assert indented(item) == json.dumps(item, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("bad", [{1: "a"}, {"a": object()}, [b"bytes"]])
def test_what_it_does_not_write_is_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        indented(bad)
