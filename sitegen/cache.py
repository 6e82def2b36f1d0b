"""The build cache: parsed briefings and page fingerprints kept between builds.

It lives in ``<site>/.sitegen/cache.sqlite`` (never in the home folder) and is
only an accelerator: every entry is keyed by the file's size and mtime plus a
fingerprint of everything that shapes parsing (settings, and which sitegen:
:func:`sitegen_identity`, its version and its own files).
A cache that cannot be opened or read is deleted and rebuilt, never trusted.
SQLite's journal makes each save atomic, so a killed build leaves the old
cache or the new one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import __version__
from .content import Content
from .errors import Problem, SiteError
from .workers import Meanwhile


@functools.cache
def sitegen_identity() -> str:
    """Which sitegen this is: its version and a hash of its package's files (code, templates, data).

    Part of every cache key and route fingerprint, so output cached by another sitegen is never
    reused: a version number alone is not enough, since a checkout or an editable install changes
    its code without one (a briefing cached before ``authors`` existed came back without a byline).
    Read once per process, about 0.5 MB.
    """
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()}"


@dataclass(frozen=True)
class CachedFile:
    """A parsed content file and the size and mtime it had when parsed."""

    mtime_ns: int
    size: int
    briefing: Content


@dataclass(frozen=True)
class BuildState:
    """What the last build was made from and what it published; stored as JSON between builds.

    Route fingerprints are stored beside it, one row per route.
    """

    sources: str = ""
    """A hash of every input's size and mtime; empty when unknown, so the next build cannot skip."""
    next_due: datetime | None = None
    """When the first scheduled briefing left out of that build falls due: the site changes then."""
    briefings: int = 0
    routes: int = 0
    statics: str = ""
    """A hash of the static files' sizes and mtimes, so the next build copies them again only when they change."""
    search: bool = False
    """Whether that build made a search index."""
    frame: str = ""
    """A hash of every input but content (settings, templates, static files, catalogs): while it holds, a
    text edit may take the stored routes' shortcut (:func:`sitegen.edits.rebuild_edited`)."""

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["next_due"] = self.next_due.isoformat() if self.next_due else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildState:
        """The stored state, or the empty state (nothing known) for anything unreadable."""
        try:
            data = json.loads(text)
            due = data.pop("next_due", None)
            return cls(**data, next_due=datetime.fromisoformat(due) if due else None)
        except (ValueError, TypeError, AttributeError):
            return cls()

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS routes (url TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
DROP TABLE IF EXISTS plan;
CREATE TABLE IF NOT EXISTS route_data (url TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS route_prints (url TEXT PRIMARY KEY, fingerprint TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shows (rel TEXT NOT NULL, url TEXT NOT NULL, PRIMARY KEY (rel, url)) WITHOUT ROWID;
"""
"""``route_data``, ``route_prints`` and ``shows`` are :mod:`sitegen.route_store`'s: each rendered route as it was
rendered, its fingerprint (apart: a first build gives it after its workers stored the route), and which files it
shows. The ``plan`` table of earlier versions is dropped. ``shows`` only grows until the cache is emptied: a pair
that no longer holds costs one look at that route, never a wrong page, while a missing pair would leave a page
stale; so pairs are added, never dropped one by one."""


def connect(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection to the cache in autocommit, each process its own.

    ``synchronous=NORMAL``: in WAL mode a commit then waits for no disk sync, and
    the cache still holds whole transactions only. A killed build loses
    nothing committed; a power cut may lose the last commits, never the
    cache's consistency. That is as durable as the pages a build writes
    (atomic renames, not synced), which the stored fingerprints describe; and
    a build commits each chunk of pages it renders, megabytes at 4,000
    briefings, so one sync per chunk was paid in every cold build.
    """
    db = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    db.execute("PRAGMA synchronous=NORMAL")
    return db


class BuildCache:
    """Parsed briefings by file, the fingerprint each route was rendered from, and the last build's state."""

    def __init__(self, path: Path, fingerprint: str, clean: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if clean:
            self._delete()
        try:
            self._db = self._open(fingerprint)
        except (sqlite3.DatabaseError, OSError):
            self._delete()
            self._db = self._open(fingerprint)

    def _open(self, fingerprint: str) -> sqlite3.Connection:
        db = connect(self.path)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if row is None or row[0] != fingerprint:
            db.executescript("DELETE FROM files; DELETE FROM routes; DELETE FROM route_data; DELETE FROM route_prints; "
                             "DELETE FROM shows;")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        return db

    def _delete(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def briefings(self) -> dict[str, CachedFile]:
        """Every cached briefing by path, with the size and mtime it was parsed at."""
        found: dict[str, CachedFile] = {}
        try:
            for path, mtime_ns, size, data in self._db.execute("SELECT path, mtime_ns, size, data FROM files"):
                try:
                    found[path] = CachedFile(mtime_ns, size, pickle.loads(data))  # noqa: S301 - our own file
                except Exception:  # noqa: S112 - an unreadable entry is simply a miss
                    continue
        except sqlite3.DatabaseError:
            return {}
        return found

    def file_stats(self) -> dict[str, tuple[int, int]]:
        """Per cached file, the (mtime_ns, size) it was parsed at, without reading the parses."""
        try:
            return {path: (mtime_ns, size) for path, mtime_ns, size in
                    self._db.execute("SELECT path, mtime_ns, size FROM files")}
        except sqlite3.DatabaseError:
            return {}

    def briefing(self, rel: str) -> Content:
        """One cached parse; LookupError when the cache has none (or cannot read it)."""
        try:
            row = self._db.execute("SELECT data FROM files WHERE path = ?", (rel,)).fetchone()
            if row is not None:
                found = pickle.loads(row[0])  # noqa: S301 - our own file
                if isinstance(found, Content):
                    return found
        except (sqlite3.DatabaseError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ValueError):
            pass
        raise LookupError(rel)

    def route_fingerprints(self) -> dict[str, str]:
        """The fingerprint each published route was rendered from."""
        try:
            return dict(self._db.execute("SELECT url, fingerprint FROM routes"))
        except sqlite3.DatabaseError:
            return {}

    def fingerprints_of(self, urls: Iterable[str]) -> dict[str, str] | None:
        """The published fingerprints of these routes (a route not published is left out); None when the
        cache cannot say, which is not the same as "none published"."""
        found: dict[str, str] = {}
        try:
            for url in urls:
                row = self._db.execute("SELECT fingerprint FROM routes WHERE url = ?", (url,)).fetchone()
                if row is not None:
                    found[url] = row[0]
        except sqlite3.DatabaseError:
            return None
        return found

    def shown_on(self, rels: Iterable[str]) -> list[str] | None:
        """The URLs of the stored routes that show any of these files (:mod:`sitegen.route_store`), sorted;
        None when the cache cannot say."""
        urls: set[str] = set()
        try:
            for rel in rels:
                urls.update(url for (url,) in self._db.execute("SELECT url FROM shows WHERE rel = ?", (rel,)))
        except sqlite3.DatabaseError:
            return None
        return sorted(urls)

    def stored_route(self, url: str) -> tuple[str, bytes] | None:
        """A stored route's fingerprint and pickle, or None."""
        try:
            row = self._db.execute("SELECT fingerprint, data FROM route_prints JOIN route_data USING (url) WHERE url = ?",
                                   (url,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return (row[0], row[1]) if row else None

    def state(self) -> BuildState:
        """What the last build was made from; the empty state when unknown."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
        except sqlite3.DatabaseError:
            return BuildState()
        return BuildState.from_json(row[0]) if row else BuildState()

    def recall(self, key: str) -> str | None:
        """A value :meth:`remember` stored under ``key``; None when there is none or the cache cannot say."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def remember(self, kind: str, key: str, value: str) -> None:
        """Store a derived value (its ``key`` says what it was derived from), replacing others of its ``kind``."""
        try:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM meta WHERE key LIKE ?", (kind.replace("%", "") + " %",))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError:
            with contextlib.suppress(sqlite3.DatabaseError):
                self._db.execute("ROLLBACK")

    def statics(self) -> frozenset[str]:
        """The static files the last build published, by path in the output (so a later one can remove them)."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'statics'").fetchone()
            found = json.loads(row[0]) if row else []
        except (sqlite3.DatabaseError, ValueError):
            return frozenset()
        return frozenset(found) if isinstance(found, list) else frozenset()

    def unsettle(self, urls: Iterable[str], statics: Iterable[str]) -> None:
        """Before files are replaced in the live output one by one: forget that these routes are published.

        A build killed while publishing leaves each file old or new; with their
        fingerprints blank and the state unknown, the next build renders those
        routes again (or removes them) whatever the content is by then, and it
        knows every static file either build may have left.
        """
        try:
            self._db.execute("BEGIN")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (BuildState().to_json(),))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('statics', ?)", (json.dumps(sorted(statics)),))
            self._db.executemany("INSERT OR REPLACE INTO routes VALUES (?, '')", ((url,) for url in urls))
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            self._db.close()
            self._delete()
            raise SiteError([Problem(str(self.path), None, f"the build cache could not be written ({error}); "
                                     "nothing was published", "build again; the cache is rebuilt")]) from None

    def save(self, changed: dict[str, CachedFile] | Meanwhile[list[FileRow]], removed: Iterable[str],
             fingerprints: dict[str, str],
             state: BuildState, every_route: bool = True, statics: Iterable[str] | None = None,
             derived: dict[str, str] | None = None) -> None:
        """Store new parses (or the rows :func:`store_files` could not store meanwhile), forget deleted files,
        record route fingerprints and the state, in one transaction.

        ``every_route`` replaces the whole route table; otherwise only the given routes are updated.
        ``statics`` (the static files published) replaces the stored list; None keeps it. ``derived`` values
        (by key, read back with :meth:`recall`) describe this published build, so they are saved with it.
        """
        rows = changed.result() if isinstance(changed, Meanwhile) else file_rows(changed)  # before this transaction
        try:
            self._db.execute("BEGIN")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (state.to_json(),))
            if statics is not None:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('statics', ?)", (json.dumps(sorted(statics)),))
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", (derived or {}).items())
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
            self._db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in removed))
            if every_route:
                self._db.execute("DELETE FROM routes")
            self._db.executemany("INSERT OR REPLACE INTO routes VALUES (?, ?)", fingerprints.items())
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._db.close()
            self._delete()

    def close(self) -> None:
        self._db.close()


FileRow = tuple[str, int, int, bytes]


def file_rows(changed: dict[str, CachedFile]) -> list[FileRow]:
    """New parses as the cache stores them (a cold build's, while its workers render: :func:`store_files`)."""
    return [(path, f.mtime_ns, f.size, pickle.dumps(f.briefing, protocol=pickle.HIGHEST_PROTOCOL))
            for path, f in changed.items()]


def store_files(path: Path, changed: dict[str, CachedFile]) -> list[FileRow]:
    """New parses pickled and stored in a connection of its own, by a thread while the workers render (issue 15:
    the parent's serial work); returns the rows it could not store, for :meth:`BuildCache.save` to store with
    the rest or meet the same error and start the cache afresh.

    Stored before the build publishes, a parse is still only what its file held at that size and mtime: a build
    that fails later leaves the next one a parse it need not redo, never a stale page.
    """
    rows = file_rows(changed)
    if not rows:
        return rows
    try:
        db = connect(path, timeout=60)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        finally:
            db.close()
    except sqlite3.Error:
        return rows
    return []
