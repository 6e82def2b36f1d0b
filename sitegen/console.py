"""Terminal output: progress for long work, only when a person is watching."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A one-line progress bar on stderr; silent when stderr is not a terminal.

    Redraws at most ten times a second so a 100k-item loop does not spend its
    time printing.
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None, minimum: int = 50) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = total >= minimum and self.stream.isatty()
        self.done = 0
        self._drawn = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._drawn > 0.1 or self.done >= self.total):
            self._drawn = now
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.label) + 50) + "\r")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
