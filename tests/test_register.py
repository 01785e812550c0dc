"""The statements register (generator/register.py): references, statements.json, its signature, the
Official statements and Check a statement pages, the latter in real Chromium with the CSP enforced."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from generator.core.errors import ConfigError
from generator.sources.config import parse_config
from generator.sources.statement_text import digest, normalised
from tests.browser import chromium_page, require_chromium, serve_folder
from tests.conftest import run_build

REPO = Path(__file__).resolve().parent.parent
STATEMENT = '---\ntitle: "{title}"\ndate: {date}\nkind: statement\n---\nThe embassy {verb} the agreement.\n'


def key_file(folder: Path) -> Path:
    path = folder / "signing.pem"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


def register(out: Path) -> dict[str, Any]:
    return json.loads((out / "statements.json").read_text(encoding="utf-8"))


def test_references_are_numbered_once_and_never_change(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/a.en.md": STATEMENT.format(title="A", date="2026-11-05T10:00:00+04:00",
                                                                          verb="welcomes")})
    site = root / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + 'statements: {reference: "VEL-{year}-{seq:03d}"}\n',
                    encoding="utf-8")
    assert run_build(root).ok
    refs = {r["url"].split("/")[-2]: r["reference"] for r in register(root / "public")["statements"]}
    assert refs == {"consular-hours": "VEL-2026-001", "a": "VEL-2026-002"}
    page = (root / "public/en/announcements/a/index.html").read_text(encoding="utf-8")
    assert '<p class="reference">Reference: <bdi dir="ltr">VEL-2026-002</bdi></p>' in page
    assert "<svg" in page and 'class="print-only statement-print"' in page  # the QR code of the printed copy
    # a statement dated earlier, added later, gets the next number: nothing is renumbered
    (root / "content/announcements/b.en.md").write_text(
        STATEMENT.format(title="B", date="2026-10-01T10:00:00+04:00", verb="notes"), encoding="utf-8")
    assert run_build(root).ok
    refs = {r["url"].split("/")[-2]: r["reference"] for r in register(root / "public")["statements"]}
    assert refs == {"consular-hours": "VEL-2026-001", "a": "VEL-2026-002", "b": "VEL-2026-003"}


@pytest.mark.parametrize(("pattern", "expected"), [
    ("VEL-{year}", "has no {seq}"),
    ("VEL-{year}-{number}", "unknown field {number}"),
    ("VEL-{seq:q}", "cannot be filled in"),
])
def test_a_reference_pattern_that_would_repeat_is_an_error(pattern: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(f'base_url: https://e.example/\nlanguages: [{{code: en}}]\nstatements: {{reference: "{pattern}"}}\n')
    assert str(caught.value).startswith("site.yml:3:") and expected in str(caught.value)


def test_the_register_is_signed_reproducibly_and_anyone_can_recompute_it(make_site: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    root = make_site()
    key = key_file(tmp_path)
    assert run_build(root, signing_key=key).ok
    out = root / "public"
    data = (out / "statements.json").read_bytes()
    public = serialization.load_pem_public_key((out / "statements.pub").read_bytes())
    public.verify(base64.b64decode((out / "statements.json.sig").read_bytes()), data)  # type: ignore[union-attr]
    assert b"PRIVATE" not in b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    record = next(r for r in register(out)["statements"] if r["lang"] == "ar")
    assert record["sha256"] == digest(normalised("ساعات العمل القنصلية", "ساعات عمل جديدة",
                                                 "القسم القنصلي مفتوح في أيام الأسبوع."))
    first = {p: (out / p).read_bytes() for p in ("statements.json", "statements.json.sig", "statements.pub")}
    assert run_build(root, out=tmp_path / "again", signing_key=key, incremental=False).ok
    assert {p: (tmp_path / "again" / p).read_bytes() for p in first} == first
    fingerprint = register(out)["signature"]["fingerprint"]
    assert fingerprint in (out / "en/statements/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["inside the site", "RSA", "missing"])
def test_a_bad_signing_key_is_a_located_error(make_site: Callable[..., Path], tmp_path: Path, kind: str) -> None:
    root = make_site()
    if kind == "inside the site":
        key = key_file(root)
        expected = "inside the site's folder"
    elif kind == "RSA":
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = tmp_path / "rsa.pem"
        key.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        expected = "is RSA, not Ed25519"
    else:
        key, expected = tmp_path / "nothing.pem", "cannot read the signing key"
    report = run_build(root, signing_key=key)
    assert not report.ok and report.errors[0].location.path == str(key) and expected in report.errors[0].message
    assert not (root / "public").exists()


def test_check_a_statement_in_chromium_with_the_csp_enforced(tmp_path: Path) -> None:
    require_chromium()
    site = tmp_path / "site"
    site.mkdir()
    for name in ("site.yml", "content", "ledger"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, site / name)
    out = tmp_path / "public"
    assert run_build(site, out, signing_key=key_file(tmp_path)).ok
    with serve_folder(out) as base, chromium_page(bypass_csp=False) as page:
        errors: list[str] = []  # a CSP refusal or a script error; the browser's own /favicon.ico request aside
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
        page.on("response", lambda answer: errors.append(answer.url)
                if answer.status >= 400 and not answer.url.endswith("/favicon.ico") else None)
        for lang, verdict in (("en", "This is an official statement of the embassy"),
                              ("ar", "هذا بيان رسمي للسفارة")):
            page.goto(f"{base}/{lang}/announcements/statement-on-regional-water-forum/")
            body = page.inner_text(".prose")
            whole = "\n".join([page.inner_text("h1"), page.inner_text(".lead"), body])
            for text, expected in ((body, verdict), (whole, verdict), (body + " And nothing else.", "")):
                page.goto(f"{base}/{lang}/check/")
                page.fill("#check-text", text)
                page.click("button[type=submit]")
                page.wait_for_function("document.getElementById('check-result').textContent.length > 0")
                shown = page.inner_text("#check-result")
                if expected:
                    assert expected in shown and "VEL-BAK-2026-001" in shown, shown
                    assert page.get_attribute("#check-result a", "href").endswith(
                        f"/{lang}/announcements/statement-on-regional-water-forum/")
                else:
                    assert "VEL-BAK" not in shown and shown, shown
        assert errors == []


def test_the_demo_lists_its_statements_in_every_language(demo: Path) -> None:
    data = register(demo)
    assert {r["reference"] for r in data["statements"]} == {f"VEL-BAK-2026-00{n}" for n in range(1, 5)}
    assert {r["lang"] for r in data["statements"]} == {"en", "ar", "az", "uz"}
    for lang in ("en", "ar", "az", "uz"):
        listing = (demo / lang / "statements/index.html").read_text(encoding="utf-8")
        assert listing.count("<bdi dir=\"ltr\">VEL-BAK-2026-") >= 4
        assert (demo / lang / "check/index.html").is_file()
