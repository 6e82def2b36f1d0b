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
