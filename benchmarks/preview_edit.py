#!/usr/bin/env python3
"""Time the preview server's rebuild after one save, in the resident process `legation serve` runs.

    python benchmarks/preview_edit.py SITE NOW REPEAT

Builds SITE's preview once (as `legation serve` does on start: drafts, the snippet board inside the
site), then REPEAT times appends a paragraph to one item's body and times PreviewApp.rebuild, the call
the server's watcher makes after a save. Prints one JSON object: the wall and CPU seconds (this process
and its forked workers) of each rebuild, this process's peak RSS in MiB during the rebuilds (on Linux;
elsewhere over its whole life, the first build included) and the preview's HTML files.
The item is restored afterwards.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

from generator.serve import PreviewApp


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def reset_peak_rss() -> bool:
    """Start measuring this process's peak RSS afresh (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib(reset: bool) -> float:
    """Peak RSS since reset_peak_rss (VmHWM), or of the whole process when it could not be reset."""
    if reset:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    site, now, repeat = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), int(sys.argv[3])
    app = PreviewApp(site, site / ".preview")
    first = app.rebuild(lambda: now, force=True)
    if first is None or not first.ok:
        sys.exit("the first preview build failed")
    item = sorted((site / "content" / "announcements").glob("*.en.md"))[0]
    original = item.read_text(encoding="utf-8")
    walls, cpus = [], []
    reset = reset_peak_rss()  # the peak of the rebuilds, not of the first, full build
    try:
        for i in range(repeat):
            item.write_text(original + f"\nPreview edit {i}.\n", encoding="utf-8")
            wall, cpu = time.perf_counter(), cpu_seconds()
            report = app.rebuild(lambda: now)
            walls.append(time.perf_counter() - wall)
            cpus.append(cpu_seconds() - cpu)
            if report is None or not report.ok:
                sys.exit("a preview rebuild failed or did not run")
    finally:
        item.write_text(original, encoding="utf-8")
    html = sum(1 for _ in (site / ".preview").rglob("*.html"))
    print(json.dumps({"wall": walls, "cpu": cpus, "rss_mib": peak_rss_mib(reset), "html": html}))


if __name__ == "__main__":
    main()
