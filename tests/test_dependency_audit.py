"""The CI's dependency audit says plainly when it could not check (issue 20, "Dependency audit in CI")."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"


def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_unreachable_database_is_reported_as_not_checked_not_as_clean() -> None:
    code, lines = audit().summarise({"dependencies": [
        {"name": "jinja2", "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2 (3.1.6)"},
        {"name": "babel", "version": "2.19.0", "vulns": []},
    ]})
    assert code == 0
    assert any("NOT CHECKED for 1 of 2 packages" in line and "jinja2" in line for line in lines)
    assert "no known vulnerabilities in the 1 packages that could be checked (see NOT CHECKED above)" in lines[-1]


def test_a_known_vulnerability_fails_with_its_fix() -> None:
    code, lines = audit().summarise({"dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]},
    ]})
    assert code == 1
    assert lines[0] == "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"


def test_all_checked_and_clean() -> None:
    code, lines = audit().summarise({"dependencies": [{"name": "nh3", "version": "0.3", "vulns": []}]})
    assert (code, lines) == (0, ["dependency audit: no known vulnerabilities in the 1 packages that could be checked"])
