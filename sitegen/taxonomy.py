"""Topics, authors, date archives, related briefings and neighbours in time.

Everything here is computed once per build from the briefings, newest first,
and then only looked up while pages are planned and rendered. Topics and
authors are keyed by slug, so spellings that share a URL ("U.S." and "US")
become one topic with one page instead of one page overwriting the other.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from .content import Briefing
from .errors import Problem, SiteError
from .memo import PLANNING
from .topics import known_places, merge_spellings, name_key, slugify, topic_slug

RELATED_LIMIT = 5
RELATED_SPARE = 5
"""Ranked beyond the limit, so a page that leaves some out (its story's briefings) still has enough to show."""
RELATED_WINDOW = 10
"""Per shared topic, how many briefings on each side in date order are considered for "related".

A topic with at most ``2 * RELATED_WINDOW + 1`` briefings is scanned whole; a
bigger one only near the briefing's date. The work per briefing is therefore
bounded however common a topic gets, and near-in-date is also what the ranking
prefers among equal scores.
"""

@dataclass(eq=False, frozen=True)
class Group:
    """Briefings that share one label (a topic, an author), newest first, under one slug."""

    section: ClassVar[str] = ""
    slug: str
    name: str
    briefings: list[Briefing]
    prefix: str = ""
    """The edition's URL prefix (``/ar``); empty in the default edition."""

    @property
    def memo_key(self) -> tuple[str, str]:
        return self.prefix, self.slug

    @property
    def url(self) -> str:
        return f"{self.prefix}/{self.section}/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.briefings)

    @property
    def feed_url(self) -> str:
        """Every topic and every author has its own Atom feed."""
        return self.url + "feed.xml"

    @property
    def initial(self) -> str:
        """The letter an A-Z index files this under; anything but a letter goes under "#"."""
        first = self.name[:1].upper()
        return first if first.isalpha() else "#"


@dataclass(eq=False, frozen=True)
class Topic(Group):
    section: ClassVar[str] = "topics"
    minor: bool = False
    """On fewer briefings than ``topics_min_count``: its page exists, but cards and the hub leave it out."""


class Author(Group):
    section = "authors"


@dataclass(eq=False, frozen=True)
class Month:
    """The briefings of one calendar month in the site's time zone, newest first."""

    year: int
    month: int
    briefings: list[Briefing]
    prefix: str = ""

    @property
    def memo_key(self) -> tuple[str, int, int]:
        return self.prefix, self.year, self.month

    @property
    def url(self) -> str:
        return f"{self.prefix}/archive/{self.year:04d}/{self.month:02d}/"

    @property
    def name(self) -> str:
        return f"{date(self.year, self.month, 1):%B} {self.year}"

    @property
    def count(self) -> int:
        return len(self.briefings)


@dataclass(eq=False, frozen=True)
class Year:
    year: int
    months: list[Month]
    prefix: str = ""

    @property
    def memo_key(self) -> tuple[str, int]:
        return self.prefix, self.year

    @property
    def count(self) -> int:
        return sum(month.count for month in self.months)


def group_by(briefings: Sequence[Briefing], labels: Callable[[Briefing], Iterable[str]],
             slug_of: Callable[[str], str], kind: Callable[[str, str, list[Briefing]], Group],
             names: Mapping[str, str] | None = None) -> tuple[dict[str, Group], list[list[str]]]:
    """Groups by slug (in slug order) and, per briefing, the slugs of its groups in label order.

    A group's name is the one given in ``names`` for its slug, else its most
    used spelling.
    """
    spellings: Counter[tuple[str, str]] = Counter()
    members: dict[str, list[Briefing]] = {}
    slugs_of: list[list[str]] = []
    known: dict[str, str] = {}  # the same few labels recur on thousands of briefings
    for briefing in briefings:
        slugs: list[str] = []
        for label in labels(briefing):
            slug = known.get(label)
            if slug is None:
                slug = known[label] = slug_of(label)
            if slug and slug not in slugs:
                slugs.append(slug)
                spellings[slug, label] += 1
                members.setdefault(slug, []).append(briefing)
        slugs_of.append(slugs)
    chosen = dict(names or {})
    for (slug, label), _ in spellings.most_common():  # most used first; ties keep first-seen order
        chosen.setdefault(slug, label)
    groups = {slug: kind(slug, chosen[slug], members[slug]) for slug in sorted(members)}
    return groups, slugs_of


def slug_clashes(briefings: Sequence[Briefing], labels: Callable[[Briefing], Iterable[str]],
                 slug_of: Callable[[str], str] = topic_slug) -> list[Problem]:
    """Two different topic names that would share one URL ("Go, Web" and "Go Web"): one error naming both files."""
    seen: dict[str, tuple[str, str, str]] = {}  # slug -> (name key, name, file)
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    named: set[str] = set()  # a few hundred topics on 100,000 briefings: a spelling met again can clash no more
    for briefing in briefings:
        for label in labels(briefing):
            if label in named:
                continue
            named.add(label)
            slug, key = slug_of(label), name_key(label)
            first = seen.setdefault(slug, (key, label, briefing.rel))
            if first[0] != key and (first[0], key) not in reported:
                reported.add((first[0], key))
                problems.append(Problem(
                    briefing.rel, None, f"topic {label!r} would have the same URL /topics/{slug}/ as "
                    f"topic {first[1]!r} in {first[2]}",
                    "write the topic the same way in both files, or name them apart"))
    return problems


def archive(briefings: Sequence[Briefing], prefix: str = "") -> list[Year]:
    """Years and their months, newest first, from briefings already sorted newest first."""
    return [Year(year, [Month(year, month, list(items), prefix)
                        for month, items in itertools.groupby(in_year, key=lambda b: b.date.month)], prefix)
            for year, in_year in itertools.groupby(briefings, key=lambda b: b.date.year)]


def related_indexes(timestamps: Sequence[float], topics: Sequence[Sequence[int]],
                    limit: int = RELATED_LIMIT, window: int = RELATED_WINDOW) -> list[list[int]]:
    """For each briefing, up to ``limit`` others ranked by shared topics weighted by rarity.

    ``topics[i]`` holds topic numbers of briefing ``i``; briefings are in date
    order. A shared topic is worth log(1 + N/df), so a rare topic counts for
    more than one on every page; equal scores go to the nearer date. Candidates
    come from the inverted index topic -> briefings, limited to ``window`` on
    each side in date order, never from comparing all pairs; each candidate is
    then scored on every topic it shares, windowed or not.
    """
    count = len(timestamps)
    members: dict[int, list[int]] = {}
    positions: list[list[int]] = []
    for index, topic_ids in enumerate(topics):
        spots = []
        for topic in topic_ids:
            bucket = members.setdefault(topic, [])
            spots.append(len(bucket))
            bucket.append(index)
        positions.append(spots)
    # Integer weights (micro-units) add up exactly, so equal scores really are equal.
    weight = {topic: round(1e6 * math.log(1 + count / len(bucket))) for topic, bucket in members.items()}

    # A topic longer than its window is "common": its members as a set find, among the candidates
    # that other topics brought in, those that share it too, so every score counts every shared topic.
    common = {topic: set(bucket) for topic, bucket in members.items() if len(bucket) > 2 * window + 1}

    result: list[list[int]] = []
    for index, topic_ids in enumerate(topics):
        candidates: set[int] = set()
        for topic, spot in zip(topic_ids, positions[index], strict=True):
            bucket = members[topic]
            candidates.update(bucket[max(0, spot - window): spot + window + 1] if topic in common else bucket)
        scores: dict[int, int] = {}
        get = scores.get
        for topic in topic_ids:
            worth = weight[topic]
            for other in candidates.intersection(common[topic]) if topic in common else members[topic]:
                scores[other] = get(other, 0) + worth
        scores.pop(index, None)
        result.append(_best(scores, limit, timestamps, timestamps[index]))
    return result


def _best(scores: dict[int, int], limit: int, timestamps: Sequence[float], when: float) -> list[int]:
    """The ``limit`` best-scored candidates, equal scores going to the nearer date.

    Only candidates scoring at least the ``limit``-th best score can make the
    cut, so only they are sorted with the tie-break; that keeps this cheap when
    hundreds of candidates share just one common topic.
    """
    cutoff = sorted(scores.values(), reverse=True)[limit - 1] if len(scores) > limit else 0
    contenders = sorted((-score, abs(timestamps[other] - when), other)
                        for other, score in scores.items() if score >= cutoff)
    return [other for _, _, other in contenders[:limit]]


class Taxonomy:
    """Topics, authors, archive and cross-links of one build, looked up by briefing."""

    def __init__(self, briefings: Sequence[Briefing], declared_topics: Iterable[str] = (),
                 aliases: Mapping[str, str] | None = None, min_count: int = 1, ascii_slugs: bool = False,
                 prefix: str = "") -> None:
        """``briefings`` newest first; ``declared_topics`` (site.yml ``topics:``) name their topics;
        ``aliases`` (spelling key → name, see :func:`~sitegen.topics.alias_table`) and the automatic
        rules of :func:`~sitegen.topics.merge_spellings` put one subject under one topic; topics on
        fewer than ``min_count`` briefings are ``minor``; ``ascii_slugs`` transliterates slugs;
        ``prefix`` starts every URL of a language edition's own topics, authors and months (``/ar``)."""
        slug_of = functools.partial(topic_slug, ascii=ascii_slugs)
        names = {slug_of(name): name for name in declared_topics}
        shown = merge_spellings((tag for b in briefings for tag in b.tags), aliases, known_places())
        tags_of: Callable[[Briefing], list[str]] = lambda b: [shown.get(tag, tag) for tag in b.tags]  # noqa: E731
        problems = slug_clashes(briefings, tags_of, slug_of)
        if problems:
            raise SiteError(problems)
        topics, topic_slugs = group_by(
            briefings, tags_of, slug_of,
            lambda slug, name, members: Topic(slug, name, members, prefix=prefix, minor=len(members) < min_count),
            names)
        authors, author_slugs = group_by(briefings, lambda b: b.authors,
                                         functools.partial(slugify, ascii=ascii_slugs),
                                         lambda slug, name, members: Author(slug, name, members, prefix=prefix))
        self.briefings = list(briefings)
        self.topics: dict[str, Topic] = topics  # type: ignore[assignment]
        self.authors: dict[str, Author] = authors  # type: ignore[assignment]
        self.years = archive(self.briefings, prefix)
        self._position = {b.rel: index for index, b in enumerate(self.briefings)}  # rel: unique, and not computed
        self._topics = [[self.topics[slug] for slug in slugs] for slugs in topic_slugs]
        self._authors = [[self.authors[slug] for slug in slugs] for slugs in author_slugs]
        self._spots: list[dict[str, int]] = [{} for _ in self.briefings]  # place in each topic's list
        for topic in self.topics.values():
            for spot, member in enumerate(topic.briefings):
                self._spots[self._position[member.rel]][topic.slug] = spot
        numbers = {slug: number for number, slug in enumerate(self.topics)}
        stamps = [b.date.timestamp() for b in self.briefings]
        numbered = [[numbers[slug] for slug in slugs] for slugs in topic_slugs]
        self._ranked_by = ("related", stamps, numbered, RELATED_LIMIT + RELATED_SPARE, RELATED_WINDOW)
        self._ranked = PLANNING.start(self._ranked_by, self._rank, len(stamps))  # in a child while the model is made

    def topics_of(self, briefing: Briefing) -> list[Topic]:
        """The briefing's topics, in the order its front matter lists them."""
        return self._topics[self._position[briefing.rel]]

    def authors_of(self, briefing: Briefing) -> list[Author]:
        """Everyone the briefing credits, in front matter order; names that share a URL count once."""
        return self._authors[self._position[briefing.rel]]

    def _rank(self) -> list[list[int]]:
        _, stamps, numbered, limit, window = self._ranked_by
        return related_indexes(stamps, numbered, limit, window)

    @functools.cached_property
    def _related(self) -> list[list[Briefing]]:
        """Each briefing's ranked candidates, asked of the memo when first needed (planning's routes)."""
        return [[self.briefings[i] for i in found] for found in self._ranked()]

    def related(self, briefing: Briefing, exclude: Collection[str] = ()) -> list[Briefing]:
        """The best-ranked related briefings, leaving out the files named in ``exclude``."""
        found = self._related[self._position[briefing.rel]]
        return [b for b in found if b.rel not in exclude][:RELATED_LIMIT]

    def nearest_on(self, topic: Topic, briefing: Briefing, exclude: Collection[str], limit: int) -> list[Briefing]:
        """Up to ``limit`` other briefings on the topic not in ``exclude``, newest first; taken outward from this
        one: the newer first (what came next), nearest first, then the older, nearest first.

        Unlike "the latest on the topic", this changes only for a new
        briefing's neighbours, so publishing one does not re-render every page of its topics.
        """
        spot = self._spots[self._position[briefing.rel]][topic.slug]
        shown = topic.briefings
        newer = self._take(shown, range(spot - 1, -1, -1), exclude, limit)
        return newer[::-1] + self._take(shown, range(spot + 1, len(shown)), exclude, limit - len(newer))

    @staticmethod
    def _take(shown: list[Briefing], indexes: range, exclude: Collection[str], limit: int) -> list[Briefing]:
        taken: list[Briefing] = []
        for index in indexes if limit > 0 else ():
            if shown[index].rel not in exclude:
                taken.append(shown[index])
                if len(taken) == limit:
                    break
        return taken

    def neighbours(self, briefing: Briefing) -> tuple[Briefing | None, Briefing | None]:
        """The next newer and next older briefing in time."""
        index = self._position[briefing.rel]
        newer = self.briefings[index - 1] if index > 0 else None
        older = self.briefings[index + 1] if index + 1 < len(self.briefings) else None
        return newer, older

    @property
    def months(self) -> list[Month]:
        return [month for year in self.years for month in year.months]

    @property
    def hub_topics(self) -> list[Topic]:
        """The topics the hub lists: those on at least ``topics_min_count`` briefings."""
        return [topic for topic in self.topics.values() if not topic.minor]

    @property
    def topics_by_name(self) -> list[Topic]:
        return sorted(self.topics.values(), key=lambda t: (t.name.casefold(), t.slug))

    @property
    def topics_by_size(self) -> list[Topic]:
        return sorted(self.topics.values(), key=lambda t: (-t.count, t.name.casefold(), t.slug))

    @property
    def authors_by_name(self) -> list[Author]:
        return sorted(self.authors.values(), key=lambda a: (a.name.casefold(), a.slug))

    @functools.cached_property
    def _shared(self) -> dict[str, Counter[str]]:
        """Per topic slug, how many briefings it shares with each other topic (computed once, on first use)."""
        shared: dict[str, Counter[str]] = {slug: Counter() for slug in self.topics}
        for topics in self._topics:
            slugs = [topic.slug for topic in topics]
            for slug in slugs:
                row = shared[slug]
                for other in slugs:
                    if other != slug:
                        row[other] += 1
        return shared

    @functools.cached_property
    def _folded_names(self) -> dict[str, str]:
        """Per topic slug, its name casefolded: every topic ranks its neighbours by it."""
        return {slug: topic.name.casefold() for slug, topic in self.topics.items()}

    def topics_near(self, topic: Topic, limit: int = 8) -> list[tuple[Topic, int]]:
        """The topics that share most briefings with ``topic``, with how many; ties by name."""
        folded = self._folded_names
        ranked = sorted(self._shared[topic.slug].items(), key=lambda item: (-item[1], folded[item[0]]))
        return [(self.topics[slug], count) for slug, count in ranked[:limit]]

    def months_of(self, group: Group) -> list[tuple[int, int, int]]:
        """(year, month, briefings) from the group's first month to its last, oldest first, empty months included,
        so a strip of them reads as a time line."""
        counts = Counter((b.date.year, b.date.month) for b in group.briefings)
        if not counts:
            return []
        (year, month), last = min(counts), max(counts)
        line = []
        while (year, month) <= last:
            line.append((year, month, counts.get((year, month), 0)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return line
