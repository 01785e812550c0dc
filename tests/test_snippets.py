"""Social snippets: platform limits by each platform's own counting, safe shortening, output and command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import regex
from bidi import get_display
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitter_text import extract_urls_with_indices, parse_tweet

from generator.assembly.site import assemble
from generator.core.model import EventInfo, Image, Language, Page, SiteConfig, SnippetsConfig
from generator.engine.build import load_site
from generator.outputs.snippets import (
    ELLIPSIS,
    LRI,
    PDI,
    RULES,
    Post,
    count,
    cut_points,
    grapheme_count,
    hashtag,
    isolate,
    item_snippets,
    snippet_pages,
    twitter_length,
)
from generator.sources.i18n import Catalog, load_catalog
from generator.sources.theme import builtin_themes_dir
from tests.conftest import NOW, SITE_YML, run_build

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "snippets.json"

LANGUAGES = (Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar"),
             Language("az", "azərbaycan", "ltr", "az"), Language("uz", "oʻzbek", "ltr", "uz"),
             Language("zh", "中文", "ltr", "zh"))


def config(**snippets: object) -> SiteConfig:
    return SiteConfig(
        title={"en": "Embassy of Testland", "ar": "سفارة تستلاند"}, base_url="https://embassy.example.org/",
        default_language="en", languages=LANGUAGES, timezone="Asia/Baku",
        snippets=SnippetsConfig(platforms=tuple(RULES), hashtags=("Testland",), **snippets),  # type: ignore[arg-type]
        tags={"consular": {"ar": "شؤون قنصلية", "az": "konsulluq", "uz": "konsullik"},
              "culture": {"ar": "ثقافة", "az": "mədəniyyət", "uz": "madaniyat"}},
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    found, _ = load_catalog([builtin_themes_dir() / "default" / "i18n"], REPO, [lang.code for lang in LANGUAGES], "en")
    return found


def page(lang: str, title: str, summary: str = "", section: str = "announcements", **extra: object) -> Page:
    return Page(source=f"content/{section}/item.{lang}.md", section=section, slug="item", lang=lang, title=title,
                body_html=str(extra.pop("body_html", "<p>Body text.</p>")), source_hash="x",
                date=datetime(2026, 11, 1, 10, tzinfo=UTC), summary=summary,
                tags=tuple(extra.pop("tags", ("consular", "culture"))), **extra)  # type: ignore[arg-type]


def snippets_for(p: Page, catalog: Catalog, **snippets: object):  # type: ignore[no-untyped-def]
    site, problems = assemble([p], config(**snippets), NOW)
    assert not [x for x in problems if x.severity == "error"]
    return item_snippets(site, catalog, p)


# ------------------------------------------------------------------ counting
TOKENS = [
    "مرحبا", "بالمواطنين", "السفارة", "القنصلية", "ş", "ə", "ğ", "Azərbaycan", "oʻzbek", "Oʻzbekiston", "gʻ",
    "日本語", "中文", "한국어", "👍🏽", "👩‍👩‍👧", "🇦🇿", "🏳️‍🌈", "e\u0301", "a\u0308\u0301", "क्षि", "…", "—", "‘", "“",
    "visa", "Embassy", "news", "2026", "#", "@", ".", ",", " ", " ", " ", "\n", "example.org", "https://x.org/a?b=1",
]
texts = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_fast_twitter_count_equals_twitter_text(text: str) -> None:
    assert twitter_length(text) == parse_tweet(text).weightedLength


def test_counting_rules_by_hand() -> None:
    url = "https://embassy.example.org/ar/announcements/a-very-long-slug-for-this-item/?utm_source=x"
    assert count(RULES["x"], f"abc {url}") == 4 + 23
    assert count(RULES["x"], "日本") == 4  # CJK weighs 2
    assert count(RULES["x"], "مرحبا") == 5  # Arabic letters weigh 1
    assert count(RULES["mastodon"], f"abc {url}") == 4 + 23
    assert count(RULES["bluesky"], "👩‍👩‍👧e\u0301") == 2  # graphemes, not code points
    assert count(RULES["telegram"], "👍") == 2  # UTF-16 code units
    assert count(RULES["threads"], "abc") == 3


def test_hashtags_are_cleaned() -> None:
    assert hashtag("Consular services") == "#ConsularServices"
    assert hashtag("شؤون قنصلية") == "#شؤون_قنصلية"
    assert hashtag("ətraf mühit") == "#ƏtrafMühit"
    assert hashtag("oʻzbek") == "#oʻzbek"
    assert hashtag("C++ & (news)!") == "#CNews"
    assert hashtag("2026") == ""
    assert hashtag("!!!") == ""


def test_cut_points_avoid_urls_and_hashtags() -> None:
    text = "word https://example.org/a-b-c #tag_x more"
    spans = [(5, 30), (31, 37)]
    for point in cut_points(text):
        assert not any(start < point < end for start, end in spans)
    spaceless = "日本語👩‍👩‍👧e\u0301中文"
    clusters = regex.findall(r"\X", spaceless)
    bounds = {sum(len(c) for c in clusters[:i]) for i in range(1, len(clusters))}
    assert set(cut_points(spaceless)) <= bounds


# ------------------------------------------------------------------ properties
def _grapheme_bounds(text: str) -> set[int]:
    position, bounds = 0, {0}
    for cluster in regex.findall(r"\X", text):
        position += len(cluster)
        bounds.add(position)
    return bounds


def _check_piece(original: str, text: str) -> None:
    """``original`` appears whole in ``text``, or shortened at a grapheme boundary with an ellipsis, or not at all."""
    if not original or original in text:
        return
    for line in text.split("\n\n"):
        head = line.split("\n")[0]
        if head.endswith(ELLIPSIS) and original.startswith(head[:-1]) and head[:-1]:
            assert len(head) - 1 in _grapheme_bounds(original), (original, head)
            return


@given(lang=st.sampled_from([lang.code for lang in LANGUAGES]), title=texts.filter(lambda t: t.strip() != ""),
       summary=texts, alert=st.sampled_from(["", "critical"]), image=st.booleans())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_post_fits_and_keeps_url_and_hashtags_whole(catalog: Catalog, lang: str, title: str, summary: str,
                                                         alert: str, image: bool) -> None:
    item = page(lang, title.strip() or "x", summary, alert=alert,
                image=Image("photo.jpg", "A photo") if image else None)
    result = snippets_for(item, catalog)
    assert [post.platform for post in result.posts] == list(RULES)
    rtl = lang == "ar"
    for post in result.posts:
        rule = RULES[post.platform]
        assert post.length == count(rule, post.text)
        assert post.length <= post.limit, (post.platform, post.length, post.limit)
        assert post.limit == (1024 if image and rule.caption_limit else rule.limit)
        assert isolate(post.url, rtl) in post.text, "the link must stay whole"
        assert_detected(post)
        if rule.max_bytes is not None and post.fits:
            assert len(post.text.encode()) <= rule.max_bytes
        assert post.url.startswith(f"https://embassy.example.org/{lang}/announcements/item/?utm_source={post.platform}")
        for tag in post.hashtags:
            assert tag in post.text
        if rule.max_hashtags is not None:
            assert len(post.hashtags) <= rule.max_hashtags
        # no broken grapheme: every cluster of the post is a cluster of some input or of the fixed parts
        assert grapheme_count(post.text) == len(regex.findall(r"\X", post.text))
        _check_piece(item.summary, post.text)
        if not post.fits:
            assert result.problems and result.problems[0].location.path == item.source


# ------------------------------------------------------------------ behaviour
def test_long_summary_is_cut_at_a_word_with_an_ellipsis(catalog: Catalog) -> None:
    summary = " ".join(["Consular"] * 80)
    post = next(p for p in snippets_for(page("en", "Short title", summary), catalog).posts if p.platform == "x")
    assert post.fits and post.length <= 280
    line = post.text.split("\n\n")[1]
    assert line.endswith("Consular…") and "  " not in line
    assert "the summary was shortened" in post.notes


@pytest.mark.parametrize(("lang", "note"), [("en", "The summary was shortened."), ("ar", "اختُصر الملخص."),
                                            ("az", "Xülasə qısaldıldı.")])
def test_the_board_shows_post_notes_in_the_items_language(catalog: Catalog, lang: str, note: str) -> None:
    from generator.outputs.snippets import board_item, board_templates

    item = snippets_for(page(lang, "Short title", " ".join(["Consular"] * 80)), catalog)
    post = next(p for p in item.posts if p.platform == "x")
    assert post.notes == ("the summary was shortened",)  # the JSON and `legation check` stay in English
    section = board_item(catalog, item, board_templates()[0]).decode()
    assert f'<p class="notes">{note}</p>' in section
    assert "the summary was shortened" not in section or lang == "en"
    # the copy button and the too-long mark are the item language's UI strings too
    copy, copied = catalog.get(lang, "snippet.copy"), catalog.get(lang, "snippet.copied")
    assert section.count(f'data-done="{copied}" hidden>{copy}</button>') == len(item.posts)
    too_long = snippets_for(page(lang, "Statement " * 40, "x"), catalog)
    assert f"<strong>{catalog.get(lang, 'snippet.too_long')}</strong>" in board_item(
        catalog, too_long, board_templates()[0]).decode()


def test_title_longer_than_the_limit_is_a_warning_and_strict_fails(make_site: Callable[..., Path]) -> None:
    long_title = "Statement " * 40
    root = make_site({"content/announcements/long.en.md": f'---\ntitle: "{long_title.strip()}"\ndate: 2026-11-02\n---\nx\n',
                      "site.yml": SITE_YML + "snippets: {platforms: [x, bluesky]}\n"})
    report = run_build(root)
    assert report.ok
    warning = [w for w in report.warnings if w.code == "snippet"]
    assert warning and warning[0].location.path == "content/announcements/long.en.md"
    assert {w.message.split(" post ")[0] for w in warning} == {"the X", "the Bluesky"}
    assert not run_build(root, strict=True, incremental=False).ok


def test_rtl_posts_isolate_urls_and_latin_hashtags(catalog: Catalog) -> None:
    result = snippets_for(page("ar", "عنوان", "ملخص قصير"), catalog)
    x = result.posts[0]
    # each isolate's edges are spaces: nothing but whitespace touches what a platform has to detect
    assert f"\n{LRI} {x.url} {PDI}\n" in x.text
    assert x.text.endswith(f"\n#شؤون_قنصلية #ثقافة {LRI} #Testland {PDI}")
    english = snippets_for(page("en", "Title", "Summary"), catalog).posts[0]
    assert LRI not in english.text


def test_alerts_lead_with_the_level_and_use_long_form(catalog: Catalog) -> None:
    body = "<p>Roads are closed.</p><ul><li>Register now.</li></ul>"
    result = snippets_for(page("en", "Snow warning", "Heavy snow", alert="critical", body_html=body), catalog)
    posts = {p.platform: p for p in result.posts}
    assert posts["x"].text.startswith("Urgent: Snow warning")
    assert "Roads are closed." in posts["facebook"].text and "Register now." in posts["telegram"].text
    assert "Roads are closed." not in posts["x"].text


def test_instagram_threads_linkedin_and_telegram_rules(catalog: Catalog) -> None:
    tags = ("consular", "culture", "a", "b", "c", "d", "e")
    result = snippets_for(page("en", "Title (draft) #1", "Summary", tags=tags, image=Image("p.jpg", "A photo")), catalog)
    posts = {p.platform: p for p in result.posts}
    assert len(posts["instagram"].hashtags) == 5 and "Link in bio" in posts["instagram"].text
    assert len(posts["threads"].hashtags) == 1
    assert posts["linkedin"].api_text.startswith("Title \\(draft\\) \\#1")
    assert posts["telegram"].limit == 1024 and posts["telegram"].photo == "https://embassy.example.org/en/announcements/item/p.jpg"


def test_events_carry_their_date_in_the_language(catalog: Catalog) -> None:
    event = EventInfo(start=datetime(2026, 12, 12, 14, 30, tzinfo=UTC), end=None, status="cancelled")
    ar = snippets_for(page("ar", "حفل", "ملخص", section="events", event=event), catalog).posts[0]
    assert "12 ديسمبر 2026" in ar.text and catalog.get("ar", "status.cancelled") in ar.text
    en = snippets_for(page("en", "Reception", "Summary", section="events", event=event), catalog).posts[0]
    assert "Cancelled: December 12, 2026, 6:30\u202fPM" in en.text
    assert "utm_campaign=events" in en.url


def test_site_limits_and_utm_settings(catalog: Catalog) -> None:
    result = snippets_for(page("en", "T", "S"), catalog, limits={"mastodon": 1000}, url_lengths={"mastodon": 30},
                          utm_medium="post", utm_campaign="winter")
    mastodon = next(p for p in result.posts if p.platform == "mastodon")
    assert mastodon.limit == 1000
    assert mastodon.length == len(mastodon.text) - len(mastodon.url) + 30
    assert "utm_medium=post&utm_campaign=winter" in mastodon.url


# ------------------------------------------------------------------ what each platform detects
#: JavaScript's \s (ECMA-262 WhiteSpace and LineTerminator), which Bluesky's regexes use.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: Bluesky: URL_REGEX and TAG_REGEX of bluesky-social/atproto packages/api/src/rich-text/util.ts, applied as
#: detectFacets in rich-text/detection.ts does (one trailing [.,;:!?] and an unbalanced ")" left out of a link;
#: a tag trimmed of trailing punctuation, 1 to 64 characters).
BSKY_URL = regex.compile(rf"(^|[{JS_SPACE}]|\()((https?://[^{JS_SPACE}]+)|((?P<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)"
                         rf"[^{JS_SPACE}]*))", regex.IGNORECASE | regex.MULTILINE)
_BSKY_NOT_IN_TAG = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
BSKY_TAG = regex.compile(rf"(^|[{JS_SPACE}])[#＃]((?!\ufe0f)[^{JS_SPACE}{_BSKY_NOT_IN_TAG}]*"
                         rf"[^\d{JS_SPACE}\p{{P}}{_BSKY_NOT_IN_TAG}]+[^{JS_SPACE}{_BSKY_NOT_IN_TAG}]*)?")
#: Mastodon: Tag::HASHTAG_RE of mastodon/mastodon app/models/tag.rb (Ruby's \w is ASCII, [[:word:]] and [[:alpha:]]
#: are Unicode); its links are twitter-text's extractUrlsWithIndices with extract_url_without_protocol: false.
_WORD, _SEPARATORS = r"\p{L}\p{M}\p{Nd}\p{Pc}", "_\u00b7\u30fb\u200c"
MASTODON_TAG = regex.compile(
    rf"(?:^|[^/)A-Za-z0-9_])#((?:[{_WORD}_][{_WORD}{_SEPARATORS}]*[\p{{Alphabetic}}{_SEPARATORS}]"
    rf"[{_WORD}{_SEPARATORS}]*[{_WORD}_])|(?:[{_WORD}_]*[\p{{Alphabetic}}][{_WORD}_]*))",
    regex.IGNORECASE | regex.MULTILINE)
#: X: twitter-text's validHashtag (js/src/regexp/validHashtag.js, hashtagBoundary.js, hashtagAlphaNumeric.js) and
#: extractHashtagsWithIndices, which drops a hashtag followed by # or ://; links by twitter-text-parser itself.
_TW_ALNUM = r"\p{L}\p{M}\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
X_TAG = regex.compile(rf"(^|\ufe0e|\ufe0f|$|(?![{_TW_ALNUM}]|&).)([#＃])(?!\ufe0f|\u20e3)([{_TW_ALNUM}]*[\p{{L}}\p{{M}}]"
                      rf"[{_TW_ALNUM}]*)", regex.IGNORECASE | regex.DOTALL)


def bluesky_links(text: str) -> set[str]:
    found = set()
    for match in BSKY_URL.finditer(text):
        uri = match[2]
        if not uri.startswith("http"):
            continue  # an address without a scheme: Bluesky checks its TLD; the posts' links all have one
        if regex.search(r"[.,;:!?]$", uri):
            uri = uri[:-1]
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
        found.add(uri)
    return found


def bluesky_tags(text: str) -> set[str]:
    found = set()
    for match in BSKY_TAG.finditer(text):
        tag = regex.sub(r"\p{P}+$", "", (match[2] or "").strip(JS_SPACE))
        if 0 < len(tag) <= 64:
            found.add(tag)
    return found


def x_tags(text: str) -> set[str]:
    return {m[3] for m in X_TAG.finditer(text) if not regex.match(r"[#＃]|://", text[m.end():])}


def detected(platform: str, text: str) -> tuple[set[str], set[str]]:
    """(links, hashtags without the #) that ``platform`` makes of ``text``. Threads, Facebook, LinkedIn, Instagram
    and Telegram publish no rule: for them a link or tag counts as detected only when all three rules find it."""
    rules = {
        "bluesky": (bluesky_links(text), bluesky_tags(text)),
        "mastodon": ({u["url"] for u in extract_urls_with_indices(text, False)},
                     {m[1] for m in MASTODON_TAG.finditer(text)}),
        "x": ({u["url"] for u in extract_urls_with_indices(text)}, x_tags(text)),
    }
    if platform in rules:
        return rules[platform]
    if platform == "weibo":  # Sina's composer: an ASCII link (WeCase's port of it), a topic between two hashes
        return ({m[0] for m in WEIBO_LINK.finditer(text)}, {m[1] for m in WEIBO_TOPIC.finditer(text)})
    links, tags = zip(*rules.values(), strict=True)
    return set.intersection(*links), set.intersection(*tags)


WEIBO_LINK = re.compile(r"https?://[a-zA-Z0-9]+(?:\.[a-zA-Z0-9]+)+[-A-Z0-9a-z_$.+!*()/\\,:@&=?~#%]*")
WEIBO_TOPIC = re.compile(r"#([^#\s][^#\n]*?)#")


def assert_detected(post: Post) -> None:
    links, tags = detected(post.platform, post.text)
    assert post.url in links, (post.platform, post.text, links)
    assert {tag.strip("#") for tag in post.hashtags} <= tags, (post.platform, post.text, tags)


def test_the_detection_rules_find_what_each_platform_finds() -> None:
    """The rules above on cases from their sources' own tests and on the failure this file guards against."""
    url = "https://embassy.example.org/ar/?utm_source=x"
    assert bluesky_links(f"see {url}. more (https://a.example/b)") == {url, "https://a.example/b"}
    assert bluesky_links(f"\u2066{url}\u2069") == set()  # an isolate right before the link: no facet
    assert bluesky_links(f"\u2066 {url}\u2069") == {f"{url}\u2069"}  # and right after it: a broken one
    assert bluesky_tags("#Veloria #a1 #1 x#y #tag. \u2066#Testland") == {"Veloria", "a1", "tag"}
    assert bluesky_tags("#Veloria\u2069") == {"Veloria\u2069"}
    assert {m[1] for m in MASTODON_TAG.finditer("#Veloria #شؤون_قنصلية a#b https://x.org/#c #1")} == {
        "Veloria", "شؤون_قنصلية"}
    assert x_tags("#Veloria #شؤون_قنصلية a#b #1 #tag://x \u2066#Testland\u2069") == {"Veloria", "شؤون_قنصلية", "Testland"}


def test_every_demo_post_keeps_its_link_and_hashtags_detectable() -> None:
    """Every post of the demo, in every language and on every platform: each platform finds its link and every
    hashtag by its own rules (the 16 Arabic Bluesky posts lost both to an isolate where Bluesky wants whitespace)."""
    site, catalog, _ = load_site(REPO, NOW)
    posts = [(p.lang, post) for p in snippet_pages(site) for post in item_snippets(site, catalog, p).posts]
    assert {lang for lang, _ in posts} == {"en", "ar", "az", "uz"} and len(posts) >= 8 * 16 * 4
    for _, post in posts:
        assert_detected(post)
        if post.platform == "bluesky":
            assert len(post.text.encode()) <= 3000


def _visual(text: str) -> list[str]:
    """Each line of ``text`` as a right-to-left paragraph shows it, left to right (the Unicode bidi algorithm,
    python-bidi), without the invisible isolate marks."""
    return [get_display(line, base_dir="R").translate(dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f")))
            for line in text.split("\n")]


def test_phone_numbers_links_and_latin_read_left_to_right_in_arabic_posts(catalog: Catalog) -> None:
    body = ('<p>يعمل خط الطوارئ القنصلي <strong><a href="tel:+994125550100">+994 12 555 0100</a></strong> '
            "ليلًا ونهارًا. الحرارة -10 درجات، والتسجيل عبر https://example.org/register أو عبر VFS Global.</p>")
    item = page("ar", "تسجيل المواطنين", "اتصلوا بالرقم +994 12 555 0100 الآن", alert="critical", body_html=body)
    posts = {post.platform: post for post in snippets_for(item, catalog).posts}
    for post in posts.values():
        shown = "\n".join(_visual(post.text))
        assert "+994 12 555 0100" in shown, (post.platform, shown)  # it read "0100 555 12 994+" before
        assert "0100 555 12 994" not in shown
        assert post.url in shown
        if post.platform == "weibo":  # a Weibo topic has a hash on both sides, read left to right
            assert ("#Testland#" in shown) == ("#Testland#" in post.hashtags)
            continue
        assert "Testland#" not in shown
        assert ("#Testland" in shown) == ("#Testland" in post.hashtags)  # Threads keeps one hashtag
    for name in ("facebook", "linkedin", "telegram"):  # the alert's text: the excerpt on long-form platforms
        shown = "\n".join(_visual(posts[name].text))
        assert shown.count("+994 12 555 0100") == 2 and "-10" in shown and "https://example.org/register" in shown
        assert "VFS Global" in shown
        links, _ = detected(name, posts[name].text)
        assert "https://example.org/register" in links


#: The left edge of each character of ``needle`` at each of its places in the <pre>, as Chromium lays it out.
_LEFT_EDGES = """([needle]) => {
  const node = document.querySelector('pre').firstChild, text = node.data, found = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    found.push([...needle].map((ch, i) => {
      const range = document.createRange(); range.setStart(node, at + i); range.setEnd(node, at + i + 1);
      return ch === ' ' ? null : range.getBoundingClientRect().left;
    }).filter((x) => x !== null));
  }
  return found;
}"""


def test_arabic_posts_read_in_order_in_chromium(catalog: Catalog) -> None:
    """The same posts in a right-to-left <pre> in Chromium (ICU's bidi): each character of the phone number,
    the link and a Latin hashtag stands left of the next one."""
    from html import escape

    from tests.browser import chromium_page, require_chromium

    require_chromium()
    body = '<p>يعمل خط الطوارئ القنصلي <a href="tel:+994125550100">+994 12 555 0100</a> ليلًا ونهارًا.</p>'
    item = page("ar", "تسجيل المواطنين", "اتصلوا بالرقم +994 12 555 0100 الآن", alert="critical", body_html=body)
    with chromium_page(2400, 900) as browser:
        for post in snippets_for(item, catalog).posts:
            browser.set_content(f'<!DOCTYPE html><html lang="ar" dir="rtl"><meta charset="utf-8">'  # type: ignore[attr-defined]
                                f'<pre dir="auto" style="white-space:pre-wrap">{escape(post.text)}</pre>')
            for needle in ("+994 12 555 0100", post.url, *post.hashtags):
                places = browser.evaluate(_LEFT_EDGES, [needle])  # type: ignore[attr-defined]
                assert places, (post.platform, needle)
                if needle.startswith("#") and not needle[1:2].isascii():
                    continue  # an Arabic hashtag reads right to left
                for edges in places:
                    assert edges == sorted(edges), (post.platform, needle, edges)


def test_a_table_in_the_body_keeps_a_line_per_row(catalog: Catalog) -> None:
    from generator.sources.content import markdown_for
    from generator.sources.markdown import render_markdown

    source = ("Bring these:\n\n| Document | Where to get it |\n|---|---|\n| Passport | Your passport office |\n"
              "| Insurance | Your insurer |\n\nCall us.\n")
    body, _ = render_markdown(markdown_for(False, "embassy.example.org"), source)
    for html in (body, body.replace("\n", "")):  # as rendered, and as a renderer without newlines writes it
        item = page("en", "Visa documents", "What to bring", kind="consular", body_html=html)
        facebook = next(p for p in snippets_for(item, catalog).posts if p.platform == "facebook")
        assert ("Bring these:\n\nDocument — Where to get it\nPassport — Your passport office\n"
                "Insurance — Your insurer\n\nCall us.") in facebook.text


def test_bluesky_posts_stay_within_3000_bytes(catalog: Catalog) -> None:
    family = "👩\u200d👩\u200d👧\u200d👦"  # one grapheme, 25 bytes: 200 of them fit in 300 graphemes, not in 3,000 bytes
    item = page("en", "Families", family * 200)
    bluesky = next(p for p in snippets_for(item, catalog).posts if p.platform == "bluesky")
    assert bluesky.length <= 300 and len(bluesky.text.encode()) <= 3000
    assert bluesky.fits and "the summary was shortened" in bluesky.notes
    too_big = snippets_for(page("en", family * 140), catalog)
    bluesky = next(p for p in too_big.posts if p.platform == "bluesky")
    assert not bluesky.fits
    assert any("Bluesky" in problem.message for problem in too_big.problems)


# ------------------------------------------------------------------ golden
def golden_items(catalog: Catalog) -> dict[str, object]:
    event = EventInfo(start=datetime(2026, 12, 12, 14, 30, tzinfo=UTC), end=None)
    items = [
        page("en", "Citizens travelling this winter: register with the consular section",
             "Heavy snowfall is forecast in the mountain regions. Veloria citizens should register so that we can reach "
             "them quickly, wherever they are travelling this season.", alert="critical",
             body_html="<p>Roads may close without notice.</p>"),
        page("ar", "إلى المواطنين المسافرين هذا الشتاء: سجّلوا لدى القسم القنصلي",
             "يُتوقع تساقط كثيف للثلوج في المناطق الجبلية. ندعو المواطنين إلى التسجيل لكي نتمكن من الوصول إليهم بسرعة "
             "أينما كانوا في هذا الموسم."),
        page("az", "Qış mövsümündə səyahət edən vətəndaşlar: konsulluqda qeydiyyatdan keçin",
             "Dağ rayonlarında güclü qar gözlənilir."),
        page("uz", "Oʻzbekistonga sayohat: konsullik xizmatlari", "Qishda togʻli hududlarda kuchli qor yogʻishi kutilmoqda.",
             section="events", event=event),
    ]
    out: dict[str, object] = {}
    for item in items:
        result = snippets_for(item, catalog)
        out[item.lang] = {post.platform: {"text": post.text, "length": post.length} for post in result.posts
                          if post.platform in ("x", "bluesky", "instagram", "linkedin")}
    return out


def test_golden_snippets(catalog: Catalog) -> None:
    """Reviewed by hand when written (tests/golden/snippets.json); regenerate with LEGATION_GOLDEN=1 and review the diff."""
    produced = golden_items(catalog)
    if os.environ.get("LEGATION_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(produced, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert produced == json.loads(GOLDEN.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ build output and command
def test_build_writes_json_and_board(tmp_path: Path) -> None:
    out = tmp_path / "public"
    report = run_build(REPO, out, incremental=False)
    assert report.ok
    snippets = REPO / "snippets"
    data = json.loads((snippets / "ar/announcements/consular-registration-winter-2026.json").read_text(encoding="utf-8"))
    assert data["lang"] == "ar" and data["direction"] == "rtl"
    assert set(data["posts"]) == set(RULES) - {"weibo"}  # the demo posts everywhere but Weibo (no Chinese audience)
    for post in data["posts"].values():
        assert set(post) >= {"text", "length", "limit", "counting", "url", "remaining"}
        assert post["length"] <= post["limit"]
    board = (snippets / "ar/index.html").read_text(encoding="utf-8")
    items = [json.loads(path.read_text(encoding="utf-8")) for path in (snippets / "ar").rglob("*.json")]
    posts = sum(len(item["posts"]) + len(item.get("corrections", {})) for item in items)
    assert 'dir="rtl"' in board and board.count('class="copy"') == posts == 8 * (len(items) + 1)  # + one correction
    assert (snippets / "board.js").is_file()
    assert not (out / "snippets").exists()  # not part of the deployed site


def test_snippets_command(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", "snippets", *args, "--root", str(REPO),
                               "--now", "2026-11-23T12:00:00Z"], capture_output=True, text=True, cwd=REPO)

    done = run("announcements/new-visa-appointment-system", "--lang", "ar", "--platform", "x")
    assert done.returncode == 0, done.stderr
    assert "── ar · X ·" in done.stdout and "utm_source=x" in done.stdout and "bluesky" not in done.stdout
    as_json = run("events/national-day-reception", "--json")
    assert as_json.returncode == 0
    assert {item["lang"] for item in json.loads(as_json.stdout)} == {"en", "ar", "az", "uz"}
    missing = run("announcements/new-visa")
    assert missing.returncode == 2 and 'did you mean "announcements/new-visa-appointment-system"' in missing.stderr
    bad = run("announcements/new-visa-appointment-system", "--platform", "twiter")
    assert bad.returncode == 2 and "use one of: x, bluesky" in bad.stderr
    wrong_lang = run("announcements/new-visa-appointment-system", "--lang", "ra")
    assert wrong_lang.returncode == 2 and "--lang ra" in wrong_lang.stderr
