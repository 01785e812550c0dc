"""`legation check`: what a strict build rejects, plus links, anchors, images, tags and the schedule."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .build import BuildOptions, build, load_pages
from .errors import LegationError, Problem, SourceLocation, did_you_mean
from .model import Page


@dataclass(frozen=True)
class HtmlFacts:
    """Links, images and ids of one HTML file."""

    ids: frozenset[str]
    links: tuple[str, ...]
    images: tuple[tuple[str, str | None], ...]  # (src, alt or None)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "img":
            self.images.append((str(values.get("src") or ""), values.get("alt")))


def html_facts(text: str) -> HtmlFacts:
    collector = _Collector()
    collector.feed(text)
    return HtmlFacts(frozenset(collector.ids), tuple(collector.links), tuple(collector.images))


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]
    upcoming: tuple[dict[str, str], ...]

    @property
    def failing(self) -> tuple[Problem, ...]:
        """The problems that fail the check: all but a discarded build cache (rebuilt, not a content problem,
        and ignored by ``build --strict`` too); it is still listed."""
        return tuple(p for p in self.problems if p.code != "cache")

    @property
    def failed(self) -> bool:
        return bool(self.failing)

    def grouped(self) -> dict[str, list[Problem]]:
        groups: dict[str, list[Problem]] = {}
        for problem in sorted(self.problems, key=lambda p: (p.location, p.message)):
            groups.setdefault(problem.location.path, []).append(problem)
        return groups

    def as_json(self) -> dict[str, object]:
        return {"ok": not self.failed, "problems": [p.as_json() for p in self.problems],
                "next_24_hours": list(self.upcoming)}


def check_site(root: Path, now: datetime) -> CheckResult:
    """Build into a temporary folder and inspect the result; the real output is not touched."""
    with tempfile.TemporaryDirectory(prefix="legation-check-") as tmp:
        report = build(BuildOptions(root, Path(tmp) / "site", now, strict=False, snippets_in_site=True))
        problems = list(report.problems)
        if report.ok:
            try:
                loaded = load_pages(root)
            except LegationError as exc:
                problems.extend(exc.problems)
            else:
                problems += link_problems(Path(tmp) / "site", loaded.pages, loaded.config.base_url, root)
                problems += tag_problems(root, loaded.pages, frozenset(loaded.config.tags))
    return CheckResult(tuple(problems), report.schedule)


def link_problems(out: Path, pages: Iterable[Page], base_url: str, root: Path) -> list[Problem]:
    """Broken internal links and anchors, and images that are missing or have no alt text."""
    by_output = {page.url.strip("/") + "/index.html": page for page in pages}
    base = urlsplit(base_url)
    facts_cache: dict[Path, HtmlFacts] = {}

    def facts(file: Path) -> HtmlFacts:
        if file not in facts_cache:
            facts_cache[file] = html_facts(file.read_text(encoding="utf-8"))
        return facts_cache[file]

    problems: list[Problem] = []
    for file in sorted(out.rglob("*.html")):
        relative = file.relative_to(out).as_posix()
        page = by_output.get(relative)
        if page is None:
            continue  # lists and home pages are made from the same data; checking items finds the source
        source = page.source
        page_facts = facts(file)
        for href in page_facts.links:
            parts = urlsplit(href)
            if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != base.netloc):
                continue
            target = _target(out, file, parts.path)
            if target is None:
                problems.append(_located(root, source, href, f"broken link to {href}",
                                         "fix the address or create the page it points to"))
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in facts(target).ids:
                problems.append(_located(root, source, href, f'link to {href}: there is no anchor "#{fragment}" there',
                                         did_you_mean(fragment, facts(target).ids) or "check the heading's anchor"))
        for src, alt in page_facts.images:
            if alt is None or not alt.strip():
                problems.append(_located(root, source, src, f"image {src} has no alt text",
                                         "describe the image: ![what it shows](file.jpg) or image: {alt: …}"))
            parts = urlsplit(src)
            if not parts.scheme and not parts.netloc and src and _target(out, file, parts.path) is None:
                problems.append(_located(root, source, src, f"image {src} does not exist",
                                         "put the file in the item's bundle folder or static/"))
    return problems


def _target(out: Path, file: Path, path: str) -> Path | None:
    if not path:
        return file
    clean = unquote(path)
    candidate = out / clean.lstrip("/") if clean.startswith("/") else file.parent / clean
    if any(part == ".." for part in PurePosixPath(clean).parts) and not candidate.resolve().is_relative_to(out.resolve()):
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _located(root: Path, source: str, needle: str, message: str, hint: str) -> Problem:
    """Point at the line of ``source`` that mentions ``needle`` (the first front-matter line otherwise)."""
    line = col = 0
    try:
        for number, text in enumerate((root / source).read_text(encoding="utf-8").splitlines(), start=1):
            if needle and needle in text:
                line, col = number, text.index(needle) + 1
                break
    except (OSError, UnicodeDecodeError):
        pass
    return Problem("error", SourceLocation(source, line, col), message, hint, "link")


def tag_problems(root: Path, pages: Iterable[Page], known: frozenset[str]) -> list[Problem]:
    """Tags not declared in site.yml `tags` (when that map is used), with a did-you-mean."""
    if not known:
        return []
    problems = []
    for page in pages:
        for tag in page.tags:
            if tag not in known:
                found = _located(root, page.source, tag, f'unknown tag "{tag}"',
                                 did_you_mean(tag, known) or "add it to tags: in site.yml with its translations")
                if not found.location.line:
                    continue  # inherited from the default-language file, reported there
                problems.append(Problem("warning", found.location, found.message, found.hint, "tag"))
    return problems
