"""Markdown as authors write it (issue 12 items 5 and 6, issue 18 item 6): extensions, other generators'
syntax, heading anchors that stay linear, and the caps on one file."""

from __future__ import annotations

import dataclasses
import re

import pytest

from sitegen.config import MarkdownOptions, load_config
from sitegen.errors import SiteError
from sitegen.load import load_briefings
from sitegen.markdown import BodyRenderer

from .helpers import briefing, run_sitegen, write

SAMPLE = """\
## Key points {#key .wide .lead}

See https://example.org/report for more.[^src]

- [x] convoy reached Idlib
- [ ] talks resume

Ceasefire
: A halt to fighting agreed by both sides.

[^src]: The UN statement of 3 May.
"""


def render(text: str, **options) -> str:
    return BodyRenderer(MarkdownOptions(**options)).render(text).html


def test_every_extension_is_on_by_default():
    html = render(SAMPLE)
    assert '<h2 id="key" class="wide lead">Key points</h2>' in html
    assert '<a href="https://example.org/report">https://example.org/report</a>' in html
    assert 'href="#fn1"' in html and '<li id="fn1" class="footnote-item">' in html and "UN statement" in html
    assert 'class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox"' in html
    assert "<dl>\n<dt>Ceasefire</dt>\n<dd>A halt to fighting agreed by both sides.</dd>\n</dl>" in html


@pytest.mark.parametrize(("option", "literal"), [
    ("heading_attributes", "{#key .wide .lead}"),
    ("linkify", "See https://example.org/report for more."),
    ("footnotes", "[^src]: The UN statement"),
    ("task_lists", "<li>[x] convoy reached Idlib</li>"),
    ("definition_lists", ": A halt to fighting"),
])
def test_each_extension_can_be_switched_off(option, literal):
    assert literal not in render(SAMPLE)
    assert literal in render(SAMPLE, **{option: False})


def test_switches_are_read_from_site_yml_and_checked(site):
    write(site / "site.yml", (site / "site.yml").read_text() + "markdown:\n  footnotes: false\n  linkify: false\n")
    config = load_config(site)
    assert (config.markdown.footnotes, config.markdown.linkify, config.markdown.task_lists) == (False, False, True)
    write(site / "site.yml", (site / "site.yml").read_text() + "markdown: {footnote: true}\n")
    with pytest.raises(SiteError) as caught:
        load_config(site)
    assert "unknown markdown option 'footnote'" in caught.value.problems[0].message
    assert "footnotes" in caught.value.problems[0].message


def test_heading_attributes_allow_ids_and_classes_only_and_raw_html_stays_off():
    html = render('## Title {#x onclick="alert(1)"}\n\n<b>bold</b>\n\nhttps://example.org/<script>')
    assert "onclick=" not in html.replace("onclick=&quot;", "")
    assert "<b>" not in html and "<script>" not in html


def test_an_explicit_id_is_never_given_to_a_generated_anchor():
    html = render("## Intro\n\n## Other {#intro}\n\n## Intro")
    assert re.findall(r'id="([^"]+)"', html) == ["intro-1", "intro", "intro-2"]


def test_repeated_headings_get_numbered_anchors_in_order():
    html = render("## Update\n\n" * 5 + "## Update-1\n\n")
    assert re.findall(r'id="([^"]+)"', html) == ["update", "update-1", "update-2", "update-3", "update-4",
                                                 "update-1-1"]


def test_many_identical_headings_render_in_linear_time():
    """20,000 identical headings took 22 s with the old anchors plugin; count steps, not seconds."""
    options = MarkdownOptions(max_headings=50_000)
    html = BodyRenderer(options).render("# a\n\n" * 20_000).html
    assert html.count('<h1 id="a-') == 19_999 and 'id="a-19999"' in html


def test_headings_over_the_cap_are_an_error_at_their_line(site):
    write(site / "content/briefings/a.md", briefing("A", body="## x\n\n" * 1001))
    with pytest.raises(SiteError) as caught:
        load_briefings(load_config(site))
    [problem] = caught.value.problems
    assert problem.path == "content/briefings/a.md" and problem.line == 6 + 2 * 1000  # the 1,001st heading
    assert "more than 1,000 headings" in problem.message and "max_headings" in problem.hint


# --- other generators' syntax (12.6) -----------------------------------------------------------


def test_shortcodes_and_liquid_tags_are_warnings_naming_file_line_and_what_to_do(site):
    body = ("Intro text.\n\n{{< figure src=\"chart.png\" >}}\n\n{% include note.html %}\n\n"
            "{{% comment %}}\ndraft\n{{% /comment %}}\n\n```\n{{< not-a-warning >}}\n```\n\nPrice {{ page.price }}.\n")
    write(site / "content/briefings/a.md", briefing("A", body=body))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert 'content/briefings/a.md:8: Hugo shortcode `{{< figure src="chart.png" >}}` is not run' in err
    assert "![what it shows](photo.jpg)" in err
    assert "content/briefings/a.md:10: Jekyll/Liquid tag `{% include note.html %}`" in err
    assert "content/briefings/a.md:12: Hugo shortcode `{{% comment %}}`" in err
    assert "content/briefings/a.md:14: Hugo shortcode `{{% /comment %}}`" in err
    assert "content/briefings/a.md:20: template expression" in err
    assert "not-a-warning" not in err


@pytest.mark.parametrize(("text", "what"), [
    ('+++\ntitle = "Talks"\ndate = 2024-05-01\n+++\n\nBody\n', "TOML front matter"),
    ('{\n  "title": "Talks",\n  "date": "2024-05-01"\n}\n\nBody\n', "JSON front matter"),
])
def test_toml_and_json_front_matter_are_errors_saying_what_to_write(site, text, what):
    write(site / "content/briefings/a.md", text)
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert f"content/briefings/a.md:1: {what}" in result.stderr
    assert "YAML between --- lines" in result.stderr and "Moving from Hugo or Jekyll" in result.stderr


def test_summaries_skip_comments_shortcodes_and_html_blocks(site):
    body = ("<!-- more -->\n\n{{< figure src=\"x.png\" >}}\n\n<div class=\"note\">\nboxed\n</div>\n\n"
            "Talks resume <!-- check --> in Geneva {{< ref \"x\" >}}today.\n")
    write(site / "content/briefings/a.md", briefing("A", body=body))
    write(site / "site.yml", (site / "site.yml").read_text() + "markdown: {html: true}\n")
    [item] = load_briefings(load_config(site)).briefings
    assert item.summary == "Talks resume in Geneva today."
    assert "<!--" not in item.html and "more" not in item.html


def test_html_comments_are_never_published_even_with_raw_html_off():
    html = render("<!-- private note -->\n\nText <!-- inline note --> here.\n")
    assert "private note" not in html and "inline note" not in html and "Text  here." in html


def test_options_are_frozen_and_cached_parsers_differ():
    options = MarkdownOptions()
    assert dataclasses.replace(options, footnotes=False) != options


# --- topics per briefing: capped, and topic pages that stay linear (18.6) ----------------------


def test_more_topics_than_max_topics_is_an_error_at_the_tags_line(site):
    tags = ", ".join(f"t{n}" for n in range(101))
    write(site / "content/briefings/a.md", briefing("A", tags=f"[{tags}]"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "content/briefings/a.md:4: 101 topics, more than the 100 a briefing may have" in result.stderr
    assert "max_topics" in result.stderr


def test_a_topic_page_shows_a_bounded_card_whatever_the_briefing_carries(site):
    write(site / "site.yml", (site / "site.yml").read_text() + "max_topics: 300\ntopics_min_count: 1\n")
    tags = ", ".join(f"t{n}" for n in range(300))
    write(site / "content/briefings/a.md", briefing("A", tags=f"[{tags}]"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    topic_page = (site / "public/topics/t7/index.html").read_text()
    card = topic_page.split('<article class="card', 1)[1].split("</article>", 1)[0]
    assert card.count('href="/topics/') == 3  # pages.CHIPS
    briefing_page = (site / "public/briefings/2024/05/a/index.html").read_text()
    assert briefing_page.count('<meta property="article:tag"') == 300
