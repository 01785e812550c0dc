"""Items → ready-to-paste social posts, one per platform and language (DESIGN §8).

Each platform's limit and counting rule is one row of ``RULES``. A post is
built from fixed pieces (link, hashtags) and shortenable pieces (title,
summary, an excerpt for alerts on long-form platforms); the shortenable ones
are cut at a word boundary (a grapheme boundary where there is no space) with
an ellipsis, never inside a grapheme cluster, a URL or a hashtag. Counting uses
each platform's own rule: twitter-text's weighted length for X, extended
grapheme clusters (the ``regex`` module's ``\\X``) for Bluesky.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import sys
import types
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache, partial
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlencode, urljoin

import regex
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from ..assembly.site import absolute_url, tag_label
from ..core.cache import code_digest, library_versions
from ..core.codec import decode, encode
from ..core.errors import Problem, SourceLocation
from ..core.files import holds_exactly
from ..core.jsontext import indented
from ..core.model import CORRECTION_DAYS, Change, Language, OutputFile, Page, Site, SiteConfig
from ..core.parallel import fork_map
from ..core.zones import zone_source
from ..sources.i18n import Catalog, format_date, format_time
from .wechat import WeChatArticle, wechat_article

Counting = Literal["twitter-weighted", "graphemes", "graphemes-url-23", "characters", "utf-16", "weibo"]


@dataclass(frozen=True)
class PlatformRules:
    """How one platform counts and limits a post."""

    name: str
    label: str
    limit: int
    counting: Counting
    url_length: int = 0  # for graphemes-url-23: what any URL counts as
    max_hashtags: int | None = None
    max_links: int | None = None
    long_form: bool = False  # room for an excerpt of an alert's text
    link_as_text: bool = False  # links are not clickable (Instagram): a "link in bio" line instead
    caption_limit: int | None = None  # limit when the post is a photo caption (Telegram)
    escape: str = ""  # characters to backslash-escape in `api_text` (LinkedIn's little text format)
    max_bytes: int | None = None  # a second limit, in UTF-8 bytes (Bluesky's record: 300 graphemes and 3,000 bytes)


#: One row per platform: a platform that changes its rules is a one-line change here.
RULES: Mapping[str, PlatformRules] = types.MappingProxyType({rule.name: rule for rule in (
    PlatformRules("x", "X", 280, "twitter-weighted"),
    PlatformRules("bluesky", "Bluesky", 300, "graphemes", max_bytes=3000),
    PlatformRules("mastodon", "Mastodon", 500, "graphemes-url-23", url_length=23),
    PlatformRules("threads", "Threads", 500, "characters", max_hashtags=1, max_links=5),
    PlatformRules("facebook", "Facebook", 63206, "characters", long_form=True),
    PlatformRules("linkedin", "LinkedIn", 3000, "characters", long_form=True, escape="\\|{}@[]()<>#*_~"),
    PlatformRules("instagram", "Instagram", 2200, "characters", max_hashtags=5, link_as_text=True),
    PlatformRules("telegram", "Telegram", 4096, "utf-16", long_form=True, caption_limit=1024),
    # Weibo: 140 is what the timeline shows before folding a longer post behind 全文 ("full text"); counted
    # by `weibo_length`; topics are written #话题#, with a hash on both sides
    PlatformRules("weibo", "Weibo", 140, "weibo", url_length=20),
)})

ELLIPSIS = "…"
LRI, PDI = "\u2066", "\u2069"
_URL = regex.compile(r"https?://[^\s\u2066-\u2069]+")
_HASHTAG = regex.compile(r"#[\p{L}\p{M}\p{N}_]+")
_HASHTAG_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_TRAILING = ",;:·—–-/\\ \t\n"
EXCERPT_CHARS = 600


_GRAPHEME = regex.compile(r"\X")


#: Characters that can join a neighbour into one extended grapheme cluster (UAX #29): marks and
#: other extenders, ZWJ, prepended and spacing marks, Hangul jamo and syllables, regional
#: indicators, CR (CR LF is one cluster) and the Indic conjunct linkers (GB9c joins the consonants
#: around one: each Unicode release adds scripts, Unicode 17 Zanabazar Square's U+11A3A). Text
#: without any is one grapheme per code point.
_JOINING_CLASS = (
    r"\r\p{M}\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=Prepend}\p{Grapheme_Cluster_Break=SpacingMark}"
    r"\p{Grapheme_Cluster_Break=L}\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}"
    r"\p{Grapheme_Cluster_Break=LV}\p{Grapheme_Cluster_Break=LVT}\p{Grapheme_Cluster_Break=Regional_Indicator}"
)
try:
    _JOINING = regex.compile(f"[{_JOINING_CLASS}\\p{{Indic_Conjunct_Break=Linker}}]")
except regex.error:  # a regex without the property (Unicode before 15.1) has no GB9c in its \X either
    _JOINING = regex.compile(f"[{_JOINING_CLASS}]")


def grapheme_count(text: str) -> int:
    """Extended grapheme clusters (what Bluesky counts); ``len`` when no character can join another."""
    if _JOINING.search(text) is None:
        return len(text)
    return len(_GRAPHEME.findall(text))


#: A character an emoji can start with (twitter-text's emoji pattern never matches below U+2070 except these).
_EMOJI_POSSIBLE = regex.compile("[\u00a9\u00ae\u203c\u2049\u2070-\U0010ffff]")


@dataclass(frozen=True)
class _Twitter:
    """twitter-text's counting functions and weight table, imported on first use (the import compiles a 90 kB
    emoji pattern, about half a second, which a build that makes no new X post should not pay)."""

    parse_tweet: Callable[[str], Any]
    extract_urls: Callable[..., list[dict[str, Any]]]  # (text, extract_urls_without_protocol=True)
    table: dict[str, Any]
    light: regex.Pattern[str]  # characters in the weight ranges (all of them weigh the same in config v3)
    light_weight: int


@contextmanager
def _resource_reader_for_twitter_text() -> Iterator[None]:
    """twitter-text-parser 3.0 reads its emoji table with ``pkg_resources.resource_string``. setuptools no longer
    ships pkg_resources (and a Python 3.12+ environment has no setuptools at all), and where it still does, the
    import warns that it is deprecated. While twitter-text is imported, that one function is answered from
    importlib.resources instead; nothing else of pkg_resources is used, and the stand-in is removed after."""
    if "pkg_resources" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = _resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]


def _resource_string(module: str, name: str) -> bytes:
    """``pkg_resources.resource_string``: a file beside the module (or in the package) named ``module``."""
    package = module if hasattr(sys.modules.get(module), "__path__") else module.rpartition(".")[0]
    return importlib.resources.files(package).joinpath(name).read_bytes()


@cache
def _twitter() -> _Twitter:
    with _resource_reader_for_twitter_text():
        from twitter_text import extract_urls_with_indices, parse_tweet
        from twitter_text.config import config

    table = config["defaults"]
    if len({r["weight"] for r in table["ranges"]}) != 1:
        raise RuntimeError("twitter-text ranges with different weights: update legation's twitter_length")
    light = regex.compile("[" + "".join(f"\\U{r['start']:08x}-\\U{r['end']:08x}" for r in table["ranges"]) + "]")
    return _Twitter(parse_tweet, extract_urls_with_indices, table, light, table["ranges"][0]["weight"])


_NEWLINES = regex.compile(r"\r\n|\r|\n")
_SPACES = regex.compile(r"\s+")


def twitter_length(text: str) -> int:
    """twitter-text's weighted length (``parse_tweet(text).weightedLength``).

    ``parse_tweet`` scans every text with a 90 kB emoji pattern (about 1 ms per
    post). Text without any character an emoji can start with is counted here
    with the library's own URL extraction and weight table, the way
    ``parse_tweet`` counts it; everything else goes to ``parse_tweet``.
    tests/test_snippets.py checks the two agree on random multilingual text.
    """
    twitter = _twitter()
    # twitter-text-parser (Python) turns CR LF into LF before counting; X's own twitter-text (JavaScript, the
    # composer's) counts both, each weighing 1: the CR LF pairs are added back
    pairs = text.count("\r\n")
    normalized = _NEWLINES.sub("\n", unicodedata.normalize("NFC", text))
    if _EMOJI_POSSIBLE.search(normalized):
        return int(twitter.parse_tweet(text).weightedLength) + pairs
    table = twitter.table
    scale, urls = table["scale"], twitter.extract_urls(normalized)
    plain = "".join(normalized[a:b] for a, b in _gaps([entity["indices"] for entity in urls], len(normalized)))
    light = len(twitter.light.findall(plain))
    total = (light * twitter.light_weight + (len(plain) - light) * table["default_weight"]
             + len(urls) * table["transformed_url_length"] * scale)
    return int(total / scale) + pairs


def _gaps(spans: list[list[int]], length: int) -> list[tuple[int, int]]:
    out, position = [], 0
    for start, end in sorted(spans):
        out.append((position, start))
        position = end
    out.append((position, length))
    return out


#: Mastodon's MENTION_RE (app/models/account.rb): @user@domain counts as @user
_MENTION = regex.compile(r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[\w.-]+\w+)?", regex.IGNORECASE)


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Mastodon's count (StatusLengthValidator): graphemes, where each URL that Mastodon itself recognises (its
    twitter-text extraction, protocol required) counts ``url_length`` and a remote mention counts as @user.
    Punctuation after a URL is not part of it; an address it does not recognise (an IP, localhost, an unknown
    top-level domain) counts in full."""
    if "://" in text:
        urls = _twitter().extract_urls(text, False)
        if urls:
            text = "".join(text[a:b] if i % 2 == 0 else "x" * url_length
                           for i, (a, b) in enumerate(_pieces([entity["indices"] for entity in urls], len(text))))
    if "@" in text:
        text = _MENTION.sub(lambda match: "@" + match.group(1), text)
    return grapheme_count(text)


def _pieces(spans: list[list[int]], length: int) -> list[tuple[int, int]]:
    """The text between, and the spans themselves, alternately: gap, span, gap, …, gap."""
    out: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(spans):
        out.extend(((position, start), (start, end)))
        position = end
    out.append((position, length))
    return out


#: What X refuses in a post (twitter-text's invalid_chars): a BOM and two non-characters
X_REFUSED = regex.compile("[\ufeff\ufffe\uffff]")


def count(rule: PlatformRules, text: str) -> int:
    """Length of ``text`` by the platform's own rule."""
    if rule.counting == "twitter-weighted":
        return twitter_length(text)
    if rule.counting == "graphemes":
        return grapheme_count(text)
    if rule.counting == "graphemes-url-23":
        return mastodon_length(text, rule.url_length)
    if rule.counting == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    if rule.counting == "weibo":
        return weibo_length(text, rule.url_length)
    return len(text)


def weibo_length(text: str, url_units: int = 20) -> int:
    """Length as Weibo's composer counts it: in half characters, an ASCII character is one and any other UTF-16
    code unit two (a Chinese character counts 1, a Latin letter ½, an emoji outside the BMP 2); a link counts
    as the t.cn short link Weibo replaces it with, ``url_units`` halves (10 characters), or for a link of over
    140 bytes its bytes beyond 140 on top; the total is rounded up. (Sina's web composer; WeCase's
    bug-for-bug port, src/TweetUtils.py, documents the same rule.)"""
    halves = 0
    last = 0
    for match in _URL.finditer(text):
        halves += _weibo_halves(text[last:match.start()])
        size = _weibo_halves(match.group())
        halves += url_units if size <= 140 else size - 140 + url_units
        last = match.end()
    halves += _weibo_halves(text[last:])
    return -(-halves // 2)


def _weibo_halves(text: str) -> int:
    return sum(1 if ord(char) <= 0x80 else 4 if ord(char) > 0xFFFF else 2 for char in text)


@dataclass(frozen=True)
class Lengths:
    """X lengths a previous build counted (digest of the text → length), and those this item's posts used.

    twitter-text's count is the costly one (and importing it takes half a second), so it is kept across
    builds: a body edit that leaves an item's X post unchanged counts nothing again. The memo lives in
    the snippet cache and is dropped when this module or any library version changes (``_counting``).
    """

    known: Mapping[str, int] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)

    def count(self, rule: PlatformRules, text: str) -> int:
        if rule.counting not in ("twitter-weighted", "graphemes-url-23") or (
                rule.counting == "graphemes-url-23" and "://" not in text):
            return count(rule, text)
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        if rule.counting != "twitter-weighted":
            key = f"{rule.counting}:{rule.url_length}:{key}"
        found = self.used.get(key)
        if found is None:
            found = self.known.get(key)
            self.used[key] = found = count(rule, text) if found is None else found
        return found


#: Each English note of a post → its UI string (the escaped-length note is matched by its beginning).
NOTE_KEYS = types.MappingProxyType({
    "the summary was shortened": "snippet.note.summary_shortened",
    "the title had to be shortened": "snippet.note.title_shortened",
    "with reserved characters escaped": "snippet.note.escaped",
    "X refuses a post with U+FEFF, U+FFFE or U+FFFF": "snippet.note.refused_characters",
})


@dataclass(frozen=True)
class Post:
    """One ready-to-paste post."""

    platform: str
    text: str
    length: int
    limit: int
    counting: str
    url: str
    hashtags: tuple[str, ...]
    fits: bool
    api_text: str = ""  # LinkedIn: `text` with reserved characters escaped, for its API
    photo: str = ""  # Telegram: the image the caption goes with
    notes: tuple[str, ...] = ()  # in English, for the JSON and `legation check`
    note_keys: tuple[str, ...] = ()  # the same notes as UI strings, for the board in the post's language

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "text": self.text, "length": self.length, "limit": self.limit, "remaining": self.limit - self.length,
            "counting": self.counting, "url": self.url, "hashtags": list(self.hashtags), "fits": self.fits,
        }
        if self.api_text:
            data["api_text"] = self.api_text
        if self.photo:
            data["photo"] = self.photo
        if self.notes:
            data["notes"] = list(self.notes)
        return data


@dataclass(frozen=True)
class ItemSnippets:
    """Every post for one item in one language."""

    page: Page
    url: str
    direction: str
    posts: tuple[Post, ...]
    problems: tuple[Problem, ...] = field(default=())
    corrections: tuple[Post, ...] = field(default=())  # a recent correction's posts, one per platform
    wechat: WeChatArticle | None = None  # the WeChat official-account article, when site.yml asks for one

    @property
    def path(self) -> str:
        """Output path inside the snippets folder."""
        return f"{self.page.lang}/{self.page.section}/{self.page.slug}.json"

    def as_json(self) -> dict[str, object]:
        return {
            "item": f"{self.page.section}/{self.page.slug}", "lang": self.page.lang, "direction": self.direction,
            "title": self.page.title, "url": self.url, "source": self.page.source,
            "posts": {post.platform: post.as_json() for post in self.posts},
            **({"corrections": {post.platform: post.as_json() for post in self.corrections}} if self.corrections
               else {}),
            **({"wechat": self.wechat.as_json()} if self.wechat is not None else {}),
        }


# ------------------------------------------------------------------ pieces
def hashtag(label: str) -> str:
    """'Consular services' → '#ConsularServices'; 'شؤون قنصلية' → '#شؤون_قنصلية'; '' when nothing is left."""
    words = _HASHTAG_WORD.findall(unicodedata.normalize("NFC", label))
    if not words:
        return ""
    cased = any(ch.upper() != ch.lower() for word in words for ch in word)
    body = "".join(w[:1].upper() + w[1:] for w in words) if cased and len(words) > 1 else "_".join(words)
    if body.isdigit():
        return ""  # a number alone is not a hashtag on any platform
    return "#" + body


def hashtags_for(config: SiteConfig, page: Page) -> tuple[str, ...]:
    """Item tags in the page's language, then site-wide hashtags; invalid characters removed; no duplicates."""
    seen: set[str] = set()
    out: list[str] = []
    for label in [tag_label(config, tag, page.lang) for tag in page.tags] + list(config.snippets.hashtags):
        tag = hashtag(label.lstrip("#"))
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return tuple(out)


def tracked_url(config: SiteConfig, page: Page, platform: str) -> str:
    query = _tracking(config.snippets.utm_medium, config.snippets.utm_campaign, page.section, platform)
    return f"{absolute_url(config, page.url)}?{query}"


@cache
def _tracking(medium: str, campaign: str, section: str, platform: str) -> str:
    """The query of a tracked link (a handful per build: made once each)."""
    return urlencode({"utm_source": platform, "utm_medium": medium or "social", "utm_campaign": campaign or section})


def _is_latin(tag: str) -> bool:
    letters = [ch for ch in tag if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


def isolate(text: str, rtl: bool) -> str:
    """A link or hashtags inside right-to-left text: in a left-to-right isolate whose first and last
    characters are spaces.

    Bluesky detects a link or tag only right after whitespace (or a line start) and takes every
    character up to the next whitespace into it (@atproto/api's URL_REGEX and TAG_REGEX), so neither
    U+2066 nor U+2069 may touch what a platform has to detect. The spaces inside the isolate show at
    its outer edges, where the text around it would have had its own.
    """
    return f"{LRI} {text} {PDI}" if rtl else text


#: What a platform turns into a link or a hashtag: a URL or an address (without the sentence's punctuation
#: after it), a hashtag. Inside right-to-left text each goes in a space-edged isolate (``isolate``).
_DETECTED = regex.compile(
    r"https?://\S+|(?<![\w@./-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:/\S*)?(?![\w@])"
    r"|(?<!\S)[#＃][\p{L}\p{M}\p{N}_]+")
_SENTENCE_END = ".,;:!?\"'»«”“’‘،؛؟…"
#: Left-to-right runs that right-to-left text would show in the wrong order: a phone number or a number
#: with its sign (+994 12 555 0100 would read 0100 555 12 994+), a run of Latin words with the numbers
#: that go with them (as the bidi algorithm's rule W7 would keep them).
_LTR_RUN = regex.compile(
    r"(?<![\p{L}\p{N}])[+\-−±]\d+(?:[.,]\d+)*(?:[ \u00a0.\-/]\(?\d+\)?)*%?"
    r"|\p{Latin}[\p{Latin}\p{M}\p{N}'’_+\-]*(?:[ \u00a0.,&/:]+[\p{Latin}\p{N}][\p{Latin}\p{M}\p{N}'’_+\-]*)*")
_ISOLATE = regex.compile(f"{LRI}[^{LRI}{PDI}]*{PDI}")


def isolate_runs(text: str) -> str:
    """Right-to-left text with its left-to-right runs isolated: links and Latin hashtags in space-edged isolates
    (taking the spaces around them inside), phone numbers, signed numbers and Latin runs in plain ones."""
    out: list[str] = []
    position = 0
    for match in _DETECTED.finditer(text):
        start, end = match.span()
        token = match.group()
        if token[0] not in "#＃":
            while token and (token[-1] in _SENTENCE_END or (token[-1] == ")" and "(" not in token)):
                token, end = token[:-1], end - 1
        if not token:
            continue
        before = text[position:start]
        if token[0] in "#＃" and not _is_latin(token):  # a hashtag in the text's own script: kept as it is
            out.extend((_plain_isolates(before), token))
            position = end
            continue
        out.extend((_plain_isolates(before.removesuffix(" ")), isolate(token, True)))
        position = end + 1 if text[end:end + 1] == " " else end
    out.append(_plain_isolates(text[position:]))
    return "".join(out)


def _plain_isolates(text: str) -> str:
    return _LTR_RUN.sub(lambda m: f"{LRI}{m.group()}{PDI}", text)


_BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "blockquote"})
CELL_SEPARATOR = " — "


class _Text(HTMLParser):
    """Plain text of the first paragraphs of an item's HTML; a table is one block, a line per row with its
    cells joined by an em dash (a post has no columns: cells run together on one line read as one sentence)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.rows: list[str] | None = None  # inside a table: its rows so far
        self.cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._flush()
            self.rows, self.cells = [], []
        elif self.rows is not None:
            if tag in ("td", "th", "tr"):
                self._cell()
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.rows is None:
            if tag in _BLOCKS:
                self._flush()
        elif tag in ("td", "th"):
            self._cell()
        elif tag in ("tr", "table"):
            self._cell()
            if self.cells:
                self.rows.append(CELL_SEPARATOR.join(self.cells))
            self.cells = []
            if tag == "table":
                if self.rows:
                    self.blocks.append("\n".join(self.rows))
                self.rows = None

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def _text(self) -> str:
        text = " ".join("".join(self.current).split())
        self.current = []
        return text

    def _cell(self) -> None:
        text = self._text()
        if text:
            self.cells.append(text)

    def _flush(self) -> None:
        text = self._text()
        if text:
            self.blocks.append(text)


def excerpt(body_html: str, limit: int = EXCERPT_CHARS) -> str:
    parser = _Text()
    parser.feed(body_html)
    parser.close()
    if parser.rows is not None:  # a table left open at the end of the body
        parser.handle_endtag("table")
    parser._flush()
    text = ""
    for block in parser.blocks:
        if len(text) + len(block) > limit:
            break
        text = f"{text}\n\n{block}" if text else block
    return text or (parser.blocks[0] if parser.blocks else "")


# ------------------------------------------------------------------ shortening
def _protected(text: str) -> list[tuple[int, int]]:
    """Spans a cut must not fall inside: URLs, hashtags and bidi isolates (a cut one would run to the paragraph's end)."""
    return [m.span() for m in (*_URL.finditer(text), *_HASHTAG.finditer(text), *_ISOLATE.finditer(text))]


def cut_points(text: str) -> list[int]:
    """Where ``text`` may be cut: before whitespace (word boundaries), else at grapheme boundaries; never in a URL or hashtag."""
    spans = _protected(text)
    words = [m.start() for m in _SPACES.finditer(text)
             if m.start() > 0 and not any(start < m.start() < end for start, end in spans)]
    return words or _grapheme_points(text)


def shortened(text: str, at: int) -> str:
    return text[:at].rstrip(_TRAILING) + ELLIPSIS


def fit(piece: str, fits: Callable[[str], bool]) -> str | None:
    """The longest of ``piece`` or its shortened forms that ``fits``; None when not even the shortest does."""
    if fits(piece):
        return piece
    for find_points in (cut_points, _grapheme_points):  # grapheme points only when no word boundary works
        points = find_points(piece)
        candidates = [shortened(piece, at) for at in points if piece[:at].strip(_TRAILING)]
        lo, hi, best = 0, len(candidates) - 1, None
        while lo <= hi:  # every counting rule grows with the text, so binary search works
            mid = (lo + hi) // 2
            if fits(candidates[mid]):
                best, lo = candidates[mid], mid + 1
            else:
                hi = mid - 1
        if best is not None:
            return best
    return None


def _grapheme_points(text: str) -> list[int]:
    inside = {i for start, end in _protected(text) for i in range(start + 1, end)}
    return [m.end() for m in _GRAPHEME.finditer(text) if m.end() < len(text) and m.end() not in inside]


# ------------------------------------------------------------------ posts
@dataclass(frozen=True)
class _Draft:
    title: str
    when: str
    summary: str
    extra: str
    link_block: str
    tags: tuple[str, ...]  # in the order they are dropped from the end when the post is too long
    rtl: bool = False

    def parts(self) -> list[str]:
        """The paragraphs of the post; no counting rule joins anything across the blank lines between them."""
        head = f"{self.title}\n{self.when}" if self.when else self.title
        return [part for part in (head, self.summary, self.extra, self.link_block, tag_line(self.tags, self.rtl)) if part]

    def text(self) -> str:
        return "\n\n".join(self.parts())

    def without_last_tag(self) -> _Draft:
        return replace(self, tags=self.tags[:-1])


def tag_line(tags: tuple[str, ...], rtl: bool) -> str:
    """The hashtags as written in the post. In right-to-left text the Latin ones come last, together in one
    space-edged isolate: one per tag would put two spaces between neighbours, as each needs whitespace on
    both sides, and the isolate's own spaces sit at its outer edges."""
    if not rtl:
        return " ".join(tags)
    latin = [tag for tag in tags if _is_latin(tag)]
    native = [tag for tag in tags if not _is_latin(tag)]
    return " ".join([*native, isolate(" ".join(latin), True)] if latin else native)


def _shorten(draft: _Draft, fits: Callable[[_Draft], bool]) -> tuple[_Draft, list[str]]:
    """Cut the excerpt, then the summary, then drop hashtags from the end, then cut the title, until it fits."""
    notes: list[str] = []
    if not fits(draft):
        shorter = fit(draft.extra, lambda s: fits(replace(draft, extra=s))) if draft.extra else None
        draft = replace(draft, extra=shorter or "")
    if not fits(draft):
        summary = draft.summary
        shorter = fit(summary, lambda s: fits(replace(draft, summary=s))) if summary else None
        draft = replace(draft, summary=shorter or "")
        if summary:
            notes.append("the summary was shortened")
    while not fits(draft) and draft.tags:
        draft = draft.without_last_tag()
    if not fits(draft):
        shorter = fit(draft.title, lambda s: fits(replace(draft, title=s)))
        if shorter is not None:
            draft = replace(draft, title=shorter)
            notes.append("the title had to be shortened")
    return draft, notes


def event_when(site: Site, catalog: Catalog, page: Page) -> str:
    """'12 December 2026, 18:30' in the page's language and the site's zone (CLDR), with the status when not scheduled."""
    info = page.event
    if info is None:
        return ""
    tz = site.config.timezone
    when = format_date(info.start, page.lang, tz)
    if not info.all_day:
        when += catalog.get(page.lang, "list_separator") + format_time(info.start, page.lang, tz)
    if info.status != "scheduled":
        when = f"{catalog.get(page.lang, f'status.{info.status}')}: {when}"
    return when


@dataclass(frozen=True)
class _Shared:
    """What every platform's post of one item starts from (computed once per item)."""

    when: str
    hashtags: tuple[str, ...]
    excerpt: str
    title: str  # the page's title, summary and excerpt with their left-to-right runs isolated in right-to-left text
    summary: str
    rtl: bool


def _shared(site: Site, catalog: Catalog, page: Page) -> _Shared:
    urgent = page.alert or page.kind == "consular"
    rtl = site.config.language(page.lang).direction == "rtl"
    text = excerpt(page.body_html) if urgent else ""
    summary = page.summary if page.summary != page.title else ""
    if rtl:
        text, summary = isolate_runs(text), isolate_runs(summary)
    return _Shared(event_when(site, catalog, page), hashtags_for(site.config, page), text,
                   isolate_runs(page.title) if rtl else page.title, summary, rtl)


def make_post(rule: PlatformRules, site: Site, catalog: Catalog, page: Page, shared: _Shared | None = None,
              lengths: Lengths | None = None) -> Post:
    config = site.config
    measured = lengths or Lengths()
    if shared is None:
        shared = _shared(site, catalog, page)
    rtl = shared.rtl
    url = tracked_url(config, page, rule.name)
    limit = rule.caption_limit if rule.caption_limit and page.image is not None else rule.limit
    urgent = page.alert or page.kind == "consular"
    prefix = ""
    if page.alert:
        prefix = f"{catalog.get(page.lang, f'alert.{page.alert}')}: "
    elif page.kind == "consular":
        prefix = f"{catalog.get(page.lang, 'kind.consular')}: "
    elif page.rumour is not None:  # "FALSE: …": the verdict first, as fact-checkers post it
        prefix = f"{catalog.get(page.lang, f'verdict.{page.rumour.verdict}')}: "
    title = prefix + shared.title
    link = isolate(url, rtl)
    link_block = f"{catalog.get(page.lang, 'snippet.link_in_bio')}\n{link}" if rule.link_as_text else link
    reference = site.references.get(page.key)
    if reference:  # the statement's public reference, as the page and the register show it
        link_block = f"{catalog.get(page.lang, 'statement.reference')}: {isolate(reference, rtl)}\n{link_block}"
    tags = shared.hashtags
    if rule.counting == "weibo":  # a Weibo topic: #话题#
        tags = tuple(f"{tag}#" for tag in tags)
    if rule.max_hashtags is not None:
        tags = tags[:rule.max_hashtags]
    extra = shared.excerpt if urgent and rule.long_form else ""
    summary = shared.summary

    counted: dict[str, int] = {}

    def measure(draft: _Draft) -> int:
        """The post's length from its paragraphs' lengths (each counted once), plus the blank lines."""
        parts = draft.parts()
        for part in parts:
            if part not in counted:
                counted[part] = measured.count(rule, part)
        return sum(counted[part] for part in parts) + 2 * (len(parts) - 1)

    def small_enough(draft: _Draft) -> bool:
        return rule.max_bytes is None or len(draft.text().encode("utf-8")) <= rule.max_bytes

    first = _Draft(title, shared.when, summary, extra, link_block, tags, rtl)
    draft, notes = _shorten(first, lambda d: measure(d) <= limit and small_enough(d))
    text = draft.text()
    length = measured.count(rule, text)  # the exact count of the whole post is what is reported
    if length > limit:  # only if a rule ever counted across paragraphs: fit again by whole-text counts
        draft, notes = _shorten(first, lambda d: measured.count(rule, d.text()) <= limit and small_enough(d))
        text = draft.text()
        length = measured.count(rule, text)
    api_text = text.translate({ord(ch): "\\" + ch for ch in rule.escape}) if rule.escape else ""
    if api_text and len(api_text) > limit:
        notes.append(f"with reserved characters escaped the post is {len(api_text)} characters")
    photo = ""
    if rule.caption_limit and page.image is not None:
        photo = urljoin(absolute_url(config, page.url), page.image.src)
    if rule.counting == "twitter-weighted" and X_REFUSED.search(text):
        notes.append("X refuses a post with U+FEFF, U+FFFE or U+FFFF")
    ok = (length <= limit and small_enough(draft) and "the title had to be shortened" not in notes
          and "X refuses a post with U+FEFF, U+FFFE or U+FFFF" not in notes)
    return Post(rule.name, text, length, limit, rule.counting, url, draft.tags, ok, api_text, photo, tuple(notes),
                tuple(NOTE_KEYS[note.split(" the post is ")[0]] for note in notes))


def item_snippets(site: Site, catalog: Catalog, page: Page, lengths: Lengths | None = None) -> ItemSnippets:
    config = site.config
    platforms = tuple(name for name in config.snippets.platforms if name in RULES)  # posts; WeChat takes an article
    shared = _shared(site, catalog, page)
    posts = tuple(make_post(effective_rule(config, name), site, catalog, page, shared, lengths) for name in platforms)
    direction = config.language(page.lang).direction
    corrections: tuple[Post, ...] = ()
    change = correction_due(page, site.now)
    if change is not None:
        # the title says it is a correction, the summary is the note; no alert or kind prefix before it
        corrected = replace(page, title=f"{catalog.get(page.lang, 'history.correction')}: {page.title}",
                            summary=change.note, alert="", kind="news")
        corrections = tuple(make_post(effective_rule(config, name), site, catalog, corrected, None, lengths)
                            for name in platforms)
    article = (wechat_article(site, catalog, page, site.references.get(page.key, ""))
               if "wechat" in config.snippets.platforms else None)
    problems = _problems(page, posts)
    if article is not None and not article.fits:
        problems += (Problem("warning", SourceLocation(page.source), f"the WeChat article is too long: {article.notes[-1]}",
                             "WeChat refuses an article over 20,000 characters or 1 MB", "snippet"),)
    return ItemSnippets(page, absolute_url(config, page.url), direction, posts, problems, corrections, article)


def correction_due(page: Page, now: datetime) -> Change | None:
    """The item's latest change when it is a correction (not minor) made in the last CORRECTION_DAYS."""
    if not page.changes:
        return None
    change = page.changes[-1]
    return change if not change.minor and change.at <= now < change.at + timedelta(days=CORRECTION_DAYS) else None


def effective_rule(config: SiteConfig, name: str) -> PlatformRules:
    """RULES[name] with site.yml's per-platform limit and URL length applied."""
    rule = RULES[name]
    limit = config.snippets.limits.get(name)
    url_length = config.snippets.url_lengths.get(name)
    if limit:
        rule = replace(rule, limit=limit)
    if url_length:
        rule = replace(rule, url_length=url_length)
    return rule


def _problems(page: Page, posts: tuple[Post, ...]) -> tuple[Problem, ...]:
    refused = tuple(
        Problem("warning", SourceLocation(page.source),
                "the X post holds an invisible character X refuses (U+FEFF, U+FFFE or U+FFFF), so X would not post it",
                "retype the title, summary or tags around where the text was pasted from", "snippet")
        for post in posts if "X refuses a post with U+FEFF, U+FFFE or U+FFFF" in post.notes
    )
    return refused + tuple(
        Problem("warning", SourceLocation(page.source),
                f"the {RULES[post.platform].label} post does not fit in {_limits(post)} even after shortening: "
                f"{'; '.join(post.notes) or f'{post.length} long'}",
                "shorten the title, or leave that platform out of snippets.platforms", "snippet")
        for post in posts if not post.fits and "X refuses a post with U+FEFF, U+FFFE or U+FFFF" not in post.notes
    )


def _limits(post: Post) -> str:
    """'300 (graphemes)', and the byte limit too when the post is over that one (Bluesky's 3,000 UTF-8 bytes)."""
    limit = f"{post.limit} ({post.counting})"
    max_bytes, size = RULES[post.platform].max_bytes, len(post.text.encode("utf-8"))
    return f"{limit} and {max_bytes} bytes (it has {size})" if max_bytes is not None and size > max_bytes else limit


def snippet_pages(site: Site) -> list[Page]:
    """The items that get posts: every published item (not static pages), when any platform is set."""
    if not site.config.snippets.platforms:
        return []
    return [page for page in site.pages if page.section != "pages" and site.page_status(page) == "published"]


def snippet_paths(site: Site, prefix: str) -> frozenset[str]:
    """The paths of every file build_snippet_files makes for ``site``: each item's JSON, each language's board,
    the board's chooser, script and style sheet (none without an item that gets posts)."""
    pages = snippet_pages(site)
    if not pages:
        return frozenset()
    return frozenset({*(f"{prefix}{page.lang}/{page.section}/{page.slug}.json" for page in pages),
                      *(f"{prefix}{language.code}/index.html" for language in site.config.languages),
                      *(prefix + name for name in ("index.html", "board.js", "board.css"))})


def snippet_settings(site: Site, catalog: Catalog, code: str = "") -> dict[str, str]:
    """Per language, everything besides the page that its posts are made from: this module's code, config,
    counting tables and the UI strings of that language (a new ``i18n/az.yml`` remakes the Azerbaijani posts only).
    ``code``: the package's digest when the caller has it (cache.code_digest, which holds the library versions)."""
    digest = hashlib.sha256((code or code_digest()).encode())  # this module, those it uses, and the libraries
    for name in ("board.html", "item.html", "board.js", "board.css"):
        digest.update((BOARD_DIR / name).read_bytes())
    digest.update(repr((site.config, sorted(RULES.items()))).encode())
    digest.update(zone_source(site.config.timezone)[1])  # event posts show times in the zone: its rules count
    common = digest.hexdigest()
    return {lang: hashlib.sha256(repr((common, sorted(catalog.effective(lang).items()))).encode()).hexdigest()
            for lang in site.config.language_codes}


def snippet_key(settings: str, page: Page, now: datetime | None = None, reference: str = "",
                with_body: bool = False) -> str:
    """What one item's posts are made from. A post shows the body only as an urgent item's excerpt (an alert or
    consular notice), and a WeChat article (``with_body``) holds it all: any other item is keyed by what lists
    show of it (``Page.meta``), so editing its body remakes none of its posts."""
    urgent = page.alert or page.kind == "consular" or with_body
    made_from = f"meta:{page.meta}" if page.meta and not urgent else f"page:{page.fingerprint}"
    if reference:
        made_from += f"|{reference}"
    if now is not None and correction_due(page, now) is not None:
        made_from += "|correction"  # the board offers the correction's posts for a week
    return hashlib.sha256((settings + made_from).encode()).hexdigest()[:32]


T = TypeVar("T")


@dataclass(frozen=True)
class SnippetBuild(Generic[T]):
    """What the sink made of each snippet file, the warnings about posts that do not fit, and the next cache."""

    outputs: tuple[T, ...]
    problems: tuple[Problem, ...]
    state: dict[str, object]
    unchanged: bool = False  # every file would be what the previous build wrote: none was handed to the sink


class SnippetCacheError(ValueError):
    """The previous build's snippet state cannot be used (raised before any file reaches the sink)."""


@dataclass(frozen=True)
class CachedItem:
    """What the next build needs of one item's snippets instead of its posts (snippet cache record)."""

    json_digest: str  # SHA-256 of the item's JSON file
    start: int  # its section's bytes in its language's board
    end: int
    fragment: str  # SHA-256 of those bytes: a record whose offsets do not fit the board is never trusted
    problems: tuple[Problem, ...]  # the warnings about its posts that do not fit


@dataclass(frozen=True)
class _Made(Generic[T]):
    """One item's snippets as a worker made them: its JSON already handed to the sink."""

    output: T
    json_digest: str
    fragment: bytes
    problems: tuple[Problem, ...]
    lengths: dict[str, int]


@dataclass(frozen=True)
class _Previous:
    """A previous build's snippet state as read back: where its files are and what each item left."""

    out: str
    prefix: str
    items: dict[str, CachedItem]
    # language → its board's bytes, when the file is still what that build wrote: read from a folder once, or
    # unpacked from a preview's memory each time they are asked for (15 MiB a language at 3,000 items, and the
    # preview's peak memory is the board's making: one language's board is unpacked at a time)
    boards: dict[str, Callable[[], bytes | None]]
    lengths: dict[str, dict[str, int]]  # "lang/section/slug" → the X lengths its posts used


def build_snippet_files(site: Site, catalog: Catalog, jobs: int, previous: object, out_label: str,
                        manifest_of: Callable[[str], Mapping[str, str]], sink: Callable[[OutputFile], T],
                        prefix: str = "", skip_unchanged: bool = False,
                        held: Mapping[str, OutputFile] | None = None, code: str = "") -> SnippetBuild[T]:
    """Every item's JSON, every language's board and the board's assets, each handed to ``sink`` as it is made.

    ``previous`` is the state a previous build returned (as read back from JSON); ``manifest_of(folder)``
    gives a folder's manifest. An item whose page and settings are unchanged is not made again: its JSON
    is taken from the folder the previous build wrote (when that folder's manifest still lists it) and
    its section of the board is cut from the previous board (each section checked against its recorded
    digest), or from ``held``, the previous files a resident preview keeps in memory. Anything of the wrong
    shape raises SnippetCacheError before any file reaches ``sink``, and
    the caller starts again with none. Items are made in ``jobs`` forked workers, which hand their JSON to
    ``sink`` themselves and send back only their board section, so no process holds every post.

    With ``skip_unchanged``, when every file would be byte for byte what the previous build left in this
    build's own folder, nothing reaches ``sink``: the result says ``unchanged`` and holds the previous state,
    and the caller keeps the folder as it is (a body edit then costs no staging of every item's file).
    """
    pages = snippet_pages(site)
    if not pages:  # still a state of the right shape, or the next build would warn that the cache was unreadable
        return SnippetBuild((), (), _state(out_label, prefix, {}, {}))
    old = _previous_state(previous, held)
    keys = _post_keys(site, catalog, pages, code)
    old_files = manifest_of(old.out) if old.out and any(key in old.items for key in keys) else {}

    # Decided (and every reused section checked) before the first file reaches the sink, one language's board at
    # a time; a reused section is cut from its board again when that board is made (a view, not a copy)
    reused: dict[str, OutputFile] = {}
    for page, key, board in _with_boards(pages, keys, old):
        record = old.items.get(key)
        old_path = f"{old.prefix}{page.lang}/{page.section}/{page.slug}.json"
        if record is None or board is None or old_files.get(old_path) != record.json_digest:
            continue
        if not 0 <= record.start < record.end <= len(board) or \
                _digest(memoryview(board)[record.start:record.end]) != record.fragment:
            raise SnippetCacheError("a snippet cache record that does not match its board")
        path = prefix + old_path[len(old.prefix):]
        if held is not None:  # the preview's files in memory: no folder to read
            earlier = held.get(old_path)
            if earlier is not None and earlier.digest == record.json_digest and (old.out, old.prefix) == (out_label, prefix):
                reused[key] = earlier
            continue
        if old.out == out_label and old.prefix == prefix:  # this build's own folder, which it holds the lock of
            if os.path.isfile(f"{old.out}/{old_path}"):  # else deleted by hand since: the item is made again
                reused[key] = OutputFile(path, copy_from=f"{old.out}/{old_path}", digest=record.json_digest)
            continue
        # another build's folder (the preview's, or the reverse), which that one may be replacing right now:
        # its bytes are read and checked here, never copied later
        try:
            data = Path(old.out, old_path).read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == record.json_digest:
            reused[key] = OutputFile(path, data, digest=record.json_digest)

    item_template, board_shell = board_templates()
    if skip_unchanged and isinstance(previous, dict) and len(reused) == len(keys) == len(old.items) \
            and old.out == out_label and old.prefix == prefix:
        kept = _unchanged(site, catalog, pages, keys, old, old_files, board_shell)
        if kept is not None:
            return SnippetBuild((), kept, previous, unchanged=True)

    def work(page: Page) -> _Made[T]:
        lengths = Lengths(old.lengths.get(_identity(page), {}))
        item = item_snippets(site, catalog, page, lengths)
        data = item_json(item)
        json_digest = hashlib.sha256(data).hexdigest()
        output = sink(OutputFile(prefix + item.path, data, digest=json_digest))
        return _Made(output, json_digest, board_item(catalog, item, item_template), item.problems, lengths.used)

    outputs: list[T] = []
    problems: list[Problem] = []
    items: dict[str, object] = {}
    boards: dict[str, str] = {}
    frames: dict[str, str] = {}
    lengths: dict[str, dict[str, int]] = {}
    if "x" in site.config.snippets.platforms and sum(key not in reused for key in keys) > 16:
        _twitter()  # loaded once here, before the workers fork, rather than once in every worker
    for language in site.config.languages:  # one language at a time: only its board's sections are held
        mine = [(page, key) for page, key in zip(pages, keys, strict=True) if page.lang == language.code]
        todo = [page for page, key in mine if key not in reused]
        made = dict(zip((id(page) for page in todo), fork_map(work, todo, jobs if len(todo) > 16 else 1), strict=True))
        head, tail = board_html(site, catalog, language, not mine, board_shell)
        frames[language.code] = _digest(head + tail)
        board = old.boards[language.code]() if any(key in reused for _, key in mine) else b""
        if board is None:  # it was there when the sections were checked, and what a preview holds is never changed
            raise SnippetCacheError("a snippet board that changed while it was read")
        sections: list[bytes | memoryview] = []
        position = len(head)
        fragment: bytes | memoryview
        for page, key in mine:
            done = made.get(id(page))
            if done is not None:
                outputs.append(done.output)
                json_digest, fragment, found = done.json_digest, done.fragment, done.problems
                if done.lengths:
                    lengths[_identity(page)] = done.lengths
            else:
                output, record = reused[key], old.items[key]
                fragment = memoryview(board)[record.start:record.end]
                outputs.append(sink(output))
                json_digest, found = output.digest, record.problems
                if _identity(page) in old.lengths:
                    lengths[_identity(page)] = old.lengths[_identity(page)]
            problems.extend(found)
            sections.append(fragment)
            # a reused section's digest was checked against its record above
            checked = old.items[key].fragment if done is None else _digest(fragment)
            items[key] = CachedItem(json_digest, position, position + len(fragment), checked, found)
            position += len(fragment)
        data = head + b"".join(sections) + tail
        del sections, made, board
        digest = hashlib.sha256(data).hexdigest()
        outputs.append(sink(OutputFile(f"{prefix}{language.code}/index.html", data, digest=digest)))
        boards[language.code] = digest
        del data  # a sink that packs it (a preview's) keeps the packed bytes only
    outputs.extend(sink(output) for output in board_extras(site, prefix))
    return SnippetBuild(tuple(outputs), tuple(problems), _state(out_label, prefix, items, boards, lengths, frames))


def kept_whole(site: Site, catalog: Catalog, previous: object, digests: Mapping[str, str], out_label: str,
               prefix: str, code: str = "") -> tuple[Problem, ...] | None:
    """The warnings of the previous build's posts when a resident build would make exactly the files it made and
    still holds (``digests``: their digests by path), else None. Exactly: the same items in the same order, each
    with the same key (every input of its posts) and its JSON held as made, and each board's frame, board and
    asset the same. Then no item, no board and no section is looked at again (0.2 s at 1000 items per language).
    ``previous`` must be this process's own state (its records held decoded), made for the same folder."""
    if not (isinstance(previous, dict) and previous.get("out") == out_label and previous.get("prefix") == prefix):
        return None
    items, boards, frames = previous.get("items"), previous.get("boards"), previous.get("frames")
    if not (isinstance(items, dict) and isinstance(boards, dict) and isinstance(frames, dict)):
        return None
    pages = snippet_pages(site)
    if not pages or len(pages) != len(items):
        return None
    problems: list[Problem] = []
    # in the order the boards list them, which is the records' order
    ordered = [page for language in site.config.languages for page in pages if page.lang == language.code]
    for page, key, (known, record) in zip(ordered, _post_keys(site, catalog, ordered, code), items.items(),
                                          strict=True):
        if not isinstance(record, CachedItem) or key != known \
                or digests.get(f"{prefix}{page.lang}/{page.section}/{page.slug}.json") != record.json_digest:
            return None
        problems.extend(record.problems)
    _, board_shell = board_templates()
    languages = {page.lang for page in pages}
    for language in site.config.languages:
        head, tail = board_html(site, catalog, language, language.code not in languages, board_shell)
        if frames.get(language.code) != _digest(head + tail) or \
                digests.get(f"{prefix}{language.code}/index.html") != boards.get(language.code):
            return None
    if any(digests.get(output.path) != output.digest for output in board_extras(site, prefix)):
        return None
    return tuple(problems)


def posts_unchanged(site: Site, catalog: Catalog, edited: Mapping[int, Page], before: Site, code: str = "") -> bool:
    """Whether ``site`` (``before`` reassembled with bodies edited: ``edited`` holds the new pages by the id of the
    old ones, at a clock that crossed no page's boundary) has the same posts as ``before``: each edited page's post
    key is its old one's. Every other input of the posts and boards (the same items in the same order, statuses,
    settings, UI strings) is ``before``'s, so a resident build keeps its last posts and boards without looking at
    9,000 items (snippet_key: an item's body is in its posts only when it is urgent)."""
    if not site.config.snippets.platforms:
        return True
    settings = snippet_settings(site, catalog, code)
    with_body = "wechat" in site.config.snippets.platforms
    for old in before.pages:
        new = edited.get(id(old))
        if new is None or new.section == "pages" or site.page_status(new) != "published":
            continue
        reference = site.references.get(new.key, "")
        if snippet_key(settings[new.lang], new, site.now, reference, with_body) != \
                snippet_key(settings[old.lang], old, site.now, reference, with_body):
            return False
    return True


def _post_keys(site: Site, catalog: Catalog, pages: list[Page], code: str) -> list[str]:
    """Each page's snippet_key: what its posts are made from."""
    settings = snippet_settings(site, catalog, code)
    with_body = "wechat" in site.config.snippets.platforms
    return [snippet_key(settings[page.lang], page, site.now, site.references.get(page.key, ""), with_body)
            for page in pages]


def _unchanged(site: Site, catalog: Catalog, pages: list[Page], keys: list[str], old: _Previous,
               old_files: Mapping[str, str], board_shell: Template) -> tuple[Problem, ...] | None:
    """The warnings of the previous build's posts when it made exactly the files this build would (every item
    reused, in the same order, each board and asset the same bytes, no other file), else None."""
    expected = {f"{old.prefix}{page.lang}/{page.section}/{page.slug}.json" for page in pages}
    problems: list[Problem] = []
    for language in site.config.languages:
        read = old.boards.get(language.code)
        mine = [key for page, key in zip(pages, keys, strict=True) if page.lang == language.code]
        board = read() if read is not None else None
        if board is None:
            return None
        head, tail = board_html(site, catalog, language, not mine, board_shell)
        position = len(head)
        for key in mine:  # each section where the previous build put it, one after the other
            record = old.items[key]
            if record.start != position:
                return None
            position = record.end
            problems.extend(record.problems)
        path = f"{old.prefix}{language.code}/index.html"
        if board[:len(head)] != head or board[position:] != tail or old_files.get(path) != hashlib.sha256(
                board).hexdigest():
            return None
        expected.add(path)
    for output in board_extras(site, old.prefix):  # small files: read back, as a hand edit may keep the size
        expected.add(output.path)
        try:
            there = Path(old.out, output.path).read_bytes()
        except OSError:
            return None
        if output.data != there or old_files.get(output.path) != hashlib.sha256(there).hexdigest():
            return None
    if expected != old_files.keys() or not holds_exactly(Path(old.out), expected):
        return None
    return tuple(problems)


def _digest(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _identity(page: Page) -> str:
    return f"{page.lang}/{page.section}/{page.slug}"


def _counting() -> str:
    """What an X length depends on besides the text: this module and twitter-text (with every other library)."""
    return hashlib.sha256(Path(__file__).read_bytes() + library_versions().encode()).hexdigest()


def state_json(state: object) -> object:
    """A state build_snippet_files returned, as the cache file holds it (its records encoded)."""
    if isinstance(state, dict) and isinstance(state.get("items"), dict):
        return {**state, "items": {key: encode(record) if isinstance(record, CachedItem) else record
                                   for key, record in state["items"].items()}}
    return state


def _state(out: str, prefix: str, items: dict[str, object], boards: dict[str, str],
           lengths: dict[str, dict[str, int]] | None = None, frames: dict[str, str] | None = None) -> dict[str, object]:
    """``frames``: each board's bytes around its items' sections, digested (see kept_whole)."""
    return {"out": out, "prefix": prefix, "items": items, "boards": boards, "counting": _counting(),
            "lengths": lengths or {}, "frames": frames or {}}


def _previous_state(previous: object, held: Mapping[str, OutputFile] | None = None) -> _Previous:
    """A previous state read back, with the boards it wrote that are still as it wrote them (from the folder, or
    from ``held``, the files a resident preview keeps in memory); ValueError if malformed."""
    if previous is None:
        return _Previous("", "", {}, {}, {})
    if not (isinstance(previous, dict) and isinstance(previous.get("out"), str)
            and isinstance(previous.get("prefix"), str) and isinstance(previous.get("items"), dict)
            and isinstance(previous.get("boards"), dict) and isinstance(previous.get("lengths"), dict)):
        raise SnippetCacheError("snippet cache of the wrong shape")
    lengths: dict[str, dict[str, int]] = {}
    for identity, counted in previous["lengths"].items():
        if not (isinstance(counted, dict) and all(type(n) is int and n >= 0 for n in counted.values())):
            raise SnippetCacheError("snippet cache lengths of the wrong shape")
        lengths[str(identity)] = counted
    if previous.get("counting") != _counting():  # another twitter-text: every X length is counted again
        lengths = {}
    out, prefix = previous["out"], previous["prefix"]
    try:  # a resident process's own state holds its records as they are; a cache read back, encoded
        items = {str(key): record if isinstance(record, CachedItem) else decode(CachedItem, record)
                 for key, record in previous["items"].items()}
    except ValueError as exc:
        raise SnippetCacheError(str(exc)) from None
    boards: dict[str, Callable[[], bytes | None]] = {}
    for lang, digest in previous["boards"].items():
        if not isinstance(digest, str):
            raise SnippetCacheError("snippet cache board of the wrong shape")
        path = f"{prefix}{lang}/index.html"
        if held is not None:  # checked against its digest as it is unpacked to check its sections
            if path in held:
                boards[str(lang)] = partial(_held_board, held, path, digest)
            continue
        try:
            data = Path(out, path).read_bytes() if out else b""
        except OSError:
            continue  # moved or deleted since: its items are made again
        if hashlib.sha256(data).hexdigest() == digest:
            boards[str(lang)] = partial(bytes, data)  # bytes(b) is b itself: no copy
    return _Previous(out, prefix, items, boards, lengths)


def _held_board(held: Mapping[str, OutputFile], path: str, digest: str) -> bytes | None:
    """A board a preview holds, unpacked; None when it is not the one the state recorded (nothing is reused)."""
    data = held[path].data or b""
    return data if hashlib.sha256(data).hexdigest() == digest else None


def _with_boards(pages: list[Page], keys: list[str], old: _Previous) -> Iterator[tuple[Page, str, bytes | None]]:
    """Each page and its key, language by language, with its language's previous board (None when there is none
    to reuse from); one board is held at a time."""
    languages: dict[str, list[tuple[Page, str]]] = {}
    for page, key in zip(pages, keys, strict=True):
        languages.setdefault(page.lang, []).append((page, key))
    for lang, mine in languages.items():
        read = old.boards.get(lang)
        board = read() if read is not None and any(key in old.items for _, key in mine) else None
        for page, key in mine:
            yield page, key, board
        del board


# ------------------------------------------------------------------ output
BOARD_DIR = Path(__file__).resolve().parent / "board"


def item_json(item: ItemSnippets) -> bytes:
    return (indented(item.as_json()) + "\n").encode()


#: Where the items go in a board's page (the shell is rendered once, with this in their place).
_ITEMS = "<!--legation:board-items-->"


@cache
def board_templates() -> tuple[Template, Template]:
    """(one item's section, the page around them) of the snippet board: files of this package, compiled once a
    process (a resident process builds again and again)."""
    env = Environment(loader=FileSystemLoader(str(BOARD_DIR)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("item.html"), env.get_template("board.html")


def board_item(catalog: Catalog, item: ItemSnippets, template: Template) -> bytes:
    """One item's section of its language's board: its posts with copy buttons."""
    lang = item.page.lang
    # the strings every post shows the same are looked up here, once, not by a template call per post
    same = {key: catalog.get(lang, f"snippet.{key}") for key in ("copy", "copied", "too_long")}
    return (template.render(item=item, t=partial(catalog.text, lang), same=same, rules=RULES) + "\n").encode("utf-8")


def board_html(site: Site, catalog: Catalog, language: Language, empty: bool, template: Template) -> tuple[bytes, bytes]:
    """The bytes before and after the items' sections in one language's board."""
    config = site.config
    page = template.render(lang=language, languages=config.languages, site_title=config.site_title(language.code),
                           t=partial(catalog.text, language.code), empty=empty, items=Markup(_ITEMS), prefix="../")
    head, _, tail = page.partition(_ITEMS)
    return head.encode("utf-8"), tail.encode("utf-8")


def board_extras(site: Site, prefix: str) -> list[OutputFile]:
    """The board's language chooser, script and style sheet."""
    index = "".join(f'<li><a href="{escape(lang.code)}/" lang="{escape(lang.code)}">{escape(lang.name)}</a></li>'
                    for lang in site.config.languages)
    chooser = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
               'content="width=device-width, initial-scale=1"><title>Snippets</title><link rel="stylesheet" '
               f'href="board.css"></head><body><main><h1>Snippets</h1><ul>{index}</ul></main></body></html>\n').encode()
    files = [(prefix + "index.html", chooser), *((prefix + name, (BOARD_DIR / name).read_bytes())
                                                for name in ("board.js", "board.css"))]
    # with their digests: a resident build compares them with what it holds (kept_whole)
    return [OutputFile(path, data, digest=hashlib.sha256(data).hexdigest()) for path, data in files]
