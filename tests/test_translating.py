"""The translation workflow end to end (generator/translating.py): `legation translated`, `status --diff`,
`translate export` and `translate import`, tried as an officer and a translator would."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from translate.storage import xliff2

from generator.commands.cli import main
from tests.conftest import run_build, tree

NOW = "2026-11-23T12:00:00+00:00"
REPO = Path(__file__).resolve().parent.parent


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def states(root: Path) -> dict[str, dict[str, str]]:
    data = json.loads(cli(root, "status", "--json", "--now", NOW).output)
    return {f"{i['section']}/{i['slug']}": i["languages"] for i in data["items"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def written(make_site: Callable[..., Path]) -> Path:
    """`legation new … --translate-to ar`, then the English and the Arabic written and the draft line removed."""
    root = make_site()
    assert cli(root, "new", "announcements", "fees", "--translate-to", "ar", "--title", "Visa fees",
               "--now", NOW).exit_code == 0
    en, ar = root / "content/announcements/fees.en.md", root / "content/announcements/fees.ar.md"
    body = "Write the text here. Markdown: ## headings, **bold**, [links](https://example.org), lists, tables.\n"
    edit(en, body, "A visa costs **80 euros** from January.\n\nSee [the fees](/en/about/).\n")
    edit(ar, body, "تبلغ رسوم التأشيرة **80 يورو** اعتبارًا من يناير.\n\nانظر [الرسوم](/ar/about/).\n")
    edit(ar, 'title: "Visa fees"', 'title: "رسوم التأشيرة"')
    edit(ar, "draft: true", "# draft: true")
    return root


def test_a_translation_written_after_its_source_is_not_stale_and_is_marked_current(written: Path) -> None:
    assert states(written)["announcements/fees"] == {"en": "present", "ar": "untracked"}
    output = cli(written, "status", "--now", NOW).output
    assert "? announcements/fees [ar]: no source version recorded" in output
    assert "legation translated announcements/fees --lang ar" in output
    result = cli(written, "translated", "announcements/fees", "--lang", "ar")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("content/announcements/fees.ar.md: made from content/announcements/fees.en.md")
    text = (written / "content/announcements/fees.ar.md").read_text(encoding="utf-8")
    assert 'translation_of: {lang: en, hash: "' in text and "# draft: true" in text  # the rest kept as it was
    assert states(written)["announcements/fees"] == {"en": "present", "ar": "present"}
    assert list((written / "translations/sources/announcements/fees").glob("*.txt"))


def test_whitespace_is_no_change_and_a_word_is_with_a_diff_and_a_notice(written: Path) -> None:
    cli(written, "translated", "announcements/fees", "--lang", "ar")
    en = written / "content/announcements/fees.en.md"
    edit(en, "A visa costs **80 euros** from January.", "A visa costs **80 euros**\nfrom January.   ")
    assert states(written)["announcements/fees"]["ar"] == "present"
    edit(en, "**80 euros**", "**90 euros**")
    assert states(written)["announcements/fees"]["ar"] == "stale"
    diff = cli(written, "status", "--diff", "announcements/fees", "--lang", "ar")
    assert diff.exit_code == 0, diff.output
    assert "-paragraph b1: A visa costs **80 euros** from January.\n" in diff.output
    assert "+paragraph b1: A visa costs **90 euros** from January.\n" in diff.output
    assert "title" not in "".join(line for line in diff.output.splitlines() if line[:1] in "+-" and line[:3] not in
                                  ("+++", "---"))
    assert run_build(written).ok
    page = (written / "public/ar/announcements/fees/index.html").read_text(encoding="utf-8")
    assert "notice-stale" in page
    cli(written, "translated", "announcements/fees", "--lang", "ar")
    assert run_build(written).ok
    assert "notice-stale" not in (written / "public/ar/announcements/fees/index.html").read_text(encoding="utf-8")


def test_diff_without_a_kept_version_or_a_version_says_why(written: Path) -> None:
    result = cli(written, "status", "--diff", "announcements/fees", "--lang", "ar")
    assert result.exit_code == 1 and "records no source version" in result.output
    result = cli(written, "status", "--diff", "announcements/fees")
    assert result.exit_code == 2 and "--diff needs --lang" in result.output
    result = cli(written, "translated", "announcements/fess", "--lang", "ar")
    assert result.exit_code == 1 and 'there is no item "announcements/fess"' in result.output
    assert "did you mean" in result.output.lower() or "announcements/fees" in result.output


def demo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    for name in ("site.yml", "content", "i18n"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy(source, root / name)
    return root


@pytest.mark.parametrize("fmt", ["xliff", "po"])
def test_every_demo_item_goes_out_and_back_in_untouched_and_the_site_is_byte_identical(tmp_path: Path,
                                                                                        fmt: str) -> None:
    root = demo_copy(tmp_path)
    assert run_build(root, tmp_path / "before", incremental=False).ok
    matrix = states(root)
    for lang in ("ar", "az", "uz"):
        package = tmp_path / f"{lang}.{fmt}"
        result = cli(root, "translate", "export", "--lang", lang, "--format", fmt, "--out", str(package))
        assert result.exit_code == 0, result.output
        assert "(" in result.output and "items" in result.output
        result = cli(root, "translate", "import", str(package))
        assert result.exit_code == 0, result.output
    assert run_build(root, tmp_path / "after", incremental=False).ok
    before, after = tree(tmp_path / "before"), tree(tmp_path / "after")
    assert sorted(before) == sorted(after)
    assert [name for name in before if before[name] != after[name]] == []
    assert states(root) == matrix  # the demo's out-of-date az translation stays so: nobody reviewed it


def test_a_package_edited_by_translate_toolkit_imports(written: Path, tmp_path: Path) -> None:
    """A third party's XLIFF 2 code writes the targets, as a CAT tool would (its placeholders copied from the
    source, as a tool's 'copy source tags' does)."""
    package = tmp_path / "ar.xlf"
    assert cli(written, "translate", "export", "--lang", "ar", "--missing", "--out", str(package)).exit_code == 0
    store = xliff2.Xliff2File.parsestring(package.read_bytes())
    assert store.units == [] or all(u.getid() for u in store.units)
    assert cli(written, "translate", "export", "--lang", "ar", "announcements/fees", "--out",
               str(package)).exit_code == 0
    store = xliff2.Xliff2File.parsestring(package.read_bytes())
    for unit in store.units:
        unit.set_rich_target(unit.rich_source, "ar")  # the tool's "copy source to target", tags included
        target = unit.get_target_dom()
        target.text = "«" + (target.text or "")
    package.write_bytes(bytes(store))
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 0, result.output
    text = (written / "content/announcements/fees.ar.md").read_text(encoding="utf-8")
    assert "«A visa costs **80 euros** from January." in text and "«See [the fees](/ar/about/)." in text
    assert states(written)["announcements/fees"]["ar"] == "present"


def package_for(root: Path, tmp_path: Path) -> Path:
    package = tmp_path / "ar.xlf"
    assert cli(root, "translated", "announcements/fees", "--lang", "ar").exit_code == 0
    assert cli(root, "translate", "export", "--lang", "ar", "announcements/fees", "--out", str(package)).exit_code == 0
    return package


@pytest.mark.parametrize(("change", "expected"), [
    (lambda x: _retag_target_code(x),
     "holds <x>, which is not one of its protected codes"),
    (lambda x: _drop_target_code(x, "2"), "announcements/fees, unit b1: it lost the protected code"),
    (lambda x: _swap_target_codes(x), "closes before its opening code"),
    (lambda x: x.replace(b'trgLang="ar"', b'trgLang="fr"'), 'the package is for language "fr"'),
    (lambda x: x.replace(b'lg:item="announcements/fees"', b'lg:item="announcements/gone"'),
     "the package holds announcements/gone, which this site no longer has"),
    (lambda x: b"\xff\xfe not a package", "the file is neither XLIFF nor a UTF-8 PO file"),
])
def test_a_bad_package_is_refused_with_the_unit_named_and_nothing_written(
        written: Path, tmp_path: Path, change: Callable[[bytes], bytes], expected: str) -> None:
    package = package_for(written, tmp_path)
    package.write_bytes(change(package.read_bytes()))
    before = (written / "content/announcements/fees.ar.md").read_bytes()
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert str(package) in result.output or "content/" in result.output
    assert "Traceback" not in result.output
    assert (written / "content/announcements/fees.ar.md").read_bytes() == before


def _targets(data: bytes) -> tuple[str, str, str]:
    text = data.decode()
    start = text.index("<target", text.index('<unit id="b1"'))
    end = text.index("</target>", start)
    return text[:start], text[start:end], text[end:]


def _drop_target_code(data: bytes, number: str) -> bytes:
    head, target, tail = _targets(data)
    import re

    return (head + re.sub(rf'<ph id="{number}"[^>]*/>', "", target) + tail).encode()


def _retag_target_code(data: bytes) -> bytes:
    head, target, tail = _targets(data)
    assert '<ph id="1"' in target
    return (head + target.replace('<ph id="1"', '<x id="1"') + tail).encode()


def _swap_target_codes(data: bytes) -> bytes:
    head, target, tail = _targets(data)
    return (head + target.replace('id="1"', 'id="X"').replace('id="2"', 'id="1"').replace('id="X"', 'id="2"')
            .replace('dataRef="d1"', 'dataRef="dX"').replace('dataRef="d2"', 'dataRef="d1"')
            .replace('dataRef="dX"', 'dataRef="d2"') + tail).encode()


def test_an_officers_newer_edit_is_kept_unless_forced(written: Path, tmp_path: Path) -> None:
    package = package_for(written, tmp_path)
    ar = written / "content/announcements/fees.ar.md"
    edit(ar, "اعتبارًا من يناير", "اعتبارًا من الأول من يناير")
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 1 and "was changed after the package was exported" in result.output
    assert "الأول من يناير" in ar.read_text(encoding="utf-8")
    assert cli(written, "translate", "import", str(package), "--force").exit_code == 0
    assert "الأول من يناير" not in ar.read_text(encoding="utf-8")


def test_a_package_made_before_the_source_changed_imports_as_out_of_date(written: Path, tmp_path: Path) -> None:
    package = package_for(written, tmp_path)
    edit(written / "content/announcements/fees.en.md", "80 euros", "90 euros")
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 0, result.output
    assert "changed since the export, so the translation is out of date" in result.output
    assert states(written)["announcements/fees"]["ar"] == "stale"
    diff = cli(written, "status", "--diff", "announcements/fees", "--lang", "ar")
    assert "+paragraph b1: A visa costs **90 euros** from January." in diff.output


def test_untranslated_units_and_unconfigured_languages_are_refused(written: Path, tmp_path: Path) -> None:
    package = tmp_path / "uz.xlf"
    result = cli(written, "translate", "export", "--lang", "uz", "--out", str(package))
    assert result.exit_code == 1 and 'language "uz" is not one of the site\'s languages' in result.output
    result = cli(written, "translate", "export", "--lang", "en", "--out", str(package))
    assert result.exit_code == 1 and "is the default language" in result.output
    package = package_for(written, tmp_path)
    data = package.read_bytes().decode()
    start = data.index("<target", data.index('<unit id="title"'))
    end = data.index("</target>", start) + len("</target>")
    package.write_text(data[:start] + data[end:], encoding="utf-8")
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 1 and "announcements/fees, unit title: it has no translation" in result.output


def test_a_stale_translation_goes_out_with_the_changed_units_to_review(written: Path, tmp_path: Path) -> None:
    """As in a CAT tool: the units whose source changed come flagged for review with the old translation; the
    translation stays out of date until the translator confirms them."""
    assert cli(written, "translated", "announcements/fees", "--lang", "ar").exit_code == 0
    edit(written / "content/announcements/fees.en.md", "80 euros", "90 euros")
    package = tmp_path / "ar.xlf"
    assert cli(written, "translate", "export", "--lang", "ar", "--stale", "--out", str(package)).exit_code == 0
    store = xliff2.Xliff2File.parsestring(package.read_bytes())
    flagged = {unit.getid(): unit.xmlelement.get("state") for unit in store.units}
    assert flagged == {"title": "translated", "b1": "initial", "b2": "translated"}
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 0 and "1 unit (b1) still marked for review" in result.output
    assert states(written)["announcements/fees"]["ar"] == "stale"
    for unit in store.units:
        if unit.getid() == "b1":
            unit.get_target_dom().text = "تبلغ رسوم التأشيرة "
            unit.marktranslated()
    package.write_bytes(bytes(store))
    result = cli(written, "translate", "import", str(package), "--force")
    assert result.exit_code == 0, result.output
    assert states(written)["announcements/fees"]["ar"] == "present"
    text = (written / "content/announcements/fees.ar.md").read_text(encoding="utf-8")
    assert "\nتبلغ رسوم التأشيرة **80 يورو** اعتبارًا من يناير.\n" in text  # the translator's words, our codes


def test_the_demo_shows_each_state_with_a_diff_and_a_package(tmp_path: Path) -> None:
    root = demo_copy(tmp_path)
    shutil.copytree(REPO / "translations", root / "translations")
    assert states(root)["announcements/reading-room-evening-hours"] == {
        "en": "present", "ar": "present", "az": "stale", "uz": "missing"}
    diff = cli(root, "status", "--diff", "announcements/reading-room-evening-hours", "--lang", "az")
    assert diff.exit_code == 0
    assert "-paragraph b1: From 3 December the reading room of the Embassy of Veloria stays open until **19:00**" \
        in diff.output and "+paragraph b1: From 3 December the reading room of the Embassy of Veloria stays open " \
        "until **20:00**" in diff.output
    package = REPO / "translations/packages/legation-uz.xlf"
    store = xliff2.Xliff2File.parsestring(package.read_bytes())
    assert [unit.getid() for unit in store.units] == ["title", "summary", "b1", "b2"]
    fresh = tmp_path / "fresh.xlf"
    assert cli(root, "translate", "export", "--lang", "uz", "--missing", "--out", str(fresh)).exit_code == 0
    assert fresh.read_bytes() == package.read_bytes()  # the checked-in package is what the demo exports today


def test_a_po_package_edited_by_translate_toolkit_imports(written: Path, tmp_path: Path) -> None:
    from translate.storage import factory

    package = tmp_path / "ar.po"
    assert cli(written, "translate", "export", "--lang", "ar", "--format", "po", "announcements/fees", "--out",
               str(package)).exit_code == 0
    store = factory.getobject(str(package))
    translated = 0
    for unit in store.units:
        if unit.isheader():
            continue
        unit.target = "«" + unit.source  # placeholders {1}, {2} kept, as the translator must
        translated += 1
    store.save()
    assert translated == 3
    result = cli(written, "translate", "import", str(package))
    assert result.exit_code == 0, result.output
    text = (written / "content/announcements/fees.ar.md").read_text(encoding="utf-8")
    assert 'title: "«Visa fees"' in text and "«See [the fees](/ar/about/)." in text
    assert states(written)["announcements/fees"]["ar"] == "present"


def test_a_source_change_marked_minor_keeps_translations_current_and_a_real_one_does_not(written: Path) -> None:
    """translation_of.at is when the translation was marked current: changes of the source after it that are
    all minor (a typo fix) leave it current; one that is not makes it out of date."""
    result = cli(written, "translated", "announcements/fees", "--lang", "ar", "--now", "2026-11-24T10:00:00+04:00")
    assert result.exit_code == 0
    assert "at: 2026-11-24T10:00:00+04:00}" in (written / "content/announcements/fees.ar.md").read_text(encoding="utf-8")
    en = written / "content/announcements/fees.en.md"
    edit(en, "from January.", "from Janaury.")  # a typo introduced, then fixed below as a minor change
    assert states(written)["announcements/fees"]["ar"] == "stale"
    edit(en, "from Janaury.", "from 1 January.")
    text = en.read_text(encoding="utf-8")
    date = text.split("date: ", 1)[1].split("\n", 1)[0]
    edit(en, f"date: {date}", f'date: {date}\nchanges: [{{at: 2026-11-25T09:00:00+04:00, note: "Date made exact.", '
                              'minor: true}]')
    ar = written / "content/announcements/fees.ar.md"
    edit(ar, "translation_of:", 'changes: ["التاريخ أصبح دقيقًا."]\ntranslation_of:')
    assert states(written)["announcements/fees"]["ar"] == "present"
    edit(en, "minor: true}]", "minor: true}, {at: 2026-11-26T09:00:00+04:00, note: \"Fee changed.\"}]")
    edit(ar, '["التاريخ أصبح دقيقًا."]', '["التاريخ أصبح دقيقًا.", "تغيّرت الرسوم."]')
    assert states(written)["announcements/fees"]["ar"] == "stale"
