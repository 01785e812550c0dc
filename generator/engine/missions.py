"""A ministry's network: which missions to build (all, some, or one shard of N balanced by content size), and
building them, each by the same `legation build` a mission runs alone, several at a time.

Each mission is built in a process of its own: one mission's error, crash or hang in a template never
stops another, its output is byte-identical to the mission built alone (the same command, the same clock),
and the union of the shards is the whole network. The output folder of a mission is ``OUT/<id>``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.errors import ConfigError, Problem, SourceLocation, counted, did_you_mean, of_severity
from ..sources.network import NETWORK_FILE, Mission, Network
from .build import BuildOptions, unchanged


@dataclass(frozen=True)
class NetworkOptions:
    root: Path  # the ministry's folder, holding network.yml
    out_dir: Path  # each mission goes into out_dir/<id>
    now: datetime
    jobs: int = 1  # cores for the whole network
    strict: bool = False
    drafts: bool = False
    force: bool = False


@dataclass(frozen=True)
class MissionResult:
    mission: str
    ok: bool
    seconds: float
    out_dir: str
    summary: str  # the build's own last line
    problems: tuple[Problem, ...]  # located from the ministry's folder
    files: int = 0
    html: int = 0

    @property
    def errors(self) -> list[Problem]:
        return of_severity(self.problems, "error")

    @property
    def warnings(self) -> list[Problem]:
        return of_severity(self.problems, "warning")


@dataclass(frozen=True)
class NetworkReport:
    results: tuple[MissionResult, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def summary(self) -> str:
        failed = [r.mission for r in self.results if not r.ok]
        built = len(self.results) - len(failed)
        text = f"legation network: built {counted(built, 'mission')}"
        if failed:
            text += f"; {counted(len(failed), 'mission')} FAILED ({', '.join(failed)})"
        return f"{text}, {self.seconds:.2f} s"

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "seconds": round(self.seconds, 3), "missions": [
            {"id": r.mission, "ok": r.ok, "seconds": round(r.seconds, 3), "output": r.out_dir, "files": r.files,
             "html_pages": r.html, "errors": [p.as_json() for p in r.errors],
             "warnings": [p.as_json() for p in r.warnings]} for r in self.results]}


def content_size(root: Path, mission: Mission) -> int:
    """Bytes of the mission's sources (content/, site.yml, ledger/): what a shard's share is weighed by."""
    total = 0
    folder = root / mission.site
    for name in ("content", "ledger", "translations", "site.yml"):
        where = folder / name
        if where.is_file():
            total += where.stat().st_size
            continue
        for here, _dirs, files in os.walk(where):
            for file in files:
                try:
                    total += os.lstat(os.path.join(here, file)).st_size
                except OSError:
                    continue
    return total


def shards(missions: tuple[Mission, ...], sizes: dict[str, int], count: int) -> tuple[tuple[Mission, ...], ...]:
    """``count`` shards, balanced by size: the largest mission first, each to the lightest shard so far (ties to
    the lower shard; equal sizes in network.yml order), each listed in network.yml order. The same inputs give the
    same shards on every machine."""
    ordered = sorted(missions, key=lambda m: -sizes.get(m.id, 0))  # stable: network.yml order among equals
    loads = [0] * count
    chosen: list[list[Mission]] = [[] for _ in range(count)]
    for mission in ordered:
        lightest = min(range(count), key=lambda k: (loads[k], k))
        chosen[lightest].append(mission)
        loads[lightest] += max(1, sizes.get(mission.id, 0))
    position = {m.id: n for n, m in enumerate(missions)}
    return tuple(tuple(sorted(shard, key=lambda m: position[m.id])) for shard in chosen)  # network.yml order


def select(root: Path, network: Network, only: tuple[str, ...] = (), shard: tuple[int, int] | None = None
           ) -> tuple[Mission, ...]:
    """The missions to build, in network.yml order: those named by ``only`` (all when empty), then those of
    shard K of N (``shard`` = (K, N), K from 1)."""
    known = [m.id for m in network.missions]
    problems = [Problem("error", SourceLocation(NETWORK_FILE), f'no mission "{name}" in {NETWORK_FILE}',
                        did_you_mean(name, known) or f"the missions are: {', '.join(known)}", "network")
                for name in only if name not in known]
    if problems:
        raise ConfigError(problems)
    chosen = tuple(m for m in network.missions if not only or m.id in only)
    if shard is None:
        return chosen
    number, count = shard
    sizes = {m.id: content_size(root, m) for m in chosen}
    mine = {m.id for m in shards(chosen, sizes, count)[number - 1]}
    return tuple(m for m in chosen if m.id in mine)


def record_ministry(root: Path, network: Network, now: datetime) -> list[Problem]:
    """The ministry's ledger (``ledger/`` beside network.yml): each official item of its content/ gets its public
    reference (network.yml's ``ministry: {statements: {reference: …}}``) and its published text is recorded, as a
    site's build does for its own; the missions show those references. Written before the missions are built,
    by the network build alone. Its problems: official text edited without a ``changes:`` entry."""
    from ..assembly.ledger import check_ledger, read_ledger, recorded_pages, write_ledger
    from ..assembly.site import assemble
    from ..sources.content import discover, parse_all
    from ..sources.network import ministry_config

    if not (root / "content").is_dir():
        return []
    config = ministry_config(network)
    sources, _found = discover(root, config)  # a file's own errors are told by each mission that carries it
    pages, _found = parse_all(sources, config)
    site, _found = assemble(pages, config, now)
    recorded = recorded_pages(site)
    check = check_ledger(recorded, read_ledger(root, sorted({page.key for page in recorded})),
                         config.reference_pattern)
    write_ledger(root, check.updates)
    return list(check.problems)


def build_network(options: NetworkOptions, missions: tuple[Mission, ...],
                  progress: Callable[[MissionResult], None] | None = None) -> NetworkReport:
    """Build ``missions``, several at a time; ``progress`` hears of each as it finishes."""
    start = time.perf_counter()
    at_once = max(1, min(options.jobs, len(missions)))
    per_build = max(1, options.jobs // at_once)  # a single mission still gets every core
    with tempfile.TemporaryDirectory(prefix="legation-network-") as reports, \
            ThreadPoolExecutor(max_workers=at_once) as pool:
        def one(mission: Mission) -> MissionResult:
            result = _build_mission(options, mission, per_build, Path(reports) / f"{mission.id}.json")
            if progress is not None:
                progress(result)
            return result

        results = tuple(pool.map(one, missions))
    return NetworkReport(results, time.perf_counter() - start)


def _build_mission(options: NetworkOptions, mission: Mission, jobs: int, report: Path) -> MissionResult:
    out_dir = options.out_dir / mission.id
    start = time.perf_counter()
    same = unchanged(BuildOptions(options.root / mission.site, out_dir, options.now, options.drafts, options.strict,
                                  force=options.force))
    if same is not None:  # nothing it depends on changed: its last build's report, without starting a process
        return MissionResult(mission.id, True, time.perf_counter() - start, str(out_dir), same.summary(),
                             tuple(_located(mission, p.as_json(), p.severity) for p in same.problems), same.files,
                             same.html)
    # -P: never the current folder first on the path (a generator/ folder there would be run instead of legation)
    command = [sys.executable, "-P", "-m", "generator", "build", "--root", str(options.root / mission.site),
               "--out", str(out_dir), "--now", options.now.isoformat(), "--report", str(report), "-j", str(jobs),
               "--no-resident"]  # a network's build starts no builder for each of its missions
    command += [flag for flag, on in (("--strict", options.strict), ("--drafts", options.drafts),
                                      ("--force", options.force)) if on]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)
    seconds = time.perf_counter() - start
    lines = [line for line in (done.stdout + done.stderr).splitlines()
             if line.startswith(("legation: built", "legation: FAILED"))]  # the build's summary line
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # the build stopped before it could report (a usage error, a crash)
        tail = (done.stderr.strip().splitlines() or ["it printed nothing"])[-1]
        problem = Problem("error", SourceLocation(f"{mission.site}/"), f'mission "{mission.id}" could not be built: '
                          f"{tail}", f"run legation build --root {mission.site} to see it alone", "network")
        return MissionResult(mission.id, False, seconds, str(out_dir), lines[-1] if lines else tail, (problem,))
    problems = tuple(_located(mission, item, severity) for severity, key in (("error", "errors"),
                                                                              ("warning", "warnings"))
                     for item in data.get(key, []))
    return MissionResult(mission.id, bool(data.get("ok")) and done.returncode == 0, seconds, str(out_dir),
                         lines[-1] if lines else "", problems, int(data.get("files", 0)),
                         int(data.get("html_pages", 0)))


def _located(mission: Mission, item: dict[str, object], severity: str) -> Problem:
    """A problem of the mission's build report, its file named from the ministry's folder."""
    file = str(item.get("file", ""))
    shown = f"{mission.site}/{file}" if file and not os.path.isabs(file) else file or f"{mission.site}/"
    return Problem("error" if severity == "error" else "warning",
                   SourceLocation(shown, _number(item.get("line")), _number(item.get("col"))),
                   str(item.get("message", "")), str(item.get("hint", "")), str(item.get("code", "")))


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
