"""HTTP security headers for the deployed site, in the `_headers` format (Netlify, Cloudflare Pages).

Servers that do not read `_headers` get the same policy from the CSP meta tag of
every page; docs/deploy.md shows the equivalent nginx lines.
"""

from __future__ import annotations

from .model import OutputFile

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; font-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"
)
HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    ("X-Frame-Options", "DENY"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def headers_file() -> OutputFile:
    lines = ["/*", *(f"  {name}: {value}" for name, value in HEADERS), ""]
    return OutputFile("_headers", "\n".join(lines).encode("utf-8"))
