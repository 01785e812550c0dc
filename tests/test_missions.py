"""Building a ministry's network (generator/engine/missions.py, `legation network`): every mission, some, or a
shard; one failure never stops the others; a mission built in the network is the mission built alone."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from generator.core.errors import ConfigError
from generator.engine.missions import select, shards
from generator.sources.network import Mission, load_network
from tests.conftest import DEMO_MINISTRY, run_build, tree

NOW = "2026-12-01T12:00:00+00:00"



def network(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["network", *args, "--root", str(root)])
    return result.exit_code, result.stdout, result.stderr


def mission(name: str) -> Mission:
    return Mission(name, f"missions/{name}", f"https://{name}.example/", ("en",), "UTC")


def test_shards_are_balanced_by_size_the_largest_first() -> None:
    missions = tuple(mission(name) for name in "abcdefg")
    sizes = dict(zip("abcdefg", (70, 10, 40, 30, 30, 20, 50), strict=True))
    plan = shards(missions, sizes, 3)
    # a 70 → 1; g 50 → 2; c 40 → 3; d 30 → 3 (70); e 30 → 2 (50 is the least); f 20 → 1 (70 = 70: the lower); b → 3
    assert [[m.id for m in part] for part in plan] == [["a", "f"], ["e", "g"], ["b", "c", "d"]]
    loads = [sum(sizes[m.id] for m in part) for part in plan]
    assert max(loads) / (sum(loads) / 3) < 1.15
    # every mission in exactly one shard; more shards than missions leaves some empty
    assert sorted(m.id for part in plan for m in part) == list("abcdefg")
    assert [len(part) for part in shards(missions[:2], sizes, 4)] == [1, 1, 0, 0]


def test_equal_sizes_keep_network_order_so_every_machine_plans_alike() -> None:
    missions = tuple(mission(name) for name in "dcba")
    assert [[m.id for m in p] for p in shards(missions, dict.fromkeys("abcd", 5), 2)] == [["d", "b"], ["c", "a"]]
    assert shards(missions, dict.fromkeys("abcd", 5), 2) == shards(missions, dict.fromkeys("dcba", 5), 2)


def test_an_unknown_mission_is_named_with_a_did_you_mean() -> None:
    loaded, _warnings = load_network(DEMO_MINISTRY)
    with pytest.raises(ConfigError) as caught:
        select(DEMO_MINISTRY, loaded, ("bakku",))
    assert 'no mission "bakku"' in caught.value.problems[0].message and "baku" in caught.value.problems[0].hint


def test_the_demo_network_builds_every_mission_into_its_own_folder(ministry: Path) -> None:
    code, out, err = network(ministry, "build", "--now", NOW, "-j", "2")
    assert code == 0, err
    assert "legation network: built 4 missions" in out
    for name in ("baku", "tashkent", "cairo", "paris"):
        assert f"{name}: built " in out
        assert (ministry / "public" / name / "index.html").is_file()
    # each mission in its own languages, at its own address
    assert (ministry / "public/tashkent/uz/index.html").is_file() and not (ministry / "public/tashkent/ar").exists()
    assert "https://paris.veloria.example/fr/" in (ministry / "public/paris/fr/index.html").read_text(encoding="utf-8")


def test_a_mission_built_in_the_network_is_byte_identical_to_it_built_alone(ministry: Path, tmp_path: Path) -> None:
    assert network(ministry, "build", "--now", NOW, "--only", "cairo")[0] == 0
    alone = tmp_path / "alone"
    assert run_build(ministry / "missions/cairo", alone, now=datetime.fromisoformat(NOW)).ok
    assert tree(alone) == tree(ministry / "public/cairo")


def test_one_missions_error_does_not_stop_the_others(ministry: Path) -> None:
    item = ministry / "missions/paris/content/announcements/elections-abroad.fr.md"
    item.write_text(item.read_text(encoding="utf-8").replace("date: 2026-11-21T10:00:00+01:00", "date: someday"),
                    encoding="utf-8")
    code, _out, err = network(ministry, "build", "--now", NOW)
    assert code == 1
    # the mistake first, located from the ministry's folder; then every mission's result, and the summary
    first = err.splitlines()[0]
    assert first.startswith("missions/paris/content/announcements/elections-abroad.fr.md:3:") and "error" in first
    assert "paris: FAILED: 1 error" in err
    assert "legation network: built 3 missions; 1 mission FAILED (paris)" in err
    assert all((ministry / "public" / name / "index.html").is_file() for name in ("baku", "tashkent", "cairo"))
    assert not (ministry / "public/paris").exists()


def test_the_shards_together_are_the_whole_network(ministry: Path, tmp_path: Path) -> None:
    code, out, _err = network(ministry, "plan", "--shards", "3", "--json")
    assert code == 0
    plan = json.loads(out)["shards"]
    assert sorted(m for shard in plan for m in shard["missions"]) == ["baku", "cairo", "paris", "tashkent"]
    for number in (1, 2, 3):
        assert network(ministry, "build", "--now", NOW, "--shard", f"{number}/3", "--out",
                       str(tmp_path / "shards"))[0] == 0
    assert network(ministry, "build", "--now", NOW, "--out", str(tmp_path / "whole"))[0] == 0
    names = {p.name for p in (tmp_path / "shards").iterdir() if not p.name.startswith(".")}  # not the locks
    assert names == {"baku", "cairo", "paris", "tashkent"}
    assert all(tree(tmp_path / "shards" / name) == tree(tmp_path / "whole" / name) for name in names)


def test_a_network_build_reports_as_json(ministry: Path) -> None:
    code, out, _err = network(ministry, "build", "--now", NOW, "--only", "baku,paris", "--json")
    assert code == 0
    report = json.loads(out[:out.rindex("}") + 1])
    assert [m["id"] for m in report["missions"]] == ["baku", "paris"] and report["ok"] is True
    assert all(m["html_pages"] > 10 and m["errors"] == [] for m in report["missions"])


@pytest.mark.parametrize("shard", ["0/3", "4/3", "two", "1/0"])
def test_a_wrong_shard_is_a_usage_error(ministry: Path, shard: str) -> None:
    code, _out, err = network(ministry, "build", "--shard", shard)
    assert code == 2 and "K/N" in err


def test_a_mission_whose_settings_disagree_builds_nothing(ministry: Path) -> None:
    config = ministry / "missions/baku/site.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("baku.veloria.example", "baku.example"),
                      encoding="utf-8")
    code, _out, err = network(ministry, "build", "--now", NOW)
    assert code == 1 and err.startswith("missions/baku/site.yml:6:1: error: base_url is https://baku.example/ here")
    assert "nothing was built" in err and not (ministry / "public").exists()


def test_a_mission_built_in_the_network_carries_the_ministrys_items_as_when_built_alone(ministry: Path,
                                                                                       tmp_path: Path) -> None:
    assert network(ministry, "build", "--now", NOW, "--only", "tashkent")[0] == 0
    built = ministry / "public/tashkent"
    assert (built / "uz/announcements/winter-travel-advice/index.html").is_file()
    alone = tmp_path / "alone"
    assert run_build(ministry / "missions/tashkent", alone, now=datetime.fromisoformat(NOW)).ok
    assert tree(alone) == tree(built)


def test_the_network_build_numbers_the_ministrys_statements_and_every_mission_shows_the_reference(
        ministry: Path, tmp_path: Path) -> None:
    assert network(ministry, "build", "--now", NOW)[0] == 0
    # the ministry's ledger, as a site's own: the reference network.yml's pattern gives, each language's text
    record = (ministry / "ledger/announcements/statement-on-the-border-agreement.yml").read_text(encoding="utf-8")
    assert 'reference: {id: "VEL-MFA-2026-001", year: 2026, seq: 1}' in record
    assert all(f"\n{lang}: {{sha256:" in record for lang in ("en", "ar", "az", "uz", "fr"))
    assert (ministry / "ledger/announcements/winter-travel-advice.yml").is_file()  # a consular notice too
    assert not (ministry / "ledger/announcements/ministry-annual-report.yml").exists()  # news: no reference
    for mission, lang in (("baku", "az"), ("cairo", "ar"), ("paris", "fr")):
        page = (ministry / f"public/{mission}/{lang}/announcements/statement-on-the-border-agreement/index.html")
        assert "VEL-MFA-2026-001" in page.read_text(encoding="utf-8")
    register = json.loads((ministry / "public/paris/statements.json").read_text(encoding="utf-8"))
    assert "VEL-MFA-2026-001" in json.dumps(register)
    # a mission built alone afterwards reads the same ledger: the same bytes
    alone = tmp_path / "alone"
    assert run_build(ministry / "missions/baku", alone, now=datetime.fromisoformat(NOW)).ok
    assert tree(alone) == tree(ministry / "public/baku")


def test_a_silent_edit_of_a_ministry_statement_is_told_and_refused_under_strict(ministry: Path) -> None:
    assert network(ministry, "build", "--now", NOW)[0] == 0
    item = ministry / "content/announcements/statement-on-the-border-agreement.en.md"
    item.write_text(item.read_text(encoding="utf-8").replace("welcomes", "warmly welcomes"), encoding="utf-8")
    code, _out, err = network(ministry, "build", "--now", NOW, "--strict")
    assert code == 1 and err.startswith("content/announcements/statement-on-the-border-agreement.en.md: warning: "
                                        "the published text of this statement changed without a new changes: entry")
    assert "nothing was built" in err


def test_a_network_with_nothing_changed_starts_no_build_process(ministry: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert network(ministry, "build", "--now", NOW)[0] == 0
    before = tree(ministry / "public")
    import generator.engine.missions as missions

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("a mission whose inputs did not change was built again")

    monkeypatch.setattr(missions.subprocess, "run", refused)
    code, out, err = network(ministry, "build", "--now", NOW)
    assert code == 0, err
    assert out.count(" (0 changed), 0 warnings") == 4 and tree(ministry / "public") == before
    # one change in one mission: that mission alone is built again
    monkeypatch.undo()
    item = ministry / "missions/cairo/content/announcements/passport-renewal.en.md"
    item.write_text(item.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    started: list[str] = []
    real = missions.subprocess.run

    def counted(command: list[str], **kwargs: object) -> object:
        started.append(command[command.index("--root") + 1])
        return real(command, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(missions.subprocess, "run", counted)
    assert network(ministry, "build", "--now", NOW)[0] == 0
    assert started == [str(ministry / "missions/cairo")]


def test_a_generator_folder_where_the_network_is_built_is_never_run(ministry: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each mission is built by the installed legation, not by a package of the same name in the folder the
    command runs in (a shared repository could hold one)."""
    trap = tmp_path / "cwd" / "generator"
    trap.mkdir(parents=True)
    marker = tmp_path / "ran"
    (trap / "__init__.py").write_text("", encoding="utf-8")
    (trap / "__main__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n", encoding="utf-8")
    monkeypatch.chdir(trap.parent)
    code, out, _err = network(ministry, "build", "--now", NOW, "--only", "cairo")
    assert code == 0 and "cairo: built" in out and not marker.exists()
