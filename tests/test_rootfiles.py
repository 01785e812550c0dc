"""security.txt, atproto-did and the site's root/ folder (generator/rootfiles.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.core.errors import LegationError
from generator.outputs.rootfiles import next_month, root_files, security_txt
from generator.sources.config import parse_config
from tests.conftest import run_build

CONFIG = parse_config("""\
base_url: https://embassy.example.org/
languages: [{code: en}, {code: ar}]
security:
  contact: [mailto:security@embassy.example.org, https://embassy.example.org/en/pages/contact/]
  policy: https://embassy.example.org/en/pages/disclosure/
""")


def test_security_txt_follows_rfc_9116_and_moves_on_each_month() -> None:
    made = security_txt(CONFIG, datetime(2026, 12, 3, 17, tzinfo=UTC))
    assert made is not None and made.path == ".well-known/security.txt" and made.data is not None
    assert made.data.decode() == (
        "Contact: mailto:security@embassy.example.org\n"
        "Contact: https://embassy.example.org/en/pages/contact/\n"
        "Expires: 2027-05-30T00:00:00Z\n"
        "Policy: https://embassy.example.org/en/pages/disclosure/\n"
        "Preferred-Languages: en, ar\n"
        "Canonical: https://embassy.example.org/.well-known/security.txt\n")
    later = security_txt(CONFIG, datetime(2026, 12, 31, 23, tzinfo=UTC))
    assert later is not None and later.data == made.data  # the same bytes all month: builds stay reproducible
    assert next_month(datetime(2026, 12, 3, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)


def test_root_files_are_published_at_the_root(make_site: Callable[..., Path]) -> None:
    root = make_site({"root/google0123456789abcdef.html": "google-site-verification: google0123456789abcdef.html",
                      "root/.well-known/apple-app-site-association": "{}",
                      "site.yml": (Path(make_site().joinpath("site.yml")).read_text(encoding="utf-8")
                                   + "atproto_did: did:plc:abcdefghijklmnopqrstuvwx\n")})
    assert run_build(root).ok
    assert (root / "public/google0123456789abcdef.html").read_text() == \
        "google-site-verification: google0123456789abcdef.html"
    assert (root / "public/.well-known/apple-app-site-association").read_text() == "{}"
    assert (root / "public/.well-known/atproto-did").read_text() == "did:plc:abcdefghijklmnopqrstuvwx"


@pytest.mark.parametrize("name", ["index.html", "robots.txt", ".well-known/security.txt", "en/x.html"])
def test_a_root_file_may_not_replace_one_the_build_writes(tmp_path: Path, name: str) -> None:
    (tmp_path / "root" / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "root" / name).write_text("x")
    with pytest.raises(LegationError, match="is a file the build writes"):
        root_files(tmp_path, frozenset({"en", "ar", "static"}))


def test_a_link_out_of_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    os.symlink("/etc/passwd", tmp_path / "root/passwd.txt")
    with pytest.raises(LegationError, match="a link out of the root/ folder"):
        root_files(tmp_path, frozenset())
