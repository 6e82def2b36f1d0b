"""The Markdown file an import writes: escaped body text, front matter, a fingerprint.

Raw articles are plain text, so a paragraph that starts with ``1.`` or ``#``, a
``*`` pair or a ``<tag>`` must show up on the page as typed, not as a list,
heading, emphasis or HTML. :func:`escape_markdown` backslash-escapes exactly the
characters CommonMark (plus tables and strikethrough) would act on, and leaves
quotes, dashes and non-Latin script alone so the file stays pleasant to edit.

The front matter records ``source.markdown_sha256``, the hash of the file as
written (that line left out). A later import compares it with the file on disk
to tell an untouched file, which it may refresh, from one an author has edited,
which it must leave alone.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..content import dump_front_matter

# Anywhere in a line: backslash, code, emphasis, links, autolinks/HTML, table cells,
# strikethrough, and "&" where it would start an entity such as &amp; or &#123;.
_INLINE = re.compile(r"[\\`*_\[\]<|~]|&(?=#?\w+;)")
# At the start of a line: headings, quotes, list bullets, setext underlines and table
# delimiter rows; and the dot or bracket after an ordered list number ("1." / "2005)").
_BLOCK_START = re.compile(r"^[#>+=:-]")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)")
_FINGERPRINT = re.compile(r"^  markdown_sha256: [0-9a-f]{64}\n", re.MULTILINE)
_PLACEHOLDER = "f" * 64


def escape_markdown(line: str) -> str:
    """One line of source text as Markdown that renders to the same visible text."""
    line = _INLINE.sub(r"\\\g<0>", line.strip())
    line = _BLOCK_START.sub(r"\\\g<0>", line, count=1)
    return _LIST_NUMBER.sub(r"\1\\\2", line, count=1)


def markdown_body(paragraphs: list[list[str]]) -> str:
    """Paragraphs separated by blank lines, every line escaped, line breaks kept."""
    return "\n\n".join("\n".join(escape_markdown(line) for line in lines) for lines in paragraphs)


def render_file(front: dict[str, Any], paragraphs: list[list[str]]) -> str:
    """The complete file: front matter (with its fingerprint) and the escaped body."""
    source = dict(front["source"], markdown_sha256=_PLACEHOLDER)
    text = dump_front_matter({**front, "source": source}, markdown_body(paragraphs))
    return _FINGERPRINT.sub(f"  markdown_sha256: {fingerprint(text)}\n", text, count=1)


def fingerprint(text: str) -> str:
    """sha256 of a generated file without its fingerprint line."""
    return hashlib.sha256(_FINGERPRINT.sub("", text, count=1).encode("utf-8")).hexdigest()


def is_untouched(text: str) -> bool:
    """True when the file is exactly as an import wrote it (no author edits since)."""
    match = _FINGERPRINT.search(text)
    return match is not None and match.group().split()[-1] == fingerprint(text)
