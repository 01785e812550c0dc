"""A translation package as XLIFF 2.0 (OASIS), the format CAT tools (Trados, memoQ, Phrase, OmegaT) exchange.

One ``<file>`` per item (its ``original`` is the source file), one ``<unit>`` per field or Markdown block.
Protected codes are ``<ph>`` placeholders whose Markdown is kept in the unit's ``<originalData>``, so a
translator sees them as tags and cannot edit them. legation's own data (the item, the source version, the
file the translation goes to) are attributes in its namespace on ``<file>``, which XLIFF 2 allows.
Built and read with lxml; tests read and edit the files with translate-toolkit, a third party.
"""

from __future__ import annotations

from lxml import etree

from ..core.errors import LegationError, SourceLocation
from ..sources.translation_units import Code, Part, Unit
from .packages import NAMESPACE, Package, PackageItem, PackageUnit

XLIFF = "urn:oasis:names:tc:xliff:document:2.0"
_X = f"{{{XLIFF}}}"
_L = f"{{{NAMESPACE}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def write_xliff(package: Package) -> bytes:
    root = etree.Element(_X + "xliff", nsmap={None: XLIFF, "lg": NAMESPACE})
    root.set("version", "2.0")
    root.set("srcLang", package.source_lang)
    root.set("trgLang", package.target_lang)
    for number, item in enumerate(package.items, 1):
        file = etree.SubElement(root, _X + "file", id=f"f{number}", original=item.source_path)
        file.set(_L + "item", item.name)
        file.set(_L + "version", item.version)
        file.set(_L + "target", item.target_path)
        file.set(_L + "kind", item.kind)
        file.set(_L + "translation", item.translation_version)
        file.set(_L + "pinned", item.pinned)
        for entry in item.units:
            _write_unit(file, entry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_unit(file: etree._Element, entry: PackageUnit) -> None:
    unit = entry.unit
    element = etree.SubElement(file, _X + "unit", id=unit.id)
    notes = etree.SubElement(element, _X + "notes")
    etree.SubElement(notes, _X + "note", category="context").text = unit.note
    if unit.max_chars:
        etree.SubElement(notes, _X + "note", category="limit").text = (
            f"At most {unit.max_chars} characters: longer is cut in search results.")
    if unit.codes:
        data = etree.SubElement(element, _X + "originalData")
        for code in unit.codes:
            etree.SubElement(data, _X + "data", id=f"d{code.id}").text = code.text
    state = "translated" if entry.target is not None and entry.reviewed else "initial"
    segment = etree.SubElement(element, _X + "segment", state=state)
    source = etree.SubElement(segment, _X + "source")
    source.set(_XML_SPACE, "preserve")
    _fill(source, unit.parts)
    if entry.target is not None:
        target = etree.SubElement(segment, _X + "target")
        target.set(_XML_SPACE, "preserve")
        _fill(target, entry.target)


def _fill(element: etree._Element, parts: tuple[Part, ...]) -> None:
    last: etree._Element | None = None
    for part in parts:
        if isinstance(part, Code):
            last = etree.SubElement(element, _X + "ph", id=str(part.id), dataRef=f"d{part.id}", canDelete="no",
                                    canCopy="no", disp=part.text if len(part.text) <= 40 else part.text[:39] + "…")
        elif last is None:
            element.text = (element.text or "") + part
        else:
            last.tail = (last.tail or "") + part


def read_xliff(data: bytes, name: str) -> Package:
    """The package in an XLIFF 2 file; a LegationError naming the line when it is not one legation wrote."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise LegationError.at(SourceLocation(name, line, col if line else 0),
                               f"this is not an XLIFF file: {exc.msg}",
                               "import the .xlf or .po file `legation translate export` wrote, as the translation "
                               "tool saved it", "translate-format") from None
    if root.tag != _X + "xliff" or not str(root.get("version", "")).startswith("2."):
        raise LegationError.at(SourceLocation(name, root.sourceline or 0),
                               "this is not an XLIFF 2 file (its root element is "
                               f"<{etree.QName(root).localname} version={root.get('version')!r}>)",
                               "export the package again with `legation translate export`; if your tool saved "
                               "XLIFF 1.2, choose XLIFF 2.0 in its export settings", "translate-format")
    items = []
    for file in root.iterchildren(_X + "file"):
        where = SourceLocation(name, file.sourceline or 0)
        item = file.get(_L + "item", "")
        if "/" not in item or not file.get(_L + "version"):
            raise LegationError.at(where, "this <file> has no legation item or source version (lg:item, lg:version)",
                                   "import only packages `legation translate export` wrote", "translate-format")
        section, slug = item.split("/", 1)
        units = tuple(_read_unit(unit, name) for unit in file.iterchildren(_X + "unit"))
        items.append(PackageItem(section, slug, file.get("original", ""), file.get(_L + "target", ""),
                                 file.get(_L + "version", ""), file.get(_L + "kind", ""), units,
                                 file.get(_L + "translation", ""), file.get(_L + "pinned", "")))
    return Package(str(root.get("srcLang", "")), str(root.get("trgLang", "")), tuple(items))


def _read_unit(element: etree._Element, name: str) -> PackageUnit:
    unit_id = element.get("id", "")
    data = {entry.get("id"): entry.text or "" for entry in element.iter(_X + "data")}
    segment = next(element.iterchildren(_X + "segment"), None)
    where = SourceLocation(name, element.sourceline or 0)
    if segment is None:
        raise LegationError.at(where, f"unit {unit_id} has no <segment>", "export the package again",
                               "translate-format")
    source = segment.find(_X + "source")
    target = segment.find(_X + "target")
    note = next((n.text or "" for n in element.iter(_X + "note") if n.get("category") == "context"), "")
    source_parts = _parts(source, data, unit_id, name) if source is not None else ()
    target_parts = _parts(target, data, unit_id, name) if target is not None else None
    if target_parts is not None and not "".join(p for p in target_parts if isinstance(p, str)).strip() \
            and not any(isinstance(p, Code) for p in target_parts):
        target_parts = None
    kind = "field" if not (unit_id.startswith("b") and unit_id[1:].isdigit()) else ""
    unit = Unit(unit_id, kind, source_parts, note)
    return PackageUnit(unit, target_parts, segment.get("state", "translated") != "initial")


def _parts(element: etree._Element, data: dict[str | None, str], unit_id: str, name: str) -> tuple[Part, ...]:
    parts: list[Part] = [element.text] if element.text else []
    for child in element:
        local = etree.QName(child).localname
        if local != "ph" or child.get("dataRef") not in data:
            raise LegationError.at(SourceLocation(name, child.sourceline or 0),
                                   f"unit {unit_id} holds <{local}>, which is not one of its protected codes",
                                   "keep the unit's tags as the package has them; move them, do not type new "
                                   "ones", "translate-codes")
        number = str(child.get("id", ""))
        parts.append(Code(int(number) if number.isdigit() else 0, data[child.get("dataRef")], "standalone"))
        if child.tail:
            parts.append(child.tail)
    return tuple(parts)
