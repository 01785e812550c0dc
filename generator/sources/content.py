"""Content files: find them on disk, then turn each into a checked Page (DESIGN §4)."""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from ..core.checks import Checker, describe
from ..core.controls import describe as describe_control
from ..core.controls import find_control, position
from ..core.errors import ContentError, LegationError, Problem, SourceLocation, did_you_mean
from ..core.model import (
    ALERT_LEVELS,
    ANNOUNCEMENT_KINDS,
    EVENT_STATUSES,
    SECTIONS,
    VERDICTS,
    Change,
    Contact,
    EventInfo,
    Figure,
    Heading,
    Image,
    InvestmentInfo,
    Language,
    Page,
    RumourInfo,
    Sighting,
    SiteConfig,
    Source,
    SourceFile,
    TranslationRef,
    Venue,
    Withdrawal,
)
from ..core.parallel import fork_map
from ..core.paths import editor_file, shown_path
from ..core.yamltext import YamlDoc, load_yaml
from .assets import refusal
from .markdown import make_markdown, markdown_engine, render_markdown
from .statement_text import is_official, normalised, plain_text
from .translation_units import version_of

CONTENT_DIR = "content"
MAX_FILE_BYTES = 2 * 1024 * 1024
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_PAGE_SLUGS = frozenset(SECTIONS) | {"tags", "static", "feed", "atom", "page"}

COMMON_KEYS = ("title", "date", "updated", "summary", "tags", "image", "draft", "publish_at", "expires_at",
               "withdrawn", "changes", "translation_of", "syndicate")
SECTION_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "announcements": ("alert", "kind", "claim", "claim_seen", "verdict", "sources"),
    "events": ("start", "end", "all_day", "venue", "online_url", "registration_url", "status", "organizer"),
    "investment": ("sector", "incentives", "figures", "contact"),
    "pages": ("menu",),
})
REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "announcements": ("title", "date"),
    "events": ("title", "date", "start"),
    "investment": ("title", "date", "sector"),
    "pages": ("title",),
})
#: Keys whose text may span lines; every other text is one line (a title, tag or place in a feed or calendar).
MULTILINE_KEYS = frozenset({"summary", "withdrawn"})
#: Keys a translation takes from the default-language file when it leaves them out.
INHERITED = frozenset({"date", "updated", "tags", "image", "publish_at", "expires_at", "withdrawn", "alert",
                       "verdict", "claim_seen", "sources",
                       "kind", "start", "end", "all_day", "status", "online_url", "registration_url", "venue",
                       "sector", "contact", "menu", "syndicate"})


#: Latin letters that Unicode does not decompose to ASCII (Azerbaijani ə, Turkish ı, …) and Uzbek apostrophes.
_TRANSLITERATE = MappingProxyType(str.maketrans({
    "ə": "a", "Ə": "a", "ı": "i", "ø": "o", "Ø": "o", "ß": "ss", "æ": "ae", "Æ": "ae",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ʻ": "", "ʼ": "", "‘": "", "’": "", "'": ""}))


def slugify(text: str) -> str:
    """A safe URL segment suggested for ``text`` (Latin-script text keeps its words: "Çay və şəkər" → cay-va-sakar)."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "item"


# ------------------------------------------------------------------ discovery


#: A resident preview's memory of the files it read: path → ((mtime_ns, size, inode), the file as read then)
SourceMemo = dict[str, tuple[tuple[int, int, int, int], SourceFile]]  # (mtime, ctime, size, inode), the file


def discover(root: Path, config: SiteConfig, memo: SourceMemo | None = None) -> tuple[list[SourceFile], list[Problem]]:
    """Every content file under ``root/content`` (read, decoded) and the problems found.

    With ``memo`` (kept by a resident preview between builds), a file whose size, modification time and inode
    are those it had when it was last read is not read again, and every file read is recorded there."""
    content = root / CONTENT_DIR
    problems: list[Problem] = []
    found: list[SourceFile] = []
    if not content.is_dir():
        problems.append(Problem("error", SourceLocation(CONTENT_DIR), "there is no content/ folder",
                                "create content/<section>/<slug>.<lang>.md files", "content-missing"))
        return found, problems
    real_content = content.resolve()
    for entry in sorted(content.iterdir()):
        rel = shown_path(entry, root)
        if editor_file(entry.name):
            continue
        if not entry.is_dir():
            problems.append(Problem("warning", SourceLocation(rel), "file outside a section folder is ignored",
                                    f"move it into one of content/{{{','.join(SECTIONS)}}}/", "content-stray"))
            continue
        if entry.name not in SECTIONS:
            problems.append(Problem("error", SourceLocation(rel), f'unknown section folder "{entry.name}"',
                                    did_you_mean(entry.name, SECTIONS) or f"sections are: {', '.join(SECTIONS)}",
                                    "section"))
            continue
        # a plain file or folder in a section folder that is itself inside content/ is inside too: only
        # symbolic links need resolving (resolving every file cost a third of a no-op rebuild's discovery)
        section_inside = _inside(entry, real_content)
        # os.scandir: the entries know whether they are links or folders without another system call each
        with os.scandir(entry) as listing:
            items = sorted(listing, key=lambda item: item.name)
        for item in items:
            name, where = item.name, f"{rel}/{item.name}"
            if editor_file(name):  # an editor's lock, swap or backup file (a dangling link, for Emacs's lock)
                continue
            if not (section_inside and not item.is_symlink()) and not _inside(Path(item.path), real_content):
                problems.append(Problem("error", SourceLocation(where),
                                        "symbolic link points outside content/", "copy the file into content/ instead",
                                        "path"))
                continue
            if item.is_dir():
                found_bundle, bundle_problems = _bundle(Path(item.path), entry.name, root, real_content, config, memo)
                found.extend(found_bundle)
                problems.extend(bundle_problems)
            elif name.endswith(".md"):
                source, problem = _source(Path(item.path), entry.name, name[:-3], root, config, rel=where, memo=memo)
                if problem:
                    problems.append(problem)
                if source:
                    found.append(source)
            else:
                problems.append(Problem("warning", SourceLocation(where),
                                        "file is not Markdown (.md) and is not in a bundle; ignored",
                                        "put images in a bundle folder content/<section>/<slug>/", "content-stray"))
    problems.extend(_case_collisions(found))
    return found, problems


def rediscover(root: Path, config: SiteConfig, previous: tuple[list[SourceFile], list[Problem]],
               changed: Iterable[str], memo: SourceMemo) -> tuple[list[SourceFile], list[Problem]] | None:
    """``previous`` (what discover found) with the files a file watcher named in ``changed`` (absolute paths) read
    again, when each is a Markdown file ``previous`` holds that is still a plain file: an edit. None when anything
    else changed (a file added, removed or renamed, a folder, a bundle's other files): then discover looks at all.
    A resident preview's save then reads one file, not the folder's 9,000 file times."""
    found, problems = list(previous[0]), list(previous[1])
    where = {source.path: index for index, source in enumerate(found)}
    for path in changed:
        file = Path(path)
        rel = shown_path(file, root)
        index = where.get(rel)
        if index is None or not file.is_file() or file.is_symlink():
            return None
        old = found[index]
        bundle = file.name.startswith("index.") and file.parent.name != old.section
        stem = _bundle_stem(file) if bundle else file.name[:-3]
        source, problem = _source(file, old.section, stem, root, config, old.bundle_assets, rel=rel, memo=memo)
        if source is None or (source.slug, source.lang) != (old.slug, old.lang):
            return None
        found[index] = source
        problems = [known for known in problems if known.location.path != rel] + ([problem] if problem else [])
    return found, problems


def _bundle_stem(index: Path) -> str:
    """A bundle's ``index.<lang>.md`` read as ``<folder>.<lang>`` (``<folder>`` for ``index.md``)."""
    lang_part = index.name[len("index."):-3]
    return f"{index.parent.name}.{lang_part}" if lang_part else index.parent.name


def _bundle(folder: Path, section: str, root: Path, real_content: Path,
            config: SiteConfig, memo: SourceMemo | None = None) -> tuple[list[SourceFile], list[Problem]]:
    problems: list[Problem] = []
    indexes: list[Path] = []
    assets: list[str] = []
    for file in sorted(folder.rglob("*")):
        if any(editor_file(part) for part in file.relative_to(folder).parts) or file.is_dir():
            continue
        if not _inside(file, real_content):
            problems.append(Problem("error", SourceLocation(shown_path(file, root)), "symbolic link points outside content/",
                                    "copy the file into the bundle instead", "path"))
            continue
        if file.parent == folder and file.name.startswith("index.") and file.name.endswith(".md"):
            indexes.append(file)
        elif file.suffix == ".md":
            problems.append(Problem("warning", SourceLocation(shown_path(file, root)),
                                    "Markdown file in a bundle that is not index.<lang>.md is ignored",
                                    "name it index.<lang>.md", "content-stray"))
        elif refused := refusal(file.name):
            problems.append(Problem("error", SourceLocation(shown_path(file, root)), *refused, "bundle-file"))
        else:
            assets.append(shown_path(file, root))
    problems.extend(_fold_collisions([(path, path) for path in assets], "letter case or Unicode form"))
    if not indexes:
        problems.append(Problem("warning", SourceLocation(shown_path(folder, root)),
                                "bundle folder has no index.<lang>.md; ignored", "add index.en.md", "content-stray"))
        return [], problems
    sources: list[SourceFile] = []
    for index in indexes:
        source, problem = _source(index, section, _bundle_stem(index), root, config, tuple(assets), memo=memo)
        if problem:
            problems.append(problem)
        if source:
            sources.append(source)
    return sources, problems


def _source(file: Path, section: str, stem: str, root: Path, config: SiteConfig,
            assets: tuple[str, ...] = (), rel: str = "",
            memo: SourceMemo | None = None) -> tuple[SourceFile | None, Problem | None]:
    """One content file read and decoded (``rel``: its path from the site root, when the caller knows it); a file
    that cannot be read or decoded comes back with ``readable=False`` beside its problem."""
    rel = rel or shown_path(file, root)
    slug, lang = stem, config.default_language
    if "." in stem:
        slug, lang = stem.rsplit(".", 1)
        if lang not in config.language_codes:
            hint = did_you_mean(lang, config.language_codes)
            return None, Problem("error", SourceLocation(rel),
                                 f'language "{lang}" in the file name is not one of site.yml\'s languages '
                                 f'({", ".join(config.language_codes)})',
                                 hint or f"add {{code: {lang}}} to languages in site.yml, or rename the file",
                                 "language")
    if not SLUG.match(slug):
        return None, Problem("error", SourceLocation(rel), f'"{slug}" is not a safe URL slug',
                             f'rename it to "{slugify(slug)}" (lowercase letters, digits and hyphens)', "slug")
    if section == "pages" and slug in RESERVED_PAGE_SLUGS:
        return None, Problem("error", SourceLocation(rel), f'the page slug "{slug}" is reserved for a section URL',
                             f'rename it, e.g. "{slug}-info"', "slug")
    unreadable = SourceFile(rel, section, slug, lang, "", assets, readable=False)
    if memo is not None:
        try:
            stat = os.stat(file)
        except OSError:
            stat = None
        known = memo.get(rel)
        if stat is not None and known is not None and \
                known[0] == (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino):
            return (known[1] if known[1].bundle_assets == assets else replace(known[1], bundle_assets=assets)), None
    try:
        with open(file, "rb") as handle:
            opened = os.fstat(handle.fileno())
            size = opened.st_size
            if size > MAX_FILE_BYTES:
                return unreadable, Problem("error", SourceLocation(rel),
                                           f"file is {size / 1048576:.1f} MiB; the limit is "
                                           f"{MAX_FILE_BYTES // 1048576} MiB",
                                           "split it into several items or move large data out of the Markdown",
                                           "size")
            data = handle.read()
    except OSError as exc:
        return unreadable, Problem("error", SourceLocation(rel), f"cannot read the file: {exc.strerror}",
                                   "check that it exists and is readable (a symbolic link must point to a file)", "io")
    text, problem = decode_text(data, rel)
    if text is None:
        return unreadable, problem
    source = SourceFile(rel, section, slug, lang, text, assets, digest=hashlib.sha256(data).hexdigest())
    # not written to while it was read, nor in the last second: an edit in the same tick of the file system's
    # clock that kept the size would look unchanged (git's "racily clean" files), so such a file is read again
    if memo is not None and size == len(data) and time.time_ns() - opened.st_mtime_ns > 1_000_000_000:
        source = source.packed_copy()  # held from now on: compressed (77 MiB of text at 3,000 items a language)
        memo[rel] = ((opened.st_mtime_ns, opened.st_ctime_ns, size, opened.st_ino), source)
    return source, None


def decode_text(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without BOM) → text with LF line ends, or a located problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Problem("error", SourceLocation(path, line, col),
                             f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                             "open it in an editor and save it with UTF-8 encoding", "encoding")
    if "\x00" in text:
        index = text.index("\x00")
        line, col = position(text, index)
        return None, Problem("error", SourceLocation(path, line + 1, col), "file contains a NUL byte (U+0000)",
                             "this is not a text file; remove the byte or re-save the file", "encoding")
    if "\r" in text:  # one scan of a file that has none, instead of two copies
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


def _case_collisions(sources: list[SourceFile]) -> list[Problem]:
    return _fold_collisions([(f"{s.section}/{s.slug}.{s.lang}", s.path) for s in sources], "letter case")


def _fold_collisions(named: list[tuple[str, str]], what: str) -> list[Problem]:
    """(name, path to report) pairs whose names a case-insensitive or normalizing file system would merge.

    Identical names are not reported here (two files claiming the same page get their own error).
    """
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for name, path in named:
        first_name, first_path = seen.setdefault(unicodedata.normalize("NFKC", name).casefold(), (name, path))
        if first_name != name:
            problems.append(Problem("error", SourceLocation(path), f"{path} and {first_path} differ only in {what}",
                                    "rename one; they would overwrite each other on Windows and macOS", "collision"))
    return problems


def discover_syndicated(root: Path, config: SiteConfig) -> tuple[list[SourceFile], list[Problem]]:
    """A mission's share of its ministry's ``content/`` (config.ministry): every item file in one of the mission's
    languages, read, its path from the mission's root (``../../content/…``). Which of them the mission carries
    is decided after parsing, by their ``syndicate:``. A file in another language is not read; a file that
    names no language, or a link out of the ministry's content/, is an error (located in the ministry's file)."""
    link = config.ministry
    if link is None:
        return [], []
    content = root / link.content
    real = content.resolve()
    found: list[SourceFile] = []
    problems: list[Problem] = []
    if not content.is_dir():
        return found, problems
    config = _as_ministry(config)  # the ministry's first language is read too: translations inherit from it
    wanted = set(config.language_codes)

    def shown(path: Path) -> str:
        return os.path.relpath(path, root).replace(os.sep, "/")

    def read(file: Path, section: str, slug: str, lang: str, assets: tuple[str, ...] = ()) -> None:
        if lang not in wanted:
            return
        source, problem = _source(file, section, f"{slug}.{lang}", root, config, assets, rel=shown(file))
        problems.extend([problem] if problem else [])
        found.extend([source] if source else [])

    for section in SECTIONS:
        folder = content / section
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):
                continue
            if not _inside(entry, real):
                problems.append(Problem("error", SourceLocation(shown(entry)), "symbolic link points outside the "
                                        "ministry's content/", "copy the file into content/ instead", "path"))
            elif entry.is_dir():
                files = sorted(f for f in entry.rglob("*") if f.is_file()
                               and not any(part.startswith(".") for part in f.relative_to(entry).parts))
                outside = [f for f in files if not _inside(f, real)]
                for file in outside:
                    problems.append(Problem("error", SourceLocation(shown(file)), "symbolic link points outside the "
                                            "ministry's content/", "copy the file into the bundle instead", "path"))
                assets = tuple(shown(f) for f in files if f not in outside and f.suffix != ".md")
                for index in (f for f in files if f.parent == entry and f.name.startswith("index.")
                              and f.name.endswith(".md") and f not in outside):
                    lang = index.name[len("index."):-3]
                    if not lang:
                        problems.append(_no_language(shown(index)))
                    else:
                        read(index, section, entry.name, lang, assets)
            elif entry.name.endswith(".md"):
                slug, _dot, lang = entry.name[:-3].rpartition(".")
                if not slug:
                    problems.append(_no_language(shown(entry)))
                else:
                    read(entry, section, slug, lang)
    return found, problems


def _as_ministry(config: SiteConfig) -> SiteConfig:
    """The mission's settings, for reading its ministry's items: their first language is the ministry's, which is
    read (to inherit from) though the mission may not publish it."""
    assert config.ministry is not None
    first = config.ministry.default_language
    extra = () if first in config.language_codes else (Language(first, first, "ltr", first),)
    return replace(config, default_language=first, languages=(*config.languages, *extra))


def _no_language(where: str) -> Problem:
    return Problem("error", SourceLocation(where), "a ministry's item names its language in the file name",
                   "rename it <slug>.<lang>.md (or index.<lang>.md in a bundle), such as statement.en.md", "language")


def _inside(path: Path, real_root: Path) -> bool:
    try:
        path.resolve().relative_to(real_root)
    except (ValueError, OSError):
        return False
    return True


# ------------------------------------------------------------------ parsing


Rendered = tuple[str, tuple[Heading, ...]]
#: Bump when Markdown rendering changes, so cached HTML from older versions is not reused.
MARKDOWN_VERSION = "2"  # 2: raw HTML keeps only the classes Markdown writes, and no unclosed <style> drops the rest


@dataclass(frozen=True)
class FrontMatter:
    """A file split into its front matter (loaded) and its Markdown body."""

    source: SourceFile
    doc: YamlDoc
    body: str


@dataclass(frozen=True)
class SplitSource:
    """A file cut into its front-matter text (not yet loaded) and its Markdown body: cheap, done for every file."""

    source: SourceFile
    front: str
    body: str


def split_source(source: SourceFile) -> SplitSource:
    """Cut a file at its front-matter lines; raise ContentError when they are missing or not closed."""
    text = source.content
    if not text.strip():
        raise ContentError.at(SourceLocation(source.path, 1, 1), "file is empty",
                              'start it with front matter: ---, title: "…", ---', "empty")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ContentError.at(SourceLocation(source.path, 1, 1), "file does not start with front matter (---)",
                              'put a line ---, then title: "…" and the other keys, then --- before the text',
                              "front-matter")
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            break
    else:
        raise ContentError.at(SourceLocation(source.path, 1, 1), "front matter is not closed",
                              "add a line --- after the last front-matter key", "front-matter")
    return SplitSource(source, "\n".join(lines[1:i]), "\n".join(lines[i + 1:]))


def load_front(split: SplitSource) -> FrontMatter:
    """Load the YAML of a split file (the costly part: done where the page is built, in a worker)."""
    doc = load_yaml(split.front, split.source.path, line_offset=1, error=ContentError)
    return FrontMatter(split.source, doc, split.body)


def split_front_matter(source: SourceFile) -> FrontMatter:
    """Separate and load the YAML front matter; raise ContentError when it is missing or broken."""
    return load_front(split_source(source))


def source_hash(title: str, summary: str, body: str) -> str:
    """The version of a file's text as legation recorded it before `file_version` (a translation made then
    still matches it)."""
    digest = hashlib.sha256("\x1f".join((title.strip(), summary.strip(), body.strip())).encode("utf-8"))
    return digest.hexdigest()[:12]


def file_version(fm: FrontMatter) -> str:
    """The version of a file's translatable text (DESIGN §6): what translation_of.hash records."""
    data = fm.doc.data if isinstance(fm.doc.data, Mapping) else {}
    return version_of(data, fm.body)


def build_page(fm: FrontMatter, config: SiteConfig, md: MarkdownIt, default: FrontMatter | None = None,
               rendered: Rendered | None = None) -> tuple[Page | None, list[Problem]]:
    """Check front matter (inheriting from ``default``) and render the body (unless ``rendered`` is given)."""
    source = fm.source
    section = source.section
    own = fm.doc.data if fm.doc.data is not None else {}
    check = Checker(fm.doc, tz=config.timezone, multiline=MULTILINE_KEYS)
    check.problems.extend(fm.doc.warnings)
    allowed = COMMON_KEYS + SECTION_KEYS[section]
    fields = check.mapping(own, (), allowed)
    if fields is None:
        return None, check.problems
    inherited: set[str] = set()
    merged: set[str] = set()
    if default is not None and isinstance(default.doc.data, Mapping):
        fields, inherited, merged = _inherit(fields, default.doc.data)
    # a misspelt key ("titel") is one mistake: its unknown-key error suggests the key, so it is not missing too
    suggested = {did_you_mean(str(key), allowed, bare=True) for key in own if str(key) not in allowed}
    missing = [key for key in REQUIRED[section] if fields.get(key) in (None, "") and key not in suggested]
    origin = own.get("translation_of") if default is None and source.lang != config.default_language else None
    if missing and isinstance(origin, Mapping) and isinstance(origin.get("lang"), str):
        # a translation whose original is gone (deleted, or renamed without it): one message that says so, not
        # "missing required key" for each key it inherited (from a new user's trial: that hint, followed, would
        # have published an orphan translation)
        original = f"content/{section}/{source.slug}.{origin['lang']}.md"
        check.error(("translation_of",), f"this translation's original, {original}, is not there (renamed or "
                    f"deleted?); it takes its {', '.join(missing)} from it",
                    f"restore {original}, or rename this file to go with the original's new name; to publish it "
                    "on its own, remove translation_of and give it its own " + ", ".join(f"{key}:" for key in missing))
        missing = []
    for key in missing:
        check.error((), f'missing required key "{key}"', _required_hint(key, section))
    values = _Values(check, fields, inherited, merged, own)

    title = values.text("title", allow_empty=False) or ""
    summary = values.text("summary") or ""
    page_args: dict[str, Any] = {
        "date": values.get("date", "moment"),
        "updated": values.get("updated", "moment"),
        "tags": values.get("tags", "text_list") or (),
        "draft": bool(values.get("draft", "boolean")),
        "publish_at": values.get("publish_at", "moment"),
        "expires_at": values.get("expires_at", "moment"),
        "image": _image(values, source),
        "withdrawn": _withdrawal(values),
        "translation_of": _translation_ref(values, config),
        "syndicate": _syndicate(values),
    }
    if section == "announcements":
        page_args["alert"] = values.get("alert", "choice", ALERT_LEVELS) or ""
        page_args["kind"] = values.get("kind", "choice", ANNOUNCEMENT_KINDS) or "news"
        page_args["rumour"] = _rumour(values, page_args["kind"])
    elif section == "events":
        page_args["event"] = _event(values)
    elif section == "investment":
        page_args["investment"] = _investment(values)
    elif section == "pages":
        page_args["menu"] = values.get("menu", "integer", 0)
    if page_args["withdrawn"] is not None and default is not None:
        _reason_in_this_language(check, own, default.source.path)
    default_data = default.doc.data if default is not None and isinstance(default.doc.data, Mapping) else None
    page_args["changes"] = _changes(check, values.quiet, own, default_data, default.source.path if default else "",
                                    page_args["date"])
    if page_args["changes"]:  # a change moves the item's updated time
        last = page_args["changes"][-1].at
        page_args["updated"] = max(page_args["updated"], last) if page_args["updated"] else last
    if (page_args["expires_at"] and page_args["publish_at"] and page_args["expires_at"] <= page_args["publish_at"]
            and values.writes("expires_at", "publish_at")):
        check.error(("expires_at",), "expires_at is not after publish_at", "make the item expire after it is published")

    _check_body(fm, check)
    body_html, headings = rendered if rendered is not None else render_markdown(md, fm.body)
    for src in _third_party_images(body_html, config):
        check.problems.append(Problem(
            "error", SourceLocation(source.path, _line_of(fm, src)), f'the image {src} is on another site: every reader'
            " would ask that site for it, and it would learn who reads this page",
            "put the image in the item's bundle folder, or add its host to markdown: {image_hosts: [...]} in site.yml",
            "third-party-image"))
    errors = [p for p in check.problems if p.severity == "error"]
    if errors:
        return None, check.problems
    page = Page(
        source=source.path, section=section, slug=source.slug, lang=source.lang, title=title,
        body_html=body_html, source_hash=file_version(fm), legacy_hash=source_hash(title, summary, fm.body),
        summary=summary,
        headings=headings, bundle_assets=source.bundle_assets, words=len(fm.body.split()), **page_args,
    )
    if is_official(page):
        page = replace(page, body_text=normalised(plain_text(body_html)))
    return page, check.problems


def _check_body(fm: FrontMatter, check: Checker) -> None:
    """One located error for control characters in the Markdown body, written as such or as ``&#12;``."""
    found = find_control(fm.body)
    if found is None:
        return
    line, col = position(fm.body, found.index)
    first_line = fm.source.content.count("\n") - fm.body.count("\n") + 1  # the body is the end of the file
    more = f" (and {found.count - 1} more)" if found.count > 1 else ""
    check.problems.append(Problem(
        "error", SourceLocation(fm.source.path, first_line + line, col),
        f"the text contains {describe_control(found.written)}{more}: an invisible character that web pages, "
        "feeds and calendars cannot carry",
        "delete it (text pasted from a PDF or a word processor often brings one)", "control-character"))


def _required_hint(key: str, section: str) -> str:
    examples = {"title": 'title: "Consular hours during the holidays"', "date": "date: 2026-01-11T09:30:00+04:00",
                "start": "start: 2026-01-20T19:00:00+04:00", "sector": "sector: energy"}
    return f"{section} need it: add a line {examples.get(key, key + ': …')}"


def _inherit(own: dict[str, Any], default: Mapping[str, Any]) -> tuple[dict[str, Any], set[str], set[str]]:
    """``own`` with the default-language file's inherited keys; the keys taken whole, and the mappings
    merged key by key."""
    merged = dict(own)
    inherited: set[str] = set()
    mixed: set[str] = set()
    for key in INHERITED:
        if key not in default:
            continue
        if key not in merged:
            merged[key] = default[key]
            inherited.add(key)
        elif isinstance(merged[key], Mapping) and isinstance(default[key], Mapping):
            merged[key] = {**default[key], **merged[key]}
            mixed.add(key)
    return merged, inherited, mixed


class _Values:
    """Checked access to front-matter fields; inherited ones were reported in their own file."""

    def __init__(self, check: Checker, fields: dict[str, Any], inherited: set[str], merged: set[str],
                 own: Mapping[Any, Any]):
        self.check, self.fields, self.inherited = check, fields, inherited
        self.merged, self.own = merged, own  # mappings merged with the default-language file's, and this file's
        self.quiet = Checker(check.doc, tz=check.tz, multiline=check.multiline)

    def checker(self, key: str) -> Checker:
        return self.quiet if key in self.inherited else self.check

    def get(self, key: str, method: str, *args: Any) -> Any:
        if self.fields.get(key) is None:
            return None
        return getattr(self.checker(key), method)(self.fields[key], (key,), *args)

    def text(self, key: str, allow_empty: bool = True) -> str | None:
        return self.get(key, "text", allow_empty)

    def raw(self, key: str) -> Any:
        return self.fields.get(key)

    def mapping(self, key: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        """The mapping at ``key``: of one merged with the default-language file's, only the keys this file
        writes are reported (the others were, in that file)."""
        if key in self.merged:
            self.check.mapping(self.own[key], (key,), allowed)
            return self.quiet.mapping(self.fields[key], (key,), allowed)
        return self.checker(key).mapping(self.fields[key], (key,), allowed)

    def part(self, key: str, name: str) -> Checker:
        """The checker for ``name`` in the mapping at ``key``: quiet for what the default-language file gave."""
        if key in self.merged:
            return self.check if name in self.own[key] else self.quiet
        return self.checker(key)

    def writes(self, *keys: str) -> bool:
        """Whether this file sets one of ``keys`` itself: a check of inherited values alone was reported in
        the default-language file, and repeating it in every translation would be one mistake, many messages."""
        return any(key in self.fields and key not in self.inherited for key in keys)


_MISSION_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SYNDICATE_HINT = "write syndicate: all, or syndicate: [baku, cairo], or syndicate: {regions: [caucasus], missions: [paris]}"


def _syndicate(values: _Values) -> tuple[str, ...]:
    """A ministry's item: which missions of its network carry it ("all", "mission:<id>", "region:<name>")."""
    raw = values.raw("syndicate")
    if raw is None or raw is False:
        return ()
    check = values.checker("syndicate")
    if raw == "all":
        return ("all",)
    if isinstance(raw, str):
        raw = [raw]
    targets: list[str] = []
    if isinstance(raw, list):
        named = {"missions": raw}
    else:
        named = values.mapping("syndicate", ("missions", "regions")) or {}
        if not isinstance(raw, Mapping):
            check.error(("syndicate",), f"syndicate must be all, a list of missions or {{regions: […]}}, not "
                        f"{describe(raw)}", SYNDICATE_HINT)
            return ()
    for key, kind in (("missions", "mission"), ("regions", "region")):
        names = check.text_list(named.get(key, []), ("syndicate",) if isinstance(raw, list) else ("syndicate", key))
        for name in names or ():
            if not _MISSION_ID.match(name):
                check.error(("syndicate",), f'"{name}" is not a {kind} of a network (a short name such as baku)',
                            SYNDICATE_HINT)
            else:
                targets.append(f"{kind}:{name}")
    return tuple(dict.fromkeys(targets))


def _image(values: _Values, source: SourceFile) -> Image | None:
    raw = values.raw("image")
    if raw is None:
        return None
    check = values.checker("image")
    fields = check.mapping(raw, ("image",), ("src", "alt"), required=("src", "alt"))
    if not fields or "src" not in fields or "alt" not in fields:
        return None
    src = check.text(fields["src"], ("image", "src"), allow_empty=False)
    alt = check.text(fields["alt"], ("image", "alt"), allow_empty=False)
    if not src or alt is None:
        return None
    if not re.match(r"^https?://", src):
        parts = PurePosixPath(src).parts
        if ".." in parts or "\\" in src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
            check.error(("image", "src"), f'image src "{src}" must stay inside the site',
                        "use a file in the bundle (photo.jpg), a /static/ path or an https:// address")
            return None
        if not src.startswith("/"):
            bundle = str(PurePosixPath(source.path).parent / src)
            if not source.bundle_assets:
                check.error(("image", "src"), f'image "{src}" is relative but this item is not a bundle',
                            f"move the item to {PurePosixPath(source.path).parent}/{source.slug}/index.{source.lang}.md "
                            "with the image beside it, or use /static/…")
                return None
            if bundle not in source.bundle_assets:
                check.error(("image", "src"), f'image "{src}" is not in the bundle folder',
                            f"put the file at {bundle}")
                return None
    return Image(src=src, alt=alt)


def _withdrawal(values: _Values) -> Withdrawal | None:
    raw = values.raw("withdrawn")
    if raw is None or raw is False:
        return None
    check = values.checker("withdrawn")
    fields = check.mapping(raw, ("withdrawn",), ("at", "reason"), required=("at", "reason"))
    if not fields or "at" not in fields or "reason" not in fields:
        return None
    at = check.moment(fields["at"], ("withdrawn", "at"))
    reason = check.text(fields["reason"], ("withdrawn", "reason"), allow_empty=False)
    return Withdrawal(at, reason) if at and reason else None


def _reason_in_this_language(check: Checker, own: Mapping[str, Any], default_path: str) -> None:
    """A translation's withdrawal notice shows the default-language file's reason unless it has its own."""
    withdrawn = own.get("withdrawn")
    if isinstance(withdrawn, Mapping) and withdrawn.get("reason") not in (None, ""):
        return
    check.warning(("withdrawn",) if "withdrawn" in own else (),
                  f"the withdrawal reason is written only in {default_path}: this page would show it in that language",
                  'add the reason in this language: withdrawn: {reason: "…"} (the time comes from the default-language '
                  "file)")


CHANGE_KEYS = ("at", "note", "minor")


def _changes(check: Checker, quiet: Checker, own: Mapping[str, Any], default: Mapping[str, Any] | None,
             default_path: str, date: datetime | None) -> tuple[Change, ...]:
    """``changes:`` — ``[{at, note, minor?}]`` in the default-language file, oldest first; a translation gives
    the notes in its language, in the same order (a list of texts, or of ``{note: …}``), the times and
    ``minor`` coming from the default-language file."""
    if default is None:
        return _change_list(check, own.get("changes"), date)
    base = _change_list(quiet, default.get("changes"), None)
    raw = own.get("changes")
    if raw is None:
        if base:
            check.warning((), f"the change notes are written only in {default_path}: this page would show them in "
                          "that language", "add changes: with the notes in this language, in the same order: "
                          '[{note: "…"}] (the times come from the default-language file)')
        return base
    if not isinstance(raw, list):
        check.error(("changes",), "changes is not a list", 'write the notes in order: changes: [{note: "…"}]')
        return base
    if len(raw) != len(base):
        check.error(("changes",), f"this file has {len(raw)} change notes and {default_path} has {len(base)}",
                    "give one note for each change of the default-language file, in the same order")
        return base
    notes: list[Change] = []
    for number, (entry, change) in enumerate(zip(raw, base, strict=True)):
        where: tuple[str | int, ...] = ("changes", number)
        if isinstance(entry, Mapping):
            fields = check.mapping(entry, where, CHANGE_KEYS, required=("note",)) or {}
            for key in ("at", "minor"):
                if key in fields:
                    check.error((*where, key), f"{key} of a change comes from {default_path}",
                                f"remove {key} here: a translation gives the note only")
            entry = fields.get("note")
            where = (*where, "note")
        note = check.text(entry, where, allow_empty=False)
        notes.append(Change(change.at, note or change.note, change.minor))
    return tuple(notes)


def _change_list(check: Checker, raw: Any, date: datetime | None) -> tuple[Change, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.error(("changes",), "changes is not a list",
                    'write changes: [{at: 2026-12-01T10:00:00+04:00, note: "What changed and why"}]')
        return ()
    found: list[Change] = []
    for number, entry in enumerate(raw):
        where: tuple[str | int, ...] = ("changes", number)
        fields = check.mapping(entry, where, CHANGE_KEYS, required=("at", "note"))
        if not fields or "at" not in fields or "note" not in fields:
            continue
        at = check.moment(fields["at"], (*where, "at"))
        note = check.text(fields["note"], (*where, "note"), allow_empty=False)
        minor = bool(check.boolean(fields.get("minor", False), (*where, "minor")))
        if at is None or note is None:
            continue
        if found and at <= found[-1].at:
            check.error((*where, "at"), f"this change ({at.isoformat()}) is not after the one before it "
                        f"({found[-1].at.isoformat()})", "list the changes oldest first, each at its own time")
            continue
        if date is not None and at < date:
            check.error((*where, "at"), f"this change ({at.isoformat()}) is before the item was published "
                        f"({date.isoformat()})", "check the date and time of the change")
            continue
        found.append(Change(at, note, minor))
    return tuple(found)


def _translation_ref(values: _Values, config: SiteConfig) -> TranslationRef | None:
    raw = values.raw("translation_of")
    if raw is None:
        return None
    check = values.check
    fields = check.mapping(raw, ("translation_of",), ("lang", "hash", "at"), required=("lang",))
    if not fields or "lang" not in fields:
        return None
    lang = check.choice(fields["lang"], ("translation_of", "lang"), config.language_codes)
    digest = check.text(fields.get("hash", ""), ("translation_of", "hash")) or ""
    at = check.moment(fields["at"], ("translation_of", "at")) if "at" in fields else None
    return TranslationRef(lang, digest, at) if lang else None


def _event(values: _Values) -> EventInfo | None:
    check = values.check
    start = values.get("start", "moment")
    end = values.get("end", "moment")
    if start and end and end <= start and values.writes("start", "end"):
        check.error(("end",), f"the event ends ({end.isoformat()}) before it starts ({start.isoformat()})",
                    "check the dates of start and end, and their time zones")
    all_day = bool(values.get("all_day", "boolean"))
    status = values.get("status", "choice", EVENT_STATUSES) or "scheduled"
    online_url = values.get("online_url", "url") or ""
    registration_url = values.get("registration_url", "url") or ""
    organizer = values.text("organizer") or ""
    venue = None
    if values.raw("venue") is not None:
        fields = values.mapping("venue", ("name", "address", "city", "country", "geo"))
        if fields is not None:
            lat = lon = None
            if fields.get("geo") is not None:
                place = values.part("venue", "geo")
                geo = place.mapping(fields["geo"], ("venue", "geo"), ("lat", "lon"), required=("lat", "lon")) or {}
                lat = place.number(geo["lat"], ("venue", "geo", "lat")) if "lat" in geo else None
                lon = place.number(geo["lon"], ("venue", "geo", "lon")) if "lon" in geo else None
            parts = {k: values.part("venue", k).text(fields.get(k, ""), ("venue", k)) or ""
                     for k in ("name", "address", "city", "country")}
            venue = Venue(**parts, lat=lat, lon=lon)
    if status == "moved-online" and not online_url and values.writes("status", "online_url"):
        check.warning(("status",), "the event moved online but has no online_url", "add online_url: https://…")
    if not start:
        return None
    return EventInfo(start, end, all_day, venue, online_url, registration_url, status, organizer)


RUMOUR_KEYS = ("claim", "claim_seen", "verdict", "sources")


def _rumour(values: _Values, kind: str) -> RumourInfo | None:
    """claim, claim_seen, verdict and sources: required together with kind rumour, and only with it."""
    check = values.check
    if kind != "rumour":
        written = sorted((key for key in RUMOUR_KEYS if values.writes(key)), key=lambda k: check.doc.where(k).line)
        if written:  # one mistake (the kind, or keys copied from another item), one message
            check.error((written[0],), f"{', '.join(written)} {'is' if len(written) == 1 else 'are'} for an answer "
                        "to a false claim (kind: rumour)", "set kind: rumour, or remove them")
        return None
    claim = values.text("claim", allow_empty=False)
    if isinstance(values.raw("verdict"), bool):
        values.checker("verdict").error(("verdict",), "the verdict was read as a yes/no value, not as a word",
                                        'put it in quotes: verdict: "false" (YAML reads false, true, no and yes '
                                        "without quotes as yes/no)")
        verdict = None
    else:
        verdict = values.get("verdict", "choice", VERDICTS)
    for key, value in (("claim", claim), ("verdict", verdict)):
        if value is None and values.raw(key) is None:
            check.error((), f'missing required key "{key}" for kind rumour',
                        'write claim: "the claim as it circulated" and verdict: false (or misleading, unproven, true)')
    seen: list[Sighting] = []
    raw_seen = values.raw("claim_seen")
    quiet = values.checker("claim_seen")
    if raw_seen is not None:
        if not isinstance(raw_seen, list):
            quiet.error(("claim_seen",), "claim_seen is not a list",
                        'write claim_seen: [{where: "Posts on X and Telegram", url: "https://…", at: 2026-11-16}]')
        else:
            for number, entry in enumerate(raw_seen):
                where = ("claim_seen", number)
                fields = quiet.mapping(entry, where, ("where", "url", "at"), required=("where",)) or {}
                text = quiet.text(fields.get("where"), (*where, "where"), allow_empty=False) if "where" in fields else None
                url = quiet.url(fields["url"], (*where, "url")) if "url" in fields else ""
                at = quiet.moment(fields["at"], (*where, "at")) if "at" in fields else None
                if text:
                    seen.append(Sighting(text, url or "", at))
    sources: list[Source] = []
    raw_sources = values.raw("sources")
    quiet = values.checker("sources")
    if raw_sources is not None:
        if not isinstance(raw_sources, list):
            quiet.error(("sources",), "sources is not a list", 'write sources: [{title: "…", url: "https://…"}]')
        else:
            for number, entry in enumerate(raw_sources):
                where = ("sources", number)
                fields = quiet.mapping(entry, where, ("title", "url"), required=("title", "url")) or {}
                title = quiet.text(fields.get("title"), (*where, "title"), allow_empty=False) if "title" in fields else None
                url = quiet.url(fields["url"], (*where, "url")) if "url" in fields else None
                if title and url:
                    sources.append(Source(title, url))
    if not claim or not verdict:
        return None
    return RumourInfo(claim, verdict, tuple(seen), tuple(sources))


def _investment(values: _Values) -> InvestmentInfo | None:
    check = values.check
    sector = values.text("sector", allow_empty=False)
    incentives = values.get("incentives", "text_list") or ()
    figures: list[Figure] = []
    raw_figures = values.raw("figures")
    if raw_figures is not None:
        if not isinstance(raw_figures, list):
            check.error(("figures",), "figures must be a list of {label, value}",
                        'write figures: [{label: "Exports", value: "2 bn USD"}]')
        else:
            for i, item in enumerate(raw_figures):
                fields = check.mapping(item, ("figures", i), ("label", "value"), required=("label", "value"))
                if fields and "label" in fields and "value" in fields:
                    label = check.text(fields["label"], ("figures", i, "label"))
                    value = check.text(fields["value"], ("figures", i, "value"))
                    if label is not None and value is not None:
                        figures.append(Figure(label, value))
    contact = None
    if values.raw("contact") is not None:
        fields = values.mapping("contact", ("name", "email", "phone"))
        if fields is not None:
            contact = Contact(
                name=values.part("contact", "name").text(fields.get("name", ""), ("contact", "name")) or "",
                email=(values.part("contact", "email").email(fields["email"], ("contact", "email")) or ""
                       if "email" in fields else ""),
                phone=values.part("contact", "phone").text(fields.get("phone", ""), ("contact", "phone")) or "",
            )
    if not sector:
        return None
    return InvestmentInfo(sector, tuple(incentives), tuple(figures), contact)


_IMG_SRC = re.compile(r"<img\b[^>]*?\ssrc=\"([^\"]*)\"")


def _third_party_images(body_html: str, config: SiteConfig) -> list[str]:
    """The image addresses in a body that are on a host other than the site's or those site.yml allows."""
    if "<img" not in body_html:
        return []
    allowed = {urlsplit(config.base_url).hostname or "", *config.image_hosts}
    found = []
    for match in _IMG_SRC.finditer(body_html):
        src = html.unescape(match.group(1))
        parts = urlsplit(src)
        if parts.netloc and (parts.hostname or "").lower() not in allowed:
            found.append(src)
    return found


def _line_of(fm: FrontMatter, text: str) -> int:
    """The file's first line that holds ``text``, or 0 when it is written another way there."""
    whole = fm.source.content
    at = whole.find(text, len(whole) - len(fm.body))
    return whole.count("\n", 0, at) + 1 if at >= 0 else 0


@lru_cache(maxsize=4)
def markdown_for(allow_html: bool, site_host: str) -> MarkdownIt:
    """One parser per process and setting (workers build their own)."""
    return make_markdown(allow_html, site_host)


def markdown_key(body: str, config: SiteConfig, code: str = "") -> str:
    """Cache key of a rendered body: the text, every setting that changes its HTML and ``code`` (legation's and
    its libraries' versions, see cache.code_digest)."""
    settings = f"{MARKDOWN_VERSION}|{code}|{config.allow_html}|{urlsplit(config.base_url).hostname}|{markdown_engine()}|"
    return hashlib.sha256((settings + body).encode("utf-8")).hexdigest()[:32]


#: One file of a translation group to build: the file cut at its front matter, its rendered body when the
#: Markdown cache has it, and its Markdown key when its digests are wanted (an incremental build), else "".
Member = tuple[SplitSource, Rendered | None, str]


#: One translation group to build: the config, the default-language file cut at its front matter (None when
#: there is none, or when it could not be cut), whether the group has a default-language file, and its members.
GroupTask = tuple[SiteConfig, SplitSource | None, bool, list[Member]]


def _build_group(task: GroupTask) -> list[tuple[Page | None, list[Problem]]]:
    """The pages of one translation group that need building, in order; the YAML of the default-language
    file, which the translations inherit from, is loaded once for the whole group.

    When the default-language file exists but its front matter cannot be cut or loaded, its own error is the
    one message: its translations cannot inherit from it, so they are not checked (their missing dates and
    the like would be false messages) and give no page; only errors in their own front matter are reported.
    """
    config, default_split, has_default, members = task
    md = markdown_for(config.allow_html, urlsplit(config.base_url).hostname or "")
    default: FrontMatter | None = None
    if default_split is not None:
        # a broken default-language file is reported by its own build
        with contextlib.suppress(LegationError):
            default = load_front(default_split)
    built: list[tuple[Page | None, list[Problem]]] = []
    for split, rendered, digest_key in members:
        own = split is default_split
        try:
            fm = default if own and default is not None else load_front(split)
        except LegationError as exc:
            built.append((None, list(exc.problems)))
            continue
        if not own and has_default and default is None:
            built.append((None, []))  # skipped: checked once the default-language file is fixed
            continue
        page, problems = build_page(fm, config, md, None if own else default, rendered)
        built.append(((with_digests(page, digest_key) if page is not None and digest_key else page), problems))
    return built


def parse_all(sources: list[SourceFile], config: SiteConfig, jobs: int = 1) -> tuple[list[Page], list[Problem]]:
    """Split, inherit and check every source; translations lean on the default-language file."""
    parsed = parse_cached(sources, config, jobs, {})
    return parsed.pages, parsed.problems


#: A parsed page without its body (kept in the Markdown cache under the key given first) and its warnings.
PageEntry = tuple[str, Page, tuple[Problem, ...]]


@dataclass(frozen=True)
class Parsed:
    """The pages of one build, their problems, and both caches for the next build."""

    pages: list[Page]
    problems: list[Problem]
    rendered: dict[str, Rendered]  # Markdown key -> rendered body
    entries: dict[str, PageEntry]  # page_key -> parsed page
    # (section, slug, lang) of each file that is there but gave no page: its own error, or its original's
    failed: frozenset[tuple[str, str, str]] = frozenset()
    held: dict[str, Page] = field(default_factory=dict)  # page key -> the whole page (for a resident preview)


def page_key(settings: str, source: SourceFile, default: SourceFile | None) -> str:
    """Cache key of a parsed page: its file, the default-language file it inherits from, code and config."""
    parts = [settings, source.path, source.digest or source.text, "\0".join(source.bundle_assets)]
    if default is not None:
        parts += [default.path, default.digest or default.text]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def parse_cached(sources: list[SourceFile], config: SiteConfig, jobs: int, cache: Mapping[str, Rendered],
                 known: Mapping[str, PageEntry] | None = None, code: str = "",
                 held: Mapping[str, Page] | None = None) -> Parsed:
    """parse_all, reusing rendered bodies from ``cache`` and whole parsed pages from ``known``.

    A page is reused only when its file, its default-language file, the config and ``code`` (the
    package's digest) are all the same as when it was cached, so reuse cannot change the output.
    With ``jobs`` > 1 the Markdown rendering (most of the cost) runs in worker processes;
    results are gathered in a fixed order, so the output does not depend on ``jobs`` or the caches.
    """
    known = known or {}
    problems: list[Problem] = []
    by_key: dict[tuple[str, str, str], SourceFile] = {}
    for source in sources:
        key = (source.section, source.slug, source.lang)
        if key in by_key:
            problems.append(Problem("error", SourceLocation(source.path),
                                    f"{source.path} and {by_key[key].path} both claim the same page "
                                    "(same section, slug and language)",
                                    "keep either the single file or the bundle folder", "collision"))
            continue
        by_key[key] = source
    # digested once: the config's text is kilobytes, and each page's key hashed it again (9,000 times at 3,000
    # items per language, a third of an unchanged page's cost)
    settings = hashlib.sha256(f"{code}|{config!r}".encode()).hexdigest()
    fronts: dict[tuple[str, str, str], SplitSource | None] = {}

    def front(key: tuple[str, str, str]) -> SplitSource | None:
        """The file of ``key`` cut at its front matter (its YAML is loaded by the task that builds the page)."""
        if key not in fronts:
            fronts[key] = None
            if key in by_key and by_key[key].readable:  # an unreadable file was reported by discover
                try:
                    fronts[key] = split_source(by_key[key])
                except LegationError as exc:
                    problems.extend(exc.problems)
        return fronts[key]

    slots: list[tuple[str, PageEntry | None]] = []  # (page key, cached entry) in page order
    # pages to build, by translation group (a group's files are next to each other in key order, so the
    # groups' results, one after another, come back in slot order)
    groups: dict[tuple[str, str], GroupTask] = {}
    keys: list[str] = []  # each page to build's Markdown key
    for key in sorted(by_key):
        section, slug, lang = key
        default_key = (section, slug, config.default_language)
        default = by_key.get(default_key) if lang != config.default_language else None
        pkey = page_key(settings, by_key[key], default) if code else ""
        entry = known.get(pkey) if code and by_key[key].readable else None
        if entry is not None and entry[0] in cache:
            slots.append((pkey, entry))
            continue
        fm = front(key)
        if fm is None:
            continue
        mdkey = markdown_key(fm.body, config, code)
        slots.append((pkey, None))
        has_default = default_key in by_key
        group = groups.setdefault((section, slug), (config, front(default_key) if has_default else None, has_default, []))
        group[3].append((fm, cache.get(mdkey), mdkey if pkey else ""))
        keys.append(mdkey)
    fresh = sum(1 for task in groups.values() for member in task[3] if member[1] is None)
    results = iter([built for group in fork_map(_build_group, list(groups.values()), jobs if fresh > 16 else 1)
                    for built in group])
    digests = iter(keys)
    pages: list[Page] = []
    rendered: dict[str, Rendered] = {}
    entries: dict[str, PageEntry] = {}
    whole: dict[str, Page] = {}
    for pkey, entry in slots:
        if entry is not None:
            mdkey, bare, found = entry
            body_html, headings = cache[mdkey]
            page: Page | None = (held.get(pkey) if held is not None else None) or \
                replace(bare, body_html=body_html, headings=headings)  # keeps digest and meta
            problems.extend(found)
            entries[pkey] = entry
        else:
            page, found_list = next(results)
            mdkey = next(digests)
            problems.extend(found_list)
            if page is None:
                continue
            if pkey:  # the task worked out its digests
                entries[pkey] = (mdkey, replace(page, body_html="", headings=()), tuple(found_list))
        if page is not None:
            pages.append(page)
            rendered[mdkey] = (page.body_html, page.headings)
            if pkey:
                whole[pkey] = page
    failed = frozenset(by_key) - {(p.section, p.slug, p.lang) for p in pages}
    return Parsed(_without_broken_origins(pages, by_key, config.default_language), problems, rendered, entries, failed,
                  whole)


def reparse(before: list[SourceFile], parsed: Parsed, sources: list[SourceFile], config: SiteConfig, jobs: int,
            cache: Mapping[str, Rendered], known: Mapping[str, PageEntry], code: str,
            held: Mapping[str, Page] | None = None) -> Parsed | None:
    """``parse_cached(sources, ...)`` when ``parsed`` is that of ``before`` and ``sources`` are ``before`` with some
    files read again (the same files in the same order: an edit), worked out from the edited files' translation
    groups alone (a translation inherits from its default-language file) and the rest of ``parsed``: a body edit at
    3,000 items per language parses three files, not 9,000 keys. None when that cannot stand for a parse of all
    (another file, a ministry's items, a group that had or has a problem or a page that fails): parse_cached then."""
    if not code or config.ministry is not None or len(before) != len(sources):
        return None
    edited = [(old, new) for old, new in zip(before, sources, strict=True) if old is not new]
    if any((old.path, old.section, old.slug, old.lang) != (new.path, new.section, new.slug, new.lang)
           for old, new in edited):
        return None
    groups = {(new.section, new.slug) for _, new in edited}
    again_from = [source for source in sources if (source.section, source.slug) in groups]
    paths = {source.path for source in again_from}
    if any(problem.location.path in paths for problem in parsed.problems):
        return None
    old_pages = [page for page in parsed.pages if (page.section, page.slug) in groups]
    again = parse_cached(again_from, config, jobs, cache, known, code, held)
    if again.problems or again.failed or [(p.section, p.slug, p.lang) for p in again.pages] != \
            [(p.section, p.slug, p.lang) for p in old_pages] or len(again.pages) != len(again_from):
        return None
    replaced = {id(old): new for old, new in zip(old_pages, again.pages, strict=True)}
    entries, rendered, whole = dict(parsed.entries), dict(parsed.rendered), dict(parsed.held)
    for key in [key for key, page in parsed.held.items() if id(page) in replaced]:  # the edited pages' old entries
        markdown = entries.pop(key)[0]
        del whole[key]
        rendered.pop(markdown, None)  # (another page with the same text finds it missing, and renders it again)
    entries.update(again.entries)
    rendered.update(again.rendered)
    whole.update(again.held)
    return Parsed([replaced.get(id(page), page) for page in parsed.pages], list(parsed.problems), rendered, entries,
                  parsed.failed, whole)


def parse_mission(sources: list[SourceFile], config: SiteConfig, jobs: int, cache: Mapping[str, Rendered],
                  known: Mapping[str, PageEntry], code: str = "", held: Mapping[str, Page] | None = None) -> Parsed:
    """``parse_cached`` for a site that may carry its ministry's items: those are parsed as a group of their own,
    whose translations inherit from the ministry's first language (not the mission's), and a page of theirs in a
    language the mission does not publish (read only to inherit from) is dropped."""
    link = config.ministry
    if link is None:
        return parse_cached(sources, config, jobs, cache, known, code, held)
    theirs = [s for s in sources if s.path.startswith(link.content + "/")]
    own = parse_cached([s for s in sources if not s.path.startswith(link.content + "/")], config, jobs, cache, known,
                       code, held)
    if not theirs:
        return own
    other = parse_cached(theirs, _as_ministry(config), jobs, cache, known, code, held)
    publishes = set(config.language_codes)
    return Parsed([*own.pages, *(p for p in other.pages if p.lang in publishes)], [*own.problems, *other.problems],
                  {**own.rendered, **other.rendered}, {**own.entries, **other.entries}, own.failed | other.failed,
                  {**own.held, **other.held})


def _without_broken_origins(pages: list[Page], files: Mapping[tuple[str, str, str], SourceFile],
                            default_language: str) -> list[Page]:
    """``pages`` without the translations of a default-language file that has an error (and so no page).

    Its error is the one message about the group: the translations would otherwise be reported as naming a
    file that does not exist (translation_of), which is false and sorts before the real error.
    """
    built = {(p.section, p.slug) for p in pages if p.lang == default_language}
    broken = {(section, slug) for section, slug, lang in files if lang == default_language} - built
    return [p for p in pages if p.lang == default_language or (p.section, p.slug) not in broken]


def with_digests(page: Page, mdkey: str) -> Page:
    """``page`` with its ``meta`` and ``digest`` (see Page), worked out once when it is parsed and kept in the
    page cache, so an incremental build does not digest every page of the site again.

    ``meta`` digests the page without its body, word count and source hash; ``digest`` adds those and the
    body's Markdown cache key, which names the rendered body and headings (its text, settings and code).
    """
    listed = replace(page, body_html="", headings=(), words=0, source_hash="", legacy_hash="")
    meta = hashlib.sha256(repr(listed).encode()).hexdigest()[:32]
    whole = f"{meta}|{page.words}|{page.source_hash}|{mdkey}"
    return replace(page, digest=hashlib.sha256(whole.encode()).hexdigest()[:32], meta=meta)
