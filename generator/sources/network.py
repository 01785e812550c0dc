"""network.yml text → Network: a ministry and its missions, every problem located in network.yml (or in the
mission's own site.yml where the two disagree)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from ..core.checks import Checker
from ..core.errors import ConfigError, Problem, SourceLocation, did_you_mean
from ..core.model import MinistryLink, Page, SiteConfig
from ..core.yamltext import load_yaml
from .config import CONFIG_FILE, load_config, parse_config, pinned_theme, settings_text, time_zones
from .mission import reference_pattern

NETWORK_FILE = "network.yml"

#: Top-level keys of network.yml and what each one means.
KEYS: Mapping[str, str] = MappingProxyType({
    "ministry": "The ministry: {name: {en: …}, base_url, languages: [en, ar, …], theme (every mission's, unless its "
                "site.yml names one), statements: {reference}}",
    "missions": "The missions: a list of {id, site, base_url, languages, timezone, region}",
})
MINISTRY_KEYS = ("name", "base_url", "languages", "theme", "statements")
MISSION_KEYS = ("id", "site", "base_url", "languages", "timezone", "region")
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Ministry:
    name: Mapping[str, str]  # per language
    base_url: str
    languages: tuple[str, ...]
    theme: str  # every mission's theme, unless its site.yml names one
    reference_pattern: str = "{year}-{seq:03d}"  # its statements' public references (statements: {reference: …})
    theme_version: str = ""  # the versions of the theme package a mission must have installed ("" when not pinned)


@dataclass(frozen=True)
class Mission:
    id: str
    site: str  # the mission's site folder, relative to the network's root, with /
    base_url: str
    languages: tuple[str, ...]
    timezone: str
    region: str = ""


@dataclass(frozen=True)
class Network:
    ministry: Ministry
    missions: tuple[Mission, ...]

    def mission(self, mission_id: str) -> Mission | None:
        return next((m for m in self.missions if m.id == mission_id), None)


def parse_network(text: str, path: str = NETWORK_FILE) -> tuple[Network, list[Problem]]:
    """Parse network.yml text: the network and its warnings; raise ConfigError listing every problem found
    when there is an error."""
    doc = load_yaml(text, path, error=ConfigError)
    check = Checker(doc, kind="network")
    raw = check.mapping(doc.data, (), tuple(KEYS), required=("ministry", "missions"))
    if raw is None:
        raise ConfigError(check.problems)
    ministry = _ministry(check, raw.get("ministry"))
    missions = _missions(check, raw.get("missions"), ministry)
    if any(p.severity == "error" for p in check.problems) or ministry is None:  # the mistakes to fix first
        raise ConfigError(sorted(check.problems, key=lambda p: p.severity != "error"))
    return Network(ministry, missions), check.problems


def load_network(root: Path) -> tuple[Network, list[Problem]]:
    """Read ``root/network.yml`` and parse it (the network and its warnings)."""
    return parse_network(settings_text(root, NETWORK_FILE, "run legation network in the ministry's folder or pass "
                                       "--root DIR"), NETWORK_FILE)


def check_missions(root: Path, network: Network, missions: tuple[Mission, ...] | None = None) -> list[Problem]:
    """Each mission's folder holds a site whose site.yml agrees with network.yml (base URL, languages, time
    zone): network.yml is the ministry's list, and a mission built alone must be the one built in the network."""
    problems: list[Problem] = []
    for mission in network.missions if missions is None else missions:
        folder = root / mission.site
        shown = f"{mission.site}/{CONFIG_FILE}"
        if not _inside(folder, root):
            problems.append(_outside(mission))
            continue
        if not (folder / CONFIG_FILE).is_file():
            problems.append(Problem("error", SourceLocation(NETWORK_FILE), f'mission "{mission.id}": no {CONFIG_FILE} '
                                    f"in {mission.site}/", f"make the mission's site there (legation init "
                                    f"{mission.site}), or correct its site: in {NETWORK_FILE}", "network"))
            continue
        try:
            config = load_config(folder)
        except ConfigError as exc:
            problems.extend(replace(p, location=replace(p.location, path=f"{mission.site}/{p.location.path}"))
                            for p in exc.problems)
            continue
        problems.extend(_disagreements(mission, config, folder, shown))
    return problems


def _inside(folder: Path, root: Path) -> bool:
    """Whether ``folder`` is inside ``root`` once links are followed (a mission's folder is the ministry's)."""
    return folder.resolve().is_relative_to(root.resolve())


def _outside(mission: Mission) -> Problem:
    return Problem("error", SourceLocation(NETWORK_FILE), f'mission "{mission.id}": its folder {mission.site} leads '
                   "outside the ministry's folder (a symbolic link)", "keep each mission's site in a folder inside the "
                   "ministry's, not a link to one elsewhere", "network")


def _disagreements(mission: Mission, config: SiteConfig, folder: Path, shown: str) -> list[Problem]:
    """Where the mission's site.yml (in ``folder``, named ``shown``) and network.yml disagree, at the key's line."""
    found = []
    pairs = (("base_url", mission.base_url, config.base_url),
             ("languages", ", ".join(mission.languages), ", ".join(config.language_codes)),
             ("timezone", mission.timezone, config.timezone))
    differing = [(key, listed, own) for key, listed, own in pairs if listed != own]
    doc = None
    if differing:
        try:
            doc = load_yaml((folder / CONFIG_FILE).read_text(encoding="utf-8-sig"), shown, error=ConfigError)
        except (OSError, UnicodeDecodeError, ConfigError):
            doc = None
    for key, listed, own in differing:
        where = doc.where_key(key) if doc is not None else SourceLocation(shown)
        found.append(Problem("error", where, f'{key} is {own} here, but {NETWORK_FILE} lists '
                             f'mission "{mission.id}" with {key} {listed}',
                             "make the two the same (network.yml is the ministry's list of its missions)", "network"))
    return found


def _ministry(check: Checker, value: Any) -> Ministry | None:
    raw = check.mapping(value, ("ministry",), MINISTRY_KEYS, required=("name", "base_url", "languages"))
    if raw is None:
        return None
    languages = _codes(check, raw.get("languages"), ("ministry", "languages"))
    names = check.mapping(raw.get("name", {}), ("ministry", "name"), languages) or {}
    name = {code: text for code in languages
            if (text := check.text(names.get(code), ("ministry", "name", code), allow_empty=False)) is not None}
    base_url = _base_url(check, raw.get("base_url"), ("ministry", "base_url"))
    theme = check.text(raw.get("theme", "default"), ("ministry", "theme"), allow_empty=False) or "default"
    theme, version = pinned_theme(check, theme.strip(), ("ministry", "theme"))
    pattern = reference_pattern(check, raw.get("statements"), ("ministry",))
    return Ministry(MappingProxyType(name), base_url, languages, theme, pattern, version)


def _missions(check: Checker, value: Any, ministry: Ministry | None) -> tuple[Mission, ...]:
    if not isinstance(value, list) or not value:
        check.error(("missions",), "missions must be a list of missions (- id: …), one at least",
                    "add a line - {id: baku, site: missions/baku, base_url: …, languages: [en, az], "
                    "timezone: Asia/Baku}")
        return ()
    missions: list[Mission] = []
    ids: dict[str, int] = {}
    urls: dict[str, str] = {}
    folders: dict[str, str] = {}
    for index, entry in enumerate(value):
        keys: tuple[str | int, ...] = ("missions", index)
        raw = check.mapping(entry, keys, MISSION_KEYS, required=("id", "site", "base_url", "languages", "timezone"))
        if raw is None:
            continue
        mission_id = check.text(raw.get("id"), (*keys, "id"), allow_empty=False) or ""
        if mission_id and not _ID.match(mission_id):
            check.error((*keys, "id"), f'mission id "{mission_id}" is not a short name',
                        "use lowercase letters, digits and - (it names the mission's output folder), e.g. baku")
        elif mission_id in ids:
            check.error((*keys, "id"), f'two missions have the id "{mission_id}" (the other is mission {ids[mission_id] + 1})',
                        "give each mission its own id")
        ids.setdefault(mission_id, index)
        site = _folder(check, raw.get("site"), (*keys, "site"))
        if site and site in folders:
            check.error((*keys, "site"), f'missions "{folders[site]}" and "{mission_id}" share the folder {site}',
                        "give each mission a folder of its own")
        folders.setdefault(site, mission_id)
        base_url = _base_url(check, raw.get("base_url"), (*keys, "base_url"))
        if base_url and base_url in urls:
            check.error((*keys, "base_url"), f'missions "{urls[base_url]}" and "{mission_id}" have one base URL, '
                        f"{base_url}", "each mission is served at an address of its own")
        elif ministry is not None and base_url == ministry.base_url:
            check.error((*keys, "base_url"), f'mission "{mission_id}" has the ministry\'s base URL, {base_url}',
                        "each mission is served at an address of its own")
        urls.setdefault(base_url, mission_id)
        languages = _codes(check, raw.get("languages"), (*keys, "languages"))
        if ministry is not None:
            for position, code in enumerate(languages):
                if code not in ministry.languages:
                    check.warning((*keys, "languages", position),
                                  f'mission "{mission_id}" publishes in {code}, which the ministry does not: its '
                                  f"statements reach that language only by the mission's fallback policy",
                                  f"add {code} to the ministry's languages when the ministry translates into it")
        zone = raw.get("timezone", "")
        if not isinstance(zone, str) or zone not in time_zones():
            check.error((*keys, "timezone"), f'unknown time zone "{zone}"',
                        (did_you_mean(zone, time_zones()) if isinstance(zone, str) else "")
                        or "use an IANA name such as Europe/Paris or Asia/Baku")
            zone = "UTC"
        region = check.text(raw.get("region", ""), (*keys, "region")) or ""
        missions.append(Mission(mission_id, site, base_url, languages, zone, region.strip()))
    return tuple(missions)


def _codes(check: Checker, value: Any, keys: tuple[str | int, ...]) -> tuple[str, ...]:
    codes = check.text_list(value, keys)
    if not codes:
        if codes is not None:
            check.error(keys, f"{check.name(keys)} must list one language at least", "write languages: [en, ar]")
        return ()
    seen: list[str] = []
    for position, code in enumerate(codes):
        if not _CODE.match(code):
            check.error((*keys, position), f'"{code}" is not a language code', "use a code such as en, ar, az, uz")
        elif code in seen:
            check.error((*keys, position), f'{code} is listed twice', "list each language once")
        else:
            seen.append(code)
    return tuple(seen)


def _base_url(check: Checker, value: Any, keys: tuple[str | int, ...]) -> str:
    url = check.url(value, keys) or ""
    return url if not url or url.endswith("/") else url + "/"


def _folder(check: Checker, value: Any, keys: tuple[str | int, ...]) -> str:
    text = check.text(value, keys, allow_empty=False)
    if text is None:
        return ""
    path = PurePosixPath(text.strip().rstrip("/"))
    if path.is_absolute() or "\\" in text or any(part in ("..", ".", "") for part in path.parts) or not path.parts:
        check.error(keys, f'site must be a folder inside the ministry\'s folder, not "{text}"',
                    "write a relative path such as missions/baku (no .., no leading /)")
        return ""
    return path.as_posix()


def link_mission(root: Path, config: SiteConfig) -> SiteConfig:
    """``config`` of a site whose site.yml names its ministry's folder (``network: ../..``) with what it takes
    from network.yml: its id and region, the ministry's name and address, where the ministry's items are. Raises
    ConfigError when network.yml cannot be read, does not list this site, or disagrees with its site.yml."""
    if not config.network:
        return config
    ministry_root = (root / config.network).resolve()
    shown = os.path.relpath(ministry_root / NETWORK_FILE, root).replace(os.sep, "/")
    if not (ministry_root / NETWORK_FILE).is_file():
        raise ConfigError.at(SourceLocation(CONFIG_FILE), f"network: {config.network} holds no {NETWORK_FILE} "
                             f"(looked for {shown})", "write the path from this site's folder to the ministry's, "
                             "such as ../..", "network")
    try:
        network, _warnings = load_network(ministry_root)  # its warnings are told by `legation network`
    except ConfigError as exc:
        raise ConfigError([replace(p, location=replace(p.location, path=shown)) for p in exc.problems]) from None
    here = root.resolve()
    mission = next((m for m in network.missions if (ministry_root / m.site).resolve() == here), None)
    if mission is None:
        raise ConfigError.at(SourceLocation(CONFIG_FILE), f"this site is not one of the missions {shown} lists",
                             f"add it to missions: in {shown} (site: {os.path.relpath(here, ministry_root)}), or "
                             "remove network: from site.yml", "network")
    if not _inside(ministry_root / mission.site, ministry_root):
        raise ConfigError([replace(_outside(mission), location=SourceLocation(shown))])
    problems = _disagreements(mission, config, root, CONFIG_FILE)
    if problems:
        raise ConfigError(problems)
    content = os.path.relpath(ministry_root / "content", here).replace(os.sep, "/")
    ledger = os.path.relpath(ministry_root / "ledger", here).replace(os.sep, "/")
    if not config.theme_named:  # the ministry's theme, unless the mission's site.yml names its own
        config = replace(config, theme=network.ministry.theme, theme_version=network.ministry.theme_version)
    return replace(config, ministry=MinistryLink(mission.id, mission.region, dict(network.ministry.name),
                                                 network.ministry.base_url, content, network.ministry.languages[0],
                                                 ledger))


def carried(config: SiteConfig, pages: list[Page]) -> tuple[list[Page], list[Problem]]:
    """``pages`` with the ministry's items that reach this mission (their ``syndicate:``), in the mission's
    languages, and without the others; an item of the ministry at the address of one of the mission's own is an
    error in the mission's file (rename one of them)."""
    link = config.ministry
    if link is None:
        return pages, []
    own = {page.key: page for page in pages if not config.from_ministry(page)}
    languages = set(config.language_codes)
    kept: list[Page] = []
    problems: list[Problem] = []
    clashes: set[tuple[str, str]] = set()
    for page in pages:
        if not config.from_ministry(page):
            kept.append(page)
        elif link.targets(page.syndicate) and page.lang in languages:
            mine = own.get(page.key)
            if mine is None:
                kept.append(page)
            elif page.key not in clashes:
                clashes.add(page.key)
                problems.append(Problem("error", SourceLocation(mine.source), f"the ministry syndicates an item "
                                        f"with this address ({page.source}), so this item would hide it",
                                        "rename this file (its slug), or ask the ministry to rename theirs", "network"))
    return kept, problems


def network_inputs(root: Path, config: SiteConfig) -> tuple[Path, ...]:
    """The files outside a mission's folder that its build reads: network.yml, the ministry's content/ and its
    ledger/ (the references `legation network build` gives the ministry's statements)."""
    if not config.network:
        return ()
    ministry_root = (root / config.network).resolve()
    return ministry_root / NETWORK_FILE, ministry_root / "content", ministry_root / "ledger"


def ministry_config(network: Network) -> SiteConfig:
    """The ministry's own content/ read as a site: its languages (the first is the original), its address, its
    statements' reference pattern."""
    languages = "".join(f"\n  - {{code: {code}}}" for code in network.ministry.languages)
    return replace(parse_config(f'base_url: "{network.ministry.base_url}"\nlanguages:{languages}\n', NETWORK_FILE),
                   reference_pattern=network.ministry.reference_pattern)
