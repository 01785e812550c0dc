"""Heading anchors are de-duplicated in linear work, with the ids mdit_py_plugins.anchors gives (issue 20, #9)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mdit_py_plugins.anchors.index import unique_slug

from generator.sources.fastmd import UniqueSlugs
from generator.sources.markdown import make_markdown, render_markdown


@contextmanager
def counted_lines() -> Iterator[list[int]]:
    """Counts the Python lines executed meanwhile: a measure of work that does not depend on the machine."""
    count = [0]

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        count[0] += 1
        return trace

    sys.settrace(trace)
    try:
        yield count
    finally:
        sys.settrace(None)


@given(st.lists(st.sampled_from(["note", "note-1", "note-2", "a", "a-1", "section"]), max_size=40))
def test_unique_slugs_give_the_plugins_ids(slugs: list[str]) -> None:
    plugin_taken: set[str] = set()
    expected = [unique_slug(slug, plugin_taken) for slug in slugs]
    unique = UniqueSlugs()
    assert [unique(slug) for slug in slugs] == expected


@pytest.mark.parametrize("accelerated", [False, True])
def test_repeated_headings_get_numbered_ids_in_both_markdown_paths(accelerated: bool) -> None:
    md = make_markdown(accelerated=accelerated)
    html, headings = render_markdown(md, "## Note\n\n## Note 1\n\n## Note\n\n## Note\n")
    assert [heading.anchor for heading in headings] == ["note", "note-1", "note-2", "note-3"]
    assert 'id="note-3"' in html


@pytest.mark.parametrize("accelerated", [False, True])
def test_duplicate_heading_anchors_cost_linear_work(accelerated: bool) -> None:
    """20,000 "## Note" lines took 38 s: each repeat tried note-1, note-2, ... from the start."""
    md = make_markdown(accelerated=accelerated)

    def lines_for(count: int) -> int:
        body = "## Note\n\n" * count
        with counted_lines() as lines:
            render_markdown(md, body)
        return lines[0]

    small, large = lines_for(200), lines_for(800)
    # four times the headings: about four times the work when linear, sixteen times when quadratic
    assert large < 6 * small, (small, large)
