"""Giving freed memory back to the operating system, where the C library can (glibc's ``malloc_trim``).

A resident preview frees the outputs of each build when the next one replaces them; glibc keeps such memory in
its heaps (one per thread that allocated) instead of returning it, so the server's resident size grew by tens
of MiB a save. Elsewhere (musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util


def give_back() -> bool:
    """Return the C heap's free pages to the system; True when the C library could."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return False
    if trim is None:
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(trim(0))
