#!/usr/bin/env python3
"""Benchmark a ministry's network: a synthetic ministry of M missions (en, ar, az; N items per language each,
benchmarks/corpus.py's text) and S statements the ministry syndicates (two in three to every mission, the rest to
one of five regions), built by `legation network build` on this machine with every core.

    python benchmarks/network.py [--missions 25,50,100] [--posts 100] [--statements 50] [--shards 10] [--tmp DIR]

For each size: the clean build of the whole network (wall time; the peak RSS of all its processes at once,
sampled from /proc, and of the largest one, from wait4), each mission's time (from the build's --json report),
the shard balance for --shards shards (the plan's shards, weighed by the measured mission times: slowest
shard / mean shard), and a no-change rebuild of the whole network. Search and share cards are off in the
missions (as in the "no search or cards" rows of benchmarks/run.py): what is measured is the network, not
Pagefind. Writes benchmarks/results/network.json and network.md. Needs nothing outside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import WORDS, body, corpus, front, q, title  # noqa: E402  (this folder's own generator)

NOW = "2026-11-23T12:00:00+04:00"
LANGS = ["en", "ar", "az"]
REGIONS = ("caucasus", "central-asia", "middle-east", "europe", "east-asia")
ZONES = ("Asia/Baku", "Asia/Tashkent", "Africa/Cairo", "Europe/Paris", "Asia/Tokyo", "America/New_York")


def network_files(missions: int, posts: int, statements: int, seed: int = 1) -> dict[str, str]:
    import random

    rng = random.Random(seed)
    names = {"en": "Ministry of Foreign Affairs of Example", "ar": "وزارة خارجية المثال",
             "az": "Nümunə Xarici İşlər Nazirliyi"}
    lines = ["ministry:", "  name: {" + ", ".join(f"{lang}: {q(name)}" for lang, name in names.items()) + "}",
             '  base_url: "https://mfa.example.org/"', f"  languages: [{', '.join(LANGS)}]", "missions:"]
    files: dict[str, str] = {}
    for number in range(missions):
        mission = f"m{number:03d}"
        zone = ZONES[number % len(ZONES)]
        lines.append(f'  - {{id: {mission}, site: missions/{mission}, base_url: "https://{mission}.example.org/", '
                     f"languages: [{', '.join(LANGS)}], timezone: {zone}, region: {REGIONS[number % len(REGIONS)]}}}")
        for path, text in corpus(posts, LANGS, seed + number).items():
            if path == "site.yml":
                text = (text.replace('base_url: "https://embassy.example.org/"',
                                     f'base_url: "https://{mission}.example.org/"')
                        .replace("timezone: Asia/Baku", f"timezone: {zone}")
                        + "search: false\nshare_cards: off\nnetwork: ../..\n")
            files[f"missions/{mission}/{path}"] = text
    files["network.yml"] = "\n".join(lines) + "\n"
    for index in range(statements):
        reach = "all" if index % 3 else f"{{regions: [{REGIONS[index % len(REGIONS)]}]}}"
        for position, lang in enumerate(LANGS):
            words = WORDS[lang]
            head = [f"title: {q(title(rng, words))}"]
            if position == 0:
                head += [f"date: 2026-11-{1 + index % 20:02d}T10:00:00+00:00", "kind: statement", f"syndicate: {reach}"]
            files[f"content/announcements/ministry-statement-{index:03d}.{lang}.md"] = (
                front(head) + "\n" + body(rng, words, lang))
    return files


def write(out: Path, files: dict[str, str]) -> None:
    shutil.rmtree(out, ignore_errors=True)
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def run(args: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """(wall s, peak RSS MiB of the largest process of the command's tree, peak of the whole tree's RSS at once in
    MiB, stdout) of one command. wait4's maximum covers the command and the children it waited for (every
    mission's build); the tree's sum is sampled from /proc every 50 ms (0 where there is no /proc)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, text=True)
        peak = [0.0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(process.pid, done, peak))
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            sys.exit(f"{' '.join(args)} failed ({process.returncode}):\n{err.read()[-3000:]}")
        return wall, usage.ru_maxrss / 1024, peak[0], out.read()


def _sample_tree(root: int, done: threading.Event, peak: list[float]) -> None:
    """The largest sum of VmRSS over ``root`` and its descendants seen while it runs."""
    while not done.wait(0.05):
        parents: dict[int, int] = {}
        sizes: dict[int, int] = {}
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                    fields = dict(line.split(":", 1) for line in handle if ":" in line)
            except OSError:
                continue
            pid = int(entry)
            parents[pid] = int(fields.get("PPid", "0").strip() or 0)
            sizes[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
        tree = {root}
        grown = True
        while grown:
            grown = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grown = True
        peak[0] = max(peak[0], sum(sizes.get(pid, 0) for pid in tree) / 1024)


def measure(root: Path, shards: int, jobs: int) -> dict[str, object]:
    legation = [sys.executable, "-m", "generator"]
    network = [*legation, "network", "build", "--root", str(root), "--now", NOW, "-j", str(jobs), "--json"]
    wall, largest, together, out = run(network, root)
    report = json.loads(out[:out.rindex("}") + 1])
    seconds = {m["id"]: m["seconds"] for m in report["missions"]}
    plan = json.loads(run([*legation, "network", "plan", "--root", str(root), "--shards", str(shards), "--json"],
                          root)[3])["shards"]
    loads = [sum(seconds[m] for m in shard["missions"]) for shard in plan]
    again, _largest, _together, _out = run(network, root)
    pages = sum(m["html_pages"] for m in report["missions"])
    return {"missions": len(seconds), "wall_s": round(wall, 2), "per_mission_median_s": round(statistics.median(
        seconds.values()), 3), "per_mission_max_s": round(max(seconds.values()), 3),
        "wall_per_mission_s": round(wall / len(seconds), 3), "largest_process_rss_mib": round(largest),
        "peak_rss_together_mib": round(together),
        "shard_balance": round(max(loads) / statistics.mean(loads), 3), "shards": shards,
        "no_change_s": round(again, 2), "html_pages": pages}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--missions", default="25,50,100")
    parser.add_argument("--posts", type=int, default=100, help="items per language in each mission")
    parser.add_argument("--statements", type=int, default=50)
    parser.add_argument("--shards", type=int, default=10)
    parser.add_argument("--tmp", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    args = parser.parse_args(argv)
    jobs = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="legation-network-bench-", dir=args.tmp) as tmp:
        for count in (int(n) for n in args.missions.split(",")):
            root = Path(tmp) / f"ministry-{count}"
            write(root, network_files(count, args.posts, args.statements))
            row = measure(root, args.shards, jobs)
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
            shutil.rmtree(root)
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {jobs} CPUs, Python "
             f"{platform.python_version()}: `python benchmarks/network.py --missions {args.missions} --posts "
             f"{args.posts} --statements {args.statements} --shards {args.shards}`. Each mission: {args.posts} items "
             f"per language in {', '.join(LANGS)}, plus the statements syndicated to it; search and share cards off.",
             "", "| missions | HTML pages | clean wall s | s per mission (wall / missions) | one mission's build, "
             f"median / max s | peak RSS of all processes at once / of the largest, MiB | shard balance (slowest / "
             f"mean, {args.shards} shards) | no change s |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['missions']} | {r['html_pages']} | {r['wall_s']} | {r['wall_per_mission_s']} | "
              f"{r['per_mission_median_s']} / {r['per_mission_max_s']} | {r['peak_rss_together_mib']} / "
              f"{r['largest_process_rss_mib']} | "
              f"{r['shard_balance']} | {r['no_change_s']} |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        (HERE / "results" / "network.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        (HERE / "results" / "network.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
