"""The only module that writes the output folder: staging, atomic swap or journaled patch, lock.

A build writes what it makes into a staging folder beside the output. When it is complete, either the
staging folder is completed with the unchanged files (hard links) and swapped in with one rename, or,
when the live folder is verified as the last build left it and only a few files changed, those files
are moved into it under a journal that the next build finishes if this one is killed. Either way a
failed build leaves the previous site untouched, and a killed one never leaves a damaged file.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .errors import LegationError, OutputError, SourceLocation
from .paths import shown_path

if TYPE_CHECKING:
    from .model import OutputFile

MARKER = ".legation-manifest.json"
#: a patch moves at most this share of the live folder's files (more: the whole folder is swapped in)
PATCH_SHARE = 4
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class WriteStats:
    files: int
    bytes: int
    written: int = 0  # files with new content (the rest were reused)


def check_output_path(path: str) -> PurePosixPath:
    """Refuse a path that would land outside the output folder."""
    _refuse_outside(path)
    return PurePosixPath(path)


def _refuse_outside(path: str) -> None:
    """check_output_path without making a PurePosixPath (run on every output of every build)."""
    if (not path or path.startswith("/") or "\\" in path or "\x00" in path
            or any(part in ("", ".", "..") for part in path.split("/"))):
        raise OutputError.at(SourceLocation(path), f'refusing to write "{path}": it would leave the output folder',
                             "slugs and file names must be plain names without .. or /", "path")


#: what a site folder holds besides its outputs: an output folder must neither be nor hold nor sit inside one
SOURCE_FOLDERS = ("content", "static", "themes", "i18n")


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def check_output_dir(out_dir: Path, root: Path, others: dict[str, Path] | None = None) -> None:
    """Refuse output folders whose replacement would destroy something else.

    ``others``: the build's other output folders (the snippets' for the site's and back), named for the message;
    an output folder that is, holds or sits inside one of them or a source folder is refused.
    """
    try:
        out, site = out_dir.resolve(), root.resolve()
        if out == site or out in site.parents:
            raise OutputError.at(SourceLocation(str(out_dir)),
                                 "the output folder would contain or replace the site's sources",
                                 "choose another --out, such as public/", "output")
        for name in SOURCE_FOLDERS:
            if _overlap(out, site / name):
                raise OutputError.at(SourceLocation(str(out_dir)),
                                     f"the output folder overlaps the site's {name}/ folder, which it would replace",
                                     "choose another --out, such as public/", "output")
        for name, other in (others or {}).items():
            if _overlap(out, other.resolve()):
                raise OutputError.at(SourceLocation(str(out_dir)),
                                     f"the output folder overlaps the {name} folder {other}: one build would replace"
                                     " the other's files", "choose separate folders (--out public, snippets: {out_dir:"
                                     " snippets} in site.yml)", "output")
        if out.exists() and not out.is_dir():
            raise OutputError.at(SourceLocation(str(out_dir)), "the output path exists and is not a folder",
                                 "remove it or choose another --out", "output")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
            raise OutputError.at(SourceLocation(str(out_dir)),
                                 "the output folder is not empty and was not made by legation; it would be replaced",
                                 "empty it, or choose another --out", "output")
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, from resolve()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError.at(SourceLocation(str(out_dir)), f"cannot inspect the output folder {out_dir}: {reason}",
                             "check its permissions, or choose another --out", "output") from None


def linked_output(out_dir: Path) -> Path:
    """The folder a build writes: ``out_dir`` itself, or the folder it names when it is a symbolic link.

    A web server's root is often a link (``public -> /var/www/site``). Replacing the link by a folder would
    leave the server on the old site and every later build failing, so the link's target is built and swapped
    atomically beside it instead, and the link is left as it is. A link to nothing yet is refused.
    """
    if not out_dir.is_symlink():
        return out_dir
    try:
        target = out_dir.resolve(strict=True)
    except (OSError, RuntimeError):
        raise OutputError.at(SourceLocation(str(out_dir)), "the output folder is a symbolic link to nothing",
                             "create the folder it points to, or remove the link", "output") from None
    if not target.is_dir():
        raise OutputError.at(SourceLocation(str(out_dir)), f"the output folder is a link to {target}, not to a folder",
                             "point the link at a folder, or choose another --out", "output")
    return target


def _blocking_file(folder: Path) -> Path | None:
    """The nearest existing ancestor-or-self of ``folder`` that is not a folder (so ``folder`` cannot be made)."""
    for candidate in (folder, *folder.parents):
        try:
            if candidate.exists() or candidate.is_symlink():
                return None if candidate.is_dir() else candidate
        except OSError:
            return None
    return None


def _prepare_parent(out_dir: Path) -> None:
    """Create the folder that holds ``out_dir`` (and its lock and staging folders), or say clearly why not."""
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = _blocking_file(parent)
        if blocker is not None:
            what = (f"the output folder's parent {parent} is not a folder" if blocker == parent
                    else f"the output folder's parent {parent} cannot be created: {blocker} is a file, not a folder")
            hint = f"choose another --out, or move {blocker} out of the way"
        else:
            what = f"the output folder's parent {parent} cannot be created: {exc.strerror or exc}"
            hint = "choose another --out, in a folder you can write to"
        raise OutputError.at(SourceLocation(str(out_dir)), what, hint, "output") from None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (0 and negative numbers name process groups, not a build)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # it exists, under another user
    except (ProcessLookupError, OverflowError):
        return False
    return True


def _locked_message(out_dir: Path, fd: int, waited: float) -> str:
    """Which build holds the lock (the process number it wrote in the lock file) and how long this one waited."""
    try:
        holder = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        holder = ""
    running = f"another build of {out_dir} is still running after {waited:g} s" if waited >= 1 else \
        f"another build of {out_dir} is running"
    # the number its holder wrote, which names a process of this machine only while that process lives
    return f"{running} (the lock file names process {holder})" if holder.isdigit() and _alive(int(holder)) else running


@contextmanager
def build_lock(out_dir: Path, wait_seconds: float = 60.0, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time per output folder; the kernel drops the lock when a build dies."""
    _prepare_parent(out_dir)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _lock_error(out_dir, lock_path, exc) from None
    try:
        deadline = time.monotonic() + wait_seconds
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced and on_wait:
                    on_wait()
                    announced = True
                if time.monotonic() >= deadline:
                    raise OutputError.at(SourceLocation(str(lock_path)), _locked_message(out_dir, fd, wait_seconds),
                                         "wait for it to finish, then build again", "locked") from None
                time.sleep(0.1)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError as exc:
            raise _lock_error(out_dir, lock_path, exc) from None
        yield
    finally:
        os.close(fd)


def _lock_error(out_dir: Path, lock_path: Path, exc: OSError) -> LegationError:
    return OutputError.at(SourceLocation(str(lock_path)), f"cannot write the lock file {lock_path}: {exc.strerror or exc}",
                          f"remove {lock_path} if it is not a file, check that {out_dir.parent} is writable, "
                          "or choose another --out", "output")


def write_site(outputs: Iterable[OutputFile], out_dir: Path, src_root: Path) -> WriteStats:
    """Write ``outputs`` into a fresh staging folder, then swap it in for ``out_dir``.

    Files whose bytes did not change since the previous build (per its manifest) are
    hard-linked from it instead of written; when nothing changed, nothing is touched.
    """
    outputs = list(outputs)
    for output in outputs:  # refuse a bad path before anything is created
        check_output_path(output.path)
    staging = Staging(out_dir, src_root)
    try:
        placed = [staging.put(output) for output in outputs]
    except BaseException:
        staging.abort()
        raise
    stats = staging.commit(placed)
    staging.settle()
    return stats


@dataclass(frozen=True)
class Placed:
    """What became of one output in the staging folder."""

    path: str
    digest: str
    size: int
    written: bool  # False when it was linked unchanged from the previous output


class Staging:
    """A staging folder beside ``out_dir`` that outputs go into as soon as they are made.

    Outputs are written (or hard-linked from the previous output when their bytes did not
    change) by ``put``, which forked workers may call too, so no build holds the whole site in
    memory. ``commit`` swaps the folder in with one rename; ``abort`` (or a killed build, cleaned
    up by the next one) leaves the previous site exactly as it was.

    With ``patch`` (the live folder is known to be exactly as the last build left it), ``put``
    writes only the files whose bytes changed and links nothing; ``commit`` then moves them into
    the live folder under a journal when they are few (O(change): a one-page edit touches a dozen
    files, not the 10,000 a swap links), and otherwise links the rest and swaps as above.
    """

    def __init__(self, out_dir: Path, src_root: Path, verify: bool = False, patch: bool = False) -> None:
        """``verify``: trust only live files whose bytes are what the manifest says (see verified_manifest)."""
        self.out_dir, self.src_root = out_dir, src_root
        self.folder = out_dir.parent / f".{out_dir.name}.staging"
        self._root, self._old = str(self.folder), str(out_dir)
        self._made: set[str] = {""}
        self._plain: dict[str, bool] = {}  # live folders checked for symbolic links (see _plain_live)
        self._cleanup: threading.Thread | None = None
        self.patched = False  # whether commit patched the live folder rather than swapping it
        try:
            _remove_leftovers(out_dir)
            self.previous = verified_manifest(out_dir) if verify else _read_manifest(out_dir)
            self.patch = patch and not verify and bool(self.previous)
            self.folder.mkdir(parents=True)
        except OSError as exc:
            self.abort()
            raise self._error(exc) from None

    def put(self, output: OutputFile) -> Placed:
        """Write one output now (it is checked to stay inside the folder); the manifest lists it at commit."""
        path = output.path
        _refuse_outside(path)
        if path == MARKER:
            raise _collision(path)
        try:
            digest, size = _digest(output, self.src_root), _size(output, self.src_root)
        except OSError as exc:
            raise OutputError.at(SourceLocation(str(exc.filename or self.src_root)),
                                 f"cannot read a file to copy into the site: {exc.strerror or exc}",
                                 "it was moved or deleted during the build; build again", "io") from None
        folder = path.rpartition("/")[0]
        if self.patch and self.previous.get(path) == digest and self._plain_live(folder):
            return Placed(path, digest, size, False)  # stays where it is (or is linked at commit)
        try:
            if folder not in self._made:
                os.makedirs(os.path.join(self._root, folder), exist_ok=True)
                self._made.add(folder)
        except OSError as exc:
            raise self._error(exc) from None
        target = os.path.join(self._root, path)
        try:
            # A second output for the same path must fail, never write through the first one, which may be a
            # hard link into the live site: links and new files are made only where nothing is (EEXIST).
            live = os.path.join(self._old, path)
            source = os.path.join(self.src_root, output.copy_from) if output.copy_from is not None else ""
            # a reused file is copied from the live one itself, whose length it has: no check needed there;
            # nothing is taken from the live site through a folder that was replaced by a symbolic link
            plain = self._plain_live(folder)
            if plain and self.previous.get(path) == digest and _link(live, target, -1 if source == live else size):
                return Placed(path, digest, size, False)
            if output.data is not None:
                with open(target, "xb") as handle:
                    handle.write(output.data)
            elif source:
                if source == live and (not plain or os.path.islink(live)):  # it points at nothing the build made
                    raise OutputError.at(SourceLocation(shown_path(Path(live), self.src_root)),
                                         "is, or is in, a symbolic link, not a file the build wrote",
                                         "delete the output folder and build again", "io")
                # "xb" as above: a path another worker linked to the live site meanwhile is never written through
                with open(source, "rb") as readable, open(target, "xb") as handle:
                    shutil.copyfileobj(readable, handle)
        except FileExistsError:
            raise _collision(path) from None
        except OSError as exc:
            raise self._error(exc) from None
        return Placed(path, digest, size, True)

    def keep(self, path: str, digest: str, size: int) -> Placed | None:
        """``path`` placed as it is in the live folder, neither read nor written, when the folder is patched and
        already holds those bytes there (by the manifest); None when the file must be ``put``."""
        if self.patch and path != MARKER and self.previous.get(path) == digest and \
                self._plain_live(path.rpartition("/")[0]):
            _refuse_outside(path)
            return Placed(path, digest, size, False)
        return None

    def _plain_live(self, folder: str) -> bool:
        """Whether ``folder`` (relative, with /) and each folder above it are no symbolic links in the live site
        (a folder that does not exist there is plain: nothing is linked from it). Remembered per folder."""
        known = self._plain.get(folder)
        if known is None:
            parent = folder.rpartition("/")[0]
            known = self._plain[folder] = (folder == "" or (self._plain_live(parent)
                                                           and not os.path.islink(os.path.join(self._old, folder))))
        return known

    def commit(self, placed: Iterable[Placed]) -> WriteStats:
        """Write the manifest and swap the staging folder in (or drop it when nothing changed)."""
        try:
            manifest: dict[str, str] = {}
            staged_paths: set[str] = set()
            size = written = 0
            for item in placed:
                if item.path in manifest:
                    raise _collision(item.path)
                manifest[item.path] = item.digest
                size += item.size
                if item.written:
                    written += 1
                    staged_paths.add(item.path)
            manifest = dict(sorted(manifest.items()))
            # nothing to swap in only when every file was linked from the live folder and it holds no other
            # (a file deleted or added there by hand since is put right by swapping in the staged folder)
            if manifest == self.previous and not written and (self.patch or holds_exactly(self.out_dir, manifest)):
                self.abort()
                return WriteStats(len(manifest), size, 0)
            if self.patch:  # the files ``put`` wrote are in staging; the others are still in the live folder
                staged = sorted(staged_paths)
                removed = sorted(self.previous.keys() - manifest.keys())
                (self.folder / MARKER).write_text(manifest_text(manifest), encoding="utf-8")
                if (len(staged) + len(removed)) * PATCH_SHARE <= len(self.previous) and \
                        all(self._plain_live(path.rpartition("/")[0]) for path in (*staged, *removed)):
                    _patch(self.folder, self.out_dir, staged, removed)
                    self.patched = True
                    return WriteStats(len(manifest), size, written)
                self._complete(path for path in manifest if path not in staged_paths)
            else:
                (self.folder / MARKER).write_text(manifest_text(manifest), encoding="utf-8")
            swapped_out = _swap(self.folder, self.out_dir)
            if swapped_out is not None:
                # the previous site is out of use once swapped out: delete it while the build writes its caches
                self._cleanup = threading.Thread(target=shutil.rmtree, args=(swapped_out,),
                                                 kwargs={"ignore_errors": True})
                self._cleanup.start()
        except OSError as exc:
            self.abort()
            raise self._error(exc) from None
        except BaseException:
            self.abort()
            raise
        return WriteStats(len(manifest), size, written)

    def _complete(self, unchanged: Iterable[str]) -> None:
        """Link the files ``put`` left in the live folder into the staging folder, which then holds the site."""
        for path in unchanged:
            folder = path.rpartition("/")[0]
            if folder not in self._made:
                os.makedirs(os.path.join(self._root, folder), exist_ok=True)
                self._made.add(folder)
            if not _link(os.path.join(self._old, path), os.path.join(self._root, path), -1):
                raise OutputError.at(SourceLocation(shown_path(self.out_dir / path, self.src_root)),
                                     "was changed or deleted in the output folder during the build",
                                     "build again", "io")

    def settle(self) -> None:
        """Wait until the previous site that ``commit`` swapped out is deleted (call before releasing the lock)."""
        if self._cleanup is not None:
            self._cleanup.join()

    def abort(self) -> None:
        self.settle()  # a deletion still running in the background would race the next build's staging folder
        if _journal(self.out_dir).exists():  # interrupted in the middle of a patch: finished, never undone
            with suppress(OSError, LegationError):
                _remove_leftovers(self.out_dir)
            return  # what could not be finished now, the next build finishes (it needs the staging folder)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _error(self, exc: OSError) -> LegationError:
        return OutputError.at(SourceLocation(str(exc.filename or self.out_dir)),
                              f"cannot write the site: {exc.strerror or exc}",
                              "check free disk space and permissions; the previous site was left as it was", "io")


def _digest(output: OutputFile, src_root: Path) -> str:
    if output.digest:
        return output.digest
    if output.data is not None:
        return hashlib.sha256(output.data).hexdigest()
    assert output.copy_from is not None
    return hashlib.sha256((src_root / output.copy_from).read_bytes()).hexdigest()


def _size(output: OutputFile, src_root: Path) -> int:
    if output.data is not None:
        return len(output.data)
    assert output.copy_from is not None
    return os.stat(os.path.join(src_root, output.copy_from)).st_size


def manifest_text(files: dict[str, str]) -> str:
    """``json.dumps({"algorithm": "sha256", "files": files}, indent=0, sort_keys=True)``, the manifest's format,
    made by the C encoder (``indent`` would make json use its pure-Python one: a sixth of an edit's build), in one
    call: the separator puts each entry on its own line (12,000 calls of it were 30 ms at 3,000 items a language)."""
    entries = json.dumps(dict(sorted(files.items())), separators=(",\n", ": "))[1:-1]
    return '{\n"algorithm": "sha256",\n"files": {' + (f"\n{entries}\n" if entries else "") + "}\n}"


def verified_manifest(out_dir: Path) -> dict[str, str]:
    """``out_dir``'s manifest less every file that is no longer what it lists: gone, a link, or other bytes.

    Used when the output was changed since the last build (its stamp differs): a page edited by hand to the
    same length was otherwise taken from the live site into the next one. Reads every file once.
    """
    kept: dict[str, str] = {}
    for path, digest in _read_manifest(out_dir).items():
        full = os.path.join(out_dir, path)
        try:
            if os.path.islink(full):
                continue
            with open(full, "rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() == digest:
                    kept[path] = digest
        except OSError:
            continue
    return kept


def manifest_id(out_dir: Path) -> str:
    """The identity of the manifest now in ``out_dir`` (the digest of its bytes, which list every file's
    digest), "" when there is none: what a render state was made for."""
    try:
        return hashlib.sha256((out_dir / MARKER).read_bytes()).hexdigest()
    except OSError:
        return ""


def read_manifest(out_dir: Path) -> dict[str, str]:
    """Path → SHA-256 of every file the last build wrote into ``out_dir`` (empty when there is none)."""
    return _read_manifest(out_dir)


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        files = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _link(existing: str, target: str, size: int) -> bool:
    """Reuse an unchanged file from the previous output; False when that is not possible, or when the file is
    not ``size`` bytes long (edited by hand since the manifest was written: it is written anew instead; -1:
    not checked).

    Raises FileExistsError when ``target`` exists (two outputs for one path)."""
    try:
        os.link(existing, target)
    except FileExistsError:
        raise
    except OSError:
        return False
    found = os.lstat(target)  # os.link links a symbolic link itself: one left in the live folder is not reused
    if stat.S_ISLNK(found.st_mode) or (size >= 0 and found.st_size != size):
        os.unlink(target)
        return False
    return True


def holds_exactly(folder: Path, paths: Iterable[str]) -> bool:
    """Whether ``folder`` holds exactly the files ``paths`` (relative, with /) and the manifest, as plain files
    in plain folders: none missing, none added by hand, no empty folder and no symbolic link left there."""
    wanted = set(paths)
    wanted.add(MARKER)
    folders = {path[:cut] for path in wanted for cut in range(len(path)) if path[cut] == "/"}
    found = 0
    pending = [("", str(folder))]
    try:
        while pending:
            prefix, where = pending.pop()
            with os.scandir(where) as listing:
                for entry in listing:
                    name = prefix + entry.name
                    if entry.is_symlink():
                        return False
                    if entry.is_dir():
                        if name not in folders:
                            return False
                        pending.append((name + "/", entry.path))
                    elif name in wanted:
                        found += 1
                    else:
                        return False
    except OSError:
        return False
    return found == len(wanted)


def _collision(path: str) -> LegationError:
    return OutputError.at(SourceLocation(path), f"two outputs would be written to {path}",
                          "rename one of the items that produce it", "collision")


def _swap(staging: Path, out_dir: Path) -> Path | None:
    """Put ``staging`` in place of ``out_dir``; the folder now holding the previous site, to delete."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return None
    if _exchange(staging, out_dir):
        return staging
    old = out_dir.parent / f".{out_dir.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with renameat2(RENAME_EXCHANGE); False where unsupported."""
    import ctypes  # only when a build swaps its site in: not on the no-change path

    try:  # the C library the interpreter itself links (find_library would run ldconfig to find it)
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _journal(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.patch.json"


def _patch(staging: Path, out_dir: Path, changed: list[str], removed: list[str]) -> None:
    """Move the ``changed`` files (and the manifest) from ``staging`` into ``out_dir`` and delete ``removed``.

    The journal is written (atomically) before the first move: a build killed in between leaves it, and the
    next build, under the lock, finishes the patch from it (``_finish_patch``) before anything else. Each file
    is replaced by one rename, so a reader meanwhile finds the old page or the new one, never part of one.
    """
    journal = _journal(out_dir)
    temporary = journal.with_name(journal.name + ".tmp")
    temporary.write_text(json.dumps({"put": changed, "remove": removed}), encoding="utf-8")
    os.replace(temporary, journal)
    _finish_patch(staging, out_dir, changed, removed)


def _finish_patch(staging: Path, out_dir: Path, changed: list[str], removed: list[str]) -> None:
    """Carry out a journaled patch, or what a killed build left of it (a file moved already is not in staging)."""
    for path in removed:  # first: a file may take the place of a folder emptied here, or the reverse
        with suppress(FileNotFoundError):
            os.unlink(out_dir / path)
        folder = path.rpartition("/")[0]
        while folder:  # a folder left empty is removed, as a swapped-in site would not have it
            try:
                os.rmdir(out_dir / folder)
            except OSError:
                break
            folder = folder.rpartition("/")[0]
    for path in (*changed, MARKER):
        source = staging / path
        if os.path.lexists(source):
            target = out_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    os.unlink(_journal(out_dir))
    shutil.rmtree(staging, ignore_errors=True)


def _leftover_paths(out_dir: Path) -> tuple[Path, Path, Path]:
    return (out_dir.parent / f".{out_dir.name}.old", out_dir.parent / f".{out_dir.name}.staging",
            _journal(out_dir))


def has_leftovers(out_dir: Path) -> bool:
    """Whether a killed build left its staging folder, the swapped-out previous site or an unfinished patch
    beside ``out_dir``."""
    return any(os.path.lexists(path) for path in _leftover_paths(out_dir))


def _remove_leftovers(out_dir: Path) -> None:
    """Undo what a killed build left, or finish its patch (we hold the lock, so nothing else is using these)."""
    old, staging, journal = _leftover_paths(out_dir)
    if os.path.lexists(journal):
        plan = _read_journal(journal)
        if plan is not None and _replayable(staging, out_dir, *plan):
            _finish_patch(staging, out_dir, *plan)
        else:  # not ours, or not safe to follow: dropped; the build then swaps in a whole verified site
            os.unlink(journal)
    with suppress(FileNotFoundError):
        os.unlink(journal.with_name(journal.name + ".tmp"))
    if not out_dir.exists() and old.is_dir() and not old.is_symlink():
        os.rename(old, out_dir)
    for leftover in (old, staging):
        if os.path.islink(leftover):  # never followed: a link here is removed, not what it points to
            os.unlink(leftover)
        elif leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)


def recover(out_dir: Path) -> None:
    """Before a build does anything else (under the lock): finish the patch a killed build left in ``out_dir``,
    so that the live site is whole even when this build then fails early."""
    try:
        if any(os.path.lexists(path) for path in _leftover_paths(out_dir)):
            _remove_leftovers(out_dir)
    except OSError as exc:
        raise OutputError.at(SourceLocation(str(exc.filename or out_dir)),
                             f"cannot finish what an interrupted build left: {exc.strerror or exc}",
                             "check free disk space and permissions, then build again", "io") from None


def _read_journal(journal: Path) -> tuple[list[str], list[str]] | None:
    """A patch journal's (files to move in, files to delete); None when it is not one a build wrote."""
    try:
        if os.path.islink(journal):
            return None
        plan = json.loads(journal.read_text(encoding="utf-8"))
        changed, removed = [str(p) for p in plan["put"]], [str(p) for p in plan["remove"]]
        for path in (*changed, *removed):
            _refuse_outside(path)
    except (OSError, ValueError, KeyError, TypeError, LegationError):
        return None
    return changed, removed


def _replayable(staging: Path, out_dir: Path, changed: list[str], removed: list[str]) -> bool:
    """Whether a journal can be carried out without following a symbolic link anywhere: the staging folder is a
    folder, every file to move in is a plain file, and no folder on any path (in either tree) is a link. A build
    writes nothing else; anything else was put there by someone else."""
    def plain_folders(base: Path, path: str) -> bool:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            try:
                mode = os.lstat(base.joinpath(*parts[:depth])).st_mode
            except FileNotFoundError:
                return True  # made by the patch, as a plain folder
            if not stat.S_ISDIR(mode):
                return False
        return True

    try:
        if os.path.lexists(staging) and not stat.S_ISDIR(os.lstat(staging).st_mode):
            return False
        for path in (*changed, MARKER):
            source = staging / path
            if not plain_folders(staging, path) or not plain_folders(out_dir, path):
                return False
            if os.path.lexists(source) and not stat.S_ISREG(os.lstat(source).st_mode):
                return False
        return all(plain_folders(out_dir, path) for path in removed)
    except OSError:
        return False


def verify_tree(folder: Path) -> list[str]:
    """Differences between ``folder`` and its build manifest: changed, missing and unexpected files."""
    manifest = _read_manifest(folder)
    if not manifest:
        return [f"{folder / MARKER}: no readable build manifest"]
    found = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
    problems = [f"{path}: missing" for path in sorted(set(manifest) - found)]
    problems += [f"{path}: not produced by the build" for path in sorted(found - set(manifest) - {MARKER})]
    for path in sorted(set(manifest) & found):
        file = folder / path
        if file.is_symlink() or hashlib.sha256(file.read_bytes()).hexdigest() != manifest[path]:
            problems.append(f"{path}: content differs from the build")
    return problems
