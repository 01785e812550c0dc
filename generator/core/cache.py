"""The build caches: rendered Markdown bodies, parsed pages, render units and snippet posts.

Stored as JSON (never pickle: the cache folder must not be a way to run code), each file ending in a line
with its HMAC-SHA256 under a key kept outside the site (``cache_key_file``): cached HTML goes into pages and
feeds unsanitized, so a cache file someone else wrote (a poisoned `.legation-cache` in a shared folder, a
repository or a CI cache) must not be taken for ours. A missing cache is normal; a corrupt, foreign or
unsigned one is discarded as a whole (the caller warns), never partly trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from itertools import islice
from pathlib import Path
from typing import Protocol

from .codec import decode, encode
from .errors import Problem
from .model import Heading, Page
from .paths import CACHE_DIR

#: The rendered-Markdown cache is sixteen files, markdown-v2-0.json … markdown-v2-f.json, by the first hex digit
#: of the key: an edit rewrites the one or two files its keys fall in, not every rendered body of the site.
CACHE_FILE = "markdown-v2-*.json"
SHARDS = "0123456789abcdef"

Rendered = tuple[str, tuple[Heading, ...]]


class CacheUnsigned(ValueError):
    """A cache file without a valid signature under this user's key."""


def cache_key_file() -> Path:
    """Where the signing key lives: the user's state folder, outside every site (``$XDG_STATE_HOME`` or
    ``~/.local/state``, then ``legation/cache.key``)."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "legation" / "cache.key"


def cache_key() -> bytes | None:
    """This user's key (made on first use, readable by the user alone); None when it can be neither read nor
    made, and then no cache is read or written."""
    path = cache_key_file()
    for _attempt in range(2):
        try:
            key = path.read_bytes()
            if len(key) >= 32:
                return key
        except OSError:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(os.urandom(32).hex().encode())
            try:
                os.link(temporary, path)  # never replaces a key another build made meanwhile
            except FileExistsError:
                pass
            finally:
                temporary.unlink(missing_ok=True)
        except OSError:
            return None
    return None


def sign(body: bytes) -> bytes:
    """``body`` with its signature line, as save_json_cache writes a file (b"" when there is no key)."""
    key = cache_key()
    return body + b"\n" + hmac.new(key, body, hashlib.sha256).hexdigest().encode() if key else b""


def read_signed(file: Path) -> str:
    """The text of a cache file whose last line is the HMAC of the rest under this user's key.

    Raises OSError when it cannot be read and CacheUnsigned (a ValueError) when it is not ours.
    """
    data = file.read_bytes()
    key = cache_key()
    body, _newline, mac = data.rpartition(b"\n")
    if key is None or not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).hexdigest().encode()):
        raise CacheUnsigned(f"{file.name} is not signed by this user's cache key")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CacheUnsigned(str(exc)) from None


def shard_file(digit: str) -> str:
    return CACHE_FILE.replace("*", digit)


def _shard(key: str) -> str:
    return key[:1] if key[:1] in SHARDS else SHARDS[0]


def load_markdown_cache(root: Path) -> tuple[dict[str, Rendered], str]:
    """(entries, unusable): ``unusable`` names the first cache file (from ``root``) that existed but could not be
    used, and then no entry is used; "" when every file was fine or absent."""
    entries: dict[str, Rendered] = {}
    for digit in SHARDS:
        name = f"{CACHE_DIR}/{shard_file(digit)}"
        try:
            text = read_signed(root / name)
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            return {}, CACHE_DIR  # a file where the cache folder should be
        except (OSError, ValueError):
            return {}, name
        try:
            for key, (html, heads) in json.loads(text).items():
                if not isinstance(html, str) or not isinstance(heads, list):
                    raise TypeError("cache entry of the wrong shape")
                parsed = []
                for level, anchor, label in heads:
                    if not (isinstance(level, int) and isinstance(anchor, str) and isinstance(label, str)):
                        raise TypeError("heading of the wrong shape")
                    parsed.append(Heading(level, anchor, label))
                entries[str(key)] = (html, tuple(parsed))
        except (ValueError, TypeError, AttributeError):
            return {}, name
    return entries, ""


def save_markdown_cache(root: Path, entries: Mapping[str, Rendered], previous: Iterable[str] | None = None) -> bool:
    """Write the cache files whose keys differ from ``previous`` (the keys that were read; None: every file).

    Each file is written atomically and names its bodies by content, so any mix of old and new files
    (a build killed between two of them) is still a valid cache. A failure to write never fails the build.
    """
    new: dict[str, list[str]] = {digit: [] for digit in SHARDS}
    for key in entries:
        new[_shard(key)].append(key)
    old: dict[str, set[str]] | None = None
    if previous is not None:
        old = {digit: set() for digit in SHARDS}
        for key in previous:
            old[_shard(key)].add(key)
    saved = True
    for digit, keys in new.items():
        if old is not None and old[digit] == set(keys):
            continue
        if not keys:
            with contextlib.suppress(OSError):
                (root / CACHE_DIR / shard_file(digit)).unlink(missing_ok=True)
            continue
        saved &= save_json_cache(root, shard_file(digit), ((key, [entries[key][0], [[h.level, h.anchor, h.text]
                                                                                    for h in entries[key][1]]])
                                                           for key in sorted(keys)))
    return saved


#: One render state per output folder (the build's, the preview's…), * a digest of the folder's path: switching
#: between `legation build` and `legation serve` no longer makes each render everything the other rendered last.
RENDER_FILE = "render-v2-*.json"
SNIPPET_CACHE = "snippets-v2.json"

UnitState = dict[str, tuple[str, list[str]]]


def render_file(out_dir: str) -> str:
    """The render state's file name for ``out_dir``, by its real path: two spellings of one folder (a link,
    ``x/../public``) share one state, or a build under one name would trust what the other name replaced."""
    return RENDER_FILE.replace("*", hashlib.sha256(os.fsencode(os.path.realpath(out_dir))).hexdigest()[:16])


def load_render_state(root: Path, out_dir: str, manifest: str) -> UnitState:
    """Unit key → (digest of its inputs, the files it made) of the last build into ``out_dir``.

    ``manifest``: the identity of the manifest now in ``out_dir`` (files.manifest_id). The state is used only
    when it was saved for that very manifest: a build killed after its swap and before saving its state left
    the previous build's state beside the new site, and a revert then reused the killed build's pages.
    A missing or malformed state, or one of another folder or site, is an empty one: everything is rendered again.
    """
    out_dir = os.path.realpath(out_dir)
    try:
        raw = json.loads(read_signed(root / CACHE_DIR / render_file(out_dir)))
        units: UnitState = {}
        for key, (digest, paths) in raw["units"].items():
            if not (isinstance(digest, str) and isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
                raise TypeError("render state entry of the wrong shape")
            units[str(key)] = (digest, paths)
        return units if raw["out_dir"] == out_dir and manifest and raw.get("manifest") == manifest else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save_render_state(root: Path, out_dir: str, units: UnitState, manifest: str) -> bool:
    """Save the state of the site whose manifest is ``manifest`` (now live in ``out_dir``); False if it failed."""
    data = {key: [digest, paths] for key, (digest, paths) in sorted(units.items())}
    return save_json_cache(root, render_file(out_dir), {"out_dir": os.path.realpath(out_dir), "manifest": manifest,
                                                        "units": data})


def load_json_cache(root: Path, name: str) -> tuple[object, bool]:
    """(parsed JSON or None, discarded) of one cache file; the caller checks its shape."""
    try:
        text = read_signed(root / CACHE_DIR / name)
    except FileNotFoundError:
        return None, False
    except (OSError, ValueError):
        return None, True
    try:
        return json.loads(text), False
    except ValueError:
        return None, True


#: Cache files of earlier legation versions: removed when a build writes its own (a 50 MB file nothing reads).
OBSOLETE = ("markdown-v1.json", "pages-v1.json", "render-v1.json", "snippets-v1.json", "render-v2.json")


def remove_obsolete_caches(root: Path) -> None:
    for name in OBSOLETE:
        with contextlib.suppress(OSError):
            (root / CACHE_DIR / name).unlink(missing_ok=True)


def save_json_cache(root: Path, name: str, data: object) -> bool:
    """Write one cache file atomically; a failure to write it never fails the build. False when it failed:
    then the previous file is removed too (it describes an earlier build), and the caller warns.

    Objects are written one member at a time (``data`` may hold iterators of (key, value) pairs, written
    as objects too), so a cache of every page never exists as one string in memory. A value the cache
    cannot hold (TypeError) leaves the previous file in place.
    """
    folder = root / CACHE_DIR
    temporary = folder / f".{name}.{os.getpid()}"
    key = cache_key()
    if key is None:
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")
        with temporary.open("w", encoding="utf-8") as handle:
            signed = _Signing(handle, hmac.new(key, digestmod=hashlib.sha256))
            _write_json(signed, data)
            handle.write("\n" + signed.mac.hexdigest())
        os.replace(temporary, folder / name)
        return True
    except TypeError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return True  # a value no cache can hold: the previous file stays (see above), it is not a write failure
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (folder / name).unlink(missing_ok=True)
        return False


class _Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class _Signing:
    """A text file that also feeds what is written to an HMAC (the JSON is written in many pieces)."""

    def __init__(self, handle: _Writer, mac: hmac.HMAC) -> None:
        self.handle, self.mac = handle, mac

    def write(self, text: str) -> None:
        self.mac.update(text.encode("utf-8"))
        self.handle.write(text)


def _write_json(handle: _Writer, data: object) -> None:
    """``json.dump(data, handle, ensure_ascii=False)``'s text, written a few hundred members at a time
    (each batch by the C encoder; members that are objects themselves are written the same way)."""
    if not isinstance(data, dict | Iterator):
        handle.write(json.dumps(data, ensure_ascii=False))
        return
    members = iter(data.items() if isinstance(data, dict) else data)
    handle.write("{")
    separator = ""
    while batch := list(islice(members, 512)):
        if not all(isinstance(key, str) for key, _ in batch):
            raise TypeError("cache keys are strings")
        if any(isinstance(value, dict | Iterator) for _, value in batch):
            for key, value in batch:
                handle.write(separator + json.dumps(key, ensure_ascii=False) + ": ")
                _write_json(handle, value)
                separator = ", "
        else:
            handle.write(separator + json.dumps(dict(batch), ensure_ascii=False)[1:-1])
            separator = ", "
    handle.write("}")


PAGES_FILE = "pages-v2.json"

#: A parsed page without its body (that lives in the Markdown cache under the key given first) and its warnings.
PageEntry = tuple[str, Page, tuple[Problem, ...]]


#: Libraries whose version can change a parsed page, a rendered body or a snippet post.
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pyyaml", "nh3", "babel", "regex", "twitter-text-parser", "tzdata",
             "jinja2", "feedgen", "icalendar", "markdown-it-pyrs")


def library_versions() -> str:
    """Python's and the Unicode tables' versions and every library in LIBRARIES (an upgrade invalidates caches)."""
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=none")
    return f"python={sys.version}|unicode={unicodedata.unidata_version}|" + "|".join(found)


def code_digest() -> str:
    """Digest of the package's own Python files and the library versions: caches made by other code are not reused."""
    digest = hashlib.sha256(library_versions().encode())
    package = Path(__file__).resolve().parent.parent
    for file in sorted(package.rglob("*.py"), key=lambda path: path.relative_to(package).as_posix()):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class PageCache:
    """Parsed pages by page key, and the JSON records they were read from (written back as they are)."""

    entries: dict[str, PageEntry] = field(default_factory=dict)
    records: dict[str, object] = field(default_factory=dict)


def load_page_cache(root: Path, code: str) -> tuple[PageCache, bool]:
    """(cache, discarded) of the parsed-page cache; entries written by other code are silently dropped."""
    raw, discarded = load_json_cache(root, PAGES_FILE)
    if raw is None:
        return PageCache(), discarded
    try:
        if not isinstance(raw, dict) or not isinstance(raw.get("entries"), dict):
            raise ValueError("page cache of the wrong shape")
        if raw.get("code") != code:
            return PageCache(), False
        entries: dict[str, PageEntry] = {}
        for key, entry in raw["entries"].items():
            if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                    and isinstance(entry[2], list)):
                raise ValueError("page cache entry of the wrong shape")
            entries[key] = (entry[0], decode(Page, entry[1]), tuple(decode(Problem, p) for p in entry[2]))
        return PageCache(entries, raw["entries"]), False
    except (ValueError, TypeError, AttributeError):
        return PageCache(), True


def save_page_cache(root: Path, code: str, entries: dict[str, PageEntry], previous: PageCache) -> bool:
    """Write the page cache unless it holds exactly the ``previous`` entries (keys name their content).

    Entries read from the previous cache are written back from their records, not encoded again.
    """
    if entries.keys() == previous.entries.keys():
        return True
    # encoded one entry at a time as the file is written; a value the cache cannot hold keeps the old file
    data = ((key, previous.records[key] if key in previous.records
             else [mdkey, encode(page), [encode(p) for p in problems]])
            for key, (mdkey, page, problems) in sorted(entries.items()))
    return save_json_cache(root, PAGES_FILE, {"code": code, "entries": data})
