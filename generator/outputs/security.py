"""HTTP security headers for the deployed site, in the `_headers` format (Netlify, Cloudflare Pages).

Servers that do not read `_headers` get the same policy from the CSP meta tag of
every page; docs/deploy.md shows the equivalent nginx lines.

The search pages (``/search/<lang>/``) alone may run Pagefind's WebAssembly (``'wasm-unsafe-eval'``). Both
hosts combine the values of every rule that matches a path rather than letting one replace another, and
two policies are both enforced, so the site's policy is never given to ``/*``: it is given to each folder
the search pages are not in (the root's pages, each language's folder, static/, the snippet board).
Pagefind's own files (``/pagefind/``) get the search pages' policy: a worker runs under the policy of
its script's response.
"""

from __future__ import annotations

import re

from ..core.model import OutputFile

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; font-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"
)
SEARCH_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';")
HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    ("X-Frame-Options", "DENY"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def headers_file(languages: tuple[str, ...] = (), search: bool = False) -> OutputFile:
    """``_headers``: the common headers for every path, the site's policy for every folder but the search pages'."""
    lines = ["/*", *(f"  {name}: {value}" for name, value in HEADERS)]
    if not search:
        lines.append(f"  Content-Security-Policy: {CONTENT_SECURITY_POLICY}")
    else:
        for path in ("/", "/index.html", "/404.html", *(f"/{code}/*" for code in languages), "/static/*",
                     "/_snippets/*"):
            lines.extend((path, f"  Content-Security-Policy: {CONTENT_SECURITY_POLICY}"))
        # Pagefind's worker script is held to the policy its own response carries
        for path in ("/search/*", "/pagefind/*"):
            lines.extend((path, f"  Content-Security-Policy: {SEARCH_POLICY}"))
    return OutputFile("_headers", "\n".join([*lines, ""]).encode("utf-8"))


def headers_for(rules: str, path: str) -> dict[str, str]:
    """The headers a host serves ``path`` (a URL path, ``/en/``) with under the ``_headers`` text ``rules``, by
    lower-case name: every rule whose pattern matches adds its headers, and a header given by several is
    their values joined by ", " (as Netlify and Cloudflare Pages do; `*` matches anything, `:name` a segment)."""
    found: dict[str, str] = {}
    matching = False
    for line in rules.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            matching = _pattern(line.strip()).fullmatch(path) is not None
        elif matching and ":" in line:
            name, value = (part.strip() for part in line.split(":", 1))
            key = name.lower()
            found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _pattern(rule: str) -> re.Pattern[str]:
    parts = re.split(r"(\*|:[A-Za-z_][A-Za-z0-9_]*)", rule)
    return re.compile("".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
                              for part in parts))
