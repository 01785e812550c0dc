"""Values that gave tracebacks instead of located errors (issue 20, "Low"): YAML tags with values their type
cannot hold, integers over 4,300 digits, dates near year 1 or 9999, an extreme build clock, a theme.yml that
is not UTF-8 or that extends a path. Each is one located error, in the build and in the preview's page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from generator.commands.serve import PreviewApp
from tests.conftest import NOW, run_build
from tests.test_serve import call

FILE = "content/announcements/bad.en.md"


@pytest.mark.parametrize(("value", "words"), [
    ('!!timestamp "soon"', '"soon" is not a valid date'),
    ('!!int ""', '"" is not a valid whole number'),
    ('!!bool "maybe"', '"maybe" is not a valid true or false'),
    ('!!float "x"', '"x" is not a valid number'),
    ("9" * 5000, "(5,000 digits)"),
    ("2026-02-30", 'impossible date "2026-02-30"'),
    ("9999-12-31T23:59:59+00:00", "out of range"),
    ("0001-01-01T00:00:00+14:00", "out of range"),
    ('"9999-12-31T23:59:59-12:00"', "out of range"),
])
def test_a_value_its_type_cannot_hold_is_one_located_error(make_site: Callable[..., Path], value: str,
                                                           words: str) -> None:
    root = make_site({FILE: f'---\ntitle: "X"\ndate: {value}\n---\nbody\n'})
    report = run_build(root)
    assert not report.ok
    assert len(report.errors) == 1, [p.format() for p in report.errors]
    error = report.errors[0]
    assert (error.location.path, error.location.line) == (FILE, 3)
    assert words in error.message and error.hint
    # the preview shows the same error in the browser instead of a traceback
    app = PreviewApp(root, root / ".legation-cache/preview")
    assert app.rebuild(lambda: NOW) is not None
    _status, body = call(app, "/en/")
    assert words.replace('"', "&#34;") in body.decode() or words.replace('"', "&quot;") in body.decode(), body[:300]
    assert FILE in body.decode()


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_an_extreme_build_clock_is_a_usage_error(make_site: Callable[..., Path], now: str) -> None:
    result = CliRunner().invoke(main, ["build", "--root", str(make_site()), "--now", now])
    assert result.exit_code == 2
    assert "between the years" in result.output and "Traceback" not in result.output


def test_an_extreme_source_date_epoch_is_a_usage_error(make_site: Callable[..., Path]) -> None:
    result = CliRunner().invoke(main, ["build", "--root", str(make_site())], env={"SOURCE_DATE_EPOCH": "9" * 17})
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("parent", ["/etc", "../../content", "..", "a/b"])
def test_a_theme_extends_only_a_theme_name(make_site: Callable[..., Path], parent: str) -> None:
    root = make_site({"themes/mine/theme.yml": f"extends: {parent}\n"})
    (root / "site.yml").write_text((root / "site.yml").read_text() + "theme: mine\n")
    report = run_build(root)
    assert not report.ok
    assert report.errors[0].location.path == "themes/mine/theme.yml"
    assert report.errors[0].location.line == 1
    assert "not a theme name" in report.errors[0].message


def test_a_theme_yml_that_is_not_utf8_is_located(make_site: Callable[..., Path]) -> None:
    root = make_site({"themes/mine/theme.yml": b'extends: default\nname: "\xff\xfe"\n'})
    (root / "site.yml").write_text((root / "site.yml").read_text() + "theme: mine\n")
    report = run_build(root)
    assert not report.ok
    assert (report.errors[0].location.path, report.errors[0].location.line) == ("themes/mine/theme.yml", 2)
    assert "UTF-8" in report.errors[0].message


def test_an_over_long_tag_names_its_file(make_site: Callable[..., Path]) -> None:
    """A 300-letter tag failed the write with "File name too long" naming a staging path."""
    root = make_site({FILE: '---\ntitle: "X"\ndate: 2026-11-01\ntags: ["' + "a" * 300 + '"]\n---\nbody\n'})
    report = run_build(root)
    assert not report.ok
    assert report.errors[0].location.path == FILE and "too long" in report.errors[0].message


def test_two_tags_with_one_tag_page_are_an_error(make_site: Callable[..., Path]) -> None:
    root = make_site({FILE: '---\ntitle: "X"\ndate: 2026-11-01\ntags: ["Visa fees"]\n---\nbody\n',
                      "content/announcements/other.en.md": '---\ntitle: "Y"\ndate: 2026-11-02\ntags: ["visa-fees"]\n---\nb\n'})
    report = run_build(root)
    assert not report.ok
    [error] = report.errors
    assert "would share one tag page, /en/tags/visa-fees/" in error.message
    assert {error.location.path, *[part for part in (FILE, "content/announcements/other.en.md")
                                   if part in error.message]} == {FILE, "content/announcements/other.en.md"}


@pytest.mark.parametrize("title", ["Line one\nsummary: injected", "Tab\there", "Mark\u202eevil", "Line\u2028two"])
def test_new_refuses_a_title_that_is_not_one_plain_line(make_site: Callable[..., Path], title: str) -> None:
    root = make_site()
    result = CliRunner().invoke(main, ["new", "announcements", "fees", "--title", title, "--root", str(root)])
    assert result.exit_code == 1
    assert "--title: error:" in result.output
    assert not list((root / "content/announcements").glob("fees*"))


@pytest.mark.parametrize(("section", "front", "line"), [
    ("announcements", 'summary: "Pay at invoice\u202efdp.exe"', 4),
    ("announcements", 'tags: ["visa", "\u2067fees\u2069"]', 4),
    ("announcements", 'image: {src: "/static/x.png", alt: "A \u202bphoto"}', 4),
    ("events", 'start: 2026-12-01T18:00:00+04:00\nvenue: {name: "Hall", city: "Baku\u200f"}', 5),
    ("events", 'start: 2026-12-01T18:00:00+04:00\nvenue: {name: "Hall", address: "\u202e1 Main St"}', 5),
])
def test_text_direction_controls_are_refused_in_every_text_field(make_site: Callable[..., Path], section: str,
                                                                  front: str, line: int) -> None:
    """They were refused only in titles: a summary could read "invoice exe.pdf" while its text said otherwise."""
    file = f"content/{section}/bidi.en.md"
    root = make_site({file: f'---\ntitle: "X"\ndate: 2026-11-01\n{front}\n---\nbody\n'})
    report = run_build(root)
    assert not report.ok
    [error] = report.errors
    assert (error.location.path, error.location.line) == (file, line)
    assert "text-direction control" in error.message


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u200d \ufeff", "\u2060"])
def test_a_title_of_invisible_characters_is_empty(make_site: Callable[..., Path], title: str) -> None:
    root = make_site({FILE: f'---\ntitle: "{title}"\ndate: 2026-11-01\n---\nbody\n'})
    report = run_build(root)
    assert not report.ok
    assert "title is empty (it holds only invisible characters)" in report.errors[0].message


@pytest.mark.parametrize("title", ["Reception\\r\\nEND:VEVENT\\r\\nBEGIN:VEVENT\\r\\nSUMMARY:Forged", "Two\\nlines"])
def test_a_line_break_in_an_event_title_never_reaches_the_calendar(make_site: Callable[..., Path], title: str) -> None:
    """With python -O an event title with CR LF wrote a forged VEVENT (icalendar guards with an assert): the
    lines of a one-line value are joined, with a located warning, before any output library sees them."""
    import subprocess
    import sys

    import icalendar

    file = "content/events/forged.en.md"
    root = make_site({file: f'---\ntitle: "{title}"\ndate: 2026-11-01\nstart: 2026-12-20T18:00:00+04:00\n---\nx\n'})
    run = subprocess.run([sys.executable, "-O", "-m", "generator", "build", "--root", str(root), "--now",
                          "2026-11-23T12:00:00+00:00"], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith(f"{file}:2:8: warning: title is written on ")
    data = (root / "public/en/events/forged/event.ics").read_bytes()
    assert data.count(b"\r\nBEGIN:VEVENT\r\n") == 1 and b"\r\nSUMMARY:Forged" not in data
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert "\n" not in str(event.get("summary"))
