"""A translation package as a gettext PO file (polib), for the many tools that prefer PO to XLIFF.

One entry per unit: ``msgctxt`` is ``section/slug#unit``, a protected code is ``{N}`` in the text and the
entry's comment says what each stands for. The items and their source versions are in the header
(``X-Legation-Items``); the files they come from and go to in ``X-Legation-Files``.
"""

from __future__ import annotations

import json
import re

import polib

from ..core.errors import LegationError, SourceLocation
from ..sources.translation_units import Code, Part, Unit
from .packages import Package, PackageItem, PackageUnit

_PLACEHOLDER = re.compile(r"\{(\d+)\}")
CODES = "they stand for: "


def _codes(comment: str) -> dict[int, Code]:
    _, found, legend = comment.partition(CODES)
    try:
        table = json.loads(legend) if found else {}
    except ValueError:
        table = {}
    if not isinstance(table, dict):
        return {}
    return {int(key): Code(int(key), str(value), "standalone") for key, value in table.items()
            if isinstance(table, dict) and str(key).isdigit()}


def write_po(package: Package) -> str:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "legation",
        "Language": package.target_lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Legation-Source-Language": package.source_lang,
        "X-Legation-Items": json.dumps([
            {"item": item.name, "version": item.version, "kind": item.kind, "source": item.source_path,
             "target": item.target_path, "translation": item.translation_version, "pinned": item.pinned}
            for item in package.items],
            ensure_ascii=False, sort_keys=True),
    }
    for item in package.items:
        for entry in item.units:
            unit = entry.unit
            comment = unit.note + (f" At most {unit.max_chars} characters." if unit.max_chars else "")
            if unit.codes:  # what each {N} stands for: tools show this comment and keep it
                comment += "\nKeep each {N} code; " + CODES + json.dumps(
                    {str(code.id): code.text for code in unit.codes}, ensure_ascii=False, sort_keys=True)
            po.append(polib.POEntry(
                flags=["fuzzy"] if entry.target is not None and not entry.reviewed else [],
                msgctxt=f"{item.name}#{unit.id}", msgid=_text(unit.parts),
                msgstr=_text(entry.target) if entry.target is not None else "", comment=comment,
                occurrences=[(item.source_path, "")]))
    return str(po)


def _text(parts: tuple[Part, ...]) -> str:
    return "".join(f"{{{part.id}}}" if isinstance(part, Code) else part for part in parts)


def read_po(text: str, name: str) -> Package:
    try:
        po = polib.pofile(text)
    except (OSError, ValueError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise LegationError.at(SourceLocation(name, int(found.group(1)) if found else 0),
                               f"this is not a PO file: {exc}",
                               "import the .po or .xlf file `legation translate export` wrote, as the translation "
                               "tool saved it", "translate-format") from None
    try:
        header = json.loads(po.metadata.get("X-Legation-Items", ""))
    except ValueError:
        header = None
    if not isinstance(header, list) or not all(isinstance(entry, dict) for entry in header):
        raise LegationError.at(SourceLocation(name, 1), "this PO file has no X-Legation-Items header",
                               "import only packages `legation translate export` wrote (keep the file's header)",
                               "translate-format")
    units: dict[str, list[PackageUnit]] = {}
    for entry in po:
        item, _, unit_id = (entry.msgctxt or "").partition("#")
        codes = _codes(entry.comment or "")
        source = _parts(entry.msgid, codes)
        target = _parts(entry.msgstr, codes) if entry.msgstr else None
        if target is not None:
            unknown = [p.id for p in target if isinstance(p, Code) and p.id not in codes]
            if unknown:
                raise LegationError.at(SourceLocation(name, entry.linenum),
                                       f"unit {item}#{unit_id} has the code {{{unknown[0]}}}, which its source "
                                       "does not have", "keep the codes of the source text; do not type new ones",
                                       "translate-codes")
        units.setdefault(item, []).append(PackageUnit(Unit(unit_id, "", source, entry.comment), target,
                                                      not entry.fuzzy))
    items = []
    for entry in header:
        item = str(entry.get("item", ""))
        section, _, slug = item.partition("/")
        items.append(PackageItem(section, slug, str(entry.get("source", "")), str(entry.get("target", "")),
                                 str(entry.get("version", "")), str(entry.get("kind", "")),
                                 tuple(units.get(item, ())), str(entry.get("translation", "")),
                                 str(entry.get("pinned", ""))))
    return Package(po.metadata.get("X-Legation-Source-Language", ""), po.metadata.get("Language", ""), tuple(items))


def _parts(text: str, codes: dict[int, Code]) -> tuple[Part, ...]:
    parts: list[Part] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > last:
            parts.append(text[last:match.start()])
        number = int(match.group(1))
        parts.append(codes.get(number, Code(number, match.group(), "standalone")))
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    return tuple(parts)
