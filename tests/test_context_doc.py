"""docs/themes.md documents exactly the variables each kind of page receives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.core import context_doc
from generator.outputs.templates import Renderer
from tests.conftest import run_build

REPO = Path(__file__).resolve().parent.parent


def test_docs_file_is_generated_from_the_table() -> None:
    assert (REPO / "docs" / "themes.md").read_text(encoding="utf-8") == context_doc.markdown(), (
        "docs/themes.md is stale: run python -m generator.core.context_doc > docs/themes.md")


def test_every_kind_of_page_gets_exactly_the_documented_context(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, set[str]] = {}
    original = Renderer._render

    def spy(self: Renderer, names: list[str], url: str, context: dict[str, Any], path: str | None = None) -> Any:
        seen.setdefault(context["kind"], set()).update(context)
        return original(self, names, url, context, path)

    monkeypatch.setattr(Renderer, "_render", spy)
    root = make_site({"content/announcements/rumour.en.md": (
        '---\ntitle: "No"\ndate: 2026-11-02T10:00:00+04:00\nkind: rumour\nverdict: "false"\nclaim: "A claim"\n---\nFacts.\n')})
    (root / "site.yml").write_text((root / "site.yml").read_text(encoding="utf-8")
                                   + "social: {x: https://x.com/embassy}\n", encoding="utf-8")
    assert run_build(root, jobs=1, incremental=False).ok
    assert set(seen) == set(context_doc.ALL)
    for kind, names in seen.items():
        documented = {v.name for v in context_doc.CONTEXT if kind in v.kinds}
        assert names == documented, (kind, sorted(names - documented), sorted(documented - names))
