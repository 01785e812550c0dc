"""The mission's identity in site.yml: its official channels (``social:``), its ``security:`` contact for
``/.well-known/security.txt``, and its ``contact:`` details (addresses, telephones, hours, holidays), checked
with located errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from ..core.checks import Checker
from ..core.errors import did_you_mean
from ..core.model import Channel, ContactDetails, Office, SecurityContact

#: Platform → (its name as people know it, hosts of its profile pages, how a bare handle becomes a URL).
PLATFORMS: Mapping[str, tuple[str, tuple[str, ...], str]] = MappingProxyType({
    "x": ("X", ("x.com", "twitter.com"), "https://x.com/{}"),
    "facebook": ("Facebook", ("facebook.com", "www.facebook.com", "m.facebook.com"), "https://www.facebook.com/{}"),
    "instagram": ("Instagram", ("instagram.com", "www.instagram.com"), "https://www.instagram.com/{}"),
    "telegram": ("Telegram", ("t.me", "telegram.me"), "https://t.me/{}"),
    "bluesky": ("Bluesky", ("bsky.app",), "https://bsky.app/profile/{}"),
    "mastodon": ("Mastodon", (), ""),  # any server: https://server/@name
    "threads": ("Threads", ("threads.net", "www.threads.net", "threads.com", "www.threads.com"),
                "https://www.threads.net/@{}"),
    "youtube": ("YouTube", ("youtube.com", "www.youtube.com"), "https://www.youtube.com/@{}"),
    "linkedin": ("LinkedIn", ("linkedin.com", "www.linkedin.com"), ""),
    "weibo": ("Weibo", ("weibo.com", "www.weibo.com"), "https://weibo.com/{}"),
    "tiktok": ("TikTok", ("tiktok.com", "www.tiktok.com"), "https://www.tiktok.com/@{}"),
    "vk": ("VK", ("vk.com", "www.vk.com"), "https://vk.com/{}"),
    "whatsapp": ("WhatsApp", ("whatsapp.com", "www.whatsapp.com"), ""),
})
_HANDLE = re.compile(r"^@?[A-Za-z0-9_.-]{1,64}$")
_MASTODON_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,64})@([a-z0-9.-]+\.[a-z]{2,})$")
_DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[a-z0-9.-]+)$")
_PHONE = re.compile(r"^\+[0-9][0-9 ()-]{5,22}[0-9]$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
SECURITY_KEYS = ("contact", "expires_days", "preferred_languages", "policy", "encryption", "acknowledgments",
                 "hiring")
CONTACT_KEYS = ("offices", "emergency", "holidays")
OFFICE_KEYS = ("name", "address", "phone", "email", "hours")


def channels(check: Checker, raw: Any) -> tuple[Channel, ...]:
    """``social: {platform: profile URL}`` (a bare handle, the old way, is turned into its URL)."""
    found = check.mapping(raw, ("social",), tuple(str(k) for k in raw) if isinstance(raw, dict) else ()) or {}
    out: list[Channel] = []
    for key, value in found.items():
        where: tuple[str | int, ...] = ("social", str(key))
        platform = "x" if str(key) == "twitter" else str(key)
        if platform not in PLATFORMS:
            check.error(where, f'"{platform}" is not a platform legation knows',
                        did_you_mean(platform, PLATFORMS) or f"use one of: {', '.join(PLATFORMS)}")
            continue
        text = check.text(value, where, allow_empty=False)
        if not text:
            continue
        url, handle = _profile(check, where, platform, text.strip())
        if url:
            out.append(Channel(platform, PLATFORMS[platform][0], url, handle))
    return tuple(out)


def _profile(check: Checker, where: tuple[str | int, ...], platform: str, text: str) -> tuple[str, str]:
    name, hosts, pattern = PLATFORMS[platform]
    if "://" not in text:
        mastodon = _MASTODON_HANDLE.match(text) if platform == "mastodon" else None
        if mastodon:
            return f"https://{mastodon.group(2)}/@{mastodon.group(1)}", f"@{mastodon.group(1)}@{mastodon.group(2)}"
        if pattern and _HANDLE.match(text):
            handle = text.lstrip("@")
            return pattern.format(handle), handle
        check.error(where, f'"{text}" is neither a {name} profile address nor a handle legation can turn into one',
                    f"write the full address of the profile, such as {_example(platform)}")
        return "", ""
    parts = urlsplit(text)
    if parts.scheme != "https":
        check.error(where, f"the {name} address {text} is not https", f"write it as {_example(platform)}")
        return "", ""
    host = (parts.hostname or "").lower()
    if hosts and host not in hosts:
        check.error(where, f"{text} is not a {name} address (its host is {host})",
                    f"write the profile's address on {hosts[0]}, such as {_example(platform)}")
        return "", ""
    path = parts.path.strip("/")
    if not path:
        check.error(where, f"{text} is {name}'s home page, not the mission's profile", f"such as {_example(platform)}")
        return "", ""
    handle = path.rsplit("/", 1)[-1].lstrip("@")
    if platform == "mastodon":
        handle = f"@{handle}@{host}"
    return text, handle


def _example(platform: str) -> str:
    return {"mastodon": "https://mastodon.social/@VeloriaBaku", "linkedin": "https://www.linkedin.com/company/veloria",
            "whatsapp": "https://www.whatsapp.com/channel/0029Va"}.get(
        platform, PLATFORMS[platform][2].format("VeloriaBaku"))


_FIELD = re.compile(r"\{([a-z]+)(?::([^{}]*))?\}")


def reference_pattern(check: Checker, raw: Any, at: tuple[str, ...] = ()) -> str:
    """``statements: {reference: …}``: the pattern of each statement's public reference. It must hold {seq}
    (the statement's number in its year), or two statements would share a reference. ``at``: the keys above
    ``statements`` (network.yml's ``ministry``)."""
    default = "{year}-{seq:03d}"
    if raw is None:
        return default
    fields = check.mapping(raw, (*at, "statements"), ("reference",)) or {}
    pattern = check.text(fields.get("reference", default), (*at, "statements", "reference"), allow_empty=False) or default
    names = [match.group(1) for match in _FIELD.finditer(pattern)]
    unknown = [name for name in names if name not in ("year", "seq")]
    if unknown:
        check.error((*at, "statements", "reference"), f'the reference pattern has an unknown field {{{unknown[0]}}}',
                    "use {year} and {seq}, such as VEL-BAK-{year}-{seq:03d}")
        return default
    if "seq" not in names:
        check.error((*at, "statements", "reference"), f'every statement would get the reference "{pattern}"'
                    " (the pattern has no {seq})", "add the statement's number: VEL-BAK-{year}-{seq:03d}")
        return default
    try:
        pattern.format(year=2026, seq=1)
    except (ValueError, IndexError, KeyError) as exc:
        check.error((*at, "statements", "reference"), f"the reference pattern cannot be filled in: {exc}",
                    "write it like VEL-BAK-{year}-{seq:03d}")
        return default
    return pattern


def atproto_did(check: Checker, raw: Any) -> str:
    if raw is None:
        return ""
    did = check.text(raw, ("atproto_did",), allow_empty=False) or ""
    if did and not _DID.match(did):
        check.error(("atproto_did",), f'"{did}" is not a DID', "copy it from Bluesky: Settings → Account → Handle → "
                    "I have my own domain (did:plc: and 24 letters)")
        return ""
    return did


def security_contact(check: Checker, raw: Any, languages: tuple[str, ...]) -> SecurityContact | None:
    if raw is None:
        return None
    fields = check.mapping(raw, ("security",), SECURITY_KEYS, required=("contact",)) or {}
    contacts = fields.get("contact")
    if isinstance(contacts, str):
        contacts = [contacts]
    listed = check.text_list(contacts, ("security", "contact")) or ()
    for number, contact in enumerate(listed):
        if not (contact.startswith("mailto:") and _EMAIL.match(contact[7:])) and not contact.startswith("https://") \
                and not (contact.startswith("tel:+") and _PHONE.match(contact[4:])):
            check.error(("security", "contact", number), f'"{contact}" is not a security contact',
                        "write mailto:security@…, an https:// form or tel:+… (RFC 9116)")
    days = check.integer(fields.get("expires_days", 180), ("security", "expires_days"), minimum=1) or 180
    if days > 330:
        check.error(("security", "expires_days"), f"{days} days is too far: security.txt should expire within a "
                    "year", "use 180, the default (the build writes a new date every month)")
    preferred = check.text_list(fields.get("preferred_languages", list(languages)),
                                ("security", "preferred_languages")) or languages
    urls: dict[str, str] = {}
    for key in ("policy", "encryption", "acknowledgments", "hiring"):
        if key in fields:
            value = check.text(fields[key], ("security", key), allow_empty=False) or ""
            if value and not value.startswith("https://"):
                check.error(("security", key), f'"{value}" is not an https address', "RFC 9116 asks for https://")
            elif value:
                urls[key] = value
    return SecurityContact(tuple(listed), days, tuple(preferred), urls.get("policy", ""), urls.get("encryption", ""),
                           urls.get("acknowledgments", ""), urls.get("hiring", ""))


def contact_details(check: Checker, raw: Any, languages: tuple[str, ...]) -> ContactDetails | None:
    """``contact:``: the mission's offices, its emergency line and holidays, each text per language."""
    if raw is None:
        return None
    fields = check.mapping(raw, ("contact",), CONTACT_KEYS) or {}
    offices: list[Office] = []
    raw_offices = fields.get("offices", [])
    if not isinstance(raw_offices, list):
        check.error(("contact", "offices"), "offices is not a list", "write - {name: …, address: …, phone: …}")
        raw_offices = []
    for number, entry in enumerate(raw_offices):
        where: tuple[str | int, ...] = ("contact", "offices", number)
        office = check.mapping(entry, where, OFFICE_KEYS, required=("name",)) or {}
        name = _texts(check, office.get("name"), (*where, "name"), languages)
        address = _texts(check, office.get("address", {}), (*where, "address"), languages)
        hours = _texts(check, office.get("hours", {}), (*where, "hours"), languages)
        phone = _phone(check, office.get("phone"), (*where, "phone"))
        email = check.text(office.get("email", ""), (*where, "email")) or ""
        if email and not _EMAIL.match(email):
            check.error((*where, "email"), f'"{email}" is not an e-mail address', "write it as consular@…")
            email = ""
        offices.append(Office(name, address, phone, email, hours))
    emergency = _phone(check, fields.get("emergency"), ("contact", "emergency"))
    holidays = _texts(check, fields.get("holidays", {}), ("contact", "holidays"), languages)
    return ContactDetails(tuple(offices), emergency, holidays)


def _phone(check: Checker, raw: Any, where: tuple[str | int, ...]) -> str:
    if raw is None:
        return ""
    text = check.text(raw, where, allow_empty=False) or ""
    if text and not _PHONE.match(text):
        check.error(where, f'"{text}" is not an international telephone number',
                    "write it with + and the country code, digits and spaces: +994 12 555 0100")
        return ""
    return text


def _texts(check: Checker, raw: Any, where: tuple[str | int, ...], languages: tuple[str, ...]) -> dict[str, str]:
    """A text in every language ({en: …, ar: …}), or one text for all."""
    if raw is None or raw == {}:
        return {}
    if isinstance(raw, str):
        return {lang: raw for lang in languages}
    found = check.mapping(raw, where, languages) or {}
    out: dict[str, str] = {}
    for lang, value in found.items():
        text = check.text(value, (*where, str(lang)))
        if text:
            out[str(lang)] = text
    return out
