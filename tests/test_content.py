"""Content files (generator/content.py): discovery, front matter per section, inheritance, YAML pitfalls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from generator.core.errors import ContentError
from generator.core.model import SourceFile
from generator.sources.config import load_config, parse_config
from generator.sources.content import build_page, decode_text, discover, parse_all, slugify, source_hash, split_front_matter
from generator.sources.markdown import make_markdown
from tests.conftest import SITE_YML


def parse(make_site: Callable[..., Path], files: dict[str, str | bytes]):  # type: ignore[no-untyped-def]
    root = make_site(files)
    config = load_config(root)
    sources, found = discover(root, config)
    pages, problems = parse_all(sources, config)
    return {(p.section, p.slug, p.lang): p for p in pages}, [*found, *problems]


def test_slugify() -> None:
    assert slugify("Visa Fees 2027!") == "visa-fees-2027"
    assert slugify("Çay və şəkər") == "cay-va-sakar"
    assert slugify("Oʻzbekiston gʻalabasi") == "ozbekiston-galabasi"
    assert slugify("مرحبا") == "item"


def test_discovery_of_files_and_bundles(make_site: Callable[..., Path]) -> None:
    pages, problems = parse(make_site, {
        "content/announcements/photo-news/index.en.md": '---\ntitle: "Photo"\ndate: 2026-11-01\n'
                                                        'image: {src: "p.png", alt: "A photo"}\n---\nx\n',
        "content/announcements/photo-news/p.png": b"\x89PNG",
    })
    assert not [p for p in problems if p.severity == "error"]
    photo = pages[("announcements", "photo-news", "en")]
    assert photo.bundle_assets == ("content/announcements/photo-news/p.png",)
    assert photo.image is not None and photo.image.alt == "A photo"


def test_translations_inherit_untranslatable_keys(make_site: Callable[..., Path]) -> None:
    pages, _ = parse(make_site, {})
    english, arabic = pages[("announcements", "consular-hours", "en")], pages[("announcements", "consular-hours", "ar")]
    assert arabic.date == english.date and arabic.tags == english.tags and arabic.kind == english.kind
    assert arabic.title == "ساعات العمل القنصلية" and arabic.summary != english.summary


@pytest.mark.parametrize(("text", "line", "needle"), [
    ('---\ntitle: no\ndate: 2026-11-01\n---\nx\n', 2, 'write title: "no" in quotes'),
    ('---\ntitle: "A"\n---\nx\n', 2, 'missing required key "date"'),
    ('---\ntitle: "A"\ndate: 2026-13-01\n---\nx\n', 3, "date"),
    ('---\ntitle: "A"\ndate: 2026-11-01\nimage: {src: "/static/a.png"}\n---\nx\n', 4, 'missing required key "alt"'),
    ('---\ntitle: "A"\ndate: 2026-11-01\nkind: gossip\n---\nx\n', 4, "kind"),
    # an unclosed quote: told where it opens, not where the front matter ends
    ('---\ndate: 2026-11-01\ntitle: "Consular hours\nsummary: Short\n---\nx\n', 3, "quotation mark is never closed"),
    ("---\ndate: 2026-11-01\ntitle: 'Consular hours\n---\nx\n", 3, "quotation mark is never closed"),
])
def test_front_matter_errors_are_located(make_site: Callable[..., Path], text: str, line: int, needle: str) -> None:
    _, problems = parse(make_site, {"content/announcements/bad.en.md": text})
    found = [p for p in problems if p.location.path == "content/announcements/bad.en.md"]
    assert found and found[0].location.line == line, found
    assert any(needle in f"{p.message} {p.hint}" for p in found), found


def test_event_end_before_start(make_site: Callable[..., Path]) -> None:
    _, problems = parse(make_site, {"content/events/x.en.md": '---\ntitle: "E"\ndate: 2026-11-01\n'
                                    "start: 2026-12-01T18:00:00+04:00\nend: 2026-12-01T17:00:00+04:00\n---\nx\n"})
    assert any(p.location.line == 5 and "end" in p.message for p in problems)


def test_bad_files_are_reported_not_crashing(make_site: Callable[..., Path]) -> None:
    _, problems = parse(make_site, {
        "content/announcements/latin1.en.md": b'---\ntitle: "caf\xe9"\ndate: 2026-11-01\n---\nx\n',
        "content/announcements/empty.en.md": "",
        "content/announcements/x.klingon.md": '---\ntitle: "x"\n---\n',
    })
    text = "\n".join(p.format() for p in problems)
    assert "latin1.en.md:2" in text and "UTF-8" in text
    assert "empty.en.md:1:1: error: file is empty" in text
    assert "klingon" in text


def test_split_front_matter_and_hash() -> None:
    source = SourceFile("content/pages/a.en.md", "pages", "a", "en", '---\ntitle: "A"\n---\nBody\n')
    fm = split_front_matter(source)
    assert fm.doc.data == {"title": "A"} and fm.body == "Body\n"
    assert source_hash("A", "", "Body\n") == source_hash(" A ", "", "Body")  # whitespace does not count
    assert source_hash("A", "", "Body") != source_hash("A", "", "Body!")
    with pytest.raises(ContentError, match="not closed"):
        split_front_matter(SourceFile("content/pages/b.en.md", "pages", "b", "en", '---\ntitle: "A"\n'))


def build(section: str, text: str, lang: str = "en", default: str | None = None):  # type: ignore[no-untyped-def]
    source = SourceFile(f"content/{section}/x.{lang}.md", section, "x", lang, text)
    base = split_front_matter(SourceFile(f"content/{section}/x.en.md", section, "x", "en", default)) if default else None
    return build_page(split_front_matter(source), parse_config(SITE_YML), make_markdown(), base)


def test_dates_without_a_zone_take_the_site_zone() -> None:
    page, problems = build("announcements", '---\ntitle: "A"\ndate: 2026-11-01T10:00:00\nupdated: 2026-11-02\n---\nx\n')
    assert page is not None and not problems
    assert page.date is not None and page.date.utcoffset() == timedelta(hours=4) and page.date.hour == 10  # Asia/Baku
    assert page.updated is not None and (page.updated.hour, page.updated.utcoffset()) == (0, timedelta(hours=4))


@pytest.mark.parametrize(("section", "extra", "where", "needle"), [
    ("announcements", "date: 9:30", "3:7", "must be a date, not the number 570"),
    ("announcements", "date: 2026-11-01\ntags: 5", "4:7", "tags must be a list"),
    ("announcements", 'date: 2026-11-01\ndraft: "yes"', "4:8", "draft must be true or false"),
    ("pages", "menu: first", "3:7", "menu must be a whole number"),
    ("events", "date: 2026-11-01", "2:1", 'missing required key "start"'),
    ("investment", "date: 2026-11-01", "2:1", 'missing required key "sector"'),
    ("announcements", 'date: 2026-11-01\nimage: {src: "../secret.png", alt: "x"}', "4:14", "must stay inside the site"),
    ("announcements", 'date: 2026-11-01\nimage: {src: "p.png", alt: "x"}', "4:14", "not a bundle"),
    ("announcements", 'date: 2026-11-01\nimage: {src: "/static/p.png", alt: " "}', "4:36", "image.alt is empty"),
    ("announcements", 'date: 2026-11-01\ntitel: "B"', "4:1", 'did you mean "title"'),
])
def test_wrong_values_are_located_errors(section: str, extra: str, where: str, needle: str) -> None:
    page, problems = build(section, f'---\ntitle: "A"\n{extra}\n---\nx\n')
    assert page is None
    found = [p.format() for p in problems]
    assert any(f.startswith(f"content/{section}/x.en.md:{where}: error") and needle in f for f in found), found


def test_translation_inherits_and_does_not_repeat_the_default_files_errors() -> None:
    english = '---\ntitle: "A"\ndate: 2026-11-01\nkind: gossip\ntags: [visa]\n---\nx\n'
    page, problems = build("announcements", '---\ntitle: "ح"\n---\nنص\n', lang="ar", default=english)
    assert page is not None and problems == []  # "kind" is reported in the English file only
    assert page.tags == ("visa",) and page.date is not None and page.kind == "news" and page.title == "ح"
    event = '---\ntitle: "E"\ndate: 2026-11-01\nstart: 2026-12-01T18:00:00+04:00\nvenue: {name: "House", city: "Baku"}\n---\n'
    page, problems = build("events", '---\ntitle: "ح"\nvenue: {name: "بيت"}\nend: 2026-12-01T17:00:00+04:00\n---\n', "ar", event)
    assert page is None and any(p.location.line == 4 and "ends" in p.message for p in problems)
    page, _ = build("events", '---\ntitle: "ح"\nvenue: {name: "بيت"}\n---\n', "ar", event)
    venue = page.event.venue if page and page.event else None
    assert venue is not None and (venue.name, venue.city) == ("بيت", "Baku")  # mappings merge key by key


def test_a_withdrawal_reason_only_in_the_default_language_is_a_warning_in_each_translation() -> None:
    english = ('---\ntitle: "A"\ndate: 2026-11-01\nwithdrawn: {at: 2026-11-20T09:00:00+04:00, reason: "Wrong figures"}\n'
               "---\nx\n")
    page, problems = build("announcements", '---\ntitle: "ح"\n---\nنص\n', lang="ar", default=english)
    assert page is not None and page.withdrawn is not None and page.withdrawn.reason == "Wrong figures"
    found = [p.format() for p in problems]
    assert len(found) == 1 and found[0].startswith("content/announcements/x.ar.md:2:1: warning"), found
    assert "withdrawal reason is written only in content/announcements/x.en.md" in found[0]
    assert 'withdrawn: {reason: "…"}' in found[0]
    # a time of its own but no reason: the warning points at its withdrawn
    _, problems = build("announcements", '---\ntitle: "ح"\nwithdrawn: {at: 2026-11-21T09:00:00+04:00}\n---\nنص\n',
                        lang="ar", default=english)
    assert [p.format().split(": warning")[0] for p in problems] == ["content/announcements/x.ar.md:3:12"]
    page, problems = build("announcements", '---\ntitle: "ح"\nwithdrawn: {reason: "أرقام خاطئة"}\n---\nنص\n',
                           lang="ar", default=english)
    assert problems == [] and page is not None and page.withdrawn is not None
    assert (page.withdrawn.reason, page.withdrawn.at.isoformat()) == ("أرقام خاطئة", "2026-11-20T09:00:00+04:00")
    _, problems = build("announcements", english)
    assert problems == []  # the default-language file itself is not warned


def test_a_translation_reports_its_own_mistakes_beside_a_broken_default(make_site: Callable[..., Path]) -> None:
    event = '---\ntitle: "E"\ndate: 2026-11-01\nstart: 2026-12-01T18:00:00+04:00\nvenue: {name: "House", cty: "Baku"}\n---\n'
    pages, problems = parse(make_site, {
        "content/events/e.en.md": event,
        "content/events/e.ar.md": '---\ntitle: "ح"\nvenue: {nme: "بيت"}\n---\n',  # merged with the English venue
        "content/announcements/consular-hours.en.md": '---\ntitle: "A"\ndate: [\n---\n',
        "content/announcements/consular-hours.ar.md": '---\ntitle: "ح\n---\n',  # its own YAML is broken too
    })
    found = sorted((p.location.path, p.message) for p in problems)
    assert found == [("content/announcements/consular-hours.ar.md", found[0][1]),
                     ("content/announcements/consular-hours.en.md", found[1][1]),
                     ("content/events/e.ar.md", 'unknown key "nme" in venue'),
                     ("content/events/e.en.md", 'unknown key "cty" in venue')], found
    assert all(message.startswith("YAML") for _, message in found[:2])
    assert not {key for key in pages if key[1] in ("e", "consular-hours")}  # nor a translation of a broken file


def test_an_unreadable_default_file_still_claims_its_page(make_site: Callable[..., Path]) -> None:
    pages, problems = parse(make_site, {"content/announcements/consular-hours.en.md": b"\xff\xfe-\x00-\x00-\x00"})
    assert [(p.location.path, p.code) for p in problems] == [("content/announcements/consular-hours.en.md", "encoding")]
    assert ("announcements", "consular-hours", "ar") not in pages


def test_unsafe_file_names_are_refused(make_site: Callable[..., Path]) -> None:
    ok = '---\ntitle: "A"\ndate: 2026-11-01\n---\nx\n'
    pages, problems = parse(make_site, {"content/announcements/...en.md": ok, "content/announcements/a..b.en.md": ok,
                                        "content/announcements/Visa-Fees.en.md": ok, "content/pages/tags.en.md": ok,
                                        "content/anouncements/x.en.md": ok})
    messages = {p.location.path: f"{p.message} | {p.hint}" for p in problems if p.severity == "error"}
    assert "content/announcements/...en.md" not in messages  # a hidden file (paths.editor_file): left out
    assert 'rename it to "a-b"' in messages["content/announcements/a..b.en.md"]
    assert 'rename it to "visa-fees"' in messages["content/announcements/Visa-Fees.en.md"]
    assert "reserved" in messages["content/pages/tags.en.md"]
    assert 'did you mean "announcements"' in messages["content/anouncements"]
    assert not {key for key in pages if key[1] in ("..", "a..b", "Visa-Fees", "tags")}


def test_file_and_bundle_with_one_slug_collide(make_site: Callable[..., Path]) -> None:
    pages, problems = parse(make_site, {"content/pages/about/index.en.md": '---\ntitle: "B"\n---\nx\n'})
    claims = [p for p in problems if "both claim the same page" in p.message]
    assert len(claims) == 1 and "about.en.md" in claims[0].message and "about/index.en.md" in claims[0].message
    assert ("pages", "about", "en") in pages


def test_file_and_bundle_are_not_called_a_case_collision(make_site: Callable[..., Path]) -> None:
    _, problems = parse(make_site, {"content/pages/about/index.en.md": '---\ntitle: "B"\n---\nx\n'})
    assert not any("letter case" in p.message for p in problems)


def test_decode_text_handles_bom_crlf_and_nul() -> None:
    assert decode_text(b"\xef\xbb\xbf---\r\ntitle: x\r\n", "p") == ("---\ntitle: x\n", None)
    text, problem = decode_text(b"ok\nab\x00", "p")
    assert text is None and problem is not None and problem.location.line == 2 and "NUL" in problem.message


@pytest.mark.parametrize(("value", "expected"), [
    ("all", ("all",)),
    ("baku", ("mission:baku",)),
    ("[baku, paris, baku]", ("mission:baku", "mission:paris")),
    ("{regions: [caucasus], missions: [paris]}", ("mission:paris", "region:caucasus")),
])
def test_a_ministry_item_says_which_missions_carry_it(value: str, expected: tuple[str, ...]) -> None:
    page, problems = build("announcements", f'---\ntitle: "A"\ndate: 2026-11-01\nsyndicate: {value}\n---\nx\n')
    assert page is not None and problems == [] and page.syndicate == expected


def test_a_translation_is_syndicated_as_its_original() -> None:
    page, _problems = build("announcements", '---\ntitle: "B"\n---\ny\n', lang="ar",
                            default='---\ntitle: "A"\ndate: 2026-11-01\nsyndicate: {regions: [caucasus]}\n---\nx\n')
    assert page is not None and page.syndicate == ("region:caucasus",)


@pytest.mark.parametrize(("value", "where", "needle"), [
    ("5", "4:12", "syndicate must be all, a list of missions"),
    ("[Baku Embassy]", "4:12", '"Baku Embassy" is not a mission of a network'),
    ("{regions: [caucasus], countries: [az]}", "4:34", 'unknown key "countries" in syndicate'),
    ("{regions: {caucasus: 1}}", "4:22", "syndicate.regions must be a list"),
])
def test_a_wrong_syndicate_value_is_a_located_error(value: str, where: str, needle: str) -> None:
    page, problems = build("announcements", f'---\ntitle: "A"\ndate: 2026-11-01\nsyndicate: {value}\n---\nx\n')
    found = [p.format() for p in problems]
    assert page is None and any(f.startswith(f"content/announcements/x.en.md:{where}: error") and needle in f
                                for f in found), found


def test_an_editors_files_are_no_content(tmp_path: Path) -> None:
    """From a new user's trial: Emacs's lock (a link to nothing named .#x), backups, auto-saves, vim's swap and
    write test, and hidden notes stopped every build and the preview ("not a safe URL slug", "language ... is not
    one of site.yml's languages", "not Markdown") and warned under --strict. They are left out, silently, in
    section folders and bundles alike; the files themselves are still found."""
    import os

    from generator.sources.config import load_config
    from generator.sources.content import discover

    root = tmp_path
    (root / "site.yml").write_text('title: {en: E}\nbase_url: "https://e.example/"\nlanguages: [{code: en, name: '
                                   'English}]\ntimezone: UTC\n', encoding="utf-8")
    section = root / "content" / "announcements"
    bundle = section / "photos"
    bundle.mkdir(parents=True)
    item = '---\ntitle: "A"\ndate: 2026-11-01\n---\nText.\n'
    (section / "news.en.md").write_text(item, encoding="utf-8")
    (bundle / "index.en.md").write_text(item, encoding="utf-8")
    os.symlink("officer@pc.4242:1733360000", section / ".#news.en.md")  # Emacs's lock: a link to nothing
    for folder in (section, bundle):
        for name in ("news.en.md~", "#news.en.md#", ".news.en.md.swp", "4913", ".hidden-notes.md", "index.en.md~"):
            (folder / name).write_text(item, encoding="utf-8")
    found, problems = discover(root, load_config(root))
    assert problems == []
    assert sorted(source.path for source in found) == ["content/announcements/news.en.md",
                                                       "content/announcements/photos/index.en.md"]
    assert [source.bundle_assets for source in found if "photos" in source.path] == [()]


def _parsed_fields(parsed):  # type: ignore[no-untyped-def]
    return (parsed.pages, parsed.problems, parsed.failed, sorted(parsed.entries), sorted(parsed.held),
            {page.url: parsed.rendered[entry[0]] for key, entry in parsed.entries.items()
             for page in [parsed.held[key]]})


@pytest.mark.parametrize(("name", "old", "new"), [
    # a body; the default-language file, whose date and tags its translations inherit
    ("announcements/scholarships-2027.en.md", "to graduates from Azerbaijan.", "to graduates."),
    ("announcements/scholarships-2027.en.md", "\ndate: 2026-", "\ndate: 2025-"),
    ("announcements/scholarships-2027.ar.md", "\n---\n", "\n---\nنص جديد.\n\n"),
])
def test_a_reparse_of_edited_files_equals_a_parse_of_all(tmp_path: Path, name: str, old: str, new: str) -> None:
    """reparse works out an edit from the edited files' translation groups and the last parse; it must equal a
    parse of every file, pages, problems, caches and all. A file that now fails, or a group that had a problem,
    is left to a parse of all (None)."""
    from generator.sources.content import parse_cached, rediscover, reparse
    from tests.test_incremental import demo_copy

    root = demo_copy(tmp_path)
    config = load_config(root)
    memo: dict = {}  # type: ignore[type-arg]
    sources, problems = discover(root, config, memo)
    first = parse_cached(sources, config, 1, {}, {}, "code")
    file = root / "content" / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    edited, _ = rediscover(root, config, (sources, problems), [str(file)], memo) or pytest.fail("not an edit")
    again = reparse(sources, first, edited, config, 1, first.rendered, first.entries, "code", first.held)
    assert again is not None
    whole = parse_cached(edited, config, 1, {}, {}, "code")
    assert _parsed_fields(again) == _parsed_fields(whole)
    assert again.pages != first.pages
    file.write_text(text.replace("\ntitle:", "\ntitle: [unclosed", 1), encoding="utf-8")
    broken, _ = rediscover(root, config, (edited, problems), [str(file)], memo) or pytest.fail("not an edit")
    assert reparse(edited, again, broken, config, 1, again.rendered, again.entries, "code", again.held) is None
