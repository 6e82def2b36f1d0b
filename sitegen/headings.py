"""Heading ids: ``{#id .class}`` written after a heading, and unique anchors for every other heading.

Both are markdown-it core rules that run after parsing, on tokens, so they
never see code or raw HTML. Anchors are made in one pass: for each base slug
the next free number is remembered, so 20,000 identical headings cost 20,000
steps, not 200 million (the plugin this replaces restarted counting at 1 for
every heading). A cap on headings per page turns a runaway file into an
error that names its line instead of a stalled build.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_TRAILING_ATTRIBUTES = re.compile(r"\s*\{:?\s*((?:[#.][\w-]+\s*)+)\}\s*$")
"""Pandoc/kramdown/Hugo style ``## Title {#id .class}``: ids and classes only, nothing that runs."""
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")


class TooManyHeadings(ValueError):
    """A body with more headings than ``markdown.max_headings`` allows; ``line`` is 0-based within the body."""

    def __init__(self, count: int, limit: int, line: int) -> None:
        super().__init__(f"more than {limit:,} headings in one briefing ({count:,} or more)")
        self.line = line


def heading_attributes(state: StateCore) -> None:
    """Core rule: move a trailing ``{#id .class}`` of a heading into the heading's attributes."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        children = tokens[index + 1].children or []
        if not children or children[-1].type != "text":
            continue
        match = _TRAILING_ATTRIBUTES.search(children[-1].content)
        if not match:
            continue
        children[-1].content = children[-1].content[:match.start()]
        classes = []
        for part in match.group(1).split():
            if part[0] == "#":
                token.attrSet("id", part[1:])
            else:
                classes.append(part[1:])
        if classes:
            token.attrSet("class", " ".join(classes))


def heading_slug(title: str) -> str:
    """GitHub's rule, as the anchors plugin used before: lower case, spaces to hyphens, punctuation dropped."""
    return _NOT_IN_SLUG.sub("", title.lower().replace(" ", "-")) or "section"


def _title(inline: Token) -> str:
    return "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))


def make_anchor_rule(limit: int) -> Callable[[StateCore], None]:
    """A core rule giving every heading a unique id, refusing more than ``limit`` headings."""

    def heading_anchors(state: StateCore) -> None:
        tokens = state.tokens
        headings = [index for index, token in enumerate(tokens) if token.type == "heading_open"]
        if len(headings) > limit:
            first_over = tokens[headings[limit]]
            raise TooManyHeadings(len(headings), limit, first_over.map[0] if first_over.map else 0)
        taken = {str(tokens[i].attrGet("id")) for i in headings if tokens[i].attrGet("id")}
        next_number: dict[str, int] = {}
        for index in headings:
            token = tokens[index]
            if token.attrGet("id"):
                continue
            base = heading_slug(_title(tokens[index + 1]))
            slug, number = base, next_number.get(base, 0)
            while slug in taken:  # each taken id is stepped over at most once per base: linear overall
                number += 1
                slug = f"{base}-{number}"
            next_number[base] = number
            taken.add(slug)
            token.attrSet("id", slug)

    return heading_anchors
