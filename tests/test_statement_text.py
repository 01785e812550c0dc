"""The normalised text of a statement (generator/statement_text.py): what its published digest covers."""

from __future__ import annotations

from generator.core.model import Page
from generator.sources.statement_text import body_text, digest, normalised, plain_text, statement_text


def page(title: str, summary: str, body_html: str) -> Page:
    return Page(source="content/announcements/x.en.md", section="announcements", slug="x", lang="en", title=title,
                body_html=body_html, source_hash="", summary=summary)


def test_markup_addresses_and_whitespace_do_not_count_and_words_do() -> None:
    one = page("Statement", "On the forum", '<p>The embassy <strong>welcomes</strong> the\nforum.</p>'
               '<p>See <a href="https://example.org/x">the text</a>.<sup class="footnote-ref"><a href="#fn1">[1]</a></sup></p>')
    assert statement_text(one) == "Statement On the forum The embassy welcomes the forum. See the text ."
    assert body_text(one) == "The embassy welcomes the forum. See the text ."
    same = page("Statement", "On the  forum", "<p>The embassy welcomes the forum.</p><p>See the text .</p>")
    assert digest(statement_text(same)) == digest(statement_text(one))
    other = page("Statement", "On the forum", "<p>The embassy regrets the forum.</p><p>See the text .</p>")
    assert digest(statement_text(other)) != digest(statement_text(one))


def test_unicode_is_compared_in_nfc() -> None:
    assert normalised("e\u0301") == normalised("\u00e9")
    assert plain_text("<p>a</p><p>b</p>").split() == ["a", "b"]
    assert digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2


def test_an_official_texts_body_is_worked_out_once_when_parsed_and_is_the_same_text() -> None:
    """The ledger and the register read the body's text from the parsed page (kept in the page cache), not by
    parsing its HTML at every build; it must be the text they would have worked out from the HTML."""
    from generator.core.model import SourceFile
    from generator.sources.config import parse_config
    from generator.sources.content import build_page, split_front_matter
    from generator.sources.markdown import make_markdown
    from tests.conftest import SITE_YML

    def parsed(kind: str) -> Page:
        text = (f"---\ntitle: On the forum\ndate: 2026-03-01\nkind: {kind}\n---\n"
                "The embassy **welcomes** the\nforum.\n\n> A note.\n")
        source = SourceFile("content/announcements/forum.en.md", "announcements", "forum", "en", text)
        page, problems = build_page(split_front_matter(source), parse_config(SITE_YML), make_markdown())
        assert page is not None, problems
        return page

    statement = parsed("statement")
    assert statement.body_text == normalised(plain_text(statement.body_html)) == "The embassy welcomes the forum. A note."
    assert body_text(statement) == statement.body_text
    assert parsed("news").body_text == ""  # not official: nothing is worked out
    assert body_text(parsed("news")) == "The embassy welcomes the forum. A note."
