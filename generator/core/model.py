"""The frozen data that flows between the build's stages.

Everything here is immutable and picklable, so any stage can later run in a
worker process without a redesign.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Literal

SECTIONS: tuple[str, ...] = ("announcements", "events", "investment", "pages")
ALERT_LEVELS: tuple[str, ...] = ("info", "warning", "critical")
ANNOUNCEMENT_KINDS: tuple[str, ...] = ("statement", "press-release", "news", "consular", "rumour")
#: What the embassy says of a claim it answers (kind rumour), worst first; schema.org ratings 1..4.
VERDICTS: tuple[str, ...] = ("false", "misleading", "unproven", "true")
EVENT_STATUSES: tuple[str, ...] = ("scheduled", "cancelled", "postponed", "rescheduled", "moved-online")
PLATFORMS: tuple[str, ...] = ("x", "bluesky", "mastodon", "threads", "facebook", "linkedin", "instagram", "telegram",
                              "weibo", "wechat")

Status = Literal["published", "draft", "scheduled", "expired", "withdrawn"]


@dataclass(frozen=True)
class Language:
    """One site language; name and direction come from CLDR unless overridden."""

    code: str
    name: str
    direction: Literal["ltr", "rtl"]
    locale: str


@dataclass(frozen=True)
class SnippetsConfig:
    """Social cross-post settings (DESIGN §8)."""

    platforms: tuple[str, ...] = ()
    utm_medium: str = "social"
    utm_campaign: str = ""
    hashtags: tuple[str, ...] = ()
    out_dir: str = "snippets"
    limits: dict[str, int] = field(default_factory=dict)  # platform -> limit, overriding RULES
    url_lengths: dict[str, int] = field(default_factory=dict)  # platform -> what a URL counts as


@dataclass(frozen=True)
class Channel:
    """An official account of the mission (site.yml ``social:``)."""

    platform: str  # x, facebook, mastodon, …
    name: str  # as people know it: X, Facebook, Mastodon
    url: str  # the profile's https address
    handle: str  # VeloriaInBaku, @VeloriaBaku@mastodon.social


@dataclass(frozen=True)
class SecurityContact:
    """``security:``: what /.well-known/security.txt says (RFC 9116)."""

    contacts: tuple[str, ...]
    expires_days: int = 180
    preferred_languages: tuple[str, ...] = ()
    policy: str = ""
    encryption: str = ""
    acknowledgments: str = ""
    hiring: str = ""


@dataclass(frozen=True)
class Office:
    name: dict[str, str]  # per language
    address: dict[str, str]
    phone: str = ""
    email: str = ""
    hours: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactDetails:
    """``contact:``: the mission's offices, emergency line and holidays (footer, contact page, JSON-LD)."""

    offices: tuple[Office, ...] = ()
    emergency: str = ""
    holidays: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeployTarget:
    """Where `legation deploy` publishes: a folder, sftp://, s3://, webdav+https:// or rclone:REMOTE:path."""

    name: str
    url: str
    endpoint: str = ""  # s3: the service's address (https://s3.example.org); not secret
    region: str = ""
    provider: str = ""  # s3: AWS, Minio, Ceph, … (rclone's names); "Other" by default


@dataclass(frozen=True)
class DeployConfig:
    targets: tuple[DeployTarget, ...] = ()
    max_delete: int = 50  # a deploy that would delete more files than this stops unless --force
    max_delete_share: float = 0.25  # … or more than this share of the files on the target
    precompress: tuple[str, ...] = ()  # "gzip", "br": .gz/.br beside text files, for gzip_static/brotli_static


@dataclass(frozen=True)
class EmailNotice:
    sender: str
    lists: dict[str, str]  # language → the subscribers' list address
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | tls | none (a relay on the same host)


@dataclass(frozen=True)
class NotifyConfig:
    """What `legation notify` sends, and where: urgent items (by kind, alert level or tag)."""

    kinds: tuple[str, ...] = ("consular",)
    alerts: tuple[str, ...] = ("critical",)
    tags: tuple[str, ...] = ()
    email: EmailNotice | None = None
    telegram_chats: dict[str, str] = field(default_factory=dict)  # language → @channel or chat id
    sent_file: str = "notifications/sent.yml"
    max_age_days: int = 7  # an item published longer ago than this is not announced (a first run stays quiet)


@dataclass(frozen=True)
class MinistryLink:
    """What a mission of a ministry's network knows of it (network.yml): whose items it carries, and where."""

    mission: str  # this site's id in network.yml
    region: str
    name: dict[str, str]  # the ministry's name per language: the label of the items it syndicates
    base_url: str  # where the ministry publishes its items: their canonical address
    content: str  # the ministry's content/ folder relative to this site's root, with / (a syndicated page's source
    # path begins with it)
    default_language: str = "en"  # the ministry's first language: its items' translations inherit from that file
    ledger: str = ""  # the ministry's ledger/ relative to this site's root: its statements' references

    def targets(self, syndicate: tuple[str, ...]) -> bool:
        """Whether an item syndicated to ``syndicate`` (all, mission:<id>, region:<name>) reaches this mission."""
        return "all" in syndicate or f"mission:{self.mission}" in syndicate or \
            (bool(self.region) and f"region:{self.region}" in syndicate)


@dataclass(frozen=True)
class SiteConfig:
    """site.yml, checked (DESIGN §3)."""

    title: dict[str, str]
    base_url: str
    default_language: str
    languages: tuple[Language, ...]
    timezone: str
    theme: str = "default"
    description: dict[str, str] = field(default_factory=dict)
    social: dict[str, str] = field(default_factory=dict)
    snippets: SnippetsConfig = field(default_factory=SnippetsConfig)
    paginate: int = 10
    feed_length: int = 20
    allow_html: bool = False
    image_hosts: tuple[str, ...] = ()  # hosts a body may show images from besides the site (markdown.image_hosts)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    fallback_to_default: bool = False
    reference_pattern: str = "{year}-{seq:03d}"  # statements: {reference: "VEL-BAK-{year}-{seq:03d}"}
    channels: tuple[Channel, ...] = ()
    atproto_did: str = ""  # proves the Bluesky handle on the site's domain (/.well-known/atproto-did)
    security: SecurityContact | None = None
    contact: ContactDetails | None = None
    deploy: DeployConfig = field(default_factory=DeployConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    search: bool = True  # a search page per language and its Pagefind index
    share_cards: str = "missing"  # share images drawn for item pages: missing (no image of their own), always, off
    theme_version: str = ""  # a version specifier an installed theme package must satisfy (theme: "x==2.1.0")
    theme_named: bool = False  # site.yml names its theme (else a mission takes its ministry's)
    network: str = ""  # the ministry's folder (holding network.yml) relative to the site: this site is a mission
    ministry: MinistryLink | None = None  # filled in from network.yml when the build reads it

    def from_ministry(self, page: Page) -> bool:
        """Whether ``page`` is one the ministry syndicates to this mission (not the mission's own)."""
        return self.ministry is not None and page.source.startswith(self.ministry.content + "/")

    @cached_property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)

    def site_title(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get(self.default_language) or ""


@dataclass(frozen=True)
class SourceFile:
    """One content file found on disk, not yet parsed."""

    path: str  # relative to the site root, posix separators
    section: str
    slug: str
    lang: str
    text: str
    bundle_assets: tuple[str, ...] = ()  # paths relative to the site root
    # False for a file that could not be read or decoded (its error is reported by discover, its text is ""):
    # it still claims its page, so that its translations are not reported as having no original
    readable: bool = True
    # SHA-256 of the file's bytes as read (the text is decoded from them alone), or "" when not known: names
    # the file in cache keys without hashing its text again
    digest: str = field(default="", compare=False, repr=False)
    # a resident preview's copy: the text zlib-compressed (``text`` is then ""), unpacked only when the page is
    # parsed again; an unchanged page is found in the page cache by ``digest`` and never needs it
    packed: bytes = field(default=b"", repr=False)

    @property
    def content(self) -> str:
        """The file's text, unpacked when it is held packed."""
        return zlib.decompress(self.packed).decode("utf-8") if self.packed else self.text

    def packed_copy(self) -> SourceFile:
        """This file as a resident preview holds it: its text compressed (when its digest names it in caches)."""
        if not self.digest or self.packed or not self.text:
            return self
        return replace(self, text="", packed=zlib.compress(self.text.encode("utf-8"), 1))


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    width: int = 0  # of a bundle image, once read (generator/media.py)
    height: int = 0
    srcset: str = ""  # its smaller WebP copies, and the ``sizes`` they are chosen by
    sizes: str = ""


@dataclass(frozen=True)
class Withdrawal:
    at: datetime
    reason: str


@dataclass(frozen=True)
class Sighting:
    """Where a false claim circulated: shown as text, never as a link that would spread it further."""

    where: str
    url: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class RumourInfo:
    """A false claim and the official answer (kind rumour): the claim as circulated, the verdict, sources."""

    claim: str
    verdict: str
    seen: tuple[Sighting, ...] = ()
    sources: tuple[Source, ...] = ()


#: How long after a correction the snippet board offers posts announcing it.
CORRECTION_DAYS = 7


@dataclass(frozen=True)
class Change:
    """One entry of an item's page history (front matter ``changes:``): a correction or update, in the open."""

    at: datetime
    note: str
    minor: bool = False  # a typo fix: recorded and shown, not announced as a correction


@dataclass(frozen=True)
class TranslationRef:
    lang: str
    hash: str
    at: datetime | None = None  # when it was marked current: a minor change of the source after it keeps it so


@dataclass(frozen=True)
class Venue:
    name: str = ""
    address: str = ""
    city: str = ""
    country: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class EventInfo:
    start: datetime
    end: datetime | None
    all_day: bool = False
    venue: Venue | None = None
    online_url: str = ""
    registration_url: str = ""
    status: str = "scheduled"
    organizer: str = ""

    @property
    def finish(self) -> datetime:
        """When the event is over: its end, or for all-day events the midnight after its last day."""
        last = self.end or self.start
        if self.all_day:
            return datetime.combine(last.date() + timedelta(days=1), time(0), tzinfo=last.tzinfo)
        return last


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class InvestmentInfo:
    sector: str
    incentives: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    contact: Contact | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Page:
    """One content file in one language, parsed and checked."""

    source: str
    section: str
    slug: str
    lang: str
    title: str
    body_html: str
    source_hash: str
    date: datetime | None = None
    updated: datetime | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    image: Image | None = None
    draft: bool = False
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    withdrawn: Withdrawal | None = None
    changes: tuple[Change, ...] = ()
    translation_of: TranslationRef | None = None
    alert: str = ""
    kind: str = ""
    menu: int | None = None
    event: EventInfo | None = None
    investment: InvestmentInfo | None = None
    rumour: RumourInfo | None = None
    headings: tuple[Heading, ...] = ()
    bundle_assets: tuple[str, ...] = ()
    words: int = 0
    syndicate: tuple[str, ...] = ()  # a ministry's item: the missions it goes to ("all", "mission:x", "region:y")
    # Set by parse_cached (content.with_digests) on the pages of an incremental build, "" otherwise:
    # ``digest`` names everything the page holds, ``meta`` what a list shows of it (all but body_html,
    # headings, words and source_hash). Both are derived, so they take no part in == and repr. A copy made
    # with dataclasses.replace keeps them, so a copy that changes content must reset them.
    legacy_hash: str = ""  # the version as legation 0.x recorded it: an older translation_of.hash still matches
    # An official text's body as the page shows it, normalised (statement_text.py), worked out once when the page
    # is parsed (and kept in the page cache) instead of at every build; "" for other pages. Derived from
    # body_html, so it takes no part in == and repr (nor in ``meta``: a list shows none of it).
    body_text: str = field(default="", compare=False, repr=False)
    digest: str = field(default="", compare=False, repr=False)
    meta: str = field(default="", compare=False, repr=False)

    @cached_property
    def fingerprint(self) -> str:
        """A digest of everything the page holds: ``digest`` when known, else one of its repr (computed once)."""
        return self.digest or hashlib.sha256(repr(self).encode()).hexdigest()[:32]

    @property
    def key(self) -> tuple[str, str]:
        """What translations of one item share."""
        return (self.section, self.slug)

    @cached_property
    def url(self) -> str:
        """Site-relative URL with leading and trailing slash (DESIGN §5); worked out once (the digests read it
        for every unit)."""
        if self.section == "pages":
            return f"/{self.lang}/{self.slug}/"
        return f"/{self.lang}/{self.section}/{self.slug}/"

    @property
    def sort_date(self) -> datetime | None:
        return self.date or self.updated


@dataclass(frozen=True)
class Site:
    """Every page, with translations, listings and schedule worked out."""

    config: SiteConfig
    now: datetime
    pages: tuple[Page, ...]  # every page that gets an HTML file, sorted
    status: dict[tuple[str, str, str], Status]  # (section, slug, lang) -> status
    translations: dict[tuple[str, str], dict[str, Page]]
    listings: dict[tuple[str, str], tuple[Page, ...]]  # (lang, section) -> listed pages
    tags: dict[tuple[str, str], tuple[Page, ...]]  # (lang, tag) -> listed pages
    alerts: dict[str, tuple[Page, ...]]  # lang -> active alerts, most severe first
    menus: dict[str, tuple[Page, ...]]  # lang -> pages with `menu`, in order
    stale: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    references: dict[tuple[str, str], str] = field(default_factory=dict)  # (section, slug) → public reference

    def is_at_later_clock(self, before: Site) -> bool:
        """Whether this site is ``before`` but for its clock: every other part the same object (a resident build's
        kept upstream, when only templates changed and the clock crossed no page's boundary)."""
        return self is before or all(getattr(self, name) is getattr(before, name) for name in _SITE_PARTS)

    def page_status(self, page: Page) -> Status:
        return self.status[(page.section, page.slug, page.lang)]

    def translations_of(self, page: Page) -> dict[str, Page]:
        return self.translations.get(page.key, {})


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: bytes to write, or a file to copy."""

    path: str  # relative to the output folder, posix separators
    data: bytes | None = None
    copy_from: str | None = None  # absolute path of a file to copy
    digest: str = ""  # SHA-256 of the bytes when already known (a file reused from the previous output)


_SITE_PARTS = tuple(part.name for part in fields(Site) if part.name != "now")
