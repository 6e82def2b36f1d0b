"""Results of pure, costly planning steps, kept between builds by a hash of their inputs.

Related-briefing rankings and story detection are most of planning's time,
yet their inputs (dates, topics, story features) change only when a briefing
is added, removed, re-dated or re-tagged, never when its text is edited. The
builder loads what its cache kept before planning and stores it again when
planning computed something new; planning itself still reads and writes no
files, and a result is found only for exactly the inputs it was computed from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    """JSON-able results by a hash of the ``repr`` of their inputs."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}
        self.used: set[str] = set()
        self.computed = False
        """Whether planning computed anything the memo did not know since the last :meth:`kept`."""

    def get(self, inputs: object, compute: Callable[[], T]) -> T:
        """``compute()``, or its result for the same ``inputs`` (scalars, lists, tuples) from an earlier build.

        A result read back from JSON has lists where ``compute`` returned tuples."""
        key = hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()
        if key not in self.known:
            self.known[key] = compute()
            self.computed = True
        self.used.add(key)
        return self.known[key]  # type: ignore[no-any-return]

    def kept(self) -> dict[str, Any]:
        """What the last planning used; the rest is forgotten."""
        self.known = {key: self.known[key] for key in self.used if key in self.known}
        self.used, self.computed = set(), False
        return self.known


PLANNING = Memo()
"""The one memo planning uses; the builder fills it from, and stores it into, its cache."""
