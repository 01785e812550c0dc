"""XLIFF 2.0 packages (generator/xliff.py), read and edited by translate-toolkit, a third party."""

from __future__ import annotations

import pytest
from translate.storage import xliff2

from generator.commands.packages import Package, PackageItem, PackageUnit
from generator.commands.xliff import read_xliff, write_xliff
from generator.core.errors import LegationError
from generator.sources.translation_units import Unit, protect

BODY = protect("Call **[the line](tel:+994125550100)** now")
TARGET = tuple(p if not isinstance(p, str) else {"Call ": "اتصلوا بـ", "the line": "الخط", " now": " الآن"}[p]
               for p in BODY)
PACKAGE = Package("en", "ar", (PackageItem(
    "announcements", "hours", "content/announcements/hours.en.md", "content/announcements/hours.ar.md", "abc123",
    "consular", (PackageUnit(Unit("title", "field", ("Hours",), "The title.", 70), ("الساعات",)),
                 PackageUnit(Unit("b1", "paragraph", BODY, "A paragraph."), TARGET),
                 PackageUnit(Unit("b2", "heading", ("Untranslated",), "A heading."), None)),
    "fff000"),))


def test_a_package_reads_back_as_it_was_written() -> None:
    back = read_xliff(write_xliff(PACKAGE), "p.xlf")
    item = back.items[0]
    assert (back.source_lang, back.target_lang, item.name, item.version, item.kind, item.translation_version) == (
        "en", "ar", "announcements/hours", "abc123", "consular", "fff000")
    assert [u.unit.id for u in item.units] == ["title", "b1", "b2"]
    assert "".join(p if isinstance(p, str) else p.text for p in item.units[1].target or ()) == \
        "اتصلوا بـ**[الخط](tel:+994125550100)** الآن"
    assert item.units[2].target is None


def test_translate_toolkit_reads_our_units_notes_and_placeholders() -> None:
    store = xliff2.Xliff2File.parsestring(write_xliff(PACKAGE))
    units = {unit.getid(): unit for unit in store.units}
    assert set(units) == {"title", "b1", "b2"}
    assert units["title"].source == "Hours" and units["title"].target == "الساعات"
    # notes sit in <unit>, where XLIFF 2.0 puts them (translate-toolkit 3.20 looks for them in <segment>)
    assert units["title"].getunitelement()[0][0].text == "The title."
    assert units["b2"].isfuzzy() is False and not units["b2"].istranslated()
    placeholders = units["b1"].xmlelement.findall(".//{urn:oasis:names:tc:xliff:document:2.0}ph")
    assert len(placeholders) == 8  # four codes in the source and four in the target


@pytest.mark.parametrize(("data", "expected"), [
    (b"not xml at all", "p.xlf:1:1: error: this is not an XLIFF file"),
    (b'<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"/>',
     "p.xlf:2: error: this is not an XLIFF 2 file"),
])
def test_what_is_not_a_package_is_refused_at_its_line(data: bytes, expected: str) -> None:
    with pytest.raises(LegationError) as caught:
        read_xliff(data, "p.xlf")
    assert str(caught.value).startswith(expected), str(caught.value)


def test_a_tag_typed_into_a_target_is_refused_naming_the_unit() -> None:
    data = write_xliff(PACKAGE).replace("<target xml:space=\"preserve\">الساعات</target>".encode(),
                                        "<target xml:space=\"preserve\">الساعات<b>!</b></target>".encode())
    with pytest.raises(LegationError, match="unit title holds <b>, which is not one of its protected codes"):
        read_xliff(data, "p.xlf")


def test_entities_are_not_expanded() -> None:
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="ar"/>')
    assert read_xliff(data, "p.xlf").items == ()
