"""The deploy: and notify: settings of site.yml (generator/delivery.py)."""

from __future__ import annotations

import pytest

from generator.core.errors import ConfigError
from generator.sources.config import parse_config

BASE = "base_url: https://embassy.example.org/\nlanguages: [{code: en}, {code: ar}]\n"


def test_targets_limits_and_notices_are_read() -> None:
    config = parse_config(BASE + """\
deploy:
  targets:
    production: sftp://deploy@web.example.org/var/www/embassy
    backup: {url: "s3://embassy-backup/site", endpoint: "https://s3.example.org", region: eu-1}
  max_delete: "10%"
notify:
  kinds: [consular, statement]
  alerts: [critical, warning]
  email: {from: "Embassy <news@embassy.example.org>", lists: {en: news-en@lists.example.org}, host: smtp.example.org}
  telegram: {chat: "@veloria_baku"}
""")
    assert [(t.name, t.url, t.endpoint) for t in config.deploy.targets] == [
        ("production", "sftp://deploy@web.example.org/var/www/embassy", ""),
        ("backup", "s3://embassy-backup/site", "https://s3.example.org")]
    assert config.deploy.max_delete_share == pytest.approx(0.10)
    assert config.notify.kinds == ("consular", "statement")
    assert config.notify.telegram_chats == {"en": "@veloria_baku", "ar": "@veloria_baku"}
    assert config.notify.email is not None and config.notify.email.lists == {"en": "news-en@lists.example.org"}
    assert config.notify.email.port == 587 and config.notify.email.security == "starttls"


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("deploy:\n  targets:\n    live: sftp://u:pw@h/x\n", 5, "the address holds a password"),
    ("notify:\n  kinds: [rumours]\n", 4, '"rumours" is not a kind of announcement'),
    ("notify:\n  telegram: {chat: 'https://t.me/x'}\n", 4, "is not a Telegram channel"),
    ("notify:\n  email: {from: nobody, lists: {en: x@y.org}, host: h}\n", 4, '"nobody" is not an e-mail address'),
    ("notify:\n  email: {from: a@b.org, lists: {fr: x@y.org}, host: h}\n", 4, "fr"),
    ("notify:\n  sent_file: ../outside.yml\n", 4, "is outside the site folder"),
])
def test_bad_settings_are_errors_at_their_line(text: str, line: int, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE + text)
    message = str(caught.value)
    assert message.startswith(f"site.yml:{line}:"), message
    assert expected in message
