"""Giving freed memory back to the operating system, where the C library can (glibc's ``malloc_trim``).

A resident preview frees the outputs of each build when the next one replaces them; glibc keeps such memory in
its heaps (one per thread that allocated) instead of returning it, so the server's resident size grew by tens
of MiB a save. Elsewhere (musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable


def heap_trimmer() -> Callable[[], bool]:
    """A function that returns the C heap's free pages to the system (True when it could), or one that does
    nothing where the C library has no ``malloc_trim``. Looked up once: ``find_library`` may start ``ldconfig``."""
    trim = None
    for name in ("libc.so.6", ctypes.util.find_library("c")) if sys.platform.startswith("linux") else ():
        if not name:
            continue
        try:
            trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
        except OSError:
            continue
        if trim is not None:
            break
    if trim is None:
        return lambda: False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: bool(trim(0))
