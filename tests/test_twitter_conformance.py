"""X lengths and validity against twitter-text's own conformance data (tests/thirdparty/twitter-text, unchanged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.outputs.snippets import X_REFUSED, twitter_length

CONFORMANCE = Path(__file__).resolve().parent / "thirdparty" / "twitter-text" / "validate.yml"


def conformance(group: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(CONFORMANCE.read_text(encoding="utf-8"))["tests"][group]
    return cases


def emoji_free(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    twitter_length("")  # twitter-text is imported the way legation imports it (without pkg_resources)
    from twitter_text.extract_emojis import extract_emojis_with_indices

    return [case for case in cases if not extract_emojis_with_indices(case["text"])]


def x_accepts(text: str, limit: int = 280) -> bool:
    """What legation calls a fitting X post: within the limit, and no character X refuses."""
    return not X_REFUSED.search(text) and 0 < twitter_length(text) <= limit


@pytest.mark.parametrize("case", conformance("WeightedTweetsWithDiscountedEmojiCounterTest")
                         + conformance("UnicodeDirectionalMarkerCounterTest"), ids=lambda case: case["description"])
def test_x_length_and_validity_follow_the_conformance_data(case: dict[str, Any]) -> None:
    """Config v3 (an emoji counts 2), the one X uses and legation counts with."""
    assert twitter_length(case["text"]) == case["expected"]["weightedLength"]
    assert x_accepts(case["text"]) is case["expected"]["valid"]


@pytest.mark.parametrize("case", emoji_free(conformance("WeightedTweetsCounterTest")), ids=lambda case: case["description"])
def test_x_length_of_text_without_emoji_follows_the_version_2_data(case: dict[str, Any]) -> None:
    """The config v2 cases: without emoji, v2 and v3 weigh every character the same."""
    assert twitter_length(case["text"]) == case["expected"]["weightedLength"]
    assert x_accepts(case["text"]) is case["expected"]["valid"]
