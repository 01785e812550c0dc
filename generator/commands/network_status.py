"""`legation network status`: for each item the ministry syndicates, which missions carry it in which languages,
and which of those translations are missing or out of date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import Problem, SourceLocation
from ..core.model import MinistryLink
from ..sources.content import discover, parse_all
from ..sources.network import Mission, Network, ministry_config
from .status import MARKS, Cell, translation_status


@dataclass(frozen=True)
class Carried:
    mission: str
    cells: tuple[tuple[str, Cell], ...]  # the mission's languages, each as the ministry's copy stands


@dataclass(frozen=True)
class Syndicated:
    item: str  # section/slug
    source: str  # the ministry's file, from its folder
    targets: tuple[str, ...]  # its syndicate: line ("all", "mission:x", "region:y")
    cells: tuple[tuple[str, Cell], ...]  # the ministry's languages
    missions: tuple[Carried, ...]

    @property
    def incomplete(self) -> bool:
        return any(cell in ("missing", "stale", "draft") for carried in self.missions for _, cell in carried.cells)


@dataclass(frozen=True)
class NetworkStatus:
    items: tuple[Syndicated, ...]
    problems: tuple[Problem, ...]

    def as_json(self) -> str:
        return json.dumps({"items": [{
            "item": item.item, "source": item.source, "syndicate": list(item.targets), "languages": dict(item.cells),
            "missions": [{"id": carried.mission, "languages": dict(carried.cells)} for carried in item.missions],
        } for item in self.items], "problems": [p.as_json() for p in self.problems]}, indent=2, ensure_ascii=False)

    def table(self) -> str:
        if not self.items:
            return "The ministry syndicates no item (no syndicate: line in its content/)."
        width = max([len(carried.mission) for item in self.items for carried in item.missions] + [8])
        lines = []
        for item in self.items:
            lines.append(f"{item.item}  [{', '.join(_shown(t) for t in item.targets)}]")
            if not item.missions:
                lines.append("  (reaches no mission)")
            for carried in item.missions:
                cells = "  ".join(f"{lang} {MARKS[cell]}" for lang, cell in carried.cells)
                lines.append(f"  {carried.mission:<{width}}  {cells}")
        lines.append("")
        lines.append("✓ up to date   ! out of date   – missing (the mission's fallback policy applies)   d draft   "
                     "? version not recorded")
        return "\n".join(lines)


def network_status(root: Path, network: Network, now: datetime) -> NetworkStatus:
    """Read the ministry's content/ as a site in the ministry's languages, then spread each syndicated item over
    the missions its ``syndicate:`` line reaches."""
    config = ministry_config(network)
    sources, problems = discover(root, config)
    pages, found = parse_all(sources, config)
    problems += found
    syndicated = [page for page in pages if page.syndicate]
    changed = {page.source: datetime.fromtimestamp((root / page.source).stat().st_mtime, tz=UTC)
               for page in syndicated}
    report = translation_status(syndicated, config, changed, now)
    targets = {page.key: page.syndicate for page in syndicated if page.lang == config.default_language}
    targets.update({page.key: page.syndicate for page in syndicated if page.key not in targets})
    items: list[Syndicated] = []
    for status in report.items:
        key = (status.section, status.slug)
        reach = targets[key]
        carriers = tuple(
            Carried(mission.id, tuple((code, status.state(code) if code in config.language_codes else "missing")
                                      for code in mission.languages))
            for mission in network.missions if _link(mission).targets(reach))
        items.append(Syndicated(f"{status.section}/{status.slug}", status.source, reach, status.cells, carriers))
        problems.extend(_unknown_targets(network, reach, status.source))
    return NetworkStatus(tuple(items), tuple(problems))


def _link(mission: Mission) -> MinistryLink:
    return MinistryLink(mission.id, mission.region, {}, "", "")


def _unknown_targets(network: Network, targets: tuple[str, ...], source: str) -> list[Problem]:
    ids = {m.id for m in network.missions}
    regions = {m.region for m in network.missions if m.region}
    unknown = [t for t in targets if (t.startswith("mission:") and t[8:] not in ids)
               or (t.startswith("region:") and t[7:] not in regions)]
    return [Problem("warning", SourceLocation(source), f"syndicate: names {_shown(t)}, which network.yml does not have",
                    f"the missions are {', '.join(sorted(ids))}; the regions {', '.join(sorted(regions)) or '(none)'}",
                    "network") for t in unknown]


def _shown(target: str) -> str:
    kind, _colon, name = target.partition(":")
    return name if kind == "mission" else f"region {name}" if kind == "region" else target
