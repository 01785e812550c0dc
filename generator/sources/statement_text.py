"""The normalised text of a statement, and its SHA-256: what the ledger of published text records and what
the public register (statements.json) publishes, so that anyone can recompute it from what the page shows.

The normalisation (docs/guide.md, "Proving a statement is ours"):
1. the title, the summary and the body's text as the page shows it (no markup; a link's text, not its
   address), joined with one space;
2. Unicode NFC;
3. every run of whitespace (spaces, line breaks, tabs, no-break spaces) replaced by one space, and none at
   either end.
The SHA-256 of the UTF-8 bytes of that line, in lower-case hex, is the statement's digest.
"""

from __future__ import annotations

import hashlib
import unicodedata
from html.parser import HTMLParser

from ..core.model import Page

#: Announcement kinds whose published text is official (with alerts of any kind): recorded in the ledger.
OFFICIAL_KINDS = frozenset({"statement", "consular", "rumour"})

#: Elements whose content is not text a reader sees as the statement (footnote back-links are "↩").
_SKIPPED = frozenset({"script", "style", "template", "sup"})


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        self.parts.append(" ")  # every element boundary may be one between words (<p>a</p><p>b</p>)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(body_html: str) -> str:
    parser = _PlainText()
    parser.feed(body_html)
    parser.close()
    return "".join(parser.parts)


def normalised(*texts: str) -> str:
    return " ".join(unicodedata.normalize("NFC", " ".join(texts)).split())


def is_official(page: Page) -> bool:
    """A statement, consular notice, answer to a rumour or alert: text the ledger records once published."""
    return page.section == "announcements" and (page.kind in OFFICIAL_KINDS or bool(page.alert))


def statement_text(page: Page) -> str:
    """The page's title, summary and body as one normalised line."""
    # NFC and the whitespace rule give the same line for a body normalised on its own: a space is a starter,
    # so nothing composes or reorders across it
    return normalised(page.title, page.summary, body_text(page))


def body_text(page: Page) -> str:
    """The body alone, normalised: what someone who copies the text of the statement has (worked out when the
    page was parsed, for an official text)."""
    return page.body_text or normalised(plain_text(page.body_html))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
