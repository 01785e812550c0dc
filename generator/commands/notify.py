"""`legation notify`: send the urgent notices the site owes, by e-mail (SMTP) and to Telegram (Bot API), and
record each one in the site's repository the moment it is sent (notices.py decides what is owed)."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import yaml

from ..core.errors import LegationError, SourceLocation
from ..core.model import Site
from ..sources.i18n import Catalog
from .notices import CHANNELS, Email, Notice, Sent, email_for, owed, sent_record, telegram_text

TELEGRAM_API = "https://api.telegram.org"
TIMEOUT_SECONDS = 30
HEADER = ("# What `legation notify` has sent: one line per item, language and channel, so that no notice goes\n"
          "# out twice. Commit it with the content; do not edit it by hand.\n")


def read_sent(root: Path, name: str) -> dict[str, Sent]:
    path = root / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise LegationError.at(SourceLocation(name), f"cannot read the record of sent notices: {exc}",
                               "restore it from the repository; without it every notice would be sent again",
                               "notify-record") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LegationError.at(SourceLocation(name, mark.line + 1 if mark else 0),
                               "the record of sent notices is not valid YAML",
                               "restore it from the repository (git checkout -- " + name + ")", "notify-record") from None
    record: dict[str, Sent] = {}
    if not isinstance(data, dict):
        data = {None: None}
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, dict) or not {"state", "updated", "sent"} <= set(value):
            raise LegationError.at(SourceLocation(name), f"the record of sent notices has an entry legation did "
                                   f"not write ({key!r})", "restore it from the repository", "notify-record")
        record[key] = Sent(str(value["state"]), str(value["updated"]), str(value["sent"]))
    return record


def write_sent(root: Path, name: str, record: dict[str, Sent]) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER]
    for key in sorted(record):
        entry = record[key]
        lines.append(f"{json.dumps(key)}: {{state: {entry.state}, updated: {json.dumps(entry.updated)}, "
                     f"sent: {json.dumps(entry.sent)}}}\n")
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    os.replace(temporary, path)


def email_message(message: Email, sender: str, now: datetime) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(now.timestamp(), localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">"))
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text, charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    mail["Content-Language"] = message.lang  # after the content: setting it clears Content-* headers
    return mail


Sender = Callable[[Notice], None]


def smtp_sender(site: Site, catalog: Catalog) -> Callable[[Notice], None]:
    email = site.config.notify.email
    assert email is not None
    user, password = os.environ.get("LEGATION_SMTP_USER", ""), os.environ.get("LEGATION_SMTP_PASSWORD", "")

    def send(notice: Notice) -> None:
        mail = email_message(email_for(site, catalog, notice), email.sender, site.now)
        try:
            if email.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(email.host, email.port, timeout=TIMEOUT_SECONDS,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(email.host, email.port, timeout=TIMEOUT_SECONDS)
            with client:
                if email.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if user:
                    client.login(user, password)
                client.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise _failed(notice, f"the mail server refused the login ({exc.smtp_code})",
                          "check LEGATION_SMTP_USER and LEGATION_SMTP_PASSWORD in the environment") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _failed(notice, f"the mail server {email.host}:{email.port} failed: {exc}",
                          "check notify.email.host, port and security in site.yml, and that the server is up") from None

    return send


def telegram_sender(site: Site, catalog: Catalog) -> Callable[[Notice], None]:
    token = os.environ.get("LEGATION_TELEGRAM_TOKEN", "")
    if not token:
        raise LegationError.at(SourceLocation("site.yml"), "notify.telegram is set but LEGATION_TELEGRAM_TOKEN is "
                               "not in the environment", "give the bot's token in the environment (a CI secret); "
                               "it never goes in site.yml", "notify-telegram")
    api = os.environ.get("LEGATION_TELEGRAM_API", TELEGRAM_API).rstrip("/")

    def send(notice: Notice) -> None:
        payload = json.dumps({"chat_id": site.config.notify.telegram_chats[notice.page.lang],
                              "text": telegram_text(site, catalog, notice)}).encode("utf-8")
        request = urllib.request.Request(f"{api}/bot{token}/sendMessage", data=payload, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read().decode("utf-8")).get("description", "")
            except (ValueError, UnicodeDecodeError):
                detail = ""
            exc.close()
            hint = ("check LEGATION_TELEGRAM_TOKEN" if exc.code in (401, 404) else
                    "add the bot to the channel as an administrator that may post" if exc.code in (400, 403) else
                    "try again later")
            raise _failed(notice, f"Telegram answered HTTP {exc.code} {detail}".strip(), hint) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise _failed(notice, f"Telegram did not answer: {getattr(exc, 'reason', exc)}",
                          "check the network; the notice is sent at the next run") from None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise _failed(notice, f"Telegram refused the message: {answer}", "check notify.telegram.chat")

    return send


def _failed(notice: Notice, message: str, hint: str) -> LegationError:
    return LegationError.at(SourceLocation(notice.page.source), f"the {notice.state} notice of "
                            f"{notice.page.section}/{notice.page.slug} ({notice.page.lang}) by {notice.channel} was "
                            f"not sent: {message}", hint + " (notices sent before it are recorded; run again)",
                            "notify-failed")


def notify(root: Path, site: Site, catalog: Catalog, *, dry_run: bool, channels: tuple[str, ...] = CHANNELS,
           senders: dict[str, Sender] | None = None) -> tuple[list[Notice], list[str]]:
    """Send what is owed (or, with ``dry_run``, only say it); returns the notices and what to print."""
    rules = site.config.notify
    record = read_sent(root, rules.sent_file)
    due = owed(site, record, channels)
    said: list[str] = []
    if dry_run:
        for notice in due:
            said.append(f"would send {notice.state} notice of {notice.page.section}/{notice.page.slug} "
                        f"({notice.page.lang}) by {notice.channel}:")
            if notice.channel == "email":
                message = email_for(site, catalog, notice)
                said.append(f"  To: {message.to}\n  Subject: {message.subject}\n"
                            + "".join(f"  | {line}\n" for line in message.text.splitlines()).rstrip("\n"))
            else:
                said.append("".join(f"  | {line}\n" for line in telegram_text(site, catalog, notice).splitlines())
                            .rstrip("\n"))
        return due, said
    active = senders or {}
    for notice in due:
        if notice.channel not in active:
            active[notice.channel] = (smtp_sender if notice.channel == "email" else telegram_sender)(site, catalog)
        active[notice.channel](notice)
        record[notice.key] = sent_record(notice, site.now)
        write_sent(root, rules.sent_file, record)  # at once: a failure later must not send this one again
        said.append(f"sent {notice.state} notice of {notice.page.section}/{notice.page.slug} ({notice.page.lang}) "
                    f"by {notice.channel}")
    return due, said
