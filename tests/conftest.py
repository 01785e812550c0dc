"""Shared fixtures: small sites written inline, built with an explicit clock."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.engine.build import BuildOptions, BuildReport, build

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

SITE_YML = """\
title: {en: "Embassy of Testland", ar: "سفارة تستلاند"}
base_url: "https://embassy.example.org/"
default_language: en
languages:
  - {code: en}
  - {code: ar}
timezone: Asia/Baku
"""

ANNOUNCEMENT_EN = """\
---
title: "Consular hours"
date: 2026-11-01T10:00:00+04:00
summary: "New opening hours"
tags: [consular]
kind: consular
---
## Opening hours

The consular section is open on weekdays.
"""

ANNOUNCEMENT_AR = """\
---
title: "ساعات العمل القنصلية"
summary: "ساعات عمل جديدة"
---
القسم القنصلي مفتوح في أيام الأسبوع.
"""

EVENT_EN = """\
---
title: "National day reception"
date: 2026-11-01T10:00:00+04:00
start: 2026-12-12T18:30:00+04:00
end: 2026-12-12T21:00:00+04:00
venue: {name: "Embassy House", city: "Baku", geo: {lat: 40.4, lon: 49.8}}
---
Join us.
"""

PAGE_EN = """\
---
title: "About the embassy"
menu: 1
---
About us.
"""

BASIC_SITE: dict[str, str] = {
    "site.yml": SITE_YML,
    "content/announcements/consular-hours.en.md": ANNOUNCEMENT_EN,
    "content/announcements/consular-hours.ar.md": ANNOUNCEMENT_AR,
    "content/events/reception.en.md": EVENT_EN,
    "content/pages/about.en.md": PAGE_EN,
}


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path → text or bytes) under ``root``."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """make_site({"site.yml": ..., "content/x/y.en.md": ...}) → the site folder (BASIC_SITE by default)."""

    def make(files: dict[str, str | bytes] | None = None, base: bool = True) -> Path:
        root = tmp_path / "site"
        merged: dict[str, str | bytes] = dict(BASIC_SITE) if base else {}
        merged.update(files or {})
        return write_files(root, {k: v for k, v in merged.items() if v is not None})

    return make


#: the demo ministry and its four missions (docs/network.md)
DEMO_MINISTRY = Path(__file__).resolve().parent.parent / "examples" / "ministry"


def copy_ministry(where: Path) -> Path:
    """A copy of the demo ministry at ``where``, without what a build of it left."""
    import shutil

    shutil.copytree(DEMO_MINISTRY, where, ignore=shutil.ignore_patterns("public", ".legation-cache", ".*.lock"))
    return where


@pytest.fixture
def ministry(tmp_path: Path) -> Path:
    """A copy of the demo ministry (tmp_path/repo/ministry: a repository folder above it, as CI checks one out)."""
    return copy_ministry(tmp_path / "repo" / "ministry")


def run_build(root: Path, out: Path | None = None, **kwargs: object) -> BuildReport:
    options = BuildOptions(root=root, out_dir=out or root / "public", now=kwargs.pop("now", NOW), **kwargs)  # type: ignore[arg-type]
    return build(options)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` → its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo embassy in the repository root, built once for the whole test session (read-only)."""
    out = tmp_path_factory.mktemp("demo") / "public"
    report = run_build(Path(__file__).resolve().parent.parent, out, incremental=False)
    assert report.ok, report.errors
    return out


@pytest.fixture(autouse=True, scope="session")
def _cache_key_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache-signing key lives in the user's state folder: the tests use their own, not the developer's."""
    import os

    before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if before is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = before
