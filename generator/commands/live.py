"""`legation verify URL`: is the live site the build? Every file of the build's manifest is fetched over
HTTP(S) and its SHA-256 compared; the content type each file is served with, and the security headers the
build's ``_headers`` asks for, are checked too. The nightly defacement check (docs/deploy.md)."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote, urljoin, urlsplit

from ..core.errors import LegationError, SourceLocation, counted
from ..core.files import MARKER, read_manifest
from ..outputs.security import headers_for

#: What each kind of file may be served as (the media type, without parameters).
ACCEPTED_TYPES: Mapping[str, frozenset[str]] = MappingProxyType({
    ".html": frozenset({"text/html"}),
    ".xml": frozenset({"application/xml", "text/xml", "application/atom+xml", "application/rss+xml"}),
    ".ics": frozenset({"text/calendar"}),
    ".json": frozenset({"application/json"}),
    ".css": frozenset({"text/css"}),
    ".js": frozenset({"text/javascript", "application/javascript"}),
    ".txt": frozenset({"text/plain"}),
})
NOT_SERVED = frozenset({"_headers", MARKER})  # read by the host, or legation's own
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    kind: str  # changed, missing, extra, content-type, header, error
    path: str
    detail: str


@dataclass(frozen=True)
class LiveReport:
    url: str
    checked: int
    findings: tuple[Finding, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "checked": self.checked, "ok": not self.findings,
                "findings": [{"kind": f.kind, "path": f.path, "detail": f.detail} for f in self.findings]}

    def lines(self) -> list[str]:
        said = [f"{f.kind}: /{f.path} — {f.detail}" if f.path else f"{f.kind}: {f.detail}" for f in self.findings]
        said.append(f"legation verify: {self.url}: {counted(self.checked, 'file')} checked, "
                    + (f"{counted(len(self.findings), 'difference')}" if self.findings else "every file matches"))
        return said


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    headers: Mapping[str, str]
    error: str = ""


Fetcher = Callable[[str], Fetched]


def fetcher(timeout: float) -> Fetcher:
    context = ssl.create_default_context()

    def fetch(url: str) -> Fetched:
        request = urllib.request.Request(url, headers={"User-Agent": "legation-verify", "Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
                body = response.read(MAX_BYTES + 1)
                return Fetched(response.status, body, {k.lower(): v for k, v in response.headers.items()})
        except urllib.error.HTTPError as exc:
            exc.close()
            return Fetched(exc.code, b"", {k.lower(): v for k, v in exc.headers.items()})
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return Fetched(0, b"", {}, str(reason))

    return fetch


def expected_headers(out_dir: Path) -> str:
    """The text of the build's ``_headers`` (what the host is asked to serve each path with); "" without one."""
    try:
        return (out_dir / "_headers").read_text(encoding="utf-8")
    except OSError:
        return ""


def _served_path(path: str) -> str:
    """The URL path a host serves an output file at (a folder's index.html at the folder's address)."""
    return "/" + (path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path)


def verify_live(url: str, out_dir: Path, fetch: Fetcher, workers: int = 8) -> LiveReport:
    """Compare the site at ``url`` with the build in ``out_dir``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LegationError.at(SourceLocation(url), "this is not an http(s) address",
                               "give the site's address, such as https://embassy.example.org/", "verify-url")
    base = url if url.endswith("/") else url + "/"
    manifest = read_manifest(out_dir)
    if not manifest:
        raise LegationError.at(SourceLocation(str(out_dir)), "there is no build to compare with (no manifest)",
                               "run legation build first, or pass --out with the folder that was deployed",
                               "verify-build")
    rules = expected_headers(out_dir)
    paths = sorted(path for path in manifest if path not in NOT_SERVED)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda path: (path, fetch(urljoin(base, quote(path)))), paths))
        live_manifest = fetch(urljoin(base, MARKER))
    findings: list[Finding] = []
    header_misses: dict[tuple[str, str, str], list[str]] = {}
    unreachable = [path for path, got in results if got.status == 0]
    if unreachable and len(unreachable) == len(results):
        raise LegationError.at(SourceLocation(url), f"the site did not answer: {results[0][1].error}",
                               "check the address, and that this machine can reach it", "verify-unreachable")
    for path, got in results:
        if got.status == 0:
            findings.append(Finding("error", path, f"no answer: {got.error}"))
            continue
        if got.status == 404 or got.status == 410:
            findings.append(Finding("missing", path, f"HTTP {got.status}"))
            continue
        if got.status != 200:
            findings.append(Finding("error", path, f"HTTP {got.status}"))
            continue
        digest = hashlib.sha256(got.body).hexdigest()
        if digest != manifest[path]:
            findings.append(Finding("changed", path, f"sha256 {digest[:12]}…, the build has {manifest[path][:12]}…"))
        served = got.headers.get("content-type", "").split(";")[0].strip().lower()
        accepted = _accepted(path)
        if accepted and served not in accepted:
            findings.append(Finding("content-type", path, f"served as {served or 'nothing'}, expected "
                                    f"{' or '.join(sorted(accepted))}"))
        if path.endswith(".html"):
            wanted = headers_for(rules, _served_path(path))
            if parts.scheme != "https":
                wanted.pop("strict-transport-security", None)  # sent and obeyed over HTTPS only
            for name, value in wanted.items():
                have = got.headers.get(name)
                if have is None or have.strip() != value:
                    header_misses.setdefault((name, "missing" if have is None else f"is {have!r}", value),
                                             []).append(path)
    for (name, state, value), pages in sorted(header_misses.items()):
        findings.append(Finding("header", "", f"{name} {state} on {counted(len(pages), 'page')} (first: /{pages[0]}); "
                                f"_headers asks for {value!r}"))
    if live_manifest.status == 200:
        try:
            listed = json.loads(live_manifest.body.decode("utf-8"))["files"]
            extra = sorted(str(path) for path in listed if path not in manifest)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            extra = []
            findings.append(Finding("changed", MARKER, "the live manifest is not one legation wrote"))
        findings.extend(Finding("extra", path, "on the live site (its manifest lists it) but not in the build")
                        for path in extra)
    return LiveReport(url, len(paths), tuple(findings))


def _accepted(path: str) -> frozenset[str]:
    suffix = Path(path).suffix.lower()
    if suffix in ACCEPTED_TYPES:
        return ACCEPTED_TYPES[suffix]
    guessed = mimetypes.guess_type(path)[0]
    return frozenset({guessed}) if guessed else frozenset()
