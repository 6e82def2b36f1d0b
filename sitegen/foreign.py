"""Syntax of other generators (Hugo, Jekyll, Liquid) found in a body: named, located, explained.

A site moved from Hugo or Jekyll carries shortcodes and Liquid tags that
sitegen does not run. Rather than printing them silently as text, each one
becomes a warning with its line and what to write instead; summaries skip
them, and HTML comments (never meant for readers) are dropped from the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_SHORTCODE = re.compile(
    r"\{\{<\s*/?\s*(?P<hugo>[\w./-]*)[^>]*?>\}\}"        # Hugo {{< name … >}}
    r"|\{\{%\s*/?\s*(?P<hugo_md>[\w./-]*)[^%]*?%\}\}"    # Hugo {{% name … %}}
    r"|\{%-?\s*(?P<liquid>[\w./-]*)[^%]*?-?%\}"          # Jekyll / Liquid {% tag … %}
    r"|\{\{-?\s*(?P<output>[^{}]{1,200}?)\s*-?\}\}",     # Liquid / Go template output {{ value }}
    re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_ADVICE = {
    "figure": "write the image in Markdown beside the file: ![what it shows](photo.jpg)",
    "img": "write the image in Markdown beside the file: ![what it shows](photo.jpg)",
    "youtube": "link to the video instead: [Watch the video](https://www.youtube.com/watch?v=…)",
    "vimeo": "link to the video instead: [Watch the video](https://vimeo.com/…)",
    "tweet": "quote the post as a > blockquote with a link to it",
    "x": "quote the post as a > blockquote with a link to it",
    "gist": "paste the code into a ``` fenced block",
    "highlight": "use a ``` fenced code block, with the language after the backticks",
    "ref": "link with a relative path to the other Markdown file's page, e.g. [text](/briefings/2024/05/slug/)",
    "relref": "link with a relative path to the other Markdown file's page, e.g. [text](/briefings/2024/05/slug/)",
    "link": "link with a relative path to the other Markdown file's page, e.g. [text](/briefings/2024/05/slug/)",
    "post_url": "link with a relative path to the other Markdown file's page, e.g. [text](/briefings/2024/05/slug/)",
    "comment": "delete the comment block, or keep it as an HTML comment <!-- … -->, which is never published",
    "include": "paste the included text into the briefing",
    "raw": "delete the {% raw %} and {% endraw %} lines; the text between them is shown as written",
    "endraw": "delete the {% raw %} and {% endraw %} lines; the text between them is shown as written",
}


@dataclass(frozen=True)
class ForeignSyntax:
    """One shortcode or template tag in a body: its line (0-based in the body), text and advice."""

    line: int
    text: str
    message: str
    hint: str


def _describe(match: re.Match[str]) -> tuple[str, str]:
    if match.group("hugo") is not None or match.group("hugo_md") is not None:
        name = match.group("hugo") or match.group("hugo_md") or ""
        kind = "Hugo shortcode"
    elif match.group("liquid") is not None:
        name, kind = match.group("liquid") or "", "Jekyll/Liquid tag"
    else:
        name, kind = "", "template expression (Liquid/Hugo)"
    hint = _ADVICE.get(name.lower(), "sitegen runs no shortcodes or templates in Markdown: write the result "
                       "in plain Markdown, or put it in a ``` code block if it is meant to be shown")
    return f"{kind} `{_short(match.group())}` is not run; it is published as text", hint


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:49] + "…"


def find_foreign(tokens: list[Token]) -> Iterator[ForeignSyntax]:
    """Shortcodes and template tags in paragraphs, headings, tables and HTML blocks (never in code)."""
    for token in tokens:
        if token.type not in ("inline", "html_block") or not token.map or "{" not in token.content:
            continue
        for match in _SHORTCODE.finditer(token.content):
            message, hint = _describe(match)
            yield ForeignSyntax(token.map[0] + token.content.count("\n", 0, match.start()), match.group(),
                                message, hint)


def is_filler(text: str) -> bool:
    """Text that is only shortcodes, template tags and HTML comments: never a summary."""
    return not _COMMENT.sub("", _SHORTCODE.sub("", text)).strip()


def without_filler(text: str) -> str:
    """The text with shortcodes, template tags and HTML comments taken out, for summaries."""
    return " ".join(_COMMENT.sub(" ", _SHORTCODE.sub(" ", text)).split())


def drop_comments(state: StateCore) -> None:
    """Core rule: HTML comments are notes to the author, never published, whether or not raw HTML is on.

    A paragraph that is only a comment goes whole; a comment inside one text
    token is cut out of it; an HTML block of comments (with ``markdown.html``) goes too.
    """
    kept: list[Token] = []
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if (token.type == "paragraph_open" and index + 2 < len(tokens)
                and "<!--" in tokens[index + 1].content and not _COMMENT.sub("", tokens[index + 1].content).strip()):
            index += 3
            continue
        if token.type == "html_block" and "<!--" in token.content and not _COMMENT.sub("", token.content).strip():
            index += 1
            continue
        if token.type == "inline" and "<!--" in token.content:
            for child in token.children or ():
                if child.type in ("text", "html_inline") and "<!--" in child.content:
                    child.content = _COMMENT.sub("", child.content)
        kept.append(token)
        index += 1
    state.tokens = kept
