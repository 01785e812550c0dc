"""The cross-build snippet cache (snippets-v1.json): reuse never changes the output, and a bad cache is discarded.

Every build here runs with ``jobs=1``, so posts are made in this process and the ``make_post`` spy sees them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

import generator.outputs.snippets as snippets_module
from generator.core.cache import CACHE_DIR, SNIPPET_CACHE, read_signed, sign
from generator.core.model import Page
from generator.engine.build import BuildReport, load_site
from generator.engine.fastpath import STATE_FILE
from generator.outputs.snippets import _JOINING, RULES, PlatformRules, Post, grapheme_count
from tests.conftest import NOW, run_build, tree

REPO = Path(__file__).resolve().parent.parent
ITEM = "content/announcements/consular-registration-winter-2026.en.md"  # an alert: its body is in the long-form posts
ITEM_ID = "announcements/consular-registration-winter-2026"
ITEM_JSON = f"en/{ITEM_ID}.json"
OLD_SENTENCE = "Roads to Guba, Gabala and Shahdag may close without notice."
NEW_SENTENCE = "Roads to Guba and Gabala may close without notice."

Outputs = dict[str, dict[str, bytes]]
Made = list[tuple[str, str, str]]  # (language, section/slug, platform) of every post made


# ------------------------------------------------------------------ helpers
def demo_copy(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.yml", root / "site.yml")
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / name
    text = file.read_text(encoding="utf-8")
    assert old in text, (name, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_item(root: Path) -> None:
    edit(root, ITEM, OLD_SENTENCE, NEW_SENTENCE)
    # an accepted edit of official text: the ledger (test_ledger.py) is told so, as a new changes: entry would
    ledger = root / "ledger" / (ITEM_ID + ".yml")
    if ledger.is_file():
        text = ledger.read_text(encoding="utf-8")
        ledger.write_text(re.sub(r'(?m)^(en: \{sha256: "[0-9a-f]+", changes: )\d+', r"\g<1>-1", text), encoding="utf-8")


def outputs(root: Path) -> Outputs:
    """Both trees a build writes: the site and the snippets folder beside it."""
    return {"public": tree(root / "public"), "snippets": tree(root / "snippets")}


def clean_build(root: Path, dest: Path, **kwargs: object) -> Outputs:
    """A non-incremental build of ``root``'s sources, copied to ``dest`` (the snippets folder is inside the root)."""
    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if Path(folder) == root and (n in ("public", "snippets") or n.startswith("."))]

    shutil.copytree(root, dest, ignore=ignore)
    report = run_build(dest, incremental=False, **kwargs)
    assert report.ok, report.errors
    return outputs(dest)


def assert_same(built: Outputs, expected: Outputs, what: str = "") -> None:
    for folder in ("public", "snippets"):
        assert sorted(built[folder]) == sorted(expected[folder]), (what, folder)
        assert [p for p in built[folder] if built[folder][p] != expected[folder][p]] == [], (what, folder)


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def forget_fast_path(root: Path) -> None:
    """Drop the no-change shortcut's state, so the next build runs every stage (and reads the snippet cache)."""
    (root / CACHE_DIR / STATE_FILE).unlink()


def cache_file(root: Path) -> Path:
    return root / CACHE_DIR / SNIPPET_CACHE


def read_cache(root: Path) -> dict[str, object]:
    data = json.loads(read_signed(cache_file(root)))
    assert isinstance(data, dict)
    return data


def entry_of(root: Path, cache: dict[str, object], url_part: str) -> list[object]:
    """The cache entry of the item whose section of its board links to ``url_part`` (an /<lang>/… URL)."""
    items = cache["items"]
    assert isinstance(items, dict)
    board = (root / "snippets" / url_part.split("/")[1] / "index.html").read_bytes()
    found = [entry for entry in items.values()  # the other languages' records cut a different board
             if hashlib.sha256(board[entry[1]:entry[2]]).hexdigest()[:32] == entry[3]
             and url_part.encode() in board[entry[1]:entry[2]]]
    assert len(found) == 1, url_part
    return found[0]


def warning_codes(report: BuildReport) -> list[str]:
    """The codes of the warnings in the report as ``--report`` writes it."""
    return [str(w["code"]) for w in report.as_json()["warnings"]]


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Made:
    """Every post ``make_post`` makes from now on (item_snippets looks it up in the module on each call)."""
    calls: Made = []
    original = snippets_module.make_post

    def spy(rule: PlatformRules, site: object, catalog: object, page: Page, *rest: object) -> Post:
        calls.append((page.lang, f"{page.section}/{page.slug}", rule.name))
        return original(rule, site, catalog, page, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(snippets_module, "make_post", spy)
    return calls


@pytest.fixture(scope="module")
def clean_after_edit(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    """A clean build of the demo with ITEM edited (shared: every test below makes the same edit)."""
    base = tmp_path_factory.mktemp("edited")
    root = demo_copy(base / "source")
    edit_item(root)
    return clean_build(root, base / "clean")


# ------------------------------------------------------------------ 1. incremental == clean
def test_body_edit_equals_a_clean_build_and_rewrites_only_its_snippets(tmp_path: Path, made: Made,
                                                                      clean_after_edit: Outputs) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    before, before_stamps = tree(root / "snippets"), stamps(root / "snippets")
    assert ITEM_JSON in before and OLD_SENTENCE in before[ITEM_JSON].decode()
    made.clear()

    edit_item(root)
    report = run_build(root, jobs=1)
    assert report.ok and report.warnings == []
    assert made, "the edited item's posts were made again"
    assert_same(outputs(root), clean_after_edit)

    after, after_stamps = tree(root / "snippets"), stamps(root / "snippets")
    assert sorted(after) == sorted(before)
    changed = sorted(path for path in after if after[path] != before[path])
    # the item's JSON (its alert excerpt is in the long-form posts), its language's board, the manifest
    assert changed == sorted([".legation-manifest.json", "en/index.html", ITEM_JSON])
    data = json.loads(after[ITEM_JSON])
    assert NEW_SENTENCE in data["posts"]["facebook"]["text"] and "Shahdag" not in json.dumps(data["posts"])
    kept = [path for path in after if path not in changed]
    assert len(kept) > 60
    assert {path: after_stamps[path] for path in kept} == {path: before_stamps[path] for path in kept}, \
        "unchanged snippet files must not be written again"
    assert after_stamps[ITEM_JSON] != before_stamps[ITEM_JSON]


# ------------------------------------------------------------------ 2. posts made only when needed
def test_posts_are_made_again_only_for_the_edited_item(tmp_path: Path, made: Made, clean_after_edit: Outputs) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    total = len(made)
    pages = {(lang, item) for lang, item, _ in made}
    corrected = {(lang, ITEM_ID) for lang in ("en", "ar", "az", "uz")}  # the demo's correction, offered for a week
    assert ITEM_ID == "announcements/consular-registration-winter-2026"
    platforms = len(RULES) - 1  # the demo posts everywhere but Weibo (no Chinese audience)
    assert total == platforms * (len(pages) + len(corrected)) and len(pages) > 40, \
        "the spy sees every post of a clean build"

    made.clear()
    assert run_build(root, jobs=1).ok  # the no-change shortcut
    assert made == []
    forget_fast_path(root)
    again = run_build(root, jobs=1)  # every stage runs, every post comes from the cache
    assert again.ok and "snippets" in again.timings and again.written == 0
    assert made == []

    edit_item(root)
    assert run_build(root, jobs=1).ok
    assert {item for _, item, _ in made} == {ITEM_ID}
    assert ("en", ITEM_ID, "facebook") in made
    remade = {(lang, item) for lang, item, _ in made}
    assert len(made) == 2 * platforms * len(remade)  # each remade page once, every platform, and its correction
    assert 0 < len(made) < total
    assert_same(outputs(root), clean_after_edit)


PLAIN_ITEM = "content/announcements/foreign-minister-visit.en.md"  # a press release: no body in its posts
PLAIN_OLD = "visited Baku on 4–5 November 2026"
PLAIN_NEW = "visited Baku and Ganja on 4–5 November 2026"


def test_a_body_edit_that_no_post_shows_leaves_the_snippets_folder_untouched(tmp_path: Path, made: Made) -> None:
    """Only an urgent item's posts show its body: editing another item's body makes no post, stages no file and
    writes no cache, and the folder (every file, its manifest) stays as it was, equal to a clean build's."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    before, cache_before = stamps(root / "snippets"), cache_file(root).stat().st_mtime_ns
    made.clear()
    edit(root, PLAIN_ITEM, PLAIN_OLD, PLAIN_NEW)
    report = run_build(root, jobs=1)
    assert report.ok and "snippets" in report.timings
    assert PLAIN_NEW in (root / "public/en/announcements/foreign-minister-visit/index.html").read_text()
    assert made == []
    assert stamps(root / "snippets") == before
    assert cache_file(root).stat().st_mtime_ns == cache_before
    assert not (root / ".snippets.staging").exists()
    assert_same(outputs(root), clean_build(root, tmp_path / "clean"))


@pytest.mark.parametrize("damage", ["board deleted", "board edited", "asset edited", "stray file"])
def test_a_snippets_folder_changed_by_hand_is_made_whole_again(tmp_path: Path, made: Made, damage: str) -> None:
    """The folder is kept as it is only when it still holds exactly what the previous build wrote."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    folder = root / "snippets"
    if damage == "board deleted":
        (folder / "ar/index.html").unlink()
    elif damage == "board edited":
        (folder / "ar/index.html").write_bytes((folder / "ar/index.html").read_bytes().replace(b"<main", b"<main x"))
    elif damage == "asset edited":
        (folder / "board.css").unlink()  # a hard link into the previous folder: replace it, never write through
        (folder / "board.css").write_text("body { color: red }")
    else:
        (folder / "en/notes.txt").write_text("left by hand")
    made.clear()
    edit(root, PLAIN_ITEM, PLAIN_OLD, PLAIN_NEW)
    assert run_build(root, jobs=1).ok
    # a board that is not what the cache recorded cannot give back its items' sections: they are made again
    assert {lang for lang, _, _ in made} == ({"ar"} if damage.startswith("board") else set())
    assert_same(outputs(root), clean_build(root, tmp_path / "clean"))


def test_the_clock_passing_an_expiry_drops_the_item_without_making_posts(tmp_path: Path, made: Made) -> None:
    """Boards are rebuilt from the cached posts alone: what the cache gives back must be exactly what was made."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    made.clear()
    later = NOW + timedelta(days=60)  # past the alert's expires_at (2027-01-15)
    report = run_build(root, jobs=1, now=later)
    assert report.ok and made == []
    built = outputs(root)
    assert ITEM_JSON not in built["snippets"]
    assert_same(built, clean_build(root, tmp_path / "clean", now=later))


def test_the_preview_and_the_build_share_posts_but_not_files(tmp_path: Path, made: Made) -> None:
    """The preview puts the boards under /_snippets/ of its own folder: its files are never taken for the build's."""
    def preview(root: Path) -> dict[str, bytes]:
        assert run_build(root, out=root / ".preview", jobs=1, drafts=True, snippets_in_site=True).ok
        return tree(root / ".preview")

    root = demo_copy(tmp_path / "site")
    preview(root)
    made.clear()
    assert run_build(root, jobs=1).ok
    assert made == [], "every post comes from the preview's cache"
    assert_same(outputs(root), clean_build(root, tmp_path / "clean"))

    edit_item(root)
    made.clear()
    shown = preview(root)
    assert {item for _, item, _ in made} == {ITEM_ID}
    assert NEW_SENTENCE in shown[f"_snippets/{ITEM_JSON}"].decode()
    fresh = demo_copy(tmp_path / "fresh")
    edit_item(fresh)
    assert shown == preview(fresh)


OTHER_FILE = "content/announcements/new-visa-appointment-system.en.md"  # a news item with its own summary


def test_a_body_edit_outside_the_x_post_counts_no_x_length_again(tmp_path: Path) -> None:
    """X lengths are kept across builds: importing twitter-text (half a second) is not paid for a body edit."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    cached = read_cache(root)["lengths"]
    assert isinstance(cached, dict) and len(cached) > 40 and all(cached.values())
    edit(root, OTHER_FILE, "Your insurer |", "Your insurer or bank |")
    script = ("import sys; from generator.commands.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit as done:\n    assert done.code == 0, done.code\n"
              "print('twitter_text' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script, "build", "--root", str(root), "--jobs", "1",
                           "--now", NOW.isoformat()], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False", "twitter-text was imported"
    built = outputs(root)
    assert "or bank" not in built["snippets"]["en/announcements/new-visa-appointment-system.json"].decode()
    assert_same(built, clean_build(root, tmp_path / "clean"))

    # a title edit changes the X post: it is counted (twitter-text is loaded), and still equals a clean build
    edit(root, OTHER_FILE, 'title: "Visa appointments now booked online"', 'title: "Visa appointments are now booked online"')
    done = subprocess.run([sys.executable, "-c", script, "build", "--root", str(root), "--jobs", "1",
                           "--now", NOW.isoformat()], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"
    assert_same(outputs(root), clean_build(root, tmp_path / "clean-title"))


def test_a_file_of_the_other_folder_is_checked_not_trusted(tmp_path: Path, made: Made) -> None:
    """The build may reuse the preview's item JSON (and the reverse), but reads and checks its bytes: that folder
    is another process's, which may be replacing it (here: changed behind its manifest's back)."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, out=root / ".preview", jobs=1, drafts=True, snippets_in_site=True).ok
    other = root / ".preview" / "_snippets" / ITEM_JSON
    other.write_bytes(other.read_bytes().replace(b"Shahdag", b"Tampered"))
    made.clear()
    assert run_build(root, jobs=1).ok
    assert {item for _, item, _ in made} == {ITEM_ID}, "only the changed file is made again"
    built = outputs(root)
    assert b"Tampered" not in built["snippets"][ITEM_JSON]
    assert_same(built, clean_build(root, tmp_path / "clean"))


def test_snippets_depend_on_the_code_they_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts use dates (i18n.py), URLs (site.py) and more: any change of legation's code is a change of settings."""
    site, catalog, _ = load_site(REPO, NOW)
    before = snippets_module.snippet_settings(site, catalog)
    monkeypatch.setattr(snippets_module, "code_digest", lambda: "another legation")
    assert snippets_module.snippet_settings(site, catalog) != before


# ------------------------------------------------------------------ 3. a bad cache is discarded
def _garbage(root: Path) -> None:
    cache_file(root).write_bytes(b"\xff\xfe\x00\x9c not JSON \x00")


def _truncated(root: Path) -> None:
    cache_file(root).write_text(cache_file(root).read_text(encoding="utf-8")[:500], encoding="utf-8")


def _rewrite(change: Callable[[Path, dict[str, object]], object]) -> Callable[[Path], None]:
    """Read the cache, let ``change`` alter it in place, write it back as valid JSON."""
    def corrupt(root: Path) -> None:
        data = read_cache(root)
        change(root, data)
        cache_file(root).write_bytes(sign(json.dumps(data).encode()))  # signed: its shape is what is tested

    return corrupt


def _entry(url_part: str, change: Callable[[list[object]], object]) -> Callable[[Path], None]:
    """Alter the cache entry of the item whose posts link to ``url_part``."""
    return _rewrite(lambda root, data: change(entry_of(root, data, url_part)))


def _field(index: int, value: Callable[[object], object]) -> Callable[[list[object]], None]:
    """Replace one field of an entry (fields in generator.outputs.snippets.CachedItem order) by ``value(old)``."""
    def change(entry: list[object]) -> None:
        entry[index] = value(entry[index])

    return change


# Another English item, whose cached posts the English board needs once ITEM changes.
OTHER = "/en/announcements/new-visa-appointment-system/"

CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "garbage bytes": _garbage,
    "truncated JSON": _truncated,
    "wrong shape": lambda root: cache_file(root).write_bytes(sign(b'{"out": 3, "items": []}')),
    "boards not a mapping": _rewrite(lambda root, data: data.update(boards=[])),
    "entry with wrong types": _entry(OTHER, lambda entry: entry.__setitem__(slice(None), ["yes", {}, 5])),
    "JSON digest a number": _entry(OTHER, _field(0, lambda old: 5)),
    "offsets shifted into the next item": _entry(OTHER, lambda entry: entry.__setitem__(slice(1, 3), [
        int(entry[1]) + 40, int(entry[2]) + 40])),  # type: ignore[call-overload]
    "offsets past the board": _entry(OTHER, _field(2, lambda old: 10**9)),
    "offsets as strings": _entry(OTHER, _field(1, str)),
    "section digest altered": _entry(OTHER, _field(3, lambda old: "0" * 32)),
    "warnings not records": _entry(OTHER, _field(4, lambda old: ["too long"])),
    "record too short": _entry(OTHER, lambda entry: entry.pop()),
    "an X length not a number": _rewrite(lambda root, data: next(iter(data["lengths"].values())).update(  # type: ignore[attr-defined]
        {"0" * 24: "120"})),
    "X lengths not a mapping": _rewrite(lambda root, data: data.update(lengths=[])),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_a_corrupt_snippet_cache_is_discarded_with_a_warning(name: str, tmp_path: Path, made: Made,
                                                            clean_after_edit: Outputs) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    every = set(made)
    CORRUPTIONS[name](root)
    edit_item(root)  # the English board is made again, from every other English item's cached posts
    made.clear()

    report = run_build(root, jobs=1, strict=True)  # a broken cache is not a content problem
    assert report.ok, report.errors
    assert warning_codes(report) == ["cache"], name
    warning = report.warnings[0]
    assert warning.location.path == f"{CACHE_DIR}/{SNIPPET_CACHE}" and "snippet cache" in warning.message
    assert set(made) == every, "every post is made again"
    assert_same(outputs(root), clean_after_edit, name)

    # a fresh cache was written: the next full build warns no more and makes nothing
    made.clear()
    forget_fast_path(root)
    again = run_build(root, jobs=1)
    assert again.ok and again.warnings == [] and made == []


def test_the_report_file_carries_the_cache_warning(tmp_path: Path) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root).ok
    _garbage(root)
    edit_item(root)
    report_file = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root), "--jobs", "1",
                           "--now", NOW.isoformat(), "--report", str(report_file)],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["ok"] and [w["code"] for w in report["warnings"]] == ["cache"]
    assert report["warnings"][0]["file"] == f"{CACHE_DIR}/{SNIPPET_CACHE}"
    assert NEW_SENTENCE in (root / "snippets" / ITEM_JSON).read_text(encoding="utf-8")


def test_a_corrupt_record_nobody_needs_never_reaches_the_output(tmp_path: Path) -> None:
    """Records are checked when they are read, even one that no changed file needs: never trusted."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    _entry(OTHER, _field(3, lambda old: "0" * 32))(root)
    edit(root, "content/announcements/scholarships-2027.ar.md", "وإيابًا", "وإيابًا مجانًا")  # in another language
    report = run_build(root, jobs=1)
    assert report.ok and set(warning_codes(report)) <= {"cache"}
    assert_same(outputs(root), clean_build(root, tmp_path / "clean"))


def test_a_build_without_snippets_leaves_a_usable_cache(tmp_path: Path) -> None:
    """Turning snippets off and on again is not a corrupt cache (it once warned that it was)."""
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    platforms = "platforms: [x, bluesky, mastodon, threads, facebook, linkedin, instagram, telegram]"
    edit(root, "site.yml", platforms, "platforms: []")
    off = run_build(root, jobs=1)
    assert off.ok and off.warnings == []
    edit(root, "site.yml", "platforms: []", platforms)
    on = run_build(root, jobs=1)
    assert on.ok and on.warnings == []
    assert_same(outputs(root), clean_build(root, tmp_path / "clean"))


# ------------------------------------------------------------------ 4. config changes invalidate the cache
def _add_to_snippets(line: str) -> Callable[[Path], None]:
    """Add a line at the end of site.yml's snippets block (the top-level tags map follows it)."""
    return lambda root: edit(root, "site.yml", "\ntags:\n", f"\n{line}\ntags:\n")


def _ui_string(root: Path) -> None:
    (root / "i18n").mkdir(exist_ok=True)
    (root / "i18n" / "en.yml").write_text('snippet.link_in_bio: "Link in our profile"\n', encoding="utf-8")


# (name, change, a check on the new English JSON of ITEM that only the changed setting passes)
CONFIG_STEPS: list[tuple[str, Callable[[Path], None], Callable[[dict[str, object]], bool]]] = [
    ("a site-wide hashtag added", lambda r: edit(r, "site.yml", 'hashtags: ["Veloria"]', 'hashtags: ["Veloria", "Baku"]'),
     lambda d: "#Baku" in d["posts"]["x"]["hashtags"]),
    ("a platform's limit", _add_to_snippets("  limits: {bluesky: 180}"),
     lambda d: d["posts"]["bluesky"]["limit"] == 180 and d["posts"]["bluesky"]["length"] <= 180),
    ("a platform's URL length", _add_to_snippets("  url_length: {mastodon: 40}"),
     lambda d: d["posts"]["mastodon"]["length"] == len(d["posts"]["mastodon"]["text"]) - len(d["posts"]["mastodon"]["url"]) + 40),
    ("the UTM medium", lambda r: edit(r, "site.yml", "utm: {medium: social}", "utm: {medium: post}"),
     lambda d: "utm_medium=post" in d["posts"]["x"]["url"]),
    ("a UI string", _ui_string, lambda d: "Link in our profile" in d["posts"]["instagram"]["text"]),
    ("a platform dropped", lambda r: edit(r, "site.yml", ", instagram, telegram]", ", instagram]"),
     lambda d: "telegram" not in d["posts"] and "instagram" in d["posts"]),
]


def test_snippet_settings_changes_equal_a_clean_build(tmp_path: Path, made: Made) -> None:
    root = demo_copy(tmp_path / "site")
    assert run_build(root, jobs=1).ok
    for number, (name, change, check) in enumerate(CONFIG_STEPS):
        before = tree(root / "snippets")
        assert not check(json.loads(before[ITEM_JSON])), name
        change(root)
        made.clear()
        report = run_build(root, jobs=1)
        assert report.ok, (name, report.errors)
        assert "cache" not in warning_codes(report), name
        assert made, name
        built = outputs(root)
        assert check(json.loads(built["snippets"][ITEM_JSON])), name
        assert_same(built, clean_build(root, tmp_path / f"clean-{number}"), name)


# ------------------------------------------------------------------ 5. grapheme_count's fast path
GRAPHEME_TOKENS = [
    "a", "Z", "1", " ", ".", "#", "\n", "\r", "\r\n", "\n\r", "\t", "\x00", "\x7f", "\u00ad",
    "مرحبا", "مُحَمَّد", "لا", "\u0600١٢", "\u06dd", "ـ",  # Arabic: harakat, lam-alif, prepended number sign
    "e\u0301", "a\u0308\u0301", "\u0301", "\u20dd", "ı\u0307",  # combining marks, alone too
    "👩‍👩‍👧", "👨🏽‍💻", "🏳️‍🌈", "\u200d", "\u200c", "a\u200db", "👍🏽", "🏽",  # ZWJ sequences, skin tones
    "🇦🇿", "🇦", "🇺🇳🇦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿",  # flags: pairs, a lone and an odd regional indicator, a tag sequence
    "❤️", "☺︎", "#️⃣", "1\ufe0f\u20e3", "\ufe0f", "葛\U000e0100",  # variation selectors, keycaps, an ideographic variant
    "한국어", "\u1100\u1161\u11a8", "\u1100", "\u11a8",  # Hangul syllables and jamo
    "क्षि", "\u0915\u094d\u0937", "\u0903", "กำ", "\u0e33", "ো",  # Indic conjuncts and spacing marks, Thai sara am
    "日本語", "oʻzbek", "Azərbaycan", "…", "—", "\ud83d", "\U0010fffd", "\u2066", "\u2069",
]
grapheme_texts = st.lists(st.one_of(st.sampled_from(GRAPHEME_TOKENS), st.characters()), max_size=40).map("".join)
non_joining = st.text(st.characters().filter(lambda ch: _JOINING.search(ch) is None), max_size=60)


def clusters(text: str) -> int:
    """The reference: grapheme_count's slow path, the ``regex`` module's extended grapheme clusters."""
    return len(regex.findall(r"\X", text))


@pytest.mark.parametrize("token", GRAPHEME_TOKENS)
def test_grapheme_count_of_each_token(token: str) -> None:
    for text in (token, token * 2, f"x{token}", f"{token}x"):
        assert grapheme_count(text) == clusters(text), ascii(text)


@given(grapheme_texts)
@example("🇦🇿🇦🇿")
@example("\r\n")
@example("\u0600a")
@settings(max_examples=400, deadline=None)
def test_grapheme_count_equals_extended_grapheme_clusters(text: str) -> None:
    assert grapheme_count(text) == clusters(text)


@given(non_joining)
@settings(max_examples=300, deadline=None)
def test_text_without_joining_characters_is_one_grapheme_per_character(text: str) -> None:
    assert grapheme_count(text) == len(text) == clusters(text)


def test_no_code_point_outside_the_joining_class_joins_its_neighbour() -> None:
    """Every code point the fast path counts as one grapheme, side by side in code point order and reversed."""
    every = "".join(map(chr, range(0x110000)))
    alone = _JOINING.sub("", every)
    assert len(alone) > 1_000_000
    for text in (alone, alone[::-1]):
        assert clusters(text) == len(text) == grapheme_count(text)


def test_board_ids_are_unique_and_name_their_item(tmp_path: Path) -> None:
    """Ids come from section, slug and platform (not the position), so two sections may share a slug."""
    root = demo_copy(tmp_path / "site")
    (root / "content/events/new-visa-appointment-system.en.md").write_text(
        '---\ntitle: "Visa evening"\ndate: 2026-10-20\nstart: 2026-12-20T18:00:00+04:00\n---\nText.\n',
        encoding="utf-8")
    report = run_build(root, jobs=1)
    assert report.ok, report.errors
    board = (root / "snippets/en/index.html").read_text(encoding="utf-8")
    ids = regex.findall(r' id="([^"]+)"', board)
    assert len(ids) == len(set(ids)) > 40
    assert {"item-announcements-new-visa-appointment-system", "item-events-new-visa-appointment-system",
            "post-events-new-visa-appointment-system-x"} <= set(ids)
    assert all(f'data-copy="{i}"' in board for i in ids if i.startswith("post-"))
