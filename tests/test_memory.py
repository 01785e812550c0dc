"""The resident preview (generator/memory.py, serve.PreviewApp): the site it serves from memory is, after every
kind of change, byte for byte the site a clean build of the same sources makes (drafts shown, the snippet
board inside), and a save re-reads and re-renders only what it touched."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from generator.commands.serve import PreviewApp, _bytes
from generator.core.model import OutputFile
from generator.core.units import PACK_FROM, DrawnFile, PackedFile, PendingFile, packed, unpacked
from generator.engine.build import BuildOptions, build
from tests.conftest import NOW, tree
from tests.test_incremental import DEMO_STEPS, _edit, demo_copy
from tests.test_serve import call

REPO = Path(__file__).resolve().parent.parent
THEME_ITEM = REPO / "themes" / "default" / "templates" / "item.html"


def counted_posts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source of each item whose social posts are made from now on, in order."""
    from generator.outputs import snippets as snippets_module

    posts: list[str] = []
    made_posts = snippets_module.item_snippets

    def counted(site: object, catalog: object, page: object, *args: object) -> object:
        posts.append(getattr(page, "source", ""))
        return made_posts(site, catalog, page, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(snippets_module, "item_snippets", counted)
    return posts


def served(app: PreviewApp) -> dict[str, bytes]:
    """Every file the preview serves (a share card drawn as a request would have it)."""
    files = {path: app.memory.output(path) for path in sorted(app.memory.outputs)}
    return {path: _bytes(output) for path, output in files.items() if output is not None}


def clean(root: Path, out: Path, now: object) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    report = build(BuildOptions(root, out, now, drafts=True, snippets_in_site=True, incremental=False))  # type: ignore[arg-type]
    assert report.ok, report.errors
    # the folder's own bookkeeping (its manifest, its marker) is the staging's, not the site's
    return {path: data for path, data in tree(out).items() if not path.startswith(".legation")}


def same(app: PreviewApp, expected: dict[str, bytes], step: str) -> None:
    app.catch_up()  # what the preview defers (search indexes) is in place before it is compared
    got = served(app)
    assert sorted(got) == sorted(expected), step
    assert [path for path in got if got[path] != expected[path]] == [], step


def _template(root: Path, marker: str) -> None:
    target = root / "templates" / "item.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(THEME_ITEM.read_text(encoding="utf-8").replace("<article", f'<article data-m="{marker}"', 1),
                      encoding="utf-8")


def _rename(root: Path) -> None:
    for path in sorted((root / "content" / "events").glob("poetry-evening.*.md")):
        path.rename(path.with_name(path.name.replace("poetry-evening", "poetry-night")))


#: more kinds of change than the CLI's list: templates, UI strings, static files, a rename, a language
EXTRA_STEPS: list[tuple[str, Callable[[Path], object]]] = [
    ("a template overridden", lambda r: _template(r, "one")),
    ("the override edited", lambda r: _template(r, "two")),
    ("the override removed", lambda r: shutil.rmtree(r / "templates")),
    ("a UI string file added", lambda r: (r / "i18n").mkdir(exist_ok=True) or (r / "i18n" / "az.yml").write_text(
        'read_more: "Davamı"\n', encoding="utf-8")),
    ("a static file added", lambda r: (r / "static").mkdir(exist_ok=True) or (r / "static" / "extra.css").write_text(
        "body { color: #111; }\n", encoding="utf-8")),
    ("an item renamed", _rename),
    ("a title edited", lambda r: _edit(r, "content/announcements/scholarships-2027.en.md", "title: \"", "title: \"New ")),
    ("a body edited", lambda r: _edit(r, "content/announcements/scholarships-2027.en.md", "to graduates from",
                                      "to all graduates from")),
    ("a file deleted", lambda r: (r / "content/announcements/scholarships-2027.az.md").unlink()),
    ("a language added", lambda r: _language(r)),
]


def _language(root: Path) -> None:
    """French joins the site: site.yml lists it and one item has a French copy (the theme has no French UI
    strings: the default language's are used, with a warning)."""
    _edit(root, "site.yml", '  - {code: uz, name: "Oʻzbekcha"}\n', '  - {code: uz, name: "Oʻzbekcha"}\n  - {code: fr}\n')
    (root / "content/announcements/scholarships-2027.fr.md").write_text(
        '---\ntitle: "Bourses 2027"\nsummary: "Vingt bourses."\ntranslation_of: {lang: en}\n---\nTexte en français.\n',
        encoding="utf-8")


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under ``root``: (time, size, inode)."""
    found = {}
    for path in root.rglob("*"):
        stat = path.lstat()
        found[str(path)] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return found


def told(root: Path, before: dict[str, tuple[int, int, int]]) -> frozenset[str]:
    """The paths a file watcher names after a change: added, deleted and modified files and folders."""
    after = snapshot(root)
    return frozenset(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


@pytest.mark.parametrize("watcher", [False, True])
def test_the_preview_serves_what_a_clean_build_makes_after_every_kind_of_change(tmp_path: Path,
                                                                              watcher: bool) -> None:
    """With the watcher's paths (as `legation serve` has them) and without (after a poll)."""
    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None and app.state.report is not None and app.state.report.ok
    same(app, clean(root, tmp_path / "clean", NOW), "first build")
    steps = [(name, change, later) for name, change, later in DEMO_STEPS] + \
        [(name, change, timedelta(days=14)) for name, change in EXTRA_STEPS]
    for name, change, later in steps:
        before = snapshot(root)
        change(root)
        report = app.rebuild(lambda later=later: NOW + later, told=True,
                             changed=told(root, before) if watcher else None)
        assert report is not None and report.ok, (name, report.errors if report else None)
        same(app, clean(root, tmp_path / "clean", NOW + later), name)
    assert "fr/announcements/scholarships-2027/index.html" in app.memory.outputs  # the language added last
    assert not (tmp_path / "preview").exists()  # nothing was written for the preview


@pytest.mark.parametrize(("seed", "watcher"), [(1, False), (2, False), (3, True), (4, True)])
def test_a_random_sequence_of_saves_keeps_the_preview_equal_to_a_clean_build(tmp_path: Path, seed: int,
                                                                             watcher: bool) -> None:
    rng = random.Random(seed)
    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    later = timedelta(days=14)
    kinds = [change for _, change, _ in DEMO_STEPS[:1]] + [change for _, change in EXTRA_STEPS[:5]]
    items = sorted((root / "content" / "announcements").glob("*.md"))
    for step in range(6):
        before = snapshot(root)
        if rng.random() < 0.5:
            item = rng.choice([path for path in items if path.exists()])
            text = item.read_text(encoding="utf-8")
            item.write_text(text + f"\nA sentence added at step {step}.\n", encoding="utf-8")
            name = f"body of {item.name}"
        else:
            change = rng.choice(kinds)
            try:
                change(root)
            except (AssertionError, FileNotFoundError):  # a step that needs a state this sequence did not reach
                continue
            name = f"step {step}"
        report = app.rebuild(lambda: NOW + later, told=True, changed=told(root, before) if watcher else None)
        assert report is not None and report.ok, (name, report.errors if report else None)
        same(app, clean(root, tmp_path / "clean", NOW + later), name)


def test_a_save_reads_one_file_and_renders_only_what_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    # every file is older than a second once read: none is "racily clean", so none need be read again
    for path in root.rglob("*.md"):
        stat = path.stat()
        import os

        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 5_000_000_000))
    app.rebuild(lambda: NOW, told=True)
    opened: list[str] = []
    real_open = open

    def spy(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith(".md"):
            opened.append(Path(str(file)).name)
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    import builtins

    posts = counted_posts(monkeypatch)
    monkeypatch.setattr(builtins, "open", spy)
    assert app.catch_up() is not None
    before = {path: _bytes(unpacked(output)) for path, output in app.memory.outputs.items()
              if isinstance(output, OutputFile | PackedFile)}
    drawn = {path for path, output in app.memory.outputs.items() if isinstance(output, DrawnFile)}
    assert len(before) + len(drawn) == len(app.memory.outputs)  # every file made, but the share cards: never held
    assert drawn and all(path.startswith("cards/") and path.endswith(".jpg") for path in drawn)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from", "to all graduates from")
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None and report.ok
    assert opened == ["scholarships-2027.en.md"]
    assert posts == []  # the social posts and boards follow the reload, as one pending unit
    pending = sorted(path for path, held in app.memory.outputs.items() if isinstance(held, PendingFile))
    assert {path for path in pending if path.startswith("_snippets/")} == app.memory.snippet_paths
    pending = [path for path in pending if not path.startswith("_snippets/")]
    # the build made nothing yet: the page and its translations (their "out of date" notes) and the feeds that
    # carry its text wait for a request or the after-work
    assert "en/announcements/scholarships-2027/index.html" in pending and len(pending) < 30, pending
    assert not any(path.startswith(("en/events/", "ar/events/", "static/")) for path in pending), pending
    status, page = call(app, "/en/announcements/scholarships-2027/")  # made on request
    assert status.startswith("200") and b"to all graduates from" in page
    assert isinstance(app.memory.outputs["en/announcements/scholarships-2027/index.html"], PackedFile)  # made, held
    assert app.catch_up() and not app.catch_up()  # the rest, and the English search index, once
    # the edited item's posts are made again; every other item's are taken from memory, board sections too
    assert posts == ["content/announcements/scholarships-2027.en.md"], posts
    changed = sorted(path for path, output in app.memory.outputs.items()
                     if path not in drawn and (path not in before or _bytes(app.memory.output(path)) != before[path]))
    snippets = {"_snippets/en/index.html", "_snippets/en/announcements/scholarships-2027.json"}  # made in the build
    assert set(changed) <= {*pending, *snippets, *(path for path in changed if path.startswith("pagefind/en/"))}, changed


def test_saves_faster_than_the_after_work_remake_only_the_changed_items_posts(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The posts of a save are one pending unit; when the next save comes before anything made it, the next
    build makes it first, puts its files in place and reuses them: only the two edited items' posts are made."""
    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    posts = counted_posts(monkeypatch)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from", "to all graduates from")
    assert app.rebuild(lambda: NOW, told=True) is not None
    assert posts == []  # pending, and no after-work ran
    # the posts come first in the after-work's order: the next build starts from them
    assert app.memory.pending_units()[0] is app.memory.first is not None
    assert all(isinstance(app.memory.outputs[path], PendingFile) and app.memory.outputs[path].pending is
               app.memory.first for path in app.memory.snippet_paths)  # type: ignore[union-attr]
    _template(root, "second save")  # a template edit: every page pending again, the posts not
    _edit(root, "content/announcements/scholarships-2027.en.md", "to all graduates from", "to every graduate from")
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None and report.ok
    assert posts == ["content/announcements/scholarships-2027.en.md"]  # the first save's, made now
    app.catch_up(search=False)
    assert posts == ["content/announcements/scholarships-2027.en.md"] * 2
    board = app.memory.output("_snippets/en/index.html")
    assert board is not None and board.data is not None and b"every graduate" in board.data


def test_a_template_edit_renders_again_from_what_the_last_build_read(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """When the watcher names templates alone, nothing is read, parsed or assembled again; the site is still the
    one a clean build makes, and its warnings are still told. A content file among them, or a clock that
    crossed an event's end, makes the build read everything. Nor are the units' frame and the pages' keys worked
    out again (only the preview's builds work them out: a clean build digests every unit)."""
    from generator.engine import stages
    from generator.outputs.unit_inputs import UnitInputs

    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    warnings = app.state.report.warnings if app.state.report else []
    reads: list[str] = []
    read_sources = stages.read_sources
    monkeypatch.setattr(stages, "read_sources", lambda run, *a: (  # the preview's builds, not the clean ones
        reads.append("read") if run.memory is not None else None) or read_sources(run, *a))
    frames: list[str] = []
    frame = UnitInputs.frame
    monkeypatch.setattr(UnitInputs, "frame", lambda self: frames.append("frame") or frame(self))

    def step(change: Callable[[Path], object], when: timedelta) -> None:
        before = snapshot(root)
        change(root)
        report = app.rebuild(lambda: NOW + when, told=True, changed=told(root, before))
        assert report is not None and report.ok and report.warnings == warnings
        same(app, clean(root, tmp_path / "clean", NOW + when), str(when))

    step(lambda r: _template(r, "one"), timedelta(0))
    step(lambda r: _template(r, "two"), timedelta(minutes=5))
    assert reads == [] and frames == []
    step(lambda r: (_template(r, "three"), _edit(r, "content/announcements/scholarships-2027.en.md",
                                                 "to graduates from", "to all graduates from")), timedelta(minutes=6))
    assert reads == ["read"] and frames == ["frame"]
    step(lambda r: _template(r, "four"), timedelta(days=30))  # events ended since: their pages changed
    assert reads == ["read", "read"] and frames == ["frame", "frame"]
    step(lambda r: shutil.rmtree(r / "templates"), timedelta(days=30))
    assert reads == ["read", "read"]


def test_a_save_the_watcher_names_is_read_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the watcher's paths, a body save reads that file and looks at no other content file (no file time);
    a new file, named too, makes the build look at the whole folder again, and finds it."""
    import os

    from generator.sources import content

    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    looked: list[str] = []
    real_stat = os.stat
    monkeypatch.setattr(content.os, "stat", lambda path, *a, **k: looked.append(str(path)) or real_stat(path, *a, **k))
    item = root / "content/announcements/scholarships-2027.en.md"
    before = snapshot(root)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from", "to all graduates from")
    names = told(root, before)
    looked.clear()  # (os.stat is the one function: the test's own look at the folder counted too)
    report = app.rebuild(lambda: NOW, told=True, changed=names)
    assert report is not None and report.ok
    assert {path for path in looked if path.endswith(".md")} == {str(item)}
    same(app, clean(root, tmp_path / "clean", NOW), "an edit")
    before = snapshot(root)
    (root / "content/announcements/new-notice.en.md").write_text(
        '---\ntitle: "New"\ndate: 2026-11-20T09:00:00+04:00\n---\nText.\n', encoding="utf-8")
    names = told(root, before)
    looked.clear()
    report = app.rebuild(lambda: NOW, told=True, changed=names)
    assert report is not None and report.ok, report.errors if report else None
    assert len([path for path in looked if path.endswith(".md")]) > 20
    assert "en/announcements/new-notice/index.html" in app.memory.outputs
    same(app, clean(root, tmp_path / "clean", NOW), "a new file")


def test_a_partial_named_another_way_is_compiled_again_when_edited(tmp_path: Path) -> None:
    """A template includes a partial as "./partials/note.html": an edit of the partial is served at once, though
    the compiled template is cached under that spelling, not under the file's own name."""
    root = demo_copy(tmp_path / "site")
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "templates" / "partials" / "note.html").write_text("<p>one</p>\n", encoding="utf-8")
    (root / "templates" / "item.html").write_text(THEME_ITEM.read_text(encoding="utf-8").replace(
        "<article", '{% include "./partials/note.html" %}<article', 1), encoding="utf-8")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    for text in ("<p>two</p>\n", "<p>three, longer</p>\n"):
        before = snapshot(root)
        (root / "templates" / "partials" / "note.html").write_text(text, encoding="utf-8")
        report = app.rebuild(lambda: NOW, told=True, changed=told(root, before))
        assert report is not None and report.ok
        same(app, clean(root, tmp_path / "clean", NOW), text)


def test_a_content_file_that_is_a_link_changes_with_its_target(tmp_path: Path) -> None:
    """A Markdown file that is a symbolic link to another changes when the other is saved, though the watcher
    names only the other: a site with such a file is looked at whole on every save."""
    root = demo_copy(tmp_path / "site")
    (root / "content/announcements/scholarships-copy.en.md").symlink_to("scholarships-2027.en.md")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    before = snapshot(root)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from", "to all graduates from")
    report = app.rebuild(lambda: NOW, told=True, changed=told(root, before))
    assert report is not None and report.ok
    status, page = call(app, "/en/announcements/scholarships-copy/")
    assert status.startswith("200") and b"to all graduates from" in page
    same(app, clean(root, tmp_path / "clean", NOW), "the link's target edited")


def test_packed_files_unpack_to_the_same_bytes_and_only_text_of_some_size_is_packed() -> None:
    page = OutputFile("en/index.html", ("<p>سلام, hello</p>" * 400).encode(), digest="d")
    held = packed(page)
    assert isinstance(held, PackedFile) and len(held.packed) * 5 < len(page.data or b"") and held.size == len(page.data or b"")
    assert unpacked(held) == page  # path, bytes and digest
    small = OutputFile("en/robots.txt", b"x" * (PACK_FROM - 1))
    picture = OutputFile("static/photo.jpg", b"\xff" * 10_000)
    copied = OutputFile("static/site.css", copy_from="/somewhere/site.css")
    post = OutputFile("_snippets/en/announcements/a.json", b"{" + b" " * 5000 + b"}")  # reused whole by the next board
    assert packed(small) is small and packed(picture) is picture and packed(copied) is copied and packed(post) is post


def test_the_preview_holds_its_text_packed_and_a_made_pending_unit_keeps_no_second_copy(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    pages = {path: held for path, held in app.memory.outputs.items() if path.endswith(".html")}
    assert pages and all(isinstance(held, PackedFile) for held in pages.values()
                         if not isinstance(held, OutputFile) or len(held.data or b"") >= PACK_FROM)  # but a redirect
    packs = [held for held in pages.values() if isinstance(held, PackedFile)]
    assert len(packs) * 2 > len(pages) and sum(len(held.packed) for held in packs) * 3 < sum(held.size for held in packs)
    _edit(root, "content/announcements/scholarships-2027.en.md", "to graduates from", "to all graduates from")
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None
    # the summary an officer reads after a save: nothing made yet is counted as changed
    assert report.written == 0 and report.waiting > 10 and f"(0 changed, {report.waiting} to make when asked for)" \
        in report.summary()
    path = "en/announcements/scholarships-2027/index.html"
    held = app.memory.outputs[path]
    assert isinstance(held, PendingFile)
    served = app.memory.output(path)
    assert served is not None and b"to all graduates from" in (served.data or b"")
    assert isinstance(app.memory.outputs[path], PackedFile)
    assert all(isinstance(made, PackedFile) for made in held.pending.files().values())


def test_the_preview_holds_source_texts_packed_and_parses_them_again_when_the_settings_change(tmp_path: Path) -> None:
    """The files it read are held compressed; a change of site.yml makes every page parse again from them (no
    file is read again: their times are the same), and the served site is still a clean build's."""
    import os

    root = demo_copy(tmp_path / "site")
    for file in (root / "content").rglob("*"):  # older than a second: remembered (a newer one is read again)
        os.utime(file, (1_700_000_000, 1_700_000_000))
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    held = [source for _, source in app.memory.sources.values()]
    assert len(held) > 50 and all(source.text == "" and source.packed for source in held)
    assert all(source.content == (root / source.path).read_text(encoding="utf-8") for source in held)
    _edit(root, "site.yml", "Embassy of the Republic of Veloria in Azerbaijan", "Embassy of Veloria in Azerbaijan")
    report = app.rebuild(lambda: NOW, told=True)
    assert report is not None and report.ok, report.problems
    assert served(app) == clean(root, tmp_path / "clean", NOW)


def test_a_save_that_changes_no_post_keeps_the_board_as_it_is_held(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A body edit of an item whose posts show what lists show: the board and every post are kept as held (no
    item's posts, no board made again, none left pending), and the preview is still what a clean build makes."""
    import generator.outputs.snippets as snippets_module
    from generator.engine.stages import LaterBoard

    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    held = {path: app.memory.outputs[path] for path in app.memory.snippet_paths}
    monkeypatch.setattr(snippets_module, "build_snippet_files", lambda *a, **k: pytest.fail("board made again"))
    body = ("content/announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates.")
    _edit(root, *body)
    report = app.rebuild(lambda: NOW, told=True, changed=frozenset({str(root / body[0])}))
    assert report is not None and report.ok
    assert not isinstance(app.memory.snippets, LaterBoard)
    assert all(app.memory.outputs[path] is file for path, file in held.items())
    monkeypatch.undo()
    same(app, clean(root, tmp_path / "clean", NOW), "body edit")


def test_a_body_edit_with_the_same_post_keys_keeps_the_posts_without_looking_at_any_item(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a body edit of an item whose posts show what lists show, the last build's posts and boards are kept
    from the edited pages' keys alone: neither the whole-board check (every item's key, every board's frame) nor
    the board's making runs; nor after a template edit. An urgent item's body is in its posts: its edit makes
    them again, and the preview is still what a clean build makes after each."""
    import generator.engine.stages as stages_module
    import generator.outputs.snippets as snippets_module

    root = demo_copy(tmp_path / "site")
    app = PreviewApp(root, tmp_path / "preview")
    assert app.rebuild(lambda: NOW) is not None
    held = {path: app.memory.outputs[path] for path in app.memory.snippet_paths}
    with monkeypatch.context() as patched:
        patched.setattr(snippets_module, "build_snippet_files", lambda *a, **k: pytest.fail("board made again"))
        patched.setattr(stages_module, "kept_whole", lambda *a, **k: pytest.fail("every item looked at"),
                        raising=False)
        patched.setattr(snippets_module, "kept_whole", lambda *a, **k: pytest.fail("every item looked at"))
        for n, body in enumerate(["to graduates.", "to graduates, twice."]):
            before = "to graduates from Azerbaijan." if n == 0 else "to graduates."
            _edit(root, "content/announcements/scholarships-2027.en.md", before, body)
            report = app.rebuild(lambda: NOW, told=True, changed=frozenset(
                {str(root / "content/announcements/scholarships-2027.en.md")}))
            assert report is not None and report.ok, report.problems
            assert all(app.memory.outputs[path] is file for path, file in held.items())
        template = root / "templates" / "item.html"  # a template edit: the site is the last build's, kept
        template.parent.mkdir(exist_ok=True)
        template.write_text('{% extends "default:item.html" %}\n', encoding="utf-8")
        report = app.rebuild(lambda: NOW, told=True, changed=frozenset({str(template)}))
        assert report is not None and report.ok, report.problems
        assert all(app.memory.outputs[path] is file for path, file in held.items())
    same(app, clean(root, tmp_path / "clean", NOW), "body and template edits")
    urgent = "content/announcements/consular-registration-winter-2026.en.md"
    _edit(root, urgent, "Register your stay", "Register your whole stay")
    report = app.rebuild(lambda: NOW, told=True, changed=frozenset({str(root / urgent)}))
    assert report is not None and report.ok, report.problems
    app.catch_up()
    json_path = "_snippets/en/announcements/consular-registration-winter-2026.json"
    assert app.memory.outputs[json_path] is not held[json_path]
    same(app, clean(root, tmp_path / "clean", NOW), "an urgent item's body edit")
