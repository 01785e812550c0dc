"""generator/outputs/unit_inputs.py: unit keys and input digests, and the preview's digests of only what a change
reached. The rule under test: after any change, the digests worked out from the last build's memo are exactly the
digests worked out from nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.assembly.site import assemble
from generator.core.model import EventInfo, Page, RumourInfo
from generator.core.units import Unit
from generator.outputs import unit_inputs
from generator.outputs.templates import Renderer, make_environment
from generator.outputs.unit_inputs import DigestMemo
from generator.sources.i18n import load_catalog
from generator.sources.theme import resolve_theme
from tests.conftest import NOW
from tests.test_templates_unit import CONFIG as ONE_PAGE

CONFIG = replace(ONE_PAGE, paginate=4)  # listings of several pages: a date edit moves an item from one to another


def page(slug: str, lang: str = "en", section: str = "announcements", day: int = 1, **extra: object) -> Page:
    return Page(source=f"content/{section}/{slug}.{lang}.md", section=section, slug=slug, lang=lang,
                title=f"{slug} {lang}", body_html=f"<p>{slug}</p>", source_hash=f"{slug}{lang}",
                date=datetime(2026, 10, day, tzinfo=UTC), **extra)  # type: ignore[arg-type]


PAGES = [
    *(page(f"news-{n}", lang, day=n, tags=("consular",) if n % 2 else ("trade",))
      for n in range(1, 15) for lang in ("en", "ar")),
    page("fair", "en", "events", event=EventInfo(datetime(2026, 12, 1, 10, tzinfo=UTC), None)),
    page("fair", "az", "events", event=EventInfo(datetime(2026, 12, 1, 10, tzinfo=UTC), None)),
    page("about", "en", "pages"),
]


def digests(tmp_path: Path, pages: list[Page], previous: DigestMemo | None = None,
            now: datetime = NOW) -> tuple[dict[str, str | None], DigestMemo]:
    chain = resolve_theme(tmp_path, "default")
    site, _ = assemble(pages, CONFIG, now)
    catalog, _ = load_catalog(chain.i18n_dirs, tmp_path, CONFIG.language_codes, "en")
    renderer = Renderer(site, make_environment(tmp_path, chain), catalog, code="code", digests=previous, track=True)
    found = {renderer.inputs.unit_key(unit): renderer.inputs.unit_digest(unit) for unit in renderer.units()}
    memo = renderer.inputs.memo()
    assert memo is not None
    return found, memo


def edited(slug: str, lang: str, **changes: object) -> Callable[[list[Page]], list[Page]]:
    def change(pages: list[Page]) -> list[Page]:
        return [replace(p, **changes) if (p.slug, p.lang) == (slug, lang) else p for p in pages]  # type: ignore[arg-type]
    return change


CHANGES: dict[str, Callable[[list[Page]], list[Page]]] = {
    "body": edited("news-3", "en", body_html="<p>new text</p>"),
    "title": edited("news-3", "en", title="A new title"),
    "date (the order of a listing)": edited("news-3", "en", date=datetime(2026, 10, 30, tzinfo=UTC)),
    # from the last page of the English listing to the second: not among the home page's latest
    "date (one listing page to another)": edited("news-1", "en", date=datetime(2026, 10, 8, 12, tzinfo=UTC)),
    "a tag added": edited("news-3", "en", tags=("consular", "visas")),
    "a rumour answered": edited("news-4", "en", rumour=RumourInfo("false", "A claim")),
    "a draft": edited("news-5", "ar", draft=True),
    "an event moved": edited("fair", "en", event=EventInfo(datetime(2026, 12, 2, 10, tzinfo=UTC), None)),
    "a translation deleted": lambda pages: [p for p in pages if (p.slug, p.lang) != ("news-2", "ar")],
    "an item added": lambda pages: [*pages, page("news-99", "en", day=20)],
    "an item added first": lambda pages: [page("aaa", "en", day=2), *pages],
    "scheduled": edited("news-6", "en", publish_at=NOW + timedelta(days=1)),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_digests_from_the_memo_equal_digests_from_nothing(tmp_path: Path, name: str) -> None:
    _, memo = digests(tmp_path, PAGES)
    changed = CHANGES[name](PAGES)
    fresh, _ = digests(tmp_path, changed)
    again, _ = digests(tmp_path, changed, previous=memo)
    assert again == fresh
    before, _ = digests(tmp_path, PAGES)
    assert fresh != before  # every change here changes some unit: a memo that kept every digest would fail


def spy_on_parts(monkeypatch: pytest.MonkeyPatch, worked: list[str]) -> None:
    original = unit_inputs.UnitInputs._parts

    def spy(self: unit_inputs.UnitInputs, unit: object) -> tuple[str, str]:
        worked.append(self.unit_key(unit))  # type: ignore[arg-type]
        return original(self, unit)  # type: ignore[arg-type]

    monkeypatch.setattr(unit_inputs.UnitInputs, "_parts", spy)


def test_a_body_edit_digests_only_the_units_that_read_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, memo = digests(tmp_path, PAGES)
    worked: list[str] = []
    spy_on_parts(monkeypatch, worked)
    digests(tmp_path, CHANGES["body"](PAGES), previous=memo)
    # the page and its translation (which shows whether it is out of date), its card, the feeds and sitemap that
    # read every page, the English lists and tags that show it: not the Arabic lists or the events
    assert "item:/en/announcements/news-3/" in worked and "item:/ar/announcements/news-3/" in worked
    assert "item:/en/announcements/news-4/" not in worked
    assert not any(key.startswith(("list:ar:", "ics:", "item:/en/events/")) for key in worked), worked
    assert len(worked) < 25, worked


def test_a_site_wide_change_digests_everything_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later clock that passes the event changes the frame (status, upcoming): no digest is taken from the memo."""
    first, memo = digests(tmp_path, PAGES)
    later = datetime(2026, 12, 5, tzinfo=UTC)
    fresh, _ = digests(tmp_path, PAGES, now=later)
    again, _ = digests(tmp_path, PAGES, previous=memo, now=later)
    assert again == fresh and fresh != first


def test_a_template_edit_changes_every_digest_and_reads_no_unit_again(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A site-wide digest (templates, UI strings) is joined to each unit's other inputs anew: every digest
    changes, and each costs one hash, not its inputs again."""
    first, memo = digests(tmp_path, PAGES)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/item.html").write_text('{% extends "default:item.html" %}\n', encoding="utf-8")
    fresh, _ = digests(tmp_path, PAGES)
    worked: list[str] = []
    spy_on_parts(monkeypatch, worked)
    again, _ = digests(tmp_path, PAGES, previous=memo)
    assert again == fresh
    assert all(fresh[key] != first[key] for key in fresh if not key.startswith(("card:", "search:")))
    assert worked == []


def planned(tmp_path: Path, pages: list[Page], previous: DigestMemo | None = None,
            made: list[int] | None = None) -> tuple[dict[str, str | None], DigestMemo]:
    """The digests of a build's plan (as the renderer asks for them), and its memo; ``made`` counts the times
    the units were listed from the site."""
    chain = resolve_theme(tmp_path, "default")
    site, _ = assemble(pages, CONFIG, NOW)
    catalog, _ = load_catalog(chain.i18n_dirs, tmp_path, CONFIG.language_codes, "en")
    renderer = Renderer(site, make_environment(tmp_path, chain), catalog, code="code", digests=previous, track=True)

    def units() -> list[Unit]:
        if made is not None:
            made.append(1)
        return renderer.units()

    _, keys, found = renderer.inputs.plan((False,), units)
    memo = renderer.inputs.memo()
    assert memo is not None
    return dict(zip(keys, found, strict=True)), memo


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_plan_from_the_last_builds_equals_a_plan_from_nothing(tmp_path: Path, name: str) -> None:
    """Twice in a row: the second plan takes the units, and which of them read each page, from the first's."""
    _, memo = planned(tmp_path, PAGES)
    changed = CHANGES[name](PAGES)
    assert planned(tmp_path, changed, previous=memo)[0] == planned(tmp_path, changed)[0] == digests(tmp_path, changed)[0]
    _, memo = planned(tmp_path, changed, previous=memo)
    again = edited("news-7", "ar", body_html="<p>then this</p>")(changed)
    assert planned(tmp_path, again, previous=memo)[0] == planned(tmp_path, again)[0]


def test_a_body_edits_plan_lists_no_unit_and_digests_only_what_reads_the_page(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first, memo = planned(tmp_path, PAGES)
    made: list[int] = []
    worked: list[str] = []
    spy_on_parts(monkeypatch, worked)
    found, _ = planned(tmp_path, CHANGES["body"](PAGES), previous=memo, made=made)
    assert made == [] and found.keys() == first.keys()
    assert found["item:/en/announcements/news-3/"] != first["item:/en/announcements/news-3/"]
    assert "item:/en/announcements/news-3/" in worked and "item:/en/announcements/news-4/" not in worked
    assert len(worked) < 25, worked
    # a template edit: every unit kept, each digest joined to the new site-wide digest, no unit's inputs read
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/item.html").write_text('{% extends "default:item.html" %}\n', encoding="utf-8")
    worked.clear()
    again, _ = planned(tmp_path, PAGES, previous=memo, made=made)
    assert made == [] and worked == [] and again == planned(tmp_path, PAGES)[0]


def test_untracked_inputs_keep_no_memo(tmp_path: Path) -> None:
    chain = resolve_theme(tmp_path, "default")
    site, _ = assemble(PAGES, CONFIG, NOW)
    catalog, _ = load_catalog(chain.i18n_dirs, tmp_path, CONFIG.language_codes, "en")
    renderer = Renderer(site, make_environment(tmp_path, chain), catalog, code="code")
    assert renderer.inputs.memo() is None  # the CLI's: no record of what each digest read
    assert len({renderer.inputs.unit_key(unit) for unit in renderer.units()}) == len(renderer.units())
