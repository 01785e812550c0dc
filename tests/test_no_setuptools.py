"""legation builds where `import pkg_resources` fails (issue 19): setuptools no longer ships pkg_resources, and
a Python 3.12+ environment has no setuptools at all, while twitter-text-parser 3.0 imports it for its emoji table.
The demo is built with X posts in a process where importing setuptools or pkg_resources raises ImportError."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BLOCKED = textwrap.dedent("""
    import importlib.abc, sys

    class NoSetuptools(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("pkg_resources", "setuptools", "_distutils_hack"):
                raise ImportError(f"{name} is not installed here")
            return None

    sys.meta_path.insert(0, NoSetuptools())
    for name in [m for m in sys.modules if m.split(".")[0] in ("pkg_resources", "setuptools", "_distutils_hack")]:
        del sys.modules[name]
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the blocker did not block pkg_resources")
    from generator.commands.cli import main
    sys.argv = ["legation", *sys.argv[1:]]
    main()
""")


def test_the_demo_builds_with_x_posts_where_pkg_resources_cannot_be_imported(tmp_path: Path) -> None:
    site = tmp_path / "demo"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yml", site / "site.yml")
    run = subprocess.run([sys.executable, "-c", BLOCKED, "build", "--root", str(site), "--now", "2026-11-23T12:00:00+00:00"],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    posts = [json.loads(p.read_text(encoding="utf-8")) for p in (site / "snippets").rglob("*.json")]
    x_posts = [item["posts"]["x"] for item in posts if "x" in item.get("posts", {})]
    assert len(x_posts) > 20
    assert all(post["counting"] == "twitter-weighted" and 0 < post["length"] <= 280 for post in x_posts)
    # and the snippets command, which counts X posts itself
    run = subprocess.run([sys.executable, "-c", BLOCKED, "snippets", "announcements/national-day-closure", "--root",
                          str(site), "--platform", "x", "--now", "2026-11-23T12:00:00+00:00"],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "https://" in run.stdout
