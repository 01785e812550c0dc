"""Assembly (generator/site.py): statuses at their boundaries, collisions, listings, tags, alerts, menus, stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from generator.assembly.site import (
    absolute_url,
    assemble,
    body_edits,
    list_url,
    page_status,
    paginate,
    reassemble,
    schedule_changes,
    tag_url,
)
from generator.core.model import EventInfo, Language, Page, SiteConfig, TranslationRef, Withdrawal

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
CONFIG = SiteConfig(title={"en": "E"}, base_url="https://e.example/site/", default_language="en",
                    languages=(Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar")),
                    timezone="Asia/Baku")


def page(slug: str, lang: str = "en", section: str = "announcements", days: int = 0, **extra: object) -> Page:
    return Page(source=f"content/{section}/{slug}.{lang}.md", section=section, slug=slug, lang=lang, title=slug,
                body_html="", source_hash=f"h-{slug}", date=NOW - timedelta(days=days), **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(("extra", "before", "after"), [
    ({"publish_at": NOW}, "scheduled", "published"),
    ({"expires_at": NOW}, "published", "expired"),
    ({"withdrawn": Withdrawal(NOW, "wrong")}, "published", "withdrawn"),
])
def test_status_changes_exactly_at_the_boundary(extra: dict[str, object], before: str, after: str) -> None:
    item = page("a", **extra)
    assert page_status(item, NOW - timedelta(seconds=1)) == before
    assert page_status(item, NOW) == after
    assert page_status(page("d", draft=True), NOW) == "draft"


def test_a_missing_critical_translation_is_named_at_the_original_unless_its_file_failed() -> None:
    three = replace(CONFIG, languages=(*CONFIG.languages, Language("uz", "Oʻzbek", "ltr", "uz")))
    alert = [page("storm", alert="critical"), page("storm", lang="ar", alert="critical")]
    _, problems = assemble(alert, three, NOW)
    assert [(p.location.path, p.code) for p in problems] == [("content/announcements/storm.en.md", "alert-missing")]
    assert "in uz:" in problems[0].message
    _, problems = assemble(alert, three, NOW, failed={("announcements", "storm", "uz")})
    assert problems == []  # the uz file is there: its own error says what is wrong with it


def test_collision_names_both_files() -> None:
    _, problems = assemble([page("about", section="pages"), page("about", section="pages", lang="en", menu=1)], CONFIG, NOW)
    assert problems[0].code == "collision" and problems[0].message.count("content/pages/about.en.md") == 2


def test_listings_tags_alerts_menus_and_stale() -> None:
    pages = [
        page("old", days=10, tags=("visa",)), page("new", days=1, tags=("visa", "Culture Week")),
        page("warn", days=5, alert="warning"), page("crit", days=20, alert="critical"),
        page("gone", days=2, expires_at=NOW - timedelta(hours=1)),
        page("new", lang="ar", days=1, translation_of=TranslationRef("en", "outdated")),
        page("contact", section="pages", menu=2), page("about", section="pages", menu=1),
        page("soon", section="events", event=EventInfo(NOW + timedelta(days=3), None)),
        page("past", section="events", event=EventInfo(NOW - timedelta(days=3), None)),
    ]
    site, problems = assemble(pages, CONFIG, NOW)
    assert [p.slug for p in site.listings[("en", "announcements")]] == ["new", "warn", "old", "crit"]
    assert "gone" in [p.slug for p in site.pages] and site.status[("announcements", "gone", "en")] == "expired"
    assert [p.slug for p in site.listings[("en", "events")]] == ["soon", "past"]
    assert [p.slug for p in site.tags[("en", "visa")]] == ["new", "old"]
    assert ("en", "culture-week") in site.tags and ("ar", "visa") not in site.tags  # the ar page here has no tags
    assert [p.slug for p in site.alerts["en"]] == ["crit", "warn"] and site.alerts["ar"] == ()
    assert [p.slug for p in site.menus["en"]] == ["about", "contact"]
    assert site.stale[("announcements", "new", "ar")] is True
    assert set(site.translations_of(pages[1])) == {"en", "ar"}
    assert any(p.code == "alert-missing" and "ar" in p.message for p in problems)


def test_schedule_changes_in_the_next_24_hours() -> None:
    changes = schedule_changes([page("a", publish_at=NOW + timedelta(hours=5)), page("b", publish_at=NOW + timedelta(hours=30))],
                               NOW)
    assert [(c["url"], c["from"], c["to"]) for c in changes] == [("/en/announcements/a/", "scheduled", "published")]


def test_urls_and_pagination() -> None:
    assert list_url("ar", "events") == "/ar/events/" and list_url("ar", "events", 3) == "/ar/events/page/3/"
    assert tag_url("en", "Culture Week") == "/en/tags/culture-week/"
    assert absolute_url(CONFIG, "/en/") == "https://e.example/site/en/"
    items = tuple(page(str(i)) for i in range(25))
    assert [len(chunk) for chunk in paginate(items, 10)] == [10, 10, 5] and paginate((), 10) == [()]


@pytest.mark.parametrize(("extra", "expected"), [
    ({"draft": True, "publish_at": NOW - timedelta(days=1)}, "draft"),
    ({"publish_at": NOW + timedelta(seconds=1), "withdrawn": Withdrawal(NOW - timedelta(days=1), "x")}, "scheduled"),
    ({"withdrawn": Withdrawal(NOW, "x"), "expires_at": NOW - timedelta(days=1)}, "withdrawn"),
    ({"withdrawn": Withdrawal(NOW + timedelta(seconds=1), "x")}, "published"),
    ({"expires_at": NOW + timedelta(seconds=1)}, "published"),
])
def test_status_precedence(extra: dict[str, object], expected: str) -> None:
    assert page_status(page("a", **extra), NOW) == expected


def test_collision_between_a_file_and_a_bundle_names_both() -> None:
    bundle = Page(source="content/pages/about/index.en.md", section="pages", slug="about", lang="en", title="B",
                  body_html="", source_hash="h")
    site, problems = assemble([page("about", section="pages"), bundle], CONFIG, NOW)
    assert [p.severity for p in problems] == ["error"]
    assert "content/pages/about.en.md" in problems[0].message and "content/pages/about/index.en.md" in problems[0].message
    assert "/en/about/" in problems[0].message and len(site.pages) == 1


def test_drafts_preview_and_fallback_listings() -> None:
    pages = [page("x", days=1), page("y", days=2, draft=True), page("z", publish_at=NOW + timedelta(hours=1)),
             page("ar1", lang="ar", days=3)]
    site, _ = assemble(pages, CONFIG, NOW)
    assert [p.slug for p in site.listings[("en", "announcements")]] == ["x"] and [p.slug for p in site.pages] == ["ar1", "x"]
    assert [p.slug for p in site.listings[("ar", "announcements")]] == ["ar1"]
    preview, _ = assemble(pages, CONFIG, NOW, drafts=True)
    assert [p.slug for p in preview.listings[("en", "announcements")]] == ["z", "x", "y"]
    fallback, _ = assemble(pages, replace(CONFIG, fallback_to_default=True), NOW)
    assert [(p.slug, p.lang) for p in fallback.listings[("ar", "announcements")]] == [("x", "en"), ("ar1", "ar")]


def test_tags_are_per_language_and_stale_needs_a_differing_hash() -> None:
    pages = [page("a", tags=("Visa",)), page("a", lang="ar", tags=("Visa",), translation_of=TranslationRef("en", "h-a")),
             page("b", lang="ar", translation_of=TranslationRef("az", "x"))]
    site, problems = assemble(pages, CONFIG, NOW)
    assert [p.lang for p in site.tags[("en", "visa")]] == ["en"] and [p.lang for p in site.tags[("ar", "visa")]] == ["ar"]
    assert site.stale == {("announcements", "a", "ar"): False}
    assert any(p.code == "translation" and '"az"' in p.message for p in problems)


def test_distinct_arabic_tags_get_distinct_pages() -> None:
    site, _ = assemble([page("a", lang="ar", tags=("ثقافة",)), page("b", lang="ar", tags=("تأشيرة",))], CONFIG, NOW)
    assert tag_url("ar", "ثقافة") != tag_url("ar", "تأشيرة")
    assert len([key for key in site.tags if key[0] == "ar"]) == 2


def test_schedule_change_reports_when() -> None:
    item = page("w", withdrawn=Withdrawal(NOW + timedelta(hours=2), "wrong figures"))
    assert schedule_changes([item], NOW) == [{"file": "content/announcements/w.en.md", "url": "/en/announcements/w/",
                                              "from": "published", "to": "withdrawn", "at": "2026-11-23T14:00:00+00:00"}]
    assert schedule_changes([item], NOW, timedelta(hours=1)) == []


def test_a_body_edit_reassembles_what_assembling_again_makes() -> None:
    """The last build's site with the edited pages put in place equals the site assembled from them, field by
    field: lists, tags, alerts, menus and translations hold the new objects, and a translation whose original's
    text changed is stale."""
    def item(slug: str, lang: str = "en", **extra: object) -> Page:
        made = page(slug, lang, **extra)
        return replace(made, meta=f"meta-{slug}-{lang}")  # what parse_cached works out: not the body

    before = [item("a", tags=("visa",), alert="warning"), item("a", "ar", translation_of=TranslationRef("en", "h-a")),
              item("b", days=3), item("about", section="pages", menu=1)]
    site, problems = assemble(before, CONFIG, NOW)
    assert site.stale == {("announcements", "a", "ar"): False}
    after = [replace(before[0], body_html="<p>new</p>", source_hash="h-a2"), before[1], before[2],
             replace(before[3], body_html="<p>about us</p>")]
    swap = body_edits(before, after)
    assert swap is not None and set(swap) == {id(before[0]), id(before[3])}
    again, expected_problems = assemble(after, CONFIG, NOW + timedelta(hours=1))
    made = reassemble(site, swap, NOW + timedelta(hours=1))
    assert made == again and expected_problems == problems
    assert made.stale == {("announcements", "a", "ar"): True}  # its original's text changed
    assert made.listings[("en", "announcements")][0] is after[0] and made.tags[("en", "visa")][0] is after[0]
    assert made.alerts["en"][0] is after[0] and made.menus["en"][0] is after[3]
    assert made.translations[("announcements", "a")]["en"] is after[0]


@pytest.mark.parametrize("change", ["title", "no meta", "another file"])
def test_an_edit_of_more_than_a_body_is_assembled_again(change: str) -> None:
    first = replace(page("a"), meta="meta-a")
    edited = {"title": replace(first, title="New", meta="meta-a2"), "no meta": replace(first, meta=""),
              "another file": replace(first, source="content/announcements/a/index.en.md")}[change]
    assert body_edits([first], [edited]) is None
    assert body_edits([first], [first, replace(page("b"), meta="meta-b")]) is None
