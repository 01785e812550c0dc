"""`legation new`: scaffold an item in one or more languages, every front-matter key present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..core.controls import hidden
from ..core.errors import LegationError, SourceLocation, did_you_mean
from ..core.model import ALERT_LEVELS, ANNOUNCEMENT_KINDS, EVENT_STATUSES, SECTIONS, SiteConfig
from ..sources.content import CONTENT_DIR, RESERVED_PAGE_SLUGS, SLUG, slugify

PLACEHOLDER_BODY = "Write the text here. Markdown: ## headings, **bold**, [links](https://example.org), lists, tables.\n"


@dataclass(frozen=True)
class NewFile:
    path: str  # relative to the site root
    text: str


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(config: SiteConfig, section: str, slug: str, lang: str, translate_to: tuple[str, ...],
             title: str, now: datetime) -> list[NewFile]:
    """The files to create; raises LegationError for an unknown section, unsafe slug or language."""
    where = SourceLocation(f"{CONTENT_DIR}/{section}/{slug}")
    if section not in SECTIONS:
        raise LegationError.at(SourceLocation(CONTENT_DIR), f'unknown section "{section}"',
                               did_you_mean(section, SECTIONS) or f"use one of: {', '.join(SECTIONS)}", "section")
    if not SLUG.match(slug) or (section == "pages" and slug in RESERVED_PAGE_SLUGS):
        raise LegationError.at(where, f'"{slug}" is not a safe URL slug',
                               f'use "{slugify(slug)}{"-page" if slug in RESERVED_PAGE_SLUGS else ""}": '
                               "lowercase letters, digits and hyphens", "slug")
    for code in (lang, *translate_to):
        if code not in config.language_codes:
            raise LegationError.at(SourceLocation("site.yml"), f'language "{code}" is not one of the site\'s languages',
                                   did_you_mean(code, config.language_codes) or
                                   f"use one of: {', '.join(config.language_codes)}", "language")
    if hidden(title) or any(char in title for char in "\t\n\r"):  # a newline would start a front-matter key
        raise LegationError.at(SourceLocation("--title"), "the title holds a line break, a control character or a "
                               "text-direction mark", "give the title on one line, as plain text", "title")
    local = now.astimezone(ZoneInfo(config.timezone)).replace(microsecond=0)
    shown_title = title or slug.replace("-", " ").capitalize()
    source_text = _source(section, shown_title, local)
    files = [NewFile(f"{CONTENT_DIR}/{section}/{slug}.{lang}.md", source_text)]
    for code in translate_to:
        if code != lang:
            files.append(NewFile(f"{CONTENT_DIR}/{section}/{slug}.{code}.md",
                                 _translation(section, slug, code, lang, shown_title)))
    return files


def _source(section: str, title: str, local: datetime) -> str:
    stamp = local.isoformat()
    lines = ["---", f"title: {_q(title)}"]
    if section != "pages":
        lines.append(f"date: {stamp}")
    lines += [
        '# summary: "One or two sentences shown in lists, feeds and social posts"',
        "# tags: [consular, travel]",
        '# image: {src: "photo.jpg", alt: "What the photo shows"}   # src beside index.<lang>.md in a bundle',
        "# draft: true",
        f"# publish_at: {(local + timedelta(days=1)).isoformat()}   # not published before this time",
        f"# expires_at: {(local + timedelta(days=30)).isoformat()}   # leaves lists and feeds after this time",
        '# withdrawn: {at: ' + stamp + ', reason: "Why it was withdrawn"}',
    ]
    if section == "announcements":
        lines += [f"kind: news   # {' | '.join(ANNOUNCEMENT_KINDS)}",
                  f"# alert: warning   # {' | '.join(ALERT_LEVELS)}: a banner on every page until expires_at"]
    elif section == "events":
        start = (local + timedelta(days=14)).replace(hour=18, minute=0, second=0)
        lines += [
            f"start: {start.isoformat()}",
            f"end: {(start + timedelta(hours=2)).isoformat()}",
            "# all_day: true",
            f"status: scheduled   # {' | '.join(EVENT_STATUSES)}",
            'venue: {name: "", address: "", city: "", country: ""}   # add geo: {lat: 40.37, lon: 49.84}',
            "# online_url: https://example.org/stream",
            "# registration_url: https://example.org/register",
            '# organizer: "Embassy"',
        ]
    elif section == "investment":
        lines += [
            "sector: energy",
            '# incentives: ["Tax holiday for 7 years", "Duty-free import of equipment"]',
            '# figures: [{label: "Installed capacity", value: "1.2 GW"}]',
            '# contact: {name: "Trade section", email: "trade@example.org", phone: "+000 00 000 0000"}',
        ]
    elif section == "pages":
        lines.append("# menu: 1   # position in the main menu")
    lines += ["---", "", PLACEHOLDER_BODY]
    return "\n".join(lines)


def _translation(section: str, slug: str, lang: str, source_lang: str, title: str) -> str:
    # No version yet: the source is still a placeholder. `legation translated` (or `legation translate import`)
    # records the version of the source this translation is made from, once it is.
    lines = [
        "---",
        f"title: {_q(title)}   # translate the title",
        "draft: true   # remove this line when the translation is ready, then run:",
        f"# legation translated {section}/{slug} --lang {lang}",
        '# summary: ""',
        f"translation_of: {{lang: {source_lang}}}",
        "# Dates, tags, image, event times, venue position and sector come from the "
        f"{source_lang} file; set a key here only to change it.",
    ]
    if section == "events":
        lines.append('# venue: {name: "", address: "", city: "", country: ""}')
    if section == "investment":
        lines.append("# incentives: []")
    lines += ["---", "", PLACEHOLDER_BODY]
    return "\n".join(lines)
