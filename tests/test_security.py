"""Security headers (generator/security.py) and the CSP every page carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.security import CONTENT_SECURITY_POLICY, headers_file
from tests.conftest import run_build


def test_headers_file_lists_every_header_for_every_path() -> None:
    output = headers_file()
    assert output.path == "_headers"
    text = (output.data or b"").decode()
    lines = text.splitlines()
    assert lines[0] == "/*"
    names = {line.split(":", 1)[0].strip() for line in lines[1:]}
    assert {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
            "Strict-Transport-Security", "Permissions-Policy"} <= names


def test_policy_allows_no_inline_script_and_no_third_party_code() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";") if " " in part.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"


def test_every_page_has_a_strict_csp_meta_and_no_inline_script(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    for page in (root / "public").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'http-equiv="Content-Security-Policy"' in html, page
        assert "'unsafe-inline'" not in html
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert 'type="application/ld+json"' in head or "src=" in head, (page, head)
