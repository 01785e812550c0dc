"""Incremental builds: nothing changed → nothing written; one change → only what depends on it."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.core import zones
from generator.core.model import OutputFile, Page, Site
from generator.core.zones import zone_source
from generator.engine.build import load_site
from generator.outputs import templates
from generator.outputs.templates import Renderer
from tests.conftest import EVENT_EN, NOW, SITE_YML, run_build, tree, write_files

SITE_YML_WITH_SNIPPETS = SITE_YML + "snippets: {platforms: [x, mastodon]}\n"


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_second_build_writes_nothing(make_site: Callable[..., Path]) -> None:
    root = make_site()
    first = run_build(root)
    assert first.ok and first.written == first.files > 10
    before = inodes(root / "public")
    second = run_build(root)
    assert second.ok and second.written == 0
    assert inodes(root / "public") == before


def test_body_edit_rewrites_only_that_page(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    before = tree(root / "public")
    source = root / "content/announcements/consular-hours.en.md"
    source.write_text(source.read_text() + "\nA new paragraph.\n", encoding="utf-8")
    report = run_build(root)
    assert report.ok
    after = tree(root / "public")
    changed = sorted(path for path in after if after[path] != before.get(path))
    # the page itself, the manifest, and the Arabic translation (whose source changed) — nothing else
    assert "en/announcements/consular-hours/index.html" in changed
    assert ".legation-manifest.json" in changed
    assert not any(path.endswith("announcements/index.html") for path in changed)
    assert report.written == len([p for p in changed if p != ".legation-manifest.json"])


def test_a_body_edit_patches_the_live_folder_and_equals_a_clean_build(make_site: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    root = make_site()
    assert run_build(root).ok
    folder = (root / "public").stat().st_ino
    source = root / "content/announcements/consular-hours.en.md"
    source.write_text(source.read_text() + "\nA new paragraph.\n", encoding="utf-8")
    report = run_build(root)
    # the few changed files were moved into the live folder (O(change)); a swap would have put a new folder there
    assert report.ok and 0 < report.written < report.files // 4 and (root / "public").stat().st_ino == folder
    assert run_build(root, tmp_path / "clean", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean")
    assert not [p.name for p in root.iterdir() if p.name.startswith(".public.") and not p.name.endswith(".lock")]


def test_incremental_equals_clean(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    assert run_build(root).ok
    write_files(root, {
        "content/announcements/consular-hours.en.md": (root / "content/announcements/consular-hours.en.md").read_text()
        .replace('title: "Consular hours"', 'title: "Consular opening hours"'),
        "content/announcements/new-item.en.md": '---\ntitle: "New"\ndate: 2026-11-20T10:00:00+04:00\n---\nNew.\n',
    })
    incremental = run_build(root)
    clean = run_build(root, out=tmp_path / "clean", incremental=False)
    assert incremental.ok and clean.ok
    assert tree(root / "public") == tree(tmp_path / "clean")
    assert b"Consular opening hours" in tree(root / "public")["en/announcements/index.html"]


def test_parallel_equals_serial(make_site: Callable[..., Path], tmp_path: Path) -> None:
    files = {f"content/announcements/item-{i:03}.en.md":
             f'---\ntitle: "Item {i}"\ndate: 2026-11-{1 + i % 20:02}\n---\nText {i}.\n' for i in range(60)}
    root = make_site(files)
    serial = run_build(root, out=tmp_path / "serial", jobs=1, incremental=False)
    parallel = run_build(root, out=tmp_path / "parallel", jobs=2, incremental=False)
    assert serial.ok and parallel.ok
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def test_no_change_rebuild_parses_and_renders_nothing(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    again = run_build(root)
    assert again.ok and again.written == 0
    assert set(again.timings) == {"unchanged"}  # no parse, render or write stage ran
    assert again.counts == run_build(root, incremental=False).counts


@pytest.mark.parametrize("leftover", [".public.staging", ".public.old"])
def test_a_build_killed_after_saving_its_state_is_cleaned_up_by_the_next(make_site: Callable[..., Path],
                                                                         leftover: str) -> None:
    """Killed while the previous site was being deleted in the background (after the state was saved): the
    next build must not skip past the folder that was left, but remove it (it does so first, under the lock, before
    it looks for changes: the live site is then exactly what the state describes)."""
    root = make_site()
    assert run_build(root).ok
    expected = tree(root / "public")
    (root / leftover / "en").mkdir(parents=True)
    (root / leftover / "en/index.html").write_text("half-deleted previous site")
    again = run_build(root)
    assert again.ok
    assert not (root / leftover).exists() and tree(root / "public") == expected
    assert set(run_build(root).timings) == {"unchanged"}  # and then the shortcut again


@pytest.mark.parametrize("damage", [".snippets.staging", ".snippets.old", "deleted"])
def test_the_shortcut_looks_at_the_snippets_folder_too(make_site: Callable[..., Path], damage: str) -> None:
    """A killed build's leftovers beside the snippets folder, or the folder deleted, are put right by the next
    build instead of being skipped as "no change"."""
    root = make_site({"site.yml": SITE_YML_WITH_SNIPPETS})
    assert run_build(root).ok
    expected = tree(root / "snippets")
    if damage == "deleted":
        import shutil

        shutil.rmtree(root / "snippets")
    else:
        (root / damage / "en").mkdir(parents=True)
        (root / damage / "en/index.html").write_text("half-deleted")
    again = run_build(root)
    assert again.ok and "unchanged" not in again.timings
    assert tree(root / "snippets") == expected and not (root / ".snippets.staging").exists()
    assert not (root / ".snippets.old").exists()
    assert set(run_build(root).timings) == {"unchanged"}


@pytest.mark.parametrize("deleted", ["public/en/announcements/consular-hours/index.html",
                                     "snippets/en/announcements/consular-hours.json"])
def test_an_output_deleted_by_hand_is_made_again(make_site: Callable[..., Path], tmp_path: Path,
                                                 deleted: str) -> None:
    """A reused page or post file deleted by hand, then another source edited: the build makes it again (it
    used to fail on every build, unable to copy the missing file)."""
    root = make_site({"site.yml": SITE_YML_WITH_SNIPPETS})
    assert run_build(root).ok
    (root / deleted).unlink()
    (root / "static").mkdir(exist_ok=True)
    (root / "static/notice.txt").write_text("a new static file: the build runs, no page changes")
    again = run_build(root)
    assert again.ok, again.errors
    assert (root / deleted).is_file()
    posts = tree(root / "snippets")
    assert run_build(root, out=tmp_path / "clean", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean") and posts == tree(root / "snippets")


def test_a_file_saved_during_a_build_is_built_by_the_next_one(make_site: Callable[..., Path],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-change shortcut compares against the inputs as they were when the last build began reading them:
    an edit saved while that build ran (after its sources were read) must not be taken as already built."""
    import generator.assembly.site

    root = make_site()
    assert run_build(root).ok
    source = root / "content/announcements/consular-hours.en.md"
    assemble = generator.assembly.site.assemble

    def save_meanwhile(*args: object, **kwargs: object) -> object:
        source.write_text(source.read_text(encoding="utf-8").replace('title: "Consular hours"',
                                                                     'title: "Saved meanwhile"'), encoding="utf-8")
        return assemble(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.assembly.site, "assemble", save_meanwhile)
    source.write_text(source.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    assert run_build(root).ok  # read the sources before the second save
    monkeypatch.setattr(generator.assembly.site, "assemble", assemble)
    assert b"Saved meanwhile" not in tree(root / "public")["en/announcements/consular-hours/index.html"]
    after = run_build(root)
    assert after.ok and "render" in after.timings  # not "unchanged"
    assert b"Saved meanwhile" in tree(root / "public")["en/announcements/consular-hours/index.html"]


def test_clock_crossing_a_schedule_boundary_rebuilds(make_site: Callable[..., Path]) -> None:
    from datetime import timedelta

    from tests.conftest import NOW

    root = make_site({"content/announcements/later.en.md":
                      '---\ntitle: "Later"\ndate: 2026-11-01\npublish_at: 2026-11-30T00:00:00Z\n---\n'})
    assert run_build(root, now=NOW).ok
    assert run_build(root, now=NOW + timedelta(hours=1)).timings.keys() == {"unchanged"}
    assert not (root / "public/en/announcements/later").exists()
    after = run_build(root, now=NOW + timedelta(days=8))
    assert after.ok and "render" in after.timings
    assert (root / "public/en/announcements/later/index.html").exists()


def test_an_item_publishing_later_today_keeps_the_no_change_path(make_site: Callable[..., Path]) -> None:
    """An event or a publication a few hours ahead is in the look-ahead of both builds: nothing changed, and the
    no-change report still says what the next build will publish."""
    from datetime import timedelta

    from tests.conftest import NOW

    soon = NOW + timedelta(hours=12)
    root = make_site({"content/announcements/tonight.en.md":
                      f'---\ntitle: "Tonight"\ndate: 2026-11-01\npublish_at: {soon.isoformat()}\n---\n'})
    first = run_build(root, now=NOW)
    assert first.ok and [c["url"] for c in first.schedule] == ["/en/announcements/tonight/"]
    again = run_build(root, now=NOW + timedelta(hours=1))
    assert again.timings.keys() == {"unchanged"}
    assert again.schedule == first.schedule
    after = run_build(root, now=soon + timedelta(minutes=1))  # it is published now: a full build
    assert after.ok and "render" in after.timings and after.schedule == ()
    assert (root / "public/en/announcements/tonight/index.html").exists()


def test_template_override_triggers_rebuild(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    theme_tag = (Path(__file__).parent.parent / "themes/default/templates/tag.html").read_text()
    write_files(root, {"templates/tag.html": theme_tag.replace("<h1>", '<h1 class="override">')})
    report = run_build(root)
    assert report.ok and report.written >= 1
    assert b'class="override"' in tree(root / "public")["en/tags/consular/index.html"]


def test_deletions_and_renames_remove_their_outputs(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    assert run_build(root).ok
    assert (root / "public/en/events/reception/index.html").is_file()
    (root / "content/events/reception.en.md").unlink()
    old = root / "content/announcements/consular-hours.en.md"
    old.rename(root / "content/announcements/consular-opening-hours.en.md")
    (root / "content/announcements/consular-hours.ar.md").rename(root / "content/announcements/consular-opening-hours.ar.md")
    incremental = run_build(root)
    clean = run_build(root, out=tmp_path / "clean", incremental=False)
    assert incremental.ok and clean.ok
    assert tree(root / "public") == tree(tmp_path / "clean")
    built = tree(root / "public")
    assert not any("reception" in path or "/consular-hours/" in path for path in built)
    assert "en/announcements/consular-opening-hours/index.html" in built


def test_corrupt_cache_is_discarded_with_a_warning(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site()
    assert run_build(root).ok
    shards = sorted((root / ".legation-cache").glob("markdown-v2-*.json"))
    # a tampered entry must not reach the page, and an unreadable file must not break the build
    shards[0].write_text('{"not": "the right shape"', encoding="utf-8")
    (root / "content/events/reception.en.md").write_text(  # not official text the ledger guards (test_ledger.py)
        (root / "content/events/reception.en.md").read_text() + "\nMore.\n", encoding="utf-8")
    report = run_build(root)
    assert report.ok
    assert [w.code for w in report.warnings] == ["cache"]
    assert "discarded" in report.warnings[0].message
    assert report.warnings[0].location.path == f".legation-cache/{shards[0].name}"  # the file itself, not a pattern
    assert run_build(root, strict=True).ok  # a broken cache is not a content problem
    # nor may an unreadable file that no body of the site falls in outlive the build that found it
    spare = next(root / ".legation-cache" / f"markdown-v2-{digit}.json" for digit in "0123456789abcdef"
                 if not (root / ".legation-cache" / f"markdown-v2-{digit}.json").exists())
    spare.write_bytes(b"\xff\xfe not JSON")
    write_files(root, {"i18n/en.yml": 'read_more: "Read on"\n'})  # a full build with the same bodies
    assert [(w.code, w.location.path) for w in run_build(root).warnings] == [("cache", f".legation-cache/{spare.name}")]
    assert not spare.exists()
    write_files(root, {"i18n/en.yml": 'read_more: "Read more"\n'})
    again = run_build(root)
    assert again.ok and again.warnings == []
    clean = run_build(root, out=tmp_path / "clean", incremental=False)
    assert clean.ok and tree(root / "public") == tree(tmp_path / "clean")


def rendered_items(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the item pages rendered (not reused) from now on, in builds with one process."""
    rendered: list[str] = []
    original = Renderer.render_item

    def spy(self: Renderer, page: Page) -> OutputFile:
        rendered.append(page.url)
        return original(self, page)

    monkeypatch.setattr(Renderer, "render_item", spy)
    return rendered


def test_unchanged_item_pages_are_reused_not_rendered(make_site: Callable[..., Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"content/announcements/item-{i:02}.en.md": f'---\ntitle: "Item {i}"\ndate: 2026-11-{1 + i:02}\n---\nText {i}.\n'
             for i in range(12)}
    root = make_site(files)
    assert run_build(root).ok
    rendered = rendered_items(monkeypatch)
    edited = root / "content/announcements/item-03.en.md"
    edited.write_text(edited.read_text().replace("Text 3.", "Text three."))
    assert run_build(root, now=NOW + timedelta(hours=3)).ok  # a later clock alone does not re-render items
    assert rendered == ["/en/announcements/item-03/"]
    assert run_build(root, out=tmp_path / "clean", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean")

    rendered.clear()
    (root / "i18n").mkdir()
    (root / "i18n" / "en.yml").write_text('published: "Posted"\n')
    assert run_build(root).ok
    # a UI string can appear on every page of its language: all English items render again, the Arabic one
    # does not (the theme's Arabic file has its own "published", so it never falls back to the English one)
    english = sorted(p.url for p in load_site(root, NOW)[0].pages if p.lang == "en")
    assert sorted(rendered) == english and len(english) == 15
    assert b"Posted" in (root / "public/en/announcements/item-05/index.html").read_bytes()
    assert run_build(root, out=tmp_path / "clean-2", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean-2")


def test_a_language_file_re_renders_only_its_languages_pages(make_site: Callable[..., Path], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A translator's i18n/ar.yml changes the Arabic pages, feeds, lists and posts, and nothing in English; the
    result is the clean build's."""
    root = make_site({"site.yml": SITE_YML_WITH_SNIPPETS})
    assert run_build(root).ok
    before, posts_before = tree(root / "public"), tree(root / "snippets")
    rendered = rendered_items(monkeypatch)
    write_files(root, {"i18n/ar.yml": 'section.announcements: "إعلانات السفارة"\n'})
    report = run_build(root)
    assert report.ok
    assert rendered and all(url.startswith("/ar/") for url in rendered)
    after, posts_after = tree(root / "public"), tree(root / "snippets")
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert "ar/announcements/index.html" in changed
    assert "إعلانات السفارة".encode() in after["ar/announcements/index.html"]
    assert all(path.startswith(("ar/", "search/ar/")) or path == ".legation-manifest.json" for path in changed), changed
    changed_posts = sorted(path for path in posts_after if posts_after[path] != posts_before.get(path))
    assert changed_posts and all(path.startswith("ar/") or path == ".legation-manifest.json"
                                 for path in changed_posts), changed_posts
    assert run_build(root, out=tmp_path / "clean", incremental=False).ok
    assert after == tree(tmp_path / "clean")


def test_a_template_using_the_clock_makes_items_depend_on_it(make_site: Callable[..., Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site({"templates/item.html": ('{% extends "default:item.html" %}{% block content %}'
                                              '<p class="built">{{ now.isoformat() }}</p>{{ super() }}{% endblock %}\n')})
    assert run_build(root).ok
    later = NOW + timedelta(hours=2)
    assert run_build(root, now=later).ok
    page = (root / "public/en/announcements/consular-hours/index.html").read_text()
    assert f'<p class="built">{later.isoformat()}</p>' in page


def _edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / name
    text = file.read_text(encoding="utf-8")
    assert old in text, (name, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


# Each step changes the demo embassy in one way a list, tag page, feed, calendar or sitemap could
# depend on; after each, the incremental build must equal a clean build byte for byte.
DEMO_STEPS: list[tuple[str, Callable[[Path], None], timedelta]] = [
    ("body of an announcement", lambda r: _edit(r, "content/announcements/scholarships-2027.en.md",
                                                "to graduates from Azerbaijan.", "to graduates."), timedelta()),
    ("title of a tagged item", lambda r: _edit(r, "content/announcements/scholarships-2027.en.md",
                                               'title: "Veloria', 'title: "The Veloria'), timedelta()),
    ("a tag added and one removed", lambda r: _edit(r, "content/announcements/scholarships-2027.en.md",
                                                    "tags: [education, culture]", "tags: [education, mobility]"),
     timedelta()),
    ("an event moved", lambda r: _edit(r, "content/events/cuisine-evening.en.md",
                                       "start: 2026-12-05T19:00", "start: 2026-12-04T19:00"), timedelta()),
    ("the clock passes an event", lambda r: None, timedelta(days=14)),
    ("a translation deleted", lambda r: (r / "content/events/poetry-evening.ar.md").unlink(), timedelta(days=14)),
    ("an item added", lambda r: (r / "content/announcements/added.en.md").write_text(
        '---\ntitle: "Added"\ndate: 2026-11-22T10:00:00+04:00\ntags: [culture]\n---\nNew text.\n', encoding="utf-8"),
     timedelta(days=14)),
    ("pagination changed", lambda r: _edit(r, "site.yml", "paginate: 10", "paginate: 2"), timedelta(days=14)),
    ("an item made a draft", lambda r: _edit(r, "content/announcements/added.en.md", "tags:", "draft: true\ntags:"),
     timedelta(days=14)),
]


def demo_copy(root: Path) -> Path:
    import shutil

    repo = Path(__file__).resolve().parent.parent
    shutil.copytree(repo / "content", root / "content")
    shutil.copy(repo / "site.yml", root / "site.yml")
    return root


def test_incremental_equals_clean_after_each_kind_of_change(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    for number, (name, change, later) in enumerate(DEMO_STEPS):
        change(root)
        incremental = run_build(root, now=NOW + later)
        clean = run_build(root, out=tmp_path / f"clean-{number}", now=NOW + later, incremental=False)
        assert incremental.ok and clean.ok, (name, incremental.errors)
        built, expected = tree(root / "public"), tree(tmp_path / f"clean-{number}")
        assert sorted(built) == sorted(expected), name
        assert [p for p in built if built[p] != expected[p]] == [], name


def _fresh_units(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    fresh: list[str] = []
    original = Renderer._fresh

    def spy(self: Renderer, unit: tuple[str, ...]) -> list[OutputFile]:
        fresh.append(self.inputs.unit_key(unit))
        return original(self, unit)

    monkeypatch.setattr(Renderer, "_fresh", spy)
    return fresh


def test_a_body_edit_renders_only_what_shows_the_body(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    fresh = _fresh_units(monkeypatch)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates.")
    assert run_build(root, jobs=1).ok
    # the page, its translations (now out of date with it), the feeds that carry its text, and the
    # pages rendered on every build (root, homes); no list, tag page or sitemap
    assert sorted(key for key in fresh if not key.startswith(("root", "home:"))) == [
        "feed:/en/", "feed:/en/announcements/", "feed:/en/tags/culture/", "feed:/en/tags/education/",
        *(f"item:/{lang}/announcements/scholarships-2027/" for lang in ("ar", "az", "en", "uz")),
        "search:en",  # the English index (its text changed); the other languages' are kept
    ]


def test_a_preview_build_between_two_builds_costs_the_build_nothing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview (its own folder, drafts shown) keeps its own render state: the build after it still reuses
    its own previous output, and the preview after that its own, each equal to a clean build of its kind."""
    root = demo_copy(tmp_path / "site")
    preview = root / ".legation-cache/preview"
    assert run_build(root).ok
    assert run_build(root, out=preview, drafts=True, snippets_in_site=True).ok
    fresh = _fresh_units(monkeypatch)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates.")
    assert run_build(root, jobs=1).ok
    assert "item:/en/announcements/scholarships-2027/" in fresh and len(fresh) < 20  # not the whole site
    fresh.clear()
    assert run_build(root, out=preview, jobs=1, drafts=True, snippets_in_site=True).ok
    assert "item:/en/announcements/scholarships-2027/" in fresh and len(fresh) < 20
    monkeypatch.undo()
    assert run_build(root, out=tmp_path / "clean", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean")
    assert run_build(root, out=tmp_path / "clean-preview", incremental=False, drafts=True, snippets_in_site=True).ok
    assert tree(preview) == tree(tmp_path / "clean-preview")


def test_one_folder_under_two_names_shares_one_render_state(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """A build through another spelling of the output folder replaces what the first name's state describes."""
    root = make_site()
    source = root / "content/announcements/consular-hours.en.md"
    original = source.read_text()
    assert run_build(root).ok
    source.write_text(original + "\nEdited by the second build.\n")
    (root / "x").mkdir()
    assert run_build(root, out=root / "x" / ".." / "public").ok
    source.write_text(original)
    assert run_build(root).ok
    assert "Edited by the second build." not in (root / "public/en/announcements/consular-hours/index.html").read_text()
    assert run_build(root, out=tmp_path / "clean", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean")


def _zones_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records each VTIMEZONE the build process makes (in the parent; a worker's calls would not show)."""
    made: list[int] = []
    original = templates.timezone_component

    def spy(site: Site, rules: bytes | None = None) -> object:
        made.append(1)
        return original(site, rules)

    monkeypatch.setattr(templates, "timezone_component", spy)
    return made


def test_the_time_zone_is_made_only_when_a_calendar_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A VTIMEZONE takes icalendar's import and ~40 ms to make: an edit that changes no calendar skips it,
    one that does makes it once, in the parent, before the workers fork."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    made = _zones_made(monkeypatch)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates.")
    assert run_build(root, jobs=2).ok and made == []
    _edit(root, "content/events/cuisine-evening.en.md", "start: 2026-12-05T19:00", "start: 2026-12-04T19:00")
    assert run_build(root, jobs=2).ok and made == [1]
    clean = run_build(root, out=tmp_path / "clean", incremental=False)
    assert clean.ok and tree(root / "public") == tree(tmp_path / "clean")


def test_a_title_edit_renders_its_lists_but_not_other_languages(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    fresh = _fresh_units(monkeypatch)
    _edit(root, "content/announcements/scholarships-2027.en.md", 'title: "Veloria', 'title: "The Veloria')
    assert run_build(root, jobs=1).ok
    assert {"list:en:announcements:1", "tag:en:culture", "tag:en:education", "sitemap",
            "item:/en/announcements/scholarships-2027/", "feed:/en/"} <= set(fresh)
    assert not [key for key in fresh if key.startswith(("list:ar", "tag:ar", "feed:/ar/", "list:en:events", "ics:"))]


def test_a_theme_showing_bodies_in_lists_makes_lists_depend_on_bodies(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    write_files(root, {"templates/list.html": '{% extends "default:list.html" %}{% block content %}'
                                              '{% for item in items %}<div class="full">{{ item.body_html | safe }}</div>'
                                              '{% endfor %}{{ super() }}{% endblock %}\n'})
    assert run_build(root).ok
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates.")
    assert run_build(root).ok
    assert run_build(root, out=tmp_path / "clean", incremental=False).ok
    assert tree(root / "public") == tree(tmp_path / "clean")
    assert "twenty scholarships for the 2027–2028 academic year to graduates.</p>" in (
        root / "public/en/announcements/index.html").read_text()


def test_a_withdrawal_passing_cancels_the_event_calendar_as_a_clean_build_does(make_site: Callable[..., Path],
                                                                             tmp_path: Path) -> None:
    """The .ics files show STATUS:CANCELLED once the withdrawal time passes: the status is among their inputs."""
    withdrawn = EVENT_EN.replace("---\nJoin us.", 'withdrawn: {at: 2026-11-25T09:00:00+04:00, reason: "Postponed"}\n'
                                                  "---\nJoin us.")
    root = make_site({"content/events/reception.en.md": withdrawn})
    assert run_build(root).ok
    ics = root / "public/en/events/reception/event.ics"
    assert b"STATUS:CONFIRMED" in ics.read_bytes()
    later = NOW + timedelta(days=3)
    assert run_build(root, now=later).ok
    assert b"STATUS:CANCELLED" in ics.read_bytes()
    clean = run_build(root, out=tmp_path / "clean", now=later, incremental=False)
    assert clean.ok and tree(root / "public") == tree(tmp_path / "clean")


def test_new_time_zone_rules_re_render_every_page_and_calendar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A system tzdata update changes the rules of the site's zone: the next build is not skipped, and pages (which
    show times in it) and calendars (which carry it) are made again from the new rules, as a clean build would."""
    system = tmp_path / "zoneinfo"
    (system / "Asia").mkdir(parents=True)
    (system / "Asia/Baku").write_bytes(zone_source("Asia/Baku")[1])
    zoneinfo.reset_tzpath([str(system)])
    try:
        root = demo_copy(tmp_path / "site")
        assert run_build(root).ok
        assert b"TZOFFSETTO:+0400" in (root / "public/en/events/calendar.ics").read_bytes()
        (system / "Asia/Baku").write_bytes(zone_source("Europe/Oslo")[1])  # Baku's rules, as if updated
        fresh = _fresh_units(monkeypatch)
        assert run_build(root, jobs=1).ok
        assert {key for key in fresh if key.startswith("item:")} == {
            f"item:{page.url}" for page in load_site(root, NOW)[0].pages}
        assert b"TZOFFSETTO:+0100" in (root / "public/en/events/calendar.ics").read_bytes()
        posts = tree(root / "snippets")  # the clean build below writes the same snippets folder
        clean = run_build(root, out=tmp_path / "clean", incremental=False)
        assert clean.ok and tree(root / "public") == tree(tmp_path / "clean")
        assert posts == tree(root / "snippets")  # event posts show their times in the new rules too
    finally:
        zoneinfo.reset_tzpath()
        ZoneInfo.clear_cache()


def test_a_library_or_zone_update_is_not_mistaken_for_no_change(make_site: Callable[..., Path], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-change shortcut also looks at the library folders and the zone file, which no site file names."""
    libraries, zone = tmp_path / "site-packages", tmp_path / "Baku"
    libraries.mkdir()
    zone.write_bytes(zone_source("Asia/Baku")[1])
    oslo = zone_source("Europe/Oslo")[1]  # read before zone_file is replaced below
    monkeypatch.setattr(zones, "library_dirs", lambda: [str(libraries)])
    monkeypatch.setattr(zones, "zone_file", lambda key: str(zone))
    root = make_site()
    assert run_build(root).ok
    assert "unchanged" in run_build(root).timings  # the shortcut, as before
    zone.write_bytes(oslo)  # other rules, as after a system tzdata update
    assert "unchanged" not in run_build(root).timings
    assert "unchanged" in run_build(root).timings
    earlier = tmp_path / "Baku-earlier-in-TZPATH"
    earlier.write_bytes(zone.read_bytes())  # the same bytes and size, but zoneinfo now reads another file
    monkeypatch.setattr(zones, "zone_file", lambda key: str(earlier))
    assert "unchanged" not in run_build(root).timings
    assert "unchanged" in run_build(root).timings
    (libraries / "nh3-0.3.1.dist-info").mkdir()  # a library upgraded
    os.utime(libraries, ns=(1, 1))
    assert "unchanged" not in run_build(root).timings
