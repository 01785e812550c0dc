"""The no-change shortcut: when no input file changed and the clock crossed no schedule
boundary since the last successful build, that build's output is already right.

Inputs are fingerprinted by path, size and modification time (like make and
rsync); the schedule boundaries are every publish, expiry, withdrawal and event
start/end instant, because the clock changes the output only through them.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from ..core.clock import CLOCK_WORDS, LOOK_AHEAD
from ..core.paths import CACHE_DIR, editor_file

if TYPE_CHECKING:
    from ..core.model import Page

STATE_FILE = "state-v1.json"
INPUTS = ("site.yml", "content", "templates", "themes", "i18n", "static", "root")
#: Inputs the build itself writes (the ledger of published text): stamped after the build wrote them.
WRITTEN_INPUTS = ("ledger",)


@dataclass(frozen=True)
class BuildState:
    fingerprint: str
    clock: str
    boundaries: tuple[str, ...]
    summary: dict[str, Any]
    zone: str = ""  # the site's time zone (its rules are read from a file outside the site)
    environment: str = ""  # zones.environment_stamp(zone) when the build began
    folders: tuple[str, ...] = ()  # the output folders the build wrote (the site's, the snippets')
    outputs: str = ""  # output_stamp(folders) right after the build: a file changed by hand since is seen
    listings: tuple[str, ...] = ()  # output_listing(folders) right after the build
    outside: tuple[str, ...] = ()  # inputs outside the site it read (a mission's: network.yml, the ministry's content)


@dataclass
class Walk:
    """The files one fingerprint hashed, in its order (a file under two of its folders twice), for a resident
    builder: with ``seen`` (each file's stat line) it takes the fingerprint again from the files its watch named
    alone (``retake``). Mutable on purpose: a builder owns one, filled by the fingerprint it asks for."""

    settings: str = ""
    folders: tuple[str, ...] = ()
    main: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def fingerprint(root: Path, extra_dirs: Iterable[Path], settings: str, seen: dict[str, str] | None = None,
                walk: Walk | None = None) -> str:
    """Digest of every input file's path, size and mtime, the package's own files and the settings; then,
    after a "|", the same of the inputs the build writes itself (``written_stamp``). ``seen``, when given, is
    filled with each file's size and time (a resident builder compares them with its last build's); ``walk``
    with the files in the order they were hashed."""
    folders = fingerprint_folders(root, extra_dirs)
    if walk is not None:
        walk.settings, walk.folders = settings, tuple(map(str, folders))
        walk.main.clear()
    return _digest_of(folders, settings, seen, walk.main if walk is not None else None) + "|" + \
        written_stamp(root, seen, walk)


PACKAGE = Path(__file__).resolve().parent.parent  # legation's own code: another version builds differently


def fingerprint_folders(root: Path, extra_dirs: Iterable[Path]) -> list[Path]:
    """The folders (and files) ``fingerprint`` hashes before the written inputs, in its order."""
    return [root / name for name in INPUTS] + list(extra_dirs) + [PACKAGE]


def input_paths(root: Path, outside: Iterable[str]) -> list[Path]:
    """Everything a build's fingerprint reads (``inputs_fingerprint``): the site's inputs, the ledger it writes,
    the built-in themes, the inputs outside the site, and the package."""
    from ..core.paths import builtin_themes_dir

    return [*(root / name for name in (*INPUTS, *WRITTEN_INPUTS)), builtin_themes_dir(), *map(Path, outside), PACKAGE]


def written_stamp(root: Path, seen: dict[str, str] | None = None, walk: Walk | None = None) -> str:
    """The part of the fingerprint a build may change by writing the ledger: taken again after it did, so the
    next build, with nothing else changed, still takes the no-change path."""
    if walk is not None:
        walk.written.clear()
    return _digest_of([root / name for name in WRITTEN_INPUTS], "", seen, walk.written if walk is not None else None)


def restamp_written(root: Path, seen: dict[str, str], walk: Walk | None = None) -> None:
    """``seen`` (see fingerprint) with the inputs a build writes itself taken again, after it wrote them."""
    for name in WRITTEN_INPUTS:
        folder = str(root / name)
        for path in [path for path in seen if path == folder or path.startswith(folder + os.sep)]:
            del seen[path]
    written_stamp(root, seen, walk)


def retake(walk: Walk, seen: dict[str, str], settings: str, folders: Iterable[Path], touched: Iterable[str]
           ) -> str | None:
    """The fingerprint ``fingerprint(..., settings)`` of ``folders`` would take now, when ``walk`` and ``seen`` are
    what it took last and the files in ``touched`` (a watch's events) are the only ones changed since: each one
    re-read into ``seen``, none of the others looked at. None when that cannot be known so (another setting, a
    file made, removed or renamed, a folder, a link): then every file is looked at. ``seen`` is changed in
    either case: give a copy."""
    if settings != walk.settings or tuple(map(str, folders)) != walk.folders:
        return None
    for path in set(touched):
        if path not in seen:
            if editor_file(os.path.basename(path)) and not os.path.lexists(path):
                continue  # an editor's backup or swap file that came and went: never an input
            return None  # a file or folder made, or one that went and held files
        try:
            info = os.lstat(path)
        except OSError:
            return None  # gone: removed or renamed
        if not S_ISREG(info.st_mode):
            return None
        seen[path] = f"\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\n"
    main = hashlib.sha256(settings.encode("utf-8"))
    for file in walk.main:
        main.update(os.fsencode(file) + seen[file].encode())
    written = hashlib.sha256(b"")
    for file in walk.written:
        written.update(os.fsencode(file) + seen[file].encode())
    return main.hexdigest() + "|" + written.hexdigest()


def _digest_of(folders: list[Path], settings: str, seen: dict[str, str] | None = None,
               order: list[str] | None = None) -> str:
    digest = hashlib.sha256(settings.encode("utf-8"))
    for folder in folders:
        for file in input_files(str(folder)):
            # a file name that is not UTF-8 is named by its bytes here; the build reports it where it reads it
            try:
                stat = os.stat(file)
                # ctime too: an edit that keeps the size and puts the time back (touch -r, a tool that keeps times)
                # still changes it
                state = f"\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\n"
            except OSError as exc:  # a link to nothing, a file gone meanwhile: named too, so the build sees it
                state = f"\0unreadable {exc.errno}\n"
            digest.update(os.fsencode(file) + state.encode())
            if seen is not None:
                seen[file] = state
            if order is not None:
                order.append(file)
    return digest.hexdigest()


def output_listing(folders: Iterable[str]) -> tuple[str, ...]:
    """For each of ``folders``, every entry under it (folders too), relative and sorted, one a line: taken once
    after a build, so ``output_stamp`` can stat what the build left instead of listing 3,400 folders again."""
    return tuple("\n".join(_entries(folder, "")) for folder in folders)


def _entries(where: str, prefix: str) -> list[str]:
    try:
        with os.scandir(where) as listing:
            entries = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in listing)
    except OSError:
        return []
    found: list[str] = []
    for name, is_dir in entries:
        found.append(prefix + name)
        if is_dir:
            found.extend(_entries(os.path.join(where, name), prefix + name + "/"))
    return found


def output_stamp(folders: Iterable[str], listings: Iterable[str]) -> str:
    """Digest of each folder and each entry ``output_listing`` found under it: path, type, size, time and inode
    (lstat: links not followed). A file edited or replaced by a link by hand changes its own line; a file added,
    deleted or renamed changes its folder's time; and a build that swapped in a new site but was killed before
    saving its state changes the inodes. One lstat an entry and no folder listing: about 13,700 at 1000 items
    per language."""
    rows: list[tuple[str, int, int, int, int] | tuple[str]] = []
    lstat = os.lstat
    for folder, listing in zip(folders, listings, strict=True):
        for path in (folder, *(folder + "/" + name for name in listing.split("\n") if name)):
            try:
                stat = lstat(path)
            except OSError:
                rows.append((path,))
                continue
            rows.append((path, stat.st_mode, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    # marshal: the rows' bytes in one C call (formatting 13,700 lines was a third of the time)
    return hashlib.sha256(marshal.dumps(rows)).hexdigest()


def input_files(folder: str) -> list[str]:
    """Every file under ``folder`` (or ``folder`` itself), sorted; os.walk, as pathlib's rglob is several times slower."""
    if os.path.isfile(folder):
        return [folder]
    found: list[str] = []
    for where, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        found.extend(os.path.join(where, name) for name in files)
    return sorted(found)




def inputs_fingerprint(root: Path, out_dir: Path, drafts: bool, strict: bool, outside: Iterable[str],
                       seen: dict[str, str] | None = None, signing_key: Path | None = None,
                       walk: Walk | None = None) -> str:
    """``fingerprint`` of a build: the site's inputs, the built-in themes, the inputs outside the site it reads
    (``outside``) and the settings that change its output, the signing key among them (``seen``, ``walk``: see
    fingerprint)."""
    return fingerprint(root, input_extras(outside), build_settings(out_dir, drafts, strict, signing_key), seen, walk)


def input_extras(outside: Iterable[str]) -> list[Path]:
    """The folders a build's fingerprint reads besides the site's own: the built-in themes, the inputs outside."""
    from ..core.paths import builtin_themes_dir

    return [builtin_themes_dir(), *map(Path, outside)]


def build_settings(out_dir: Path, drafts: bool, strict: bool, signing_key: Path | None) -> str:
    """The settings a build's fingerprint holds besides its files."""
    return f"{out_dir}|{drafts}|{strict}|{key_stamp(signing_key)}"


def key_stamp(key: Path | None) -> str:
    """The signing key a build was given, as its path, size and time ("" for none): another key, or the key
    file replaced, changes what the build publishes (statements.json.sig, statements.pub)."""
    if key is None:
        return ""
    try:
        info = os.stat(key)
    except OSError as exc:
        return f"{key}\0unreadable {exc.errno}"
    return f"{key}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}"


def clock_in_templates(root: Path, extra_dirs: Iterable[Path]) -> bool:
    """True when some template uses the clock itself; then no build may be skipped or reused on a new clock."""
    for folder in [root / "templates", root / "themes", *extra_dirs]:
        if not folder.is_dir():
            continue
        for file in folder.rglob("*.html"):
            try:
                if CLOCK_WORDS.search(file.read_text(encoding="utf-8", errors="replace")):
                    return True
            except OSError:
                continue
    return False


def boundaries(pages: Iterable[Page]) -> tuple[str, ...]:
    """Every instant at which the clock changes some page's status or an event's upcoming/past state."""
    from ..core.model import CORRECTION_DAYS  # the site model loads only when a build runs (~30 ms)

    moments: set[datetime] = set()
    for page in pages:
        for moment in (page.publish_at, page.expires_at, page.withdrawn.at if page.withdrawn else None):
            if moment is not None:
                moments.add(moment)
        if page.event is not None:
            moments.add(page.event.finish)
        if page.changes:  # the snippet board offers a correction's posts for CORRECTION_DAYS
            moments.add(page.changes[-1].at + timedelta(days=CORRECTION_DAYS))
    return tuple(sorted(m.isoformat() for m in moments))


def crossed(state: BuildState, now: datetime, horizon: timedelta = LOOK_AHEAD) -> bool:
    """True when a boundary lies between the last build's clock and ``now`` (a page's status or an event's
    upcoming/past state changed), or between the two ends of the report's look-ahead (the report's "what the
    next build will publish or expire" lists the boundaries within ``horizon`` of the clock).

    An event tomorrow is inside the look-ahead of both builds and changes neither: it does not cost the no-change
    path, as it did when one window ran from the last build's clock to ``now`` + ``horizon``.
    """
    before = datetime.fromisoformat(state.clock)
    return moments_between(before, now, state.boundaries) or \
        moments_between(before + horizon, now + horizon, state.boundaries)


def moments_between(one: datetime, other: datetime, moments: Iterable[str]) -> bool:
    """Whether one of ``moments`` (ISO 8601) lies between ``one`` and ``other``, both included, in either order."""
    low, high = min(one, other), max(one, other)
    return any(low <= moment <= high for moment in map(datetime.fromisoformat, moments))


def load_state(root: Path) -> BuildState | None:
    try:
        raw = json.loads((root / CACHE_DIR / STATE_FILE).read_text(encoding="utf-8"))
        state = BuildState(str(raw["fingerprint"]), str(raw["clock"]), tuple(str(b) for b in raw["boundaries"]),
                           dict(raw["summary"]), str(raw.get("zone", "")), str(raw.get("environment", "")),
                           tuple(str(f) for f in raw.get("folders", [])), str(raw.get("outputs", "")),
                           tuple(str(f) for f in raw.get("listings", [])),
                           tuple(str(f) for f in raw.get("outside", [])))
        for moment in (state.clock, *state.boundaries):  # a state that cannot be read is not trusted
            if datetime.fromisoformat(moment).tzinfo is None:
                return None
        if not all(map(_an_outside_input, state.outside)):
            return None  # not a state a build wrote: `"outside": ["/"]` would stat every file of the machine
        return state
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _an_outside_input(path: str) -> bool:
    """Whether ``path`` is one a build reads outside its site: a ministry's network.yml, content/ or ledger/, or a
    theme package's folder (it holds templates/ or theme.yml)."""
    where = Path(path)
    if not where.is_absolute() or len(where.parts) < 3:
        return False
    return where.name in ("network.yml", "content", "ledger") or (where / "templates").is_dir() or \
        (where / "theme.yml").is_file()


def save_state(root: Path, state: BuildState) -> None:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{STATE_FILE}.{os.getpid()}"
        temporary.write_text(json.dumps({"fingerprint": state.fingerprint, "clock": state.clock,
                                         "boundaries": list(state.boundaries), "summary": state.summary,
                                         "zone": state.zone, "environment": state.environment,
                                         "folders": list(state.folders), "outputs": state.outputs,
                                         "listings": list(state.listings), "outside": list(state.outside)},
                                        ), encoding="utf-8")
        os.replace(temporary, folder / STATE_FILE)
    except OSError:
        pass
