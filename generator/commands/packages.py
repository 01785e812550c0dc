"""A translation package: the units of some items in one target language, as XLIFF and PO carry them.

`xliff.py` and `pofile.py` write and read this model; `translating.py` fills it from the content files and
writes its targets back. What a translator may do to protected codes is checked here, once for both formats.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sources.translation_units import Code, Part, Unit

#: The attribute namespace of legation's own data in an XLIFF file (the source version of each item).
NAMESPACE = "https://legation.example/xliff/1"


@dataclass(frozen=True)
class PackageUnit:
    unit: Unit  # the source
    target: tuple[Part, ...] | None  # None: not translated yet
    # False: the source of this unit changed since the target was made, and nobody has confirmed the target
    # yet (XLIFF state "initial", a fuzzy PO entry)
    reviewed: bool = True


@dataclass(frozen=True)
class PackageItem:
    section: str
    slug: str
    source_path: str  # the default-language file, relative to the site root
    target_path: str  # where the translation goes
    version: str  # the source's version when the package was made
    kind: str
    units: tuple[PackageUnit, ...]
    translation_version: str = ""  # the translation file's own version then ("" when there was none)
    pinned: str = ""  # the source version the translation recorded then (translation_of.hash)

    @property
    def name(self) -> str:
        return f"{self.section}/{self.slug}"


@dataclass(frozen=True)
class Package:
    source_lang: str
    target_lang: str
    items: tuple[PackageItem, ...]


def code_problem(source: tuple[Part, ...], target: tuple[Part, ...]) -> str:
    """Why ``target`` breaks the protected codes of ``source`` ("" when it keeps them).

    Every code of the source appears exactly once; the two halves of a pair (``**`` … ``**``, ``[`` …
    ``](address)``) stay in order and nest inside one another as Markdown requires; no other code appears.
    """
    wanted = {part.id: part for part in source if isinstance(part, Code)}
    seen: list[int] = []
    open_pairs: list[int] = []
    for part in target:
        if not isinstance(part, Code):
            continue
        code = wanted.get(part.id)
        if code is None:
            return f"it has a code ({part.id}) that the source does not have"
        if part.id in seen:
            return f"it repeats the code {code.text!r} ({part.id})"
        seen.append(part.id)
        if code.role == "open":
            open_pairs.append(code.id)
        elif code.role == "close":
            if not open_pairs or open_pairs[-1] != code.pair:
                return f"the code {code.text!r} ({code.id}) closes before its opening code or across another pair"
            open_pairs.pop()
    missing = [wanted[number] for number in wanted if number not in seen]
    if missing:
        shown = ", ".join(f"{code.text!r} ({code.id})" for code in missing)
        return f"it lost the protected code{'s' if len(missing) > 1 else ''} {shown}"
    return ""


def with_codes(source: tuple[Part, ...], target: tuple[Part, ...], source_lang: str = "",
               target_lang: str = "") -> tuple[Part, ...]:
    """``target`` with each code's text taken from the source (a file says only a code's id), a link to one
    of the site's pages in the source language pointing to the page in the target language."""
    wanted = {part.id: part for part in source if isinstance(part, Code)}
    out: list[Part] = []
    for part in target:
        if isinstance(part, Code) and part.id in wanted:
            code = wanted[part.id]
            part = Code(code.id, localised(code.text, source_lang, target_lang), code.role, code.pair)
        out.append(part)
    return tuple(out)


def localised(code: str, source_lang: str, target_lang: str) -> str:
    """A link's closing code ``](/en/page/)`` as the ``target_lang`` translation writes it: ``](/ar/page/)``."""
    if source_lang and target_lang and code.startswith(f"](/{source_lang}/"):
        return f"](/{target_lang}/" + code[len(source_lang) + 4:]
    return code


def joined(parts: tuple[Part, ...]) -> str:
    return "".join(part.text if isinstance(part, Code) else part for part in parts)
