"""Time the site model (topics, authors, archive, related briefings) on synthetic archives.

Usage: python bench/related.py [COUNT ...]   (default: 10000 100000)

Topics follow a Zipf-like law over COUNT/20 topics (a few on most briefings,
most on a handful), 2-6 per briefing, one briefing every 3 hours.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sitegen.content import Briefing
from sitegen.taxonomy import Taxonomy


def synthetic(count: int, seed: int = 1) -> list[Briefing]:
    rng = random.Random(seed)
    vocabulary = [f"Topic {n}" for n in range(max(50, count // 20))]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    authors = [f"Author {n}" for n in range(max(5, count // 500))]
    start = datetime(2010, 1, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        tags = tuple(dict.fromkeys(rng.choices(vocabulary, weights, k=rng.randint(2, 6))))
        items.append(Briefing(path=Path(f"b{n}.md"), rel=f"b{n}.md", title=f"Briefing {n}", slug=f"b{n}",
                              date=start + timedelta(hours=3 * n), body="", body_line=1,
                              author=rng.choice(authors), tags=tags))
    items.sort(key=lambda b: (b.date, b.slug), reverse=True)
    return items


def main(counts: list[int]) -> None:
    for count in counts:
        items = synthetic(count)
        started, cpu = time.perf_counter(), time.process_time()
        taxonomy = Taxonomy(items)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        biggest = max(t.count for t in taxonomy.topics.values())
        print(f"{count:>7} briefings, {len(taxonomy.topics)} topics (largest {biggest}): "
              f"taxonomy with related in {seconds:.2f} s wall, {cpu:.2f} s CPU ({cpu / count * 1e6:.0f} µs per briefing)")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
