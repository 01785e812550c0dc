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
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlencode, urljoin

import regex
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from .cache import library_versions
from .codec import decode, encode
from .errors import Problem, SourceLocation
from .i18n import Catalog, format_date, format_time
from .model import Language, OutputFile, Page, Site, SiteConfig
from .parallel import fork_map
from .site import absolute_url, tag_label

Counting = Literal["twitter-weighted", "graphemes", "characters-url-23", "characters", "utf-16"]


@dataclass(frozen=True)
class PlatformRules:
    """How one platform counts and limits a post."""

    name: str
    label: str
    limit: int
    counting: Counting
    url_length: int = 0  # for characters-url-23: what any URL counts as
    max_hashtags: int | None = None
    max_links: int | None = None
    long_form: bool = False  # room for an excerpt of an alert's text
    link_as_text: bool = False  # links are not clickable (Instagram): a "link in bio" line instead
    caption_limit: int | None = None  # limit when the post is a photo caption (Telegram)
    escape: str = ""  # characters to backslash-escape in `api_text` (LinkedIn's little text format)


#: One row per platform: a platform that changes its rules is a one-line change here.
RULES: Mapping[str, PlatformRules] = MappingProxyType({rule.name: rule for rule in (
    PlatformRules("x", "X", 280, "twitter-weighted"),
    PlatformRules("bluesky", "Bluesky", 300, "graphemes"),
    PlatformRules("mastodon", "Mastodon", 500, "characters-url-23", url_length=23),
    PlatformRules("threads", "Threads", 500, "characters", max_hashtags=1, max_links=5),
    PlatformRules("facebook", "Facebook", 63206, "characters", long_form=True),
    PlatformRules("linkedin", "LinkedIn", 3000, "characters", long_form=True, escape="\\|{}@[]()<>#*_~"),
    PlatformRules("instagram", "Instagram", 2200, "characters", max_hashtags=5, link_as_text=True),
    PlatformRules("telegram", "Telegram", 4096, "utf-16", long_form=True, caption_limit=1024),
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
#: indicators, and CR (CR LF is one cluster). Text without any is one grapheme per code point.
_JOINING = regex.compile(
    r"[\r\p{M}\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=Prepend}\p{Grapheme_Cluster_Break=SpacingMark}"
    r"\p{Grapheme_Cluster_Break=L}\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}"
    r"\p{Grapheme_Cluster_Break=LV}\p{Grapheme_Cluster_Break=LVT}\p{Grapheme_Cluster_Break=Regional_Indicator}]"
)


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
    extract_urls: Callable[[str], list[dict[str, Any]]]
    table: dict[str, Any]
    light: regex.Pattern[str]  # characters in the weight ranges (all of them weigh the same in config v3)
    light_weight: int


@cache
def _twitter() -> _Twitter:
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
    normalized = _NEWLINES.sub("\n", unicodedata.normalize("NFC", text))
    if _EMOJI_POSSIBLE.search(normalized):
        return int(twitter.parse_tweet(text).weightedLength)
    table = twitter.table
    scale, urls = table["scale"], twitter.extract_urls(normalized)
    plain = "".join(normalized[a:b] for a, b in _gaps([entity["indices"] for entity in urls], len(normalized)))
    light = len(twitter.light.findall(plain))
    total = (light * twitter.light_weight + (len(plain) - light) * table["default_weight"]
             + len(urls) * table["transformed_url_length"] * scale)
    return int(total / scale)


def _gaps(spans: list[list[int]], length: int) -> list[tuple[int, int]]:
    out, position = [], 0
    for start, end in sorted(spans):
        out.append((position, start))
        position = end
    out.append((position, length))
    return out


def count(rule: PlatformRules, text: str) -> int:
    """Length of ``text`` by the platform's own rule."""
    if rule.counting == "twitter-weighted":
        return twitter_length(text)
    if rule.counting == "graphemes":
        return grapheme_count(text)
    if rule.counting == "characters-url-23":
        return len(_URL.sub("x" * rule.url_length, text))
    if rule.counting == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


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
    notes: tuple[str, ...] = ()

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

    @property
    def path(self) -> str:
        """Output path inside the snippets folder."""
        return f"{self.page.lang}/{self.page.section}/{self.page.slug}.json"

    def as_json(self) -> dict[str, object]:
        return {
            "item": f"{self.page.section}/{self.page.slug}", "lang": self.page.lang, "direction": self.direction,
            "title": self.page.title, "url": self.url, "source": self.page.source,
            "posts": {post.platform: post.as_json() for post in self.posts},
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
    query = urlencode({"utm_source": platform, "utm_medium": config.snippets.utm_medium or "social",
                       "utm_campaign": config.snippets.utm_campaign or page.section})
    return f"{absolute_url(config, page.url)}?{query}"


def _is_latin(tag: str) -> bool:
    letters = [ch for ch in tag if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


def isolate(text: str, rtl: bool) -> str:
    """Wrap a left-to-right run in U+2066 … U+2069 inside right-to-left text."""
    return f"{LRI}{text}{PDI}" if rtl else text


class _Text(HTMLParser):
    """Plain text of the first paragraphs of an item's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li", "h2", "h3", "h4", "blockquote", "tr"):
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li", "h2", "h3", "h4", "blockquote", "tr"):
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def excerpt(body_html: str, limit: int = EXCERPT_CHARS) -> str:
    parser = _Text()
    parser.feed(body_html)
    parser.close()
    parser._flush()
    text = ""
    for block in parser.blocks:
        if len(text) + len(block) > limit:
            break
        text = f"{text}\n\n{block}" if text else block
    return text or (parser.blocks[0] if parser.blocks else "")


# ------------------------------------------------------------------ shortening
def _protected(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in (*_URL.finditer(text), *_HASHTAG.finditer(text))]


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
    tags: tuple[str, ...]
    shown_tags: tuple[str, ...]  # the tags as written in the post (bidi-isolated where needed)

    def parts(self) -> list[str]:
        """The paragraphs of the post; no counting rule joins anything across the blank lines between them."""
        head = f"{self.title}\n{self.when}" if self.when else self.title
        return [part for part in (head, self.summary, self.extra, self.link_block, " ".join(self.shown_tags)) if part]

    def text(self) -> str:
        return "\n\n".join(self.parts())

    def without_last_tag(self) -> _Draft:
        return replace(self, tags=self.tags[:-1], shown_tags=self.shown_tags[:-1])


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


def _shared(site: Site, catalog: Catalog, page: Page) -> _Shared:
    urgent = page.alert or page.kind == "consular"
    return _Shared(event_when(site, catalog, page), hashtags_for(site.config, page),
                   excerpt(page.body_html) if urgent else "")


def make_post(rule: PlatformRules, site: Site, catalog: Catalog, page: Page, shared: _Shared | None = None) -> Post:
    config = site.config
    if shared is None:
        shared = _shared(site, catalog, page)
    rtl = config.language(page.lang).direction == "rtl"
    url = tracked_url(config, page, rule.name)
    limit = rule.caption_limit if rule.caption_limit and page.image is not None else rule.limit
    urgent = page.alert or page.kind == "consular"
    prefix = ""
    if page.alert:
        prefix = f"{catalog.get(page.lang, f'alert.{page.alert}')}: "
    elif page.kind == "consular":
        prefix = f"{catalog.get(page.lang, 'kind.consular')}: "
    title = prefix + page.title
    link = isolate(url, rtl)
    link_block = f"{catalog.get(page.lang, 'snippet.link_in_bio')}\n{link}" if rule.link_as_text else link
    tags = shared.hashtags
    if rule.max_hashtags is not None:
        tags = tags[:rule.max_hashtags]
    extra = shared.excerpt if urgent and rule.long_form else ""
    summary = page.summary if page.summary != page.title else ""

    counted: dict[str, int] = {}

    def measure(draft: _Draft) -> int:
        """The post's length from its paragraphs' lengths (each counted once), plus the blank lines."""
        parts = draft.parts()
        for part in parts:
            if part not in counted:
                counted[part] = count(rule, part)
        return sum(counted[part] for part in parts) + 2 * (len(parts) - 1)

    shown = tuple(isolate(t, rtl and _is_latin(t)) for t in tags)
    first = _Draft(title, shared.when, summary, extra, link_block, tags, shown)
    draft, notes = _shorten(first, lambda d: measure(d) <= limit)
    text = draft.text()
    length = count(rule, text)  # the exact count of the whole post is what is reported
    if length > limit:  # only if a rule ever counted across paragraphs: fit again by whole-text counts
        draft, notes = _shorten(first, lambda d: count(rule, d.text()) <= limit)
        text = draft.text()
        length = count(rule, text)
    api_text = text.translate({ord(ch): "\\" + ch for ch in rule.escape}) if rule.escape else ""
    if api_text and len(api_text) > limit:
        notes.append(f"with reserved characters escaped the post is {len(api_text)} characters")
    photo = ""
    if rule.caption_limit and page.image is not None:
        photo = urljoin(absolute_url(config, page.url), page.image.src)
    ok = length <= limit and "the title had to be shortened" not in notes
    return Post(rule.name, text, length, limit, rule.counting, url, draft.tags, ok, api_text, photo, tuple(notes))


def item_snippets(site: Site, catalog: Catalog, page: Page) -> ItemSnippets:
    config = site.config
    platforms = config.snippets.platforms
    shared = _shared(site, catalog, page)
    posts = tuple(make_post(effective_rule(config, name), site, catalog, page, shared) for name in platforms)
    direction = config.language(page.lang).direction
    return ItemSnippets(page, absolute_url(config, page.url), direction, posts, _problems(page, posts))


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
    return tuple(
        Problem("warning", SourceLocation(page.source),
                f"the {RULES[post.platform].label} post does not fit in {post.limit} "
                f"({post.counting}) even after shortening: {'; '.join(post.notes) or f'{post.length} long'}",
                "shorten the title, or leave that platform out of snippets.platforms", "snippet")
        for post in posts if not post.fits
    )


def site_snippets(site: Site, catalog: Catalog) -> list[ItemSnippets]:
    """Snippets for every published item (not static pages) in every language."""
    return build_snippets(site, catalog, 1)


def build_snippets(site: Site, catalog: Catalog, jobs: int) -> list[ItemSnippets]:
    """site_snippets, spread over ``jobs`` worker processes; the result does not depend on ``jobs``.

    Workers send back only the posts (not the pages, which the parent already has).
    """
    pages = snippet_pages(site)

    def work(page: Page) -> tuple[Post, ...]:
        return item_snippets(site, catalog, page).posts

    return [_item(site, page, posts) for page, posts in zip(pages, fork_map(work, pages, jobs), strict=True)]


def snippet_pages(site: Site) -> list[Page]:
    """The items that get posts: every published item (not static pages), when any platform is set."""
    if not site.config.snippets.platforms:
        return []
    return [page for page in site.pages if page.section != "pages" and site.page_status(page) == "published"]


def _item(site: Site, page: Page, posts: tuple[Post, ...]) -> ItemSnippets:
    return ItemSnippets(page, absolute_url(site.config, page.url), site.config.language(page.lang).direction,
                        posts, _problems(page, posts))


def snippet_settings(site: Site, catalog: Catalog) -> str:
    """Everything besides the page that a post is made from: this module's code, config, UI strings, counting tables."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in ("board.html", "board.js", "board.css"):
        digest.update((BOARD_DIR / name).read_bytes())
    digest.update(repr((site.config, sorted((k, sorted(v.items())) for k, v in catalog.strings.items()),
                        sorted(RULES.items()), library_versions())).encode())
    return digest.hexdigest()


def snippet_key(settings: str, page: Page) -> str:
    return hashlib.sha256((settings + repr(page)).encode()).hexdigest()[:32]


T = TypeVar("T")


@dataclass(frozen=True)
class SnippetBuild(Generic[T]):
    """What the sink made of each snippet file, the warnings about posts that do not fit, and the next cache."""

    outputs: tuple[T, ...]
    problems: tuple[Problem, ...]
    state: dict[str, object]


def build_snippet_files(site: Site, catalog: Catalog, jobs: int, previous: object, out_label: str,
                        written: Mapping[str, str], sink: Callable[[OutputFile], T],
                        prefix: str = "") -> SnippetBuild[T]:
    """Every item's JSON, every language's board and the board's assets, each handed to ``sink`` as it is made.

    ``previous`` is the state a previous build returned (as read back from JSON); anything of the wrong
    shape raises ValueError before any file reaches ``sink``, and the caller starts again with none.
    Posts are reused by the digest of their page and settings; an item's JSON and a language's board
    are taken from ``out_label`` (the folder the previous build wrote, whose manifest is ``written``)
    when nothing they show changed. With a sink that writes the file, no build holds every file.
    """
    pages = snippet_pages(site)
    if not pages:  # still a state of the right shape, or the next build would warn that the cache was unreadable
        return SnippetBuild((), (), {"out": out_label, "items": {}, "boards": {}})
    old_items, old_boards, same_place = _previous_state(previous, out_label)
    settings = snippet_settings(site, catalog)
    keys = [snippet_key(settings, page) for page in pages]
    missing = [page for page, key in zip(pages, keys, strict=True) if key not in old_items]

    def work(page: Page) -> tuple[Post, ...]:
        return item_snippets(site, catalog, page).posts

    made = dict(zip((id(p) for p in missing), fork_map(work, missing, jobs if len(missing) > 16 else 1), strict=True))
    posts_of: dict[str, tuple[Post, ...]] = {}

    def posts(page: Page, key: str) -> tuple[Post, ...]:
        if id(page) in made:
            return made[id(page)]
        if key not in posts_of:
            records = old_items[key][1]
            assert isinstance(records, list)  # checked by _previous_state
            posts_of[key] = tuple(decode(Post, r) for r in records)
        return posts_of[key]

    def reused(path: str, digest: str) -> OutputFile | None:
        if same_place and written.get(path) == digest:
            return OutputFile(path, copy_from=f"{out_label}/{path}", digest=digest)
        return None

    # Which files can be taken from the previous output, decided first: every cached post they need is then
    # read (and checked: a bad record raises ValueError here) before any file reaches the sink.
    json_paths = [prefix + f"{page.lang}/{page.section}/{page.slug}.json" for page in pages]
    kept_json = [reused(path, str(old_items[key][2])) if key in old_items else None
                 for path, key in zip(json_paths, keys, strict=True)]
    board_keys: dict[str, str] = {}
    kept_boards: dict[str, OutputFile | None] = {}
    for language in site.config.languages:
        lang_keys = [key for page, key in zip(pages, keys, strict=True) if page.lang == language.code]
        board_keys[language.code] = hashlib.sha256((settings + prefix + "".join(lang_keys)).encode()).hexdigest()
        old = old_boards.get(language.code)
        kept_boards[language.code] = (reused(f"{prefix}{language.code}/index.html", old[1])
                                      if isinstance(old, list) and len(old) == 2 and old[0] == board_keys[language.code]
                                      and isinstance(old[1], str) else None)
    for page, key, kept in zip(pages, keys, kept_json, strict=True):
        if id(page) not in made and (kept is None or kept_boards[page.lang] is None or old_items[key][0] is not True):
            posts(page, key)

    outputs: list[T] = []
    problems: list[Problem] = []
    items: dict[str, list[object]] = {}
    for page, key, path, output in zip(pages, keys, json_paths, kept_json, strict=True):
        fits = all(post.fits for post in made[id(page)]) if id(page) in made else old_items[key][0]
        if fits is not True:
            problems.extend(_problems(page, posts(page, key)))
        if output is None:
            data = item_json(_item(site, page, posts(page, key)))
            output = OutputFile(path, data, digest=hashlib.sha256(data).hexdigest())
        outputs.append(sink(output))
        items[key] = [fits is True, [encode(p) for p in posts(page, key)] if id(page) in made else old_items[key][1],
                      output.digest]
    boards: dict[str, list[str]] = {}
    template = board_template()
    for language in site.config.languages:
        mine = [(page, key) for page, key in zip(pages, keys, strict=True) if page.lang == language.code]
        board = board_keys[language.code]
        path = f"{prefix}{language.code}/index.html"
        output = kept_boards[language.code]
        if output is None:
            data = board_html(site, catalog, language, [_item(site, page, posts(page, key)) for page, key in mine], template)
            output = OutputFile(path, data, digest=hashlib.sha256(data).hexdigest())
        outputs.append(sink(output))
        boards[language.code] = [board, output.digest]
    outputs.extend(sink(output) for output in board_extras(site, prefix))
    return SnippetBuild(tuple(outputs), tuple(problems), {"out": out_label, "items": items, "boards": boards})


def _previous_state(previous: object, out_label: str) -> tuple[dict[str, list[object]], dict[str, object], bool]:
    """(items, boards, whether its files are where this build writes) of a previous state; ValueError if malformed."""
    if previous is None:
        return {}, {}, False
    if not (isinstance(previous, dict) and isinstance(previous.get("items"), dict)
            and isinstance(previous.get("boards"), dict)):
        raise ValueError("snippet cache of the wrong shape")
    items = previous["items"]
    for entry in items.values():
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], bool)
                and isinstance(entry[1], list) and isinstance(entry[2], str)):
            raise ValueError("snippet cache entry of the wrong shape")
    return items, previous["boards"], previous.get("out") == out_label


# ------------------------------------------------------------------ output
BOARD_DIR = Path(__file__).resolve().parent / "board"


def item_json(item: ItemSnippets) -> bytes:
    return (json.dumps(item.as_json(), ensure_ascii=False, indent=2) + "\n").encode()


def board_template() -> Template:
    env = Environment(loader=FileSystemLoader(str(BOARD_DIR)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("board.html")


def board_html(site: Site, catalog: Catalog, language: Language, items: list[ItemSnippets], template: Template) -> bytes:
    """One language's board: every item's posts with copy buttons."""
    def t(key: str, **values: object) -> str:
        text = catalog.get(language.code, key)
        return text.format(**values) if values else text

    config = site.config
    return template.render(lang=language, languages=config.languages, site_title=config.site_title(language.code),
                           t=t, items=items, rules=RULES, prefix="../").encode("utf-8")


def board_extras(site: Site, prefix: str) -> list[OutputFile]:
    """The board's language chooser, script and style sheet."""
    index = "".join(f'<li><a href="{escape(lang.code)}/" lang="{escape(lang.code)}">{escape(lang.name)}</a></li>'
                    for lang in site.config.languages)
    outputs = [OutputFile(prefix + "index.html", (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>Snippets</title><link rel="stylesheet" href="board.css">'
        f"</head><body><main><h1>Snippets</h1><ul>{index}</ul></main></body></html>\n").encode())]
    for name in ("board.js", "board.css"):
        outputs.append(OutputFile(prefix + name, (BOARD_DIR / name).read_bytes()))
    return outputs
