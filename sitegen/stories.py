"""Storylines: the briefings that follow one developing story, found at build time.

A reader lands on one briefing of a story that ran for weeks; this module and
:mod:`sitegen.story_detection` find the others. Each briefing is described by
its topics and the key terms of its title and summary, each weighted by rarity
across the archive (a word on every page says nothing, "Idlib" says a lot).
Walking the archive oldest first, a briefing continues the open story (its
latest briefing at most ``story_gap`` days earlier) it is most like, if alike
enough and beyond chance. A quiet gap longer than ``story_gap`` therefore ends
a story, so "Idlib, March 2020" and "Idlib, February 2021" stay two stories.
Here the labels become :class:`Story` values with titles, slugs and places.

Editors have the last word: ``story: Some name`` in front matter pins a
briefing to that named story (whatever detection says, across any gap), and
``story: false`` keeps it out of every story. The result depends only on the
briefings' content, never on the order files were read in.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .content import Briefing
from .story_detection import Detected, detect, features_of, key_terms, start_detection, topic_feature
from .topics import slugify, topic_slug

TITLE_FEATURES = 3

_WORD = re.compile(r"\w[\w'’-]*\w|\w")


def story_inputs(briefing: Briefing) -> tuple[object, ...]:
    """Everything about one briefing that detection reads besides its date: a change here can move stories."""
    return (briefing.story, features_of(briefing))


@dataclass(eq=False, frozen=True)
class Story:
    """One storyline: its briefings oldest first, under a slug that gives its URL."""

    slug: str
    title: str
    named: bool
    """True when an editor named it with ``story:``; otherwise its title is made from its features."""
    briefings: list[Briefing]
    topics: list[str] = field(default_factory=list)
    """Topic slugs most of its briefings share, most shared first."""
    ongoing: bool = False
    """A briefing of it falls within the last ``story_gap`` days of the archive."""
    prefix: str = ""
    """The language edition's URL prefix (``/ar``); empty in the default edition."""

    @property
    def name(self) -> str:
        return self.title

    @property
    def url(self) -> str:
        return f"{self.prefix}/stories/{self.slug}/"

    @property
    def feed_url(self) -> str:
        return self.url + "feed.xml"

    @property
    def first(self) -> datetime:
        return self.briefings[0].date  # type: ignore[return-value]

    @property
    def last(self) -> datetime:
        return self.briefings[-1].date  # type: ignore[return-value]

    @property
    def count(self) -> int:
        return len(self.briefings)


class Stories:
    """Every story of one build, and each briefing's place in its story."""

    def __init__(self, briefings: Sequence[Briefing], gap_days: int = 14,
                 topic_names: Mapping[str, str] | None = None, prefix: str = "", started: Started | None = None) -> None:
        """``briefings`` in any order; ``topic_names`` maps topic slugs to display names (default: as tagged);
        ``prefix`` starts the URLs of a language edition's stories (``/ar``)."""
        self.gap = timedelta(days=gap_days)
        if started is None:
            ordered = _by_date(briefings)
            started = ordered, functools.partial(detect, ordered, self.gap)
        self._made_from = (*started, dict(topic_names or {}), prefix)

    @functools.cached_property
    def stories(self) -> list[Story]:
        """Made when first asked for: planning lists the pages that show no story first, while detection,
        started in a child process (:func:`start_stories`), finishes."""
        ordered, detected, topic_names, prefix = self._made_from
        labels, weights = detected()
        return _make_stories(ordered, labels, weights, topic_names, self.gap, prefix)

    @functools.cached_property
    def _place(self) -> dict[str, tuple[Story, int]]:
        return {b.rel: (story, spot) for story in self.stories for spot, b in enumerate(story.briefings)}

    def story_of(self, briefing: Briefing) -> Story | None:
        found = self._place.get(briefing.rel)
        return found[0] if found else None

    def place_of(self, briefing: Briefing) -> int:
        """Where the briefing stands in its story, from 0 (its first briefing)."""
        return self._place[briefing.rel][1]

    @property
    def by_date(self) -> list[Story]:
        """Ongoing stories first, then the rest; within each, the latest briefing first."""
        return sorted(self.stories, key=lambda s: (not s.ongoing, -s.last.timestamp(), s.slug))


Started = tuple[list[Briefing], Callable[[], Detected]]
"""The briefings in date order and their detection, begun (:func:`start_stories`)."""


def start_stories(briefings: Sequence[Briefing], gap_days: int = 14) -> Started:
    """Let story detection for :class:`Stories` of these briefings begin in a child process now (see
    :func:`~sitegen.story_detection.start_detection`), while the caller makes the rest of the model; give
    what it returns to :class:`Stories` (``started``)."""
    ordered = _by_date(briefings)
    return ordered, start_detection(ordered, timedelta(days=gap_days))


def _by_date(briefings: Sequence[Briefing]) -> list[Briefing]:
    return sorted((b for b in briefings if b.date is not None), key=lambda b: (b.date, b.rel))


def _make_stories(ordered: Sequence[Briefing], labels: Sequence[str | None], weights: Mapping[str, int],
                  topic_names: Mapping[str, str], gap: timedelta, prefix: str = "") -> list[Story]:
    """Stories from labels: named ones take the editor's first spelling of the name, detected ones a made title."""
    grouped: dict[str, list[Briefing]] = {}
    for briefing, label in zip(ordered, labels, strict=True):
        if label:
            grouped.setdefault(label, []).append(briefing)
    end = ordered[-1].date if ordered else None
    stories: list[Story] = []
    taken: set[str] = {label.removeprefix("name:") for label in grouped if label.startswith("name:")}
    for label, items in grouped.items():
        shared = _shared_topics(items)
        if label.startswith("name:"):
            title, slug = next(b.story for b in items if isinstance(b.story, str)), label.removeprefix("name:")
        else:
            title = _made_title(items, weights, topic_names)
            slug = _free_slug(f"{slugify(title)}-{items[0].date:%Y-%m}", taken)
        ongoing = end is not None and items[-1].date >= end - gap  # type: ignore[operator]
        stories.append(Story(slug, str(title), label.startswith("name:"), items, shared, ongoing, prefix))
    return sorted(stories, key=lambda s: s.slug)


def _free_slug(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _shared_topics(items: Sequence[Briefing]) -> list[str]:
    """Topics at least a third of the story's briefings carry, most carried first."""
    counts = Counter(slug for b in items for slug in dict.fromkeys(map(topic_slug, b.tags)) if slug)
    return [slug for slug, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if 3 * n >= len(items)][:8]


def _made_title(items: Sequence[Briefing], weights: Mapping[str, int], topic_names: Mapping[str, str]) -> str:
    """The story's most characteristic features: carried by at least half its briefings, rare across the archive.

    Topics are named as the site names them, terms as the titles spell them.
    Names come first: topics, and terms the summaries write with a capital
    ("Haftar", "OPEC"); a term they only write in lower case ("wins",
    "defeat") is a word of the headline, used only when names run short.
    """
    counts = Counter(f for b in items for f in features_of(b))
    named: dict[str, Counter[str]] = {}
    written: dict[str, Counter[str]] = {}
    for b in items:
        for tag in b.tags:
            slug = topic_slug(tag)
            named.setdefault(topic_feature(slug), Counter())[topic_names.get(slug, tag)] += 1
        for word in _WORD.findall(b.title):
            for term in key_terms(word):
                written.setdefault(term, Counter())[word] += 1
    spellings = {**written, **named}  # a topic's own name beats a title's spelling of the same word
    capitalised = {term for b in items for word in _WORD.findall(b.summary) if word[:1].isupper()
                   for term in key_terms(word)}
    ranked = sorted((f not in named and f not in capitalised, -n * weights.get(f, 0), f)
                    for f, n in counts.items() if f in spellings and 2 * n >= len(items))
    names: list[str] = []
    for _, _, feature in ranked:
        name = min(spellings[feature].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        words = set(slugify(name).split("-"))
        if not any(words & set(slugify(n).split("-")) for n in names):  # "Soleimani" adds nothing to "Qasem Soleimani"
            names.append(name[:1].upper() + name[1:])
        if len(names) == TITLE_FEATURES:
            break
    return " · ".join(names) if names else items[0].title
