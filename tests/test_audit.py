"""`legation check` (generator/audit.py): problems grouped by file with lines, snippets, the next 24 hours."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from generator.commands.cli import main
from tests.conftest import SITE_YML

NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def test_check_groups_problems_by_file_with_lines(make_site: Callable[..., Path]) -> None:
    root = make_site({
        "site.yml": SITE_YML + 'tags:\n  consular: {ar: "قنصلي"}\n  culture: {ar: "ثقافة"}\n',
        "content/announcements/links.en.md": ('---\ntitle: "Links"\ndate: 2026-11-02T10:00:00+04:00\ntags: [cultur]\n---\n'
                                              "Read [about](/en/about/#no-such-part) and [gone](/en/nowhere/).\n\n"
                                              "![](/static/missing.png)\n"),
        "content/announcements/soon.en.md": ('---\ntitle: "Soon"\ndate: 2026-11-02T10:00:00+04:00\n'
                                             "publish_at: 2026-11-24T09:00:00+04:00\n---\nSoon.\n"),
    })
    result = cli(root, "check", "--now", NOW_ARG)
    assert result.exit_code == 1
    out = result.output
    assert "content/announcements/links.en.md\n" in out
    # the build's own rules (generator/rules.py): warnings that fail check, as they fail build --strict
    assert '     6:14  warning: link to /en/about/#no-such-part: there is no anchor "#no-such-part" on that page' in out
    assert "broken link to /en/nowhere/" in out
    assert "image /static/missing.png has no description (alt text)" in out
    assert "image /static/missing.png does not exist in the site" in out
    assert 'unknown tag "cultur"' in out and 'did you mean "culture"' in out
    assert "next 24 h: content/announcements/soon.en.md becomes published at 2026-11-24T09:00:00+04:00" in out
    data = json.loads(cli(root, "check", "--json", "--now", NOW_ARG).output)
    assert data["ok"] is False and data["next_24_hours"][0]["to"] == "published"
    assert {p["file"] for p in data["problems"]} == {"content/announcements/links.en.md"}
    assert not (root / "public").exists() and not (root / "snippets").exists()  # check writes nothing


def test_check_reports_snippets_that_do_not_fit(make_site: Callable[..., Path]) -> None:
    title = "Statement " * 40
    root = make_site({"content/announcements/long.en.md": f'---\ntitle: "{title.strip()}"\ndate: 2026-11-02\n---\nx\n'})
    site_yml = root / "site.yml"
    site_yml.write_text(site_yml.read_text() + "snippets: {platforms: [x]}\n")
    result = cli(root, "check", "--now", NOW_ARG)
    assert result.exit_code == 1
    assert "the X post does not fit in 280" in result.output
    assert result.output.strip().endswith("legation check: 1 problem (0 errors, 1 warning)")  # not "1 problems"


def test_check_passes_on_the_demo() -> None:
    result = cli(Path(__file__).resolve().parent.parent, "check", "--now", NOW_ARG)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("legation check: no problems")




def test_a_discarded_cache_is_listed_but_does_not_fail_the_check(make_site: Callable[..., Path]) -> None:
    """A stale or broken cache is rebuilt; like build --strict, check does not count it as a problem."""
    root = make_site({"content/announcements/note.en.md": '---\ntitle: "Note"\ndate: 2026-11-02\n---\nx\n'})
    assert cli(root, "build", "--now", NOW_ARG).exit_code == 0
    caches = sorted((root / ".legation-cache").glob("pages-*.json"))
    assert caches
    caches[0].write_text("{not json", encoding="utf-8")
    result = cli(root, "check", "--now", NOW_ARG)
    assert "cache" in result.output and "warning" in result.output, result.output
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("legation check: no problems")
