"""Templates (generator/templates.py): output paths, loader chain, StrictUndefined errors, filters, alternates."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.outputs.templates import output_path
from tests.conftest import SITE_YML, run_build


@pytest.mark.parametrize(("url", "path"), [("/", "index.html"), ("/en/", "en/index.html"),
                                           ("/ar/events/x/", "ar/events/x/index.html")])
def test_output_paths(url: str, path: str) -> None:
    assert output_path(url) == path


def test_misspelt_variable_is_an_error_naming_template_and_line(make_site: Callable[..., Path]) -> None:
    root = make_site({"templates/item.html": '{% extends "base.html" %}\n{% block content %}\n<h1>{{ page.titel }}</h1>\n'
                                             "{% endblock %}\n"})
    report = run_build(root)
    assert not report.ok
    problem = report.errors[0]
    # named from the site's root, as content errors are, not by the absolute path Jinja loaded it from
    assert problem.location.path == "templates/item.html" and problem.location.line == 3
    assert "titel" in problem.message and "docs/themes.md" in problem.hint
    assert not (root / "public").exists()


def test_template_syntax_error_is_located(make_site: Callable[..., Path]) -> None:
    root = make_site({"templates/home.html": "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock %}\n"})
    report = run_build(root)
    assert not report.ok and "syntax" in report.errors[0].message
    assert (report.errors[0].location.path, report.errors[0].location.line) == ("templates/home.html", 2)


def test_prefix_reaches_a_theme_and_filters_format_per_language(make_site: Callable[..., Path]) -> None:
    root = make_site({"templates/item.html": ('{% extends "default:item.html" %}{% block content %}'
                                              '<p class="when">{{ page.date | date("full") }}</p>{{ super() }}{% endblock %}\n'),
                      "site.yml": SITE_YML})
    assert run_build(root).ok
    english = (root / "public/en/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    arabic = (root / "public/ar/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert '<p class="when">Sunday, November 1, 2026</p>' in english
    assert '<p class="when">الأحد، 1 نوفمبر 2026</p>' in arabic
    assert "<h1>Consular hours</h1>" in english  # the theme's own block still renders


def test_language_switcher_and_alternates(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    event = (root / "public/en/events/reception/index.html").read_text(encoding="utf-8")
    # untranslated: the switcher leads to the Arabic events list, and no hreflang claims an Arabic version
    assert 'href="/ar/events/" lang="ar" dir="rtl" hreflang="ar"' in event
    assert re.findall(r'hreflang="([^"]+)" href', event) == ["en", "x-default"]
    html = (root / "public/ar/announcements/consular-hours/index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert re.findall(r'hreflang="([^"]+)" href', html) == ["en", "ar", "x-default"]
