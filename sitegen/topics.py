"""Naming things in URLs: slugs for titles, topics and authors, and the words that link a topic.

One module, low in the pipeline, so the importer, the model (``taxonomy``) and
the renderer all agree on what a name's URL is without importing each other.

* :func:`slugify` makes a title's slug: lower-case words joined by hyphens,
  accents on Latin letters dropped, other scripts kept whole (Arabic loses its
  vowel marks and the elongation stroke, never a letter), cut at a word
  boundary to at most :data:`SLUG_BYTES` bytes so a file or folder named after
  it always fits the file system's 255-byte limit.
* :func:`topic_slug` makes a topic's slug: the same, except that ``C#`` and
  ``C++`` stay apart from ``C`` (``c-sharp``, ``c-plus-plus``), ``U.S.`` meets
  ``US``, and accents are kept so ``Gö`` is not ``Go``.
* :func:`name_key` says when two spellings are the same name (they differ only
  in case, inner dots or spacing); :func:`topic_pattern` finds a topic's words
  in text, for the importer's scoring and the body's topic links.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:  # content and config use this module; only their types are needed here
    from .config import SiteConfig

SLUG_BYTES = 100
"""Longest slug in UTF-8 bytes: with ``.md`` and a temporary file's prefix and suffix it stays far below 255."""

_INNER_PUNCTUATION = re.compile(r"(?<=\w)[.'’]")
_SYMBOLS = ((re.compile(r"(?<=\w)\+\+(?!\w)"), " plus plus "), (re.compile(r"(?<=\w)\+(?!\w)"), " plus "),
            (re.compile(r"(?<=\w)#(?!\w)"), " sharp "))
# Arabic vowel marks (tashkeel), Quranic annotation signs and the elongation stroke (tatweel):
# they change how a word is voiced or drawn, never which word it is.
ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]")
_SPACING = re.compile(r"[\s_-]+")


def slugify(text: str, limit: int = SLUG_BYTES) -> str:
    """Lower-case words joined by hyphens; accents on Latin letters dropped, other scripts kept whole."""
    return _join_words(_words(drop_latin_accents(str(text))), limit)


def topic_slug(tag: str, limit: int = SLUG_BYTES) -> str:
    """A topic's slug: "U.S." and "US" agree; "C#", "C++" and "C" do not; accents stay."""
    text = _INNER_PUNCTUATION.sub("", unicodedata.normalize("NFC", str(tag)))
    for pattern, word in _SYMBOLS:
        text = pattern.sub(word, text)
    return _join_words(_words(text), limit)


def name_key(name: str) -> str:
    """Two spellings of one name have one key: case, inner dots and apostrophes, and spacing do not count."""
    text = _INNER_PUNCTUATION.sub("", unicodedata.normalize("NFC", str(name)).casefold())
    return _SPACING.sub("-", ARABIC_MARKS.sub("", text)).strip("-")


def cap_slug(slug: str, limit: int = SLUG_BYTES) -> str:
    """``slug`` cut to at most ``limit`` UTF-8 bytes at a hyphen (inside a word only if one word is longer)."""
    if len(slug.encode("utf-8")) <= limit:
        return slug
    kept = slug.encode("utf-8")[: limit + 1].decode("utf-8", "ignore")
    cut = kept.rsplit("-", 1)[0] if "-" in kept else kept
    while len(cut.encode("utf-8")) > limit:
        cut = cut[:-1]
    return cut.strip("-")


def drop_latin_accents(text: str) -> str:
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if not (unicodedata.combining(char) and kept and kept[-1].isascii()):
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _words(text: str) -> list[str]:
    """Runs of letters, digits and combining marks (so a Devanagari vowel sign never splits a word)."""
    text = ARABIC_MARKS.sub("", text.lower())
    spaced = "".join(char if char.isalnum() or (unicodedata.category(char)[0] == "M" and char != "_") else " "
                     for char in text)
    return spaced.split()


def _join_words(words: Sequence[str], limit: int) -> str:
    return cap_slug("-".join(words), limit)


def topic_pattern(words: list[str]) -> re.Pattern[str]:
    """Whole words; case-sensitive when the rule writes a capital, otherwise any case."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = r"\s+".join(re.escape(piece) for piece in word.split())
        parts.append(escaped if word != word.lower() else f"(?i:{escaped})")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def topic_path(slug: str) -> str:
    """The site path of a topic's page."""
    return f"/topics/{slug}/"


def topic_links(config: SiteConfig, tags: Sequence[str]) -> list[tuple[re.Pattern[str], str]]:
    """What the first mention of each of a briefing's topics (``tags``) in its body links to (``link_topics: true``).

    Only the briefing's own topics are linked, so the page linked to always
    exists and the body depends on nothing but its own file and site.yml. A
    topic's words are its tags plus, when site.yml's ``topics:`` declares it,
    the name and words written there, matched as the importer matches them.
    Standalone pages have no topics, so the loader passes none for them.
    """
    if not config.link_topics:
        return []
    declared = {topic_slug(name): (name, *words) for name, words in config.topics.items()}
    links = []
    for slug in dict.fromkeys(topic_slug(tag) for tag in tags):
        words = tuple(tag for tag in tags if topic_slug(tag) == slug) + declared.get(slug, ())
        links.append((_words_pattern(words), site_link(config.base_path, topic_path(slug))))
    return links


@functools.lru_cache(maxsize=4096)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return topic_pattern(list(words))


def site_link(base_path: str, path: str) -> str:
    """A site path (``/topics/syria/``) as a link under the site's base path, percent-encoded once."""
    return base_path + quote(path.lstrip("/"), safe="/#?=&%")
