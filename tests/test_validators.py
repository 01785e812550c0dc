"""The demo build through the field's validators: Nu HTML checker, axe-core in Chromium, 320 px layout."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.browser import (
    AXE_JS,
    REPO,
    VNU_JAR,
    build_demo,
    chromium_page,
    require_chromium,
    require_java,
    serve_folder,
)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "public")


def sample_pages(site: Path) -> list[str]:
    """Home, every list, one item of each section and a tag page, in every language; plus root and 404."""
    pages = ["/", "/404.html"]
    for lang_dir in sorted(p for p in site.iterdir() if p.is_dir() and (p / "index.html").is_file()):
        lang = lang_dir.name
        pages.append(f"/{lang}/")
        for section in ("announcements", "events", "investment"):
            pages.append(f"/{lang}/{section}/")
            items = sorted(p for p in (lang_dir / section).iterdir() if (p / "index.html").is_file()
                           and p.name != "page")
            if items:
                pages.append(f"/{lang}/{section}/{items[0].name}/")
        tags = sorted(p for p in (lang_dir / "tags").iterdir() if p.is_dir())
        if tags:
            pages.append(f"/{lang}/tags/{tags[0].name}/")
        about = lang_dir / "about" / "index.html"
        if about.is_file():
            pages.append(f"/{lang}/about/")
    return pages


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_the_nu_html_checker_is_the_release_the_tools_ask_for() -> None:
    """CI checks with the vnu-jar release tools/package.json names (older ones miss skipped heading levels)."""
    java = require_java()
    wanted = json.loads((REPO / "tools" / "package.json").read_text(encoding="utf-8"))["devDependencies"]["vnu-jar"]
    assert version_tuple(wanted) >= (26, 9, 27)
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert version_tuple(done.stdout) >= version_tuple(wanted), (
        f"vnu.jar {done.stdout.strip()} is older than tools/package.json's {wanted}: run npm install --prefix tools")


class Headings(HTMLParser):
    """The levels of a page's h1-h6, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append((int(tag[1]), self.getpos()[0]))


def test_no_page_skips_a_heading_level(demo: Path) -> None:
    """Every page starts at one h1 and goes down one level at a time (h1 then h3 is what WCAG 1.3.1 and vnu flag)."""
    problems: list[str] = []
    pages = sorted(demo.rglob("*.html"))
    for page in pages:
        parser = Headings()
        parser.feed(page.read_text(encoding="utf-8"))
        levels = parser.levels
        if not levels:
            continue
        if levels[0][0] != 1:
            problems.append(f"{page.relative_to(demo)}:{levels[0][1]}: first heading is h{levels[0][0]}")
        for (before, _), (level, line) in itertools.pairwise(levels):
            if level > before + 1:
                problems.append(f"{page.relative_to(demo)}:{line}: h{level} follows h{before}")
    assert len(pages) > 20
    assert not problems, "\n".join(problems[:30])


def test_nu_html_checker_finds_no_errors(demo: Path) -> None:
    java = require_java()
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html",
                           str(demo)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or "{}").get("messages", []) if done.stderr.strip().startswith("{") else []
    errors = [m for m in messages if m.get("type") == "error"]
    shown = "\n".join(f"{m.get('url', '').split('/public/')[-1]}:{m.get('lastLine')}: {m.get('message')}"
                      for m in errors[:30])
    assert done.returncode == 0 and not errors, shown or done.stderr[-2000:]
    html_files = list(demo.rglob("*.html"))
    assert len(html_files) > 20


def test_axe_finds_no_wcag_violations_and_nothing_overflows_at_320px(demo: Path) -> None:
    require_chromium()
    pages = sample_pages(demo)
    assert len(pages) >= 20
    problems: list[str] = []
    with serve_folder(demo) as base, chromium_page(320, 640) as page:
        for path in pages:
            page.goto(base + path)  # type: ignore[attr-defined]
            page.add_script_tag(path=str(AXE_JS))  # type: ignore[attr-defined]
            result = page.evaluate(  # type: ignore[attr-defined]
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                WCAG_TAGS)
            for violation in result["violations"]:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
            overflow = page.evaluate(  # type: ignore[attr-defined]
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                problems.append(f"{path}: {overflow}px of horizontal overflow at 320 px")
    assert not problems, "\n".join(problems)


def test_arabic_pages_are_right_to_left_and_mirror(demo: Path) -> None:
    require_chromium()
    with serve_folder(demo) as base, chromium_page(1280, 900) as page:
        page.goto(base + "/ar/")  # type: ignore[attr-defined]
        direction = page.evaluate("() => getComputedStyle(document.body).direction")  # type: ignore[attr-defined]
        assert direction == "rtl"
        # the site title sits at the right edge, the language switcher at the left edge (mirrored header)
        title_box = page.locator(".site-title").bounding_box()  # type: ignore[attr-defined]
        switcher_box = page.locator(".languages").bounding_box()  # type: ignore[attr-defined]
        assert title_box["x"] > switcher_box["x"]
        page.goto(base + "/en/")  # type: ignore[attr-defined]
        title_box = page.locator(".site-title").bounding_box()  # type: ignore[attr-defined]
        switcher_box = page.locator(".languages").bounding_box()  # type: ignore[attr-defined]
        assert title_box["x"] < switcher_box["x"]


SECOND_ALERT = {
    "en": '"Visa section closed on 2 December for the national holiday"',
    "ar": '"القسم القنصلي مغلق يوم 2 ديسمبر بمناسبة العيد الوطني"',
    "az": '"Viza şöbəsi 2 dekabrda milli bayram münasibətilə bağlıdır"',
    "uz": '"Viza boʻlimi 2-dekabr kuni milliy bayram munosabati bilan yopiq"',
}


@pytest.fixture(scope="module")
def two_alerts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with a second alert (a warning beside its critical one), built into <tmp>/public."""
    from tests.browser import DEMO_NOW
    from tests.conftest import run_build

    root = tmp_path_factory.mktemp("two-alerts")
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copytree(REPO / "content", root / "content")
    for lang, title in SECOND_ALERT.items():
        front = ["---", f"title: {title}"]
        if lang == "en":
            front += ["date: 2026-11-22T09:00:00+04:00", "alert: warning", "expires_at: 2026-12-03T00:00:00+04:00"]
        (root / "content" / "announcements" / f"holiday-closure.{lang}.md").write_text(
            "\n".join([*front, "---", "Closed.", ""]), encoding="utf-8")
    report = run_build(root, now=DEMO_NOW, incremental=False)
    assert report.ok, report.errors
    return root / "public"


def test_two_alerts_leave_the_title_in_the_first_screen_of_a_phone(two_alerts: Path) -> None:
    """At 390 px (a common phone) the header and two alert banners keep the page's h1 within ~500 px of the top."""
    require_chromium()
    tops: dict[str, float] = {}
    with serve_folder(two_alerts) as base, chromium_page(390, 844) as page:
        for path in ("/en/", "/ar/", "/az/", "/uz/", "/en/events/", "/ar/announcements/",
                     "/en/announcements/holiday-closure/", "/ar/announcements/holiday-closure/"):
            page.goto(base + path)  # type: ignore[attr-defined]
            assert page.locator(".alert").count() == 2, path  # type: ignore[attr-defined]
            tops[path] = page.locator("main h1").bounding_box()["y"]  # type: ignore[attr-defined]
            overflow = page.evaluate(  # type: ignore[attr-defined]
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path}: {overflow}px of horizontal overflow at 390 px"
    late = {path: top for path, top in tops.items() if top > 500}
    assert not late, f"the h1 starts below 500 px: {late}"
