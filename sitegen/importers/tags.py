"""Tags for an imported article: the site's topic rules plus the names it is about.

Two signals, scored the same way (a mention in the body counts 1, in the title 3):

* **Topics** from site.yml: ``Syria: [Syria, Syrian, Idlib]`` tags an article
  "Syria" when those words recur in it (or one stands in the title). Words are
  matched whole; a word written with a capital matches only with that capital
  ("Turkey" the country, not "turkey" the bird), a lower-case word in any case.
* **Key terms**: proper names that recur or stand in the title. A name is a run
  of capitalised words ("Hulusi Akar", "Tahrir al-Sham"); a capital at the start
  of a sentence, or anywhere in a Title Case headline, only counts when the
  article also writes that word capitalised mid-sentence. Demonyms and short
  forms count as their place (``sitegen/data/aliases.yml``: "Syrian" is Syria),
  and a surname alone counts for the full name it belongs to ("Putin" for
  "Vladimir Putin").

The ``max_tags`` best, most salient first, follow any tags given explicitly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

import yaml

from ..topics import name_data, topic_pattern
from ..yamlfile import Loader
from .bylines import NAME_PARTICLES, PREFIXED_NAME

TITLE_WEIGHT = 3
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’')\]]))\s+|\n\s*\n")
_WORD = re.compile(r"[^\W_](?:[\w'’.&-]*[^\W_])?")
_POSSESSIVE = re.compile(r"['’]s?$")
_LONGEST_ALIAS = 4


@dataclass(frozen=True)
class Names:
    """The name lists shipped in ``sitegen/data``: aliases and the words that are never names."""

    aliases: dict[str, str]  # variant as written, dots removed → canonical name
    never: frozenset[str]
    titles: frozenset[str]
    generic: frozenset[str]


@functools.cache
def load_names() -> Names:
    """Read the package's data files once per process."""
    data = resources.files("sitegen") / "data"
    table = name_data("aliases")
    aliases: dict[str, str] = {}
    for canonical, variants in table.items():
        for variant in [canonical, *variants]:
            aliases[variant.replace(".", "")] = canonical
    words = yaml.load((data / "keyterms.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    return Names(aliases, *(frozenset(words[key].split()) for key in ("never", "titles", "generic")))


@dataclass
class _Score:
    name: str
    body: int = 0
    title: int = 0
    first: int = 0  # character offset of the first mention, to break ties in reading order

    @property
    def value(self) -> int:
        return self.body + TITLE_WEIGHT * self.title

    @property
    def salient(self) -> bool:
        """Recurs in the article, or stands in its title."""
        return self.title > 0 or self.body > 1


class TagPicker:
    """Chooses an article's tags; built once per import from the site's topic rules."""

    def __init__(self, topics: dict[str, list[str]], limit: int) -> None:
        self._topics = [(name, topic_pattern(words)) for name, words in topics.items() if words]
        self._limit = limit

    def pick(self, title: str, paragraphs: Sequence[str], explicit: Sequence[str] = ()) -> list[str]:
        """``explicit`` tags first, then the best topics and key terms, ``max_tags`` in all."""
        scores: dict[str, _Score] = {}
        for score in [*self._topic_scores(title, paragraphs), *key_terms(title, paragraphs)]:
            known = scores.get(score.name.lower())
            if known is None or score.value > known.value:
                scores[score.name.lower()] = score
        ranked = sorted((s for s in scores.values() if s.salient), key=lambda s: (-s.value, s.first))
        tags: dict[str, str] = {}
        for name in [*explicit, *(s.name for s in ranked)]:
            if name.strip() and name.lower() not in tags and (len(tags) < self._limit or name in explicit):
                tags[name.lower()] = name.strip()
        return list(tags.values())

    def _topic_scores(self, title: str, paragraphs: Sequence[str]) -> Iterator[_Score]:
        body = "\n\n".join(paragraphs)
        for name, pattern in self._topics:
            in_title = pattern.findall(title)
            first = pattern.search(body)
            score = _Score(name, body=len(pattern.findall(body)), title=len(in_title),
                           first=0 if in_title else (first.start() + len(title) if first else 0))
            if score.value:
                yield score


def key_terms(title: str, paragraphs: Sequence[str]) -> list[_Score]:
    """Proper names in the article with their mention counts, surnames folded into full names."""
    names = load_names()
    title_sentence = (0, title, _words(title))
    body = [(offset, text, _words(text)) for offset, text in _sentences("\n\n".join(paragraphs), len(title) + 2)]
    title_case = _is_title_case(title)
    confirmed = _capitalised_mid_sentence(body if title_case else [title_sentence, *body])
    scores: dict[str, _Score] = {}
    for offset, text, words in [title_sentence, *body]:
        in_title = offset == 0
        for run in _capitalised_runs(text, words, confirmed, names, all_initial=in_title and title_case):
            for name, position in _split_run(run, names):
                score = scores.setdefault(name, _Score(name, first=offset + position))
                if in_title:
                    score.title += 1
                else:
                    score.body += 1
    return _fold_surnames(scores, names)


def _sentences(text: str, offset: int) -> Iterator[tuple[int, str]]:
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        yield offset + start, text[start:boundary.start()]
        start = boundary.end()
    yield offset + start, text[start:]


def _words(sentence: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(sentence))


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() or ("-" in word[:4] and bool(PREFIXED_NAME.match(word)))


def _capitalised_mid_sentence(sentences: Sequence[tuple[int, str, list[re.Match[str]]]]) -> set[str]:
    return {_bare(match.group()) for _, _, words in sentences for match in words[1:]
            if _is_capitalised(match.group())}


def _bare(word: str) -> str:
    """The word without a possessive ``'s``."""
    return _POSSESSIVE.sub("", word) or word


def _is_title_case(title: str) -> bool:
    """Headline Case Like This, where capitals say nothing about names."""
    long_words = [word for word in title.split() if len(word) > 3 and word[0].isalpha()]
    return bool(long_words) and sum(word[0].isupper() for word in long_words) >= 0.75 * len(long_words)


def _capitalised_runs(sentence: str, words: list[re.Match[str]], confirmed: set[str], names: Names,
                      all_initial: bool) -> list[list[tuple[str, int]]]:
    """Runs of name-like words separated only by spaces (or " & "): "Recep Tayyip Erdogan"."""
    runs: list[list[tuple[str, int]]] = [[]]
    previous_end = 0
    for index, match in enumerate(words):
        raw = match.group()
        run = runs[-1]
        if run and sentence[previous_end:match.start()].strip() not in ("", "&"):
            run = []
            runs.append(run)
        previous_end = match.end()
        if run and raw in NAME_PARTICLES:
            run.append((raw, match.start()))
            continue
        word = _bare(raw) if _is_capitalised(raw) else ""
        if word and _may_be_name(word, index == 0 or all_initial, confirmed, names):
            run.append((word, match.start()))
            if word != raw:  # a possessive ends a name: "Syria's Idlib" is two
                runs.append([])
        elif run:
            runs.append([])
    return [run for run in runs if run]


def _may_be_name(word: str, initial: bool, confirmed: set[str], names: Names) -> bool:
    if _is_alias(word, names) or all(_is_alias(part, names) for part in word.split("-")):
        return True
    if re.split("['’]", word)[0].lower() in names.never:  # "The", "I'm"
        return False
    return not initial or word in confirmed


def _is_alias(word: str, names: Names) -> bool:
    return word.replace(".", "") in names.aliases


def _split_run(run: list[tuple[str, int]], names: Names) -> Iterator[tuple[str, int]]:
    """Cut a run of capitalised words into places (via aliases) and the names between them.

    A demonym or place stands alone at the end of a run or before an office or
    institution ("Russian President Vladimir Putin"); elsewhere it is part of a
    longer name ("Australian Open").
    """
    pending: list[tuple[str, int]] = []
    index = 0
    while index < len(run):
        alias, end = _alias_at(run, index, names)
        parts = run[index][0].split("-")
        if alias and (end == len(run) or _is_office_or_body(run[end][0], names)):
            places = [(alias, run[index][1])]
        elif len(parts) > 1 and all(_is_alias(part, names) for part in parts):
            places = [(names.aliases[part.replace(".", "")], run[index][1]) for part in parts]
            end = index + 1
        else:
            pending.append(run[index])
            index += 1
            continue
        yield from _clean_name(pending, names)
        yield from places
        pending, index = [], end
    yield from _clean_name(pending, names)


def _is_office_or_body(word: str, names: Names) -> bool:
    return word.lower() in names.titles or word.lower() in names.generic


def _alias_at(run: list[tuple[str, int]], index: int, names: Names) -> tuple[str, int]:
    """The longest known place or body starting at ``index``, and the index after it."""
    for end in range(min(index + _LONGEST_ALIAS, len(run)), index, -1):
        phrase = " ".join(word for word, _ in run[index:end]).replace(".", "")
        if phrase in names.aliases:
            return names.aliases[phrase], end
    return "", index


def _clean_name(words: list[tuple[str, int]], names: Names) -> Iterator[tuple[str, int]]:
    """Drop leading offices ("Defense Minister") and particles; a lone institution word is no name."""
    while words and (words[0][0].lower() in names.titles or words[0][0].lower() in NAME_PARTICLES):
        words = words[1:]
    while words and words[-1][0].lower() in NAME_PARTICLES:
        words = words[:-1]
    if len(words) == 1 and words[0][0].lower() in names.generic:
        return
    if words:
        yield " ".join(word for word, _ in words), words[0][1]


def _fold_surnames(scores: dict[str, _Score], names: Names) -> list[_Score]:
    """Count "Putin" as a mention of "Vladimir Putin" when the article names him in full."""
    full_names = [score for score in scores.values() if " " in score.name]
    canonical = set(names.aliases.values())
    kept: list[_Score] = []
    for score in scores.values():
        owners = [] if score.name in canonical or " " in score.name else \
            [full for full in full_names if score.name in full.name.split()]
        if owners:
            owner = max(owners, key=lambda full: full.body + full.title)
            owner.body += score.body
            owner.title += score.title
            owner.first = min(owner.first, score.first)
        else:
            kept.append(score)
    return kept
