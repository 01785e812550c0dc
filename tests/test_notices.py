"""What notices are owed and how they read (generator/notices.py), without sending anything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.commands.notices import Sent, email_for, owed
from generator.engine.build import load_site

NOW = datetime(2026, 11, 2, 12, tzinfo=ZoneInfo("Asia/Baku"))
NOTIFY = """\
notify:
  kinds: [statement]
  alerts: [critical]
  tags: [visa]
  email: {from: "e@embassy.example.org", lists: {en: l-en@example.org, ar: l-ar@example.org}, host: h}
"""


def item(kind: str, extra: str = "") -> str:
    return f'---\ntitle: "T {kind}"\ndate: 2026-11-01T10:00:00+04:00\nkind: {kind}\n{extra}---\nBody.\n'


def test_urgent_items_by_kind_alert_and_tag_are_owed_once_per_language_and_channel(
        make_site: Callable[..., Path]) -> None:
    root = make_site({"content/announcements/a.en.md": item("statement"),
                      "content/announcements/b.en.md": item("news", "alert: critical\nexpires_at: 2026-12-01T00:00:00+04:00\n"),
                      "content/announcements/c.en.md": item("news", "tags: [visa]\n"),
                      "content/announcements/d.en.md": item("news")})
    (root / "site.yml").write_text((root / "site.yml").read_text(encoding="utf-8") + NOTIFY, encoding="utf-8")
    site, _, _ = load_site(root, NOW)
    due = owed(site, {}, ("email",))
    assert sorted(n.key for n in due) == ["announcements/a en email", "announcements/b en email",
                                          "announcements/c en email"]  # consular is not in kinds here
    sent = {n.key: Sent("new", n.stamp, NOW.isoformat()) for n in due}
    assert owed(site, sent, ("email",)) == []
    assert owed(site, sent, ("telegram",)) == []  # no Telegram channel set up


def test_an_arabic_email_reads_right_to_left(make_site: Callable[..., Path]) -> None:
    root = make_site()
    (root / "site.yml").write_text((root / "site.yml").read_text(encoding="utf-8") + NOTIFY.replace(
        "kinds: [statement]", "kinds: [consular]"), encoding="utf-8")
    site, catalog, _ = load_site(root, NOW)
    notice = next(n for n in owed(site, {}, ("email",)) if n.page.lang == "ar")
    message = email_for(site, catalog, notice)
    assert (message.to, message.direction, message.lang) == ("l-ar@example.org", "rtl", "ar")
    assert '<html lang="ar" dir="rtl">' in message.html and "<h1>ساعات العمل القنصلية</h1>" in message.html
    assert message.text.startswith("ساعات العمل القنصلية\n\nساعات عمل جديدة\n\n")
