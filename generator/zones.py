"""Where Python's zoneinfo reads a time zone's rules from, and what the build depends on outside the site.

Kept free of heavy imports: the no-change shortcut uses environment_stamp before anything else loads.
"""

from __future__ import annotations

import hashlib
import os
import site
import sys
import zoneinfo


def zone_source(key: str) -> tuple[str, bytes]:
    """(file, TZif bytes) zoneinfo loads for ``key``: the first match in zoneinfo.TZPATH, else the tzdata package's.

    A key no source has gives ("", a marker): zoneinfo cannot load it either, and the config check reports it.
    """
    for folder in zoneinfo.TZPATH:
        candidate = os.path.join(folder, key)
        if os.path.isfile(candidate):
            with open(candidate, "rb") as handle:
                return candidate, handle.read()
    from importlib import resources  # only when the system has no zone files

    *folders, name = key.split("/")
    try:
        resource = resources.files(".".join(["tzdata.zoneinfo", *folders])).joinpath(name)
        return str(resource), resource.read_bytes()
    except (ImportError, OSError):
        return "", b"no rules found for " + key.encode()


def library_dirs() -> list[str]:
    """The folders installed libraries live in: installing, upgrading or removing one changes their entries."""
    found = [*site.getsitepackages(), site.getusersitepackages()] if hasattr(site, "getsitepackages") else []
    found += [path for path in sys.path if path.endswith(("site-packages", "dist-packages"))]
    return sorted(set(found))


def environment_stamp(zone_file: str) -> str:
    """Digest of the size and modification time of the library folders and of ``zone_file`` (the rules the
    site's time zone was read from), and of where zoneinfo looks: a library upgrade or a system tzdata update
    changes it, though no file of the site did."""
    digest = hashlib.sha256(repr(zoneinfo.TZPATH).encode())  # PYTHONTZPATH may point elsewhere now
    for path in [*library_dirs(), zone_file]:
        try:
            stat = os.stat(path)
            state = f"{stat.st_size}\0{stat.st_mtime_ns}"
        except (OSError, ValueError):
            state = "missing"
        digest.update(os.fsencode(path) + b"\0" + state.encode() + b"\n")
    return digest.hexdigest()
