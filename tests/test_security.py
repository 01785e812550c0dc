"""Security headers (generator/security.py) and the CSP every page carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.outputs.security import CONTENT_SECURITY_POLICY, SEARCH_POLICY, headers_file, headers_for
from tests.conftest import run_build


def test_headers_file_lists_every_header_for_every_path() -> None:
    output = headers_file(("en", "ar"), search=True)
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


def test_only_the_search_pages_and_pagefinds_files_may_run_webassembly(make_site: Callable[..., Path]) -> None:
    """Each HTML page gets exactly one policy from _headers, read as the hosts read it (every matching rule adds
    its value): the site's, or on /search/ (and Pagefind's worker) the site's plus 'wasm-unsafe-eval'."""
    root = make_site()
    assert run_build(root).ok
    rules = (root / "public/_headers").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(root / "public").as_posix() for p in (root / "public").rglob("*.html"))
    assert any(p.startswith("search/") for p in pages)
    for page in pages:
        url = "/" + page.removesuffix("index.html")
        policy = headers_for(rules, url)["content-security-policy"]
        assert "," not in policy, (url, policy)  # one policy, not two joined
        assert policy == (SEARCH_POLICY if page.startswith("search/") else CONTENT_SECURITY_POLICY), url
        assert headers_for(rules, url)["x-frame-options"] == "DENY"
        meta = (root / "public" / page).read_text(encoding="utf-8")
        assert ("'wasm-unsafe-eval'" in meta) == page.startswith("search/"), page
    assert "wasm-unsafe-eval" in headers_for(rules, "/pagefind/pagefind-worker.js")["content-security-policy"]


def test_headers_for_combines_every_matching_rule_as_hosts_do() -> None:
    rules = "/*\n  A: 1\n/en/*\n  A: 2\n  B: x\n/:lang/search/\n  C: y\n# a comment\n"
    assert headers_for(rules, "/en/page/") == {"a": "1, 2", "b": "x"}
    assert headers_for(rules, "/ar/search/") == {"a": "1", "c": "y"}
    assert headers_for(rules, "/ar/x/search/") == {"a": "1"}  # a placeholder is one segment


def test_without_search_one_rule_gives_every_path_the_sites_policy() -> None:
    rules = (headers_file(("en",), search=False).data or b"").decode()
    assert headers_for(rules, "/anything/")["content-security-policy"] == CONTENT_SECURITY_POLICY
