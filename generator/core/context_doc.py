"""The template context, documented in one table that docs/themes.md is generated from.

tests/test_context_doc.py renders every kind of page and fails when a variable
is added, removed or documented for the wrong kind, so the docs cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("chooser", "404", "home", "list", "tags", "tag", "item", "channels", "rumours", "statements", "check", "search")


@dataclass(frozen=True)
class ContextVariable:
    name: str
    type: str
    kinds: tuple[str, ...]
    description: str


CONTEXT: tuple[ContextVariable, ...] = (
    ContextVariable("config", "SiteConfig", ALL, "site.yml, checked: title, base_url, languages, timezone, social, …"),
    ContextVariable("site_title", "str", ALL, "The site title in this page's language"),
    ContextVariable("lang", "Language", ALL, "This page's language: code, name, direction (ltr/rtl), locale"),
    ContextVariable("languages", "tuple[Language, ...]", ALL, "Every site language, in switcher order"),
    ContextVariable("default_language", "Language", ALL, "The site's default language"),
    ContextVariable("t", "(key: str, **values) -> str", ALL,
                    "UI string in this page's language (site i18n over theme over parents, default-language fallback)"),
    ContextVariable("url", "(path: str) -> str", ALL, "Absolute URL of a site path, for feeds, canonical and Open Graph"),
    ContextVariable("href", "(path: str) -> str", ALL, "Link target for a site path (adds base_url's path prefix)"),
    ContextVariable("relative_url", "str", ALL, "This page's site path, e.g. /ar/events/"),
    ContextVariable("canonical", "str", ALL, "This page's absolute canonical URL"),
    ContextVariable("alternates", "list[Alternate]", ALL,
                    "hreflang links (hreflang, href) of this page in every language it exists in, plus x-default"),
    ContextVariable("switcher", "list[SwitchOption]", ALL,
                    "Language switcher: language, href (same item, else that language's section list), current, available"),
    ContextVariable("menu", "tuple[Page, ...]", ALL, "Pages with `menu:` in this language, in menu order"),
    ContextVariable("alerts", "tuple[Page, ...]", ALL, "Active alerts in this language, most severe first"),
    ContextVariable("sections", "tuple[str, ...]", ALL, "The content sections: announcements, events, investment, pages"),
    ContextVariable("section_url", "(section: str) -> str", ALL, "Site path of a section's list in this language"),
    ContextVariable("tag_url", "(tag: str) -> str", ALL, "Site path of a tag's page in this language"),
    ContextVariable("tag_label", "(tag: str) -> str", ALL, "A tag's name in this language (site.yml `tags`)"),
    ContextVariable("now", "datetime", ALL, "The build clock"),
    ContextVariable("current_section", "str", ALL, "The section of a list or item page, else empty"),
    ContextVariable("kind", "str", ALL,
                    "One of chooser, 404, home, list, tags, tag, item, channels, rumours, statements, check, search"),
    ContextVariable("page_title", "str", ALL, "This page's title, for <title> and Open Graph"),
    ContextVariable("description", "str", ALL, "Summary of the item, else the site description in this language"),
    ContextVariable("status_of", "(page: Page) -> str", ALL,
                    "A page's status by the build clock: published, draft, scheduled, expired, withdrawn"),
    ContextVariable("is_upcoming", "(page: Page) -> bool", ALL, "Whether an event has not ended by the build clock"),
    ContextVariable("feeds", "list[FeedLink]", ALL,
                    "Feeds for the head (title, href, type): this section's or tag's RSS and Atom first, "
                    "then the language's all-items RSS and Atom, always the last two"),
    ContextVariable("json_ld", "str", ALL,
                    "schema.org JSON-LD for this page, escaped for a <script> block (empty when none); output with `| safe`"),
    ContextVariable("calendar_url", "str", ALL,
                    "Site path of the .ics file for this page: the event's own, or the language's calendar; else empty"),
    ContextVariable("indexable", "bool", ALL, "False for pages search engines should skip (404, expired, withdrawn)"),
    ContextVariable("channels", "tuple[Channel, ...]", ALL,
                    "The mission's official accounts (site.yml `social:`): platform, name, url, handle"),
    ContextVariable("channels_url", "str", ALL, "Site path of this language's official channels page; empty without channels"),
    ContextVariable("statements_url", "str", ALL, "Site path of this language's Official statements page; empty without any"),
    ContextVariable("reference", "str", ("item",), "The item's public reference (statements, consular notices, alerts)"),
    ContextVariable("qr_svg", "str", ("item",), "An inline SVG QR code of the page's address, for the printed statement"),
    ContextVariable("ministry_name", "str", ("item",), "On an item the ministry syndicates to this mission: the "
                    "ministry's name in the page's language, its label (\"\" on the site's own items)"),
    ContextVariable("ministry_url", "str", ("item",), "On an item the ministry syndicates: its page at the ministry, "
                    "which is also its canonical address (\"\" on the site's own items)"),
    ContextVariable("references", "dict[tuple[str, str], str]", ("statements",), "(section, slug) → public reference"),
    ContextVariable("fingerprint", "str", ("statements", "check", "channels"),
                    "Fingerprint of the key that signs statements.json; empty when it is not signed"),
    ContextVariable("search_url", "str", ALL, "Site path of this language's search page; empty without search"),
    ContextVariable("share_image", "ShareImage | None", ALL,
                    "What the page is shared with (og:image): url, alt, width, height; the item's image or its "
                    "share card, else None"),
    ContextVariable("folded", "str", ("search",), "The languages whose queries search.js folds (ə→e, ı→i, apostrophes)"),
    ContextVariable("rumours_url", "str", ALL, "Site path of this language's Rumours and facts page; empty without any"),
    ContextVariable("contact", "ContactDetails | None", ALL,
                    "site.yml `contact:`: offices (name, address, phone, email, hours per language), emergency, holidays"),
    ContextVariable("homes", "list[tuple[Language, str, str]]", ("chooser", "404"),
                    "(language, home path, site title in that language) for every language"),
    ContextVariable("latest", "tuple[Page, ...]", ("home",), "The five newest announcements"),
    ContextVariable("upcoming", "tuple[Page, ...]", ("home",), "The next five upcoming events"),
    ContextVariable("highlights", "tuple[Page, ...]", ("home",), "The three newest investment pages"),
    ContextVariable("section", "str", ("list",), "The listed section"),
    ContextVariable("items", "tuple[Page, ...]", ("list", "tag", "rumours", "statements"), "The pages listed on this page"),
    ContextVariable("upcoming_items", "list[Page]", ("list",), "Of `items`, the events that have not ended"),
    ContextVariable("past_items", "list[Page]", ("list",), "Of `items`, everything else"),
    ContextVariable("pagination", "Pagination", ("list",), "number, total, prev_url, next_url"),
    ContextVariable("tags", "list[TagLink]", ("tags",), "Every tag used in this language: label, url, count"),
    ContextVariable("tag", "str", ("tag",), "The tag, as written in the content"),
    ContextVariable("label", "str", ("tag",), "The tag's name in this language"),
    ContextVariable("page", "Page", ("item",),
                    "The item: title, summary, date, updated, tags, image, body_html, headings, event, investment, …"),
    ContextVariable("status", "str", ("item",), "published, draft, scheduled, expired or withdrawn"),
    ContextVariable("stale", "bool", ("item",), "True when this translation's source changed since it was translated"),
    ContextVariable("source_page", "Page | None", ("item",), "The page this one was translated from"),
    ContextVariable("translations", "dict[str, Page]", ("item",), "This item in every language it exists in"),
)

TEMPLATES = (
    ("base.html", "Layout every page extends: head, header, language switcher, menu, alert banners, footer"),
    ("home.html", "Home of one language (kind home)"),
    ("list.html", "Section list, paginated (kind list); list-<section>.html wins when present"),
    ("item.html", "Item page (kind item); <section>.html wins when present"),
    ("partials/events.html, partials/investment.html", "Section-specific blocks included by item.html"),
    ("tag.html, tags.html", "One tag's items; every tag of a language"),
    ("chooser.html", "The root language chooser /index.html"),
    ("404.html", "The not-found page"),
    ("channels.html", "The official channels of one language (kind channels), when site.yml names any"),
    ("partials/contact.html", "The mission's offices, emergency line and hours: footer and contact page"),
    ("rumours.html", "Every answer to a false claim in one language (kind rumours), newest first"),
    ("statements.html", "The register of official statements in one language, with references (kind statements)"),
    ("check.html", "Check a statement: a form that static/check.js answers in the browser (kind check)"),
    ("search.html", "Search one language: a form that static/search.js answers with Pagefind (kind search); its "
                    "block csp_script adds 'wasm-unsafe-eval' to this page's policy alone"),
    ("partials/announcements.html", "The claim, where it circulated and the verdict of an item of kind rumour"),
)


def markdown() -> str:
    """docs/themes.md."""
    lines = [
        "# Themes",
        "",
        "<!-- Generated by `python -m generator.core.context_doc > docs/themes.md`; a test fails when it is stale. -->",
        "",
        "A theme is a folder `themes/<name>/` with `templates/` (Jinja), `i18n/<lang>.yml` (UI strings),",
        "`static/` (copied to `/static/`) and an optional `theme.yml`:",
        "",
        "```yaml",
        "extends: default   # inherit everything not overridden here",
        "```",
        "",
        "Templates are looked up in this order: the site's own `templates/`, the theme, its parents",
        "(following `extends`), then the installed themes. A template can reach a specific theme's",
        'version explicitly with the `name:` prefix, e.g. `{% extends "default:base.html" %}` in an',
        "override of `base.html`. A site's own `themes/<name>` wins over a built-in theme of that name, and a",
        "built-in theme over an installed one.",
        "",
        "**A theme as a package.** A ministry ships one theme to every mission as a Python distribution: its",
        "package folder is the theme (`templates/`, `static/`, `i18n/`, `theme.yml`; the package is found, never",
        "imported), named in the `legation.themes` entry points of its `pyproject.toml`:",
        "",
        "```toml",
        '[project.entry-points."legation.themes"]',
        'veloria = "veloria_theme"   # theme name = the package (a top-level one) whose folder is the theme',
        "```",
        "",
        "After `pip install veloria-theme`, a site uses it with `theme: veloria`, pins it with",
        '`theme: "veloria==2.1.0"` (any PEP 440 specifier: a build with another version installed stops with an',
        "error saying what to install), or extends it from a theme of its own (`extends: veloria`). A new version",
        "installed is a change the next build sees.",
        "",
        "UI strings: the theme's `i18n/<lang>.yml` (parents first), overridden key by key by the site's",
        "`i18n/<lang>.yml`. A key missing in a language falls back to the default language and is",
        "reported once as a warning. Templates call `t(\"key\")`, with `{name}` placeholders filled from",
        "keyword arguments: `t(\"page_of\", number=2, total=5)` (`{{` and `}}` are literal braces). The theme's",
        "default-language string names the placeholders its templates fill in: a site or translation string",
        "using another name (`{totl}`) is a warning at its file and line, and the page shows it as written.",
        "",
        "Templates run in Jinja's sandbox: they read the context below, but no Python internals (an attribute",
        "beginning with `_`, a function's globals): a template cannot run a command in the build, whoever wrote it.",
        "Rendering is autoescaped and uses `StrictUndefined`: a misspelt variable is an error naming",
        "the template and line. Layouts should use CSS logical properties (`margin-inline-start`,",
        "`inset-inline-end`, `text-align: start`) so right-to-left languages need no special cases;",
        "`<html>` carries `lang` and `dir`. Filters: `date` (CLDR long date in the page's language and",
        "the site's time zone; `date(\"full\")`, `date(\"short\")`), `time`, `datetime`, and `absolute(base)`",
        "(an absolute URL for a path read relative to the site path `base`, e.g. `page.image.src | absolute(page.url)`).",
        "",
        "## Templates",
        "",
        "| template | renders |",
        "|---|---|",
        *(f"| `{name}` | {text} |" for name, text in TEMPLATES),
        "",
        "## Context",
        "",
        "| variable | type | pages | meaning |",
        "|---|---|---|---|",
    ]
    for var in CONTEXT:
        kinds = "all" if var.kinds == ALL else ", ".join(var.kinds)
        lines.append(f"| `{var.name}` | `{var.type.replace('|', '&#124;')}` | {kinds} | {var.description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
