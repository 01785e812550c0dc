"""benchmarks/: the corpus generator is the project's own and the benchmark runs from a clone alone."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from tests.conftest import run_build, write_files

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"


def corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_corpus_is_deterministic_multilingual_and_builds_cleanly(tmp_path: Path) -> None:
    corpus = corpus_module()
    files = corpus.corpus(20, ["en", "ar", "az", "uz"], 1)
    assert files == corpus.corpus(20, ["en", "ar", "az", "uz"], 1)  # the same seed gives the same bytes
    assert files != corpus.corpus(20, ["en", "ar", "az", "uz"], 2)
    per = Counter((path.split("/")[1], path.rsplit(".", 2)[1]) for path in files if path.startswith("content/"))
    for lang in ("en", "ar", "az", "uz"):
        # 60 / 25 / 15 % of the 20 items per language, and five pages, in every language
        assert [per[(section, lang)] for section in ("announcements", "events", "investment", "pages")] == [12, 5, 3, 5]
    arabic = files["content/announcements/announcement-00000.ar.md"]
    assert re.search("[\u0600-\u06ff]{3}", arabic) and "date:" not in arabic  # translations inherit the date
    words = [len(text.split("\n---\n", 1)[1].split()) for path, text in files.items() if path.endswith(".en.md")]
    assert min(words) >= 380 and max(words) <= 900
    root = write_files(tmp_path / "site", files)
    report = run_build(root, strict=True)
    assert report.ok and not report.warnings, [p.format() for p in report.problems]
    html = (root / "public/ar/investment/index.html").read_text(encoding="utf-8")
    assert "الطاقة الخضراء" in html or "الخدمات اللوجستية" in html  # sectors are named in every language


def test_the_benchmark_runs_from_a_clone_without_the_shared_folder(tmp_path: Path) -> None:
    """run.py --smoke: the corpus step and one legation build, from a copy of benchmarks/ with no ../shared."""
    clone = tmp_path / "clone"
    shutil.copytree(BENCH, clone / "benchmarks", ignore=shutil.ignore_patterns("results", "__pycache__"))
    assert not (tmp_path / "shared").exists()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(clone / "benchmarks" / "run.py"), "--sizes", "5", "--smoke",
                           "--tmp", str(tmp_path)], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    built = re.search(r"legation N=5: (\d+) HTML files", done.stdout)
    assert built and int(built.group(1)) > 50, done.stdout
    assert not (clone / "benchmarks" / "results").exists()  # a smoke run writes no results
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clone"]  # its corpus is cleaned up


def test_the_network_benchmark_runs_from_a_clone_and_its_network_is_valid(tmp_path: Path) -> None:
    """benchmarks/network.py at a tiny size: a ministry whose missions all build, each carrying the statements
    syndicated to it (every mission, or its region), measured with shard balance and a no-change rebuild."""
    clone = tmp_path / "clone"
    shutil.copytree(BENCH, clone / "benchmarks", ignore=shutil.ignore_patterns("results", "__pycache__"))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(clone / "benchmarks" / "network.py"), "--missions", "2,5", "--posts",
                           "3", "--statements", "6", "--shards", "2", "--no-write", "--tmp", str(tmp_path)],
                          cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 2 |") or line.startswith("| 5 |")]
    assert len(rows) == 2
    cells = rows[1].strip("|").split("|")
    pages, wall, balance = int(cells[1]), float(cells[2]), float(cells[6])
    assert pages > 5 * 3 * 3 and wall > 0 and 1.0 <= balance < 2.0
    assert not (clone / "benchmarks" / "results").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clone"]
    # the network it writes: every mission carries the statements to all, and those to its region only
    spec = importlib.util.spec_from_file_location("bench_network", BENCH / "network.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.network_files(5, 2, 6)
    assert files == module.network_files(5, 2, 6)  # deterministic
    root = write_files(tmp_path / "ministry", files)
    from generator.sources.network import check_missions, load_network

    network, warnings = load_network(root)
    assert warnings == [] and check_missions(root, network) == [] and len(network.missions) == 5
    from datetime import datetime

    assert run_build(root / "missions/m000", now=datetime.fromisoformat(module.NOW)).ok
    carried = sorted(p.name for p in (root / "missions/m000/public/en/announcements").iterdir()
                     if p.name.startswith("ministry-statement"))
    # statements 1, 2, 4, 5 go to all; 0 to the Caucasus (m000's region), 3 to Europe (not m000's)
    assert carried == ["ministry-statement-000", "ministry-statement-001", "ministry-statement-002",
                       "ministry-statement-004", "ministry-statement-005"]
