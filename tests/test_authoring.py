"""`legation new` (generator/authoring.py): scaffolds with every field, refusals with hints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.commands.cli import main
from tests.conftest import run_build

NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def test_new_creates_source_and_translations_with_every_field(make_site: Callable[..., Path]) -> None:
    root = make_site()
    result = cli(root, "new", "events", "book-fair", "--translate-to", "ar", "--title", "Book fair", "--now", NOW_ARG)
    assert result.exit_code == 0, result.output
    source = (root / "content/events/book-fair.en.md").read_text(encoding="utf-8")
    assert 'title: "Book fair"' in source
    assert "date: 2026-11-23T16:00:00+04:00" in source  # the build clock, in the site's zone
    for key in ("start:", "end:", "status: scheduled", "venue:", "# online_url:", "# registration_url:", "# summary:",
                "# tags:", "# publish_at:", "# expires_at:", "# withdrawn:", "# image:"):
        assert key in source, key
    translation = (root / "content/events/book-fair.ar.md").read_text(encoding="utf-8")
    # no version yet: the source is still a placeholder (`legation translated` records it once both are written)
    assert "translation_of: {lang: en}\n" in translation and "draft: true" in translation
    assert "# legation translated events/book-fair --lang ar" in translation
    report = run_build(root)
    assert report.ok, report.errors
    assert (root / "public/en/events/book-fair/index.html").is_file()
    assert not (root / "public/ar/events/book-fair/index.html").exists()  # the translation is a draft
    status = cli(root, "status", "--json", "--now", NOW_ARG)
    cells = {i["slug"]: i["languages"] for i in json.loads(status.output)["items"]}
    assert cells["book-fair"] == {"en": "present", "ar": "draft"}


def test_new_refuses_to_overwrite(make_site: Callable[..., Path]) -> None:
    root = make_site()
    before = (root / "content/announcements/consular-hours.en.md").read_text()
    result = cli(root, "new", "announcements", "consular-hours")
    assert result.exit_code == 1
    assert "already exists; nothing was created" in result.output
    assert (root / "content/announcements/consular-hours.en.md").read_text() == before


@pytest.mark.parametrize(("args", "expected"), [
    (("announcements", "Visa Fees!"), 'use "visa-fees"'),
    (("announcements", "../../etc"), "is not a safe URL slug"),
    (("anouncements", "x"), 'did you mean "announcements"'),
    (("announcements", "x", "--translate-to", "fr"), 'language "fr" is not one of the site\'s languages'),
])
def test_new_rejects_bad_input_with_a_hint(make_site: Callable[..., Path], args: tuple[str, ...], expected: str) -> None:
    root = make_site()
    result = cli(root, "new", *args)
    assert result.exit_code == 1
    assert expected in result.output
    assert sorted(p.name for p in (root / "content").rglob("*.md")) == [
        "about.en.md", "consular-hours.ar.md", "consular-hours.en.md", "reception.en.md"]


