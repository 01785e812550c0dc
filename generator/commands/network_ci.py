"""`legation network ci`: the configuration that builds a ministry's network on the CI system it already has, the
shards as a job matrix (GitHub Actions, GitLab CI/CD), each shard's missions kept as an artifact. No scheduler of
our own: the CI system runs the shards; `legation network build --shard K/N` builds one."""

from __future__ import annotations

import json
import re
import shlex
from importlib.metadata import PackageNotFoundError, version

GITHUB_FILE = ".github/workflows/legation-network.yml"
GITLAB_FILE = ".gitlab-ci.yml"


def installed_version() -> str:
    try:
        return version("legation")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return ""


MATRIX_SHARD = "${{ matrix.shard }}"
PLAN_NOW = "${{ needs.plan.outputs.now }}"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]|\$\{\{")


def checked(text: str) -> str:
    """``text`` (a folder name, an install command) as it may go into a CI file; a ValueError when it holds a line
    break or another control character (it would start a step of its own) or ``${{`` (GitHub would evaluate it)."""
    if _UNSAFE.search(text):
        raise ValueError(f"{text!r} holds a line break, a control character or ${{{{: it cannot go into a CI file")
    return text


def _scalar(command: str) -> str:
    """One command as a YAML scalar: a JSON string, which YAML reads as exactly that text (its parts from
    outside were ``checked``)."""
    return json.dumps(command, ensure_ascii=False)


def default_install() -> str:
    """The step that installs legation: the version that wrote the file, from the package index."""
    pinned = installed_version()
    return f'pip install "legation=={pinned}"' if pinned else "pip install legation"


def github_workflow(folder: str, shards: int, install: str, python: str = "3.12") -> str:
    """A GitHub Actions workflow: a plan job fixes the clock, a build job per shard (a matrix) uploads its missions'
    folders, a last job gathers them into one artifact. ``folder``: the ministry's folder in the repository."""
    root, install = shlex.quote(checked(folder) or "."), checked(install)
    numbers = ", ".join(str(n) for n in range(1, shards + 1))
    return f"""\
# Builds the ministry's network (network.yml) in {shards} shard{"s" if shards != 1 else ""}, each a job of the matrix.
# Written by `legation network ci --github`; run it again after changing the number of shards.
name: Build the network
on:
  push:
    branches: [main]
  schedule:
    - cron: "10 2 * * *"  # nightly: scheduled items publish, expired ones go
  workflow_dispatch: {{}}
permissions:
  contents: read
concurrency:
  group: legation-network
  cancel-in-progress: false
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      now: ${{{{ steps.clock.outputs.now }}}}
    steps:
      - id: clock
        # one clock for every shard: the shards together are then the network built on one machine
        run: echo "now=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"
  build:
    needs: plan
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false  # one shard's failure never stops the others
      matrix:
        shard: [{numbers}]
    name: shard ${{{{ matrix.shard }}}} of {shards}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - run: {_scalar(install)}
      - run: {_scalar(f"legation network plan --root {root} --shards {shards}")}
      - run: {_scalar(f"legation network build --root {root} --shard {MATRIX_SHARD}/{shards} --now {PLAN_NOW} "
                      "--out public-shard")}
      - uses: actions/upload-artifact@v4
        if: always()  # the missions that built, even when another failed
        with:
          name: missions-shard-${{{{ matrix.shard }}}}
          path: public-shard/*/
          if-no-files-found: ignore
          retention-days: 7
  collect:
    needs: build
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: missions-shard-*
          path: public
          merge-multiple: true
      - uses: actions/upload-artifact@v4
        with:
          name: missions
          path: public/
          retention-days: 7
"""


def gitlab_ci(folder: str, shards: int, install: str, python: str = "3.12") -> str:
    """A GitLab CI/CD configuration: one job run as ``shards`` parallel jobs (CI_NODE_INDEX of CI_NODE_TOTAL), on
    the pipeline's own clock, each keeping its missions' folders as an artifact."""
    root, install = shlex.quote(checked(folder) or "."), checked(install)
    return f"""\
# Builds the ministry's network (network.yml) in {shards} parallel jobs, one shard each.
# Written by `legation network ci --gitlab`; run it again after changing the number of shards.
stages:
  - build
build-network:
  stage: build
  image: python:{python}
  parallel: {shards}
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"  # nightly: scheduled items publish, expired ones go
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - {_scalar(install)}
    - {_scalar(f'legation network plan --root {root} --shards "$CI_NODE_TOTAL"')}
    # the pipeline's creation time is every shard's clock: the shards together are the network built on one machine
    - {_scalar(f'legation network build --root {root} --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" '
               '--now "$CI_PIPELINE_CREATED_AT" --out public-shard')}
  artifacts:
    when: always  # the missions that built, even when another failed
    name: missions-shard-$CI_NODE_INDEX
    paths:
      - public-shard/
    expire_in: 1 week
"""
