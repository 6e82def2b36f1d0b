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
import functools
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
RAREST = 12
"""Candidate stories are found through a briefing's rarest features only: what a story is about is rare."""
"""Per feature, how many of its latest briefings inside the gap are compared: bounds the work on busy days."""
TITLE_FEATURES = 3

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


def _topic_feature(slug: str) -> str:
    return slug if "-" in slug else _singular(slug)


@functools.lru_cache(maxsize=4096)
def _tag_feature(tag: str) -> str:
    """The same few tags recur on thousands of briefings: each is turned into a feature once."""
    slug = topic_slug(tag)
    return _topic_feature(slug) if slug else ""


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


def story_inputs(briefing: Briefing) -> tuple[object, ...]:
    """Everything about one briefing that detection reads besides its date: a change here can move stories."""
    return (briefing.story, features_of(briefing))


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
            near = set()
            for other in reversed(bucket[-CANDIDATES_PER_FEATURE:]):
                if stamps[other] < since:
                    break
                thread = threads[other]
                near.add(thread if thread.merged is None else thread.root())  # type: ignore[union-attr]
            for thread in near:
                hits[thread] = count(thread, 0) + 1
        return [thread for thread, shared in hits.items() if shared >= MIN_SHARED]

    def merge_parallel(self) -> None:
        """Join detected threads that ran at the same time about the same thing.

        Walking oldest first, one story can start twice (two briefings on its
        first day, each unlike the other); their profiles, summed over several
        briefings each, show they are one. Threads of two or more briefings
        that come within ``gap`` of each other are compared, oldest first.
        """
        roots = sorted({id(t.root()): t.root() for t in self.threads if t is not None and t.root().size >= 2}.values(),
                       key=lambda t: (t.first, t.label))
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
        dates: dict[int, list[float]] = {}
        for index, thread in enumerate(self.threads):
            if thread is not None:
                dates.setdefault(id(thread.root()), []).append(self.stamps[index])
        stories = sorted({id(t.root()): t.root() for t in self.threads if t is not None and t.root().size >= 2}.values(),
                         key=lambda t: (t.first, t.label))
        stamp = self.stamps.__getitem__
        for thread in stories:
            near = dates[id(thread)]
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
    counts = Counter(f for b in items for f in features_of(b))
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
