"""Front matter and Markdown that would change silently or break a feed or calendar give located messages.

A comment cut from an unquoted value, typographic quotes kept in a value and a tab used to indent are
reported where they are written; a control character (a form feed pasted from a PDF, an escape, a C1
character), written as itself, as a YAML escape or as &#12; in Markdown, is a located error instead of a
traceback from lxml or icalendar; a line break in a one-line field is joined into one line with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.commands.cli import main
from generator.core.errors import ContentError
from generator.core.yamltext import load_yaml
from tests.conftest import EVENT_EN, SITE_YML, run_build

NOW = "2026-11-23T12:00:00+00:00"
EVENT = "content/events/reception.en.md"
#: Every control character but tab, line feed and carriage return: C0, DEL and C1.
CONTROLS = [chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]


def invoke(root: Path) -> tuple[int, str]:
    """Exit code and output of ``legation build``; fails the test on a traceback (an exception click caught)."""
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--now", NOW])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def first_message(output: str) -> str:
    return next(line for line in output.splitlines() if ": error: " in line or ": warning: " in line)


# ------------------------------------------------------------------ silent changes in YAML


def test_a_comment_cutting_an_unquoted_value_is_a_warning_at_the_hash() -> None:
    doc = load_yaml('title: "Hotline"\nsummary: Call our hotline #1 for help\n', "x.md", line_offset=1)
    assert doc.data["summary"] == "Call our hotline"
    (warning,) = doc.warnings
    assert (warning.severity, str(warning.location)) == ("warning", "x.md:3:27")
    assert '"#1 for help" is a YAML comment' in warning.message and 'summary is only "Call our hotline"' in warning.message
    assert 'summary: "Call our hotline #1 for help"' in warning.hint


@pytest.mark.parametrize("text", [
    'summary: "Call our hotline" # reviewed by the consul\n',  # a comment after quotes is meant as one
    "summary: |\n  Call our hotline #1 for help\n",  # a # inside a block is text
    "summary: Call our hotline#1\n",  # no space before #: not a comment
    "# a note\nsummary: Call us\n",
    "summary: # to do\n",
    "status: scheduled   # scheduled | postponed | cancelled\n",  # a note, as `legation new` writes them
    "summary: Call us   # reviewed\n",
])
def test_comments_that_cut_nothing_are_not_reported(text: str) -> None:
    assert load_yaml(text, "x.md").warnings == ()


@pytest.mark.parametrize(("text", "shown"), [
    ("title: “Hello”\n", "“ ”"),
    ("title: ‘Hello’\n", "‘ ’"),
    ("title: «Salam»\n", "« »"),
    ("title: „Hallo“\n", "„ “"),
])
def test_typographic_quotes_around_a_whole_value_are_reported(text: str, shown: str) -> None:
    doc = load_yaml(text, "x.md", line_offset=1)
    assert doc.data["title"][0] in "“‘«„"  # YAML keeps them
    (warning,) = doc.warnings
    assert str(warning.location) == "x.md:2:8"
    assert f"keeps the typographic quotes {shown}" in warning.message
    assert 'with straight quotes' in warning.hint and f'title: "{doc.data["title"][1:-1]}"' in warning.hint


def test_files_legation_new_writes_build_without_warnings(make_site: Callable[..., Path]) -> None:
    root = make_site()
    for section in ("announcements", "events", "investment", "pages"):
        result = CliRunner().invoke(main, ["new", section, f"new-{section}", "--root", str(root), "--title", "New",
                                           "--translate-to", "ar"])
        assert result.exit_code == 0, result.output
    written = [path for path in (root / "content").rglob("new-*.md")]
    assert written and any("   # " in path.read_text(encoding="utf-8") for path in written)
    _, output = invoke(root)
    assert ": warning:" not in output, output


@pytest.mark.parametrize("text", ['title: "“Hello”"\n', "title: «Navruz» va «Xalq»\n", "title: Hello “world”\n"])
def test_quotes_meant_as_text_are_not_reported(text: str) -> None:
    assert load_yaml(text, "x.md").warnings == ()


@pytest.mark.parametrize(("text", "where"), [
    ("title: x\n\tsummary: y\n", "x.md:3:1"),
    ("venue:\n\tname: x\n", "x.md:3:1"),
    ("venue:\n  name: x\n\tcity: y\n", "x.md:4:1"),
    ("tags:\n  \t- a\n", "x.md:3:3"),
])
def test_a_tab_used_to_indent_says_tab_and_how_to_fix_it(text: str, where: str) -> None:
    with pytest.raises(ContentError) as caught:
        load_yaml(text, "x.md", line_offset=1, error=ContentError)
    (problem,) = caught.value.problems
    assert str(problem.location) == where
    assert "a tab is used to indent this line" in problem.message and "replace the tab with spaces" in problem.hint


def test_a_control_character_yaml_refuses_is_located_and_named() -> None:
    with pytest.raises(ContentError) as caught:
        load_yaml('title: "x"\nsummary: Evening of\x0cpoetry\n', "x.md", line_offset=1, error=ContentError)
    (problem,) = caught.value.problems
    assert str(problem.location) == "x.md:3:20"
    assert "form feed (U+000C)" in problem.message and "delete it" in problem.hint


def test_silent_changes_reach_the_build_output_as_located_warnings(make_site: Callable[..., Path]) -> None:
    event = EVENT_EN.replace('title: "National day reception"', "title: “National day reception”").replace(
        "---\nJoin us.", "summary: Call our hotline #1 for help\n---\nJoin us.")
    code, output = invoke(make_site({EVENT: event}))
    assert code == 0, output
    assert f"{EVENT}:2:8: warning: title keeps the typographic quotes" in output
    assert f'{EVENT}:7:27: warning: "#1 for help" is a YAML comment' in output


# ------------------------------------------------------------------ control characters


CASES = [  # (what is changed in EVENT_EN, expected location, named character)
    (("title: \"National day reception\"", 'title: "National\\fday reception"'), f"{EVENT}:2:8", "form feed"),
    (("title: \"National day reception\"", "title: National\x0cday reception"), f"{EVENT}:2:16", "form feed"),
    (("title: \"National day reception\"", 'title: "National day \\u0085reception"'), f"{EVENT}:2:8",
     "next-line character"),
    (("date:", 'summary: "Doors open\\x1b at six"\ndate:'), f"{EVENT}:3:10", "escape (U+001B)"),
    (("date:", 'tags: [culture, "recep\\ftion"]\ndate:'), f"{EVENT}:3:17", "form feed"),
    (('city: "Baku"', 'city: "Ba\\x01ku"'), f"{EVENT}:6:38", "a control character (U+0001)"),
    (("date:", 'organizer: "Embassy\\x7f"\ndate:'), f"{EVENT}:3:12", "a delete character (U+007F)"),
    (("Join us.", "Join\x0cus."), f"{EVENT}:8:5", "form feed"),
    (("Join us.", "Please\n\njoin &#12;us."), f"{EVENT}:10:6", "&#12;, a form feed"),
    (("Join us.", "Join &#x1B; us &#x85;."), f"{EVENT}:8:6", "&#x1B;, an escape (U+001B) (and 1 more)"),
    (("Join us.", "Join\x9bus."), f"{EVENT}:8:5", "control character (U+009B)"),
]


@pytest.mark.parametrize(("change", "where", "named"), CASES)
def test_a_control_character_is_one_located_error_not_a_traceback(
        make_site: Callable[..., Path], change: tuple[str, str], where: str, named: str) -> None:
    old, new = change
    assert old in EVENT_EN
    root = make_site({EVENT: EVENT_EN.replace(old, new, 1)})
    code, output = invoke(root)
    assert code == 1, output
    first = first_message(output)
    assert first.startswith(f"{where}: error: ") and named in first, output
    assert "hint: delete it" in output
    assert not (root / "public").exists()


def test_a_control_character_in_site_yml_is_a_located_error(make_site: Callable[..., Path]) -> None:
    root = make_site({"site.yml": SITE_YML.replace('"Embassy of Testland"', '"Embassy\\fof Testland"')})
    code, output = invoke(root)
    assert code != 0
    assert first_message(output).startswith("site.yml:1:13: error: title.en contains a form feed (U+000C)")


FIELDS = {  # where a string goes in EVENT_EN: (old text, new text with {} for the character)
    "title": ('title: "National day reception"', 'title: "National {}day"'),
    "summary": ("date:", 'summary: "Doors {}open"\ndate:'),
    "tag": ("date:", 'tags: [one, "t{}wo"]\ndate:'),
    "venue.name": ('name: "Embassy House"', 'name: "Embassy {}House"'),
    "venue.address": ('city: "Baku"', 'city: "Baku", address: "1 {}Street"'),
    "venue.country": ('city: "Baku"', 'city: "Baku", country: "{}AZ"'),
    "organizer": ("date:", 'organizer: "Em{}bassy"\ndate:'),
    "image.alt": ("date:", 'image: {{src: "/static/x.png", alt: "a {}photo"}}\ndate:'),
    "withdrawn.reason": ("date:", 'withdrawn: {{at: 2026-11-02T10:00:00+04:00, reason: "r{}"}}\ndate:'),
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(char=st.sampled_from(CONTROLS), field=st.sampled_from([*FIELDS, "body", "body entity"]))
def test_any_control_character_in_any_field_is_an_error_and_reaches_no_output(
        make_site: Callable[..., Path], tmp_path: Path, char: str, field: str) -> None:
    if field == "body":
        event = EVENT_EN.replace("Join us.", f"Join{char}us.")
    elif field == "body entity":
        event = EVENT_EN.replace("Join us.", f"Join &#{ord(char)}; us.")
    else:
        old, new = FIELDS[field]
        event = EVENT_EN.replace(old, new.format(f"\\u{ord(char):04x}"), 1)  # a YAML escape writes any of them
    root = make_site({EVENT: event, "static/x.png": b"\x89PNG"})
    report = run_build(root, tmp_path / f"out-{ord(char)}-{field}")  # an lxml or icalendar error would raise here
    assert not report.ok
    first = report.errors[0]
    assert first.location.path == EVENT and first.location.line > 0 and first.location.col > 0, first
    assert f"U+{ord(char):04X}" in first.message
    assert not (tmp_path / f"out-{ord(char)}-{field}").exists()


# ------------------------------------------------------------------ line breaks in one-line fields


def test_a_title_written_as_a_block_is_one_line_in_the_calendar_with_a_warning(make_site: Callable[..., Path]) -> None:
    event = EVENT_EN.replace('title: "National day reception"', "title: |\n  National day\n  reception").replace(
        'city: "Baku"', 'city: "Baku\\r\\nAbsheron"')
    root = make_site({EVENT: event})
    code, output = invoke(root)
    assert code == 0, output
    assert f'{EVENT}:2:8: warning: title is written on 2 lines; it is used as one line: "National day reception"' \
        in output
    assert f'{EVENT}:8:' in output and 'venue.city is written on 2 lines' in output
    ics = (root / "public/en/events/reception/event.ics").read_bytes()
    vevent = next(iter(icalendar.Calendar.from_ical(ics).walk("VEVENT")))
    assert str(vevent["SUMMARY"]) == "National day reception"
    assert "Baku Absheron" in str(vevent["LOCATION"])
    feed = (root / "public/en/feed.xml").read_text(encoding="utf-8")
    assert "<title>National day reception</title>" in feed


@pytest.mark.parametrize("escape", ["\\n", "\\r", "\\r\\n", "\\L", "\\P"])
def test_any_line_break_in_a_title_is_joined_with_a_warning(make_site: Callable[..., Path], escape: str) -> None:
    """YAML escapes write LF, CR and the Unicode line (\\L, U+2028) and paragraph (\\P, U+2029) separators."""
    root = make_site({EVENT: EVENT_EN.replace('"National day reception"', f'"National day{escape}reception"')})
    code, output = invoke(root)
    assert code == 0, output
    assert f'{EVENT}:2:8: warning: title is written on 2 lines; it is used as one line: "National day reception"' \
        in output
    ics = (root / "public/en/events/reception/event.ics").read_bytes()
    assert str(next(iter(icalendar.Calendar.from_ical(ics).walk("VEVENT")))["SUMMARY"]) == "National day reception"


def test_a_summary_may_span_lines(make_site: Callable[..., Path]) -> None:
    event = EVENT_EN.replace("date:", "summary: |\n  Doors open at six.\n  Dress code: formal.\ndate:")
    code, output = invoke(make_site({EVENT: event}))
    assert code == 0 and ": warning:" not in output, output


@pytest.mark.parametrize(("old", "new", "where"), [
    ('city: "Baku"', 'city: "Ba\\fku"', f"{EVENT}:6:38"),
    ("lat: 40.4", 'lat: "north"', f"{EVENT}:6:57"),
])
@pytest.mark.parametrize("translation", [
    '---\ntitle: "حفل"\n---\nنص\n',
    '---\ntitle: "حفل"\nvenue: {name: "بيت السفارة"}\n---\nنص\n',  # takes city and geo from the English file
])
def test_a_mistake_in_a_venue_a_translation_inherits_is_reported_once_where_it_is(
        make_site: Callable[..., Path], old: str, new: str, where: str, translation: str) -> None:
    root = make_site({EVENT: EVENT_EN.replace(old, new), "content/events/reception.ar.md": translation})
    code, output = invoke(root)
    assert code == 1
    errors = [line for line in output.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"{where}: error: venue."), output
