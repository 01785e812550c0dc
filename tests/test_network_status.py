"""`legation network status` (generator/commands/network_status.py): which missions carry each syndicated item, in
which languages, and which translations are missing or out of date."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.commands.cli import main

NOW = "2026-12-01T12:00:00+00:00"
BORDER = "content/announcements/statement-on-the-border-agreement"



def status(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["network", "status", "--root", str(root), "--now", NOW, *args])
    return result.exit_code, result.stdout, result.stderr


def as_json(root: Path) -> dict[str, dict[str, object]]:
    code, out, _err = status(root, "--json")
    assert code == 0
    return {item["item"]: item for item in json.loads(out)["items"]}


def test_each_syndicated_item_lists_the_missions_that_carry_it_and_their_languages(ministry: Path) -> None:
    items = as_json(ministry)
    # the ministry's own item (no syndicate: line) is not listed
    assert set(items) == {"announcements/statement-on-the-border-agreement", "announcements/winter-travel-advice"}
    border = items["announcements/statement-on-the-border-agreement"]
    assert border["syndicate"] == ["all"] and border["source"] == f"{BORDER}.en.md"
    assert [m["id"] for m in border["missions"]] == ["baku", "tashkent", "cairo", "paris"]  # type: ignore[index]
    assert border["missions"][0] == {"id": "baku", "languages": {"en": "present", "az": "present", "ar": "present"}}  # type: ignore[index]
    winter = items["announcements/winter-travel-advice"]
    assert [m["id"] for m in winter["missions"]] == ["baku", "tashkent"]  # type: ignore[index]
    # the ministry wrote no French for it, but no mission that carries it publishes French
    assert winter["languages"]["fr"] == "missing"  # type: ignore[index]


def test_a_missing_or_out_of_date_translation_shows_in_the_missions_that_carry_it(ministry: Path) -> None:
    (ministry / f"{BORDER}.uz.md").unlink()
    fr = ministry / f"{BORDER}.fr.md"
    fr.write_text(fr.read_text(encoding="utf-8").replace("---\ntitle:", '---\ntranslation_of: {lang: en, hash: '
                                                         '"000000000000"}\ntitle:', 1), encoding="utf-8")
    border = as_json(ministry)["announcements/statement-on-the-border-agreement"]
    by_id = {m["id"]: m["languages"] for m in border["missions"]}  # type: ignore[union-attr]
    assert by_id["tashkent"] == {"uz": "missing", "en": "present"}
    assert by_id["paris"] == {"fr": "stale", "en": "present"}
    assert by_id["cairo"] == {"ar": "present", "en": "present"}
    code, out, err = status(ministry)
    assert code == 0 and "  tashkent  uz –  en ✓" in out and "  paris     fr !  en ✓" in out
    code, _out, err = status(ministry, "--strict")
    assert code == 1 and "statement-on-the-border-agreement" in err


def test_a_syndicate_line_naming_no_mission_or_region_is_a_warning(ministry: Path) -> None:
    item = ministry / "content/announcements/winter-travel-advice.en.md"
    item.write_text(item.read_text(encoding="utf-8").replace("central-asia", "central-asya"), encoding="utf-8")
    code, out, err = status(ministry)
    assert code == 0
    assert "content/announcements/winter-travel-advice.en.md: warning: syndicate: names region central-asya, " \
           "which network.yml does not have" in err
    assert "central-asia" in err  # the regions there are listed
    assert "  tashkent" not in out.split("winter-travel-advice")[1]


def test_a_strict_status_of_a_complete_network_passes(ministry: Path) -> None:
    code, out, _err = status(ministry, "--strict")
    assert code == 0 and out.startswith("announcements/statement-on-the-border-agreement  [all]\n  baku      en ✓")
