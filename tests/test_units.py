"""Units of rendering work (generator/units.py) and their keys and digests (templates.Renderer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.units import KINDS, Unit
from generator.outputs.templates import Renderer
from tests.conftest import run_build
from tests.test_incremental import _fresh_units, demo_copy


def test_a_unit_is_a_frozen_value_of_a_known_kind() -> None:
    assert Unit("list", "en", "events", 2) == Unit("list", "en", "events", 2)
    assert len({Unit("item", number=3), Unit("item", number=3), Unit("item", number=4)}) == 2
    with pytest.raises(ValueError, match="no unit of kind 'page'"):
        Unit("page")
    with pytest.raises(AttributeError):
        Unit("root").kind = "home"  # type: ignore[misc]


def test_every_unit_of_the_demo_has_its_own_key_and_every_kind_is_described(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Renderer] = []
    original = Renderer.units

    def spy(self: Renderer) -> list[Unit]:
        seen.append(self)
        return original(self)

    monkeypatch.setattr(Renderer, "units", spy)
    assert run_build(demo_copy(tmp_path / "site"), jobs=1).ok
    renderer = seen[0]
    units = renderer.units()
    keys = [renderer.inputs.unit_key(unit) for unit in units]
    assert len(set(keys)) == len(keys)
    assert {unit.kind for unit in units} <= set(KINDS)
    assert {"root", "home", "list", "item", "feed", "ics", "sitemap", "register"} <= {unit.kind for unit in units}


def test_a_page_added_before_others_does_not_make_their_calendars_again(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit's digest names it by its key (its page's URL), not by its position in the site's pages: an item
    added at the front used to shift every position and make every event's calendar file again."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    fresh = _fresh_units(monkeypatch)
    (root / "content" / "announcements" / "aaa-first.en.md").write_text(
        '---\ntitle: "First"\ndate: 2026-11-01T10:00:00+04:00\n---\nText.\n', encoding="utf-8")
    assert run_build(root, jobs=1).ok
    assert "item:/en/announcements/aaa-first/" in fresh
    assert [key for key in fresh if key.startswith("ics:")] == []
