"""The site's content rules, one set for `legation build` and `legation check` (DESIGN §8, issue 19).

Each rule looks at what the build made: the pages' rendered bodies and the paths of every output file. Every
finding is a located warning (``file:line:col``) in every build and fails a build under ``--strict``; `check`
runs a build and lists the same findings. The rules:

- ``link``: a link in a body to a page or file of this site that the build does not make;
- ``anchor``: a link to ``#anchor`` on one of this site's item pages that has no such heading or id;
- ``image``: an image in a body that the build does not publish, or one without a description (alt text);
- ``tag``: a tag that site.yml's ``tags:`` does not list (when it lists any): each one makes a new public tag
  page in every language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from posixpath import normpath
from urllib.parse import unquote, urlsplit

from ..core.errors import Problem, SourceLocation, did_you_mean
from ..core.model import Page, SiteConfig
from ..sources.markdown import LAYOUT_IDS
from ..sources.media import MEDIA_FOLDER

_HREF = re.compile(r'<a\b[^>]*?\shref="([^"]*)"')
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'\s(src|alt)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')
_ELSEWHERE = ("http://", "https://", "mailto:", "tel:", "//")

#: Locates a finding: (file, text to find in it[, front-matter key it is a value of]) → its SourceLocation
Locate = Callable[..., SourceLocation]


class RulesMemo:
    """A resident process's findings per page, for its next build (mutable on purpose: each build replaces what
    it holds). A page's link and image findings are kept while the page is the same object, the outputs and the
    site's host are the same, and each page whose anchors it looked at is the same object too."""

    def __init__(self) -> None:
        self.basis: tuple[object, ...] = ()
        self.pages: dict[int, tuple[Page, tuple[Problem, ...], tuple[tuple[str, Page | None], ...]]] = {}


def content_problems(pages: Iterable[Page], config: SiteConfig, outputs: frozenset[str],
                     locate: Locate, memo: RulesMemo | None = None) -> list[Problem]:
    """The rules' findings for the built ``pages``; ``outputs``: every output path (``en/x/index.html``)."""
    pages = list(pages)
    host = urlsplit(config.base_url).netloc
    by_url = {page.url: page for page in pages}
    found_ids: dict[str, frozenset[str]] = {}
    read: dict[str, Page | None] = {}  # the pages whose anchors the page being checked looked at

    def ids(url: str) -> frozenset[str] | None:
        """The ids of the item page at ``url`` (None for any other page: lists are not checked for anchors)."""
        read[url] = by_url.get(url)
        if url not in found_ids and url in by_url:
            found_ids[url] = frozenset(_ID.findall(by_url[url].body_html)) | LAYOUT_IDS
        return found_ids.get(url)

    own = (f"http://{host}", f"https://{host}", f"//{host}")
    problems: list[Problem] = []
    basis = (outputs, host)
    kept = memo.pages if memo is not None and memo.basis == basis else {}
    checked: dict[int, tuple[Page, tuple[Problem, ...], tuple[tuple[str, Page | None], ...]]] = {}

    for page in pages:
        before = kept.get(id(page))
        if before is not None and before[0] is page and all(by_url.get(url) is then for url, then in before[2]):
            problems.extend(before[1])
            checked[id(page)] = before
            continue
        mine: list[Problem] = []
        read.clear()
        _links_and_images(page, host, own, outputs, ids, locate, mine)
        problems.extend(mine)
        checked[id(page)] = (page, tuple(mine), tuple(read.items()))
    if memo is not None:
        memo.basis, memo.pages = basis, checked
    if config.tags:
        for page in pages:
            for tag in page.tags:
                if tag not in config.tags:
                    where = locate(page.source, tag, "tags")
                    if where.line:  # else inherited from the default-language file, reported there
                        problems.append(Problem(
                            "warning", where, f'unknown tag "{tag}": it makes a new public tag page in every language',
                            did_you_mean(tag, sorted(config.tags)) or "add it to tags: in site.yml with its translations",
                            "tag"))
    return problems


def _links_and_images(page: Page, host: str, own: tuple[str, ...], outputs: frozenset[str],
                      ids: Callable[[str], frozenset[str] | None], locate: Locate, problems: list[Problem]) -> None:
    """The link, anchor and image findings of one page's body, appended to ``problems``."""
    def warn(needle: str, message: str, hint: str, code: str) -> None:
        problems.append(Problem("warning", locate(page.source, needle), message, hint, code))

    body = page.body_html
    if "<a" in body:
        for raw in _HREF.findall(body):
            if raw.startswith(_ELSEWHERE) and not raw.startswith(own):
                continue  # mail, phone or another site (most links): not ours to check, and no parsing
            href = html.unescape(raw)
            parts = urlsplit(href)
            if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != host):
                continue  # mail, phone, another site: not ours to check
            path = _resolve(page.url, parts.path)
            if path is not None and not _exists(path, outputs):
                warn(raw, f"broken link to {href}: this site has no such page or file",
                     "fix the address, or create the page it points to", "link")
                continue
            fragment = unquote(parts.fragment)
            target = page.url if not parts.path else path
            known = ids(target or "") if fragment else None
            if fragment and known is not None and fragment not in known:
                warn(raw, f'link to {href}: there is no anchor "#{fragment}" on that page',
                     did_you_mean(fragment, sorted(known)) or "check the heading the anchor names", "anchor")
    if "<img" in body:
        for attributes in _IMG.findall(body):
            found = dict(_ATTR.findall(attributes))
            src = html.unescape(found.get("src", ""))
            if not found.get("alt", "").strip():
                # a bundle's photo is named in the page by its published copy (../../media/<section>/<item>/x.jpg):
                # told and found in the file by the name its author wrote (from a new user's trial: no line)
                written = src.rsplit("/", 1)[-1] if f"/{MEDIA_FOLDER}/" in f"/{src}" else src
                where = locate(page.source, f"]({written}")  # the image's own line, not the front matter's image:
                problems.append(Problem("warning", where if where.line else locate(page.source, written),
                                        f"image {written} has no description (alt text)",
                                        "describe it for readers who cannot see it: ![what it shows](photo.jpg)",
                                        "image"))
            parts = urlsplit(src)
            path = None if parts.scheme or parts.netloc else _resolve(page.url, parts.path)
            if path is not None and not _exists(path, outputs):
                warn(src, f"image {src} does not exist in the site",
                     "put the file in the item's bundle folder or in static/", "image")


def _resolve(base: str, path: str) -> str | None:
    """``path`` read from the page at ``base`` as a site path with a leading slash (None for the page itself)."""
    if not path:
        return None
    joined = unquote(path) if path.startswith("/") else base + unquote(path)
    resolved = normpath(joined)
    return resolved + ("/" if joined.endswith("/") and resolved != "/" else "")


def _exists(path: str, outputs: frozenset[str]) -> bool:
    relative = path.lstrip("/")
    return (relative in outputs or f"{relative.rstrip('/')}/index.html" in outputs
            or (relative == "" and "index.html" in outputs))
