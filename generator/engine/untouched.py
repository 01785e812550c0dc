"""What a resident builder knows without looking: whether its inputs and its output folders were touched since
its last build (core/inotify.py watches them). A build asked of it then takes the no-change state's own
fingerprint and output stamp instead of taking the size and time of every input file and output entry again.

The knowledge is the kernel's, and is given up at the first doubt: a build that failed, other settings, an
overflowing event queue, a folder that could not be watched, a watched folder replaced (a swap by another build)
each make the next build look at every file, as a build without a builder does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.inotify import SKIPPED, Watch
from .fastpath import WRITTEN_INPUTS, input_paths, key_stamp, load_state
from .run import BuildOptions


@dataclass(frozen=True)
class Untouched:
    """Untouched since the last build's no-change state was saved: its inputs (``inputs``), its output folders;
    and when the inputs were touched, the paths of the inputs the watch named (``touched``: each change since the
    last build is among them), or None when it cannot tell."""

    inputs: bool
    outputs: bool
    touched: tuple[str, ...] | None = None


@dataclass(frozen=True)
class _Armed:
    settings: tuple[str, ...]  # what else the state's fingerprint holds: output folder, drafts, strict, signing key
    inputs: tuple[str, ...]  # every input path, as fastpath.fingerprint reads them
    outputs: tuple[str, ...]  # the output folders the state describes
    inputs_quiet: bool
    outputs_quiet: bool


class Sentry:
    """One resident builder's watch over its inputs and outputs. Mutable on purpose: one builder owns one, and asks
    it once before each build (``ask``), once when the build's files are written (``written``) and once after
    (``after``)."""

    def __init__(self, root: Path, watch: Watch | None) -> None:
        self.root = root
        self.watch = watch
        self._armed: _Armed | None = None
        self._during: list[str] | None = None  # what changed while the last build ran (None: not known)
        self._tops: dict[str, int] = {}  # each watched tree → the inode of its folder when it was watched
        self._armed_before: _Armed | None = None  # what the build now ending was asked with

    def ask(self, options: BuildOptions) -> Untouched | None:
        """Before a build: what is untouched since the last build (None: nothing is known)."""
        armed, self._armed, self._during = self._armed, None, None
        self._armed_before = armed
        if self.watch is None or armed is None or options.force or _settings(options) != armed.settings:
            self._drain()
            return None
        changed = self.watch.changes()
        if changed is None or any(self._replaced(top) for top in self._tops):
            return None
        touched = _under(changed, armed.inputs)
        return Untouched(armed.inputs_quiet and not touched, armed.outputs_quiet and not _touches(changed, armed.outputs),
                         tuple(touched) if armed.inputs_quiet else None)

    def written(self) -> None:
        """The build's files are written, its state not yet saved: what changed while it ran is read now (its own
        writes to the output folders and the ledger are not changes a next build must look for)."""
        self._during = self.watch.changes() if self.watch is not None else None

    def prepare(self) -> None:
        """Watch what the saved no-change state describes (a builder's first act, before it listens): the first
        build after it then finds its folders watched (10,000 of them at 3,000 items per language: 0.1 s)."""
        state = load_state(self.root) if self.watch is not None else None
        if state is not None:
            self._watch_tops((str(self.root), *_inputs(self.root, state.outside), *state.folders))

    def _watch_tops(self, tops: Iterable[str]) -> None:
        assert self.watch is not None
        for top in tops:
            if top in self._tops and not self._replaced(top):
                continue
            self._tops[top] = inode = _inode(top)  # 0: not there (yet), its making seen by its parent's watch
            if inode:
                self.watch.add(top, recursive=top != str(self.root))  # the site folder: its own entries only

    def after(self, options: BuildOptions, ok: bool, wrote: bool) -> None:
        """After a build (``wrote``: it wrote its files; else it found nothing changed): watch what its state
        describes, for the next one."""
        if self.watch is None or not ok:
            return
        state = load_state(self.root)
        if state is None:
            return
        inputs = _inputs(self.root, state.outside)
        self._watch_tops((str(self.root), *inputs, *state.folders))
        during = self._during
        if wrote:  # its own writes to the output and the ledger are not changes; an input edited meanwhile is
            written_inputs = tuple(str(self.root / name) for name in WRITTEN_INPUTS)
            quiet_inputs = during is not None and not _touches(
                during, tuple(path for path in inputs if path not in written_inputs))
            quiet_outputs = during is not None
        else:  # the no-change check looked at every file it did not know untouched, or knew them untouched
            quiet_inputs = quiet_outputs = True
        if quiet_inputs and not (self._armed_before is not None and self._armed_before.inputs_quiet and not wrote):
            # an input that is a link, or one of several names of a file, changes when its other name is written,
            # which no watch here sees: such a site's inputs are looked at on every build (as the preview does)
            quiet_inputs = not _linked_files(inputs)
        self._armed = _Armed(_settings(options), inputs, tuple(state.folders), quiet_inputs, quiet_outputs)

    def _replaced(self, top: str) -> bool:
        return _inode(top) != self._tops.get(top)

    def _drain(self) -> None:
        if self.watch is not None:
            self.watch.changes()


def _linked_files(trees: Iterable[str]) -> bool:
    """Whether a file under one of ``trees`` is a symbolic link or has other names (hard links); the folders'
    own links are not followed, as fastpath.input_files does not follow them."""
    pending = [tree for tree in trees if os.path.isdir(tree)]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        if not entry.is_dir():  # a linked folder's files are no input (input_files)
                            return True
                    elif entry.is_dir(follow_symlinks=False):
                        if entry.name != SKIPPED:
                            pending.append(entry.path)
                    elif entry.stat(follow_symlinks=False).st_nlink > 1:
                        return True
        except OSError:
            return True  # not known: looked at
    return any(os.path.islink(tree) or (os.path.isfile(tree) and os.stat(tree).st_nlink > 1)
               for tree in trees if os.path.lexists(tree) and not os.path.isdir(tree))


def _inode(path: str) -> int:
    try:
        return os.stat(path).st_ino
    except OSError:
        return 0


def _settings(options: BuildOptions) -> tuple[str, ...]:
    # the output folder as a build writes it: a link's target (files.linked_output)
    return (os.path.realpath(options.out_dir), str(options.drafts), str(options.strict), key_stamp(options.signing_key))


def _inputs(root: Path, outside: Iterable[str]) -> tuple[str, ...]:
    return tuple(map(str, input_paths(root, outside)))


def _touches(paths: Iterable[str], trees: tuple[str, ...]) -> bool:
    """Whether one of ``paths`` is one of ``trees`` or under one (Python's compiled files aside)."""
    return bool(_under(paths, trees))


def _under(paths: Iterable[str], trees: tuple[str, ...]) -> list[str]:
    """Those of ``paths`` that are one of ``trees`` or under one (Python's compiled files aside)."""
    under = tuple(tree + os.sep for tree in trees)
    return [path for path in paths if (path in trees or path.startswith(under)) and SKIPPED not in path.split(os.sep)]
