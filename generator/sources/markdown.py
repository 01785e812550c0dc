"""Markdown → safe HTML with markdown-it-py (CommonMark, tables, footnotes, anchors).

Raw HTML is escaped unless the site enables it; then the output goes through
an nh3 allowlist. Links may only use http(s), mailto, tel or be relative;
external links get rel="noopener noreferrer".
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from functools import partial
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors.index import slugify as default_slugify
from mdit_py_plugins.footnote import footnote_plugin

from ..core.model import Heading
from .fastmd import FastMarkdown, UniqueSlugs

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp", "section",
    "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr", "audio", "video", "track",
})
GLOBAL_ATTRIBUTES = frozenset({"lang", "dir", "id", "title"})  # class: only GENERATED_CLASSES
TAG_ATTRIBUTES = MappingProxyType({
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
})


def is_safe_url(url: str) -> bool:
    """True for http(s)/mailto/tel and relative links, after undoing entity and control tricks."""
    clean = _CONTROL.sub("", unquote(html.unescape(url)))
    match = _SCHEME.match(clean)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


#: Classes the Markdown renderer itself writes (footnotes); any other class in raw HTML is dropped, so content
#: cannot dress itself as the site's own alert banner (class="alert alert-critical") or other theme parts.
GENERATED_CLASSES = MappingProxyType({
    "sup": {"footnote-ref"}, "hr": {"footnotes-sep"}, "section": {"footnotes"}, "ol": {"footnotes-list"},
    "li": {"footnote-item"}, "a": {"footnote-backref"},
})
#: ids the theme's layout uses: raw HTML may not take them (a second id="main" would capture the skip link)
LAYOUT_IDS = frozenset({"main", "invest", "latest", "upcoming", "content", "top", "alerts", "navigation"})
#: Elements whose content the HTML parser reads as text up to their end tag (or to the end, for plaintext):
#: left unclosed in a body, the sanitizer dropped everything after them.
_RAW_TEXT = ("style", "script", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title", "plaintext")
_RAW_TEXT_OPEN = re.compile(r"<(" + "|".join(_RAW_TEXT) + r")(?=[\s/>])|<!--", re.IGNORECASE)


def _escape_unclosed(fragment: str) -> str:
    """``fragment`` with every raw-text element or comment that is never closed opened as text instead."""
    if "<" not in fragment:
        return fragment
    lower = fragment.lower()
    cuts = []
    for match in _RAW_TEXT_OPEN.finditer(fragment):
        name = match.group(1)
        closing = "-->" if name is None else f"</{name.lower()}"
        if name == "plaintext" or lower.find(closing, match.end()) < 0:
            cuts.append(match.start())
    for at in reversed(cuts):
        fragment = fragment[:at] + "&lt;" + fragment[at + 1:]
    return fragment


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    return None if name == "id" and value.strip().lower() in LAYOUT_IDS else value


def _sanitize(fragment: str) -> str:
    attributes = {tag: set(attrs) | GLOBAL_ATTRIBUTES for tag, attrs in TAG_ATTRIBUTES.items()}
    for tag in ALLOWED_TAGS:
        attributes.setdefault(tag, set(GLOBAL_ATTRIBUTES))
    return nh3.clean(
        _escape_unclosed(fragment),
        tags=set(ALLOWED_TAGS),
        attributes=attributes,
        attribute_filter=_keep_attribute,
        allowed_classes={tag: set(names) for tag, names in GENERATED_CLASSES.items()},
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


class _Renderer(RendererHTML):
    """Adds rel="noopener noreferrer" to links that leave the site."""

    site_host = ""
    fast: FastMarkdown | None = None  # the optional accelerated path (fastmd.py), tried first

    def link_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        if leaves_site(str(token.attrGet("href") or ""), self.site_host):
            token.attrSet("rel", "noopener noreferrer")
        return self.renderToken(tokens, idx, options, env)


def leaves_site(href: str, site_host: str) -> bool:
    """An http(s) or protocol-relative (//host/…) link to another host: it gets rel="noopener noreferrer"."""
    parts = urlsplit(href)
    return parts.scheme in ("http", "https", "") and bool(parts.netloc) and parts.hostname != site_host


def _anchor(text: str) -> str:
    """The plugin's Unicode-keeping slug, or "section" for a heading without letters or digits (never id="")."""
    return default_slugify(text) or "section"


def _heading_anchors(state: StateCore) -> None:
    """ids on h2-h4 as mdit_py_plugins.anchors gives them (same slugs, explicit ids kept and reserved), made
    unique in linear time: the plugin's de-duplication is quadratic in the number of equal headings."""
    unique = UniqueSlugs({str(found) for token in state.tokens
                          if token.type == "heading_open" and (found := token.attrGet("id"))})
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open" or token.tag not in ("h2", "h3", "h4") or token.attrGet("id"):
            continue
        children = state.tokens[index + 1].children or []
        title = "".join(child.content for child in children if child.type in ("text", "code_inline"))
        token.attrSet("id", unique(_anchor(title)))


def make_markdown(allow_html: bool = False, site_host: str = "", accelerated: bool | None = None) -> MarkdownIt:
    """A configured parser; build one per process and reuse it.

    ``accelerated``: also parse with markdown-it-pyrs where it gives the same HTML (fastmd.py). None means
    "when LEGATION_MARKDOWN=fast and the optional package is installed" (opt-in: the two parsers are proven
    identical on the demo and the benchmark corpus, and fuzzed, but markdown-it-py stays the reference).
    """
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False}, renderer_cls=_Renderer)
    md.enable("table").enable("strikethrough")
    md.use(footnote_plugin)
    md.core.ruler.push("anchor", _heading_anchors)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    renderer: Any = md.renderer
    renderer.site_host = site_host
    if accelerated is None:
        accelerated = markdown_engine() == "fast"
    renderer.fast = _accelerated(md, site_host) if accelerated else None
    return md


def markdown_engine() -> str:
    """"fast" when LEGATION_MARKDOWN asks for the accelerated path, else "python" (part of the body cache key)."""
    return "fast" if os.environ.get("LEGATION_MARKDOWN", "").strip().lower() == "fast" else "python"


def _accelerated(md: MarkdownIt, site_host: str) -> FastMarkdown | None:
    try:
        from markdown_it_pyrs import MarkdownIt as RustMarkdownIt
    except ImportError:
        return None
    # footnotes are parsed (not rendered) so that a body using them is recognised and handed back
    parser = RustMarkdownIt("commonmark").enable_many(["table", "strikethrough", "footnote"])
    return FastMarkdown(parser, md, partial(leaves_site, site_host=site_host), _anchor)


def render_markdown(md: MarkdownIt, text: str) -> tuple[str, tuple[Heading, ...]]:
    """HTML of ``text`` and its headings (for tables of contents and anchor checks)."""
    fast: FastMarkdown | None = getattr(md.renderer, "fast", None)
    if fast is not None:
        done = fast.render(text)
        if done is not None:
            html_text, found = done
            return (_sanitize(html_text) if md.options["html"] else html_text), tuple(Heading(*h) for h in found)
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    headings: list[Heading] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            inline = tokens[i + 1]
            label = "".join(child.content for child in (inline.children or []) if child.type in ("text", "code_inline"))
            headings.append(Heading(int(token.tag[1]), str(token.attrGet("id")), label))
    rendered = md.renderer.render(tokens, md.options, env)
    if md.options["html"]:
        rendered = _sanitize(rendered)
    return rendered, tuple(headings)
