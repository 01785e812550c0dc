"""Which urgent notices `legation notify` owes, and their messages (pure: the site, the record of what was sent).

A notice is owed per item, language and channel: *new* when an urgent item is published (and recent), an
*update* when its ``updated`` time moves after the last notice, a *withdrawal* when it is withdrawn after
one was sent. What was sent is recorded (``notifications/sent.yml``) so that a nightly job on a clean
checkout never sends one twice.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..assembly.site import absolute_url
from ..core.model import Page, Site
from ..outputs.snippets import effective_rule, excerpt, make_post
from ..sources.i18n import Catalog

CHANNELS = ("email", "telegram")


@dataclass(frozen=True)
class Sent:
    state: str  # new, update, withdrawal
    updated: str  # the item's updated (or date) time the notice was about
    sent: str  # when it was sent


@dataclass(frozen=True)
class Notice:
    page: Page
    channel: str
    state: str  # new, update, withdrawal
    stamp: str
    url: str

    @property
    def key(self) -> str:
        return f"{self.page.section}/{self.page.slug} {self.page.lang} {self.channel}"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    lang: str
    direction: str


def urgent(page: Page, site: Site) -> bool:
    rules = site.config.notify
    return (page.kind in rules.kinds or (bool(page.alert) and page.alert in rules.alerts)
            or any(tag in rules.tags for tag in page.tags))


def owed(site: Site, sent: Mapping[str, Sent], channels: tuple[str, ...]) -> list[Notice]:
    """Every notice not sent yet, oldest item first."""
    rules = site.config.notify
    horizon = site.now - timedelta(days=rules.max_age_days)
    found: list[Notice] = []
    for page in sorted(site.pages, key=lambda p: (p.date or site.now, p.section, p.slug, p.lang)):
        if page.section not in ("announcements", "events") or not urgent(page, site):
            continue
        status = site.page_status(page)
        if status not in ("published", "withdrawn"):
            continue
        stamp = (page.updated or page.date or site.now).isoformat()
        for channel in channels:
            if not _configured(site, channel, page.lang):
                continue
            notice = Notice(page, channel, "", stamp, absolute_url(site.config, page.url))
            before = sent.get(notice.key)
            if status == "withdrawn":
                state = "withdrawal" if before is not None and before.state != "withdrawal" else ""
            elif before is None:
                state = "new" if (page.updated or page.date or site.now) >= horizon else ""
            else:
                state = "update" if stamp != before.updated and before.state != "withdrawal" else ""
            if state:
                found.append(Notice(page, channel, state, stamp, notice.url))
    return found


def _configured(site: Site, channel: str, lang: str) -> bool:
    rules = site.config.notify
    if channel == "email":
        return rules.email is not None and lang in rules.email.lists
    return lang in rules.telegram_chats


def _prefix(catalog: Catalog, notice: Notice) -> str:
    if notice.state == "update":
        return catalog.get(notice.page.lang, "notify.update") + ": "
    if notice.state == "withdrawal":
        return catalog.get(notice.page.lang, "notify.withdrawn") + ": "
    return ""


def email_for(site: Site, catalog: Catalog, notice: Notice) -> Email:
    """The message to the language's list: plain text and HTML, right to left where the language is."""
    page, lang = notice.page, notice.page.lang
    config = site.config
    email = config.notify.email
    assert email is not None
    direction = config.language(lang).direction
    subject = " ".join((_prefix(catalog, notice) + page.title).split())
    body = catalog.get(lang, "notify.withdrawn_text") if notice.state == "withdrawal" else excerpt(page.body_html, 600)
    read = catalog.get(lang, "notify.read")
    footer = catalog.get(lang, "notify.footer")
    name = config.site_title(lang)
    paragraphs = [p for p in (page.summary, body) if p and p != page.title]
    reference = site.references.get(page.key)
    if reference:  # the statement's public reference: what a reader checks a forwarded copy against
        paragraphs.append(f"{catalog.get(lang, 'statement.reference')}: {reference}")
    text = "\n\n".join([subject, *paragraphs, f"{read}: {notice.url}", f"-- \n{name}\n{footer}"]) + "\n"
    rich = (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}" dir="{direction}">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head>\n<body>\n<h1>{html.escape(subject)}</h1>\n"
            + "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
            + f'<p><a href="{html.escape(notice.url)}">{html.escape(read)}</a></p>\n'
            f"<hr>\n<p><small>{html.escape(name)}<br>{html.escape(footer)}</small></p>\n</body>\n</html>\n")
    return Email(email.lists[lang], subject, text, rich, lang, direction)


def telegram_text(site: Site, catalog: Catalog, notice: Notice) -> str:
    """The Telegram post `legation snippets` fits for the item, with "Update:"/"Withdrawn:" before it."""
    if notice.state == "withdrawal":
        return (f"{_prefix(catalog, notice)}{notice.page.title}\n\n{catalog.get(notice.page.lang, 'notify.withdrawn_text')}"
                f"\n\n{notice.url}")
    post = make_post(effective_rule(site.config, "telegram"), site, catalog, notice.page)
    return _prefix(catalog, notice) + post.text


def sent_record(notice: Notice, now: datetime) -> Sent:
    return Sent(notice.state, notice.stamp, now.isoformat())
