"""Languages from CLDR, dates in each language, and UI-string catalogs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel.localedata import locale_identifiers

from ..core.errors import LegationError, Problem, SourceLocation
from ..core.model import Language
from ..core.paths import shown_path
from ..core.yamltext import load_yaml


@cache
def known_language_codes() -> tuple[str, ...]:
    return tuple(sorted(code for code in locale_identifiers() if "_" not in code))


def cldr_language(code: str) -> Language | None:
    """Name (in itself) and direction of ``code`` from CLDR, or None if unknown."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
    name = locale.get_display_name(locale) or code
    name = name[:1].upper() + name[1:]
    if locale.character_order == "right-to-left":
        return Language(code=code, name=name, direction="rtl", locale=str(locale))
    return Language(code=code, name=name, direction="ltr", locale=str(locale))


def _locale(lang: Language | str) -> str:
    return lang.locale if isinstance(lang, Language) else lang


def format_date(value: date | datetime, lang: Language | str, tz: str | None = None, fmt: str = "long") -> str:
    """A date in the language's CLDR format (e.g. 11 yanvar 2026)."""
    if isinstance(value, datetime) and tz:
        value = value.astimezone(ZoneInfo(tz))
    day = value.date() if isinstance(value, datetime) else value
    return _cldr_date(day, fmt, _locale(lang))


def format_time(value: datetime, lang: Language | str, tz: str | None = None) -> str:
    if tz:
        value = value.astimezone(ZoneInfo(tz))
    return _cldr_time(value, value.isoformat(), str(value.tzinfo), _locale(lang))


# A site shows the same few hundred days in every list, feed and card: Babel formats each once per process.
@lru_cache(maxsize=16384)
def _cldr_date(day: date, fmt: str, locale: str) -> str:
    return babel_dates.format_date(day, format=fmt, locale=locale)


@lru_cache(maxsize=4096)
def _cldr_time(moment: datetime, stamp: str, zone: str, locale: str) -> str:
    """``stamp`` and ``zone`` are part of the key: equal instants in two zones compare equal as datetimes."""
    return babel_dates.format_time(moment, format="short", locale=locale)


def format_datetime(value: datetime, lang: Language | str, tz: str | None = None) -> str:
    if tz:
        value = value.astimezone(ZoneInfo(tz))
    return babel_dates.format_datetime(value, format="long", locale=_locale(lang), tzinfo=value.tzinfo).rstrip()


def language_name(code: str, in_lang: Language | str) -> str:
    """The name of language ``code`` said in ``in_lang``."""
    try:
        return Locale.parse(_locale(in_lang)).languages.get(code, code)
    except (UnknownLocaleError, ValueError):
        return code


@dataclass(frozen=True)
class Catalog:
    """UI strings per language, already merged (site over theme over parents)."""

    strings: dict[str, dict[str, str]]
    default_language: str
    misspelt: frozenset[str] = frozenset()  # the site's keys that look like a theme key misspelt (told once)

    def get(self, lang: str, key: str) -> str:
        own = self.strings.get(lang, {})
        if key in own:
            return own[key]
        fallback = self.strings.get(self.default_language, {})
        return fallback.get(key, key)

    def text(self, lang: str, key: str, **values: object) -> str:
        """``get`` with its placeholders filled in from ``values``.

        A placeholder no value is given for (a misspelt ``{cuont}``, which load_catalog warns about) is left
        as written rather than failing the build in the middle of rendering; ``{{`` and ``}}`` are braces.
        """
        return self.get(lang, key).format_map(_Unfilled(values))

    def effective(self, lang: str) -> dict[str, str]:
        """Every string ``get`` gives in ``lang``: its own, else the default language's (what its pages depend on)."""
        return {**self.strings.get(self.default_language, {}), **self.strings.get(lang, {})}

    def missing(self, languages: Iterable[str]) -> list[tuple[str, str]]:
        """(lang, key) pairs that fall back to the default language."""
        keys = sorted(set(self.strings.get(self.default_language, {})) - self.misspelt)
        return [(lang, key) for lang in languages for key in keys if key not in self.strings.get(lang, {})]


class _Unfilled(dict[str, object]):
    """Values for str.format_map; a name without one stays ``{name}``."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def parse_catalog(text: str, path: str) -> tuple[dict[str, str], list[Problem]]:
    """One ``i18n/<lang>.yml`` file → flat key → string map."""
    out, _, problems = _parse_located(text, path)
    return out, problems


def _parse_located(text: str, path: str) -> tuple[dict[str, str], dict[str, SourceLocation], list[Problem]]:
    """parse_catalog, plus where each string is."""
    doc = load_yaml(text, path)
    problems: list[Problem] = []
    if not isinstance(doc.data, Mapping):
        if doc.data in (None, {}):
            return {}, {}, problems
        problems.append(Problem("error", doc.where(), "a UI-string file must be a mapping of key: text",
                                'write lines like read_more: "Read more"', "i18n"))
        return {}, {}, problems
    out: dict[str, str] = {}
    where: dict[str, SourceLocation] = {}
    for key, value in doc.data.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(Problem("error", doc.where(str(key)), f'UI string "{key}" must be text',
                                    "put the value in double quotes", "i18n"))
            continue
        text = str(value)
        wrong = _placeholder_problem(text)
        if wrong:
            problems.append(Problem("error", doc.where(str(key)), f'UI string "{key}": {wrong}',
                                    "placeholders are plain names in braces, like {count}; remove the stray brace", "i18n"))
            continue
        out[str(key)] = text
        where[str(key)] = doc.where(str(key))
    return out, where, problems


def _placeholders(text: str) -> set[str]:
    """The names in braces of a string that passed _placeholder_problem."""
    if "{" not in text:
        return set()
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _unknown_placeholders(strings: Mapping[str, Mapping[str, str]], where: Mapping[tuple[str, str], SourceLocation],
                          reference: Mapping[str, tuple[str, SourceLocation]], default_language: str) -> list[Problem]:
    """A string that uses a placeholder its reference string does not: legation may not pass it.

    The reference for a key is the theme's default-language string for it (the most derived theme that has
    one; the site's own when no theme has the key): the theme's author wrote the templates that fill it in.
    Every string in use is checked against it, the site's override of the default-language string too, so a
    misspelt name (``{cnt}`` for ``{count}``) is reported where it was written; Catalog.text then leaves it
    as written. A warning, since a template may pass a name the reference omits.
    """
    problems = []
    for lang, entries in strings.items():
        for key, text in entries.items():
            if key not in reference or where[(lang, key)] == reference[key][1]:
                continue
            original, origin = reference[key]
            extra = sorted(_placeholders(text) - _placeholders(original))
            if not extra:
                continue
            known = ", ".join(f"{{{name}}}" for name in sorted(_placeholders(original))) or "none"
            shown = ", ".join(f"{{{name}}}" for name in extra)
            if lang == default_language:
                message = (f"which the string it overrides ({origin.path}, line {origin.line}) does not: pages show "
                           f"{shown} as written")
                hint = f"use only the placeholders of the string it overrides ({known}); check the spelling"
            else:
                message = f"which the {default_language} string does not: pages show {shown} as written"
                hint = f"use only the placeholders of the {default_language} string ({known}); check the spelling"
            problems.append(Problem("warning", where[(lang, key)], f'UI string "{key}" uses {shown}, {message}',
                                    hint, "i18n"))
    return problems


def _placeholder_problem(text: str) -> str:
    """Why ``text`` cannot be filled in with str.format(name=…), or "" (a stray brace, {}, {0}, {a.b}, {a:>3})."""
    if "{" not in text and "}" not in text:
        return ""
    try:
        fields = list(Formatter().parse(text))
    except ValueError as exc:
        return f"{exc} (a stray {{ or }})"
    for _, name, spec, conversion in fields:
        if name is not None and (not name.isidentifier() or spec or conversion):
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return f"the placeholder {{{shown}}} is not a plain name"
    return ""


def load_catalog(
    dirs: Iterable[Path], root: Path, languages: Iterable[str], default_language: str
) -> tuple[Catalog, list[Problem]]:
    """Merge ``<dir>/<lang>.yml`` from ``dirs``; later dirs win key by key.

    ``dirs`` are the theme chain's folders, base theme first, then the site's own folder last: the themes'
    default-language strings are the reference the site's strings and every translation are checked against.
    """
    strings: dict[str, dict[str, str]] = {}
    where: dict[tuple[str, str], SourceLocation] = {}
    reference: dict[str, tuple[str, SourceLocation]] = {}  # key → its first default-language string, and where
    problems: list[Problem] = []
    folders = list(dirs)
    theirs_keys: set[str] = set()  # every key a theme's files define, in any language
    for number, folder in enumerate(folders):
        for lang in languages:
            file = folder / f"{lang}.yml"
            if not file.is_file():
                continue
            shown = shown_path(file, root)
            try:
                text = file.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                problems.append(Problem("error", SourceLocation(shown), f"not UTF-8 text ({exc.reason})",
                                        "save the file as UTF-8", "encoding"))
                continue
            try:
                entries, located, found = _parse_located(text, shown)
            except LegationError as exc:
                problems.extend(exc.problems)
                continue
            problems.extend(found)
            strings.setdefault(lang, {}).update(entries)
            where.update(((lang, key), location) for key, location in located.items())
            if number < len(folders) - 1:
                theirs_keys.update(entries)
            if lang == default_language:
                theirs = number < len(folders) - 1  # a theme's folder, not the site's own (the last)
                for key, text in entries.items():
                    if theirs or key not in reference:
                        reference[key] = (text, located[key])
    problems.extend(_unknown_placeholders(strings, where, reference, default_language))
    misspelt = _misspelt_keys(strings, where, theirs_keys, problems) if theirs_keys else frozenset()
    return Catalog(strings, default_language, misspelt), problems


def _misspelt_keys(strings: dict[str, dict[str, str]], where: Mapping[tuple[str, str], SourceLocation],
                   theirs: set[str], problems: list[Problem]) -> frozenset[str]:
    """A site's key that no theme defines and that is very close to one a theme does is a misspelling: told once, at
    its line, with the key it likely means, and not asked to be translated (from a new user's trial: "read_mroe" in
    i18n/en.yml was told as missing from every other language, at files that do not exist). It stays in the
    catalog (a site template may use it); a key of the site's own templates, close to none, is as before."""
    found: set[str] = set()
    for lang in sorted(strings):
        for key in sorted(strings[lang]):
            if key in theirs or key in found:
                continue
            close = difflib.get_close_matches(key, sorted(theirs), n=1, cutoff=0.85)  # a letter or two off
            meant = close[0] if close else ""
            if meant:
                found.add(key)
                problems.append(Problem("warning", where[(lang, key)], f'unknown UI string "{key}": the theme has '
                                        "no such string", f'did you mean "{meant}"? (a string for your own '
                                        "templates needs a name unlike the theme's)", "i18n"))
    return frozenset(found)
