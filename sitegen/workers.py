"""One process pool for the stages that fan out: reading, rendering and checking.

Workers are forked, so they inherit the parent's parsed templates and site
instead of unpickling them, and they ignore Ctrl-C, which stays the parent's
to handle: an interrupted build prints one line, not a traceback per worker.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .console import Progress

if TYPE_CHECKING:
    import multiprocessing.pool

PARALLEL_MINIMUM = 400
"""Below this many items a process pool costs more than it saves."""

CHUNK = 100
"""Items per unit of work: small enough for a smooth progress bar, large enough to keep pool overhead low."""

MAX_WORKERS = 8


def process_pool(workers: int) -> multiprocessing.pool.Pool:
    """Forked workers that leave Ctrl-C to the parent."""
    import multiprocessing  # a build with nothing to do never starts a pool, nor pays for this import

    return multiprocessing.get_context("fork").Pool(workers, initializer=signal.signal,
                                                     initargs=(signal.SIGINT, signal.SIG_IGN))


def worker_count(items: int, minimum: int = PARALLEL_MINIMUM) -> int:
    """One worker per core (at most ``MAX_WORKERS``) for a large batch, else 1: work in this process."""
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS) if items >= minimum else 1


def run_chunked(function: Callable[[Sequence[Any]], Any], items: Sequence[Any], label: str | None = None,
                minimum: int = PARALLEL_MINIMUM, chunk: int = CHUNK) -> list[Any]:
    """``function`` over chunks of ``items``, across worker processes for large batches, results in order.

    With a ``label`` a progress bar advances as chunks finish, so long work
    shows where it is.
    """
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    workers = worker_count(len(items), minimum)
    results: list[Any] = []
    with Progress(label or "", len(items) if label else 0) as progress:
        pool = process_pool(workers) if workers > 1 else None
        try:
            mapped = pool.imap(function, chunks) if pool else map(function, chunks)
            for part, result in zip(chunks, mapped, strict=True):
                results.append(result)
                progress.advance(len(part))
        finally:
            if pool:
                pool.close()
                pool.join()
    return results
