"""Watching the site's sources and turning bursts of saves into one batch of changes.

watchdog reports each file an editor touches; :class:`SourceWatcher` keeps the
sources (never the output or ``.venv/``) and drops editor noise;
:class:`CoalescingWorker` waits for a quiet moment, classifies the batch once
into a :class:`ChangeSet`, and runs the work on it in its own thread.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from ..changes import CONFIG_FILE, ChangeSet

WATCHED_DIRS = ("content", "seeds", "templates", "themes", "static", "locales")
DEBOUNCE_SECONDS = 0.1
"""How long to wait after a change whose file may still be half-written."""
SETTLED_SECONDS = 0.015
"""How long to wait when every file of the batch was closed after writing or renamed into place."""

_WRITES = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED, EVENT_TYPE_CLOSED})


def is_editor_noise(relpath: Path) -> bool:
    """Files editors write around a save (vim's ``4913`` and ``.swp``, emacs's ``.#lock`` and ``~``),
    and hidden files, which the build skips anyway: none of them should trigger a rebuild."""
    name = relpath.name
    return (any(part.startswith(".") for part in relpath.parts) or name.startswith("#") or name == "4913"
            or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp")))


class SourceWatcher(FileSystemEventHandler):
    """Reports each saved, added, removed or renamed source file of the site to ``on_change``, with
    whether the file is complete (closed after writing, or renamed into place).

    Only the source folders are watched, plus the site folder itself,
    non-recursively, for ``site.yml`` and for source folders created after the start;
    ``also`` names folders outside the site whose files are sources too (the
    built-in theme's catalogs, so editing the theme's words rebuilds the preview).
    """

    def __init__(self, root: Path, on_change: Callable[[Path, bool], None], also: Iterable[Path] = ()) -> None:
        super().__init__()
        self.root = root
        self.on_change = on_change
        self.observer = Observer()
        self.watched: set[str] = set()
        self.also = [folder for folder in also if not folder.is_relative_to(root)]

    def start(self) -> None:
        self.observer.schedule(self, str(self.root))
        for name in WATCHED_DIRS:
            self._watch(name)
        for folder in self.also:
            if folder.is_dir():
                self.observer.schedule(self, str(folder), recursive=True)
        self.observer.start()

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=5)

    def _watch(self, name: str) -> None:
        folder = self.root / name
        if name not in self.watched and folder.is_dir():
            self.observer.schedule(self, str(folder), recursive=True)
            self.watched.add(name)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _WRITES or (event.is_directory and event.event_type == EVENT_TYPE_MODIFIED):
            return
        src = Path(os.fsdecode(event.src_path))
        if self._is_source(src):
            self.on_change(src, event.event_type == EVENT_TYPE_CLOSED and not event.is_directory)
        if event.dest_path:
            dest = Path(os.fsdecode(event.dest_path))
            if self._is_source(dest):
                self.on_change(dest, not event.is_directory)

    def _is_source(self, path: Path) -> bool:
        outside = next((folder for folder in self.also if path.is_relative_to(folder)), None)
        if outside is not None:
            return not is_editor_noise(path.relative_to(outside))
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        if not rel.parts or is_editor_noise(rel):
            return False
        if rel.parts[0] in WATCHED_DIRS:
            if rel.parts[0] not in self.watched:
                self._watch(rel.parts[0])
                self._report_existing(rel.parts[0])
            return True
        return rel.parts == (CONFIG_FILE,)

    def _report_existing(self, name: str) -> None:
        """A source folder that appeared while running is watched from now on; files written into it before its
        watch began would go unseen, so each one already there is reported as a change."""
        folder = self.root / name
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not is_editor_noise(path.relative_to(self.root)):
                    self.on_change(path, False)


class CoalescingWorker:
    """One thread that runs ``work`` on batches of changes, each classified once into a :class:`ChangeSet`.

    A batch starts once no change arrived for ``quiet`` seconds, because
    editors save in several steps, or after ``settled`` seconds when every file
    in it was last seen complete; runs never overlap, and changes that arrive
    during a run queue exactly one more. ``finish`` runs last, in the same
    thread (the build cache's SQLite connection belongs to it).
    """

    def __init__(self, name: str, root: Path, work: Callable[[ChangeSet], object], quiet: float = DEBOUNCE_SECONDS,
                 finish: Callable[[], object] | None = None, settled: float = SETTLED_SECONDS) -> None:
        self._root = root
        self._work = work
        self._finish = finish
        self._quiet = quiet
        self._settled_quiet = min(settled, quiet)
        self._wake = threading.Condition()
        self._pending: dict[Path, bool] = {}
        self._everything = False
        self._requested = False
        self._last_change = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, path: Path, settled: bool = False) -> None:
        """Queue a changed path; ``settled`` when the file is known to be complete."""
        with self._wake:
            self._pending[path] = settled
            self._request()

    def add_everything(self) -> None:
        """Ask for a run over everything (the first build, a re-index)."""
        with self._wake:
            self._everything = True
            self._request()

    def _request(self) -> None:
        self._requested = True
        self._last_change = time.monotonic()
        self._wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _wait_needed(self) -> float:
        settled = not self._everything and self._pending and all(self._pending.values())
        return self._settled_quiet if settled else self._quiet

    def _next_batch(self) -> ChangeSet | None:
        """Wait for a request and then for a quiet moment; None when stopping."""
        with self._wake:
            while not self._stopping:
                quiet_for, needed = time.monotonic() - self._last_change, self._wait_needed()
                if self._requested and quiet_for >= needed:
                    paths, everything = list(self._pending), self._everything
                    self._pending, self._everything, self._requested = {}, False, False
                    break
                self._wake.wait(needed - quiet_for if self._requested else None)
            else:
                return None
        return ChangeSet.classify(self._root, paths, everything=everything)

    def _run(self) -> None:
        try:
            while (batch := self._next_batch()) is not None:
                self._work(batch)
        finally:
            if self._finish is not None:
                self._finish()
