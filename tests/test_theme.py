"""Theme inheritance, template lookup order and UI strings (site over theme over parents, default-language fallback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SITE_YML, run_build

CHILD_THEME = {
    "site.yml": SITE_YML.replace("timezone: Asia/Baku", "timezone: Asia/Baku\ntheme: embassy"),
    "themes/embassy/theme.yml": "extends: default\n",
    # the child reaches its parent's item.html explicitly and adds to one block
    "themes/embassy/templates/item.html": ('{% extends "default:item.html" %}\n{% block content %}'
                                           '<p class="child-banner">Child theme</p>{{ super() }}{% endblock %}\n'),
    "themes/embassy/i18n/en.yml": 'latest_announcements: "Latest news"\n',
    "themes/embassy/static/extra.css": "body { color: black; }\n",
}


def test_child_theme_extends_default_and_reaches_its_parent(make_site: Callable[..., Path]) -> None:
    root = make_site(CHILD_THEME)
    report = run_build(root)
    assert report.ok, report.errors
    item = (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert '<p class="child-banner">Child theme</p>' in item and "Opening hours" in item  # parent's block kept
    home = (root / "public/en/index.html").read_text(encoding="utf-8")
    assert "Latest news" in home and "Latest announcements" not in home  # the child's UI string wins
    assert (root / "public/static/extra.css").is_file() and (root / "public/static/style.css").is_file()


def test_site_templates_win_over_every_theme(make_site: Callable[..., Path]) -> None:
    root = make_site({**CHILD_THEME, "templates/item.html": (
        '{% extends "base.html" %}{% block content %}<p class="site-override">{{ page.title }}</p>{% endblock %}\n')})
    assert run_build(root).ok
    item = (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert '<p class="site-override">Consular hours</p>' in item and "child-banner" not in item


def test_site_i18n_overrides_single_keys(make_site: Callable[..., Path]) -> None:
    root = make_site({"i18n/ar.yml": 'latest_announcements: "آخر الأخبار"\n'})
    assert run_build(root).ok
    home = (root / "public/ar/index.html").read_text(encoding="utf-8")
    assert "آخر الأخبار" in home
    assert "الإعلانات" in home  # every other Arabic string still comes from the theme


def test_missing_key_falls_back_to_default_language_with_one_warning(make_site: Callable[..., Path]) -> None:
    root = make_site({
        "site.yml": SITE_YML.replace("timezone: Asia/Baku", "timezone: Asia/Baku\ntheme: sparse"),
        "themes/sparse/theme.yml": "extends: default\n",
        "themes/sparse/i18n/en.yml": 'motto: "Serving citizens abroad"\n',
        "themes/sparse/templates/home.html": '{% extends "default:home.html" %}{% block content %}'
                                             '<p class="motto">{{ t("motto") }}</p>{{ super() }}{% endblock %}\n',
    })
    report = run_build(root)
    assert report.ok
    assert '<p class="motto">Serving citizens abroad</p>' in (root / "public/ar/index.html").read_text(encoding="utf-8")
    warnings = [w for w in report.warnings if w.code == "i18n-missing"]
    assert len(warnings) == 1 and warnings[0].location.path == "i18n/ar.yml" and "motto" in warnings[0].message
    assert warnings[0].message.startswith("1 UI string is missing in ar (motto)")  # not "1 UI strings are"


def test_theme_errors_are_located(make_site: Callable[..., Path]) -> None:
    root = make_site({"site.yml": SITE_YML + "theme: defualt\n"})
    report = run_build(root)
    assert not report.ok and 'did you mean "default"' in report.errors[0].hint
    loop = make_site({"site.yml": SITE_YML + "theme: a\n", "themes/a/theme.yml": "extends: b\n",
                      "themes/b/theme.yml": "extends: a\n"})
    report = run_build(loop)
    assert not report.ok and "loop" in report.errors[0].message


SECTOR_SITE = {
    "site.yml": SITE_YML + 'tags:\n  green-energy: {en: "Green energy", ar: "الطاقة الخضراء"}\n',
    "content/investment/solar.en.md": ('---\ntitle: "Solar parks"\ndate: 2026-11-01T10:00:00+04:00\n'
                                       "sector: green-energy\n---\nInvest.\n"),
    "content/investment/solar.ar.md": '---\ntitle: "حدائق الطاقة الشمسية"\n---\nاستثمر.\n',
}


def test_investment_cards_name_the_sector_in_the_page_language(make_site: Callable[..., Path]) -> None:
    """A card on the home and investment list pages shows the sector's name from site.yml `tags`, as the item page does."""
    root = make_site(SECTOR_SITE)
    report = run_build(root)
    assert report.ok, report.errors
    for lang, label in (("en", "Sector: Green energy"), ("ar", "القطاع: الطاقة الخضراء")):
        for page in (f"public/{lang}/index.html", f"public/{lang}/investment/index.html"):
            html = (root / page).read_text(encoding="utf-8")
            assert label in html, page
            assert "green-energy" not in html.replace("/green-energy", ""), page  # the slug is never shown as text


def test_the_scheduled_note_gives_the_time_in_the_site_zone_in_each_language(make_site: Callable[..., Path]) -> None:
    """A scheduled item seen in a preview says when it goes out: the date and the time (CLDR) in the site's zone."""
    root = make_site({
        "site.yml": SITE_YML.replace("  - {code: ar}\n", "  - {code: ar}\n  - {code: az}\n"),
        "content/announcements/visa-fees.en.md": ('---\ntitle: "New visa fees"\ndate: 2026-11-20T10:00:00+04:00\n'
                                                  "publish_at: 2026-11-25T10:00:00Z\n---\nFees.\n"),
        "content/announcements/visa-fees.ar.md": '---\ntitle: "رسوم التأشيرة الجديدة"\n---\nالرسوم.\n',
        "content/announcements/visa-fees.az.md": '---\ntitle: "Yeni viza rüsumları"\n---\nRüsumlar.\n',
    })
    report = run_build(root, drafts=True)
    assert report.ok, report.errors
    notes = {}
    for lang in ("en", "ar", "az"):
        html = (root / f"public/{lang}/announcements/visa-fees/index.html").read_text(encoding="utf-8")
        notes[lang] = html.split('<p class="notice notice-preview">', 1)[1].split("</p>", 1)[0]
    # 10:00 UTC is 14:00 in Baku (UTC+4)
    assert notes["en"] == "Scheduled: will be published on November 25, 2026 at 2:00\u202fPM (Asia/Baku time)."
    assert notes["ar"] == "مجدول: سيُنشر بتاريخ 25 نوفمبر 2026 الساعة 2:00 م (بتوقيت Asia/Baku)."
    assert notes["az"] == "Planlaşdırılıb: 25 noyabr 2026, saat 14:00 (Asia/Baku vaxtı) dərc olunacaq."


# ------------------------------------------------------------------ themes shipped as installed packages


def install_theme(where: Path, version: str = "2.1.0", banner: str = "Ministry theme") -> Path:
    """A theme distribution as pip leaves it in site-packages: the package (the theme's folder) and its
    .dist-info naming it in the legation.themes entry points."""
    package = where / "veloria_theme"
    (package / "templates").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("raise RuntimeError('a theme is files: never imported')\n", encoding="utf-8")
    (package / "theme.yml").write_text("extends: default\n", encoding="utf-8")
    (package / "templates/item.html").write_text(
        '{% extends "default:item.html" %}\n{% block content %}<p class="ministry-banner">' + banner +
        "</p>{{ super() }}{% endblock %}\n", encoding="utf-8")
    for old in where.glob("veloria_theme-*.dist-info"):
        for file in old.iterdir():
            file.unlink()
        old.rmdir()
    info = where / f"veloria_theme-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: veloria-theme\nVersion: {version}\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[legation.themes]\nveloria = veloria_theme\n", encoding="utf-8")
    return where


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = install_theme(tmp_path / "site-packages")
    monkeypatch.syspath_prepend(str(where))
    return where


def with_theme(theme: str) -> dict[str, str]:
    return {"site.yml": SITE_YML.replace("timezone: Asia/Baku", f'timezone: Asia/Baku\ntheme: "{theme}"')}


@pytest.mark.parametrize("theme", ["veloria", "veloria==2.1.0", "veloria>=2,<3", "veloria ~= 2.1"])
def test_an_installed_theme_package_is_used_and_extends_the_default(make_site: Callable[..., Path], packages: Path,
                                                                   theme: str) -> None:
    root = make_site(with_theme(theme))
    report = run_build(root)
    assert report.ok, report.errors
    item = (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert '<p class="ministry-banner">Ministry theme</p>' in item and "Opening hours" in item


@pytest.mark.parametrize(("theme", "expected", "hint"), [
    ("veloria>=3", "pinned to >=3, but veloria-theme 2.1.0 is installed", 'pip install "veloria-theme>=3"'),
    ("default==1.0", "not an installed theme package", "without a version"),
    ("embassy==1.0", "not an installed theme package", "without a version"),
])
def test_a_pin_the_installed_theme_does_not_meet_is_a_located_error(make_site: Callable[..., Path], packages: Path,
                                                                    theme: str, expected: str, hint: str) -> None:
    root = make_site(with_theme(theme))
    report = run_build(root)
    assert not report.ok
    first = report.errors[0]
    assert first.location.path == "site.yml" and expected in first.message and hint in first.hint


def test_a_pin_that_is_no_version_specifier_is_a_config_error(make_site: Callable[..., Path]) -> None:
    report = run_build(make_site(with_theme("veloria==")))
    assert not report.ok and '"==" is not a version pin' in report.errors[0].message


def test_a_sites_own_theme_of_that_name_wins_over_the_package(make_site: Callable[..., Path], packages: Path) -> None:
    root = make_site({**with_theme("veloria"), "themes/veloria/theme.yml": "extends: default\n"})
    assert run_build(root).ok
    item = (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert "ministry-banner" not in item


def test_a_mission_extends_the_ministrys_theme_package(make_site: Callable[..., Path], packages: Path) -> None:
    root = make_site({"site.yml": SITE_YML.replace("timezone: Asia/Baku", "timezone: Asia/Baku\ntheme: baku"),
                      "themes/baku/theme.yml": "extends: veloria\n",
                      "themes/baku/i18n/en.yml": 'latest_announcements: "From Baku"\n'})
    assert run_build(root).ok
    assert "ministry-banner" in (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert "From Baku" in (root / "public/en/index.html").read_text(encoding="utf-8")


def test_an_upgraded_theme_package_is_not_taken_for_no_change(make_site: Callable[..., Path], packages: Path) -> None:
    root = make_site(with_theme("veloria"))
    assert run_build(root).ok
    assert run_build(root).written == 0
    install_theme(packages, "2.2.0", banner="Ministry theme 2.2")
    report = run_build(root)
    assert report.ok and report.written > 0
    assert "Ministry theme 2.2" in (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
