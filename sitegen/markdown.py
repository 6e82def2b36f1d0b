"""The configured markdown-it-py renderer for briefing bodies.

CommonMark plus tables and strikethrough, heading ids for deep links. Raw HTML
is escaped unless the site turns it on, and markdown-it-py's own link
validation drops ``javascript:``, ``vbscript:``, ``file:`` and non-image
``data:`` URLs, so a body can never inject script.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from .config import MarkdownOptions

SUMMARY_LIMIT = 200


@dataclass(frozen=True)
class RenderedBody:
    html: str
    first_paragraph: str


def make_parser(options: MarkdownOptions) -> MarkdownIt:
    """A markdown-it instance set up the way the site asks."""
    md = MarkdownIt("commonmark", {"html": options.html, "typographer": options.typographer})
    md.enable(["table", "strikethrough"])
    if options.typographer:
        md.enable(["replacements", "smartquotes"])
    md.use(anchors_plugin, min_level=1, max_level=6)
    return md


def _plain_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def first_paragraph(tokens: list[Token]) -> str:
    """Plain text of the first paragraph: the default summary of a briefing."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            text = _plain_text(tokens[index + 1])
            if text:
                return text
    return ""


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Cut at a word boundary so summaries never end mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


class BodyRenderer:
    """Renders Markdown bodies; one instance per build, reused for every file."""

    def __init__(self, options: MarkdownOptions) -> None:
        self._md = make_parser(options)

    def render(self, body: str) -> RenderedBody:
        tokens = self._md.parse(body)
        html = self._md.renderer.render(tokens, self._md.options, {})
        return RenderedBody(html=html, first_paragraph=shorten(first_paragraph(tokens)))
