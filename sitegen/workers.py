"""One process pool for the stages that fan out: reading, rendering and checking.

Workers are forked, so they inherit the parent's parsed templates and site
instead of unpickling them, and they ignore Ctrl-C, which stays the parent's
to handle: an interrupted build prints one line, not a traceback per worker.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

from .console import Progress

if TYPE_CHECKING:
    import multiprocessing.pool

T = TypeVar("T")

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
                minimum: int = PARALLEL_MINIMUM, meanwhile: Sequence[Meanwhile[Any]] = ()) -> list[Any]:
    """``function`` over chunks of ``items``, across worker processes for large batches, results in order.

    With a ``label`` a progress bar advances as chunks finish, so long work
    shows where it is. ``meanwhile`` threads start once every worker is
    forked, never before: a thread busy in Python would slow the forks and
    the work before them (by the GIL), and fork a process mid-computation.
    Where no worker is forked they do not start (their results are then
    computed when asked for).
    """
    workers = worker_count(len(items), minimum)
    chunk = chunk_size(len(items), workers)
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    results: list[Any] = []
    with Progress(label or "", len(items) if label else 0) as progress:
        pool = process_pool(workers) if workers > 1 else None
        try:
            mapped = pool.imap(function, chunks) if pool else map(function, chunks)
            for thread in meanwhile if pool else ():
                thread.start()
            for part, result in zip(chunks, mapped, strict=True):
                results.append(result)
                progress.advance(len(part))
        finally:
            if pool:
                pool.close()
                pool.join()
    return results


class Background(Generic[T]):
    """``compute()`` in a forked child process while this one goes on; :meth:`result` waits for it.

    Planning's costliest steps (story detection, related rankings: 2 s of a
    cold 10k build on 16 cores, while every other core waits) depend only on
    the briefings, so they can run beside the rest of planning. The child
    inherits the data, as a render worker does, and sends back only the
    result. Where it cannot help (one core, a small batch: see :meth:`worth`)
    or fails for any reason (killed, an exception, a result that does not
    pickle), :meth:`result` computes in this process instead: the same answer,
    only later. A result never asked for is not waited for: the child is
    stopped when this object goes.
    """

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._owner = os.getpid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child_main(compute, read, write)
        os.close(write)
        self._child: tuple[int, int] | None = (pid, read)
        self._finalizer = weakref.finalize(self, _stop, self._owner, pid, read)

    @staticmethod
    def worth(items: int) -> bool:
        """Whether a batch of ``items`` briefings is worth a child process here: large enough, and a core free."""
        return items >= PARALLEL_MINIMUM and len(os.sched_getaffinity(0)) > 1

    def result(self) -> T:
        if self._child is not None and os.getpid() == self._owner:  # a forked worker computes for itself
            pid, read = self._child
            self._child = None
            self._finalizer.detach()
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if status == 0 and data:
                try:
                    return pickle.loads(data)  # type: ignore[no-any-return]  # noqa: S301 - our own child's
                except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError):
                    pass
        return self._compute()


def _child_main(compute: Callable[[], Any], read: int, write: int) -> NoReturn:
    """The forked child: compute, send the pickled result, leave without running the parent's exit handlers."""
    code = 1
    try:
        os.close(read)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's, which stops this child
        data = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)


def _stop(owner: int, pid: int, read: int) -> None:
    """A child whose result nobody will read: stop it and reap it (in the process that started it)."""
    if os.getpid() != owner:
        return
    os.close(read)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


class Meanwhile(Generic[T]):
    """``compute()`` in a thread of this process, begun by :meth:`start`; :meth:`result` waits for it.

    While worker processes parse or render, the parent only waits for them:
    what it must compute anyway from data nobody changes meanwhile (the
    Jinja environment and the theme's templates while they parse, the routes'
    fingerprints and the parses stored in the cache while they render)
    costs no time there. :meth:`wait` only joins a started thread. If
    the thread's ``compute()`` raises, :meth:`result` runs it again in the
    caller's thread, where its error, if any, surfaces as it would have. Never
    started (a batch too small to be worth a thread, see ``run_chunked``), it
    computes when asked.
    """

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._done: list[T] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None and not self._done:
            self._thread = threading.Thread(target=self._run, name="meanwhile", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with contextlib.suppress(Exception):  # result() computes again, where the error surfaces
            self._done.append(self._compute())

    def wait(self) -> T | None:
        """Let a started thread finish and give its answer, computing nothing here: None when no thread was
        started or it failed. No thread may be midway through its work when this process forks (its locks
        would stay taken in the child)."""
        if self._thread is not None:
            self._thread.join()
        return self._done[0] if self._done else None

    def result(self) -> T:
        self.wait()
        self._thread = None
        return self._done[0] if self._done else self._compute()
