"""The `legation` command: turns options into a build and problems into messages and exit codes."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..core.clock import EARLIEST_YEAR, LATEST_YEAR, resolve_clock
from ..core.errors import LegationError, counted, printable

if TYPE_CHECKING:
    from ..core.errors import Problem
    from ..core.model import Site
    from ..engine.build import BuildReport

# Commands import the pipeline lazily so that `legation --help` starts fast.


def _clock(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    try:
        return resolve_clock(value, os.environ)
    except ValueError as exc:
        source = f'--now "{value}"' if value else f'SOURCE_DATE_EPOCH="{os.environ.get("SOURCE_DATE_EPOCH")}"'
        if "outside the years" in str(exc) or "out of range" in str(exc):
            raise click.BadParameter(f"{source}: {exc}; give a time between the years {EARLIEST_YEAR} and "
                                     f"{LATEST_YEAR}") from None
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
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Worker processes (default: the number of CPUs). Output is identical for any value.")
@click.option("--lock-wait", type=click.FloatRange(0), default=600, show_default=True,
              help="Seconds to wait for another build of the same output folder to finish.")
@click.option("--signing-key", type=click.Path(dir_okay=False, path_type=Path), envvar="LEGATION_SIGNING_KEY",
              default=None, help="Ed25519 private key (PEM) that signs statements.json; keep it outside the site.")
@click.option("--force", is_flag=True,
              help="Render every page again and take no file from the previous output (it is checked anyway).")
@click.option("--resident/--no-resident", default=None,
              help="Hand the build to the site's resident builder, which keeps the site in memory between builds "
                   "(started in the background after a build; default: on in a terminal, off in CI and scripts, "
                   "or LEGATION_RESIDENT=1/0).")
def build_command(root: Path, out: Path | None, now: datetime, drafts: bool, strict: bool,
                  report_file: Path | None, jobs: int | None, lock_wait: float, signing_key: Path | None,
                  force: bool, resident: bool | None) -> None:
    """Build the site into the output folder, replacing it only when everything succeeded."""
    root = root.resolve()
    out_dir = (out if out is not None else root / "public").absolute()
    interactive = sys.stderr.isatty()

    def progress(stage: str) -> None:
        click.echo(f"  {stage}…", err=True)

    from ..engine.run import BuildOptions

    workers = jobs or os.cpu_count() or 1
    options = BuildOptions(root, out_dir, now, drafts, strict, jobs=workers, lock_wait=lock_wait, force=force,
                           signing_key=signing_key.absolute() if signing_key else None)
    builder = _resident(resident)
    result = builder.hand_over(options, progress if interactive else None) if builder is not None else None
    if result is None:
        from ..engine.build import build

        result = build(options, progress if interactive else None)
        if builder is not None and not force:  # for the next build: it makes the site in memory meanwhile
            builder.start(root)
    _finish(result, report_file, strict)


def _resident(choice: bool | None) -> Any:
    """The resident builder's module when this build may use it (see resident.wanted), else None."""
    from . import resident

    return resident if resident.wanted(choice) else None


def _finish(result: BuildReport, report_file: Path | None, strict: bool) -> None:
    # errors first, each kind in file order: the first message of a failed build is the mistake to fix
    for problem in [*result.errors, *result.warnings]:
        click.echo(problem.format(), err=True)
    if report_file is not None:
        _write_report(report_file, result)
    click.echo(result.summary(), err=not result.ok)
    if not result.ok:
        if strict and not result.errors:
            click.echo("legation: --strict turns the warnings above into errors; nothing was written", err=True)
        elif result.replaced:
            click.echo(f"legation: the build failed after it replaced {' and '.join(result.replaced)} with the new "
                       "site; every other output folder was left as it was. Fix the error above and build again",
                       err=True)
        else:
            click.echo("legation: nothing was written; the previous output was left as it was", err=True)
        sys.exit(1)


def _json_safe(value: Any) -> Any:
    """``value`` with every string (keys too) encodable as UTF-8; see :func:`printable`."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_json_safe(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _write_report(report_file: Path, result: BuildReport) -> None:
    text = json.dumps(_json_safe(result.as_json()), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    try:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = (f"{report_file.parent} is not a folder" if isinstance(exc, FileExistsError | NotADirectoryError)
                  else exc.strerror or str(exc))
        click.echo(printable(f"{report_file}: error: cannot write the build report: {reason}"), err=True)
        click.echo("    hint: choose another --report path, in a folder you can write to", err=True)
        sys.exit(1)


def _root_option(function: Any) -> Any:
    return click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
                        help="Site folder holding site.yml and content/.")(function)


def _usage(message: str, hint: str) -> NoReturn:
    """A wrong argument: exit 2 like click's own usage errors."""
    click.echo(f"legation: {message}\n  fix: {hint}", err=True)
    sys.exit(2)


def _fail(exc: LegationError) -> NoReturn:
    for problem in exc.problems:
        click.echo(problem.format(), err=True)
    sys.exit(exc.exit_code)


@main.command("new")
@click.argument("section")
@click.argument("slug")
@click.option("--lang", default=None, help="Language of the new file (default: the site's default language).")
@click.option("--translate-to", "translate_to", default="", help="Comma-separated languages to create translations in.")
@click.option("--title", default="", help="Title of the item.")
@click.option("--now", callback=_clock, help="Clock for the date (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def new_command(section: str, slug: str, lang: str | None, translate_to: str, title: str, now: datetime,
                root: Path) -> None:
    """Create SECTION/SLUG with every front-matter field, in one or more languages."""
    from ..sources.config import load_config
    from .authoring import scaffold

    root = root.resolve()
    try:
        config = load_config(root)
        codes = tuple(code.strip() for code in translate_to.split(",") if code.strip())
        files = scaffold(config, section, slug, lang or config.default_language, codes, title, now)
    except LegationError as exc:
        _fail(exc)
    existing = [f.path for f in files if (root / f.path).exists()]
    bundle = root / "content" / section / slug
    if bundle.is_dir() or any((root / "content" / section).glob(f"{slug}.*.md")):
        existing.append(bundle.relative_to(root).as_posix() if bundle.is_dir() else f"content/{section}/{slug}.*.md")
    if existing:
        click.echo(f"legation: {', '.join(sorted(set(existing)))} already exists; nothing was created", err=True)
        click.echo("    hint: edit the existing file, or choose another slug", err=True)
        sys.exit(1)
    for file in files:
        target = root / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(file.text)
        click.echo(f"created {file.path}")


@main.command("snippets")
@click.argument("item")
@click.option("--lang", "langs", multiple=True, help="Only this language (repeatable; default: every language).")
@click.option("--platform", "platforms", multiple=True,
              help="Only this platform (repeatable; default: snippets.platforms in site.yml).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per language.")
@click.option("--now", callback=_clock, help="Build clock (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def snippets_command(item: str, langs: tuple[str, ...], platforms: tuple[str, ...], as_json: bool, now: datetime,
                     root: Path) -> None:
    """Print ready-to-paste social posts for ITEM (section/slug, e.g. announcements/visa-news)."""
    from dataclasses import replace

    from ..core.errors import did_you_mean
    from ..engine.build import load_site
    from ..outputs.snippets import RULES, item_snippets

    root = root.resolve()
    try:
        site, catalog, _ = load_site(root, now)
    except LegationError as exc:
        _fail(exc)
    section, _, slug = item.strip("/").partition("/")
    group = site.translations.get((section, slug), {})
    unpublished = {code: state for (s, g, code), state in site.status.items() if (s, g) == (section, slug)}
    if not group and not unpublished:
        known = [f"{s}/{g}" for s, g in site.translations]
        hint = did_you_mean(item, known) or "give section/slug, e.g. announcements/" + (known[0].split("/")[1] if known else "x")
        _usage(f'no item "{item}" in content/', hint)
    for code in langs:
        if code not in site.config.language_codes:
            _usage(f'--lang {code}: the site has no such language',
                   did_you_mean(code, site.config.language_codes) or f"use one of: {', '.join(site.config.language_codes)}")
    for name in platforms:
        if name not in RULES:
            _usage(f'--platform {name}: unknown platform',
                   did_you_mean(name, list(RULES)) or f"use one of: {', '.join(RULES)}")
    chosen = platforms or site.config.snippets.platforms or tuple(RULES)
    config = replace(site.config, snippets=replace(site.config.snippets, platforms=tuple(chosen)))
    site = replace(site, config=config)
    results = [item_snippets(site, catalog, page) for lang, page in group.items() if not langs or lang in langs]
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            for post in result.posts:
                state = "" if post.fits else "  TOO LONG"
                click.echo(f"── {result.page.lang} · {RULES[post.platform].label} · {post.length}/{post.limit} "
                           f"({post.counting}){state}")
                click.echo(post.text)
                click.echo()
    for result in results:
        for problem in result.problems:
            click.echo(problem.format(), err=True)
    # a language without posts is said on stderr; it fails (exit 1) when --lang asked for it or nothing was printed
    silent = [code for code in langs or site.config.language_codes if code not in group]
    failing = bool(langs and silent) or not results
    for code in silent:
        reason = _no_posts(root, site, section, slug, code)
        click.echo((reason if failing else replace(reason, severity="warning")).format(), err=True)
    if failing:
        sys.exit(1)


def _no_posts(root: Path, site: Site, section: str, slug: str, lang: str) -> Problem:
    """Why ``lang`` has no posts for the item: its copy is a draft, scheduled or missing (pages re-read from disk)."""
    from ..engine.build import load_pages
    from .status import no_posts_reason

    pages = {page.lang: page for page in load_pages(root).pages if page.key == (section, slug)}
    page = pages.get(lang)
    source = pages.get(site.config.default_language) or next(iter(pages.values()), None)
    text = (root / page.source).read_text(encoding="utf-8", errors="replace") if page else ""
    return no_posts_reason(section, slug, lang, site.status.get((section, slug, lang)), page, source, site.now, text)


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the matrix as JSON.")
@click.option("--diff", "diff_item", metavar="SECTION/SLUG", default=None,
              help="Show what changed in the item's source since its --lang translation was made.")
@click.option("--lang", "diff_lang", default=None, help="The translation --diff compares (with --diff).")
@click.option("--strict", is_flag=True,
              help="Exit 1 when a consular notice or critical alert is missing, stale or a draft in a language.")
@click.option("--now", callback=_clock, help="Clock for ages (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def status_command(as_json: bool, diff_item: str | None, diff_lang: str | None, strict: bool, now: datetime,
                   root: Path) -> None:
    """Translation matrix: up to date, out of date, missing or draft for every item and language."""
    from ..engine.build import load_pages
    from .status import translation_status

    root = root.resolve()
    if diff_item is not None:
        _status_diff(root, diff_item, diff_lang)
        return
    try:
        loaded = load_pages(root)
    except LegationError as exc:
        _fail(exc)
    changed = {page.source: datetime.fromtimestamp((root / page.source).stat().st_mtime, tz=UTC)
               for page in loaded.pages}
    report = translation_status(list(loaded.pages), loaded.config, changed, now)
    silent = _silent_edits(root, now)
    if as_json:
        data = report.as_json()
        data["ledger"] = [{"item": f"{page.section}/{page.slug}", "lang": page.lang, "source": page.source,
                           "recorded_sha256": entry.sha256} for page, entry in silent]
        click.echo(json.dumps(_json_safe(data), indent=2, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(report.table())
        for page, _ in silent:
            click.echo(f"≠ {page.section}/{page.slug} [{page.lang}]: the published text differs from the ledger "
                       f"and no changes: entry says why ({page.source})")
    for problem in loaded.problems:
        if problem.severity == "error":
            click.echo(problem.format(), err=True)
    if strict and report.critical_problems:
        names = ", ".join(f"{i.section}/{i.slug}" for i in report.critical_problems)
        click.echo(f"legation: critical items missing, stale or a draft in some language: {names}", err=True)
        sys.exit(1)


def _silent_edits(root: Path, now: datetime) -> tuple[Any, ...]:
    """Statements whose published text differs from the ledger with no new changes: entry."""
    from ..assembly.ledger import check_ledger, read_ledger, recorded_pages
    from ..engine.build import load_site

    try:
        site, _, _ = load_site(root, now)
    except LegationError:
        return ()
    recorded = recorded_pages(site)
    return check_ledger(recorded, read_ledger(root, {p.key for p in recorded}), site.config.reference_pattern).disagreements


def _status_diff(root: Path, item: str, lang: str | None) -> None:
    from .translating import source_diff

    if not lang:
        click.echo("legation: --diff needs --lang: which translation to compare", err=True)
        click.echo(f"    hint: legation status --diff {item} --lang ar", err=True)
        sys.exit(2)
    try:
        text, known = source_diff(root, item, lang)
    except LegationError as exc:
        _fail(exc)
    click.echo(text.rstrip("\n"), err=not known)
    if not known:
        sys.exit(1)


@main.command("translated")
@click.argument("item", metavar="SECTION/SLUG")
@click.option("--lang", "langs", multiple=True, help="The translation to mark (repeatable, or comma-separated).")
@click.option("--all", "every", is_flag=True, help="Every translation the item has.")
@click.option("--now", callback=_clock, help="When it was checked (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def translated_command(item: str, langs: tuple[str, ...], every: bool, now: datetime, root: Path) -> None:
    """Mark a reviewed translation as made from the source as it is now (it is then up to date)."""
    from .translating import mark_translated

    codes = [code.strip() for value in langs for code in value.split(",") if code.strip()]
    if not codes and not every:
        click.echo("legation: name the translation: --lang ar (or --all for every translation)", err=True)
        sys.exit(2)
    try:
        for line in mark_translated(root.resolve(), item, None if every else codes, now):
            click.echo(line)
    except LegationError as exc:
        _fail(exc)


@main.group("translate")
def translate_group() -> None:
    """Packages for translators: XLIFF 2.0 (or PO) out of the site, and back in."""


@translate_group.command("export")
@click.option("--lang", required=True, help="The language to translate into.")
@click.option("--stale", is_flag=True, help="Only translations that are out of date.")
@click.option("--missing", is_flag=True, help="Only items with no translation in --lang.")
@click.option("--format", "fmt", type=click.Choice(["xliff", "po"]), default="xliff", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: legation-LANG.xlf or .po in the current folder).")
@click.argument("items", nargs=-1, metavar="[SECTION/SLUG]...")
@_root_option
def translate_export(lang: str, stale: bool, missing: bool, fmt: str, out: Path | None, items: tuple[str, ...],
                     root: Path) -> None:
    """Write a package of the site's text for a translator into LANG."""
    from .translating import export_package, package_bytes

    root = root.resolve()
    try:
        package = export_package(root, lang, items, stale, missing)
    except LegationError as exc:
        _fail(exc)
    target = out or Path(f"legation-{lang}.{'xlf' if fmt == 'xliff' else 'po'}")
    target.write_bytes(package_bytes(package, fmt))
    units = sum(len(item.units) for item in package.items)
    done = sum(1 for item in package.items for unit in item.units if unit.target is not None)
    click.echo(f"wrote {target}: {counted(len(package.items), 'item')}, {counted(units, 'unit')} "
               f"({done} already translated) for {lang}")


@translate_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite translations edited after the package was exported.")
@click.option("--now", callback=_clock, help="When it was translated (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def translate_import(file: Path, force: bool, now: datetime, root: Path) -> None:
    """Write the translations of a package (XLIFF or PO) into the site's content."""
    from .translating import import_package

    try:
        said = import_package(root.resolve(), file, force, now)
    except LegationError as exc:
        _fail(exc)
    for line in said:
        click.echo(line)


@main.command("deploy")
@click.argument("target", required=False)
@click.option("--to", "url", default=None, help="Publish to this address instead of a target of site.yml.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built folder to publish (default: ROOT/public).")
@click.option("--dry-run", is_flag=True, help="List what would be uploaded and deleted; send nothing.")
@click.option("--force", is_flag=True, help="Delete more files than deploy.max_delete allows.")
@click.option("--full", is_flag=True, help="Send every file, whatever the target's manifest says.")
@_root_option
def deploy_command(target: str | None, url: str | None, out: Path | None, dry_run: bool, force: bool, full: bool,
                   root: Path) -> None:
    """Publish the built site to TARGET (named in site.yml's deploy:), sending only what changed."""
    from ..sources.config import load_config
    from .deploy import choose_target, deploy

    root = root.resolve()
    try:
        config = load_config(root)
        chosen = choose_target(config.deploy, target, url)
        report = deploy(root, (out or root / "public").resolve(), config.deploy, chosen, dry_run=dry_run,
                        force=force, full=full)
    except LegationError as exc:
        _fail(exc)
    for line in report.lines():
        click.echo(line)


@main.command("notify")
@click.option("--dry-run", is_flag=True, help="Print the messages; send nothing, record nothing.")
@click.option("--channel", "channels", multiple=True, type=click.Choice(["email", "telegram"]),
              help="Only this channel (repeatable; default: every channel site.yml sets up).")
@click.option("--now", callback=_clock, help="Build clock (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def notify_command(dry_run: bool, channels: tuple[str, ...], now: datetime, root: Path) -> None:
    """Send urgent notices (consular notices, critical alerts) by e-mail and Telegram, each once."""
    from ..engine.build import load_site
    from .notify import notify

    root = root.resolve()
    try:
        site, catalog, problems = load_site(root, now)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise LegationError(errors)
        due, said = notify(root, site, catalog, dry_run=dry_run, channels=channels or ("email", "telegram"))
    except LegationError as exc:
        _fail(exc)
    for line in said:
        click.echo(line)
    verb = "to send" if dry_run else "sent"
    click.echo(f"legation notify: {counted(len(due), 'notice')} {verb}")
    if site.config.notify.email is None and not site.config.notify.telegram_chats:
        click.echo("    hint: site.yml sets up no channel: add notify: {email: {from, lists, host}} or "
                   "notify: {telegram: {chat}} (docs/deploy.md, Urgent notices)", err=True)


@main.command("verify-statement")
@click.argument("source", required=False, metavar="[FILE|URL]")
@click.option("--text", default=None, help="The text to check (else FILE or URL; - reads standard input).")
@click.option("--register", "register", default=None,
              help="statements.json: a path or an address (default: ROOT/public/statements.json).")
@click.option("--key", "key", default=None,
              help="The public key (PEM) to check the register's signature with (default: statements.pub beside it).")
@_root_option
def verify_statement_command(source: str | None, text: str | None, register: str | None, key: str | None,
                             root: Path) -> None:
    """Say whether a text, a file or a page is, word for word, an official statement, and whether the
    register's signature holds."""
    from .verify_statement import check, read, text_of

    try:
        if text is not None:
            wanted = text_of(sys.stdin.buffer.read() if text == "-" else text.encode("utf-8"), "--text")
        elif source:
            wanted = text_of(sys.stdin.buffer.read() if source == "-" else read(source, "text"), source)
        else:
            click.echo("legation: give the text to check: --text \"…\", a file, or a page's address", err=True)
            sys.exit(2)
        where = register or str(root.resolve() / "public" / "statements.json")
        data = read(where, "register")
        base = where.rsplit("/", 1)[0]
        signature = _optional(f"{where}.sig")
        public = read(key, "public key") if key else _optional(f"{base}/statements.pub")
        verdict = check(wanted, data, where, signature, public)
    except LegationError as exc:
        _fail(exc)
    for line in verdict.lines:
        click.echo(printable(line))
    sys.exit(0 if verdict.matched and verdict.signature_ok is not False else 1)


def _optional(where: str) -> bytes | None:
    from .verify_statement import read

    try:
        return read(where, "file")
    except LegationError:
        return None


@main.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--now", callback=_clock, help="Build clock (default: SOURCE_DATE_EPOCH, else now).")
@_root_option
def check_command(as_json: bool, now: datetime, root: Path) -> None:
    """Everything a strict build rejects, plus broken links and anchors, images, tags and the next 24 hours."""
    from .audit import check_site

    result = check_site(root.resolve(), now)
    if as_json:
        click.echo(json.dumps(_json_safe(result.as_json()), indent=2, ensure_ascii=False, sort_keys=True))
    else:
        for path, problems in result.grouped().items():
            click.echo(printable(path))
            for problem in problems:
                where = f"{problem.location.line}:{problem.location.col}" if problem.location.line else "-"
                click.echo(printable(f"  {where:>7}  {problem.severity}: {problem.message}"))
                if problem.hint:
                    click.echo(printable(f"           hint: {problem.hint}"))
        for change in result.upcoming:
            click.echo(f"next 24 h: {change['file']} becomes {change['to']} at {change['at']}")
        errors = sum(1 for p in result.failing if p.severity == "error")
        click.echo(f"legation check: {counted(len(result.failing), 'problem')} ({counted(errors, 'error')}, "
                   f"{counted(len(result.failing) - errors, 'warning')})" if result.failed
                   else "legation check: no problems")
    sys.exit(1 if result.failed else 0)


def _verify_live(url: str, out: Path, as_json: bool, workers: int, timeout: float) -> None:
    from .live import fetcher, verify_live

    try:
        report = verify_live(url, out, fetcher(timeout), workers)
    except LegationError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False, sort_keys=True))
    else:
        for line in report.lines():
            click.echo(printable(line))
    sys.exit(1 if report.findings else 0)


@main.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@_root_option
def serve_command(port: int, host: str, root: Path) -> None:
    """Preview with live reload; drafts and scheduled items are shown, errors appear in the browser."""
    from .serve import serve

    try:
        serve(root.resolve(), port, host, lambda: resolve_clock(None, os.environ), lambda line: click.echo(line, err=True))
    except LegationError as exc:  # it could not start: a busy port, a wrong --host, no site.yml
        _fail(exc)


@main.command("verify")
@click.argument("where", metavar="DIR|URL")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With a URL: the build to compare with (default: ROOT/public).")
@click.option("--json", "as_json", is_flag=True, help="With a URL: print the findings as JSON (for monitoring).")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 64), help="Requests at once.")
@click.option("--timeout", default=15.0, show_default=True, type=click.FloatRange(1, 300),
              help="Seconds to wait for each answer.")
@_root_option
def verify_command(where: str, out: Path | None, as_json: bool, workers: int, timeout: float, root: Path) -> None:
    """Check a deployed copy (a folder, or the live site at a URL) against the build manifest (SHA-256 of every
    file; with a URL also content types and the security headers of _headers)."""
    from ..core.files import verify_tree

    if where.startswith(("http://", "https://")):
        _verify_live(where, (out or root / "public").resolve(), as_json, workers, timeout)
        return
    folder = Path(where)
    if not folder.is_dir():
        click.echo(f"legation: {where} is neither a folder nor an http(s) address", err=True)
        click.echo("    hint: legation verify public/  or  legation verify https://embassy.example.org/", err=True)
        sys.exit(2)
    problems = verify_tree(folder)
    for line in problems:
        click.echo(line)
    click.echo(f"legation verify: {counted(len(problems), 'difference')}" if problems
               else "legation verify: every file matches")
    sys.exit(1 if problems else 0)


@main.group("network")
def network_group() -> None:
    """A ministry's network of missions (network.yml): build them, or plan shards for CI."""


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    number, _slash, count = value.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count) <= 1000):
        raise click.BadParameter(f'"{value}" is not K/N with 1 ≤ K ≤ N, such as 2/10')
    return int(number), int(count)


def _network_missions(root: Path, only: str, shard: tuple[int, int] | None) -> tuple[Any, ...]:
    """network.yml, checked with every mission's site.yml, and the missions asked for; a located error exits 1."""
    from ..engine.missions import select
    from ..sources.network import check_missions, load_network

    try:
        network, warnings = load_network(root)
        missions = select(root, network, tuple(name.strip() for name in only.split(",") if name.strip()), shard)
    except LegationError as exc:
        _fail(exc)
    problems = [*check_missions(root, network, missions), *warnings]
    problems.sort(key=lambda p: p.severity != "error")  # the mistake to fix first
    for problem in problems:
        click.echo(problem.format(), err=True)
    if any(p.severity == "error" for p in problems):
        click.echo(f"legation network: {counted(sum(p.severity == 'error' for p in problems), 'error')} in the "
                   "missions' settings; nothing was built", err=True)
        sys.exit(1)
    return missions


_ONLY = click.option("--only", default="", help="Build only these missions: ids, comma-separated.")
_SHARD = click.option("--shard", callback=_shard, default=None, metavar="K/N",
                      help="Build shard K of N: the missions split into N parts balanced by content size.")


@network_group.command("build")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="The ministry's folder, holding network.yml.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder: each mission goes into OUT/<id> (default: ROOT/public).")
@_ONLY
@_SHARD
@click.option("--now", callback=_clock, help="Build clock for every mission, ISO 8601 (default: SOURCE_DATE_EPOCH, "
              "else now).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Cores for the whole network (default: all): missions are built this many at a time.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--drafts", is_flag=True, help="Include drafts and scheduled items.")
@click.option("--force", is_flag=True, help="Render every page of every mission again.")
@click.option("--json", "as_json", is_flag=True, help="Print the result of every mission as JSON.")
def network_build(root: Path, out: Path | None, only: str, shard: tuple[int, int] | None, now: datetime,
                  jobs: int | None, strict: bool, drafts: bool, force: bool, as_json: bool) -> None:
    """Build every mission of the network (or --only some, or one --shard) into OUT/<id>, several at a time.
    One mission's error does not stop the others; the exit code is 1 when any failed."""
    from ..engine.missions import MissionResult, NetworkOptions, build_network

    root = root.resolve()
    missions = _network_missions(root, only, shard)
    options = NetworkOptions(root, (out if out is not None else root / "public").absolute(), now,
                             jobs or os.cpu_count() or 1, strict, drafts, force)

    def told(result: MissionResult) -> None:
        if as_json:
            return
        for problem in [*result.errors, *result.warnings]:
            click.echo(problem.format(), err=True)
        click.echo(f"{result.mission}: {result.summary.removeprefix('legation: ')}", err=not result.ok)

    from ..engine.missions import record_ministry
    from ..sources.network import load_network

    found = record_ministry(root, load_network(root)[0], now)  # the references the missions show
    for problem in found:
        click.echo(problem.format(), err=True)
    if strict and found:
        click.echo("legation network: --strict turns the warnings above into errors; nothing was built", err=True)
        sys.exit(1)
    report = build_network(options, missions, told)
    if as_json:
        click.echo(json.dumps(_json_safe(report.as_json()), indent=2, ensure_ascii=False))
    click.echo(report.summary(), err=not report.ok)
    sys.exit(0 if report.ok else 1)


@network_group.command("plan")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="The ministry's folder, holding network.yml.")
@click.option("--shards", "count", type=click.IntRange(1, 1000), default=1, show_default=True,
              help="Split the missions into this many shards, balanced by content size.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (for a CI job matrix).")
def network_plan(root: Path, count: int, as_json: bool) -> None:
    """List the missions and which shard each is built in (the same on every machine)."""
    from ..engine.missions import content_size, shards

    root = root.resolve()
    missions = _network_missions(root, "", None)
    sizes = {m.id: content_size(root, m) for m in missions}
    plan = shards(missions, sizes, count)
    if as_json:
        click.echo(json.dumps({"shards": [
            {"shard": f"{n}/{count}", "bytes": sum(sizes[m.id] for m in part), "missions": [m.id for m in part]}
            for n, part in enumerate(plan, start=1)]}, indent=2))
        return
    for n, part in enumerate(plan, start=1):
        click.echo(f"shard {n}/{count}: {sum(sizes[m.id] for m in part):,} bytes")
        for mission in part:
            click.echo(f"  {mission.id:<16} {', '.join(mission.languages):<20} {sizes[mission.id]:>12,} bytes  "
                       f"{mission.site}")


@network_group.command("status")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="The ministry's folder, holding network.yml.")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 when a mission carries an item whose translation into one of "
              "its languages is missing, out of date or a draft.")
@click.option("--now", callback=_clock, help="Clock (default: SOURCE_DATE_EPOCH, else now).")
def network_status_command(root: Path, as_json: bool, strict: bool, now: datetime) -> None:
    """For each item the ministry syndicates: the missions that carry it, in which languages, and which
    translations are missing or out of date."""
    from ..sources.network import load_network
    from .network_status import network_status

    root = root.resolve()
    try:
        network, warnings = load_network(root)
        status = network_status(root, network, now)
    except LegationError as exc:
        _fail(exc)
    click.echo(status.as_json() if as_json else status.table())
    for problem in sorted([*warnings, *status.problems], key=lambda p: p.severity != "error"):
        click.echo(problem.format(), err=True)
    incomplete = [item.item for item in status.items if item.incomplete]
    if strict and incomplete:
        click.echo(f"legation network: missions carry items with translations missing or out of date: "
                   f"{', '.join(incomplete)}", err=True)
        sys.exit(1)


@network_group.command("ci")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="The ministry's folder, holding network.yml.")
@click.option("--github", "system", flag_value="github", help="Write a GitHub Actions workflow.")
@click.option("--gitlab", "system", flag_value="gitlab", help="Write a GitLab CI/CD configuration.")
@click.option("--shards", "count", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Jobs the network is split into (balanced by content size).")
@click.option("--repository", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The repository's folder, where the file goes (default: ROOT).")
@click.option("--install", default=None, help='The command that installs legation in each job (default: pip install '
              '"legation==THIS VERSION"); pin your own source, e.g. pip install "legation @ git+https://…@v1.2".')
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the file instead of writing it.")
@click.option("--force", is_flag=True, help="Replace a file that is already there.")
def network_ci_command(root: Path, system: str | None, count: int, repository: Path | None, install: str | None,
                       to_stdout: bool, force: bool) -> None:
    """Write the CI configuration that builds the network's shards as a job matrix on GitHub Actions or GitLab
    CI/CD, each shard's missions kept as an artifact."""
    from .network_ci import GITHUB_FILE, GITLAB_FILE, default_install, github_workflow, gitlab_ci

    if system is None:
        _usage("say which CI system: --github or --gitlab", "legation network ci --github --shards 4")
    root = root.resolve()
    _network_missions(root, "", None)  # network.yml and the missions' settings are right first
    repo = (repository or root).resolve()
    try:
        folder = root.relative_to(repo).as_posix()
    except ValueError:
        _usage(f"{root} is not inside the repository {repo}", "pass --repository, the folder the CI checks out")
    if install is not None and ("\n" in install or not install.strip()):
        _usage("--install must be one command on one line", 'pip install "legation==1.2.0"')
    try:
        text = (github_workflow if system == "github" else gitlab_ci)(folder, count, install or default_install())
    except ValueError as exc:
        _usage(str(exc), "rename the folder, or give --install without ${{ and control characters")
    if to_stdout:
        click.echo(text, nl=False)
        return
    target = repo / (GITHUB_FILE if system == "github" else GITLAB_FILE)
    if target.exists() and not force and target.read_text(encoding="utf-8", errors="replace") != text:
        click.echo(f"legation network: {target} is already there and differs", err=True)
        click.echo("    hint: pass --force to replace it, or --stdout to compare", err=True)
        sys.exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"legation network: wrote {target} ({count} shards)")
