"""Optional accelerated Markdown: markdown-it-pyrs parses, this module renders its tree the way markdown.py would.

markdown-it-py stays the renderer of record (markdown.py). When the optional ``markdown-it-pyrs`` package
is installed (``pip install 'legation[fast]'``), a body is parsed in Rust and its tree is rendered here to
the bytes markdown-it-py writes for it: the same tags, attributes, escaping, newlines, tight-list rules,
heading anchors and ``rel`` on external links. A body whose tree holds anything not rendered here (raw
HTML, footnotes, autolinks, task lists), or a link whose address markdown-it-py would refuse or normalize
differently, is not rendered here at all: ``render`` returns None and markdown-it-py renders it.

tests/test_fastmd.py proves byte-identity on the demo site, the benchmark corpus and targeted edge cases.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

#: Inline nodes (the children of a paragraph, heading or table cell) rendered here.
INLINE = frozenset({"text", "text_special", "softbreak", "hardbreak", "em", "strong", "strikethrough", "link",
                    "image", "code_inline"})
#: Block nodes rendered here; ``definition`` (a link reference definition) renders nothing.
BLOCK = frozenset({"paragraph", "heading", "lheading", "blockquote", "bullet_list", "ordered_list", "list_item", "hr",
                   "code_block", "fence", "table", "thead", "tbody", "trow", "tcell", "definition"})
_TAGS = MappingProxyType({"em": "em", "strong": "strong", "strikethrough": "s"})
#: A heading as markdown.render_markdown reports it: (level, anchor id, text). This module imports nothing
#: of legation's, so that markdown.py can sit right above it.
HeadingTuple = tuple[int, str, str]
# Where the two parsers follow different versions of CommonMark or simply differ, found by the fuzzing in
# tests/test_fastmd.py; a body with any of these is handed back (see _disagree).
_NEAR_DELIMITER = re.compile(r"(?<=[*_~])([^\x00-\x7f])|([^\x00-\x7f])(?=[*_~])")  # overlapping: look around
_UNICODE_SPACE = re.compile("[\t\x00\x0b\x0c\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_TILDES = re.compile(r"^(?![ ]{0,3}~~~).*~~~", re.MULTILINE)
_BARE_MARKER = re.compile(r"^[ >]*(?:[-+*]|[0-9]+[.)])[ ]*$", re.MULTILINE)
_TICK_IN_LABEL = re.compile(r"\[[^\]\n]*`")
_OPEN_DESTINATION = re.compile(r"\]\([^)\n]*$", re.MULTILINE)
_EMPTY_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\]\n]*\]:[ ]*\\?$", re.MULTILINE)
# (each line is scanned once: a lookahead for its text, no backtracking across it)
_LATE_ORDERED = re.compile(r"^(?![ ]{0,3}(?:[0-9]{1,9}[.)]|[-+*])[ ])(?=[^\n]*\S)[^\n]*\n[ ]{0,3}(?!1[.)])[0-9]{1,9}[.)]",
                           re.MULTILINE)
_UNDERLINED = re.compile(r"^([^\n]*)\n([ ]{0,3}[|:\- ]*-[|:\- ]*)$", re.MULTILINE)
_FENCE_LINE = re.compile(r"[ ]{0,3}(?:```|~~~)")
_TICK_RUNS = re.compile(r"`+")


def _disagree(text: str) -> bool:
    """True for a body where markdown-it-pyrs 0.4 and markdown-it-py are known to part ways:

    - an emphasis or strikethrough delimiter beside a non-ASCII symbol (emoji, currency, math): CommonMark
      0.31 counts symbols as punctuation for flanking, markdown-it-pyrs does not;
    - white space other than spaces and newlines (a no-break space, which markdown-it-py trims at the edges
      of a paragraph; tabs, expanded differently; vertical tab, form feed, NUL);
    - a run of three tildes that is not a fence (strikethrough pairs runs differently);
    - footnote syntax (footnotes are markdown-it-py's alone here);
    - a line holding only a list marker (whether an empty item interrupts a paragraph or a quote);
    - in a body with a quote or a table, an ordered list not starting at 1 right under a line that is not a
      list item (lazy continuation);
    - a line with a pipe underlined by dashes (a one-column table or a setext heading);
    - a backtick inside an unclosed bracket (label and code-span precedence; markdown-it-pyrs can panic);
    - an unclosed link destination ``[r](`` (whether it falls back to a reference link), or a link
      reference definition without a destination on its line;
    - outside fences, a line whose backtick runs do not pair up by length (a code span across lines keeps
      its spaces differently).
    """
    if "[^" in text or _UNICODE_SPACE.search(text):
        return True
    for match in _NEAR_DELIMITER.finditer(text):
        if unicodedata.category(match.group(1) or match.group(2)).startswith("S"):
            return True
    if "~~~" in text and _TILDES.search(text):
        return True
    if ("]" in text and _EMPTY_DEFINITION.search(text)) or _BARE_MARKER.search(text):
        return True
    if ("|" in text or ">" in text) and _LATE_ORDERED.search(text):
        return True
    if "](" in text and _OPEN_DESTINATION.search(text):
        return True
    if "|" in text:
        for match in _UNDERLINED.finditer(text):
            above, rule = match.group(1).strip(" "), match.group(2).strip(" ")
            if "|" in above + rule and not (_TABLE_HEAD.fullmatch(above) and _TABLE_RULE.fullmatch(rule)):
                return True
    if "`" in text:
        if "[" in text and _TICK_IN_LABEL.search(text):
            return True
        for line in text.split("\n"):
            if "`" in line and not _FENCE_LINE.match(line):
                runs = Counter(len(run) for run in _TICK_RUNS.findall(line))
                if any(count % 2 for count in runs.values()):
                    return True
    return False


_TABLE_HEAD = re.compile(r"\|.*\|")
_TABLE_RULE = re.compile(r"\|(?:[ ]*:?-+:?[ ]*\|)+")
_URL_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


class Unsupported(Exception):
    """The tree holds something this module does not render: markdown-it-py renders the body instead."""


#: A block-level token, enough of markdown-it-py's Token for its renderToken newline rules:
#: (kind, tag, attributes, hidden, html). Kinds: "open", "close", "void" (hr), "inline" (its HTML rendered
#: already) and "raw" (a fence or code block as the reference renderer's rule wrote it). Plain tuples:
#: there are tens of thousands per build.
_Tok = tuple[str, str, str, bool, str]


def _tok(kind: str, tag: str = "", attrs: str = "", hidden: bool = False, html: str = "") -> _Tok:
    return (kind, tag, attrs, hidden, html)


@dataclass(frozen=True)
class FastMarkdown:
    """A markdown-it-pyrs parser beside the markdown-it-py one (``reference``) whose output it reproduces.

    The reference lends its link normalization and validation and renders code blocks and fences itself.
    """

    parser: Any
    reference: MarkdownIt
    leaves_site: Callable[[str], bool]  # markdown.leaves_site for this site: the same rel rule as link_open
    slug: Callable[[str], str]
    levels: frozenset[int] = frozenset({2, 3, 4})
    #: address → (href, rel="noopener noreferrer"?), or None when markdown-it-py must render the body;
    #: per process, as sites link the same addresses on many pages
    links: dict[str, tuple[str, bool] | None] = field(default_factory=dict)
    #: _quietly swaps the process's file descriptor 2: one thread at a time
    quiet: threading.Lock = field(default_factory=threading.Lock)

    def code(self, kind: str, content: str, info: str = "") -> str:
        """A fence or indented code block, rendered by the reference renderer's own rule."""
        token = Token(kind, "code", 0, content=content, info=info, block=True)
        rule = self.reference.renderer.rules[kind]  # type: ignore[attr-defined]
        return str(rule([token], 0, self.reference.options, {}))

    def render(self, text: str) -> tuple[str, list[HeadingTuple]] | None:
        """markdown-it-py's HTML and headings for ``text``, or None when it must render the body itself."""
        # a file's body ends with a newline; without one, an unclosed fence's last line differs
        if not text.endswith("\n") or _disagree(text):
            return None
        try:
            with self.quiet:
                tree = _quietly(self.parser.tree, text)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # a Rust panic is a BaseException: the renderer of record decides
            return None
        try:
            return _Render(self, text).document(tree)
        except Unsupported:
            return None


def _quietly(call: Callable[[str], Any], text: str) -> Any:
    """``call(text)`` with the process's stderr pointed at the null device.

    markdown-it-pyrs 0.4 panics on a few malformed inputs (the fuzz test found ``![|---|:`` followed by two
    backticks); the panic arrives here as an exception and the body goes to markdown-it-py, but Rust's panic
    hook first prints a backtrace to file descriptor 2, which must not end up in a build's log.
    """
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        return call(text)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class _Render:
    def __init__(self, engine: FastMarkdown, text: str):
        self.engine, self.text = engine, text
        self.tokens: list[_Tok] = []
        self.headings: list[HeadingTuple] = []
        self.unique = UniqueSlugs()

    # ------------------------------------------------------------------ blocks
    def document(self, tree: Any) -> tuple[str, list[HeadingTuple]]:
        for node in tree.children:
            self.block(node, tight=False)
        return _render_tokens(self.tokens), self.headings

    def block(self, node: Any, tight: bool) -> None:
        name = node.name
        if name not in BLOCK:
            raise Unsupported(name)
        add = self.tokens.append
        if name == "paragraph":
            add(_tok("open", "p", hidden=tight))
            add(_tok("inline", html=self.inline(node.children)))
            add(_tok("close", "p", hidden=tight))
        elif name in ("heading", "lheading"):
            self.heading(node)
        elif name == "blockquote":
            add(_tok("open", "blockquote"))
            for child in node.children:
                self.block(child, tight=False)
            add(_tok("close", "blockquote"))
        elif name in ("bullet_list", "ordered_list"):
            self.bullets(node)
        elif name == "hr":
            add(_tok("void", "hr"))
        elif name == "code_block":
            add(_tok("raw", html=self.engine.code("code_block", node.meta["content"])))
        elif name == "fence":
            add(_tok("raw", html=self.engine.code("fence", node.meta["content"], node.meta.get("info") or "")))
        elif name == "table":
            self.table(node)
        elif name != "definition":  # pragma: no cover - BLOCK lists what is handled above
            raise Unsupported(name)

    def heading(self, node: Any) -> None:
        level = int(node.meta["level"])
        tag, attrs = f"h{level}", ""
        if level in self.engine.levels:
            title = "".join(_plain(node.children))
            anchor = self.unique(self.engine.slug(title))
            attrs = f' id="{escapeHtml(anchor)}"'
            self.headings.append((level, anchor, title))
        self.tokens.append(_tok("open", tag, attrs))
        self.tokens.append(_tok("inline", html=self.inline(node.children)))
        self.tokens.append(_tok("close", tag))

    def bullets(self, node: Any) -> None:
        ordered = node.name == "ordered_list"
        tag, attrs = ("ol", "") if ordered else ("ul", "")
        if ordered:
            start = int(node.meta.get("start", 1))
            attrs = f' start="{start}"' if start != 1 else ""
        add = self.tokens.append
        add(_tok("open", tag, attrs))
        for item in node.children:
            if item.name != "list_item" or item.meta.get("checked") is not None:
                raise Unsupported(item.name)
            add(_tok("open", "li"))
            # markdown-it-pyrs leaves out the paragraphs of a tight list: its inline nodes stand in the
            # item directly; each run of them is one hidden paragraph in markdown-it-py's token stream
            run: list[Any] = []
            for child in item.children:
                if child.name in INLINE:
                    run.append(child)
                    continue
                self._hidden_paragraph(run)
                run = []
                self.block(child, tight=False)
            self._hidden_paragraph(run)
            add(_tok("close", "li"))
        add(_tok("close", tag))

    def _hidden_paragraph(self, run: list[Any]) -> None:
        if run:
            self.tokens.append(_tok("open", "p", hidden=True))
            self.tokens.append(_tok("inline", html=self.inline(run)))
            self.tokens.append(_tok("close", "p", hidden=True))

    def table(self, node: Any) -> None:
        # The parsers disagree on when a table may interrupt a paragraph (or start inside a list or quote):
        # only a table after a blank line, or at the very start, is rendered here.
        # Nor on which lines make a table: only the plain form "| a | b |" over "|---|:-:|" is rendered here.
        start, end = node.srcmap if node.srcmap else (-1, -1)
        encoded = self.text.encode()
        if start != 0 and (start < 0 or not encoded[:start].endswith(b"\n\n")):
            raise Unsupported("table")
        lines = encoded[start:end].decode().split("\n")
        if len(lines) < 2 or not _TABLE_HEAD.fullmatch(lines[0].strip(" ")) or not _TABLE_RULE.fullmatch(lines[1].strip(" ")):
            raise Unsupported("table")
        aligns = [a if a in ("left", "center", "right") else "" for a in node.meta.get("alignments", [])]
        add = self.tokens.append
        add(_tok("open", "table"))
        for part in node.children:
            if part.name not in ("thead", "tbody"):
                raise Unsupported(part.name)
            cell = "th" if part.name == "thead" else "td"
            add(_tok("open", part.name))
            for row in part.children:
                if row.name != "trow" or len(row.children) != len(aligns):
                    raise Unsupported("table row")
                add(_tok("open", "tr"))
                for column, tcell in enumerate(row.children):
                    style = f' style="text-align:{aligns[column]}"' if aligns[column] else ""
                    add(_tok("open", cell, style))
                    add(_tok("inline", html=self.inline(tcell.children)))
                    add(_tok("close", cell))
                add(_tok("close", "tr"))
            add(_tok("close", part.name))
        add(_tok("close", "table"))

    # ------------------------------------------------------------------ inline
    def inline(self, nodes: list[Any]) -> str:
        out: list[str] = []
        for node in nodes:
            name = node.name
            if name in ("text", "text_special"):
                out.append(escapeHtml(node.meta["content"]))
            elif name == "softbreak":
                out.append("\n")
            elif name == "hardbreak":
                out.append("<br />\n")
            elif name in _TAGS:
                tag = _TAGS[name]
                out.append(f"<{tag}>{self.inline(node.children)}</{tag}>")
            elif name == "code_inline":
                code = "".join(_plain(node.children))
                if not code.strip(" "):  # markdown-it-pyrs strips spaces from a code span of spaces only
                    raise Unsupported(name)
                out.append("<code>" + escapeHtml(code) + "</code>")
            elif name == "link":
                out.append(self.link(node))
            elif name == "image":
                src = self.url(node.meta["url"])[0]
                alt = "".join(_alt(node.children))
                title = node.meta.get("title")
                extra = f' title="{escapeHtml(title)}"' if title else ""
                out.append(f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{extra} />')
            else:
                raise Unsupported(name)
        return "".join(out)

    def link(self, node: Any) -> str:
        meta = node.meta
        href, external = self.url(meta["url"])
        attrs = f' href="{escapeHtml(href)}"'
        title = meta.get("title")
        if title:
            attrs += f' title="{escapeHtml(title)}"'
        if external:
            attrs += ' rel="noopener noreferrer"'
        return f"<a{attrs}>{self.inline(node.children)}</a>"

    def url(self, url: str) -> tuple[str, bool]:
        """(href, whether it leaves the site) as markdown-it-py would write it; memoized per process."""
        links = self.engine.links
        if url not in links:
            links[url] = self._check(url)
        found = links[url]
        if found is None:
            raise Unsupported("address")
        return found

    def _check(self, url: str) -> tuple[str, bool] | None:
        """The address as markdown-it-py would write it, or Unsupported when that is not certain.

        markdown-it-pyrs hands over the address normalized (entities decoded, percent-encoded). For plain
        ASCII addresses that markdown-it-py's own normalization leaves alone, the two agree; an address
        markdown-it-py would refuse (validateLink) makes it text there, so that body goes to markdown-it-py.
        """
        reference = self.engine.reference
        if not _URL_SAFE.fullmatch(url) or reference.normalizeLink(url) != url:
            return None
        parts = urlsplit(url)
        if "%" in parts.netloc or "xn--" in parts.netloc.lower() or not reference.validateLink(url):
            return None
        # a mailto: host is not in netloc; entity-made white space at the ends is trimmed by markdown-it-py only
        if (parts.scheme.lower() == "mailto" and ("%" in url or "xn--" in url.lower())) or unquote(url) != unquote(url).strip():
            return None
        return url, self.engine.leaves_site(url)


def _plain(nodes: list[Any]) -> list[str]:
    """The heading-anchor title: text and code, through emphasis and links, as mdit_py_plugins.anchors reads
    its inline children (images and breaks are left out, as there)."""
    out: list[str] = []
    for node in nodes:
        if node.name in ("text", "text_special"):
            out.append(node.meta["content"])
        elif node.name == "code_inline":
            out.append("".join(_plain(node.children)) if node.children else node.meta.get("content", ""))
        elif node.name in ("em", "strong", "strikethrough", "link"):
            out.extend(_plain(node.children))
        elif node.name not in ("image", "softbreak", "hardbreak"):
            raise Unsupported(node.name)
    return out


def _alt(nodes: list[Any]) -> list[str]:
    """An image's alt text as markdown-it-py's renderInlineAsText makes it."""
    out: list[str] = []
    for node in nodes:
        if node.name in ("text", "text_special"):
            out.append(node.meta["content"])
        elif node.name == "code_inline":
            out.append("".join(_plain(node.children)))
        elif node.name in ("softbreak", "hardbreak"):
            out.append("\n")
        elif node.name in ("image", "em", "strong", "strikethrough", "link"):
            out.extend(_alt(node.children))
        else:
            raise Unsupported(node.name)
    return out


class UniqueSlugs:
    """mdit_py_plugins.anchors' unique_slug (the slug, else slug-1, slug-2, ...) in linear time.

    The plugin tries slug-1, slug-2, ... from 1 for every repeat, so n headings with one title cost n²/2 set
    look-ups (20,000 "## Note" lines took 38 s). Numbers below the last one given for a slug are all taken
    (slugs are only ever added), so counting on from there gives the same ids.
    """

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())
        self.next_number: dict[str, int] = {}

    def __call__(self, slug: str) -> str:
        found = slug
        if found in self.taken:
            number = self.next_number.get(slug, 1)
            found = f"{slug}-{number}"
            while found in self.taken:
                number += 1
                found = f"{slug}-{number}"
            self.next_number[slug] = number + 1
        self.taken.add(found)
        return found


def _render_tokens(tokens: list[_Tok]) -> str:
    """markdown-it-py's RendererHTML.render over block tokens: renderToken's newline rules, verbatim."""
    out: list[str] = []
    last = len(tokens) - 1
    for idx, (kind, tag, attrs, hidden, html) in enumerate(tokens):
        if kind == "inline" or kind == "raw":
            out.append(html)
            continue
        if hidden:
            continue
        text = "\n" if kind != "close" and idx and tokens[idx - 1][3] else ""
        if kind == "void":
            out.append(f"{text}<{tag}{attrs} />\n")
            continue
        text += ("</" if kind == "close" else "<") + tag + attrs
        need_lf = True
        if kind == "open" and idx < last:
            following = tokens[idx + 1]
            if following[0] == "inline" or following[3] or (following[0] == "close" and following[1] == tag):
                need_lf = False
        out.append(text + (">\n" if need_lf else ">"))
    return "".join(out)
