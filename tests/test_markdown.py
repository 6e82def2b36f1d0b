"""The Markdown renderer: safe by default, CommonMark plus tables and strikethrough."""

from __future__ import annotations

from sitegen.config import MarkdownOptions
from sitegen.markdown import BodyRenderer, shorten


def render(text: str, html: bool = False) -> str:
    return BodyRenderer(MarkdownOptions(html=html)).render(text).html


def test_raw_html_is_escaped_by_default():
    out = render('<script>alert(1)</script>\n\nHi <img src=x onerror="alert(1)">')
    assert "<script>" not in out and "<img src=x" not in out
    assert "&lt;script&gt;" in out


def test_raw_html_passes_when_the_site_enables_it():
    assert "<aside>note</aside>" in render("<aside>note</aside>", html=True)


def test_unsafe_link_schemes_are_dropped():
    out = render("[a](javascript:alert(1)) [b](vbscript:msgbox) [c](data:text/html;base64,PHNjcmlwdD4=) "
                 "[d](JaVaScRiPt:alert(1))")
    assert "href" not in out


def test_data_images_and_normal_links_are_kept():
    out = render("![chart](data:image/png;base64,iVBORw0KGgo=) [site](https://example.org/)")
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in out
    assert 'href="https://example.org/"' in out


def test_tables_strikethrough_and_heading_ids():
    out = render("## Key points\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~")
    assert '<h2 id="key-points">' in out
    assert "<table>" in out and "<s>old</s>" in out


def test_summary_is_the_first_paragraph_as_plain_text():
    body = BodyRenderer(MarkdownOptions()).render("# Head\n\nThe *first* `para`\ngraph.\n\nSecond.")
    assert body.first_paragraph == "The first para graph."


def test_shorten_cuts_at_a_word_and_stays_within_the_limit():
    text = "word " * 100
    short = shorten(text.strip(), 200)
    assert len(short) <= 200 and short.endswith("…") and not short.endswith(" …")


# linkify-it's pretest, behind a cheaper first look (sitegen.markdown.QuickLinkify): the same answer for any text.

LINK_PIECES = ["http:", "HTTPS:", "ftp:", "mailto:", "//", "@", "www.", "WWW.", "localhost", "LOCALHOST", "localhoſt",
               "ſ", "K", "İ", ".", ". ", ".\n", ".5", ".com", ".COM", ".org ", ".рф", ".РФ", ".xn--p1ai", ".ly)", "1.2.3",
               ".**", "._", ".-", ".\u0660", ".é",
               "example", " ", "\n", "(", "<", "｜", "_", "a", "Z", "٣", "é", "\u00a0", "\u3000"]


def _pretests_agree(text: str) -> None:
    from linkify_it import LinkifyIt

    from sitegen.markdown import QuickLinkify

    assert QuickLinkify().pretest(text) == bool(LinkifyIt().pretest(text)), repr(text)


def test_the_quick_linkify_pretest_agrees_with_linkify_its_own_on_any_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.lists(st.sampled_from(LINK_PIECES) | st.text(max_size=3), max_size=12).map("".join)
    given(st.text() | pieces)(settings(max_examples=600, deadline=None)(_pretests_agree))()
    for text in ["Talks resume in Geneva. Officials said", "See www.example.org", "mail me@x", "3.5 percent",
                 "at localhost", "LOCALHOST", "localhoſt", "U.S. officials", "e.g. this", "end of sentence.",
                 "example.com", "https://x", "no link here\nat all"]:
        _pretests_agree(text)


def test_linkify_still_links_what_it_linked():
    out = render("Read www.example.org and https://example.com/a, or write to desk@example.org.\n\n"
                 "Talks resume. Officials said 3.5 percent.")
    assert '<a href="http://www.example.org">www.example.org</a>' in out
    assert '<a href="https://example.com/a">https://example.com/a</a>' in out
    assert '<a href="mailto:desk@example.org">desk@example.org</a>' in out
    assert out.count("<a ") == 3
