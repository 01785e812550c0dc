"""`legation notify` (generator/notify.py, generator/notices.py) against a real SMTP server on 127.0.0.1
(aiosmtpd), the messages parsed back, and a local HTTP endpoint that answers as the Telegram Bot API's
sendMessage does (Telegram itself cannot be reached from the tests)."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from generator.commands.cli import main

NOW = "2026-11-02T12:00:00+04:00"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A local stand-in for api.telegram.org: it records sendMessage calls made with the right token."""
    calls: list[dict[str, Any]] = []

    class Bot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            ok = self.path == "/botTEST:TOKEN/sendMessage"
            if ok:
                calls.append(body)
            answer = json.dumps({"ok": ok, "result": {"message_id": len(calls)}} if ok else
                                {"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("LEGATION_TELEGRAM_API", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("LEGATION_TELEGRAM_TOKEN", "TEST:TOKEN")
    yield calls
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(make_site: Callable[..., Path], smtp: tuple[Inbox, int]) -> Path:
    root = make_site()
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"""\
notify:
  email:
    from: "Embassy of Veloria <notices@embassy.example.org>"
    lists: {{en: citizens-en@lists.example.org, ar: citizens-ar@lists.example.org}}
    host: 127.0.0.1
    port: {smtp[1]}
    security: none
  telegram: {{chat: {{en: "@veloria_baku", ar: "@veloria_baku_ar"}}}}
""", encoding="utf-8")
    return root


def test_a_consular_notice_goes_out_once_by_email_and_telegram_in_each_language(
        site: Path, smtp: tuple[Inbox, int], telegram: list[dict[str, Any]]) -> None:
    inbox, _ = smtp
    result = cli(site, "notify", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("legation notify: 4 notices sent")
    assert sorted(to for _, (to,) in inbox.envelopes) == ["citizens-ar@lists.example.org",
                                                          "citizens-en@lists.example.org"]
    arabic = next(m for m in inbox.messages if m["To"] == "citizens-ar@lists.example.org")
    assert arabic["Subject"] == "ساعات العمل القنصلية" and arabic["Content-Language"] == "ar"
    assert arabic["From"] == "Embassy of Veloria <notices@embassy.example.org>"
    assert arabic.get_content_type() == "multipart/alternative"
    plain = arabic.get_body(("plain",))
    rich = arabic.get_body(("html",))
    assert plain is not None and rich is not None
    assert "القسم القنصلي مفتوح في أيام الأسبوع." in plain.get_content()
    assert "https://embassy.example.org/ar/announcements/consular-hours/" in plain.get_content()
    assert '<html lang="ar" dir="rtl">' in rich.get_content()
    assert '<a href="https://embassy.example.org/ar/announcements/consular-hours/">' in rich.get_content()
    assert {call["chat_id"] for call in telegram} == {"@veloria_baku", "@veloria_baku_ar"}
    english = next(call for call in telegram if call["chat_id"] == "@veloria_baku")
    assert english["text"].startswith("Consular notice: Consular hours")
    assert "https://embassy.example.org/en/announcements/consular-hours/" in english["text"]
    record = (site / "notifications/sent.yml").read_text(encoding="utf-8")
    assert '"announcements/consular-hours ar email": {state: new' in record
    again = cli(site, "notify", "--now", NOW)
    assert again.exit_code == 0 and again.output.strip() == "legation notify: 0 notices sent"
    assert len(inbox.messages) == 2 and len(telegram) == 2


def test_an_update_and_a_withdrawal_are_sent_once_each(site: Path, smtp: tuple[Inbox, int],
                                                       telegram: list[dict[str, Any]]) -> None:
    inbox, _ = smtp
    assert cli(site, "notify", "--now", NOW, "--channel", "email").exit_code == 0
    source = site / "content/announcements/consular-hours.en.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("kind: consular", "kind: consular\nupdated: 2026-11-02T09:00:00+04:00"),
                      encoding="utf-8")
    result = cli(site, "notify", "--now", NOW, "--channel", "email")
    assert result.exit_code == 0 and "sent update notice of announcements/consular-hours (en) by email" in result.output
    assert "sent update notice of announcements/consular-hours (ar) by email" in result.output  # inherits updated
    assert inbox.messages[-1]["Subject"].startswith(("Update: ", "تحديث: "))
    source.write_text(source.read_text(encoding="utf-8").replace(
        "kind: consular", 'kind: consular\nwithdrawn: {at: 2026-11-02T10:00:00+04:00, reason: "Issued in error"}'),
        encoding="utf-8")
    (site / "content/announcements/consular-hours.ar.md").write_text(
        '---\ntitle: "ساعات العمل القنصلية"\nwithdrawn: {reason: "صدر خطأً"}\n---\nنص.\n', encoding="utf-8")
    result = cli(site, "notify", "--now", NOW, "--channel", "email")
    assert result.exit_code == 0, result.output
    assert result.output.count("sent withdrawal notice") == 2
    assert "This notice has been withdrawn." in inbox.messages[-1].get_body(("plain",)).get_content() or \
        "سُحب هذا الإشعار." in inbox.messages[-1].get_body(("plain",)).get_content()
    assert cli(site, "notify", "--now", NOW, "--channel", "email").output.strip() == "legation notify: 0 notices sent"
    assert telegram == []


def test_a_dry_run_shows_the_messages_and_sends_and_records_nothing(site: Path, smtp: tuple[Inbox, int],
                                                                    telegram: list[dict[str, Any]]) -> None:
    result = cli(site, "notify", "--now", NOW, "--dry-run")
    assert result.exit_code == 0
    assert "would send new notice of announcements/consular-hours (ar) by email:" in result.output
    assert "  Subject: ساعات العمل القنصلية" in result.output and "legation notify: 4 notices to send" in result.output
    assert smtp[0].messages == [] and telegram == [] and not (site / "notifications/sent.yml").exists()


def test_old_items_are_not_announced_on_a_first_run(site: Path, smtp: tuple[Inbox, int],
                                                    telegram: list[dict[str, Any]]) -> None:
    result = cli(site, "notify", "--now", "2026-12-20T12:00:00+04:00")
    assert result.exit_code == 0 and result.output.strip() == "legation notify: 0 notices sent"


def test_a_refused_token_and_a_missing_one_are_clear_and_nothing_is_recorded_for_them(
        site: Path, smtp: tuple[Inbox, int], telegram: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGATION_TELEGRAM_TOKEN", "WRONG")
    result = cli(site, "notify", "--now", NOW, "--channel", "telegram")
    assert result.exit_code == 1
    assert "by telegram was not sent: Telegram answered HTTP 401 Unauthorized" in result.output
    assert "LEGATION_TELEGRAM_TOKEN" in result.output and "Traceback" not in result.output
    monkeypatch.delenv("LEGATION_TELEGRAM_TOKEN")
    result = cli(site, "notify", "--now", NOW, "--channel", "telegram")
    assert result.exit_code == 1 and "LEGATION_TELEGRAM_TOKEN is not in the environment" in result.output
    assert not (site / "notifications/sent.yml").exists()


def test_an_unreachable_mail_server_is_a_located_error(site: Path, smtp: tuple[Inbox, int]) -> None:
    config = site / "site.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(f"port: {smtp[1]}", "port: 9"), encoding="utf-8")
    result = cli(site, "notify", "--now", NOW, "--channel", "email")
    assert result.exit_code == 1
    assert result.output.startswith("content/announcements/consular-hours.ar.md: error: the new notice of "
                                    "announcements/consular-hours (ar) by email was not sent: the mail server")


def test_a_damaged_record_stops_notify_instead_of_sending_everything_again(site: Path, smtp: tuple[Inbox, int]
                                                                            ) -> None:
    (site / "notifications").mkdir()
    (site / "notifications/sent.yml").write_text("a: [unclosed\n", encoding="utf-8")
    result = cli(site, "notify", "--now", NOW)
    assert result.exit_code == 1 and "notifications/sent.yml" in result.output and "not valid YAML" in result.output
    assert smtp[0].messages == []
