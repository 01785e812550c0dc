"""PO packages (generator/pofile.py), checked by translate-toolkit's pofilter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest

from generator.commands.pofile import read_po, write_po
from generator.core.errors import LegationError
from tests.test_xliff import PACKAGE


def test_a_po_package_reads_back_with_its_codes() -> None:
    back = read_po(write_po(PACKAGE), "p.po")
    item = back.items[0]
    assert (back.target_lang, item.name, item.version, item.source_path, item.translation_version) == (
        "ar", "announcements/hours", "abc123", "content/announcements/hours.en.md", "fff000")
    body = item.units[1]
    assert [p.text for p in body.unit.parts if not isinstance(p, str)] == ["**", "[", "](tel:+994125550100)", "**"]
    assert item.units[2].target is None


def test_entries_use_numbered_placeholders_and_say_what_they_stand_for() -> None:
    entry = polib.pofile(write_po(PACKAGE)).find("announcements/hours#b1", by="msgctxt")
    assert entry is not None
    assert entry.msgid == "Call {1}{2}the line{3}{4} now"
    assert entry.msgstr == "اتصلوا بـ{1}{2}الخط{3}{4} الآن"
    assert '"3": "](tel:+994125550100)"' in entry.comment


def test_pofilter_finds_no_broken_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "p.po"
    path.write_text(write_po(PACKAGE), encoding="utf-8")
    out = tmp_path / "flagged.po"
    done = subprocess.run([sys.executable, "-m", "translate.filters.pofilter", "-t", "brackets", "-t", "variables",
                           str(path), str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not [e for e in polib.pofile(str(out)) if e.msgid] if out.exists() else True
    broken = write_po(PACKAGE).replace("الخط{3}{4}", "الخط{4}")
    path.write_text(broken, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "translate.filters.pofilter", "-t", "brackets", str(path), str(out)],
                   capture_output=True, text=True, check=True)
    assert [e.msgctxt for e in polib.pofile(str(out)) if e.msgid] == ["announcements/hours#b1"]


def test_a_file_that_is_not_a_package_is_refused() -> None:
    with pytest.raises(LegationError, match="no X-Legation-Items header"):
        read_po('msgid ""\nmsgstr ""\n"Language: ar\\n"\n', "p.po")
