"""Files at the site's root that other systems look for: ``/.well-known/security.txt`` (RFC 9116),
``/.well-known/atproto-did`` (a Bluesky handle on the site's domain), and the site's own ``root/`` folder
(site-verification files for search engines and platforms), copied as they are."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..core.errors import LegationError, Problem, SourceLocation
from ..core.model import OutputFile, SiteConfig

ROOT_DIR = "root"
#: Paths the build writes itself: a file of root/ may not take their place.
GENERATED = frozenset({"index.html", "404.html", "robots.txt", "sitemap.xml", "_headers", ".legation-manifest.json",
                       ".well-known/security.txt", ".well-known/atproto-did"})


def month_start(now: datetime) -> datetime:
    moment = now.astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(now: datetime) -> datetime:
    """When security.txt's expiry moves on: the build after it writes a new date (a fast-path boundary)."""
    start = month_start(now)
    return (start + timedelta(days=32)).replace(day=1)


def security_txt(config: SiteConfig, now: datetime) -> OutputFile | None:
    """RFC 9116. Expires counts from the start of the build clock's month, so that every build in one month
    writes the same bytes, and the first build of the next month a later date."""
    contact = config.security
    if contact is None:
        return None
    expires = month_start(now) + timedelta(days=contact.expires_days)
    lines = [f"Contact: {value}" for value in contact.contacts]
    lines.append(f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    for field, value in (("Encryption", contact.encryption), ("Acknowledgments", contact.acknowledgments),
                         ("Policy", contact.policy), ("Hiring", contact.hiring)):
        if value:
            lines.append(f"{field}: {value}")
    lines.append(f"Preferred-Languages: {', '.join(contact.preferred_languages or config.language_codes)}")
    lines.append(f"Canonical: {config.base_url}.well-known/security.txt")
    return OutputFile(".well-known/security.txt", ("\n".join(lines) + "\n").encode("utf-8"))


def atproto_did(config: SiteConfig) -> OutputFile | None:
    if not config.atproto_did:
        return None
    return OutputFile(".well-known/atproto-did", config.atproto_did.encode("ascii"))


def root_files(root: Path, reserved: frozenset[str]) -> list[OutputFile]:
    """The files of the site's ``root/`` folder (its ``.well-known/`` included), at the same paths in the output.

    A link out of the folder, or a file that would replace one the build writes (or go into one of the
    ``reserved`` top-level folders: the languages', static/), is a located error.
    """
    folder = root / ROOT_DIR
    if not folder.is_dir():
        return []
    real_folder = os.path.realpath(folder)
    found: list[OutputFile] = []
    problems: list[Problem] = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") or d == ".well-known")
        for name in sorted(files):
            file = Path(here, name)
            relative = file.relative_to(folder).as_posix()
            real = os.path.realpath(file)
            shown = f"{ROOT_DIR}/{relative}"
            if os.path.commonpath((real, real_folder)) != real_folder or not os.path.isfile(real):
                problems.append(Problem("error", SourceLocation(shown), "a link out of the root/ folder",
                                        "copy the file into root/ instead of linking to it", "path"))
            elif relative in GENERATED or ("/" in relative and relative.split("/", 1)[0] in reserved):
                problems.append(Problem("error", SourceLocation(shown), f"{relative} is a file the build writes",
                                        "remove it from root/ (set what it should say in site.yml)", "path"))
            elif not name.startswith("."):
                found.append(OutputFile(relative, copy_from=real))
    if problems:
        raise LegationError(problems)
    return found
