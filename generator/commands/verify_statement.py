"""`legation verify-statement`: is this text, file or web page, word for word, one of the embassy's official
statements? The register (statements.json, from the built site or the live one) and its Ed25519 signature
are checked, then the text's normalised SHA-256 is looked up in it (statement_text.py says how)."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..core.errors import LegationError, SourceLocation
from ..sources.statement_text import digest, normalised

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Verdict:
    lines: tuple[str, ...]
    matched: bool
    signature_ok: bool | None  # None: the register is not signed


def read(where: str, what: str) -> bytes:
    """A file's bytes, or an http(s) address's body."""
    if where.startswith(("http://", "https://")):
        request = urllib.request.Request(where, headers={"User-Agent": "legation-verify-statement"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return bytes(response.read(MAX_BYTES))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise LegationError.at(SourceLocation(where), f"cannot fetch the {what}: {getattr(exc, 'reason', exc)}",
                                   "check the address and the network", "verify-statement") from None
    try:
        return Path(where).read_bytes()[:MAX_BYTES]
    except OSError as exc:
        raise LegationError.at(SourceLocation(where), f"cannot read the {what}: {exc.strerror}",
                               "check the path (the register is public/statements.json after a build)",
                               "verify-statement") from None


class _Statement(HTMLParser):
    """The text a statement page shows as the statement: its <h1>, lead paragraph and .prose body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside a part of the statement: how many elements deep
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
            if tag in ("sup", "script", "style"):
                self.skip += 1
            self.parts.append(" ")
        elif tag == "h1" or (tag == "p" and "lead" in classes) or (tag == "div" and "prose" in classes):
            self.depth = 1
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            if tag in ("sup", "script", "style") and self.skip:
                self.skip -= 1
            self.depth -= 1
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


def text_of(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LegationError.at(SourceLocation(name), "the text is not UTF-8", "save it as UTF-8 and try again",
                               "verify-statement") from None
    if "<html" in text[:2000].lower() or "<!doctype html" in text[:2000].lower():
        parser = _Statement()
        parser.feed(text)
        parser.close()
        return normalised("".join(parser.parts))
    return normalised(text)


def check(text: str, register: bytes, register_name: str, signature: bytes | None, public_key: bytes | None
          ) -> Verdict:
    try:
        data = json.loads(register.decode("utf-8"))
        records: list[dict[str, Any]] = list(data["statements"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise LegationError.at(SourceLocation(register_name), "this is not a register of statements",
                               "give the site's statements.json (--register)", "verify-statement") from None
    lines: list[str] = []
    signature_ok: bool | None = None
    if signature is not None and public_key is not None:
        signature_ok = _verified(register, signature, public_key)
        fingerprint = _fingerprint(public_key)
        lines.append(f"register: signature {'valid' if signature_ok else 'INVALID'} (key {fingerprint})")
    else:
        lines.append("register: not signed (no statements.json.sig or public key): it proves only what the site "
                     "it came from says")
    if not text:
        raise LegationError.at(SourceLocation("text"), "the text to check is empty", "give --text, a file or a URL",
                               "verify-statement")
    wanted = digest(text)
    found = [r for r in records if wanted in (r.get("sha256"), r.get("body_sha256"))]
    if not found:
        lines.append("no official statement matches this text word for word (one changed word, number or mark is "
                     "enough); compare it with the statements listed in the register")
        return Verdict(tuple(lines), False, signature_ok)
    for record in found:
        lines.append(f"matches {record['reference']} ({record['lang']}): {record['title']} — {record['url']}")
        if record.get("withdrawn"):
            lines.append(f"  withdrawn on {record['withdrawn']}")
        elif record.get("updated") != record.get("published"):
            lines.append(f"  this is its current text; it was corrected on {record['updated']} (see its page history)")
        else:
            lines.append(f"  published {record['published']}, not changed since")
    return Verdict(tuple(lines), True, signature_ok)


def _verified(register: bytes, signature: bytes, public_key: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(public_key)
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(signature.strip(), validate=True), register)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def _fingerprint(public_key: bytes) -> str:
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_public_key(public_key)
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    except (ValueError, TypeError):
        return "unreadable"
    hexed = hashlib.sha256(raw).hexdigest()
    return " ".join(hexed[i:i + 4] for i in range(0, 64, 4))
