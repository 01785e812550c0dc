"""Site search: one Pagefind index per language, built from the item pages (DESIGN §7, issue 26).

Pagefind (the `pagefind[extended]` wheel: its binary, run through its Python API) indexes records this
module makes, not the HTML files: only item pages are results, each record carries the page's own title
and summary to show, and its indexed text is *folded* the way people type Azerbaijani and Uzbek on any
keyboard (`fold`): ə is found as e, ı as i, and the Uzbek apostrophe family (ʻ ʼ ‘ ’ ' `) is dropped, so
`beyanat` finds `bəyanat` and `yolg'on` finds `yolgʻon`. The search page's script folds the query the same
way (themes/default/static/search.js; a test holds the two to the same results). What a page shows is
never folded. Arabic keeps Pagefind's own stemming, which already finds hamza-less spellings.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html

from .i18n import format_date
from .model import OutputFile, Page, Site

SEARCH_FOLDER = "pagefind"
#: languages whose indexed text and queries are folded (see the module's text)
FOLDED_LANGUAGES = frozenset({"az", "uz"})
_FOLD = str.maketrans({"ə": "e", "Ə": "E", "ı": "i", "İ": "I",
                       "ʻ": None, "ʼ": None, "‘": None, "’": None, "'": None, "`": None})
#: Pagefind's files a search page of ours does not load (its own UIs; we draw results in the theme's strings)
_UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


class SearchUnavailable(Exception):
    """Pagefind's binary is missing or failed: the site is built without search."""


@dataclass(frozen=True)
class SearchRecord:
    """What the index holds of one item page in one language."""

    url: str  # as the browser asks for it (with the base URL's path)
    lang: str
    content: str  # folded text: title, summary, body
    title: str  # shown as it is
    excerpt: str  # the page's summary, shown as it is
    date: str  # as the page shows it (CLDR, in the page's language and the site's zone)
    iso: str  # ISO 8601


def search_url(lang: str) -> str:
    """The search page of ``lang``: outside the language's folder, so that a host's `_headers` can give it
    its own Content-Security-Policy (rules that match one path are combined, never replaced)."""
    return f"/search/{lang}/"


def fold_languages() -> str:
    """The folded languages as the search page's script reads them."""
    return " ".join(sorted(FOLDED_LANGUAGES))


def fold(text: str, lang: str) -> str:
    """The text as it is indexed and searched in ``lang`` (see the module's text); unchanged elsewhere."""
    return text.translate(_FOLD) if lang.split("-")[0] in FOLDED_LANGUAGES else text


def page_text(html: str) -> str:
    """The readable text of a body's HTML (what a reader can search for)."""
    if not html.strip():
        return ""
    return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())


def search_records(site: Site, prefix: str = "") -> tuple[SearchRecord, ...]:
    """A record for each published item page, in URL order (the index does not depend on the page order)."""
    records = [
        SearchRecord(prefix + page.url, page.lang,
                     fold(" ".join(part for part in (page.title, page.summary, page_text(page.body_html)) if part),
                          page.lang),
                     page.title, page.summary,
                     format_date(page.date, page.lang, site.config.timezone) if page.date else "",
                     page.date.isoformat() if page.date else "")
        for page in site.pages if _searchable(site, page)
    ]
    return tuple(sorted(records, key=lambda record: record.url))


def _searchable(site: Site, page: Page) -> bool:
    """Item pages a reader may find: published ones (not drafts, scheduled, expired or withdrawn ones)."""
    return site.page_status(page) == "published"


def records_digest(records: Sequence[SearchRecord]) -> str:
    return hashlib.sha256(repr(tuple(records)).encode()).hexdigest()


def available(find: Callable[[], object] | None = None) -> bool:
    """Whether Pagefind's binary is installed (``find``: how to look for it, for tests)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return False
    return (find or get_executable)() is not None


def index_files(records: Sequence[SearchRecord], folder: str = SEARCH_FOLDER) -> list[OutputFile]:
    """The index files for ``records`` (under ``folder``), byte-identical for the same records."""
    try:
        files = asyncio.run(_index(records))
    except SearchUnavailable:
        raise
    except Exception as exc:  # the binary's own failure, whatever it raises
        raise SearchUnavailable(f"Pagefind failed: {exc}") from None
    out = []
    for path, data in sorted(files):
        if path.startswith(_UNUSED):
            continue
        if path == "pagefind-entry.json":
            data = _stable_entry(data)
        out.append(OutputFile(f"{folder}/{path}", data))
    return out


async def _index(records: Sequence[SearchRecord]) -> list[tuple[str, bytes]]:
    try:
        from pagefind.service import PagefindService
    except ImportError:
        raise SearchUnavailable("Pagefind is not installed") from None
    try:
        service = await PagefindService().launch()
    except FileNotFoundError as exc:
        raise SearchUnavailable(str(exc)) from None
    try:
        index = await service.create_index(None)
        for record in records:
            await index.add_custom_record(url=record.url, content=record.content, language=record.lang,
                                          meta={"title": record.title, "excerpt": record.excerpt,
                                                "date": record.date, "iso": record.iso})
        files = await index.get_files()
        return [(str(item["path"]), _bytes(item["content"])) for item in files]
    finally:
        await service.close()


def _bytes(content: object) -> bytes:
    return content if isinstance(content, bytes) else str(content).encode("utf-8")


def _stable_entry(data: bytes) -> bytes:
    """pagefind-entry.json with its languages in a fixed order (Pagefind writes them as its threads finish)."""
    entry = json.loads(data)
    if isinstance(entry.get("languages"), dict):
        entry["languages"] = dict(sorted(entry["languages"].items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
