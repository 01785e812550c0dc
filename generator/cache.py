"""The build cache: rendered Markdown bodies keyed by their text and settings.

Stored as JSON (never pickle: the cache folder must not be a way to run code).
A missing, corrupt or foreign cache is simply ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .model import Heading

CACHE_DIR = ".legation-cache"
CACHE_FILE = "markdown-v1.json"

Rendered = tuple[str, tuple[Heading, ...]]


def load_markdown_cache(root: Path) -> dict[str, Rendered]:
    file = root / CACHE_DIR / CACHE_FILE
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        return {
            str(key): (str(html), tuple(Heading(int(level), str(anchor), str(text)) for level, anchor, text in heads))
            for key, (html, heads) in raw.items()
        }
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def save_markdown_cache(root: Path, entries: dict[str, Rendered]) -> None:
    """Write the cache atomically; a failure to write it never fails the build."""
    folder = root / CACHE_DIR
    data = {key: [html, [[h.level, h.anchor, h.text] for h in heads]] for key, (html, heads) in sorted(entries.items())}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")
        temporary = folder / f".{CACHE_FILE}.{os.getpid()}"
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, folder / CACHE_FILE)
    except OSError:
        pass
