"""Results of pure, costly planning steps, kept between builds by a hash of their inputs.

Related-briefing rankings and story detection are most of planning's time,
yet their inputs (dates, topics, story features) change only when a briefing
is added, removed, re-dated or re-tagged, never when its text is edited. The
builder loads what its cache kept before planning and stores it again when
planning computed something new; planning itself still reads and writes no
files, and a result is found only for exactly the inputs it was computed from.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from .workers import Background

T = TypeVar("T")


class Memo:
    """JSON-able results by a hash of the ``repr`` of their inputs."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}
        self.used: set[str] = set()
        self.computed = False
        """Whether planning computed anything the memo did not know since the last :meth:`kept`."""
        self._soon: dict[str, Background[Any]] = {}

    def get(self, inputs: object, compute: Callable[[], T]) -> T:
        """``compute()``, or its result for the same ``inputs`` (scalars, lists, tuples) from an earlier build,
        or from :meth:`start`'s child process.

        A result read back from JSON has lists where ``compute`` returned tuples."""
        return self._answer(_key(inputs), compute)

    def start(self, inputs: object, compute: Callable[[], T], items: int) -> Callable[[], T]:
        """Begin ``compute()`` for ``inputs`` in a child process, unknown as they are and ``items`` large enough
        (:meth:`Background.worth`). Returns what :meth:`get` would answer, to call when the answer is needed:
        the inputs are hashed once (at 10,000 briefings story detection's take 60 ms to print and hash)."""
        key = _key(inputs)
        if key not in self.known and key not in self._soon and Background.worth(items):
            self._soon[key] = Background(compute)
        return functools.partial(self._answer, key, compute)

    def _answer(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self.known:
            started = self._soon.pop(key, None)
            self.known[key] = started.result() if started else compute()
            self.computed = True
        self.used.add(key)
        return self.known[key]  # type: ignore[no-any-return]

    def kept(self) -> dict[str, Any]:
        """What the last planning used; the rest is forgotten (a child nobody asked is stopped)."""
        self.known = {key: self.known[key] for key in self.used if key in self.known}
        self.used, self.computed, self._soon = set(), False, {}
        return self.known


def _key(inputs: object) -> str:
    return hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()


PLANNING = Memo()
"""The one memo planning uses; the builder fills it from, and stores it into, its cache."""
