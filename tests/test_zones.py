"""generator/zones.py: the time-zone file zoneinfo reads, and the stamp of what a build depends on outside the site."""

from __future__ import annotations

import io
import os
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.core import zones
from generator.core.zones import environment_stamp, library_dirs, zone_source

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
    monkeypatch.setattr(zones, "zone_file", lambda key: str(zone) if key == "Asia/Baku" else "")
    before = environment_stamp("Asia/Baku")
    assert environment_stamp("Asia/Baku") == before  # nothing changed
    zone.write_bytes(b"TZif new rules, longer")  # a system tzdata update
    after_zone = environment_stamp("Asia/Baku")
    assert after_zone != before
    (libraries / "jinja2-3.1.9.dist-info").mkdir()  # a library upgraded: the folder's entries change
    os.utime(libraries, ns=(1, 1))  # and its modification time with them (set here, as tmpfs may keep the tick)
    assert environment_stamp("Asia/Baku") != after_zone
    assert environment_stamp("") != before  # no zone recorded: never the stamp of a real one


def test_the_zone_file_is_the_first_in_the_search_path(tmp_path: Path) -> None:
    """A zone file that appears in an earlier folder of zoneinfo's search path is the one read from then on."""
    first, second = tmp_path / "first", tmp_path / "second"
    (second / "Asia").mkdir(parents=True)
    (second / "Asia/Baku").write_bytes(zone_source("Asia/Baku")[1])
    zoneinfo.reset_tzpath([str(first), str(second)])
    try:
        assert zones.zone_file("Asia/Baku") == str(second / "Asia/Baku")
        (first / "Asia").mkdir(parents=True)
        (first / "Asia/Baku").write_bytes(zone_source("Asia/Baku")[1])
        assert zones.zone_file("Asia/Baku") == str(first / "Asia/Baku")
    finally:
        zoneinfo.reset_tzpath()


def test_library_dirs_are_where_the_libraries_are() -> None:
    import jinja2

    assert any(Path(jinja2.__file__).resolve().is_relative_to(Path(folder).resolve()) for folder in library_dirs())


def test_a_zipped_tzdata_package_is_read_through_its_loader(tmp_path: Path, no_system_zones: None) -> None:
    """tzdata imported from a zip has no file to open: the rules come from the package's loader."""
    import sys
    import zipfile

    import tzdata

    archive = tmp_path / "tz.zip"
    package = Path(tzdata.__file__).parent
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in package.rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                zipped.write(file, Path("tzdata") / file.relative_to(package))
    saved = {name: module for name, module in sys.modules.items() if name == "tzdata" or name.startswith("tzdata.")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(archive))
    try:
        path, rules = zone_source("Asia/Baku")
        assert "tz.zip" in path and not Path(path).exists() and rules.startswith(b"TZif")
        assert offsets(zoneinfo.ZoneInfo.from_file(io.BytesIO(rules), key="Asia/Baku")) == offsets(
            zoneinfo.ZoneInfo.no_cache("Asia/Baku"))
    finally:
        sys.path.remove(str(archive))
        for name in [n for n in sys.modules if n == "tzdata" or n.startswith("tzdata.")]:
            del sys.modules[name]
        sys.modules.update(saved)
