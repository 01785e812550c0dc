"""generator/i18n.py: dates and times through Babel in the site's zone, and UI-string catalogs loaded from folders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.core.model import Language
from generator.sources.i18n import Catalog, format_date, format_time, load_catalog, parse_catalog

MOMENT = datetime(2026, 12, 12, 14, 30, tzinfo=UTC)  # 18:30 in Baku, 09:30 in New York


@pytest.mark.parametrize(("lang", "day", "short_time"), [
    ("en", "December 12, 2026", "6:30\u202fPM"),
    ("ar", "12 ديسمبر 2026", "6:30 م"),
    ("az", "12 dekabr 2026", "18:30"),
    ("uz", "12-dekabr, 2026", "18:30"),
])
def test_date_and_time_per_language_in_the_zone(lang: str, day: str, short_time: str) -> None:
    assert format_date(MOMENT, lang, "Asia/Baku") == day
    assert format_time(MOMENT, lang, "Asia/Baku") == short_time


def test_the_zone_decides_the_day_and_the_hour() -> None:
    late = datetime(2026, 12, 31, 21, tzinfo=UTC)
    assert format_date(late, "en", "Asia/Baku") == "January 1, 2027"
    assert format_date(late, "en", "America/New_York") == "December 31, 2026"
    assert format_date(late, "en") == "December 31, 2026"  # no zone: the value's own
    assert format_time(MOMENT, "az", "America/New_York") == "09:30"


def test_formats_locale_objects_and_plain_dates() -> None:
    uzbek = Language("uz", "oʻzbek", "ltr", "uz")
    assert format_date(MOMENT, uzbek, "Asia/Baku", "full") == "shanba, 12-dekabr, 2026"
    assert format_date(date(2026, 3, 8), "az") == "8 mart 2026"
    assert format_date(MOMENT, "ar", "Asia/Baku", "full") == "السبت، 12 ديسمبر 2026"


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_later_folders_win_key_by_key(tmp_path: Path) -> None:
    parent = write(tmp_path / "themes/base/i18n", {"en.yml": 'home: "Home"\nnext: "Next"\nmore: "More"\n',
                                                   "az.yml": 'home: "Ana səhifə"\nnext: "Növbəti"\n'})
    child = write(tmp_path / "themes/child/i18n", {"en.yml": 'next: "Onwards"\n'})
    site = write(tmp_path / "i18n", {"az.yml": 'next: "Sonrakı"\n', "uz.yml": 'home: "Bosh sahifa"\n'})
    catalog, problems = load_catalog([parent, child, site], tmp_path, ["en", "az", "uz"], "en")
    assert problems == []
    assert catalog.strings["en"] == {"home": "Home", "next": "Onwards", "more": "More"}
    assert catalog.strings["az"] == {"home": "Ana səhifə", "next": "Sonrakı"}
    assert catalog.get("az", "more") == "More" and catalog.get("uz", "next") == "Onwards"  # default-language fallback
    assert catalog.get("uz", "home") == "Bosh sahifa"
    assert catalog.get("az", "no.such.key") == "no.such.key"
    assert catalog.missing(["en", "az", "uz"]) == [("az", "more"), ("uz", "more"), ("uz", "next")]


def test_languages_not_asked_for_are_not_read(tmp_path: Path) -> None:
    folder = write(tmp_path / "i18n", {"en.yml": 'home: "Home"\n', "fr.yml": 'home: "Accueil"\n'})
    catalog, _ = load_catalog([folder], tmp_path, ["en"], "en")
    assert set(catalog.strings) == {"en"}
    assert Catalog({}, "en").missing(["ar"]) == []


def test_malformed_yaml_is_a_located_problem(tmp_path: Path) -> None:
    folder = write(tmp_path / "i18n", {"en.yml": 'home: "Home"\n', "ar.yml": 'home: "الرئيسية"\n  next: : :\nmore: "x"\n'})
    catalog, problems = load_catalog([folder], tmp_path, ["en", "ar"], "en")
    assert len(problems) == 1
    problem = problems[0]
    assert problem.severity == "error" and problem.code == "yaml"
    assert (problem.location.path, problem.location.line) == ("i18n/ar.yml", 2)
    assert problem.message.startswith("YAML:") and problem.hint
    assert catalog.get("ar", "home") == "Home"  # the broken file is skipped, the default language still answers


def test_a_catalog_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "i18n", {})
    (folder / "en.yml").write_bytes('home: "Ana səhifə"\n'.encode("utf-16"))
    _, problems = load_catalog([folder], tmp_path, ["en"], "en")
    assert [(p.location.path, p.code) for p in problems] == [("i18n/en.yml", "encoding")]


def test_one_instant_in_two_zones_is_two_wall_clock_times() -> None:
    """Formatted times are memoised; equal instants in different zones must not share an entry."""
    assert format_time(MOMENT, "az", "Asia/Baku") != format_time(MOMENT, "az", "America/New_York") == "09:30"
    assert format_time(MOMENT.astimezone(ZoneInfo("Asia/Baku")), "az") != format_time(
        MOMENT.astimezone(ZoneInfo("America/New_York")), "az")
    assert format_date(datetime(2026, 12, 31, 21, tzinfo=UTC), "en", "Asia/Baku") != format_date(
        datetime(2026, 12, 31, 21, tzinfo=UTC), "en", "America/New_York")


@pytest.mark.parametrize(("text", "why"), [
    ("noch {count} Zeichen}", "stray"), ("{count left", "stray"), ("{} left", "{}"), ("{0} left", "{0}"),
    ("{count.real} left", "{count.real}"), ("{count:>5} left", "{count:>5}"), ("{count!r} left", "{count!r}"),
])
def test_a_ui_string_that_cannot_be_filled_in_is_a_located_error(text: str, why: str) -> None:
    """str.format would raise in the middle of rendering: it is refused where the file is read."""
    strings, problems = parse_catalog(f'read_more: "Read"\nsnippet.remaining: "{text}"\n', "i18n/de.yml")
    assert strings == {"read_more": "Read"}
    assert [(p.location.path, p.location.line, p.code) for p in problems] == [("i18n/de.yml", 2, "i18n")]
    assert why in problems[0].message and "snippet.remaining" in problems[0].message


def test_ui_strings_with_plain_placeholders_are_kept() -> None:
    text = 'snippet.remaining: "متبقٍ {count}"\npage_of: "Page {number} of {total}"\nplain: "No braces"\n'
    strings, problems = parse_catalog(text, "i18n/ar.yml")
    assert problems == [] and strings["snippet.remaining"] == "متبقٍ {count}"


def test_a_translation_with_a_placeholder_the_default_string_lacks_is_a_located_warning(tmp_path: Path) -> None:
    """{cnt} for {count} would otherwise fail only when a page first uses the string."""
    theme = write(tmp_path / "theme", {"en.yml": 'snippet.remaining: "{count} left"\nhome: "Home"\n'})
    site = write(tmp_path / "i18n", {"ar.yml": 'home: "الرئيسية"\nsnippet.remaining: "متبقٍ {cnt}"\n',
                                     "az.yml": 'snippet.remaining: "{count} qalıb"\n'})
    _, problems = load_catalog([theme, site], tmp_path, ["en", "ar", "az"], "en")
    assert [(p.severity, p.location.path, p.location.line, p.code) for p in problems] == [
        ("warning", "i18n/ar.yml", 2, "i18n")]
    assert "{cnt}" in problems[0].message and "{count}" in problems[0].hint
    # the site's override of the default string is checked against the string it overrides (the theme's,
    # whose templates fill it in); the translations are still checked against the theme's too
    write(site, {"en.yml": 'home: "Start"\nsnippet.remaining: "{cnt} left"\n'})
    _, problems = load_catalog([theme, site], tmp_path, ["en", "ar", "az"], "en")
    assert [(p.location.path, p.location.line, p.message.split(" uses ")[1].split(",")[0]) for p in problems] == [
        ("i18n/en.yml", 2, "{cnt}"), ("i18n/ar.yml", 2, "{cnt}")]
    assert "theme/en.yml, line 1" in problems[0].message and "({count})" in problems[0].hint


def test_a_child_theme_may_add_a_placeholder_its_own_templates_fill_in(tmp_path: Path) -> None:
    """The most derived theme's string is the reference: the site and translations are checked against it."""
    base = write(tmp_path / "base", {"en.yml": 'shown: "{count} items"\n', "ar.yml": 'shown: "{count} عناصر"\n'})
    child = write(tmp_path / "child", {"en.yml": 'shown: "{shown} of {count} items"\n'})
    site = write(tmp_path / "i18n", {"az.yml": 'shown: "{count} elementdən {shown}"\n',
                                     "en.yml": 'shown: "{shwn} of {count}"\n'})
    _, problems = load_catalog([base, child, site], tmp_path, ["en", "ar", "az"], "en")
    assert [(p.location.path, p.message.split(" uses ")[1].split(",")[0]) for p in problems] == [("i18n/en.yml", "{shwn}")]
    assert "child/en.yml, line 1" in problems[0].message and "pages show {shwn} as written" in problems[0].message


def test_a_key_only_the_site_defines_is_its_own_reference(tmp_path: Path) -> None:
    theme = write(tmp_path / "theme", {"en.yml": 'home: "Home"\n'})
    site = write(tmp_path / "i18n", {"en.yml": 'visa_fee: "Fee: {amount}"\n', "ar.yml": 'visa_fee: "الرسوم: {amont}"\n'})
    _, problems = load_catalog([theme, site], tmp_path, ["en", "ar"], "en")
    assert [(p.location.path, p.location.line) for p in problems] == [("i18n/ar.yml", 1)]
    assert "{amont}" in problems[0].message and "({amount})" in problems[0].hint


def test_text_fills_placeholders_and_leaves_an_unknown_one_as_written() -> None:
    catalog = Catalog({"en": {"tagged": "Topic: {tag}", "typo": "Topic: {tga}", "braces": "{{literal}}"},
                       "ar": {"tagged": "الموضوع: {tag}"}}, "en")
    assert catalog.text("ar", "tagged", tag="ثقافة") == "الموضوع: ثقافة"
    assert catalog.text("en", "typo", tag="Culture") == "Topic: {tga}"
    assert catalog.text("en", "braces", tag="x") == catalog.text("en", "braces") == "{literal}"  # alike, with or without
    assert catalog.text("en", "tagged") == "Topic: {tag}"  # nothing to fill in: the name stays
    assert catalog.text("ar", "missing_key", count=1) == "missing_key"
