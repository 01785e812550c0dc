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
