"""Find a theme and its parents (``theme.yml: extends``) on disk."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
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


#: the entry point group of themes shipped as Python distributions: ``veloria = "veloria_theme"`` names the
#: package whose folder is the theme (templates/, static/, i18n/, theme.yml)
THEME_GROUP = "legation.themes"


@dataclass(frozen=True)
class InstalledTheme:
    folder: Path
    distribution: str
    version: str


def installed_themes() -> dict[str, InstalledTheme]:
    """The themes of installed distributions (entry points in ``legation.themes``), by name. The package is found,
    not imported: a theme is files, and installing one must not run its code at every build."""
    from importlib.metadata import entry_points
    from importlib.util import find_spec

    found: dict[str, InstalledTheme] = {}
    for point in sorted(entry_points(group=THEME_GROUP), key=lambda p: p.name):
        if point.name in found or not _THEME_NAME.fullmatch(point.name) or "." in point.module:
            continue  # a dotted module would be imported to be found
        try:
            spec = find_spec(point.module)
        except (ImportError, ValueError):
            continue
        places = list(spec.submodule_search_locations or []) if spec is not None else []
        if places and Path(places[0]).is_dir():
            dist = point.dist
            found[point.name] = InstalledTheme(Path(places[0]), dist.name if dist else point.module,
                                               dist.version if dist else "")
    return found


def find_theme(root: Path, name: str, packages: Callable[[], dict[str, InstalledTheme]] = installed_themes
               ) -> Path | None:
    """The site's ``themes/<name>``, else a built-in theme, else an installed theme package's (the installed
    distributions are looked through only then: that takes a twentieth of a second)."""
    for base in (root / "themes", builtin_themes_dir()):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    package = packages().get(name)
    return package.folder if package is not None else None


def resolve_theme(root: Path, name: str, version: str = "") -> ThemeChain:
    """The chain of ``name`` and the themes it extends; a site's own themes win over built-in ones, and those over
    installed theme packages. ``version`` (a specifier such as ``==2.1.0``) pins an installed theme's version."""
    chain: list[tuple[str, Path]] = []
    current: str | None = name
    where = SourceLocation("site.yml")
    packages = cache(installed_themes)  # looked through once, and only when a theme is not in the site or built in
    if version:
        _check_version(root, name, version, packages())
    while current is not None:
        if not _THEME_NAME.fullmatch(current):  # `extends: /etc` made /etc a theme folder
            raise ConfigError.at(where, f'"{current}" is not a theme name: a theme is named by its folder, not a path',
                                 "write the name of a folder in themes/, such as default", "theme")
        if current in (n for n, _ in chain):
            raise ConfigError.at(where, f'themes extend each other in a loop: {" → ".join([n for n, _ in chain] + [current])}',
                                 "remove one of the extends: lines", "theme")
        folder = find_theme(root, current, packages)
        if folder is None:
            known = sorted({p.name for base in (root / "themes", builtin_themes_dir()) if base.is_dir()
                            for p in base.iterdir() if p.is_dir()} | set(packages()))
            raise ConfigError.at(where, f'theme "{current}" was not found in themes/ or the installed themes',
                                 did_you_mean(current, known) or f"available: {', '.join(known)}; a theme package "
                                 f"is installed with pip and names itself in the {THEME_GROUP} entry points", "theme")
        chain.append((current, folder))
        current = _parent(folder, root)
        where = SourceLocation(shown_path(folder / "theme.yml", root))
    return ThemeChain(tuple(chain))


def _check_version(root: Path, name: str, version: str, packages: dict[str, InstalledTheme]) -> None:
    """A pinned theme is an installed package whose version satisfies the pin."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    where = SourceLocation("site.yml")
    if (root / "themes" / name).is_dir() or (builtin_themes_dir() / name).is_dir() or name not in packages:
        raise ConfigError.at(where, f'theme "{name}" is pinned to {version}, but it is not an installed theme package',
                             f"install the ministry's theme (pip install …), or write theme: {name} without a version",
                             "theme")
    package = packages[name]
    try:
        satisfied = Version(package.version) in SpecifierSet(version)
    except InvalidVersion:
        satisfied = False
    if not satisfied:
        raise ConfigError.at(where, f'theme "{name}" is pinned to {version}, but {package.distribution} '
                             f"{package.version or '(no version)'} is installed",
                             f'install the pinned version: pip install "{package.distribution}{version}"', "theme")


def outside_folders(chain: ThemeChain, root: Path) -> tuple[Path, ...]:
    """The chain's folders outside the site and the built-in themes (installed theme packages): a build reads
    them, so the no-change check looks at them too."""
    inside = (root.resolve(), builtin_themes_dir().resolve())
    return tuple(folder for _, folder in chain.themes
                 if not any(folder.resolve().is_relative_to(base) for base in inside))


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


