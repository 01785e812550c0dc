"""generator/templates.py: output paths, the loader chain of make_environment, StrictUndefined failures, filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from generator.assembly.site import assemble
from generator.core.model import Language, Page, SiteConfig
from generator.outputs.templates import Renderer, TemplateFailure, make_environment, output_path
from generator.sources.i18n import load_catalog
from generator.sources.theme import builtin_themes_dir, resolve_theme
from tests.conftest import NOW, run_build

CONFIG = SiteConfig(title={"en": "Embassy", "ar": "سفارة"}, base_url="https://embassy.example.org/", default_language="en",
                    languages=(Language("en", "English", "ltr", "en"), Language("ar", "العربية", "rtl", "ar"),
                               Language("az", "azərbaycan", "ltr", "az")), timezone="Asia/Baku")


@pytest.mark.parametrize(("url", "path"), [("/", "index.html"), ("", "index.html"), ("/ar/", "ar/index.html"),
                                           ("/en/about/", "en/about/index.html"), ("/az/events/x", "az/events/x/index.html")])
def test_output_path(url: str, path: str) -> None:
    assert output_path(url) == path


def test_unknown_variable_in_a_site_template_is_located(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/item.html").write_text('{% extends "base.html" %}\n{% block content %}\n'
                                                  "<h1>{{ page.title }}</h1>\n<p>{{ summry }}</p>\n{% endblock %}\n")
    chain = resolve_theme(tmp_path, "default")
    env = make_environment(tmp_path, chain)
    with pytest.raises(UndefinedError):
        env.from_string("{{ nothing }}").render()
    page = Page(source="content/announcements/a.en.md", section="announcements", slug="a", lang="en", title="T",
                body_html="<p>x</p>", source_hash="h", date=datetime(2026, 11, 1, tzinfo=UTC))
    site, _ = assemble([page], CONFIG, NOW)
    catalog, _ = load_catalog(chain.i18n_dirs, tmp_path, CONFIG.language_codes, "en")
    with pytest.raises(TemplateFailure) as caught:
        Renderer(site, env, catalog).render_item(page)
    problem = caught.value.problems[0]
    assert Path(problem.location.path) == tmp_path / "templates/item.html" and problem.location.line == 4
    assert "summry" in problem.message and "/en/announcements/a/" in problem.message


def test_prefix_reaches_a_theme_past_the_site_and_child_theme(tmp_path: Path) -> None:
    child = tmp_path / "themes/embassy"
    (child / "templates").mkdir(parents=True)
    (child / "theme.yml").write_text("extends: default\n")
    (child / "templates/home.html").write_text("child home\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/home.html").write_text("site home\n")
    env = make_environment(tmp_path, resolve_theme(tmp_path, "embassy"))
    assert env.get_template("home.html").render() == "site home\n"
    assert env.get_template("embassy:home.html").render() == "child home\n"
    default = env.get_template("default:home.html")
    assert Path(default.filename or "") == builtin_themes_dir() / "default/templates/home.html"
    assert Path(env.get_template("base.html").filename or "") == builtin_themes_dir() / "default/templates/base.html"


def test_date_filters_format_in_the_page_language_and_site_zone(tmp_path: Path) -> None:
    env = make_environment(tmp_path, resolve_theme(tmp_path, "default"))
    template = env.from_string("{{ when | date }} · {{ when | time }} · {{ missing | date }}|")
    when = datetime(2026, 12, 31, 21, 15, tzinfo=UTC)  # 1 January 01:15 in Baku
    rendered = {code: template.render(when=when, missing=None, lang=CONFIG.language(code), config=CONFIG)
                for code in ("en", "ar", "az")}
    assert rendered == {"en": "January 1, 2027 · 1:15\u202fAM · |", "ar": "1 يناير 2027 · 1:15 ص · |",
                        "az": "1 yanvar 2027 · 01:15 · |"}


def test_section_templates_win_over_the_generic_ones(make_site: Callable[..., Path]) -> None:
    marker = ('{%% extends "default:%s.html" %%}'
              '{%% block content %%}<p class="mine">{{ page_title }}</p>{{ super() }}{%% endblock %%}\n')
    root = make_site({"templates/list-events.html": marker % "list", "templates/events.html": marker % "item"})
    assert run_build(root).ok
    out = root / "public/en"
    assert '<p class="mine">National day reception</p>' in (out / "events/reception/index.html").read_text(encoding="utf-8")
    assert '<p class="mine">Events</p>' in (out / "events/index.html").read_text(encoding="utf-8")
    for other in ("announcements/index.html", "announcements/consular-hours/index.html"):
        assert 'class="mine"' not in (out / other).read_text(encoding="utf-8")


def test_unknown_variable_fails_the_whole_build(make_site: Callable[..., Path]) -> None:
    root = make_site({"templates/home.html": '{% extends "base.html" %}\n{% block content %}{{ latets }}{% endblock %}\n'})
    report = run_build(root)
    assert not report.ok and not (root / "public").exists()
    problem = report.errors[0]
    assert problem.location.path.endswith("templates/home.html") and problem.location.line == 2 and "latets" in problem.message


@pytest.mark.parametrize(("expression", "kind"), [
    ('{{ page.title | date("%d") }}', "template error"),  # a filter given what it cannot take (Babel asserts)
    ("{{ (page.title | length) / 0 }}", "ZeroDivisionError"),
])
def test_a_template_mistake_at_run_time_is_located_not_a_traceback(make_site: Callable[..., Path], expression: str,
                                                                   kind: str) -> None:
    """From a new user's trial: such a mistake printed a Python traceback; it is a located error like any other."""
    root = make_site({"templates/item.html": '{% extends "base.html" %}\n{% block content %}\n'
                      f"<h1>{{{{ page.title }}}}</h1>{expression}\n{{% endblock %}}\n"})
    report = run_build(root)
    assert not report.ok and not (root / "public").exists()
    problem = report.errors[0]
    assert problem.location.path.endswith("templates/item.html") and problem.location.line == 3
    assert kind in problem.message and problem.code == "template"
