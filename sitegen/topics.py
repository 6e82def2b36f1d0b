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
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from anyascii import anyascii

from . import yamlfile

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
_KEY_TOKEN = re.compile(r"[^\W_]+|[#+&,]")


def slugify(text: str, limit: int = SLUG_BYTES, ascii: bool = False) -> str:
    """Lower-case words joined by hyphens; accents on Latin letters dropped, other scripts kept whole
    (or, with ``ascii``, the site option ``slugs: ascii``, transliterated into Latin letters)."""
    text = drop_latin_accents(str(text))
    return _join_words(_words(anyascii(text) if ascii else text), limit)


def topic_slug(tag: str, limit: int = SLUG_BYTES, ascii: bool = False) -> str:
    """A topic's slug: "U.S." and "US" agree; "C#", "C++" and "C" do not; accents stay (unless ``ascii``)."""
    text = _INNER_PUNCTUATION.sub("", unicodedata.normalize("NFC", str(tag)))
    for pattern, word in _SYMBOLS:
        text = pattern.sub(word, text)
    return _join_words(_words(anyascii(text) if ascii else text), limit)


def name_key(name: str) -> str:
    """Two spellings of one name have one key: case, width, inner dots, quotes and spacing do not count.

    Only letters, digits and the symbols that change a name (``#``, ``+``, ``&``, ``,``) do:
    "U.S." is "US" and "＜b＞" is "<b>", but "AT&T" is not "AT T" and "Go, Web" is not "Go Web".
    """
    text = _INNER_PUNCTUATION.sub("", unicodedata.normalize("NFKC", str(name)).casefold())
    return "-".join(_KEY_TOKEN.findall(ARABIC_MARKS.sub("", text)))


def alias_table(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """site.yml ``topic_aliases: {Conservatives: [Tories, Tory]}`` as spelling key → the name shown."""
    table: dict[str, str] = {}
    for canonical, variants in aliases.items():
        for variant in (canonical, *variants):
            table[name_key(variant)] = canonical
    return table


@functools.cache
def name_data(kind: str) -> Any:
    """A YAML list shipped in ``sitegen/data`` (``aliases``: places and bodies with their other names), read
    with the C loader beside this module: PyYAML's Python loader and ``importlib.resources`` took 13 ms of the
    parent's serial work in every build."""
    path = Path(__file__).with_name("data") / f"{kind}.yml"
    return yamlfile.load(path.read_text(encoding="utf-8"), str(path))


def known_places() -> frozenset[str]:
    """The places and bodies of ``sitegen/data/aliases.yml``: never folded into a longer name."""
    return frozenset(name_data("aliases"))


# --- one topic under one name -------------------------------------------------------------------------------------

_PLACE_WORDS = frozenset({"north", "south", "east", "west", "new", "great", "upper", "lower", "central", "united",
                          "northern", "southern", "eastern", "western"})


def merge_spellings(labels: Iterable[str], aliases: Mapping[str, str] | None = None,
                    places: Iterable[str] = ()) -> dict[str, str]:
    """For each topic label (counted over every briefing), the label it is shown and linked under.

    Three rules, applied in order, each only between labels that really occur:

    * the site's alias table (``topic_aliases:`` in site.yml): ``Tories`` is ``Conservatives``;
    * singular, plural and adjective forms: ``Conservative`` and ``Conservatives``, ``Tory`` and
      ``Tories`` are one topic, under the form used most;
    * a surname alone is the full name that ends with it when one full name clearly dominates
      (``Blair`` is ``Tony Blair``), unless the word is a place (``Wales`` is not ``South Wales``).
    """
    aliases = aliases or {}
    counts = Counter(labels)
    mapped = {label: aliases.get(name_key(label), label) for label in counts}
    weight: Counter[str] = Counter()
    for label, count in counts.items():
        weight[mapped[label]] += count
    forms: dict[str, list[str]] = {}
    for target in weight:
        forms.setdefault(_stem(target), []).append(target)
    for stem, group in forms.items():
        if len(stem) >= 4 and len({name_key(target) for target in group}) > 1:
            best = max(group, key=lambda target: (weight[target], target in aliases.values()))
            for label, target in mapped.items():
                if target in group:
                    mapped[label] = best
    protected = {name_key(place) for place in places} | {name_key(target) for target in aliases.values()}
    return _fold_surnames(mapped, counts, protected)


def _stem(label: str) -> str:
    """The key of a label with its last word made singular: "Tories" → "tory", "Conservatives" → "conservative"."""
    key = name_key(label)
    for plural, singular in (("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x")):
        if key.endswith(plural):
            return key[: -len(plural)] + singular
    return key[:-1] if key.endswith("s") and not key.endswith("ss") else key


def _fold_surnames(mapped: dict[str, str], counts: Counter[str], protected: set[str]) -> dict[str, str]:
    weight: Counter[str] = Counter()
    for label, count in counts.items():
        weight[mapped[label]] += count
    by_last: dict[str, list[str]] = {}
    for target in weight:
        words = target.split()
        if 2 <= len(words) <= 3 and all(word[:1].isupper() for word in words) \
                and words[0].lower() not in _PLACE_WORDS:
            by_last.setdefault(name_key(words[-1]), []).append(target)
    folded: dict[str, str] = {}
    for target in weight:
        key = name_key(target)
        owners = sorted(by_last.get(key, ()), key=lambda full: -weight[full])
        if " " in target or not target[:1].isupper() or key in protected or not owners:
            continue
        if len(owners) == 1 or weight[owners[0]] >= 2 * weight[owners[1]]:
            folded[target] = owners[0]
    return {label: folded.get(target, target) for label, target in mapped.items()}


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
    # A mark cannot begin a word (NFKD splits Thai SARA AM into a mark and a vowel): drop one left leading.
    words = ("".join(itertools.dropwhile(lambda char: unicodedata.category(char)[0] == "M", word))
             for word in spaced.split())
    return [word for word in words if word]


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


def topic_links(config: SiteConfig, tags: Sequence[str], prefix: str = "") -> list[tuple[re.Pattern[str], str]]:
    """What the first mention of each of a briefing's topics (``tags``) in its body links to (``link_topics: true``).

    Only the briefing's own topics are linked, so the page linked to always
    exists and the body depends on nothing but its own file and site.yml. A
    topic's words are its tags plus, when site.yml's ``topics:`` declares it,
    the name and words written there, matched as the importer matches them.
    Standalone pages have no topics, so the loader passes none for them. ``prefix`` is the
    briefing's language edition (``/ar``), whose own topic pages are linked.
    """
    if not config.link_topics:
        return []
    ascii = config.slugs == "ascii"
    declared = {topic_slug(name, ascii=ascii): (name, *words) for name, words in config.topics.items()}
    links = []
    for slug in dict.fromkeys(topic_slug(tag, ascii=ascii) for tag in tags):
        words = tuple(tag for tag in tags if topic_slug(tag, ascii=ascii) == slug) + declared.get(slug, ())
        links.append((_words_pattern(words), site_link(config.base_path, prefix + topic_path(slug))))
    return links


@functools.lru_cache(maxsize=4096)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return topic_pattern(list(words))


def site_link(base_path: str, path: str) -> str:
    """A site path (``/topics/syria/``) as a link under the site's base path, percent-encoded once."""
    return base_path + quote(path.lstrip("/"), safe="/#?=&%")
