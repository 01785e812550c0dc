"""Giving freed memory back to the operating system, where the C library can (glibc's ``malloc_trim``).

A resident preview frees the outputs of each build when the next one replaces them; glibc keeps such memory in
its heaps (one per thread that allocated) instead of returning it, so the server's resident size grew by tens
of MiB a save. And one heap for all its threads (``one_heap``): glibc gives each thread its own, and the build,
the after-work and the requests each allocating pages in theirs left a 3,000-item preview at 1.2 GiB after six
saves where one thread alone stayed at 0.7. Elsewhere (musl, macOS, Windows) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from typing import Any


def heap_trimmer() -> Callable[[], bool]:
    """A function that returns the C heap's free pages to the system (True when it could), or one that does
    nothing where the C library has no ``malloc_trim``. Looked up once: ``find_library`` may start ``ldconfig``."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return lambda: False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: bool(trim(0))


def one_heap() -> bool:
    """Make every thread started from now on allocate from the C library's one main heap (glibc's
    ``M_ARENA_MAX`` of 1); True when it could. Its locking costs nothing here: Python's threads take turns anyway."""
    return _mallopt(M_ARENA_MAX, 1)


def large_blocks_mapped() -> bool:
    """Make every block of 1 MiB or more its own mapping, given back to the system when it is freed (glibc's
    fixed ``M_MMAP_THRESHOLD``); True when it could. glibc's default threshold rises to the largest block freed
    so far, up to 32 MiB: after one snippet board (15 MiB a language at 3,000 items) every later one was carved
    from the heap, and a title save's after-work left a 3,000-item preview 90 MiB above what it held (peak 534
    MiB; 498 with this). Pages, small files and Python's own objects are far below it and stay in the heap."""
    return _mallopt(M_MMAP_THRESHOLD, MAPPED_FROM)


def _mallopt(parameter: int, value: int) -> bool:
    """glibc's ``mallopt(parameter, value)``; False where there is none, or it refused."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(parameter, value))


M_ARENA_MAX = -8  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MAPPED_FROM = 1024 * 1024  # a page, a listing and a small feed stay in the heap; boards and big feeds do not


def _libc_function(name: str) -> Any:
    """The C library's function ``name`` on Linux, or None."""
    for library in ("libc.so.6", ctypes.util.find_library("c")) if sys.platform.startswith("linux") else ():
        if not library:
            continue
        try:
            found = getattr(ctypes.CDLL(library), name, None)
        except OSError:
            continue
        if found is not None:
            return found
    return None
