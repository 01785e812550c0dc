"""generator/paths.py: the names a no-change rebuild needs, without importing the pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.core.paths import CACHE_DIR, builtin_themes_dir


def test_builtin_themes_are_found_from_a_source_checkout() -> None:
    assert (builtin_themes_dir() / "default" / "templates" / "base.html").is_file()
    assert CACHE_DIR == ".legation-cache"


def test_a_no_change_rebuild_does_not_import_the_pipeline(tmp_path: Path) -> None:
    """The fast path must stay light: importing these modules costs more than the whole no-change check."""
    code = ("import sys, generator.engine.build, generator.commands.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('yaml', 'jinja2', 'markdown_it', 'babel', 'twitter_text', 'feedgen', 'icalendar')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "[]"
