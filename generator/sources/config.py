"""site.yml text → SiteConfig (DESIGN §3), every problem located in site.yml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import available_timezones

from ..core.checks import Checker
from ..core.errors import ConfigError, SourceLocation, did_you_mean
from ..core.model import PLATFORMS, Language, SiteConfig, SnippetsConfig
from ..core.yamltext import load_yaml
from .delivery import deploy_config, notify_config
from .i18n import cldr_language, known_language_codes
from .mission import atproto_did, channels, contact_details, reference_pattern, security_contact

CONFIG_FILE = "site.yml"

#: Top-level keys of site.yml and what each one means.
KEYS: Mapping[str, str] = MappingProxyType({
    "title": "Site title per language: {en: …, ar: …}",
    "description": "Short site description per language, for search engines and feeds",
    "base_url": "Absolute address where the site is served, e.g. https://embassy.example.org/",
    "default_language": "Code of the language used for the root page, x-default and fallbacks",
    "languages": "List of {code, name?, direction?}; order is the language switcher's order",
    "timezone": "IANA time zone for dates written without an offset, e.g. Asia/Baku",
    "theme": "Theme name: themes/<name> in the site, else a built-in or installed theme; pin a package: name==2.1.0",
    "social": "Official accounts, by platform: {x: https://x.com/…, mastodon: https://…/@…} (handles accepted)",
    "atproto_did": "The DID that proves a Bluesky handle on the site's own domain (/.well-known/atproto-did)",
    "security": "security.txt (RFC 9116): {contact: [mailto:…], expires_days: 180, preferred_languages, policy}",
    "statements": 'The public register of statements: {reference: "VEL-BAK-{year}-{seq:03d}"}',
    "contact": "The mission's offices, emergency line and holidays: {offices: [{name, address, phone, email, hours}]}",
    "snippets": "Cross-post snippets: {platforms, utm: {medium, campaign}, hashtags, out_dir, limits, url_length}",
    "share_cards": "Share images for item pages: missing (the default: items without an image of their own), always, off",
    "search": "Site search with Pagefind, a search page per language: true (the default) or false",
    "paginate": "Items per page in section lists (default 10)",
    "feeds": "Feed settings: {length: 20}",
    "markdown": "Markdown settings: {allow_html: false, image_hosts: [photos.example.org]}",
    "tags": "Localized tag names: {tag: {ar: …, az: …}}",
    "translations": "Missing-translation policy: {fallback_to_default: false}",
    "deploy": "Where `legation deploy` publishes: {targets: {name: url}, max_delete: 50}",
    "notify": "What `legation notify` sends: {kinds, alerts, tags, email: {from, lists, host}, telegram: {chat}}",
    "network": "The ministry's folder, holding network.yml, when this site is one of its missions: ../..",
})
LANGUAGE_KEYS = ("code", "name", "direction")
SHARE_CARD_MODES = ("missing", "always", "off")
SNIPPET_KEYS = ("platforms", "utm", "hashtags", "out_dir", "limits", "url_length")
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows."""
    return _zones()


def parse_config(text: str, path: str = CONFIG_FILE) -> SiteConfig:
    """Parse site.yml text; raise ConfigError listing every problem found."""
    doc = load_yaml(text, path, error=ConfigError)
    check = Checker(doc, kind="config")
    raw = check.mapping(doc.data, (), tuple(KEYS), required=("base_url", "languages"))
    if raw is None:
        raise ConfigError(check.problems)

    languages = _languages(check, raw.get("languages"))
    codes = tuple(lang.code for lang in languages)
    default = raw.get("default_language", codes[0] if codes else "en")
    if codes and default not in codes:
        check.error(("default_language",), f'default_language "{default}" is not one of the languages ({", ".join(codes)})',
                    did_you_mean(str(default), codes) or "add it to languages or pick one of them")

    base_url = check.url(raw.get("base_url"), ("base_url",)) or "https://example.org/"
    if not base_url.endswith("/"):
        base_url += "/"

    tz = raw.get("timezone", "UTC")
    if not isinstance(tz, str) or tz not in _zones():
        hint = did_you_mean(str(tz), _zones()) if isinstance(tz, str) else ""
        check.error(("timezone",), f'unknown time zone "{tz}"', hint or "use an IANA name such as Europe/Paris or Asia/Baku")
        tz = "UTC"
    theme = check.text(raw.get("theme", "default"), ("theme",), allow_empty=False) or "default"
    theme, theme_version = pinned_theme(check, theme.strip(), ("theme",))

    title = _per_language(check, raw.get("title", {}), ("title",), codes)
    description = _per_language(check, raw.get("description", {}), ("description",), codes)
    official = channels(check, raw.get("social", {}))
    social = {channel.platform: channel.handle for channel in official}
    paginate = check.integer(raw.get("paginate", 10), ("paginate",), minimum=1) or 10

    feeds = check.mapping(raw.get("feeds", {}), ("feeds",), ("length",)) or {}
    feed_length = check.integer(feeds.get("length", 20), ("feeds", "length"), minimum=1) or 20
    markdown = check.mapping(raw.get("markdown", {}), ("markdown",), ("allow_html", "image_hosts")) or {}
    allow_html = bool(check.boolean(markdown.get("allow_html", False), ("markdown", "allow_html")))
    image_hosts = check.text_list(markdown.get("image_hosts", []), ("markdown", "image_hosts")) or ()
    for i, host in enumerate(image_hosts):
        if not _HOST.fullmatch(host):
            check.error(("markdown", "image_hosts", i), f'"{host}" is not a host name',
                        "write the host alone, such as photos.example.org (no https://, no path)")
    policy = check.mapping(raw.get("translations", {}), ("translations",), ("fallback_to_default",)) or {}
    fallback = bool(check.boolean(policy.get("fallback_to_default", False), ("translations", "fallback_to_default")))

    tags: dict[str, dict[str, str]] = {}
    raw_tags = raw.get("tags", {})
    if check.mapping(raw_tags, ("tags",), tuple(str(k) for k in raw_tags) if isinstance(raw_tags, dict) else ()) is not None:
        for tag, names in raw_tags.items():
            tags[str(tag)] = _per_language(check, names, ("tags", str(tag)), codes)

    snippets = _snippets(check, raw.get("snippets", {}))
    did = atproto_did(check, raw.get("atproto_did"))
    pattern = reference_pattern(check, raw.get("statements"))
    security = security_contact(check, raw.get("security"), codes)
    contact = contact_details(check, raw.get("contact"), codes)
    deploy = deploy_config(check, raw.get("deploy", {}))
    notify = notify_config(check, raw.get("notify", {}), codes)
    search = bool(check.boolean(raw.get("search", True), ("search",)))
    share_cards = raw.get("share_cards", "missing")
    if share_cards is False:  # YAML 1.1 reads a bare `off` as false
        share_cards = "off"
    if share_cards not in SHARE_CARD_MODES:
        check.error(("share_cards",), f"share_cards must be one of {', '.join(SHARE_CARD_MODES)}, not {share_cards!r}",
                    did_you_mean(str(share_cards), SHARE_CARD_MODES) or "write share_cards: missing")
        share_cards = "missing"

    network = _network(check, raw.get("network", ""))

    if check.problems:
        raise ConfigError(check.problems)
    return SiteConfig(
        title=title, base_url=base_url, default_language=str(default), languages=languages,
        timezone=tz, theme=theme, description=description, social=social, snippets=snippets,
        paginate=paginate, feed_length=feed_length, allow_html=allow_html, tags=tags,
        image_hosts=tuple(host.lower() for host in image_hosts),
        fallback_to_default=fallback, deploy=deploy, notify=notify, channels=official, atproto_did=did,
        security=security, contact=contact, reference_pattern=pattern, search=search,
        share_cards=share_cards, network=network, theme_version=theme_version, theme_named="theme" in raw,
    )


def load_config(root: Path) -> SiteConfig:
    """Read ``root/site.yml`` and parse it."""
    return parse_config(settings_text(root, CONFIG_FILE, "run legation in the site's folder or pass --root DIR"),
                        CONFIG_FILE)


def settings_text(root: Path, name: str, where_hint: str) -> str:
    """The text of a settings file (site.yml, network.yml) in ``root``; a located error when it is missing or is
    not UTF-8 (``where_hint``: where to run legation instead)."""
    file = root / name
    if not file.is_file():
        raise ConfigError.at(SourceLocation(name), f"no {name} in {root}", where_hint, "config-missing")
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError.at(SourceLocation(name, line, col), f"{name} is not UTF-8 text", "save it as UTF-8",
                             "encoding") from None


def _languages(check: Checker, value: Any) -> tuple[Language, ...]:
    if not isinstance(value, list) or not value:
        check.error(("languages",), "languages must be a non-empty list", "write languages: [{code: en}, {code: ar}]")
        return ()
    out: list[Language] = []
    for i, entry in enumerate(value):
        keys: tuple[str | int, ...] = ("languages", i)
        if isinstance(entry, str):
            entry = {"code": entry}
        fields = check.mapping(entry, keys, LANGUAGE_KEYS, required=("code",))
        if not fields or "code" not in fields:
            continue
        code = check.text(fields["code"], (*keys, "code"))
        if code is None:
            continue
        info = cldr_language(code) if _CODE.match(code) else None
        if info is None:
            check.error((*keys, "code"), f'unknown language code "{code}"',
                        did_you_mean(code, known_language_codes()) or "use a code CLDR knows, such as en, ar, az, uz")
            continue
        if code in (lang.code for lang in out):
            check.error((*keys, "code"), f'language "{code}" is listed twice', "remove one of them")
            continue
        name = check.text(fields.get("name", info.name), (*keys, "name"), allow_empty=False) or info.name
        direction = fields.get("direction", info.direction)
        if direction not in ("ltr", "rtl"):
            check.error((*keys, "direction"), f'direction must be ltr or rtl, not "{direction}"')
            direction = info.direction
        out.append(Language(code=code, name=name, direction=direction, locale=info.locale))
    return tuple(out)


def _per_language(check: Checker, value: Any, keys: tuple[str | int, ...], codes: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, str):
        return {code: value for code in codes}
    fields = check.mapping(value, keys, codes)
    if fields is None:
        return {}
    out: dict[str, str] = {}
    for code, text in fields.items():
        checked = check.text(text, (*keys, code))
        if checked is not None:
            out[code] = checked
    return out


def _snippets(check: Checker, value: Any) -> SnippetsConfig:
    fields = check.mapping(value, ("snippets",), SNIPPET_KEYS)
    if fields is None:
        return SnippetsConfig()
    platforms: list[str] = []
    for i, name in enumerate(check.text_list(fields.get("platforms", []), ("snippets", "platforms")) or ()):
        if name not in PLATFORMS:
            check.error(("snippets", "platforms", i), f'unknown platform "{name}"',
                        did_you_mean(name, PLATFORMS) or f"use one of: {', '.join(PLATFORMS)}")
        elif name not in platforms:
            platforms.append(name)
    utm = check.mapping(fields.get("utm", {}), ("snippets", "utm"), ("medium", "campaign")) or {}
    medium = check.text(utm.get("medium", "social"), ("snippets", "utm", "medium")) or "social"
    campaign = check.text(utm.get("campaign", ""), ("snippets", "utm", "campaign")) or ""
    hashtags = check.text_list(fields.get("hashtags", []), ("snippets", "hashtags")) or ()
    out_dir = check.text(fields.get("out_dir", "snippets"), ("snippets", "out_dir"), allow_empty=False) or "snippets"
    if out_dir.startswith("/") or ".." in Path(out_dir).parts:
        check.error(("snippets", "out_dir"), f'out_dir "{out_dir}" must be a folder inside the site', 'use e.g. "snippets"')
    limits = _platform_numbers(check, fields.get("limits", {}), "limits")
    url_lengths = _platform_numbers(check, fields.get("url_length", {}), "url_length")
    return SnippetsConfig(tuple(platforms), medium, campaign, tuple(hashtags), out_dir, limits, url_lengths)


def _platform_numbers(check: Checker, value: Any, key: str) -> dict[str, int]:
    """`limits: {mastodon: 1000}`: a positive number per known platform (a Mastodon instance's own limit)."""
    fields = check.mapping(value, ("snippets", key), PLATFORMS) or {}
    out: dict[str, int] = {}
    for name, number in fields.items():
        checked = check.integer(number, ("snippets", key, name), minimum=1)
        if checked is not None:
            out[name] = checked
    return out


def _network(check: Checker, value: Any) -> str:
    """A relative folder (``..`` allowed: the ministry's folder is above its missions'), with /."""
    if value in ("", None):
        return ""
    text = check.text(value, ("network",), allow_empty=False)
    if text is None:
        return ""
    text = text.strip().rstrip("/") or "."
    if text.startswith(("/", "~")) or "\\" in text or re.match(r"^[A-Za-z]:", text):
        check.error(("network",), f'network must be a folder relative to this site, not "{text}"',
                    "write the path from this site's folder to the ministry's, such as ../..")
        return ""
    return text


def pinned_theme(check: Checker, text: str, keys: tuple[str, ...]) -> tuple[str, str]:
    """``veloria==2.1.0`` → ("veloria", "==2.1.0"): a theme's name, and the versions (PEP 440) an installed theme
    package must have ("" when not pinned); a located error (at ``keys``) for a name that is no folder name."""
    cut = next((i for i, c in enumerate(text) if c in "=<>!~"), len(text))
    name, version = text[:cut].strip(), text[cut:].replace(" ", "")
    if not re.match(r"^[A-Za-z0-9_.-]+$", name) or name.startswith("."):
        check.error(keys, f'theme "{name}" is not a folder name', "use letters, digits, - and _ only")
        name = "default"
    if version:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            SpecifierSet(version)
        except InvalidSpecifier:
            check.error(keys, f'"{version}" is not a version pin', 'write theme: "veloria==2.1.0" or '
                        'theme: "veloria>=2,<3"')
            version = ""
    return name, version
