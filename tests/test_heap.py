"""generator/core/heap.py: freed memory goes back to the system (the resident preview calls it in its pauses)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

PROGRAM = """
import os
from generator.core.heap import heap_trimmer

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1048576

held = [bytes(2000) + bytes([i % 256]) for i in range(60000)]  # ~120 MiB of C-heap blocks (too big for pymalloc)
kept = held[::50]  # every 50th block lives on: the heap is mostly free, yet nothing can shrink from its top
del held
before = rss()
assert heap_trimmer()()
print(before, rss())
"""


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"),
                    reason="malloc_trim is glibc's; elsewhere the trimmer does nothing, by design")
def test_freed_memory_goes_back_to_the_system() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    assert before - after > 60, (before, after)  # glibc kept what was freed; the trim returned it


THREADS = """
import ctypes, os, sys, threading
from generator.core.heap import one_heap

if sys.argv[1] == "one":
    assert one_heap()

def allocate():
    held = [bytes(3000) + bytes([i % 256]) for i in range(2000)]  # C-heap blocks, each thread its own
    del held

threads = [threading.Thread(target=allocate) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
sys.stderr.flush()
ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena N:" paragraph per heap, on standard error
"""


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"),
                    reason="M_ARENA_MAX is glibc's; elsewhere one_heap does nothing, by design")
@pytest.mark.parametrize("mode", ["one", "default"])
def test_one_heap_makes_threads_share_the_main_heap(mode: str) -> None:
    done = subprocess.run([sys.executable, "-c", THREADS, mode], capture_output=True, text=True, check=True)
    heaps = done.stderr.count("Arena ")
    assert heaps == 1 if mode == "one" else heaps > 1, done.stderr  # the default: glibc gives threads their own


LARGE = """
import sys
from generator.core.heap import large_blocks_mapped

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 // 1048576

if sys.argv[1] == "mapped":
    assert large_blocks_mapped()
first = b"x" * (16 << 20)  # a board: mapped by glibc at first, whose freeing raises its threshold to 16 MiB
del first
board = b"y" * (16 << 20)  # the next board: from the heap, by default
after = [b"z" * 3000 for _ in range(100)]  # small blocks after it: the heap cannot shrink from its top
before = rss()
del board
print(before, rss())
"""


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"),
                    reason="M_MMAP_THRESHOLD is glibc's; elsewhere large_blocks_mapped does nothing, by design")
@pytest.mark.parametrize("mode", ["mapped", "default"])
def test_a_freed_large_block_goes_back_to_the_system(mode: str) -> None:
    done = subprocess.run([sys.executable, "-c", LARGE, mode], capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    if mode == "mapped":
        assert before - after >= 15, (before, after)
    else:  # what a preview did before: the freed board stayed in its heap
        assert before - after < 4, (before, after)
