"""Story detection: which briefings continue which story, from their features alone.

Each briefing is described by its features (topics and the key terms of its
title and summary), weighted by rarity across the archive. Walking the
archive oldest first, a briefing continues the open story it is most like, as
a whole (the sum of its briefings' features), when the likeness clears
:data:`SIMILARITY` and is beyond chance (:data:`LIFT`); otherwise it starts
one. Then stories that started twice at once are merged, and strays near a
story are compared with its complete profile. :mod:`sitegen.stories` turns
the labels into stories with titles and pages' data.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .content import Briefing
from .memo import PLANNING
from .topics import slugify, topic_slug

SIMILARITY = 0.15
"""Cosine similarity of rarity-weighted features above which a briefing continues an earlier one's story."""
MIN_DETECTED = 3
"""A detected story needs this many briefings; two briefings alike by chance are not yet a story."""
LIFT = 4.0
"""And the overlap must be this many times what chance alone would give (or, where one story is a large share of
the archive, half the most it could be): in an archive where words and topics fall at random over time, a story
that has grown to hold everything is still no more alike than chance."""
CEILING_SHARE = 0.5
CHANCE_FROM = 100
"""Below this many briefings, how often a feature occurs says more about the few stories than about chance: the
LIFT test applies from here on."""
MERGE = 0.2
"""Cosine above which two detected stories running at the same time are one."""
MIN_SHARED = 2
"""A briefing continues a story only if it shares at least this many specific features with it: one name is not enough."""
SPECIFIC_SHARE = 5
SPECIFIC_COUNT = 10
"""A feature on at most one briefing in SPECIFIC_SHARE, or on at most SPECIFIC_COUNT (small archives), is specific
enough to count for MIN_SHARED."""
CANDIDATES_PER_FEATURE = 8
"""Per feature, how many of its latest briefings inside the gap are compared: bounds the work on busy days."""
RAREST = 12
"""Candidate stories are found through a briefing's rarest features only: what a story is about is rare."""
_WORD = re.compile(r"\w[\w'’-]*\w|\w")
_TERM = re.compile(r"[^\W\d_](?:[\w'-]*\w)?(?<!'s)")
"""A word starting with a letter, possessive 's left off: what can be a key term."""
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
    words = set(_TERM.findall(text.casefold().replace("’", "'"))) - _STOPWORDS
    return {_singular(word) for word in words if len(word) >= 3}


def _singular(word: str) -> str:
    """"Patrols" and "patrol" are one term; "Cyprus" and "Hezbollah's" stay themselves."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def topic_feature(slug: str) -> str:
    """A topic slug as a feature: one-word topics folded to the singular, as words are."""
    return slug if "-" in slug else _singular(slug)


@functools.lru_cache(maxsize=4096)
def _tag_feature(tag: str) -> str:
    """The same few tags recur on thousands of briefings: each is turned into a feature once."""
    slug = topic_slug(tag)
    return topic_feature(slug) if slug else ""


def features(briefing: Briefing) -> frozenset[str]:
    """What story detection compares: topic slugs and key terms of the title and summary.

    A topic and a word that slug alike ("Idlib" tagged and written) are one
    feature, and the words of a topic's name ("Saudi", "Arabia") are not
    features beside it, so a briefing is not counted twice for naming one thing.
    """
    found = {feature for feature in map(_tag_feature, briefing.tags) if feature}
    parts = {_singular(word) for slug in found if "-" in slug for word in slug.split("-")}
    found.update(key_terms(f"{briefing.title} {briefing.summary}") - parts)
    return frozenset(found)


def features_of(briefing: Briefing) -> frozenset[str]:
    """The briefing's features as computed when it was read, or now."""
    found = briefing.story_features
    return found if found is not None else features(briefing)


@dataclass(eq=False)
class _Thread:
    """A story while detection runs: its label, its features counted over its briefings, its latest date."""

    label: str
    counts: Counter[str]
    norm2: int
    first: datetime
    last: datetime
    size: int = 0
    chance: float = 0.0
    """Per briefing of another story, the overlap expected by chance alone: sum of w² x count x df/N."""
    mass: int = 0
    """Per briefing of another story, the most the overlap can be: sum of w² x count."""
    merged: _Thread | None = None

    def add(self, index: int, detector: _Detector) -> None:
        """Count one briefing's features in, keeping the profile's squared length and chance overlap current."""
        counts, squares, norm2 = self.counts, detector.squares, self.norm2
        for feature in detector.found[index]:
            before = counts[feature]
            counts[feature] = before + 1
            norm2 += squares[feature] * (2 * before + 1)
        self.norm2 = norm2
        self.chance += detector.chance[index]
        self.mass += detector.mass[index]
        self.size += 1
        when = detector.ordered[index].date
        self.first, self.last = min(self.first, when), max(self.last, when)  # type: ignore[type-var]

    def absorb(self, other: _Thread, detector: _Detector) -> None:
        """Take another thread's briefings: from now on it resolves to this one."""
        counts, squares = self.counts, detector.squares
        for feature, times in other.counts.items():
            before = counts[feature]
            counts[feature] = before + times
            self.norm2 += squares[feature] * ((before + times) ** 2 - before ** 2)
        self.chance += other.chance
        self.mass += other.mass
        self.first, self.last, self.size = min(self.first, other.first), max(self.last, other.last), self.size + other.size
        other.merged = self

    def similarity(self, other: _Thread, squares: Mapping[str, int], lift: float) -> tuple[float, bool]:
        """Cosine of the two threads' weighted feature profiles, and whether their overlap is beyond chance."""
        small, large = sorted((self.counts, other.counts), key=len)
        dot = sum(squares[f] * n * large[f] for f, n in small.items() if f in large)
        if not dot:
            return 0.0, False
        beyond = all(dot >= size * min(lift * chance, CEILING_SHARE * mass)
                     for size, chance, mass in ((other.size, self.chance, self.mass), (self.size, other.chance, other.mass)))
        return dot / math.sqrt(self.norm2 * other.norm2), beyond

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
    labels, weights = PLANNING.get(_inputs(ordered, gap), lambda: _detect(ordered, gap))
    return labels, weights


Detected = tuple[list[str | None], dict[str, int]]
"""A story label per briefing and the feature weights (see :func:`detect`)."""


def start_detection(ordered: Sequence[Briefing], gap: timedelta) -> Callable[[], Detected]:
    """Begin :func:`detect` of the same briefings in a child process (:meth:`~sitegen.memo.Memo.start`) while
    the rest of the site model is made; the function returned gives its answer (waiting for it)."""
    return PLANNING.start(_inputs(ordered, gap), lambda: _detect(ordered, gap), len(ordered))


def _inputs(ordered: Sequence[Briefing], gap: timedelta) -> tuple[str, timedelta, list[Any]]:
    """All that detection reads, by which the memo knows its answer."""
    return "stories", gap, [(b.rel, b.date, b.story, sorted(features_of(b))) for b in ordered]


def _detect(ordered: Sequence[Briefing], gap: timedelta) -> tuple[list[str | None], dict[str, int]]:
    detector = _Detector(ordered, gap)
    detector.walk()
    detector.merge_parallel()
    detector.adopt_strays()
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
        self.found = [features_of(b) if keep else frozenset() for b, keep in zip(ordered, self.included, strict=True)]
        count = sum(self.included)
        frequency = Counter(f for fs in self.found for f in fs)
        # log(1 + N / df), in integer micro-units so sums never depend on the order they are added in
        self.weights = {f: round(1e6 * math.log(1 + count / n)) for f, n in frequency.items()}
        self.squares = {f: w * w for f, w in self.weights.items()}
        self.share = {f: n / count for f, n in frequency.items()}
        limit = max(count / SPECIFIC_SHARE, SPECIFIC_COUNT)
        self.specific = round(1e6 * math.log(1 + count / limit)) if count else 0
        common = frozenset(f for f, n in frequency.items() if n > limit)
        chance_of = {f: self.squares[f] * self.share[f] for f in frequency}
        self.mass = [sum(map(self.squares.__getitem__, fs)) for fs in self.found]
        self.lift = LIFT if count >= CHANCE_FROM else 0.0
        self.norms = [math.sqrt(mass) for mass in self.mass]
        self.chance = [sum(map(chance_of.__getitem__, fs)) for fs in self.found]
        self.distinctive = [fs - common for fs in self.found]
        self.rarest = [sorted(fs, key=lambda f: (frequency[f], f))[:RAREST] for fs in self.distinctive]
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
            best = self.best_thread(index, self.open_threads(index, self.stamps[index] - self.gap.total_seconds()))
            if isinstance(briefing.story, str):
                label = "name:" + slugify(briefing.story)
                thread = named.get(label)
                if thread is None:
                    thread = named[label] = _Thread(label, Counter(), 0, when, when)
                if best is not None and best is not thread and best.label.startswith("auto:"):
                    thread.absorb(best, self)  # the detected story this briefing continues takes the name
            elif best is not None:
                thread = best
            else:
                thread = _Thread("auto:" + briefing.rel, Counter(), 0, when, when)
            thread.add(index, self)
            self.threads.append(thread)
            for feature in self.found[index]:
                self.members.setdefault(feature, []).append(index)

    def best_thread(self, index: int, candidates: Iterable[_Thread]) -> _Thread | None:
        """The story among ``candidates`` most like this briefing, if like enough for the briefing to continue it.

        It must share :data:`MIN_SHARED` specific features, clear
        :data:`SIMILARITY` and overlap beyond chance (:data:`LIFT`);
        equal similarity goes to the story seen latest.
        """
        mine, norm, squares = self.found[index], self.norms[index], self.squares
        best: tuple[float, datetime, str] | None = None
        chosen = None
        for thread in candidates:
            counts = thread.counts
            shared = mine & counts.keys()
            if len(shared) < MIN_SHARED or len(self.distinctive[index] & shared) < MIN_SHARED:
                continue
            dot = sum(squares[f] * counts[f] for f in shared)
            similarity = dot / (norm * math.sqrt(thread.norm2))
            key = (similarity, thread.last, thread.label)
            needed = thread.size * min(self.lift * self.chance[index], CEILING_SHARE * self.mass[index])
            if similarity >= SIMILARITY and dot >= needed and (best is None or key > best):
                best, chosen = key, thread
        return chosen

    def open_threads(self, index: int, since: float) -> list[_Thread]:
        """The stories of earlier briefings from ``since`` on that share a specific feature with this one.

        From the inverted index feature -> briefings, the latest few per
        feature: the work per briefing stays bounded however busy the days are.
        Only stories met through :data:`MIN_SHARED` features are worth comparing.
        """
        hits: dict[_Thread, int] = {}
        count = hits.get
        stamps, threads, members = self.stamps, self.threads, self.members
        for feature in self.rarest[index]:
            bucket = members.get(feature)
            if not bucket:
                continue
            near: set[_Thread] = set()
            for other in reversed(bucket[-CANDIDATES_PER_FEATURE:]):
                if stamps[other] < since:
                    break
                thread = threads[other]
                near.add(thread if thread.merged is None else thread.root())  # type: ignore[union-attr,arg-type]
            for thread in near:
                hits[thread] = count(thread, 0) + 1
        return [thread for thread, shared in hits.items() if shared >= MIN_SHARED]

    def stories(self) -> list[_Thread]:
        """The threads of two or more briefings (each once, as their briefings first name them)."""
        return [root for root in dict.fromkeys(t.root() for t in self.threads if t is not None) if root.size >= 2]

    def merge_parallel(self) -> None:
        """Join detected threads that ran at the same time about the same thing.

        Walking oldest first, one story can start twice (two briefings on its
        first day, each unlike the other); their profiles, summed over several
        briefings each, show they are one. Threads of two or more briefings
        that come within ``gap`` of each other are compared, oldest first.
        """
        roots = sorted(self.stories(), key=lambda t: (t.first, t.label))
        for i, current in enumerate(roots):
            if current.merged is not None:
                continue
            for other in roots[i + 1:]:
                if other.first > current.last + self.gap:
                    break
                if other.merged is not None or (current.label.startswith("name:") and other.label.startswith("name:")):
                    continue
                similarity, beyond_chance = current.similarity(other, self.squares, self.lift)
                if similarity >= MERGE and beyond_chance:
                    keep, gone = (other, current) if other.label.startswith("name:") else (current, other)
                    keep.absorb(gone, self)
                    current = keep

    def adopt_strays(self) -> None:
        """Briefings left alone near a story (at most ``gap`` from one of its briefings) join it when alike.

        As the walk goes on, a story's first briefing is compared only with
        the stories before it, and a late one with a profile still growing; by
        the end each story has its full profile to be matched with.
        """
        gap = self.gap.total_seconds()
        dates: dict[_Thread, list[float]] = {}  # threads compare by identity: each is its own key
        for index, thread in enumerate(self.threads):
            if thread is not None:
                dates.setdefault(thread.root(), []).append(self.stamps[index])
        stories = sorted(self.stories(), key=lambda t: (t.first, t.label))
        stamp = self.stamps.__getitem__
        for thread in stories:
            near = dates[thread]
            strays: set[int] = set()
            for feature in self.characteristic(thread):  # a stray like the story shares what it is about
                bucket = self.members.get(feature, ())
                low = bisect.bisect_left(bucket, near[0] - gap, key=stamp)
                high = bisect.bisect_right(bucket, near[-1] + gap, key=stamp)
                strays.update(bucket[low:high])
            for index in sorted(strays):
                alone = self.threads[index]
                if alone is None or alone.root().size != 1 or not alone.root().label.startswith("auto:"):
                    continue
                spot = bisect.bisect_left(near, self.stamps[index])
                closest = min(abs(near[i] - self.stamps[index]) for i in (spot - 1, spot) if 0 <= i < len(near))
                if closest <= gap and self.best_thread(index, [thread.root()]) is not None:
                    thread.root().absorb(alone.root(), self)
                    bisect.insort(near, self.stamps[index])

    def characteristic(self, thread: _Thread, count: int = 6) -> list[str]:
        """The thread's specific features most of its briefings carry, rarest first among equals."""
        specific, weights = self.specific, self.weights
        ranked = sorted(((-n * weights[f], f) for f, n in thread.counts.items() if weights[f] >= specific))
        return [f for _, f in ranked[:count]]
