"""Find a theme and its parents (``theme.yml: extends``) on disk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ConfigError, SourceLocation, did_you_mean
from ..core.paths import builtin_themes_dir, shown_path
from ..core.yamltext import YamlDoc, load_yaml

THEME_KEYS = ("name", "extends", "description", "card")
#: theme.yml's card colours (generator/cards.py), each #rrggbb
CARD_KEYS = ("background", "text", "band", "band_text", "label", "label_text")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: a folder name: no path, no "." or ".." (``extends: /etc`` or ``../../content`` would be read as a theme)
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class ThemeChain:
    """The theme first, then its parents: (name, folder) pairs."""

    themes: tuple[tuple[str, Path], ...]

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        return tuple(folder / "templates" for _, folder in self.themes if (folder / "templates").is_dir())

    @property
    def i18n_dirs(self) -> tuple[Path, ...]:
        """Parents first, so a child theme's strings win."""
        return tuple(folder / "i18n" for _, folder in reversed(self.themes) if (folder / "i18n").is_dir())

    @property
    def font_dirs(self) -> tuple[Path, ...]:
        """The themes' fonts/ folders, the theme's own first (its share-card fonts win)."""
        return tuple(folder / "fonts" for _, folder in self.themes if (folder / "fonts").is_dir())

    @property
    def static_dirs(self) -> tuple[Path, ...]:
        """Parents first, so a child theme's files win."""
        return tuple(folder / "static" for _, folder in reversed(self.themes) if (folder / "static").is_dir())


def find_theme(root: Path, name: str) -> Path | None:
    for base in (root / "themes", builtin_themes_dir()):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    return None


def resolve_theme(root: Path, name: str) -> ThemeChain:
    """The chain of ``name`` and the themes it extends; a site's own themes win over installed ones."""
    chain: list[tuple[str, Path]] = []
    current: str | None = name
    where = SourceLocation("site.yml")
    while current is not None:
        if not _THEME_NAME.fullmatch(current):  # `extends: /etc` made /etc a theme folder
            raise ConfigError.at(where, f'"{current}" is not a theme name: a theme is named by its folder, not a path',
                                 "write the name of a folder in themes/, such as default", "theme")
        if current in (n for n, _ in chain):
            raise ConfigError.at(where, f'themes extend each other in a loop: {" → ".join([n for n, _ in chain] + [current])}',
                                 "remove one of the extends: lines", "theme")
        folder = find_theme(root, current)
        if folder is None:
            known = sorted({p.name for base in (root / "themes", builtin_themes_dir()) if base.is_dir()
                            for p in base.iterdir() if p.is_dir()})
            raise ConfigError.at(where, f'theme "{current}" was not found in themes/ or the installed themes',
                                 did_you_mean(current, known) or f"available: {', '.join(known)}", "theme")
        chain.append((current, folder))
        current = _parent(folder, root)
        where = SourceLocation(shown_path(folder / "theme.yml", root))
    return ThemeChain(tuple(chain))


def card_colours(chain: ThemeChain, root: Path) -> dict[str, str]:
    """theme.yml's ``card:`` colours along the chain, a child theme's winning; a wrong one is a located error."""
    colours: dict[str, str] = {}
    for _, folder in reversed(chain.themes):
        doc = _read(folder, root)
        card = doc.data.get("card") if doc is not None and isinstance(doc.data, dict) else None
        if card is None or doc is None:
            continue
        if not isinstance(card, dict):
            raise ConfigError.at(doc.where("card"), "card must be a mapping of colours",
                                 'write card: {background: "#0b3d6e", text: "#ffffff"}', "theme")
        for key, value in card.items():
            if key not in CARD_KEYS:
                raise ConfigError.at(doc.where("card", str(key)), f'unknown card colour "{key}"',
                                     did_you_mean(str(key), CARD_KEYS) or f"allowed: {', '.join(CARD_KEYS)}", "theme")
            if not isinstance(value, str) or not _COLOUR.fullmatch(value):
                raise ConfigError.at(doc.where("card", str(key)), f"card.{key} must be a colour such as \"#0b3d6e\"",
                                     "write the colour as # and six hexadecimal digits, in quotes", "theme")
            colours[str(key)] = value.lower()
    return colours


def _parent(folder: Path, root: Path) -> str | None:
    doc = _read(folder, root)
    if doc is None:
        return None
    parent = doc.data.get("extends")
    if parent is not None and not isinstance(parent, str):
        raise ConfigError.at(doc.where("extends"), "extends must be a theme name", "write extends: default", "theme")
    if parent is not None and not _THEME_NAME.fullmatch(parent):
        raise ConfigError.at(doc.where("extends"), f'"{parent}" is not a theme name: a theme is named by its folder, '
                             "not a path", "write the name of a folder in themes/, such as extends: default", "theme")
    return parent


def _read(folder: Path, root: Path) -> YamlDoc | None:
    """theme.yml of ``folder``, checked to be a mapping of known keys (None without one, or when empty)."""
    file = folder / "theme.yml"
    if not file.is_file():
        return None
    shown = shown_path(file, root)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError.at(SourceLocation(shown, line), "theme.yml is not UTF-8 text",
                             "save the file as UTF-8 in your editor", "encoding") from None
    except OSError as exc:
        raise ConfigError.at(SourceLocation(shown), f"cannot read theme.yml: {exc.strerror or exc}",
                             "check the file's permissions", "io") from None
    doc = load_yaml(text, shown, error=ConfigError)
    if doc.data is None:
        return None
    if not isinstance(doc.data, dict):
        raise ConfigError.at(doc.where(), "theme.yml must be a mapping", "write extends: default", "theme")
    for key in doc.data:
        if key not in THEME_KEYS:
            raise ConfigError.at(doc.where(str(key)), f'unknown key "{key}" in theme.yml',
                                 did_you_mean(str(key), THEME_KEYS) or f"allowed: {', '.join(THEME_KEYS)}", "theme")
    return doc


