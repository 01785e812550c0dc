"""Site search: one Pagefind index per language, built from the item pages (DESIGN §7, issue 26).

Pagefind (the `pagefind[extended]` wheel's binary, run once over pages written for it) indexes records
this module makes, not the site's HTML files: only item pages are results, and each record carries the
page's own title and summary to show. Its indexed text is *folded* the way people type Azerbaijani and
Uzbek on any keyboard (`fold`): ə is found as e, ı as i, and the Uzbek apostrophe family (ʻ ʼ ‘ ’ ' `)
is dropped, so `beyanat` finds `bəyanat` and `yolg'on` finds `yolgʻon`. The search page's script folds
the query the same way (themes/default/static/search.js; a test holds the two to the same results).
What a page shows is never folded. Arabic keeps Pagefind's own stemming, which finds hamza-less spellings.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

from ..core.errors import OutputError, SourceLocation
from ..core.model import OutputFile, Page, Site
from ..sources.i18n import format_date

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


_TAG = re.compile(r"<[^>]*>")


def page_text(html: str) -> str:
    """The readable text of a body's HTML (what a reader can search for): sanitized HTML, so its tags are
    tags and its text is escaped; a tag is a word break."""
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def search_records(site: Site, prefix: str = "", lang: str = "") -> tuple[SearchRecord, ...]:
    """A record for each published item page (in ``lang`` only, if given), in URL order (the index does not
    depend on the page order)."""
    records = [
        SearchRecord(prefix + page.url, page.lang,
                     fold(" ".join(part for part in (page.title, page.summary, page_text(page.body_html)) if part),
                          page.lang),
                     page.title, page.summary,
                     format_date(page.date, page.lang, site.config.timezone) if page.date else "",
                     page.date.isoformat() if page.date else "")
        for page in site.pages if (not lang or page.lang == lang) and _searchable(site, page)
    ]
    return tuple(sorted(records, key=lambda record: record.url))


def _searchable(site: Site, page: Page) -> bool:
    """Item pages a reader may find: published ones (not drafts, scheduled, expired or withdrawn ones)."""
    return site.page_status(page) == "published"


def records_digest(records: Sequence[SearchRecord]) -> str:
    return hashlib.sha256(repr(tuple(records)).encode()).hexdigest()


def executable() -> Path | None:
    """Pagefind's binary: the `pagefind[extended]` wheel's, else one on PATH."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        try:
            from pagefind_bin import get_executable
        except ImportError:
            found = shutil.which("pagefind_extended") or shutil.which("pagefind")
            return Path(found) if found else None
    path = Path(get_executable())
    return path if path.is_file() else None


def available(find: Callable[[], object] | None = None) -> bool:
    """Whether Pagefind's binary is installed (``find``: how to look for it, for tests)."""
    return (find or executable)() is not None


def index_files(records: Sequence[SearchRecord], folder: str = SEARCH_FOLDER) -> list[OutputFile]:
    """The index files for ``records`` (under ``folder``), byte-identical for the same records.

    Pagefind's command line indexes a folder of small HTML pages written here, one per record at its page's
    path (so its result URL is the page's): the folded text in ``data-pagefind-body``, what is shown as
    metadata outside it. One run of the binary, rather than a message per record to its service."""
    binary = executable()
    if binary is None:
        raise SearchUnavailable("Pagefind's binary is not installed")
    try:
        return _indexed(binary, records, folder)
    except OSError as exc:  # a full disk: as when the site itself cannot be written
        raise OutputError.at(SourceLocation(str(exc.filename or tempfile.gettempdir())),
                             f"cannot write the site's search index: {exc.strerror or exc}",
                             "check free disk space and permissions; the previous site was left as it was",
                             "io") from None


def _indexed(binary: Path, records: Sequence[SearchRecord], folder: str) -> list[OutputFile]:
    with tempfile.TemporaryDirectory(prefix="legation-search-") as tmp:
        site = Path(tmp, "site")
        for record in records:
            page = site / record.url.strip("/") / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(_record_page(record), encoding="utf-8")
        site.mkdir(exist_ok=True)
        out = Path(tmp, "out")
        try:
            done = subprocess.run([str(binary), "--site", str(site), "--output-path", str(out), "--silent"],
                                  capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchUnavailable(f"Pagefind could not run: {exc}") from None
        if done.returncode != 0 or not (out / "pagefind-entry.json").is_file():
            raise SearchUnavailable(f"Pagefind failed: {(done.stderr or done.stdout).strip()[-500:]}")
        files = []
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            name = path.relative_to(out).as_posix()
            if name.startswith(_UNUSED):
                continue
            data = path.read_bytes()
            files.append(OutputFile(f"{folder}/{name}", _stable_entry(data) if name == "pagefind-entry.json" else data))
        return files


def _record_page(record: SearchRecord) -> str:
    """One record as the page Pagefind indexes: ``lang`` names its index, the body is what it searches."""
    metas = "".join(f'<span data-pagefind-meta="{key}">{escape(value)}</span>'
                    for key, value in (("title", record.title), ("excerpt", record.excerpt), ("date", record.date),
                                       ("iso", record.iso)) if value)
    return (f'<!DOCTYPE html><html lang="{escape(record.lang)}"><head><meta charset="utf-8"><title>'
            f"{escape(record.title)}</title></head><body>{metas}<main data-pagefind-body><p>{escape(record.content)}"
            "</p></main></body></html>\n")


def _stable_entry(data: bytes) -> bytes:
    """pagefind-entry.json with its languages in a fixed order (Pagefind writes them as its threads finish)."""
    entry = json.loads(data)
    if isinstance(entry.get("languages"), dict):
        entry["languages"] = dict(sorted(entry["languages"].items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
