"""A WeChat official-account article for one item in one language (``snippets: platforms: [wechat]``).

WeChat takes no links in posts: a mission publishes an *article* in its official account (公众号). This is
what the officer pastes into the account's editor, or sends with the draft API (`draft/add`), within the
limits WeChat documents and enforces:

- title: at most 64 characters (the editor's counter; `draft/add` refuses a longer one, error 45003);
- digest (摘要): at most 120 characters (the editor's counter; error 45004); without one WeChat takes the
  first 54 characters of the text;
- content: simple HTML under 20,000 characters and 1 MB; WeChat strips scripts, and drops images that are
  not uploaded to it ("外部图片url将被过滤", draft/get and draft/add), so every image is listed for upload
  and marked in the text where it goes;
- content_source_url: the page on the embassy's site ("阅读原文", read the original).

Characters are counted as WeChat's web editor counts them, in UTF-16 code units (JavaScript's length).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
import nh3

from ..assembly.site import absolute_url
from ..core.model import Page, Site
from ..sources.i18n import Catalog

TITLE_LIMIT = 64
DIGEST_LIMIT = 120
CONTENT_LIMIT = 20_000  # characters
CONTENT_BYTES = 1_000_000
#: what the article's HTML may hold: text structure and links, no attributes but a link's address
_TAGS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "br", "table",
                    "thead", "tbody", "tr", "th", "td", "code", "pre"})


@dataclass(frozen=True)
class WeChatArticle:
    title: str
    digest: str
    content: str  # simple HTML, no scripts, styles or images (they are listed in ``images``)
    source_url: str
    images: tuple[str, ...]  # absolute addresses of the images to upload, in the order the text marks them
    notes: tuple[str, ...] = ()  # in English, for the JSON
    fits: bool = True

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"title": self.title, "digest": self.digest, "content": self.content,
                                   "content_source_url": self.source_url, "images": list(self.images),
                                   "fits": self.fits}
        if self.notes:
            data["notes"] = list(self.notes)
        return data


def wechat_length(text: str) -> int:
    """Characters as WeChat's editor counts them (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def shortened_to(text: str, limit: int) -> str:
    """``text`` within ``limit``: cut after the last whole word that fits, with an ellipsis (a text in a
    script written without spaces, such as Chinese, is cut between characters)."""
    if wechat_length(text) <= limit:
        return text
    words = text.split(" ")
    while len(words) > 1 and wechat_length(" ".join(words) + "…") > limit:
        words.pop()
    kept = " ".join(words)
    while kept and wechat_length(kept + "…") > limit:
        kept = kept[:-1]
    return kept.rstrip() + "…"


def wechat_article(site: Site, catalog: Catalog, page: Page, reference: str = "") -> WeChatArticle:
    url = absolute_url(site.config, page.url)
    notes: list[str] = []
    title = shortened_to(page.title, TITLE_LIMIT)
    if title != page.title:
        notes.append(f"the title was shortened to WeChat's {TITLE_LIMIT} characters")
    digest = shortened_to(page.summary or page.title, DIGEST_LIMIT)
    if page.summary and digest != page.summary:
        notes.append(f"the summary was shortened to WeChat's {DIGEST_LIMIT} characters")
    content, images = _content(page.body_html, url, catalog, page.lang)
    if reference:
        content = f"<p>{_escape(catalog.get(page.lang, 'statement.reference'))}: {_escape(reference)}</p>\n" + content
    fits = True
    if wechat_length(content) >= CONTENT_LIMIT or len(content.encode("utf-8")) >= CONTENT_BYTES:
        notes.append(f"the text is over WeChat's {CONTENT_LIMIT:,} characters or 1 MB: shorten it for WeChat")
        fits = False
    return WeChatArticle(title, digest, content, url, tuple(images), tuple(notes), fits)


def _content(body_html: str, base: str, catalog: Catalog, lang: str) -> tuple[str, list[str]]:
    """(the body as WeChat takes it, the images to upload): each image becomes a marked paragraph
    "[Image 1: its alt text]" where it was, links become absolute, every attribute but href goes."""
    images: list[str] = []
    if not body_html.strip():
        return "", images
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for image in list(root.iter("img")):
        src = image.get("src") or ""
        images.append(urljoin(base, src))
        marker = lxml.html.Element("p")
        marker.text = f"[{catalog.get(lang, 'wechat.image')} {len(images)}: {image.get('alt') or ''}]"
        parent = image.getparent()
        if parent is None:
            continue
        if parent.tag == "p" and not (parent.text or "").strip() and len(parent) == 1:
            parent.addprevious(marker)
            marker.tail = parent.tail
            parent.getparent().remove(parent)
        else:
            marker.tail = image.tail
            image.addprevious(marker)
            parent.remove(image)
    for link in root.iter("a"):
        href = link.get("href")
        if href:
            link.set("href", urljoin(base, href))
    html = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    cleaned = nh3.clean((root.text or "") + html, tags=set(_TAGS), attributes={"a": {"href"}},
                        url_schemes={"http", "https", "mailto", "tel"}, link_rel=None)
    return cleaned.strip(), images


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
