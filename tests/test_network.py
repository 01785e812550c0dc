"""network.yml (generator/sources/network.py): the ministry and its missions, every mistake located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.core.errors import ConfigError, Problem
from generator.sources.network import check_missions, load_network, parse_network
from tests.conftest import DEMO_MINISTRY, copy_ministry

GOOD = """\
ministry:
  name: {en: "Ministry of Foreign Affairs", ar: "وزارة الخارجية"}
  base_url: https://mfa.example/
  languages: [en, ar]
missions:
  - {id: baku, site: missions/baku, base_url: "https://baku.example/", languages: [en, ar], timezone: Asia/Baku}
  - {id: cairo, site: missions/cairo, base_url: "https://cairo.example", languages: [ar], timezone: Africa/Cairo,
     region: middle-east}
"""


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        parse_network(text)
    return list(caught.value.problems)


def test_a_network_is_read_with_its_missions_in_order() -> None:
    network, warnings = parse_network(GOOD)
    assert warnings == []
    assert network.ministry.name["ar"] == "وزارة الخارجية" and network.ministry.languages == ("en", "ar")
    assert [m.id for m in network.missions] == ["baku", "cairo"]
    cairo = network.mission("cairo")
    assert cairo is not None and cairo.base_url == "https://cairo.example/"  # a slash is added, as in site.yml
    assert (cairo.site, cairo.languages, cairo.timezone, cairo.region) == ("missions/cairo", ("ar",), "Africa/Cairo",
                                                                          "middle-east")


def test_an_unknown_key_is_located_with_a_did_you_mean() -> None:
    [problem] = problems_of(GOOD.replace("  base_url: https://mfa.example/", "  base_ur1: https://mfa.example/\n"
                                         "  base_url: https://mfa.example/"))
    assert 'unknown key "base_ur1"' in problem.message and "base_url" in problem.hint
    assert (problem.location.path, problem.location.line) == ("network.yml", 3)


def test_two_missions_with_one_id_or_one_base_url_or_one_folder_are_errors() -> None:
    text = GOOD.replace("id: cairo, site: missions/cairo, base_url: \"https://cairo.example\"",
                        "id: baku, site: missions/baku, base_url: \"https://baku.example/\"")
    messages = [p.message for p in problems_of(text)]
    assert any('two missions have the id "baku"' in m for m in messages)
    assert any("share the folder missions/baku" in m for m in messages)
    assert any("have one base URL, https://baku.example/" in m for m in messages)
    assert all(p.location.line == 7 for p in problems_of(text))


def test_a_mission_at_the_ministrys_address_is_an_error() -> None:
    [problem] = problems_of(GOOD.replace("https://baku.example/", "https://mfa.example/"))
    assert "the ministry's base URL" in problem.message and problem.location.line == 6


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("site: missions/baku", "site: ../elsewhere", "must be a folder inside the ministry's folder"),
    ("site: missions/baku", "site: /srv/baku", "must be a folder inside the ministry's folder"),
    ("id: baku", "id: Baku Embassy", "is not a short name"),
    ("timezone: Asia/Baku", "timezone: Asia/Bakuu", 'unknown time zone "Asia/Bakuu"'),
    ("languages: [en, ar], timezone", "languages: [en, en], timezone", "en is listed twice"),
    ("languages: [en, ar], timezone", "languages: [], timezone", "must list one language at least"),
    ("missions:\n  - {id: baku", "missions: {}\nunused:\n  - {id: baku", "missions must be a list"),
])
def test_wrong_values_are_located_and_explained(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = problems_of(GOOD.replace(old, new, 1))
    assert any(expected in p.message for p in found), [p.message for p in found]
    assert all(p.location.path == "network.yml" and p.location.line > 0 for p in found)


def test_an_unknown_time_zone_suggests_the_nearest_one() -> None:
    [problem] = problems_of(GOOD.replace("Asia/Baku", "Asia/Bakuu"))
    assert "Asia/Baku" in problem.hint


def test_a_mission_language_the_ministry_never_publishes_is_a_warning_not_an_error() -> None:
    network, warnings = parse_network(GOOD.replace("languages: [ar], timezone", "languages: [ar, fr], timezone"))
    [warning] = warnings
    assert warning.severity == "warning" and "publishes in fr, which the ministry does not" in warning.message
    assert warning.location.line == 7 and network.mission("cairo") is not None


def test_the_demo_network_and_its_missions_agree(tmp_path: Path) -> None:
    network, warnings = load_network(DEMO_MINISTRY)
    assert warnings == [] and len(network.missions) >= 4
    assert {code for m in network.missions for code in m.languages} >= {"en", "ar", "az", "uz"}
    assert len({m.timezone for m in network.missions}) >= 4  # missions in different host countries
    assert check_missions(DEMO_MINISTRY, network) == []


def test_a_mission_whose_site_yml_disagrees_with_network_yml_is_an_error_in_its_site_yml(tmp_path: Path) -> None:
    root = copy_ministry(tmp_path / "ministry")
    config = root / "missions/paris/site.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Europe/Paris", "Europe/Brussels"), encoding="utf-8")
    shutil.rmtree(root / "missions/cairo")
    network, _warnings = load_network(root)
    found = check_missions(root, network)
    assert [(p.location.path, p.severity) for p in found] == [("network.yml", "error"),
                                                              ("missions/paris/site.yml", "error")]
    assert 'mission "cairo": no site.yml in missions/cairo/' in found[0].message
    assert "timezone is Europe/Brussels here, but network.yml lists" in found[1].message
    assert (found[1].location.line, found[1].location.col) == (10, 1)  # at the key, in the mission's site.yml


def test_a_broken_mission_site_yml_is_reported_at_its_own_path(tmp_path: Path) -> None:
    root = copy_ministry(tmp_path / "ministry")
    (root / "missions/baku/site.yml").write_text("title: [unclosed\n", encoding="utf-8")
    network, _warnings = load_network(root)
    [problem] = check_missions(root, network, network.missions[:1])
    assert problem.location.path == "missions/baku/site.yml" and problem.location.line >= 1


def test_no_network_yml_says_where_to_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_network(tmp_path)
    assert "no network.yml" in caught.value.problems[0].message and "--root" in caught.value.problems[0].hint


# ------------------------------------------------------------------ a mission linked to its ministry


def test_a_mission_takes_its_id_region_and_the_ministrys_address_from_network_yml(tmp_path: Path) -> None:
    from generator.sources.config import load_config
    from generator.sources.network import link_mission

    root = copy_ministry(tmp_path / "ministry")
    config = link_mission(root / "missions/baku", load_config(root / "missions/baku"))
    link = config.ministry
    assert link is not None and (link.mission, link.region, link.content) == ("baku", "caucasus", "../../content")
    assert link.base_url == "https://mfa.veloria.example/" and link.default_language == "en"
    assert link.name["az"] == "Veloriya Respublikasının Xarici İşlər Nazirliyi"
    assert link.targets(("all",)) and link.targets(("region:caucasus",)) and link.targets(("mission:baku",))
    assert not link.targets(("mission:paris", "region:europe")) and not link.targets(())


@pytest.mark.parametrize(("change", "expected"), [
    (("missions/baku/site.yml", "network: ../..", "network: .."), "network: .. holds no network.yml"),
    (("network.yml", "site: missions/baku", "site: missions/bakuu"), "this site is not one of the missions"),
    (("missions/baku/site.yml", "timezone: Asia/Baku", "timezone: Asia/Tbilisi"), "timezone is Asia/Tbilisi here"),
    (("network.yml", "  base_url: \"https://mfa", "  base_ur: \"https://mfa"), 'unknown key "base_ur"'),
])
def test_a_mission_that_cannot_be_linked_is_an_error_located_for_the_officer(tmp_path: Path,
                                                                           change: tuple[str, str, str],
                                                                           expected: str) -> None:
    from generator.sources.config import load_config
    from generator.sources.network import link_mission

    root = copy_ministry(tmp_path / "ministry")
    file, old, new = change
    text = (root / file).read_text(encoding="utf-8")
    assert old in text
    (root / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        link_mission(root / "missions/baku", load_config(root / "missions/baku"))
    first = caught.value.problems[0]
    assert expected in first.message, first.message
    assert first.location.line > 0 or "not one of the missions" in first.message or "holds no" in first.message
    # a problem of network.yml is named from the mission's folder, so the officer finds the file
    assert first.location.path in ("site.yml", "../../network.yml")


def test_the_ministrys_items_reach_the_missions_they_are_syndicated_to(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    for name in ("baku", "tashkent", "cairo", "paris"):
        assert run_build(root / "missions" / name, now=datetime.fromisoformat("2026-12-01T12:00:00+00:00")).ok

    def has(mission: str, path: str) -> bool:
        return (root / "missions" / mission / "public" / path / "index.html").is_file()

    # syndicate: all → every mission, in each of its languages (the ministry writes them all)
    assert all(has(m, f"{lang}/announcements/statement-on-the-border-agreement")
               for m, lang in (("baku", "az"), ("baku", "ar"), ("tashkent", "uz"), ("cairo", "ar"), ("paris", "fr")))
    # syndicate: {regions: [caucasus, central-asia]} → Baku and Tashkent only, with its crisis banner
    assert has("baku", "en/announcements/winter-travel-advice") and has("tashkent", "uz/announcements/winter-travel-advice")
    assert not has("cairo", "en/announcements/winter-travel-advice") and not has("paris", "en/announcements/winter-travel-advice")
    assert "alert-warning" in (root / "missions/tashkent/public/uz/index.html").read_text(encoding="utf-8")
    assert "alert-warning" not in (root / "missions/paris/public/fr/index.html").read_text(encoding="utf-8")
    # no syndicate: line → the ministry's own, in no mission
    assert not any(has(m, "en/announcements/ministry-annual-report") for m in ("baku", "tashkent", "cairo", "paris"))


def test_a_syndicated_item_is_labelled_and_its_canonical_address_is_the_ministrys(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    assert run_build(root / "missions/cairo", now=datetime.fromisoformat("2026-12-01T12:00:00+00:00")).ok
    public = root / "missions/cairo/public"
    page = (public / "ar/announcements/statement-on-the-border-agreement/index.html").read_text(encoding="utf-8")
    ministry = "https://mfa.veloria.example/ar/announcements/statement-on-the-border-agreement/"
    assert f'<link rel="canonical" href="{ministry}">' in page
    assert f'<p class="origin"><a href="{ministry}" rel="noopener">وزارة خارجية جمهورية فيلوريا</a></p>' in page
    own = (public / "ar/announcements/passport-renewal/index.html").read_text(encoding="utf-8")
    assert 'class="origin"' not in own and 'href="https://cairo.veloria.example/ar/announcements/passport-' in own
    # the sitemap lists the mission's own addresses only; its feed carries the item at the mission's address
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    assert "passport-renewal" in sitemap and "border-agreement" not in sitemap
    feed = (public / "ar/feed.xml").read_text(encoding="utf-8")
    assert "https://cairo.veloria.example/ar/announcements/statement-on-the-border-agreement/" in feed
    # and it is not recorded under a reference of the mission's own
    assert not (root / "missions/cairo/ledger/announcements/statement-on-the-border-agreement.yml").exists()


def test_an_edit_in_the_ministry_reaches_the_mission_at_its_next_build(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    mission, now = root / "missions/paris", datetime.fromisoformat("2026-12-01T12:00:00+00:00")
    assert run_build(mission, now=now).ok
    assert run_build(mission, now=now).written == 0  # nothing changed: the no-change path
    item = root / "content/announcements/statement-on-the-border-agreement.fr.md"
    item.write_text(item.read_text(encoding="utf-8") + "\nUne phrase ajoutée par le ministère.\n", encoding="utf-8")
    report = run_build(mission, now=now)
    assert report.ok and report.written > 0
    page = mission / "public/fr/announcements/statement-on-the-border-agreement/index.html"
    assert "Une phrase ajoutée par le ministère." in page.read_text(encoding="utf-8")


def test_a_ministry_item_at_the_address_of_a_missions_own_is_an_error_in_the_missions_file(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    own = root / "missions/paris/content/announcements/statement-on-the-border-agreement.fr.md"
    shutil.copy(root / "missions/paris/content/announcements/elections-abroad.fr.md", own)
    report = run_build(root / "missions/paris", now=datetime.fromisoformat("2026-12-01T12:00:00+00:00"))
    assert not report.ok
    first = report.errors[0]
    assert first.location.path == "content/announcements/statement-on-the-border-agreement.fr.md"
    assert "the ministry syndicates an item with this address" in first.message and "rename" in first.hint


def test_a_ministry_file_that_names_no_language_is_an_error(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    (root / "content/announcements/no-language.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    report = run_build(root / "missions/paris", now=datetime.fromisoformat("2026-12-01T12:00:00+00:00"))
    assert not report.ok and report.errors[0].location.path == "../../content/announcements/no-language.md"
    assert "names its language in the file name" in report.errors[0].message


def test_the_first_message_is_the_error_even_below_a_warning() -> None:
    text = GOOD.replace("languages: [en, ar], timezone", "languages: [en, fr], timezone").replace(
        "timezone: Africa/Cairo", "timezone: Africa/Kairo")
    found = problems_of(text)
    assert [p.severity for p in found] == ["error", "warning"] and found[0].location.line > found[1].location.line


def test_a_ministry_items_photos_are_published_in_each_mission(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    bundle = root / "content/announcements/library-opens"
    bundle.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "content/announcements/reading-room-opens/reading-room.png",
                bundle / "reading-room.png")
    (bundle / "index.en.md").write_text('---\ntitle: "The library opens"\ndate: 2026-11-29T10:00:00+00:00\n'
                                        'image: {src: "reading-room.png", alt: "The reading room"}\nsyndicate: all\n'
                                        "---\nIt opens.\n", encoding="utf-8")
    assert run_build(root / "missions/paris", now=datetime.fromisoformat("2026-12-01T12:00:00+00:00")).ok
    public = root / "missions/paris/public"
    assert (public / "media/announcements/library-opens/reading-room.png").is_file()
    page = (public / "en/announcements/library-opens/index.html").read_text(encoding="utf-8")
    assert 'src="../../../media/announcements/library-opens/reading-room.png"' in page


def test_a_mission_folder_that_links_outside_the_ministry_is_refused(tmp_path: Path) -> None:
    from generator.sources.config import load_config
    from generator.sources.network import link_mission

    root = copy_ministry(tmp_path / "ministry")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "missions/paris", elsewhere)
    (root / "missions/paris").symlink_to(elsewhere)
    network, _warnings = load_network(root)
    found = check_missions(root, network)
    assert [p.message for p in found] == [
        "mission \"paris\": its folder missions/paris leads outside the ministry's folder (a symbolic link)"]
    with pytest.raises(ConfigError) as caught:  # built alone through the link: its ../.. is not the ministry
        link_mission(root / "missions/paris", load_config(root / "missions/paris"))
    assert "holds no network.yml" in caught.value.problems[0].message


def test_a_mission_takes_the_ministrys_theme_unless_its_site_yml_names_one(tmp_path: Path) -> None:
    from datetime import datetime

    from tests.conftest import run_build

    root = copy_ministry(tmp_path / "ministry")
    text = (root / "network.yml").read_text(encoding="utf-8")
    (root / "network.yml").write_text(text.replace("  theme: default", "  theme: veloria"), encoding="utf-8")
    for mission in ("paris", "baku"):  # the theme a mission finds in its themes/ (or installed as a package)
        theme = root / "missions" / mission / "themes/veloria"
        (theme / "templates").mkdir(parents=True)
        (theme / "theme.yml").write_text("extends: default\n", encoding="utf-8")
        (theme / "templates/item.html").write_text(
            '{% extends "default:item.html" %}{% block content %}<p class="ministry-theme">MFA</p>{{ super() }}'
            "{% endblock %}\n", encoding="utf-8")
    baku = root / "missions/baku/site.yml"
    baku.write_text(baku.read_text(encoding="utf-8") + "theme: default\n", encoding="utf-8")
    now = datetime.fromisoformat("2026-12-01T12:00:00+00:00")
    assert run_build(root / "missions/paris", now=now).ok and run_build(root / "missions/baku", now=now).ok
    paris = (root / "missions/paris/public/fr/announcements/elections-abroad/index.html").read_text(encoding="utf-8")
    baku_page = (root / "missions/baku/public/en/announcements/consular-hours-winter/index.html").read_text(
        encoding="utf-8")
    assert 'class="ministry-theme"' in paris and 'class="ministry-theme"' not in baku_page


def test_the_ministrys_theme_may_be_pinned_and_a_wrong_pin_is_located() -> None:
    network, _warnings = parse_network(GOOD.replace("  languages: [en, ar]\nmissions", '  languages: [en, ar]\n  theme: '
                                                    '"veloria>=2,<3"\nmissions'))
    assert (network.ministry.theme, network.ministry.theme_version) == ("veloria", ">=2,<3")
    [problem] = problems_of(GOOD.replace("  languages: [en, ar]\nmissions", '  languages: [en, ar]\n  theme: '
                                         '"veloria=="\nmissions'))
    assert '"==" is not a version pin' in problem.message and problem.location.line == 5
