"""generator/zones.py: the time-zone file zoneinfo reads, and the stamp of what a build depends on outside the site."""

from __future__ import annotations

import io
import os
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator import zones
from generator.zones import environment_stamp, library_dirs, zone_source

MOMENTS = [datetime(year, month, 15, 12, tzinfo=UTC) for year in (1990, 2015, 2026) for month in (1, 7)]


@pytest.fixture
def no_system_zones() -> Iterator[None]:
    """zoneinfo with an empty search path, as on a system without zone files (restored afterwards)."""
    zoneinfo.reset_tzpath([])
    yield
    zoneinfo.reset_tzpath()


def offsets(zone: zoneinfo.ZoneInfo) -> list[object]:
    return [moment.astimezone(zone).utcoffset() for moment in MOMENTS]


@pytest.mark.parametrize("key", ["Asia/Baku", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"])
def test_the_rules_are_the_ones_zoneinfo_loads(key: str) -> None:
    path, rules = zone_source(key)
    assert rules.startswith(b"TZif") and Path(path).read_bytes() == rules
    assert offsets(zoneinfo.ZoneInfo.from_file(io.BytesIO(rules), key=key)) == offsets(zoneinfo.ZoneInfo(key))


@pytest.mark.parametrize("key", ["Asia/Baku", "America/Argentina/Buenos_Aires"])
def test_without_system_zones_the_tzdata_package_is_read(key: str, no_system_zones: None) -> None:
    path, rules = zone_source(key)
    assert "tzdata" in path and rules.startswith(b"TZif")
    expected = offsets(zoneinfo.ZoneInfo.no_cache(key))  # zoneinfo itself, from the package now
    assert offsets(zoneinfo.ZoneInfo.from_file(io.BytesIO(rules), key=key)) == expected


def test_an_unknown_zone_has_no_file(no_system_zones: None) -> None:
    assert zone_source("Nowhere/Atlantis") == ("", b"no rules found for Nowhere/Atlantis")


def test_the_stamp_changes_with_the_zone_file_and_the_library_folders(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    libraries, zone = tmp_path / "site-packages", tmp_path / "Baku"
    libraries.mkdir()
    zone.write_bytes(b"TZif old rules")
    monkeypatch.setattr(zones, "library_dirs", lambda: [str(libraries)])
    before = environment_stamp(str(zone))
    assert environment_stamp(str(zone)) == before  # nothing changed
    zone.write_bytes(b"TZif new rules, longer")  # a system tzdata update
    after_zone = environment_stamp(str(zone))
    assert after_zone != before
    (libraries / "jinja2-3.1.9.dist-info").mkdir()  # a library upgraded: the folder's entries change
    os.utime(libraries, ns=(1, 1))  # and its modification time with them (set here, as tmpfs may keep the tick)
    assert environment_stamp(str(zone)) != after_zone
    assert environment_stamp("") != before  # no zone file recorded: never the stamp of a real one


def test_library_dirs_are_where_the_libraries_are() -> None:
    import jinja2

    assert any(Path(jinja2.__file__).resolve().is_relative_to(Path(folder).resolve()) for folder in library_dirs())
