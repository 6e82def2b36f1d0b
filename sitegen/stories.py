"""Storylines: the briefings that follow one developing story, found at build time.

A reader lands on one briefing of a story that ran for weeks; this module finds
the others. Each briefing is described by its topics and the key terms of its
title and summary, each weighted by rarity across the archive (a word on every
page says nothing, "Idlib" says a lot). Walking the archive oldest first, a
briefing joins the story of the most similar earlier briefing published at most
``story_gap`` days before it, if that similarity clears a threshold; otherwise
it may start a story. A quiet gap longer than ``story_gap`` therefore ends a
story, so "Idlib, March 2020" and "Idlib, February 2021" stay two stories.

Editors have the last word: ``story: Some name`` in front matter pins a
briefing to that named story (whatever detection says, across any gap), and
``story: false`` keeps it out of every story. The result depends only on the
briefings' content, never on the order files were read in.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .content import Briefing
from .topics import slugify, topic_slug

SIMILARITY = 0.15
"""Cosine similarity of rarity-weighted features above which a briefing continues an earlier one's story."""
MIN_DETECTED = 3
"""A detected story needs this many briefings; two briefings alike by chance are not yet a story."""
MERGE = 0.2
"""Cosine above which two detected stories running at the same time are one."""
MIN_SHARED = 2
"""A briefing continues a story only if it shares at least this many specific features with it: one name is not enough."""
SPECIFIC_SHARE = 5
SPECIFIC_COUNT = 10
"""A feature on at most one briefing in SPECIFIC_SHARE, or on at most SPECIFIC_COUNT (small archives), is specific
enough to count for MIN_SHARED."""
CANDIDATES_PER_FEATURE = 24
"""Per feature, how many of its latest briefings inside the gap are compared: bounds the work on busy days."""
TITLE_FEATURES = 3

_WORD = re.compile(r"\w[\w'’-]*\w|\w")
_STOPWORD_TEXT = """
    a about above according across after again against ago all also although am amid among an and another any
    are around as at back be because been before being below between both but by can could despite did do does
    down during each either even ever every few for from further had has have having he her here his how however
    if in including into is it its just last later least less like many may me more most much must new no nor
    not now of off on once one only or other our out over own per said say says she should since so some still
    such than that the their them then there these they this those though through to today too under until up
    upon very via was we were what when where whether which while who whom whose why will with within without
    would year years yet you your week weeks day days month months time first second third two three four five
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december news report reports reported told tell
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def key_terms(text: str) -> set[str]:
    """The words of ``text`` that can tell one story from another: lower-cased, plural -s dropped, no stopwords."""
    terms = set()
    for word in _WORD.findall(text.casefold()):
        word = word.replace("’", "'").removesuffix("'s").strip("'-")
        if len(word) < 3 or word in _STOPWORDS or word.isdigit():
            continue
        terms.add(_singular(word))
    return terms


def _singular(word: str) -> str:
    """"Patrols" and "patrol" are one term; "Cyprus" and "Hezbollah's" stay themselves."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def _topic_feature(slug: str) -> str:
    return slug if "-" in slug else _singular(slug)


def features(briefing: Briefing) -> frozenset[str]:
    """What story detection compares: topic slugs and key terms of the title and summary.

    A topic and a word that slug alike ("Idlib" tagged and written) are one
    feature, and the words of a topic's name ("Saudi", "Arabia") are not
    features beside it, so a briefing is not counted twice for naming one thing.
    """
    found = {_topic_feature(slug) for slug in map(topic_slug, briefing.tags) if slug}
    parts = {_singular(word) for slug in found if "-" in slug for word in slug.split("-")}
    found.update(key_terms(f"{briefing.title} {briefing.summary}") - parts)
    return frozenset(found)


def story_inputs(briefing: Briefing) -> tuple[object, ...]:
    """Everything about one briefing that detection reads besides its date: a change here can move stories."""
    return (briefing.story, features(briefing))


@dataclass(eq=False)
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

    @property
    def name(self) -> str:
        return self.title

    @property
    def url(self) -> str:
        return f"/stories/{self.slug}/"

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
                 topic_names: Mapping[str, str] | None = None) -> None:
        """``briefings`` in any order; ``topic_names`` maps topic slugs to display names (default: as tagged)."""
        self.gap = timedelta(days=gap_days)
        ordered = sorted((b for b in briefings if b.date is not None), key=lambda b: (b.date, b.rel))
        labels, weights = detect(ordered, self.gap)
        self.stories = _make_stories(ordered, labels, weights, topic_names or {}, self.gap)
        self._place = {b.rel: (story, spot) for story in self.stories for spot, b in enumerate(story.briefings)}

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


def rarity_weights(feature_sets: Iterable[frozenset[str]]) -> dict[str, int]:
    """log(1 + N / df) per feature, in integer micro-units so sums never depend on the order they are added in."""
    sets = list(feature_sets)
    frequency = Counter(f for found in sets for f in found)
    return {f: round(1e6 * math.log(1 + len(sets) / n)) for f, n in frequency.items()}


@dataclass
class _Thread:
    """A story while detection runs: its label, its features counted over its briefings, its latest date."""

    label: str
    counts: Counter[str]
    norm2: int
    first: datetime
    last: datetime
    size: int = 0
    merged: _Thread | None = None

    def add(self, found: frozenset[str] | Counter[str], squares: Mapping[str, int], when: datetime) -> None:
        """Count a briefing's features (or a whole thread's) in, keeping the profile's squared length current."""
        for feature, times in (found.items() if isinstance(found, Counter) else ((f, 1) for f in found)):
            before = self.counts[feature]
            self.counts[feature] = before + times
            self.norm2 += squares[feature] * ((before + times) ** 2 - before ** 2)
        self.first, self.last = min(self.first, when), max(self.last, when)

    def absorb(self, other: _Thread, squares: Mapping[str, int]) -> None:
        """Take another thread's briefings: from now on it resolves to this one."""
        self.add(other.counts, squares, other.first)
        self.first, self.last, self.size = min(self.first, other.first), max(self.last, other.last), self.size + other.size
        other.merged = self

    def similarity(self, other: _Thread, squares: Mapping[str, int]) -> float:
        """Cosine of the two threads' weighted feature profiles."""
        small, large = sorted((self.counts, other.counts), key=len)
        dot = sum(squares[f] * n * large[f] for f, n in small.items() if f in large)
        return dot / math.sqrt(self.norm2 * other.norm2) if dot else 0.0

    def root(self) -> _Thread:
        thread = self
        while thread.merged is not None:
            thread = thread.merged
        return thread


def detect(ordered: Sequence[Briefing], gap: timedelta) -> tuple[list[str | None], dict[str, int]]:
    """A story label per briefing (oldest first input), None for briefings in no story; and the feature weights.

    Labels are ``name:<slug>`` for stories an editor named and ``auto:<rel>``
    (the first briefing's file) for detected ones; detected stories with fewer
    than :data:`MIN_DETECTED` briefings are dropped.
    """
    detector = _Detector(ordered, gap)
    detector.walk()
    detector.merge_parallel()
    detector.adopt_first_briefings()
    labels = [thread.root().label if thread else None for thread in detector.threads]
    sizes = Counter(labels)
    kept = [label if label and (label.startswith("name:") or sizes[label] >= MIN_DETECTED) else None
            for label in labels]
    return kept, detector.weights


class _Detector:
    """One detection run: the briefings' features and weights, the inverted index, the threads found so far.

    A briefing is compared with each story still open (its latest briefing at
    most ``gap`` earlier) as a whole, with the sum of its briefings' weighted
    features, so what a story keeps coming back to counts more than what one
    briefing happens to mention.
    """

    def __init__(self, ordered: Sequence[Briefing], gap: timedelta) -> None:
        self.ordered, self.gap = ordered, gap
        self.included = [b.story is not False for b in ordered]
        self.found = [features(b) if keep else frozenset() for b, keep in zip(ordered, self.included, strict=True)]
        self.weights = rarity_weights(f for f, keep in zip(self.found, self.included, strict=True) if keep)
        self.squares = {f: w * w for f, w in self.weights.items()}
        count = sum(self.included)
        self.specific = round(1e6 * math.log(1 + count / max(count / SPECIFIC_SHARE, SPECIFIC_COUNT))) if count else 0
        self.norms = [math.sqrt(sum(self.squares[f] for f in fs)) for fs in self.found]
        self.stamps = [b.date.timestamp() for b in ordered]  # type: ignore[union-attr]
        self.members: dict[str, list[int]] = {}
        self.threads: list[_Thread | None] = []

    def walk(self) -> None:
        """Oldest first: each briefing continues the most similar open story, or starts its own."""
        named: dict[str, _Thread] = {}
        for index, briefing in enumerate(self.ordered):
            if not self.included[index]:
                self.threads.append(None)
                continue
            when: datetime = briefing.date  # type: ignore[assignment]
            best = self.best_thread(index, self.stamps[index] - self.gap.total_seconds(), self.stamps[index])
            if isinstance(briefing.story, str):
                label = "name:" + slugify(briefing.story)
                thread = named.get(label)
                if thread is None:
                    thread = named[label] = _Thread(label, Counter(), 0, when, when)
                if best is not None and best is not thread and best.label.startswith("auto:"):
                    thread.absorb(best, self.squares)  # the detected story this briefing continues takes the name
            elif best is not None:
                thread = best
            else:
                thread = _Thread("auto:" + briefing.rel, Counter(), 0, when, when)
            thread.add(self.found[index], self.squares, when)
            thread.size += 1
            self.threads.append(thread)
            for feature in self.found[index]:
                self.members.setdefault(feature, []).append(index)

    def best_thread(self, index: int, since: float, until: float, adopters: bool = False) -> _Thread | None:
        """The story most similar to this briefing among those of briefings dated ``since``..``until``.

        Candidates are the stories of the briefings sharing a feature with this
        one in that span (the nearest few per feature, from the inverted index),
        never every story. It must share :data:`MIN_SHARED` specific features
        and clear :data:`SIMILARITY`; equal similarity goes to the story seen
        latest. With ``adopters``, only stories of two or more briefings, or
        named ones, count, and the briefing's own story never does.
        """
        mine, norm = self.found[index], self.norms[index]
        if not norm:
            return None
        stamp = self.stamps.__getitem__
        candidates: dict[int, _Thread] = {}
        own = self.threads[index].root() if adopters and self.threads[index] else None  # type: ignore[union-attr]
        for feature in mine:
            bucket = self.members.get(feature, ())
            low = bisect.bisect_left(bucket, since, key=stamp)
            high = bisect.bisect_right(bucket, until, key=stamp)
            for other in bucket[max(low, high - CANDIDATES_PER_FEATURE):high]:
                if other != index:
                    thread = self.threads[other].root()  # type: ignore[union-attr]
                    if not adopters or (thread is not own and (thread.size >= 2 or thread.label.startswith("name:"))):
                        candidates[id(thread)] = thread
        best: tuple[float, datetime, str] | None = None
        chosen = None
        for thread in candidates.values():
            shared = [f for f in mine if f in thread.counts]
            if sum(self.weights[f] >= self.specific for f in shared) < MIN_SHARED:
                continue
            dot = sum(self.squares[f] * thread.counts[f] for f in shared)
            similarity = dot / (norm * math.sqrt(thread.norm2))
            key = (similarity, thread.last, thread.label)
            if similarity >= SIMILARITY and (best is None or key > best):
                best, chosen = key, thread
        return chosen

    def merge_parallel(self) -> None:
        """Join detected threads that ran at the same time about the same thing.

        Walking oldest first, one story can start twice (two briefings on its
        first day, each unlike the other); their profiles, summed over several
        briefings each, show they are one. Threads of two or more briefings
        that come within ``gap`` of each other are compared, most similar first.
        """
        roots = sorted({id(t.root()): t.root() for t in self.threads if t is not None and t.root().size >= 2}.values(),
                       key=lambda t: (t.first, t.label))
        while True:
            best: tuple[float, str, str, _Thread, _Thread] | None = None
            reach = self.gap
            for i, a in enumerate(roots):
                for b in roots[i + 1:]:
                    if b.first > a.last + reach:
                        break
                    if a.label.startswith("name:") and b.label.startswith("name:"):
                        continue
                    key = (a.similarity(b, self.squares), a.label, b.label, a, b)
                    if key[0] >= MERGE and (best is None or key[:3] > best[:3]):
                        best = key
            if best is None:
                return
            _, _, _, a, b = best
            keep, gone = (b, a) if b.label.startswith("name:") else (a, b)
            keep.absorb(gone, self.squares)
            roots.remove(gone)
            roots.sort(key=lambda t: (t.first, t.label))

    def adopt_first_briefings(self) -> None:
        """A briefing left alone joins the story it is most like within ``gap`` either side of it.

        The first briefing of a story is only compared, as the walk goes on,
        with the stories before it; by the end its story has a full profile it
        can be matched with.
        """
        for index, thread in enumerate(self.threads):
            if thread is None or thread.root().size != 1 or not thread.root().label.startswith("auto:"):
                continue
            gap = self.gap.total_seconds()
            best = self.best_thread(index, self.stamps[index] - gap, self.stamps[index] + gap, adopters=True)
            if best is not None:
                best.absorb(thread.root(), self.squares)


def _make_stories(ordered: Sequence[Briefing], labels: Sequence[str | None], weights: Mapping[str, int],
                  topic_names: Mapping[str, str], gap: timedelta) -> list[Story]:
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
        stories.append(Story(slug, str(title), label.startswith("name:"), items, shared, ongoing))
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
    """
    counts = Counter(f for b in items for f in features(b))
    named: dict[str, Counter[str]] = {}
    written: dict[str, Counter[str]] = {}
    for b in items:
        for tag in b.tags:
            slug = topic_slug(tag)
            named.setdefault(_topic_feature(slug), Counter())[topic_names.get(slug, tag)] += 1
        for word in _WORD.findall(b.title):
            for term in key_terms(word):
                written.setdefault(term, Counter())[word] += 1
    spellings = {**written, **named}  # a topic's own name beats a title's spelling of the same word
    ranked = sorted((-n * weights.get(f, 0), f) for f, n in counts.items() if f in spellings and 2 * n >= len(items))
    names: list[str] = []
    for _, feature in ranked:
        name = min(spellings[feature].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        words = set(slugify(name).split("-"))
        if not any(words & set(slugify(n).split("-")) for n in names):  # "Soleimani" adds nothing to "Qasem Soleimani"
            names.append(name[:1].upper() + name[1:])
        if len(names) == TITLE_FEATURES:
            break
    return " · ".join(names) if names else items[0].title
