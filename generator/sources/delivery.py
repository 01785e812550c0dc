"""The ``deploy:`` and ``notify:`` settings of site.yml, checked with located errors (no secrets: those come
from the environment or rclone's own configuration, never from site.yml)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..core.checks import Checker
from ..core.model import ALERT_LEVELS, ANNOUNCEMENT_KINDS, DeployConfig, DeployTarget, EmailNotice, NotifyConfig

TARGET_KEYS = ("url", "endpoint", "region", "provider")
DEPLOY_KEYS = ("targets", "max_delete", "precompress")
COMPRESSIONS = ("gzip", "br")
NOTIFY_KEYS = ("kinds", "alerts", "tags", "email", "telegram", "sent_file", "max_age_days")
EMAIL_KEYS = ("from", "lists", "host", "port", "security")
SCHEMES = ("sftp", "s3", "webdav+https", "webdav+http", "file", "rclone")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_CHAT = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,}|-?\d+)$")


def deploy_config(check: Checker, raw: Any) -> DeployConfig:
    section = check.mapping(raw, ("deploy",), DEPLOY_KEYS) or {}
    targets: list[DeployTarget] = []
    found = check.mapping(section.get("targets", {}), ("deploy", "targets"),
                          tuple(str(k) for k in section.get("targets", {}) or {})
                          if isinstance(section.get("targets"), dict) else ()) or {}
    for name, value in found.items():
        where: tuple[str | int, ...] = ("deploy", "targets", str(name))
        if not _NAME.match(str(name)):
            check.error(where, f'"{name}" is not a target name', "use lowercase letters, digits, - and _")
            continue
        if isinstance(value, str):
            value = {"url": value}
        fields = check.mapping(value, where, TARGET_KEYS, required=("url",)) or {}
        url = check.text(fields.get("url"), (*where, "url"), allow_empty=False)
        if not url:
            continue
        problem = target_problem(url)
        if problem:
            check.error((*where, "url"), problem[0], problem[1])
            continue
        targets.append(DeployTarget(str(name), url, *(check.text(fields.get(key, ""), (*where, key)) or ""
                                                      for key in ("endpoint", "region", "provider"))))
    limit = section.get("max_delete", 50)
    max_delete, share = 50, 0.25
    if isinstance(limit, str) and limit.endswith("%"):
        try:
            share = float(limit[:-1]) / 100
            max_delete = 10**9
        except ValueError:
            check.error(("deploy", "max_delete"), f'"{limit}" is not a share', 'write a number of files (50) or a '
                        'share ("10%")')
    else:
        max_delete = check.integer(limit, ("deploy", "max_delete"), minimum=0) or 0
        share = 1.0
    precompress = check.text_list(section.get("precompress", []), ("deploy", "precompress")) or ()
    for number, name in enumerate(precompress):
        if name not in COMPRESSIONS:
            check.error(("deploy", "precompress", number), f'"{name}" is not a compression legation writes',
                        "use gzip, br or both")
    return DeployConfig(tuple(targets), max_delete, share, tuple(dict.fromkeys(precompress)))


def target_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with a deploy target's address (a message and a hint), or None."""
    if url.startswith(("/", "./", "../")) or re.match(r"^[A-Za-z]:[\\/]", url):
        return None  # a folder on this machine
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return (f'"{url}" is not a deploy target this version knows',
                "use a folder, sftp://user@host/path, s3://bucket/path, webdav+https://host/path or "
                "rclone:REMOTE:path (a remote of rclone's own configuration)")
    if parts.password is not None:
        return ("the address holds a password: site.yml is in the repository, and secrets must not be",
                "remove it and give it in the environment (RCLONE_SFTP_PASS, RCLONE_WEBDAV_PASS, "
                "RCLONE_S3_SECRET_ACCESS_KEY; see docs/deploy.md)")
    if parts.scheme in ("sftp", "webdav+https", "webdav+http") and not parts.hostname:
        return f'"{url}" names no host', "write it as sftp://user@host/path"
    if parts.scheme == "s3" and not parts.netloc:
        return f'"{url}" names no bucket', "write it as s3://bucket/path"
    return None


def notify_config(check: Checker, raw: Any, languages: tuple[str, ...]) -> NotifyConfig:
    section = check.mapping(raw, ("notify",), NOTIFY_KEYS) or {}
    kinds = check.text_list(section.get("kinds", ["consular"]), ("notify", "kinds")) or ()
    for number, kind in enumerate(kinds):
        if kind not in ANNOUNCEMENT_KINDS:
            check.error(("notify", "kinds", number), f'"{kind}" is not a kind of announcement',
                        f"use some of: {', '.join(ANNOUNCEMENT_KINDS)}")
    alerts = check.text_list(section.get("alerts", ["critical"]), ("notify", "alerts")) or ()
    for number, level in enumerate(alerts):
        if level not in ALERT_LEVELS:
            check.error(("notify", "alerts", number), f'"{level}" is not an alert level',
                        f"use some of: {', '.join(ALERT_LEVELS)}")
    tags = check.text_list(section.get("tags", []), ("notify", "tags")) or ()
    email = _email(check, section["email"], languages) if "email" in section else None
    chats: dict[str, str] = {}
    if "telegram" in section:
        telegram = check.mapping(section["telegram"], ("notify", "telegram"), ("chat",), required=("chat",)) or {}
        raw_chat = telegram.get("chat")
        wanted: dict[str, tuple[Any, tuple[str | int, ...]]]
        if isinstance(raw_chat, dict):  # a channel per language
            given = check.mapping(raw_chat, ("notify", "telegram", "chat"), languages) or {}
            wanted = {str(lang): (value, ("notify", "telegram", "chat", str(lang))) for lang, value in given.items()}
        else:
            wanted = {lang: (raw_chat, ("notify", "telegram", "chat")) for lang in languages}
        for lang, (value, where) in wanted.items():
            chat = check.text(value, where, allow_empty=False) or ""
            if chat and not _CHAT.match(chat):
                check.error(where, f'"{chat}" is not a Telegram channel',
                            "write the channel's public name (@veloria_baku) or its numeric chat id; the bot's "
                            "token goes in the environment (LEGATION_TELEGRAM_TOKEN), never here")
                break
            if chat:
                chats[lang] = chat
    sent = check.text(section.get("sent_file", "notifications/sent.yml"), ("notify", "sent_file"),
                      allow_empty=False) or "notifications/sent.yml"
    if sent.startswith("/") or ".." in sent.split("/"):
        check.error(("notify", "sent_file"), f'"{sent}" is outside the site folder',
                    "name a file inside it, such as notifications/sent.yml")
        sent = "notifications/sent.yml"
    age = check.integer(section.get("max_age_days", 7), ("notify", "max_age_days"), minimum=0)
    return NotifyConfig(tuple(kinds), tuple(alerts), tuple(tags), email, chats, sent, 7 if age is None else age)


def _email(check: Checker, raw: Any, languages: tuple[str, ...]) -> EmailNotice | None:
    where: tuple[str | int, ...] = ("notify", "email")
    fields = check.mapping(raw, where, EMAIL_KEYS, required=("from", "lists", "host")) or {}
    sender = check.text(fields.get("from"), (*where, "from"), allow_empty=False) or ""
    if sender and not _ADDRESS.match(sender.rsplit("<", 1)[-1].rstrip(">")):
        check.error((*where, "from"), f'"{sender}" is not an e-mail address', 'write it as "Embassy <news@…>"')
    lists: dict[str, str] = {}
    raw_lists = fields.get("lists", {})
    found = check.mapping(raw_lists, (*where, "lists"), languages) or {}
    for lang, address in found.items():
        text = check.text(address, (*where, "lists", lang), allow_empty=False) or ""
        if text and not _ADDRESS.match(text):
            check.error((*where, "lists", lang), f'"{text}" is not an e-mail address',
                        "write the address of the language's subscribers' list")
        elif text:
            lists[lang] = text
    host = check.text(fields.get("host"), (*where, "host"), allow_empty=False) or ""
    port = check.integer(fields.get("port", 587), (*where, "port"), minimum=1) or 587
    security = check.choice(fields.get("security", "starttls"), (*where, "security"),
                            ("starttls", "tls", "none")) or "starttls"
    return EmailNotice(sender, lists, host, port, security) if sender and host else None
