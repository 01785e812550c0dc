"""Where legation keeps things: the build cache folder and the themes shipped with the package.

Kept free of imports beyond pathlib so that a no-change rebuild, which needs only these names, starts fast.
"""

from __future__ import annotations

from pathlib import Path

CACHE_DIR = ".legation-cache"


def editor_file(name: str) -> bool:
    """Whether a file named ``name`` is one an editor keeps beside what it edits, or one hidden: never content, never
    a reason to build. Hidden files (vim's ``.x.swp``, Emacs's lock ``.#x``, a ``.notes.md``), backups (``x~``),
    Emacs's auto-save (``#x#``) and vim's write test (``4913``), as Jekyll and Hugo leave them out too."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913"


def builtin_themes_dir() -> Path:
    """Themes shipped with the package (wheel) or beside it (source checkout)."""
    here = Path(__file__).resolve().parent.parent  # the package (an installed wheel holds themes/ there)
    packaged = here / "themes"
    return packaged if packaged.is_dir() else here.parent / "themes"


def shown_path(path: Path, root: Path) -> str:
    """``path`` as a message names it: relative to the site's root when inside it, else in full."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
