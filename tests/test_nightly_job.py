"""The nightly job of docs/deploy.md: the GitHub Actions workflow against GitHub's published workflow schema
(SchemaStore's copy, vendored by check-jsonschema), the cron script's syntax, the guide showing exactly these
files, and every legation command in them existing with those options."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from generator.commands.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs"
WORKFLOW = DOCS / "nightly/github-actions.yml"
SCRIPT = DOCS / "nightly/nightly.sh"


def test_the_workflow_is_valid_for_github_actions() -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0


def test_the_cron_script_parses_and_stops_at_the_first_failure() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0
    assert "set -euo pipefail" in SCRIPT.read_text(encoding="utf-8")


def test_the_guide_shows_these_files_as_they_are() -> None:
    guide = (DOCS / "deploy.md").read_text(encoding="utf-8")
    assert WORKFLOW.read_text(encoding="utf-8").rstrip("\n") in guide
    assert SCRIPT.read_text(encoding="utf-8").rstrip("\n") in guide


def commands(paths: tuple[Path, ...] = (WORKFLOW, SCRIPT)) -> list[list[str]]:
    found = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"(?:run: |^)\s*(legation [^|>{}#]*)", line)
            if match and not line.lstrip().startswith("#"):
                found.append(shlex.split(match.group(1).replace('"$SITE_URL"', "https://x.example/")))
    return found


@pytest.mark.parametrize("command", commands(), ids=lambda c: " ".join(c[1:3]))
def test_every_command_of_the_job_exists_with_its_options(command: list[str]) -> None:
    assert command[0] == "legation"
    group = main
    assert isinstance(group, click.Group)
    sub = group.commands.get(command[1])
    assert sub is not None, command
    options = {opt for param in sub.params for opt in getattr(param, "opts", [])}
    for word in command[2:]:
        if word.startswith("--"):
            assert word in options, (word, command)


@pytest.mark.parametrize("path", [WORKFLOW, SCRIPT], ids=lambda p: p.name)
def test_the_job_builds_deploys_verifies_and_notifies_in_that_order(path: Path) -> None:
    assert [c[1] for c in commands((path,))] == ["build", "deploy", "verify", "notify"]
