"""Languages and UI strings (generator/i18n.py): CLDR names and dates, catalogs merged key by key with fallback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from generator.sources.i18n import cldr_language, format_date, format_datetime, format_time, load_catalog, parse_catalog
from tests.conftest import run_build

MOMENT = datetime(2026, 12, 12, 14, 30, tzinfo=UTC)  # 18:30 in Baku


def test_dates_in_each_language_and_zone() -> None:
    assert format_date(MOMENT, "en", "Asia/Baku") == "December 12, 2026"
    assert format_date(MOMENT, "ar", "Asia/Baku") == "12 ديسمبر 2026"
    assert format_date(MOMENT, "az", "Asia/Baku") == "12 dekabr 2026"
    assert format_date(MOMENT, "uz", "Asia/Baku") == "12-dekabr, 2026"
    assert format_time(MOMENT, "az", "Asia/Baku") == "18:30"
    assert format_date(datetime(2026, 12, 31, 22, tzinfo=UTC), "en", "Asia/Baku") == "January 1, 2027"  # the zone matters
    assert "2026" in format_datetime(MOMENT, "ru", "Europe/Moscow")


def test_languages_from_cldr() -> None:
    arabic = cldr_language("ar")
    assert arabic is not None and arabic.direction == "rtl" and arabic.name == "العربية"
    uzbek = cldr_language("uz")
    assert uzbek is not None and uzbek.direction == "ltr"
    assert cldr_language("xx") is None


def test_catalogs_merge_key_by_key_and_fall_back(tmp_path: Path) -> None:
    theme, site = tmp_path / "theme", tmp_path / "site"
    theme.mkdir()
    site.mkdir()
    (theme / "en.yml").write_text('home: "Home"\nnext: "Next"\nonly_en: "Only English"\n')
    (theme / "ar.yml").write_text('home: "الرئيسية"\nnext: "التالي"\n')
    (site / "ar.yml").write_text('next: "بعده"\n')
    catalog, problems = load_catalog([theme, site], tmp_path, ["en", "ar"], "en")
    assert problems == []
    assert catalog.get("ar", "home") == "الرئيسية" and catalog.get("ar", "next") == "بعده"
    assert catalog.get("ar", "only_en") == "Only English"  # default-language fallback
    assert catalog.missing(["en", "ar"]) == [("ar", "only_en")]
    assert catalog.get("ar", "no_such_key") == "no_such_key"


def test_bad_catalog_entries_are_located() -> None:
    strings, problems = parse_catalog('home: "Home"\nactive: yes\nlist: [a, b]\n', "i18n/en.yml")
    assert strings == {"home": "Home"}
    assert [(p.location.line, p.message) for p in problems] == [(2, 'UI string "active" must be text'),
                                                                  (3, 'UI string "list" must be text')]


def test_a_misspelt_placeholder_in_the_sites_english_is_a_warning_not_a_failed_build(
        make_site: Callable[..., Path]) -> None:
    """The site overrides the theme's "Topic: {tag}"; the typo is reported where it was written, the build
    still publishes (the name is shown as written), and --strict refuses it."""
    root = make_site({"i18n/en.yml": 'tagged: "Topic: {tga}"\n'})
    report = run_build(root)
    assert report.ok, report.errors
    assert [(p.location.path, p.location.line, p.code) for p in report.warnings if "{tga}" in p.message] == [
        ("i18n/en.yml", 1, "i18n")]
    page = (root / "public" / "en" / "tags" / "consular" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Topic: {tga}</h1>" in page
    assert not run_build(root, root / "strict-public", strict=True).ok


def test_a_misspelt_key_is_one_warning_at_its_line(tmp_path: Path) -> None:
    """From a new user's trial: "read_mroe" in the site's i18n/en.yml was told as missing from each other language,
    at files that do not exist. It is one warning, at its line, with the key it likely means; a key of the site's
    own templates (close to none of the theme's) is still one to translate."""
    theme, site = tmp_path / "theme", tmp_path / "i18n"
    theme.mkdir()
    site.mkdir()
    (theme / "en.yml").write_text('read_more: "Read more"\nshare: "Share"\n', encoding="utf-8")
    (theme / "ar.yml").write_text('read_more: "اقرأ المزيد"\nshare: "شارك"\n', encoding="utf-8")
    (site / "en.yml").write_text('share: "Share this"\nread_mroe: "More"\nembassy_hours: "Opening hours"\n',
                                 encoding="utf-8")
    catalog, problems = load_catalog([theme, site], tmp_path, ["en", "ar"], "en")
    assert [(p.location.path, p.location.line, p.message, p.hint.split("?")[0]) for p in problems] == [
        ("i18n/en.yml", 2, 'unknown UI string "read_mroe": the theme has no such string', 'did you mean "read_more"')]
    assert catalog.missing(["ar"]) == [("ar", "embassy_hours")]
