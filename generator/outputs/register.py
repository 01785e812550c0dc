"""The public register of official statements: ``/statements.json``, its detached Ed25519 signature and the
public key, so that anyone can check that a text is, word for word, one the embassy published.

Each record: the statement's reference, language, address, title, kind, published and updated times,
withdrawn state, and the SHA-256 of its normalised text (statement_text.py; ``body_sha256`` of the body
alone). A signing key is given by path (``--signing-key`` or LEGATION_SIGNING_KEY), never read from the
site folder and never written to the output; Ed25519 signatures are deterministic, so builds stay
byte-reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..assembly.site import absolute_url
from ..core.errors import LegationError, SourceLocation
from ..core.model import OutputFile, Page, Site
from ..sources.statement_text import body_text, digest, statement_text
from .feeds import modified, published

REGISTER = "statements.json"
SIGNATURE = "statements.json.sig"
PUBLIC_KEY = "statements.pub"
NORMALISATION = ("NFC; title, summary and the text as the page shows it (no markup), joined by spaces; "
                 "every run of whitespace one space, none at either end; SHA-256 of the UTF-8 bytes, hex")


@dataclass(frozen=True)
class SigningKey:
    private: Any  # cryptography's Ed25519PrivateKey
    public_pem: bytes
    fingerprint: str  # SHA-256 of the raw 32-byte public key, hex, in groups of four


def statements(site: Site) -> list[Page]:
    """Every page with a reference, by reference then language."""
    order = {code: number for number, code in enumerate(site.config.language_codes)}
    return sorted((page for page in site.pages if page.key in site.references
                   and site.page_status(page) in ("published", "withdrawn")),
                  key=lambda page: (site.references[page.key], order.get(page.lang, 99)))


def record(site: Site, page: Page) -> dict[str, Any]:
    return {
        "reference": site.references[page.key], "lang": page.lang, "kind": page.kind or "alert",
        "url": absolute_url(site.config, page.url), "title": page.title,
        "published": published(page).isoformat(), "updated": modified(page).isoformat(),
        "withdrawn": page.withdrawn.at.isoformat() if page.withdrawn else None,
        "sha256": digest(statement_text(page)), "body_sha256": digest(body_text(page)),
    }


def register_files(site: Site, key: SigningKey | None) -> list[OutputFile]:
    data: dict[str, Any] = {
        "publisher": site.config.site_title(site.config.default_language), "site": site.config.base_url,
        "normalisation": NORMALISATION, "statements": [record(site, page) for page in statements(site)],
    }
    if key is not None:
        data["signature"] = {"algorithm": "Ed25519", "file": SIGNATURE, "public_key": PUBLIC_KEY,
                             "fingerprint": key.fingerprint}
    body = (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    files = [OutputFile(REGISTER, body)]
    if key is not None:
        signature = base64.b64encode(key.private.sign(body)) + b"\n"
        files += [OutputFile(SIGNATURE, signature), OutputFile(PUBLIC_KEY, key.public_pem)]
    return files


def load_signing_key(path: Path, root: Path) -> SigningKey:
    """The Ed25519 private key at ``path``: refused inside the site's folder (it would be committed, or
    published), or when it is not an Ed25519 key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    where = SourceLocation(str(path))
    make = "make one outside the site's folder: openssl genpkey -algorithm ed25519 -out ~/embassy-signing.pem"
    real, site = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath((real, site)) == site:
        raise LegationError.at(where, "the signing key is inside the site's folder, where it would be committed "
                               "and could be published", "move it out of the site's folder and pass its new path",
                               "signing-key")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LegationError.at(where, f"cannot read the signing key: {exc.strerror}", make, "signing-key") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise LegationError.at(where, f"this is not a private key legation can read ({exc})", make,
                               "signing-key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LegationError.at(where, f"the signing key is {type(key).__name__.replace('PrivateKey', '')}, "
                               "not Ed25519", make, "signing-key")
    public = key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    hexed = hashlib.sha256(raw).hexdigest()
    return SigningKey(key, pem, " ".join(hexed[i:i + 4] for i in range(0, 64, 4)))
