"""site.yml (generator/config.py): CLDR languages, located errors with did-you-mean, snippet settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import ConfigError
from generator.sources.config import load_config, parse_config
from tests.conftest import SITE_YML


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return [f"{p.location}: {p.message} | {p.hint}" for p in caught.value.problems]


def test_languages_come_from_cldr_and_can_be_overridden() -> None:
    config = parse_config(SITE_YML.replace("  - {code: ar}", '  - {code: ar}\n  - {code: uz, name: "Oʻzbekcha"}'))
    assert config.language_codes == ("en", "ar", "uz")
    arabic = config.language("ar")
    assert arabic.direction == "rtl" and arabic.name == "العربية"
    assert config.language("en").direction == "ltr"
    assert config.language("uz").name == "Oʻzbekcha"
    assert config.timezone == "Asia/Baku" and config.default_language == "en"


def test_unknown_key_is_located_with_a_suggestion() -> None:
    found = errors(SITE_YML + "timzone: Europe/Paris\n")
    assert any(line.startswith("site.yml:8:1: unknown key \"timzone\"") and 'did you mean "timezone"' in line
               for line in found), found


@pytest.mark.parametrize(("change", "expected"), [
    (("timezone: Asia/Baku", "timezone: Asia/Bakuu"), 'did you mean "Asia/Baku"'),
    (("  - {code: ar}", "  - {code: xx}"), "xx"),
    (("default_language: en", "default_language: fr"), "fr"),
    (("base_url: \"https://embassy.example.org/\"", "base_url: 42"), "base_url"),
])
def test_wrong_values_are_errors(change: tuple[str, str], expected: str) -> None:
    found = errors(SITE_YML.replace(*change))
    assert any(expected in line for line in found), found
    assert all(line.startswith("site.yml:") for line in found)


def test_snippet_settings() -> None:
    config = parse_config(SITE_YML + "snippets:\n  platforms: [x, mastodon]\n  utm: {campaign: winter}\n"
                                     "  limits: {mastodon: 1000}\n  url_length: {mastodon: 30}\n  hashtags: [Testland]\n")
    assert config.snippets.platforms == ("x", "mastodon")
    assert config.snippets.utm_campaign == "winter" and config.snippets.utm_medium == "social"
    assert config.snippets.limits == {"mastodon": 1000} and config.snippets.url_lengths == {"mastodon": 30}
    assert any('did you mean "bluesky"' in line for line in errors(SITE_YML + "snippets: {platforms: [blusky]}\n"))
    assert any("at least 1" in line for line in errors(SITE_YML + "snippets: {limits: {x: 0}}\n"))


def test_load_config_missing_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no site\.yml"):
        load_config(tmp_path)
    (tmp_path / "site.yml").write_bytes(SITE_YML.encode() + b"description: {en: \"caf\xe9\"}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.problems[0].location.line == 8 and "UTF-8" in caught.value.problems[0].message


def test_rtl_languages_short_form_and_overrides() -> None:
    config = parse_config(SITE_YML.replace("  - {code: ar}", "  - {code: ar, direction: ltr, name: Arabic}\n"
                                           "  - fa\n  - {code: he}\n  - {code: ur}\n  - {code: az}")
                          .replace(', ar: "سفارة تستلاند"', ""))
    assert [(lang.code, lang.direction) for lang in config.languages] == [
        ("en", "ltr"), ("ar", "ltr"), ("fa", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("az", "ltr")]
    assert config.language("ar").name == "Arabic" and config.language("az").name == "Azərbaycan"


@pytest.mark.parametrize(("extra", "expected"), [
    ("paginate: ten\n", "site.yml:8:11: paginate must be a whole number"),
    ("feeds: {length: 0}\n", "site.yml:8:17: feeds.length must be at least 1"),
    ('markdown: {allow_html: "yes"}\n', "site.yml:8:24: markdown.allow_html must be true or false"),
    ("theme: ../evil\n", 'site.yml:8:8: theme "../evil" is not a folder name'),
    ("markdown: {alow_html: true}\n", 'site.yml:8:12: unknown key "alow_html" in markdown | did you mean "allow_html"'),
    ("snippets: {limits: {mastadon: 5}}\n", 'site.yml:8:21: unknown key "mastadon" in snippets.limits | did you mean "mastodon"'),
    ("snippets: {url_length: {x: -1}}\n", "site.yml:8:28: snippets.url_length.x must be at least 1, not -1"),
    ("snippets: {url_length: {x: short}}\n", "snippets.url_length.x must be a whole number"),
    ("snippets: {out_dir: ../up}\n", 'out_dir "../up" must be a folder inside the site'),
])
def test_wrong_types_are_located(extra: str, expected: str) -> None:
    found = errors(SITE_YML + extra)
    assert any(line.startswith(expected) or expected in line for line in found), found


@pytest.mark.parametrize(("change", "expected"), [
    (("{code: ar}", "{code: ar, direction: sideways}"), 'site.yml:6:27: direction must be ltr or rtl, not "sideways"'),
    (("{code: ar}", "{code: en}"), 'site.yml:6:12: language "en" is listed twice'),
    (("{code: ar}", "{code: klingon}"), 'site.yml:6:12: unknown language code "klingon"'),
    (("timezone: Asia/Baku", "timezone: 5"), 'site.yml:7:11: unknown time zone "5"'),
    (("timezone: Asia/Baku", "timezone: europe/paris"), 'did you mean "Europe/Paris"'),
    (('"https://embassy.example.org/"', '"ftp://embassy.example.org/"'), "site.yml:2:11: base_url must be an http(s) address"),
])
def test_wrong_language_zone_and_url(change: tuple[str, str], expected: str) -> None:
    found = errors(SITE_YML.replace(*change))
    assert any(line.startswith(expected) or expected in line for line in found), found


def test_load_config_from_disk_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "site.yml").write_text('base_url: "https://e.example/sub"\nlanguages: [ar]\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.base_url == "https://e.example/sub/" and config.default_language == "ar"
    assert config.timezone == "UTC" and config.paginate == 10 and config.feed_length == 20 and not config.allow_html
    assert config.snippets.limits == {} and config.snippets.url_lengths == {} and config.snippets.out_dir == "snippets"


def test_a_mission_names_its_ministrys_folder() -> None:
    assert parse_config(SITE_YML + "network: ../../\n").network == "../.."
    assert parse_config(SITE_YML).network == "" and parse_config(SITE_YML).ministry is None


@pytest.mark.parametrize("value", ["/srv/ministry", "~/ministry", "'C:/ministry'", "'..\\\\ministry'"])
def test_a_network_folder_that_is_not_relative_is_an_error(value: str) -> None:
    [found] = errors(SITE_YML + f"network: {value}\n")
    assert "network must be a folder relative to this site" in found and "../.." in found
