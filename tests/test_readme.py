"""README.md and docs/: a fresh clone has everything they link, and the README says how to view the site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
#: Named in the README as optional: benchmarks/run.py runs without it (tests/test_benchmarks.py).
OPTIONAL_OUTSIDE = {"../shared/bench/peers.sh"}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_link_and_named_file_is_in_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    problems = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        if not path.is_relative_to(REPO) or not path.exists():
            problems.append(f"link {target}")
    for named in CODE.findall(text):
        if named.startswith("../") and named not in OPTIONAL_OUTSIDE:
            problems.append(f"names {named}, outside the repository")
    assert not problems, f"{doc.name}: " + ", ".join(problems)


def test_the_readme_says_to_view_the_site_with_legation_serve() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert "legation serve" in setup and "public/en/index.html" in setup
    assert "docs/content-model.md" in text
