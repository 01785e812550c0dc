"""`legation verify-statement` (generator/verify_statement.py): a text, a file or a page against the register
and its signature."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.commands.cli import main
from tests.conftest import run_build
from tests.test_register import key_file

REPO = Path(__file__).resolve().parent.parent
PAGE = "announcements/statement-on-regional-water-forum/index.html"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify") / "site"
    root.mkdir()
    for name in ("site.yml", "content", "ledger"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
    assert run_build(root, signing_key=key_file(root.parent)).ok
    return root


def test_a_page_or_its_text_is_recognised_with_a_valid_signature(built: Path, tmp_path: Path) -> None:
    page = built / "public/ar" / PAGE
    result = cli("verify-statement", str(page), "--root", str(built))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("register: signature valid (key ")
    assert "matches VEL-BAK-2026-001 (ar): بيان بشأن منتدى التعاون المائي في بحر قزوين" in result.output
    copied = tmp_path / "copied.txt"
    copied.write_text("  Veloria welcomes\nthe forum's agreement on joint monitoring of water quality in the "
                      "Caspian Sea, and stands ready to contribute.\n", encoding="utf-8")
    text = cli("verify-statement", str(copied), "--root", str(built))
    assert ("matches VEL-BAK-2026-001 (en)" in text.output) is (text.exit_code == 0)


def test_a_changed_word_matches_nothing(built: Path) -> None:
    page = (built / "public/en" / PAGE).read_text(encoding="utf-8").replace("welcomes", "regrets")
    result = CliRunner().invoke(main, ["verify-statement", "-", "--root", str(built)], input=page.encode())
    assert result.exit_code == 1 and "no official statement matches this text word for word" in result.output


def test_a_tampered_register_fails_its_signature(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(built / "public", copy)
    register = copy / "statements.json"
    register.write_text(register.read_text(encoding="utf-8").replace("Caspian", "Kaspian"), encoding="utf-8")
    result = cli("verify-statement", str(built / "public/en" / PAGE), "--register", str(register))
    assert result.exit_code == 1 and "register: signature INVALID" in result.output


def test_an_unsigned_register_says_what_it_proves(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "public"
    shutil.copytree(built / "public", copy)
    (copy / "statements.json.sig").unlink()
    result = cli("verify-statement", str(copy / "en" / PAGE), "--register", str(copy / "statements.json"))
    assert result.exit_code == 0 and result.output.startswith("register: not signed")
    assert "matches VEL-BAK-2026-001 (en)" in result.output


def test_a_missing_register_is_a_clear_error(tmp_path: Path) -> None:
    result = cli("verify-statement", "--text", "x", "--register", str(tmp_path / "none.json"))
    assert result.exit_code == 1 and result.output.startswith(f"{tmp_path / 'none.json'}: error: cannot read the register")
