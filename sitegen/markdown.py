"""The configured markdown-it-py renderer for briefing bodies.

CommonMark plus tables, strikethrough and, each switchable in ``site.yml``
under ``markdown:``, heading attributes (``{#id .class}``), footnotes, task
lists, definition lists and bare URLs made links. Every heading gets a unique
id for deep links. Raw HTML is escaped unless the site turns it on, and
markdown-it-py's own link validation drops ``javascript:``, ``vbscript:``,
``file:`` and non-image ``data:`` URLs, so a body can never inject script.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .assets import BodyAssets, choose_image, picture_renderer, resolve_references, stamps
from .config import MarkdownOptions, SiteConfig
from .content import Document, load_file
from .errors import Problem, SiteError
from .foreign import ForeignSyntax, drop_comments, find_foreign, is_filler, without_filler
from .headings import TooManyHeadings, heading_attributes, make_anchor_rule
from .render import UrlHelper

SUMMARY_LIMIT = 200
D = TypeVar("D", bound=Document)


@dataclass(frozen=True)
class RenderedBody:
    html: str
    first_paragraph: str
    foreign: tuple[ForeignSyntax, ...] = ()
    """Shortcodes and template tags of other generators, published as text: worth a warning."""


_DOT_BEFORE_WORD = re.compile(r"\.\w")


def may_hold_link(text: str) -> bool:
    r"""False only where linkify-it's ``pretest`` is false too, and ten times faster on prose.

    That pretest (one regular expression of 1,500 characters, ignoring case) looks for a schema
    (``http:``, ``https:``, ``ftp:``, ``mailto:``, ``//``), an ``@``, ``localhost``, ``www.``, or a dot
    followed by digits or by a top-level domain: by a letter or digit either way, which ``\w`` matches in
    any script and case (a bold sentence's ``.**`` is no link). Every such match holds one of the
    strings tested here (``casefold`` folds whatever letters that regular expression treats as equal,
    ``ſ`` and ``K`` included).
    """
    if "@" in text or ":" in text or "//" in text or _DOT_BEFORE_WORD.search(text):
        return True
    folded = text.casefold()
    return "www." in folded or "localhost" in folded


class QuickLinkify(LinkifyIt):
    """linkify-it, with :func:`may_hold_link` before its pretest: the pretest ran on every paragraph and took a
    quarter of the Markdown parsing time, while few paragraphs hold anything that may be a link."""

    def pretest(self, text: str) -> bool:
        return may_hold_link(text) and bool(super().pretest(text))


def make_parser(options: MarkdownOptions) -> MarkdownIt:
    """A markdown-it instance set up the way the site asks."""
    md = MarkdownIt("commonmark", {"html": options.html, "typographer": options.typographer,
                                   "linkify": options.linkify})
    md.enable(["table", "strikethrough"])
    if options.typographer:
        md.enable(["replacements", "smartquotes"])
    if options.linkify:
        md.linkify = QuickLinkify()  # the schemas and options markdown-it's own LinkifyIt() has
        md.enable("linkify")
    if options.footnotes:
        md.use(footnote_plugin)
    if options.task_lists:
        md.use(tasklists_plugin, label=True)
    if options.definition_lists:
        md.use(deflist_plugin)
    md.core.ruler.push("drop_comments", drop_comments)
    if options.heading_attributes:
        md.core.ruler.push("heading_attributes", heading_attributes)
    md.core.ruler.push("anchors", make_anchor_rule(options.max_headings))
    md.core.ruler.push("topic_links", link_topics)
    md.core.ruler.push("assets", resolve_references)
    md.add_render_rule("image", picture_renderer(md.renderer.rules["image"]))  # type: ignore[attr-defined]
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
        if token.type == "paragraph_open" and index + 1 < len(tokens) and not is_filler(tokens[index + 1].content):
            text = without_filler(_plain_text(tokens[index + 1]))
            if text:
                return text
    return ""


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Cut at a word boundary so summaries never end mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


TopicLinks = Sequence[tuple[re.Pattern[str], str]]
"""(pattern of a topic's words, link to the topic's page), in the briefing's topic order."""


def link_topics(state: StateCore) -> None:
    """Core rule: link the first mention of each topic in ``env["topic_links"]`` to its page.

    It only splits ``text`` tokens of paragraphs, lists and tables, after
    parsing, so a link can never land inside a tag, an attribute, code, a
    heading or another link, and the words stay escaped by the renderer.
    """
    pending = list(state.env.get("topic_links", ()))
    in_heading = False
    for token in state.tokens:
        if not pending:
            return
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type == "inline" and token.children and not in_heading:
            token.children = _with_topic_links(token.children, pending)


_HTML_LINK = re.compile(r"<(/?)a[\s>]", re.IGNORECASE)


def _with_topic_links(children: list[Token], pending: list[tuple[re.Pattern[str], str]]) -> list[Token]:
    result: list[Token] = []
    depth = 0  # inside a Markdown link or a raw <a> element
    for child in children:
        if child.type in ("link_open", "link_close"):
            depth += child.nesting
        elif child.type == "html_inline" and (tag := _HTML_LINK.match(child.content)):
            depth += -1 if tag.group(1) else 1
        if child.type == "text" and depth == 0 and pending:
            result.extend(_split_text(child.content, pending))
        else:
            result.append(child)
    return result


def _split_text(text: str, pending: list[tuple[re.Pattern[str], str]]) -> list[Token]:
    """The text as tokens, with the earliest mention of each pending topic made a link (and no longer pending)."""
    tokens: list[Token] = []
    position = 0
    while pending:
        found = [(match, entry) for entry in pending if (match := entry[0].search(text, position))]
        if not found:
            break
        match, entry = min(found, key=lambda pair: pair[0].start())
        pending.remove(entry)
        if match.start() > position:
            tokens.append(Token("text", "", 0, content=text[position:match.start()]))
        tokens += [Token("link_open", "a", 1, attrs={"href": entry[1], "class": "topic-link"}),
                   Token("text", "", 0, content=match.group()),
                   Token("link_close", "a", -1)]
        position = match.end()
    if position < len(text):
        tokens.append(Token("text", "", 0, content=text[position:]))
    return tokens


class BodyRenderer:
    """Renders Markdown bodies; one instance per build, reused for every file.

    With ``config``, references to files beside a briefing are resolved and
    checked (``sitegen.assets``); without it, as in unit tests, they are left as written.
    """

    def __init__(self, options: MarkdownOptions, config: SiteConfig | None = None) -> None:
        self._md = make_parser(options)
        self._config = config
        self._url = UrlHelper(config.base_url, config.base_path).url if config else None

    def render(self, body: str, topic_links: TopicLinks = (), assets: BodyAssets | None = None) -> RenderedBody:
        """``topic_links`` (empty unless the site sets ``link_topics: true``) link first mentions of topics."""
        env = {"topic_links": topic_links, "assets": assets}
        tokens = self._md.parse(body, env)
        html = self._md.renderer.render(tokens, self._md.options, env)
        return RenderedBody(html=html, first_paragraph=shorten(first_paragraph(tokens)),
                            foreign=tuple(find_foreign(tokens)))

    def render_item(self, item: D, topic_links: TopicLinks = ()) -> D:
        """The document whole: the parsed file with its HTML, summary, picture and warnings (a new
        object; the parsed one is left as it was); a broken reference or a body over a cap is a
        SiteError at its line."""
        config = self._config
        assets = (BodyAssets(item.path, config.content_dir, self._url, page_url=lambda path: load_file(path, config).url)
                  if config is not None and self._url is not None else None)
        try:
            body = self.render(item.body, topic_links, assets)
        except TooManyHeadings as error:
            raise SiteError([Problem(item.rel, item.body_line + error.line, str(error),
                                     "split the briefing in two, or raise markdown: {max_headings: …} in site.yml")]
                            ) from None
        warnings = [Problem(item.rel, item.body_line + found.line, found.message, found.hint, severity="warning")
                    for found in body.foreign]
        image, used, digest = item.image, item.asset_stamps, item.digest
        if assets is not None:
            image, picture_problems = choose_image(item, assets)
            problems = [Problem(item.rel, item.body_line + line, message, hint)
                        for line, message, hint in assets.problems] + picture_problems
            if any(p.severity == "error" for p in problems):
                raise SiteError(problems)
            warnings += problems
            used = stamps(assets.used)
            if used:  # a replaced picture changes the page as an edit would
                digest = hashlib.blake2b(f"{digest}|{used}".encode(), digest_size=16).hexdigest()
        return dataclasses.replace(item, html=body.html, summary=item.summary or body.first_paragraph, image=image,
                                   asset_stamps=used, digest=digest,
                                   warnings=(*item.warnings, *warnings))  # the front matter's own warnings first
