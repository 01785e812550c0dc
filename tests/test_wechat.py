"""Weibo posts (Weibo's own counting, #话题# topics) and WeChat official-account articles (generator/wechat.py),
against the platforms' documented rules, on a site with a Chinese-speaking audience."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.outputs.snippets import LRI, PDI, RULES, weibo_length
from generator.outputs.wechat import DIGEST_LIMIT, TITLE_LIMIT, shortened_to, wechat_length
from tests.conftest import run_build

URL = "https://embassy.example.org/zh/announcements/visa-statement/"


@pytest.mark.parametrize(("text", "expected"), [
    ("大使馆", 3),  # a Chinese character counts 1
    ("ab", 1), ("abc", 2),  # a Latin letter or digit ½, rounded up
    ("2026年", 3),  # 4 halves + 2 halves
    ("签证 visa", 5),  # 2 + ½ (space) + 2, rounded up
    ("😀", 2),  # an emoji outside the BMP is two UTF-16 units: 2
    ("é", 1),  # above U+0080: 1
    (URL, 10),  # a link counts as Weibo's t.cn link, 10, however long
    ("通知 " + URL, 13),  # 2 + ½ + 10, rounded up
    ("https://example.org/" + "a" * 200, math.ceil((len("https://example.org/") + 200 - 140 + 20) / 2)),
    (f"{LRI}{URL}{PDI}", 12),  # the isolates around a link in right-to-left text count 1 each
    ("签" * 129 + " " + URL, 140),  # a link that brings the post to the limit exactly: 129 + ½ + 10, rounded up
    ("签" * 130 + " " + URL, 141),  # one character more is over it
    ("签" * 134 + " 😀😀 ab", 140),  # mixed: 134 + ½ + 2 × 2 (emoji) + ½ + 2 × ½ = 140
])
def test_weibo_counts_as_its_composer_does(text: str, expected: int) -> None:
    assert weibo_length(text) == expected


def test_weibo_limit_is_the_timelines_before_full_text() -> None:
    rule = RULES["weibo"]
    assert (rule.limit, rule.counting, rule.label) == (140, "weibo", "Weibo")


ZH_SITE = {
    "site.yml": (
        'title: {en: "Embassy of Veloria", zh: "韦洛里亚大使馆", ar: "سفارة فيلوريا"}\n'
        "base_url: https://embassy.example.org/\n"
        "default_language: en\n"
        "languages: [{code: en}, {code: zh}, {code: ar}]\n"
        "timezone: Asia/Shanghai\n"
        "tags: {visas: {en: Visas, zh: 签证, ar: تأشيرات}}\n"
        "snippets: {platforms: [x, weibo, wechat], hashtags: [Veloria]}\n"
    ),
    "content/announcements/visa-statement.en.md": (
        '---\ntitle: "Statement on visas for Chinese citizens"\ndate: 2026-11-20T10:00:00+08:00\n'
        'summary: "Visa services continue as usual."\ntags: [visas]\nkind: statement\n---\n'
        "Visa services continue as usual. See [the consular page](/en/announcements/visa-statement/).\n"
    ),
    "content/announcements/visa-statement.zh.md": (
        "---\ntitle: \"关于中国公民签证的声明\"\ndate: 2026-11-20T10:00:00+08:00\n"
        "summary: \"签证服务照常进行。网上有关暂停签证的消息是虚假的。\"\ntags: [visas]\nkind: statement\n"
        "translation_of: {lang: en}\n---\n"
        "签证服务照常进行。请访问[领事页面](/zh/announcements/visa-statement/)。\n\n"
        "![领事处排队的人](queue.png)\n\n<script>alert(1)</script>\n"
    ),
    "content/announcements/visa-statement.ar.md": (
        "---\ntitle: \"بيان بشأن التأشيرات للمواطنين الصينيين COP29\"\ndate: 2026-11-20T10:00:00+08:00\n"
        "summary: \"خدمات التأشيرات مستمرة كالمعتاد.\"\ntags: [visas]\nkind: statement\ntranslation_of: {lang: en}\n---\n"
        "خدمات التأشيرات مستمرة كالمعتاد.\n"
    ),
}


@pytest.fixture
def zh_site(make_site: Callable[..., Path]) -> Path:
    return make_site(ZH_SITE, base=False)


def snippet(root: Path, lang: str) -> dict[str, object]:
    data = json.loads((root / "snippets" / lang / "announcements/visa-statement.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_weibo_posts_fit_count_and_write_topics_the_weibo_way(zh_site: Path) -> None:
    report = run_build(zh_site)
    assert report.ok, [p.format() for p in report.problems]
    zh = snippet(zh_site, "zh")["posts"]["weibo"]  # type: ignore[index]
    assert zh["fits"] and zh["length"] == weibo_length(zh["text"]) <= 140
    assert "#签证#" in zh["text"] and "#Veloria#" in zh["text"]
    assert zh["hashtags"] == ["#签证#", "#Veloria#"]
    assert "https://embassy.example.org/zh/announcements/visa-statement/" in zh["text"]
    ar = snippet(zh_site, "ar")["posts"]["weibo"]  # type: ignore[index]
    assert f"{LRI} https://embassy.example.org/ar/" in ar["text"]  # the link isolated in right-to-left text
    assert "#تأشيرات#" in ar["text"]
    assert ar["fits"] and ar["length"] == weibo_length(ar["text"])
    board = (zh_site / "snippets/zh/index.html").read_text(encoding="utf-8")
    assert ">Weibo</h3>" in board


def test_a_long_chinese_post_is_cut_to_the_weibo_limit_with_its_link_kept(make_site: Callable[..., Path]) -> None:
    files = dict(ZH_SITE)
    files["content/announcements/visa-statement.zh.md"] = files["content/announcements/visa-statement.zh.md"].replace(
        "签证服务照常进行。网上有关暂停签证的消息是虚假的。", "签证服务照常进行，" * 30)
    root = make_site(files, base=False)
    assert run_build(root).ok
    post = snippet(root, "zh")["posts"]["weibo"]  # type: ignore[index]
    assert post["length"] <= 140 and post["fits"]
    assert post["text"].count("https://embassy.example.org/zh/announcements/visa-statement/") == 1
    assert "the summary was shortened" in post["notes"]


def test_the_wechat_article_keeps_within_wechats_limits_and_lists_its_images(zh_site: Path) -> None:
    report = run_build(zh_site)
    assert report.ok
    article = snippet(zh_site, "zh")["wechat"]
    assert isinstance(article, dict)
    assert article["title"] == "关于中国公民签证的声明" and article["digest"].startswith("签证服务照常进行")
    assert article["content_source_url"] == "https://embassy.example.org/zh/announcements/visa-statement/"
    content = article["content"]
    assert "<script" not in content and "<img" not in content
    assert "&lt;script&gt;alert(1)" in content  # raw HTML in the text stays text, as on the page
    assert "[图片 1: 领事处排队的人]" in content or "[Image 1: 领事处排队的人]" in content
    assert article["images"] == ["https://embassy.example.org/zh/announcements/visa-statement/queue.png"]
    assert 'href="https://embassy.example.org/zh/announcements/visa-statement/"' in content  # absolute links
    assert " class=" not in content and " id=" not in content and " style=" not in content
    assert "VEL" not in content or "参考" in content
    board = (zh_site / "snippets/zh/index.html").read_text(encoding="utf-8")
    assert 'class="wechat-content"' in board and "queue.png" in board and "<script>alert" not in board
    assert "wechat" not in snippet(zh_site, "en")["posts"]  # type: ignore[operator]


@pytest.mark.parametrize(("text", "limit"), [
    ("A statement of the Embassy of the Republic of Veloria on the regional water cooperation forum", TITLE_LIMIT),
    ("韦洛里亚共和国大使馆关于在巴库举行的区域水资源合作论坛以及后续各项合作安排的正式声明和说明" * 2, TITLE_LIMIT),
    ("😀" * 70, TITLE_LIMIT),
    ("Visa services continue as usual. " * 10, DIGEST_LIMIT),
])
def test_wechat_texts_are_shortened_within_its_limits_after_a_whole_word(text: str, limit: int) -> None:
    short = shortened_to(text, limit)
    assert wechat_length(short) <= limit and short.endswith("…")
    if " " in text:
        kept = short.removesuffix("…").split()
        assert kept == text.split()[:len(kept)]  # whole words, in order
    assert "\ud83d" not in short  # never half an emoji


def test_a_wechat_title_over_64_characters_is_shortened_with_a_note(make_site: Callable[..., Path]) -> None:
    files = dict(ZH_SITE)
    long_title = "关于" + "中国公民签证" * 15 + "的声明"
    files["content/announcements/visa-statement.zh.md"] = files["content/announcements/visa-statement.zh.md"].replace(
        "关于中国公民签证的声明", long_title)
    root = make_site(files, base=False)
    assert run_build(root).ok
    article = snippet(root, "zh")["wechat"]
    assert isinstance(article, dict)
    assert wechat_length(article["title"]) <= 64 and article["title"].endswith("…")
    assert any("title was shortened" in note for note in article["notes"])


def test_an_article_over_wechats_size_is_flagged_at_its_file(make_site: Callable[..., Path]) -> None:
    files = dict(ZH_SITE)
    files["content/announcements/visa-statement.zh.md"] += "\n" + ("很长的段落。" * 400 + "\n\n") * 10
    root = make_site(files, base=False)
    report = run_build(root)
    assert report.ok
    warning = next(p for p in report.warnings if "WeChat article is too long" in p.message)
    assert warning.location.path == "content/announcements/visa-statement.zh.md"
    assert snippet(root, "zh")["wechat"]["fits"] is False  # type: ignore[index]
