"""Site search (generator/search.py, themes/default/static/search.js): Pagefind's index per language, queried in
real Chromium under the policy the host's _headers gives each path, with folded Azerbaijani and Uzbek spellings."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.outputs import search, templates
from generator.outputs.search import fold
from tests.browser import AXE_JS, chromium_page, require_chromium, serve_folder
from tests.conftest import run_build, tree

REPO = Path(__file__).resolve().parent.parent
WATER = "/announcements/statement-on-regional-water-forum/"
FALSE = "/announcements/false-reports-visa-suspension/"


def demo_copy(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("site.yml", "content", "ledger", "translations"):
        if (REPO / name).exists():
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, site / name)
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = demo_copy(tmp_path_factory.mktemp("search"))
    report = run_build(site, site / "public")
    assert report.ok, [p.format() for p in report.problems]
    assert not [p for p in report.warnings if p.code == "search"]
    return site / "public"


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("bəyanat", "az", "beyanat"), ("BƏYANAT", "az", "BEYANAT"), ("işıq", "az", "işiq"), ("İş", "az", "Iş"),
    ("yolgʻon", "uz", "yolgon"), ("yolg'on", "uz", "yolgon"), ("yolg‘on", "uz", "yolgon"), ("yolg’on", "uz", "yolgon"),
    ("yolgʼon", "uz", "yolgon"), ("yolg`on", "uz", "yolgon"), ("oʻzbek", "uz-Latn", "ozbek"),
    ("bəyanat", "en", "bəyanat"), ("don't", "en", "don't"), ("إعلان", "ar", "إعلان"),
])
def test_fold_touches_only_the_folded_languages_letters(text: str, lang: str, expected: str) -> None:
    assert fold(text, lang) == expected


def test_the_index_holds_item_pages_only_folded_and_shows_them_unfolded(built: Path) -> None:
    for lang in ("en", "ar", "az", "uz"):  # a bundle per language: an edit re-indexes its language alone
        entry = json.loads((built / "pagefind" / lang / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == [lang] and (built / "pagefind" / lang / "pagefind.js").is_file()
    assert not list((built / "pagefind").rglob("pagefind-ui*")), "Pagefind's own UI is not published"
    for lang in ("en", "ar", "az", "uz"):
        page = (built / "search" / lang / "index.html").read_text(encoding="utf-8")
        assert "'wasm-unsafe-eval'" in page and f'lang="{lang}"' in page
        assert 'name="robots" content="noindex"' in page
        assert f'href="/search/{lang}/"' in (built / lang / "index.html").read_text(encoding="utf-8")
    assert "search/" not in (built / "sitemap.xml").read_text(encoding="utf-8")


def test_two_builds_give_byte_identical_index_files(built: Path, tmp_path: Path) -> None:
    site = demo_copy(tmp_path)
    assert run_build(site, site / "public").ok

    def digests(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((folder / "pagefind").rglob("*")) if p.is_file()}

    assert digests(built) == digests(site / "public")


def test_an_edit_reindexes_only_when_indexed_text_changed(make_site: Callable[..., Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "indexed"  # a file: the render may run in forked workers
    original = templates.index_files

    def counted(records: object, *args: object) -> object:
        with calls.open("a", encoding="utf-8") as log:
            log.write("indexed\n")
        return original(records, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(templates, "index_files", counted)
    root = make_site()
    assert run_build(root).ok
    languages = calls.read_text(encoding="utf-8").count("indexed")  # one run per language
    assert languages >= 2
    source = next((root / "content/announcements").glob("*.en.md"))
    entry = root / "public/pagefind/en/pagefind-entry.json"
    before = entry.read_bytes()
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "paginate: 3\n", encoding="utf-8")
    assert run_build(root).ok  # lists change, no indexed text does: the index files are the previous build's
    assert calls.read_text(encoding="utf-8").count("indexed") == languages and entry.read_bytes() == before
    source.write_text(source.read_text(encoding="utf-8") + "\nA new word: zanzibarite.\n", encoding="utf-8")
    assert run_build(root).ok  # English text changed: the English index alone is made again
    assert calls.read_text(encoding="utf-8").count("indexed") == languages + 1 and entry.read_bytes() != before
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("public", ".legation*"))
    assert run_build(fresh).ok
    assert tree(root / "public/pagefind") == tree(fresh / "public/pagefind")


def test_without_pagefind_the_site_is_built_with_a_warning_and_no_search_link(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "available", lambda find=None: False)
    root = make_site()
    report = run_build(root)
    assert report.ok
    warning = next(p for p in report.warnings if p.code == "search")
    assert warning.location.path == "site.yml" and "without search" in warning.message and "search: false" in warning.hint
    assert not (root / "public/search").exists() and not (root / "public/pagefind").exists()
    assert "/search/" not in (root / "public/en/index.html").read_text(encoding="utf-8")


def test_search_false_in_site_yml_builds_no_search_and_says_nothing(make_site: Callable[..., Path]) -> None:
    root = make_site()
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    report = run_build(root)
    assert report.ok and not [p for p in report.warnings if p.code == "search"]
    assert not (root / "public/search").exists()


def test_a_search_setting_that_is_not_true_or_false_is_a_located_error(make_site: Callable[..., Path]) -> None:
    root = make_site()
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "search: yes please\n", encoding="utf-8")
    report = run_build(root)
    assert not report.ok
    error = report.errors[0]
    assert error.location.path == "site.yml" and error.location.line > 0 and "search" in error.message


#: (language, query as people type it, the item it must find)
QUERIES = [
    ("en", "visa suspension", FALSE), ("en", "water forum", WATER),
    ("ar", "انباء", FALSE),  # hamza-less: أنباء
    ("ar", "أنباء كاذبة", FALSE),
    ("az", "beyanat", WATER), ("az", "bəyanat", WATER),
    ("uz", "yolg'on", FALSE), ("uz", "yolgʻon", FALSE), ("uz", "yolgon", FALSE),
]


def test_search_in_chromium_under_the_hosts_headers_finds_folded_spellings(built: Path) -> None:
    require_chromium()
    with serve_folder(built, honour_headers=True) as base, chromium_page(bypass_csp=False) as page:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text)  # a CSP refusal or a script error
                if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
        page.on("response", lambda answer: errors.append(answer.url)  # the browser's own /favicon.ico aside
                if answer.status >= 400 and not answer.url.endswith("/favicon.ico") else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for lang, query, item in QUERIES:
            page.goto(f"{base}/search/{lang}/?q={query}")
            page.wait_for_selector("body[data-searched]", state="attached", timeout=20000)
            links = page.eval_on_selector_all("#search-results a", "nodes => nodes.map(n => n.getAttribute('href'))")
            assert f"/{lang}{item}" in links, (lang, query, links, page.inner_text("#search-status"))
            assert all(link.startswith(f"/{lang}/") for link in links), links  # one language's index
            shown = page.inner_text("#search-results")
            if lang == "az":
                assert "bəyanat" in shown  # what a page shows is never folded
            if lang == "ar":
                assert page.evaluate("getComputedStyle(document.getElementById('search-results')).direction") == "rtl"
        page.goto(f"{base}/search/en/?q=zzzqqqnothing")
        page.wait_for_selector("body[data-searched]", state="attached")
        assert "Nothing found for “zzzqqqnothing”" in page.inner_text("#search-status")
        page.goto(f"{base}/search/az/")  # the form: typed and submitted as a reader would
        page.wait_for_selector("body[data-search-ready]", state="attached")
        page.fill("#search-query", "beyanat")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("body[data-searched=beyanat]", state="attached")
        assert page.eval_on_selector_all("#search-results a", "n => n.length") > 0
        assert errors == [], errors


def test_the_scripts_fold_is_the_indexers(built: Path) -> None:
    """search.js folds a query as search.py folds the indexed text (else a query could never match)."""
    require_chromium()
    samples = ["Bəyanat İşıq yolgʻon yolg'on yolg‘on yolg’on yolgʼon yolg`on", "إعلان", "don't"]
    with serve_folder(built, honour_headers=True) as base, chromium_page(bypass_csp=False) as page:
        for lang in ("en", "ar", "az", "uz"):
            page.goto(f"{base}/search/{lang}/")
            page.wait_for_selector("body[data-search-ready]", state="attached")
            for text in samples:
                folded = page.evaluate(
                    "async ([text, lang]) => (await import('/static/search.js')).fold(text, lang)", [text, lang])
                assert folded == fold(text, lang), (lang, text, folded)


def test_the_search_page_passes_axe_in_every_direction(built: Path) -> None:
    require_chromium()
    with serve_folder(built, honour_headers=True) as base, chromium_page() as page:
        for lang in ("en", "ar"):
            page.goto(f"{base}/search/{lang}/?q={'visa' if lang == 'en' else 'انباء'}")
            page.wait_for_selector("body[data-searched]", state="attached")
            page.add_script_tag(path=str(AXE_JS))
            violations = page.evaluate(
                "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']},"
                " resultTypes: ['violations']}).then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))")
            assert violations == [], (lang, violations)
