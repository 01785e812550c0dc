"""The `legation` command: turns options into a build and problems into messages and exit codes."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from .build import BuildOptions, BuildReport, build, resolve_clock


def _clock(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    try:
        return resolve_clock(value, os.environ)
    except ValueError:
        source = f'--now "{value}"' if value else f'SOURCE_DATE_EPOCH="{os.environ.get("SOURCE_DATE_EPOCH")}"'
        raise click.BadParameter(f"{source} is not a valid time; use ISO 8601 like 2026-01-11T09:00:00+04:00 "
                                 "or seconds since 1970 for SOURCE_DATE_EPOCH") from None


@click.group()
@click.version_option(package_name="legation")
def main() -> None:
    """legation: a multilingual static-site generator for embassies."""


@main.command("build")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="Site folder holding site.yml and content/.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: ROOT/public).")
@click.option("--now", callback=_clock, help="Build clock, ISO 8601 (default: SOURCE_DATE_EPOCH, else now).")
@click.option("--drafts", is_flag=True, help="Include drafts and scheduled items (for previews).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a JSON build report to this file.")
def build_command(root: Path, out: Path | None, now: datetime, drafts: bool, strict: bool,
                  report_file: Path | None) -> None:
    """Build the site into the output folder, replacing it only when everything succeeded."""
    root = root.resolve()
    out_dir = (out if out is not None else root / "public").absolute()
    interactive = sys.stderr.isatty()

    def progress(stage: str) -> None:
        click.echo(f"  {stage}…", err=True)

    result = build(BuildOptions(root, out_dir, now, drafts, strict), progress if interactive else None)
    _finish(result, report_file, strict)


def _finish(result: BuildReport, report_file: Path | None, strict: bool) -> None:
    for problem in result.problems:
        click.echo(problem.format(), err=True)
    if report_file is not None:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.write_text(json.dumps(result.as_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                               encoding="utf-8")
    click.echo(result.summary(), err=not result.ok)
    if not result.ok:
        if strict and not result.errors:
            click.echo("legation: --strict turns the warnings above into errors; nothing was written", err=True)
        else:
            click.echo("legation: nothing was written; the previous output was left as it was", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
