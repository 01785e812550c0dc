"""network.yml (generator/sources/network.py): the ministry and its missions, every mistake located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.core.errors import ConfigError, Problem
from generator.sources.network import check_missions, load_network, parse_network

DEMO = Path(__file__).resolve().parent.parent / "examples" / "ministry"

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
    network, warnings = load_network(DEMO)
    assert warnings == [] and len(network.missions) >= 4
    assert {code for m in network.missions for code in m.languages} >= {"en", "ar", "az", "uz"}
    assert len({m.timezone for m in network.missions}) >= 4  # missions in different host countries
    assert check_missions(DEMO, network) == []


def test_a_mission_whose_site_yml_disagrees_with_network_yml_is_an_error_in_its_site_yml(tmp_path: Path) -> None:
    root = tmp_path / "ministry"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("public", ".legation-cache"))
    config = root / "missions/paris/site.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Europe/Paris", "Europe/Brussels"), encoding="utf-8")
    shutil.rmtree(root / "missions/cairo")
    network, _warnings = load_network(root)
    found = check_missions(root, network)
    assert [(p.location.path, p.severity) for p in found] == [("network.yml", "error"),
                                                              ("missions/paris/site.yml", "error")]
    assert 'mission "cairo": no site.yml in missions/cairo/' in found[0].message
    assert "timezone is Europe/Brussels here, but network.yml lists" in found[1].message


def test_a_broken_mission_site_yml_is_reported_at_its_own_path(tmp_path: Path) -> None:
    root = tmp_path / "ministry"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("public", ".legation-cache"))
    (root / "missions/baku/site.yml").write_text("title: [unclosed\n", encoding="utf-8")
    network, _warnings = load_network(root)
    [problem] = check_missions(root, network, network.missions[:1])
    assert problem.location.path == "missions/baku/site.yml" and problem.location.line >= 1


def test_no_network_yml_says_where_to_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_network(tmp_path)
    assert "no network.yml" in caught.value.problems[0].message and "--root" in caught.value.problems[0].hint
