"""`legation build` through click's CliRunner: exit codes, messages, and output that survives failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from tests.conftest import ANNOUNCEMENT_AR, ANNOUNCEMENT_EN, EVENT_EN, tree, write_files

NOW = "2026-11-23T12:00:00+00:00"


def invoke(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--now", NOW, *args])
    return result.exit_code, result.output


@pytest.fixture
def built(make_site: Callable[..., Path]) -> tuple[Path, dict[str, bytes]]:
    """A site built once successfully, and the bytes of its output."""
    root = make_site()
    code, output = invoke(root)
    assert code == 0, output
    return root, tree(root / "public")


def test_build_succeeds_and_prints_one_line_summary(built: tuple[Path, dict[str, bytes]]) -> None:
    root, files = built
    assert "en/announcements/consular-hours/index.html" in files
    assert "ar/announcements/consular-hours/index.html" in files
    assert "index.html" in files and "404.html" in files
    code, output = invoke(root)
    assert code == 0
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("legation: built")
    assert "(en 3, ar 1)" in summary and " HTML pages; " in summary and "0 warnings" in summary


# Each case: files to add or replace, the file:line the message must name, and a phrase it must contain.
BAD_INPUT = {
    "malformed yaml": ({"content/announcements/broken.en.md": '---\ntitle: "x\ndate: [\n---\nbody\n'},
                       "content/announcements/broken.en.md:", "YAML"),
    "unknown config key": ({"site.yml": 'titel: "x"\nbase_url: "https://e.org/"\nlanguages: [{code: en}, {code: ar}]\n'},
                           "site.yml:1:", 'did you mean "title"'),
    "unknown language suffix": ({"content/announcements/hello.fr.md": '---\ntitle: "Bonjour"\ndate: 2026-11-01\n---\n'},
                                "content/announcements/hello.fr.md", 'language "fr"'),
    "missing title": ({"content/announcements/untitled.en.md": "---\ndate: 2026-11-01T10:00:00+04:00\n---\ntext\n"},
                      "content/announcements/untitled.en.md:", 'missing required key "title"'),
    "invalid date": ({"content/announcements/bad-date.en.md": '---\ntitle: "Bad"\ndate: 2026-02-30\n---\n'},
                     "content/announcements/bad-date.en.md:3:", "impossible date"),
    "invalid date string": ({"content/announcements/bad-date2.en.md": '---\ntitle: "Bad"\ndate: "next tuesday"\n---\n'},
                            "content/announcements/bad-date2.en.md:3:", "not an ISO 8601 date"),
    "event ends before it starts": (
        {"content/events/backwards.en.md": ('---\ntitle: "Backwards"\ndate: 2026-11-01T10:00:00+04:00\n'
                                            "start: 2026-12-12T18:00:00+04:00\nend: 2026-12-12T17:00:00+04:00\n---\n")},
        "content/events/backwards.en.md:5:6", "before it starts"),
    "duplicate url": ({"content/announcements/consular-hours/index.en.md": '---\ntitle: "Dup"\ndate: 2026-11-01\n---\n'},
                      "content/announcements/consular-hours", "both claim"),
    "dotdot slug": ({"content/announcements/a..secret.en.md": '---\ntitle: "x"\ndate: 2026-11-01\n---\n'},
                    "content/announcements/a..secret.en.md", "not a safe URL slug"),
    "dotdot in bundle image": (
        {"content/announcements/pics/index.en.md":
         '---\ntitle: "x"\ndate: 2026-11-01\nimage: {src: "../../../etc/passwd", alt: "x"}\n---\n',
         "content/announcements/pics/photo.png": b"\x89PNG"},
        "content/announcements/pics/index.en.md:4:", "must stay inside the site"),
    "non-utf8 file": ({"content/announcements/latin1.en.md": b'---\ntitle: "Caf\xe9"\ndate: 2026-11-01\n---\n'},
                      "content/announcements/latin1.en.md:2:12", "not UTF-8"),
    "empty file": ({"content/announcements/empty.en.md": ""}, "content/announcements/empty.en.md:1:1", "empty"),
    "image without alt": (
        {"content/announcements/noalt.en.md": '---\ntitle: "x"\ndate: 2026-11-01\nimage: {src: "https://e.org/a.png"}\n---\n'},
        "content/announcements/noalt.en.md:4:", 'missing required key "alt"'),
    "bare no as title": ({"content/announcements/no.en.md": "---\ntitle: no\ndate: 2026-11-01\n---\n"},
                         "content/announcements/no.en.md:2:", 'write title: "no" in quotes'),
    "sexagesimal time": ({"content/events/early.en.md": '---\ntitle: "Early"\ndate: 2026-11-01\nstart: 9:30\n---\n'},
                         "content/events/early.en.md:4:", "9:30"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_fails_with_location_and_keeps_previous_output(
        case: str, built: tuple[Path, dict[str, bytes]]) -> None:
    root, before = built
    files, location, phrase = BAD_INPUT[case]
    write_files(root, files)
    code, output = invoke(root)
    assert code == 1, output
    assert location in output, output
    assert phrase in output, output
    assert "nothing was written" in output
    assert tree(root / "public") == before
    assert not list(root.glob(".public.staging*")) and not list(root.glob(".public.old*"))


def test_raw_script_in_markdown_is_escaped_not_executed(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/xss.en.md":
                      '---\ntitle: "x"\ndate: 2026-11-01\n---\n<script>alert(1)</script>\n\n[a](javascript:alert(1))\n'})
    code, output = invoke(root)
    assert code == 0, output
    html = (root / "public/en/announcements/xss/index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_usage_errors_exit_2(make_site: Callable[..., Path]) -> None:
    root = make_site()
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--now", "yesterday"])
    assert result.exit_code == 2
    assert "--now" in result.output
    result = CliRunner().invoke(main, ["build", "--no-such-option"])
    assert result.exit_code == 2


def test_source_date_epoch_is_the_clock(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/later.en.md":
                      '---\ntitle: "Later"\ndate: 2026-11-01\npublish_at: 2026-12-01T00:00:00Z\n---\n'})
    runner = CliRunner()
    before = runner.invoke(main, ["build", "--root", str(root)], env={"SOURCE_DATE_EPOCH": "1795000000"})  # 2026-11-18
    assert before.exit_code == 0, before.output
    assert not (root / "public/en/announcements/later").exists()
    after = runner.invoke(main, ["build", "--root", str(root)], env={"SOURCE_DATE_EPOCH": "1796200000"})  # 2026-12-02
    assert after.exit_code == 0, after.output
    assert (root / "public/en/announcements/later/index.html").exists()


def test_drafts_only_with_flag(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/draft.en.md": '---\ntitle: "Draft"\ndate: 2026-11-01\ndraft: true\n---\n'})
    assert invoke(root)[0] == 0
    assert not (root / "public/en/announcements/draft").exists()
    assert invoke(root, "--drafts")[0] == 0
    assert "Draft: not published" in (root / "public/en/announcements/draft/index.html").read_text()


def test_strict_turns_warnings_into_errors(built: tuple[Path, dict[str, bytes]]) -> None:
    root, before = built
    write_files(root, {"content/stray.txt": "not content"})
    code, output = invoke(root)
    assert code == 0 and "content/stray.txt: warning" in output
    code, output = invoke(root, "--strict")
    assert code == 1
    assert tree(root / "public") == before


def test_report_json(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site({"content/announcements/soon.en.md":
                      '---\ntitle: "Soon"\ndate: 2026-11-01\npublish_at: 2026-11-24T06:00:00Z\n---\n',
                      "content/stray.txt": "x"})
    report_file = tmp_path / "report.json"
    code, output = invoke(root, "--report", str(report_file))
    assert code == 0, output
    report = json.loads(report_file.read_text())
    assert report["counts"]["en"]["announcements"] == 1
    assert report["counts"]["ar"]["announcements"] == 1
    assert report["counts"]["en"]["events"] == 1
    assert {w["file"] for w in report["warnings"]} >= {"content/stray.txt"}
    assert set(report["timings"]) >= {"config", "discover", "parse", "assemble", "render", "write"}
    assert report["next_build"] == [{"file": "content/announcements/soon.en.md", "url": "/en/announcements/soon/",
                                     "from": "scheduled", "to": "published", "at": "2026-11-24T06:00:00+00:00"}]


def test_report_lists_errors_with_location(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site({"content/announcements/untitled.en.md": "---\ndate: 2026-11-01\n---\n"})
    report_file = tmp_path / "report.json"
    code, _ = invoke(root, "--report", str(report_file))
    assert code == 1
    report = json.loads(report_file.read_text())
    assert report["ok"] is False
    assert report["errors"][0]["file"] == "content/announcements/untitled.en.md"
    assert report["errors"][0]["line"] == 2  # the first front-matter line


def test_two_builds_with_same_clock_are_identical(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    first, second = tmp_path / "one", tmp_path / "two"
    assert invoke(root, "--out", str(first))[0] == 0
    assert invoke(root, "--out", str(second))[0] == 0
    assert tree(first) == tree(second)
    assert len(tree(first)) > 10


def test_refuses_to_replace_a_foreign_folder(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    precious = tmp_path / "documents"
    write_files(precious, {"thesis.txt": "years of work"})
    code, output = invoke(root, "--out", str(precious))
    assert code == 1
    assert "not made by legation" in output
    assert (precious / "thesis.txt").read_text() == "years of work"
    code, output = invoke(root, "--out", str(root))
    assert code == 1 and "sources" in output


# One mistake in a default-language file that has translations, each way an officer makes it: the file's text
# after the change, as a function of its good text. Its translations inherit from it, so before they were
# reported too (missing "date", translation_of naming a file that does not exist), sorted before the real error.
EN = "content/announcements/consular-hours.en.md"
EVENT = "content/events/reception.en.md"
TRANSLATED = {
    "content/announcements/consular-hours.ar.md": ANNOUNCEMENT_AR.replace(
        "---\n", '---\ntranslation_of: {lang: en}\n', 1),
    "content/events/reception.ar.md": '---\ntitle: "حفل العيد الوطني"\ntranslation_of: {lang: en}\n---\nمرحبا.\n',
}
ONE_MISTAKE: dict[str, tuple[str, Callable[[str], str | bytes], str, str]] = {
    "bad yaml": (EN, lambda text: text.replace("tags: [consular]", "tags: [consular"), ":6:5", "YAML"),
    "impossible date": (EN, lambda text: text.replace("2026-11-01T10", "2026-02-30T10"), ":3:7", "impossible date"),
    "front matter not closed": (EN, lambda text: text.replace("---\n## Opening", "## Opening"), ":1:1", "not closed"),
    "misspelt key": (EN, lambda text: text.replace("title:", "titel:"), ":2:1", 'did you mean "title"'),
    "utf-16 file": (EN, lambda text: text.encode("utf-16"), ":1:1", "not UTF-8"),
    "event ends before it starts": (EVENT, lambda text: text.replace("end: 2026-12-12T21", "end: 2026-12-12T17"),
                                    ":5:6", "before it starts"),
    "expires before it is published": (EN, lambda text: text.replace(
        "kind: consular", "kind: consular\npublish_at: 2026-11-02T00:00:00Z\nexpires_at: 2026-11-01T00:00:00Z"),
        ":8:13", "expires_at is not after publish_at"),
    "misspelt key in an inherited mapping": (EVENT, lambda text: text.replace("city:", "cty:"), ":6:", 'unknown key "cty"'),
}


@pytest.mark.parametrize("case", sorted(ONE_MISTAKE))
def test_one_mistake_in_a_translated_file_is_one_message_first(
        case: str, make_site: Callable[..., Path], tmp_path: Path) -> None:
    broken, change, where, phrase = ONE_MISTAKE[case]
    root = make_site(TRANSLATED)
    assert invoke(root)[0] == 0
    write_files(root, {broken: change((root / broken).read_text(encoding="utf-8"))})
    report_file = tmp_path / "report.json"
    code, output = invoke(root, "--report", str(report_file))
    assert code == 1, output
    first = "\n".join(output.splitlines()[:2])  # the first message and its hint
    assert first.startswith(broken + where) and ": error: " in first and phrase in first, output
    assert ".ar.md" not in output and "translation_of" not in output and "missing required" not in output, output
    report = json.loads(report_file.read_text())
    assert [(p["file"], p["severity"]) for p in report["errors"] + report["warnings"]] == [(broken, "error")]


def test_a_warning_about_inherited_values_is_given_once(make_site: Callable[..., Path]) -> None:
    moved = EVENT_EN.replace("end:", "status: moved-online\nend:")
    code, output = invoke(make_site({**TRANSLATED, EVENT: moved}))
    assert code == 0, output
    warned = [line for line in output.splitlines() if ": warning: " in line]
    assert warned == [f"{EVENT}:5:9: warning: the event moved online but has no online_url"], output


def test_a_failed_build_prints_its_errors_before_its_warnings(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/a-stray.txt": "x",  # a warning at a file that sorts first
                      "content/pages/about.en.md": "---\ntitle: [\n---\n"})
    code, output = invoke(root)
    assert code == 1
    lines = [line for line in output.splitlines() if ": error: " in line or ": warning: " in line]
    assert [line.split(": ")[0] for line in lines] == ["content/pages/about.en.md:3:1", "content/announcements/a-stray.txt"]


def test_a_broken_translation_of_a_critical_alert_is_not_also_reported_missing(make_site: Callable[..., Path]) -> None:
    alert = ANNOUNCEMENT_EN.replace("kind: consular", "kind: consular\nalert: critical")
    root = make_site({EN: alert, "content/announcements/consular-hours.ar.md": '---\ntitel: "ح"\n---\nنص.\n'})
    code, output = invoke(root)
    assert code == 1 and output.startswith("content/announcements/consular-hours.ar.md:2:1: error: unknown key"), output
    assert ": warning: " not in output, output  # the file is there: "critical alert is not published in ar" is false
    (root / "content/announcements/consular-hours.ar.md").unlink()
    code, output = invoke(root)
    assert code == 0 and f"{EN}: warning: critical alert is not published in ar" in output, output  # at the original


def test_a_damaged_bundle_image_is_one_error(tmp_path: Path) -> None:
    """From a new user's trial: the item has four languages, and the error was printed four times."""
    from tests.test_incremental import demo_copy

    root = demo_copy(tmp_path / "site")
    image = next((root / "content/announcements/reading-room-opens").glob("*.png"))
    image.write_bytes(image.read_bytes()[:200])  # a copy cut short
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--no-resident"])
    assert result.exit_code == 1
    assert result.output.count(image.name + ": error") == 1, result.output


def test_a_translation_whose_original_is_gone_says_so(tmp_path: Path) -> None:
    """From a new user's trial: deleting (or renaming) an item's English file gave each translation 'missing
    required key "date"', whose hint, followed, publishes an orphan translation."""
    from tests.test_incremental import demo_copy

    root = demo_copy(tmp_path / "site")
    (root / "content/announcements/foreign-minister-visit.en.md").unlink()
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--no-resident"])
    assert result.exit_code == 1 and "missing required key" not in result.output
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert [line.split(":")[0] for line in errors] == [f"content/announcements/foreign-minister-visit.{lang}.md"
                                                       for lang in ("ar", "az", "uz")]
    assert all("foreign-minister-visit.en.md, is not there (renamed or deleted?)" in line for line in errors)


def test_a_bundle_photo_without_description_is_told_at_its_line_by_its_name(tmp_path: Path) -> None:
    """From a new user's trial: the warning named the photo's published copy (../../../media/...) and no line."""
    from tests.test_incremental import demo_copy

    root = demo_copy(tmp_path / "site")
    item = root / "content/announcements/reading-room-opens/index.en.md"
    text = item.read_text(encoding="utf-8").rstrip("\n") + "\n\nA photo: ![](reading-room.png)\n"
    item.write_text(text, encoding="utf-8")
    line = text.splitlines().index("A photo: ![](reading-room.png)") + 1
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--no-resident"])
    assert result.exit_code == 0
    told = [row for row in result.output.splitlines() if "has no description" in row]
    assert told == [f"content/announcements/reading-room-opens/index.en.md:{line}:12: warning: image reading-room.png "
                    "has no description (alt text)"]
