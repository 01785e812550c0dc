#!/usr/bin/env python3
"""A deterministic synthetic embassy site for the benchmark: the same seed gives the same bytes.

    python benchmarks/corpus.py --out DIR --posts N [--langs en,ar,az] [--seed 1] [--force]

N items per language (60 % announcements, 25 % events, 15 % investment) and 5 pages, every one
in every language (translations share the slug and inherit dates, tags, event times and sector
from the English file). Each body is 400-700 words of Markdown: 2-4 second-level headings,
paragraphs with bold, emphasis and links, a bullet list, now and then a numbered list, a quote
and a table. Tags and sectors are named in every language in site.yml. The shape follows the
shared embassy corpus the peers build (../shared/bench/make_corpus.py), so that the sizes
compare, but the text and code are this project's own, and nothing outside the repository is needed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

MARKER = ".legation-corpus"
ZONE = timezone(timedelta(hours=4))  # Asia/Baku, the corpus site's timezone
NEWEST = datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)  # before the benchmark's clock (2026-11-23)
SHARES = (("announcements", 60), ("events", 25), ("investment", 15))


@dataclass(frozen=True)
class Words:
    """What one language's text is made of."""

    site: str
    title_words: tuple[str, ...]
    words: tuple[str, ...]  # the running text draws from these
    headings: tuple[str, ...]
    quote: str
    table_head: tuple[str, str]
    pages: tuple[str, ...]  # titles of the five pages, in PAGE_SLUGS order


WORDS: dict[str, Words] = {
    "en": Words(
        "Embassy of the Republic of Example",
        ("visa", "consular", "trade", "culture", "forum", "delegation", "scholarship", "energy", "transport",
         "agreement", "exhibition", "students", "partnership", "festival", "investment", "heritage"),
        ("the", "embassy", "will", "open", "citizens", "applications", "new", "office", "week", "regional",
         "cooperation", "ministry", "programme", "support", "between", "our", "two", "countries", "and", "for",
         "a", "public", "meeting", "on", "travel", "documents", "appointments", "online", "are", "available",
         "from", "Monday", "project", "companies", "of", "in", "with", "join", "us", "this", "year", "visitors"),
        ("Background", "What changes", "Who can apply", "Dates and places", "Contact", "Next steps"),
        "Our two nations share a long history of friendship and trade.",
        ("Item", "Detail"),
        ("About the embassy", "Consular services", "Contact", "Visa information", "The ambassador"),
    ),
    "ar": Words(
        "سفارة جمهورية المثال",
        ("تأشيرة", "قنصلية", "تجارة", "ثقافة", "منتدى", "وفد", "منحة", "طاقة", "نقل", "اتفاقية", "معرض", "طلاب",
         "شراكة", "مهرجان", "استثمار", "تراث"),
        ("السفارة", "تعلن", "عن", "فتح", "باب", "التسجيل", "للمواطنين", "في", "المكتب", "الجديد", "هذا",
         "الأسبوع", "التعاون", "الإقليمي", "بين", "البلدين", "وزارة", "برنامج", "دعم", "الشركات", "لقاء", "عام",
         "حول", "وثائق", "السفر", "المواعيد", "متاحة", "عبر", "الإنترنت", "من", "يوم", "الاثنين", "مشروع",
         "مع", "الزوار", "العام", "ندعوكم", "إلى", "الحضور", "و"),
        ("خلفية", "ما الذي يتغير", "من يحق له التقديم", "المواعيد والأماكن", "للتواصل", "الخطوات التالية"),
        "يجمع بلدينا تاريخ طويل من الصداقة والتجارة.",
        ("البند", "التفاصيل"),
        ("عن السفارة", "الخدمات القنصلية", "اتصل بنا", "معلومات التأشيرة", "السفير"),
    ),
    "az": Words(
        "Nümunə Respublikasının Səfirliyi",
        ("viza", "konsulluq", "ticarət", "mədəniyyət", "forum", "nümayəndə heyəti", "təqaüd", "enerji", "nəqliyyat",
         "saziş", "sərgi", "tələbələr", "tərəfdaşlıq", "festival", "investisiya", "irs"),
        ("səfirlik", "vətəndaşlar", "üçün", "yeni", "ofis", "açır", "bu", "həftə", "regional", "əməkdaşlıq",
         "nazirlik", "proqram", "dəstək", "iki", "ölkə", "arasında", "və", "ictimai", "görüş", "səyahət",
         "sənədləri", "qəbul", "onlayn", "mövcuddur", "bazar ertəsi", "layihə", "şirkətlər", "ilə", "qoşulun",
         "il", "ziyarətçilər", "müraciətlər", "günü", "şəhər", "mərkəz", "tədbir"),
        ("Ümumi məlumat", "Nə dəyişir", "Kim müraciət edə bilər", "Tarixlər və yerlər", "Əlaqə", "Növbəti addımlar"),
        "İki xalqımızı uzun dostluq və ticarət tarixi birləşdirir.",
        ("Bənd", "Təfərrüat"),
        ("Səfirlik haqqında", "Konsulluq xidmətləri", "Əlaqə", "Viza məlumatı", "Səfir"),
    ),
    "uz": Words(
        "Namuna Respublikasining elchixonasi",
        ("viza", "konsullik", "savdo", "madaniyat", "forum", "delegatsiya", "grant", "energetika", "transport",
         "kelishuv", "koʻrgazma", "talabalar", "hamkorlik", "festival", "investitsiya", "meros"),
        ("elchixona", "fuqarolar", "uchun", "yangi", "ofis", "ochadi", "shu", "hafta", "mintaqaviy", "hamkorlik",
         "vazirlik", "dastur", "qoʻllab-quvvatlash", "ikki", "davlat", "oʻrtasida", "va", "ochiq", "uchrashuv",
         "sayohat", "hujjatlari", "qabul", "onlayn", "mavjud", "dushanba", "loyiha", "kompaniyalar", "bilan",
         "qoʻshiling", "yil", "mehmonlar", "arizalar", "kuni", "shahar", "markaz", "tadbir"),
        ("Umumiy maʼlumot", "Nima oʻzgaradi", "Kim ariza topshira oladi", "Sana va joylar", "Aloqa",
         "Keyingi qadamlar"),
        "Ikki xalqimizni uzoq doʻstlik va savdo tarixi birlashtiradi.",
        ("Band", "Tafsilot"),
        ("Elchixona haqida", "Konsullik xizmatlari", "Aloqa", "Viza maʼlumoti", "Elchi"),
    ),
}

PAGE_SLUGS = ("about", "consular-services", "contact", "visa-information", "ambassador")
TAGS: dict[str, dict[str, str]] = {
    "consular": {"ar": "شؤون قنصلية", "az": "konsulluq", "uz": "konsullik"},
    "culture": {"ar": "ثقافة", "az": "mədəniyyət", "uz": "madaniyat"},
    "trade": {"ar": "تجارة", "az": "ticarət", "uz": "savdo"},
    "education": {"ar": "تعليم", "az": "təhsil", "uz": "taʼlim"},
    "energy": {"ar": "طاقة", "az": "enerji", "uz": "energetika"},
    "travel": {"ar": "سفر", "az": "səyahət", "uz": "sayohat"},
    "diplomacy": {"ar": "دبلوماسية", "az": "diplomatiya", "uz": "diplomatiya"},
    "film": {"ar": "سينما", "az": "kino", "uz": "kino"},
    "music": {"ar": "موسيقى", "az": "musiqi", "uz": "musiqa"},
    "science": {"ar": "علوم", "az": "elm", "uz": "fan"},
}
SECTORS: dict[str, dict[str, str]] = {
    "green-energy": {"en": "Green energy", "ar": "الطاقة الخضراء", "az": "Yaşıl enerji", "uz": "Yashil energetika"},
    "logistics": {"en": "Logistics", "ar": "الخدمات اللوجستية", "az": "Logistika", "uz": "Logistika"},
    "agri-food": {"en": "Agri-food", "ar": "الصناعات الغذائية", "az": "Aqrar-qida", "uz": "Agro-oziq-ovqat"},
    "tourism": {"en": "Tourism", "ar": "السياحة", "az": "Turizm", "uz": "Turizm"},
}
KINDS = ("news", "press-release", "statement", "consular")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def sentence(rng: random.Random, words: Words, lang: str, low: int = 8, high: int = 18, plain: bool = False) -> str:
    """A sentence of ``low``-``high`` words; unless ``plain``, one word may be bold, emphasised or a link."""
    chosen = [rng.choice(words.words) for _ in range(rng.randint(low, high))]
    mark = 1.0 if plain else rng.random()
    at = rng.randrange(len(chosen))
    if mark < 0.25:
        chosen[at] = f"**{chosen[at]}**"
    elif mark < 0.45:
        chosen[at] = f"*{chosen[at]}*"
    elif mark < 0.6:
        chosen[at] = f"[{chosen[at]}](https://example.org/{lang}/{rng.randrange(1000)})"
    text = " ".join(chosen)
    return (text[0].upper() + text[1:] if text[0].isalpha() else text) + "."


def body(rng: random.Random, words: Words, lang: str) -> str:
    """400-700 words of Markdown."""
    target = rng.randint(400, 700)
    headings = rng.sample(words.headings, rng.randint(2, 4))
    blocks: list[str] = []
    count = 0
    per_part = target // len(headings)
    for number, heading in enumerate(headings):
        blocks.append(f"## {heading}")
        written = 0
        while written < per_part:
            paragraph = " ".join(sentence(rng, words, lang) for _ in range(rng.randint(2, 5)))
            blocks.append(paragraph)
            written += paragraph.count(" ") + 1
        count += written
        if number == 0:
            blocks.append("\n".join(f"- {sentence(rng, words, lang, 3, 7)}" for _ in range(rng.randint(3, 5))))
        elif rng.random() < 0.4:
            blocks.append("\n".join(f"{i}. {sentence(rng, words, lang, 3, 7)}" for i in range(1, rng.randint(3, 5))))
    if rng.random() < 0.5:
        blocks.insert(2, f"> {words.quote}")
    if rng.random() < 0.2:
        rows = [f"| {words.table_head[0]} | {words.table_head[1]} |", "|---|---|"]
        rows += [f"| {rng.choice(words.title_words)} | {rng.randint(1, 500)} |" for _ in range(rng.randint(2, 5))]
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + "\n"


def title(rng: random.Random, words: Words) -> str:
    picked = rng.sample(words.title_words, 3)
    text = f"{picked[0]} {picked[1]} {picked[2]}"
    return text[0].upper() + text[1:]


def front(lines: list[str]) -> str:
    return "---\n" + "\n".join(lines) + "\n---\n"


def site_yml(langs: list[str]) -> str:
    out = ["title:"] + [f"  {lang}: {q(WORDS[lang].site)}" for lang in langs]
    out += ['base_url: "https://embassy.example.org/"', f"default_language: {langs[0]}", "languages:"]
    out += [f"  - {{code: {lang}}}" for lang in langs]
    out += ["timezone: Asia/Baku", "paginate: 10", "tags:"]
    for tag, names in {**TAGS, **SECTORS}.items():
        shown = ", ".join(f"{lang}: {q(name)}" for lang, name in names.items() if lang in langs)
        out.append(f"  {tag}: {{{shown}}}")
    return "\n".join(out) + "\n"


def item_files(section: str, index: int, langs: list[str], rng: random.Random) -> dict[str, str]:
    """The files of one item in every language: the first holds the shared keys, the others inherit them."""
    slug = f"{section.rstrip('s')}-{index:05d}"
    date = NEWEST - timedelta(hours=7 * index + rng.randrange(6))
    tags = rng.sample(sorted(TAGS), 2)
    files: dict[str, str] = {}
    for position, lang in enumerate(langs):
        words = WORDS[lang]
        lines = [f"title: {q(title(rng, words))}", f"summary: {q(sentence(rng, words, lang, 10, 20, plain=True))}"]
        if position == 0:
            lines += [f"date: {date.isoformat()}", f"tags: [{', '.join(tags)}]"]
            if section == "announcements":
                lines.append(f"kind: {KINDS[index % len(KINDS)]}")
            elif section == "events":
                days = rng.randint(-120, 120)
                if 1 <= days <= 5:  # nothing starts or ends within a day of the benchmark's clock (2026-11-23):
                    days += 7       # a build then crosses no schedule boundary, and "no change" is measurable
                start = (NEWEST + timedelta(days=days)).replace(hour=18, minute=30)
                lines += [f"start: {start.isoformat()}", f"end: {(start + timedelta(hours=2)).isoformat()}",
                          f"venue: {{name: {q('Embassy Hall ' + str(index % 7))}, address: {q('Example street 1')},"
                          " city: Baku}"]
            else:
                lines += [f"sector: {sorted(SECTORS)[index % len(SECTORS)]}",
                          f"figures: [{{label: {q('Capacity')}, value: {q(str(rng.randint(10, 900)) + ' MW')}}}]",
                          f"incentives: [{q('Tax holiday')}, {q('Duty-free equipment')}]"]
        elif section == "events":
            lines.append(f"venue: {{name: {q(title(rng, words))}}}")
        files[f"content/{section}/{slug}.{lang}.md"] = front(lines) + "\n" + body(rng, words, lang)
    return files


def corpus(posts: int, langs: list[str], seed: int) -> dict[str, str]:
    """Every file of the corpus: path → text."""
    rng = random.Random(seed)
    files = {"site.yml": site_yml(langs)}
    counts = [posts * share // 100 for _, share in SHARES]
    counts[0] += posts - sum(counts)  # rounding goes to announcements
    for (section, _), count in zip(SHARES, counts, strict=True):
        for index in range(count):
            files.update(item_files(section, index, langs, rng))
    for menu, slug in enumerate(PAGE_SLUGS, start=1):
        for position, lang in enumerate(langs):
            lines = [f"title: {q(WORDS[lang].pages[menu - 1])}"] + ([f"menu: {menu}"] if position == 0 else [])
            files[f"content/pages/{slug}.{lang}.md"] = front(lines) + "\n" + body(rng, WORDS[lang], lang)
    return files


def write(out: Path, files: dict[str, str], force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        if not (force and (out / MARKER).is_file()):
            sys.exit(f"{out} is not empty; give an empty folder, or --force to replace a corpus made by this script")
        shutil.rmtree(out)
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    (out / MARKER).write_text("made by benchmarks/corpus.py\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--posts", required=True, type=int, help="items per language")
    parser.add_argument("--langs", default="en,ar,az", help=f"comma-separated, from {','.join(WORDS)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    langs = [lang.strip() for lang in args.langs.split(",") if lang.strip()]
    unknown = [lang for lang in langs if lang not in WORDS]
    if unknown or not langs or args.posts < 0:
        parser.error(f"--langs takes {','.join(WORDS)} (got {args.langs}); --posts is 0 or more")
    files = corpus(args.posts, langs, args.seed)
    write(args.out, files, args.force)
    print(f"{len(files)} files in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
