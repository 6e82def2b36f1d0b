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
"""Items per unit of work at most: small enough for a smooth progress bar, large enough to keep pool overhead low."""

CHUNKS_PER_WORKER = 4
"""At least this many chunks per worker where the batch allows: 1,000 briefings in chunks of 100 would leave six
of 16 cores idle, and one slow chunk would hold up the end of a stage."""

MAX_WORKERS = 16
"""One worker per core up to here: a 16-core laptop renders with all of them (issue 15 measured Hugo there)."""


def process_pool(workers: int) -> multiprocessing.pool.Pool:
    """Forked workers that leave Ctrl-C to the parent."""
    import multiprocessing  # a build with nothing to do never starts a pool, nor pays for this import

    return multiprocessing.get_context("fork").Pool(workers, initializer=signal.signal,
                                                     initargs=(signal.SIGINT, signal.SIG_IGN))


def worker_count(items: int, minimum: int = PARALLEL_MINIMUM) -> int:
    """One worker per core for a large batch, as many as the memory holds; else 1: work in this process."""
    if items < minimum:
        return 1
    import resource

    return workers_for(len(os.sched_getaffinity(0)), available_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def workers_for(cores: int, available: int | None, size: int) -> int:
    """Workers for ``cores``, at most ``MAX_WORKERS``, and no more than ``available`` memory holds when each is
    counted as a whole copy of the parent (``size``, same unit): a forked worker shares the parent's pages only
    until it touches them, and a render worker touches most of the site model. A 100,000-briefing build on a
    many-core machine with little memory then runs fewer workers instead of swapping."""
    fitting = MAX_WORKERS if available is None else available // max(size, 1)
    return max(1, min(cores, MAX_WORKERS, fitting))


def available_kib() -> int | None:
    """The memory Linux says is available for new work (``MemAvailable``), or None where it does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            return next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return None


def chunk_size(items: int, workers: int) -> int:
    """Items per chunk: ``CHUNK``, or fewer so that each worker gets ``CHUNKS_PER_WORKER`` chunks."""
    return max(1, min(CHUNK, -(-items // (workers * CHUNKS_PER_WORKER))))


def run_chunked(function: Callable[[Sequence[Any]], Any], items: Sequence[Any], label: str | None = None,
                minimum: int = PARALLEL_MINIMUM) -> list[Any]:
    """``function`` over chunks of ``items``, across worker processes for large batches, results in order.

    With a ``label`` a progress bar advances as chunks finish, so long work
    shows where it is.
    """
    workers = worker_count(len(items), minimum)
    chunk = chunk_size(len(items), workers)
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
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
