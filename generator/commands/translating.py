"""`legation translated`, `legation status --diff` and `legation translate export|import` (DESIGN §6).

A translation records the version of the default-language text it was made from (``translation_of.hash``).
These commands write that record where a translation is made: when an officer marks a reviewed translation
current, and when a translator's package comes back. Each records a readable copy of the source version in
``translations/sources/`` beside ``content/`` (commit it with the content), so that ``status --diff`` can
show what changed since, on any checkout.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import LegationError, SourceLocation, did_you_mean
from ..core.model import SiteConfig, SourceFile
from ..sources.config import load_config
from ..sources.content import CONTENT_DIR, INHERITED, FrontMatter, discover, split_front_matter
from ..sources.translation_units import (
    Code,
    Part,
    Unit,
    item_units,
    pinned_state,
    protect,
    readable_text,
    rebuild_body,
    version_of,
)
from .authoring import PLACEHOLDER_BODY
from .packages import Package, PackageItem, PackageUnit, code_problem, joined, localised, with_codes
from .pofile import read_po, write_po
from .xliff import read_xliff, write_xliff

STORE = "translations/sources"
MAX_PACKAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ItemFiles:
    section: str
    slug: str
    files: Mapping[str, SourceFile]  # by language

    @property
    def name(self) -> str:
        return f"{self.section}/{self.slug}"


def _items(root: Path) -> tuple[SiteConfig, dict[str, ItemFiles]]:
    config = load_config(root)
    sources, _ = discover(root, config)
    grouped: dict[str, dict[str, SourceFile]] = {}
    for source in sources:
        grouped.setdefault(f"{source.section}/{source.slug}", {})[source.lang] = source
    return config, {name: ItemFiles(name.split("/", 1)[0], name.split("/", 1)[1], files)
                    for name, files in sorted(grouped.items())}


def _item(items: Mapping[str, ItemFiles], name: str) -> ItemFiles:
    found = items.get(name.strip("/"))
    if found is None:
        raise LegationError.at(SourceLocation(CONTENT_DIR), f'there is no item "{name}"',
                               did_you_mean(name, list(items)) or "name it SECTION/SLUG, as `legation status` lists "
                               "items", "translate-item")
    return found


def _language(config: SiteConfig, lang: str) -> None:
    if lang not in config.language_codes:
        raise LegationError.at(SourceLocation("site.yml"), f'language "{lang}" is not one of the site\'s languages',
                               did_you_mean(lang, config.language_codes) or
                               f"use one of: {', '.join(config.language_codes)}", "language")
    if lang == config.default_language:
        raise LegationError.at(SourceLocation("site.yml"), f'"{lang}" is the default language: translations are '
                               "made from it, not into it", "name a language translations are made into",
                               "language")


def _front(source: SourceFile) -> FrontMatter:
    return split_front_matter(source)  # a ContentError is a LegationError naming the file and line


def _data(fm: FrontMatter) -> Mapping[str, Any]:
    return fm.doc.data if isinstance(fm.doc.data, Mapping) else {}


def _version(fm: FrontMatter) -> str:
    return version_of(_data(fm), fm.body)


def _units(fm: FrontMatter) -> tuple[Unit, ...]:
    data = _data(fm)
    return item_units(data, fm.body, str(data.get("kind", "") or ""))


def _source(item: ItemFiles, config: SiteConfig) -> SourceFile:
    source = item.files.get(config.default_language)
    if source is None:
        raise LegationError.at(SourceLocation(f"{CONTENT_DIR}/{item.section}"),
                               f"{item.name} has no {config.default_language} file to translate from",
                               f"write {CONTENT_DIR}/{item.section}/{item.slug}.{config.default_language}.md first",
                               "translate-source")
    return source


def _target_path(source: SourceFile, lang: str) -> str:
    path = Path(source.path)
    if path.name.startswith("index."):
        return str(path.with_name(f"index.{lang}.md").as_posix())
    return str(path.with_name(f"{source.slug}.{lang}.md").as_posix())


def _keep_snapshot(root: Path, item: ItemFiles, version: str, units: tuple[Unit, ...]) -> None:
    """A readable copy of a source version, for `status --diff` (content-addressed: merges never conflict)."""
    path = root / STORE / item.section / item.slug / f"{version}.txt"
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_text(path, readable_text(units))


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, path)


# --- recording the version in the front matter --------------------------------------------------------


def _value_span(front: str, key: str) -> tuple[int, int, bool] | None:
    """Where the value of the top-level ``key`` is in the front-matter text: start, end, written as a block."""
    try:
        node = yaml.compose(front)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key:
            block = isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style
            return value_node.start_mark.index, value_node.end_mark.index, block
    return None


def set_front_values(text: str, values: Mapping[str, Any]) -> str:
    """``text`` (a whole content file) with the top-level front-matter ``values`` set, as YAML flow values.

    A key already there keeps its place and any comment after it; a new key goes before the closing ``---``.
    """
    lines = text.split("\n")
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    front = "\n".join(lines[1:close])
    rest = "\n".join(lines[close:])
    for key, value in values.items():
        flow = _flow(value)
        span = _value_span(front, key)
        if span is None:
            front = (front + "\n" if front.strip() else "") + f"{key}: {flow}"
            continue
        start, end, block = span
        if block:
            front = front[:start].rstrip(" ") + flow + "\n" + front[end:].lstrip("\n")
            front = front.replace(f"{key}:\n{flow}", f"{key}: {flow}")
        else:
            front = front[:start] + flow + front[end:]
    return "---\n" + front.rstrip("\n") + "\n" + rest


def _flow(value: Any) -> str:
    """``value`` as a one-line YAML flow value, as the project writes them: ``{lang: en, hash: "…"}``."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_flow(entry)}" for key, entry in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(entry) for entry in value) + "]"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and _LANGUAGE_CODE.fullmatch(value) and value.lower() not in ("no", "yes", "on", "off"):
        return value
    return json.dumps(value, ensure_ascii=False)


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


# --- legation translated ------------------------------------------------------------------------------


def mark_translated(root: Path, name: str, langs: Iterable[str] | None, now: datetime | None = None) -> list[str]:
    """Record that each ``langs`` translation (None: every one) of item ``name`` is made from its source as it
    is now."""
    config, items = _items(root)
    item = _item(items, name)
    if langs is None:
        langs = [code for code in config.language_codes if code in item.files and code != config.default_language]
    source = _source(item, config)
    fm = _front(source)
    version, units = _version(fm), _units(fm)
    said: list[str] = []
    for lang in langs:
        _language(config, lang)
        target = item.files.get(lang)
        if target is None:
            raise LegationError.at(SourceLocation(_target_path(source, lang)),
                                   f"{item.name} has no {lang} translation to mark",
                                   f"write {_target_path(source, lang)} first (legation translate export --lang "
                                   f"{lang} {item.name} makes a package for a translator)", "translate-missing")
        _front(target)
        pin: dict[str, Any] = {"lang": config.default_language, "hash": version}
        if now is not None:  # a later change of the source marked minor keeps it current (translation_units.py)
            pin["at"] = now.replace(microsecond=0)
        _write_text(root / target.path, set_front_values(target.text, {"translation_of": pin}))
        _keep_snapshot(root, item, version, units)
        draft = _data(_front(SourceFile(target.path, target.section, target.slug, target.lang,
                                        (root / target.path).read_text(encoding="utf-8")))).get("draft") is True
        said.append(f"{target.path}: made from {source.path} as it is now (version {version})"
                    + ("; it is still a draft: remove draft: true to publish it" if draft else ""))
    return said


# --- legation status --diff ---------------------------------------------------------------------------


def source_diff(root: Path, name: str, lang: str) -> tuple[str, bool]:
    """What changed in the source since the ``lang`` translation was made: a unified diff, and whether it could
    be worked out (False: the text says why)."""
    config, items = _items(root)
    item = _item(items, name)
    source = _source(item, config)
    _language(config, lang)
    target = item.files.get(lang)
    if target is None:
        return f"{item.name} has no {lang} translation yet: the whole of {source.path} is to translate.", False
    fm = _front(source)
    ref = _data(_front(target)).get("translation_of")
    recorded = str(ref.get("hash", "") or "") if isinstance(ref, Mapping) else ""
    now = _version(fm)
    state = pinned_state(recorded, now, "")
    if state == "untracked":
        return (f"{target.path} records no source version, so what changed since cannot be known; compare it with "
                f"{source.path}, then run: legation translated {item.name} --lang {lang}"), False
    if state == "current":
        return f"{target.path} is up to date: {source.path} has not changed since it was translated.", True
    kept = root / STORE / item.section / item.slug / f"{recorded}.txt"
    if not kept.is_file():
        return (f"{target.path} was made from version {recorded} of {source.path}, and no copy of that version is "
                f"kept in {STORE}/ (it is kept from the first `legation translated` or `translate export`); "
                f"compare the translation with {source.path} as a whole"), False
    old = kept.read_text(encoding="utf-8").splitlines(keepends=True)
    new = readable_text(_units(fm)).splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(old, new, f"{source.path} (version {recorded}, translated)",
                                        f"{source.path} (now, version {now})"))
    return diff, True


# --- legation translate export ------------------------------------------------------------------------


def export_package(root: Path, lang: str, names: tuple[str, ...], stale: bool, missing: bool) -> Package:
    """The package for translators into ``lang``: every item (or ``names``), or only the stale or missing ones."""
    config, items = _items(root)
    _language(config, lang)
    chosen = [_item(items, name) for name in names] if names else list(items.values())
    package_items: list[PackageItem] = []
    for item in chosen:
        source = item.files.get(config.default_language)
        if source is None:
            continue
        fm = _front(source)
        version, units = _version(fm), _units(fm)
        target = item.files.get(lang)
        recorded = _recorded(_front(target)) if target is not None else ""
        state = pinned_state(recorded, version, _legacy(fm)) if target is not None else "missing"
        if (stale or missing) and not ((stale and state == "stale") or (missing and state == "missing")):
            continue
        langs = (config.default_language, lang)
        targets = _existing_targets(units, _front(target), langs) if target is not None else {}
        changed = _changed_units(root, item, recorded, units) if state == "stale" else set()
        _keep_snapshot(root, item, version, units)
        kind = str(_data(fm).get("kind", "") or "")
        package_items.append(PackageItem(
            item.section, item.slug, source.path, target.path if target else _target_path(source, lang), version,
            kind, tuple(PackageUnit(unit, targets.get(unit.id), unit.id not in changed) for unit in units),
            _version(_front(target)) if target is not None else "", recorded))
    return Package(config.default_language, lang, tuple(package_items))


def _recorded(translation: FrontMatter) -> str:
    ref = _data(translation).get("translation_of")
    return str(ref.get("hash", "") or "") if isinstance(ref, Mapping) else ""


def _changed_units(root: Path, item: ItemFiles, recorded: str, units: tuple[Unit, ...]) -> set[str]:
    """The units whose source changed since version ``recorded``: every unit when no copy of it is kept."""
    kept = root / STORE / item.section / item.slug / f"{recorded}.txt"
    if not kept.is_file():
        return {unit.id for unit in units}
    old = set(kept.read_text(encoding="utf-8").splitlines())
    return {unit.id for unit, line in zip(units, readable_text(units).splitlines(), strict=True) if line not in old}


def _legacy(fm: FrontMatter) -> str:
    from ..sources.content import source_hash

    data = _data(fm)
    return source_hash(str(data.get("title", "") or ""), str(data.get("summary", "") or ""), fm.body)


def _existing_targets(units: tuple[Unit, ...], translation: FrontMatter,
                      langs: tuple[str, str]) -> dict[str, tuple[Part, ...]]:
    """The translation's text for each source unit it matches: fields by name, body blocks by position when both
    bodies have the same blocks, with its codes matched to the source's. A draft's placeholder text is left."""
    data = _data(translation)
    draft = data.get("draft") is True
    theirs = {unit.id: unit for unit in item_units(data, "" if draft and translation.body.strip() ==
                                                   PLACEHOLDER_BODY.strip() else translation.body)}
    found: dict[str, tuple[Part, ...]] = {}
    source_blocks = [unit for unit in units if unit.kind != "field"]
    their_blocks = [unit for unit in theirs.values() if unit.kind != "field"]
    same_shape = [u.kind for u in source_blocks] == [u.kind for u in their_blocks]
    pairs = [(u, theirs.get(u.id)) for u in units if u.kind == "field"]
    if same_shape:
        pairs += list(zip(source_blocks, their_blocks, strict=True))
    for unit, their in pairs:
        if their is None or (draft and their.text == unit.text):
            continue
        mapped = _match_codes(unit.parts, their.parts, langs)
        if mapped is not None:
            found[unit.id] = mapped
    return found


def _match_codes(source: tuple[Part, ...], target: tuple[Part, ...], langs: tuple[str, str]) -> tuple[Part, ...] | None:
    free = [part for part in source if isinstance(part, Code)]
    out: list[Part] = []
    for part in target:
        if not isinstance(part, Code):
            out.append(part)
            continue
        match = next((code for code in free if part.text in (code.text, localised(code.text, *langs))
                      and code.role == part.role), None)
        if match is None:
            return None
        free.remove(match)
        out.append(match)
    return tuple(out) if not code_problem(source, tuple(out)) else None


def package_bytes(package: Package, fmt: str) -> bytes:
    return write_xliff(package) if fmt == "xliff" else write_po(package).encode("utf-8")


# --- legation translate import ------------------------------------------------------------------------


def read_package(path: Path) -> Package:
    where = SourceLocation(str(path))
    try:
        size = path.stat().st_size
        if size > MAX_PACKAGE_BYTES:
            raise LegationError.at(where, f"the file is {size // 1024 // 1024} MB, more than a translation package "
                                   f"can be ({MAX_PACKAGE_BYTES // 1024 // 1024} MB)",
                                   "export smaller packages: name the items, or use --stale", "translate-format")
        data = path.read_bytes()
    except OSError as exc:
        raise LegationError.at(where, f"cannot read the package: {exc.strerror}", "check the path",
                               "translate-format") from None
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return read_xliff(data, str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LegationError.at(SourceLocation(str(path), data.count(b"\n", 0, exc.start) + 1),
                               "the file is neither XLIFF nor a UTF-8 PO file",
                               "import the .xlf or .po file `legation translate export` wrote, saved as UTF-8",
                               "translate-format") from None
    if "msgid" not in text:
        raise LegationError.at(where, "the file is neither XLIFF nor PO (it has no XML root and no msgid)",
                               "import the .xlf or .po file `legation translate export` wrote", "translate-format")
    return read_po(text, str(path))


def import_package(root: Path, path: Path, force: bool, clock: datetime | None = None) -> list[str]:
    """Write the translations a package holds; every problem is found before any file is written."""
    package = read_package(path)
    config, items = _items(root)
    where = SourceLocation(str(path))
    if package.target_lang not in config.language_codes or package.target_lang == config.default_language:
        raise LegationError.at(where, f'the package is for language "{package.target_lang}", which is not a '
                               "language this site translates into",
                               f"add it to languages: in site.yml, or import a package for one of: "
                               f"{', '.join(c for c in config.language_codes if c != config.default_language)}",
                               "translate-language")
    writes: list[tuple[Path, str]] = []
    said: list[str] = []
    for entry in package.items:
        item = items.get(entry.name)
        source = item.files.get(config.default_language) if item else None
        if item is None or source is None:
            raise LegationError.at(where, f"the package holds {entry.name}, which this site no longer has "
                                   f"(no {config.default_language} file)", "export a new package from the site as "
                                   "it is now", "translate-gone")
        if all(unit.target is None for unit in entry.units):
            said.append(f"{entry.name}: not translated in {path.name} yet; left as it is")
            continue
        fm = _front(source)
        now = _version(fm)
        units = _units(fm)
        if now != entry.version and [u.id for u in units if u.kind != "field"] != \
                [u.id for u in _package_units(entry) if _is_block(u.id)]:
            raise LegationError.at(where, f"{entry.name}: the package was made from version {entry.version} of "
                                   f"{source.path}, and its text has been restructured since",
                                   f"export a new package: legation translate export --lang {package.target_lang} "
                                   f"{entry.name}", "translate-gone")
        targets = _checked_targets(entry, path, (config.default_language, package.target_lang))
        target_file = item.files.get(package.target_lang)
        if target_file is not None and not force:
            current = _version(_front(target_file))
            if current != entry.translation_version:
                raise LegationError.at(SourceLocation(target_file.path),
                                       f"{target_file.path} was changed after the package was exported: importing "
                                       "would overwrite that edit", "merge the edit into the package, or pass "
                                       "--force to replace the file with the package's translation",
                                       "translate-newer")
        unreviewed = [unit.unit.id for unit in entry.units if not unit.reviewed]
        # a unit still marked for review keeps the translation at the version it was made from
        version = entry.pinned if unreviewed else entry.version
        text = _translation_text(fm, target_file, targets, config.default_language, version,
                                 clock if version == entry.version else None)
        out = root / (target_file.path if target_file else _target_path(source, package.target_lang))
        writes.append((out, text))
        if now == entry.version:
            _keep_snapshot(root, item, now, units)
        note = ""
        if unreviewed:
            note = (f"; {len(unreviewed)} unit{'s' if len(unreviewed) > 1 else ''} ({', '.join(unreviewed[:5])}) "
                    "still marked for review (XLIFF state initial, PO fuzzy), so it stays out of date: confirm "
                    "them in the translation tool and import again")
        elif now != entry.version:
            note = (f"; {source.path} changed since the export, so the translation is out of date: "
                    f"legation status --diff {entry.name} --lang {package.target_lang}")
        said.append(f"{out.relative_to(root).as_posix()}: written from {path.name}{note}")
    for out, text in writes:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_text(out, text)
    return said


def _package_units(entry: PackageItem) -> tuple[Unit, ...]:
    return tuple(unit.unit for unit in entry.units)


def _is_block(unit_id: str) -> bool:
    return unit_id.startswith("b") and unit_id[1:].isdigit()


def _checked_targets(entry: PackageItem, path: Path, langs: tuple[str, str]) -> dict[str, str]:
    targets: dict[str, str] = {}
    for package_unit in entry.units:
        unit = package_unit.unit
        where = SourceLocation(str(path))
        if package_unit.target is None:
            raise LegationError.at(where, f"{entry.name}, unit {unit.id}: it has no translation",
                                   "translate every unit of the item (the package says what each is), or export "
                                   "only the items that are done", "translate-untranslated")
        source = protect(joined(unit.parts)) if _is_block(unit.id) else unit.parts
        target = with_codes(source, package_unit.target, *langs)
        problem = code_problem(source, target)
        if problem:
            raise LegationError.at(where, f"{entry.name}, unit {unit.id}: {problem}",
                                   "keep every protected code of the source in the translation, each once, pairs "
                                   "in their order (a tool's 'copy source tags' does it)", "translate-codes")
        text = joined(target)
        if not _is_block(unit.id) and unit.id != "summary" and "\n" in text.strip():
            raise LegationError.at(where, f"{entry.name}, unit {unit.id}: the translation has a line break",
                                   "write this field on one line", "translate-codes")
        targets[unit.id] = text
    return targets


def _translation_text(fm: FrontMatter, existing: SourceFile | None, targets: Mapping[str, str],
                      source_lang: str, version: str, now: datetime | None = None) -> str:
    """The translation file: its own front matter with the translated fields set, the source's body structure
    with the translated blocks."""
    data = _data(fm)
    own = _data(_front(existing)) if existing is not None else {}
    values: dict[str, Any] = {}
    for unit_id, text in targets.items():
        if _is_block(unit_id):
            continue
        path = unit_id.split(".")
        top = path[0]
        if len(path) == 1:
            values[top] = text
            continue
        # a mapping the default-language file gives (venue, image, withdrawn) is merged key by key: only the
        # translated keys are written; a list (incentives, figures) is given whole
        if top == "changes":  # a translation gives the notes only; times and minor come from the source
            notes = values.get(top) or [{"note": ""} for _ in data.get(top) or []]
            notes[int(path[1])] = {"note": text}
            values[top] = notes
            continue
        inherited = top in INHERITED and isinstance(data.get(top), Mapping)
        kept = dict(own[top]) if inherited and isinstance(own.get(top), Mapping) else {}
        # a list: the translation's own when it has one of the same length (its other fields kept), else the source's
        theirs = own.get(top)
        base = theirs if isinstance(theirs, list) and isinstance(data.get(top), list) and \
            len(theirs) == len(data[top]) else data.get(top)
        value = values.get(top, kept if inherited else json.loads(json.dumps(base, default=_plain)))
        if inherited:
            value[path[1]] = text
            values[top] = value
            continue
        _set(value, path[1:], text)
        values[top] = value
    pin: dict[str, Any] = {"lang": source_lang, "hash": version} if version else {"lang": source_lang}
    if version and now is not None:
        pin["at"] = now.replace(microsecond=0)
    values["translation_of"] = pin
    body = rebuild_body(fm.body, {k: v for k, v in targets.items() if _is_block(k)})
    base = existing.text if existing is not None else "---\n---\n"
    text = set_front_values(base, values)
    head, _, _ = text.partition("\n---\n")
    return head + "\n---\n" + body


def _plain(value: Any) -> str:
    """A date or time as YAML writes it (ISO 8601), for a value copied from the source."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _set(value: Any, path: list[str], text: str) -> None:
    for step in path[:-1]:
        value = value[int(step)] if isinstance(value, list) else value[step]
    last = path[-1]
    if isinstance(value, list):
        value[int(last)] = text
    else:
        value[last] = text
