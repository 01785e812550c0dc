"""The normalised text of a statement (generator/statement_text.py): what its published digest covers."""

from __future__ import annotations

from generator.model import Page
from generator.statement_text import body_text, digest, normalised, plain_text, statement_text


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
