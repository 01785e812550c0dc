"""Rumour versus fact (kind rumour): the claim, where it circulated (never linked), the verdict, the sources;
ClaimReview JSON-LD, the per-language Rumours and facts page, posts that lead with the verdict."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_build

RUMOUR = """\
---
title: "No, the embassy is not closing"
date: 2026-11-10T10:00:00+04:00
summary: "The embassy stays open."
kind: rumour
verdict: "false"
claim: "The embassy of Veloria closes for good on 1 December."
claim_seen:
  - {where: "A video on TikTok", url: "https://fake.example/video/1", at: 2026-11-09T08:00:00+04:00}
sources:
  - {title: "Opening hours", url: "https://embassy.example.org/en/contact/"}
---
The embassy is open as usual.
"""


def json_ld(page: str) -> dict[str, object]:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_an_answer_to_a_false_claim_reads_as_one_and_carries_claim_review(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/closing.en.md": RUMOUR})
    assert run_build(root).ok
    page = (root / "public/en/announcements/closing/index.html").read_text(encoding="utf-8")
    assert '<blockquote class="claim"><p>The embassy of Veloria closes for good on 1 December.</p></blockquote>' in page
    assert "<strong>False</strong>" in page
    assert 'href="https://fake.example' not in page and "https://fake.example/video/1" in page  # shown, not linked
    assert '<a href="https://embassy.example.org/en/contact/">Opening hours</a>' in page
    data = json_ld(page)
    assert data["@type"] == "ClaimReview" and data["claimReviewed"] == "The embassy of Veloria closes for good on 1 December."
    assert data["reviewRating"] == {"@type": "Rating", "ratingValue": 1, "bestRating": 4, "worstRating": 1,
                                    "alternateName": "False"}
    assert data["itemReviewed"]["appearance"] == [{"@type": "CreativeWork", "url": "https://fake.example/video/1"}]
    assert data["itemReviewed"]["datePublished"] == "2026-11-09T08:00:00+04:00"
    listing = (root / "public/en/rumours/index.html").read_text(encoding="utf-8")
    assert "The embassy of Veloria closes for good" in listing and 'href="/en/announcements/closing/"' in listing
    assert not (root / "public/ar/rumours").exists()  # no answer in Arabic yet: no page


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('verdict: "false"', "verdict: false"), "the verdict was read as a yes/no value"),
    (lambda t: t.replace('verdict: "false"', 'verdict: "fake"'), "verdict must be one of false, misleading"),
    (lambda t: t.replace('claim: "The embassy of Veloria closes for good on 1 December."\n', ""),
     'missing required key "claim" for kind rumour'),
    (lambda t: t.replace("https://embassy.example.org/en/contact/", "javascript:alert(1)"), "must be an http(s) address"),
    (lambda t: t.replace("kind: rumour", "kind: news"),
     "verdict, claim, claim_seen, sources are for an answer to a false claim (kind: rumour)"),
])
def test_bad_rumour_fields_are_located_errors(make_site: Callable[..., Path], change: Callable[[str], str],
                                              expected: str) -> None:
    root = make_site({"content/announcements/closing.en.md": change(RUMOUR)})
    report = run_build(root)
    assert not report.ok
    first = report.errors[0]
    assert first.location.path == "content/announcements/closing.en.md" and first.location.line > 0
    assert expected in first.message + first.hint, first.message


def test_the_demo_answers_the_false_visa_reports_in_four_languages(demo: Path) -> None:
    for lang, verdict in (("en", "False"), ("ar", "كاذب"), ("az", "Yalan"), ("uz", "Yolgʻon")):
        page = (demo / lang / "announcements/false-reports-visa-suspension/index.html").read_text(encoding="utf-8")
        assert f"<strong>{verdict}</strong>" in page and json_ld(page)["@type"] == "ClaimReview"
        assert (demo / lang / "rumours/index.html").is_file()
