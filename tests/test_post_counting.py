"""Each platform's own counting (issue 19, "Social posts"): Mastodon's StatusLengthValidator, X's twitter-text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from twitter_text import extract_urls_with_indices, parse_tweet

from generator.outputs.snippets import RULES, X_REFUSED, count, mastodon_length, twitter_length
from generator.outputs.snippets import _problems as problems_of
from tests.test_snippets import catalog, page, snippets_for  # noqa: F401  (catalog is a fixture)

URL = "https://embassy.example.org/en/announcements/visa/?utm_source=mastodon"


@pytest.mark.parametrize(("text", "expected"), [
    (f"Read {URL}", 5 + 23),
    (f"Read {URL}.", 5 + 23 + 1),  # punctuation after a URL is not part of it: it counts on its own
    (f"({URL}), then", 1 + 23 + len("), then")),
    ("http://192.168.0.1/consular", len("http://192.168.0.1/consular")),  # an IP is not a URL to Mastodon
    ("http://localhost:8000/preview", len("http://localhost:8000/preview")),
    ("https://embassy.notatld/x", len("https://embassy.notatld/x")),  # an unknown top-level domain
    ("embassy.example.org/visa", len("embassy.example.org/visa")),  # no protocol: Mastodon does not link it
    ("👩‍👩‍👧 family", 1 + 7),  # graphemes, not code points
    ("🇦🇿🇦🇿", 2),
    ("e\u0301", 1),
    ("hi @consul@mastodon.social", len("hi @consul")),  # a remote mention counts as @user
    ("mail@example.org", len("mail@example.org")),  # an address is no mention
])
def test_mastodon_counts_as_mastodon(text: str, expected: int) -> None:
    assert mastodon_length(text) == expected
    assert count(RULES["mastodon"], text) == expected


def test_mastodon_recognises_what_twitter_text_with_a_protocol_recognises() -> None:
    """Mastodon extracts URLs with twitter-text, extract_url_without_protocol: false."""
    text = f"a {URL} b http://example.com/x c www.example.com d https://t.co/abc"
    recognised = extract_urls_with_indices(text, False)
    assert [entity["url"] for entity in recognised] == [URL, "http://example.com/x", "https://t.co/abc"]
    assert mastodon_length(text) == len(text) - sum(b - a for a, b in (e["indices"] for e in recognised)) + 3 * 23


def test_the_demo_reports_mastodon_lengths_by_mastodons_rule(demo: Path) -> None:
    """A demo post reported as 479 and fitting was 503 by Mastodon's rule."""
    snippets = demo.parent / "snippets" if (demo.parent / "snippets").is_dir() else None
    folder = snippets or Path(__file__).resolve().parent.parent / "snippets"
    posts = [json.loads(p.read_text(encoding="utf-8"))["posts"]["mastodon"] for p in folder.rglob("*.json")
             if "mastodon" in json.loads(p.read_text(encoding="utf-8")).get("posts", {})]
    assert posts
    for post in posts:
        assert post["length"] == mastodon_length(post["text"])
        assert post["fits"] == (post["length"] <= 500)


@pytest.mark.parametrize("text", ["a\r\nb", "Line one\r\nLine two https://example.org/x", "👍\r\n👍"])
def test_x_counts_cr_lf_as_xs_own_twitter_text_does(text: str) -> None:
    """twitter-text-parser turns CR LF into LF before counting; X's JavaScript twitter-text counts both characters."""
    pairs = text.count("\r\n")
    assert twitter_length(text) == parse_tweet(text).weightedLength + pairs
    assert twitter_length(text) == parse_tweet(text.replace("\r\n", "\n\n")).weightedLength


@pytest.mark.parametrize("char", ["\ufeff", "\ufffe", "\uffff"])
def test_an_x_post_with_a_character_x_refuses_never_fits(catalog, char: str) -> None:  # noqa: F811
    assert not parse_tweet(f"a{char}b").valid  # what X refuses, by twitter-text
    assert X_REFUSED.search(char)
    item = snippets_for(page("en", f"Visa{char} fees"), catalog)
    post = next(p for p in item.posts if p.platform == "x")
    assert post.length < 280 and not post.fits
    assert any("refuses" in problem.message for problem in problems_of(item.page, item.posts))
    others = [p for p in item.posts if p.platform != "x"]
    assert all(p.fits for p in others)


def test_x_refused_matches_twitter_text_on_every_bmp_character() -> None:
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        assert bool(X_REFUSED.search(char)) == (not parse_tweet(f"a{char}").valid), hex(code)
