"""Where Python's zoneinfo reads a time zone's rules from, and what the build depends on outside the site.

Kept free of heavy imports: the no-change shortcut uses environment_stamp before anything else loads.
"""

from __future__ import annotations

import hashlib
import os
import site
import sys
import zoneinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def zone_file(key: str) -> str:
    """The file zoneinfo reads ``key``'s rules from now: the first match in zoneinfo.TZPATH, else the tzdata
    package's ("" when neither has it)."""
    system = _system_zone(key)
    if system:
        return system
    package = _package_zone(key)
    return str(package) if package is not None else ""


def zone_source(key: str) -> tuple[str, bytes]:
    """(file, TZif bytes) zoneinfo loads for ``key`` (see zone_file); the tzdata package's are read through its
    loader, as it may be inside a zip with no file to open.

    A key no source has gives ("", a marker): zoneinfo cannot load it either, and the config check reports it.
    """
    system = _system_zone(key)
    try:
        if system:
            with open(system, "rb") as handle:
                return system, handle.read()
        package = _package_zone(key)
        if package is not None:
            return str(package), package.read_bytes()
    except OSError:
        pass
    return "", b"no rules found for " + key.encode()


def _system_zone(key: str) -> str:
    """The first file for ``key`` in zoneinfo.TZPATH ("" when none has it)."""
    for folder in zoneinfo.TZPATH:
        candidate = os.path.join(folder, key)
        if os.path.isfile(candidate):
            return candidate
    return ""


def _package_zone(key: str) -> Traversable | None:
    """``key``'s rules in the tzdata package (where zoneinfo falls back to), or None."""
    from importlib import resources  # only when the system has no zone files

    *folders, name = key.split("/")
    try:
        resource = resources.files(".".join(["tzdata.zoneinfo", *folders])).joinpath(name)
        return resource if resource.is_file() else None
    except (ImportError, OSError, ValueError):
        return None


def library_dirs() -> list[str]:
    """The folders installed libraries live in: installing, upgrading or removing one changes their entries."""
    found = [*site.getsitepackages(), site.getusersitepackages()] if hasattr(site, "getsitepackages") else []
    found += [path for path in sys.path if path.endswith(("site-packages", "dist-packages"))]
    return sorted(set(found))


def environment_stamp(zone: str) -> str:
    """Digest of the size and modification time of the library folders and of the file the rules of the time
    zone ``zone`` are read from (which one, too: a zone file may appear earlier in zoneinfo's search path),
    and of where zoneinfo looks: a library upgrade or a system tzdata update changes it, though no file of
    the site did."""
    digest = hashlib.sha256(repr(zoneinfo.TZPATH).encode())  # PYTHONTZPATH may point elsewhere now
    for path in [*library_dirs(), zone_file(zone) if zone else ""]:
        try:
            stat = os.stat(path)
            state = f"{stat.st_size}\0{stat.st_mtime_ns}"
        except (OSError, ValueError):
            state = "missing"
        digest.update(os.fsencode(path) + b"\0" + state.encode() + b"\n")
    return digest.hexdigest()
