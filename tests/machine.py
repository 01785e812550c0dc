"""Shared helpers for the machine-readable output tests (feeds, calendars, sitemap, JSON-LD)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
BASE = "https://embassy.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                    r"\d{2}:\d{2}:\d{2} [+-]\d{4}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def feeds_of(out: Path) -> list[Path]:
    return sorted([*out.rglob("feed.xml"), *out.rglob("atom.xml")])


def site_path(out: Path, file: Path) -> str:
    return "/" + file.relative_to(out).as_posix()



def ics_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.ics"))



class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alternates: list[tuple[str, str]] = []
        self.canonical = ""
        self.noindex = False
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.json_ld: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates.append((a["hreflang"], a["href"]))
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        if tag == "meta" and a.get("name") == "robots" and "noindex" in a.get("content", ""):
            self.noindex = True
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.links.append(a["src"])
        if a.get("id"):
            self.ids.add(a["id"])
        self._in_json = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_json:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_json = False


def head(file: Path) -> Head:
    parser = Head()
    parser.feed(file.read_text(encoding="utf-8"))
    return parser


def url_to_file(out: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path)
    candidate = out / path.lstrip("/")
    if path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None



def json_ld(file: Path) -> list[dict[str, object]]:
    return [json.loads(block) for block in head(file).json_ld]


