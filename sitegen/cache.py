"""The build cache: parsed briefings and page fingerprints kept between builds.

It lives in ``<site>/.sitegen/cache.sqlite`` (never in the home folder) and is
only an accelerator: every entry is keyed by the file's size and mtime plus a
fingerprint of everything that shapes parsing (settings, sitegen's version).
A cache that cannot be opened or read is deleted and rebuilt, never trusted.
SQLite's journal makes each save atomic, so a killed build leaves the old
cache or the new one.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .content import Briefing

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
"""


class BuildCache:
    """Parsed briefings by file, and the fingerprint each output page was rendered from."""

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
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if row is None or row[0] != fingerprint:
            db.executescript("DELETE FROM files; DELETE FROM pages;")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        return db

    def _delete(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def briefings(self) -> dict[str, tuple[int, int, Briefing]]:
        """Every cached briefing by path, with the size and mtime it was parsed at."""
        found: dict[str, tuple[int, int, Briefing]] = {}
        try:
            for path, mtime_ns, size, data in self._db.execute("SELECT path, mtime_ns, size, data FROM files"):
                try:
                    found[path] = (mtime_ns, size, pickle.loads(data))  # noqa: S301 - our own file
                except Exception:  # noqa: S112 - an unreadable entry is simply a miss
                    continue
        except sqlite3.DatabaseError:
            return {}
        return found

    def page_fingerprints(self) -> dict[str, str]:
        try:
            return dict(self._db.execute("SELECT url, fingerprint FROM pages"))
        except sqlite3.DatabaseError:
            return {}

    def sources_state(self) -> str:
        """What the last successful build was made from (see ``Builder``); empty when unknown."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
        except sqlite3.DatabaseError:
            return ""
        return row[0] if row else ""

    def save(self, changed: Iterable[tuple[str, int, int, Briefing]], removed: Iterable[str],
             fingerprints: dict[str, str], sources: str = "", every_page: bool = True) -> None:
        """Store new parses, forget deleted files and record page fingerprints, in one transaction.

        ``every_page`` replaces the whole page table; otherwise only the given pages are updated.
        """
        try:
            self._db.execute("BEGIN")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('sources', ?)", (sources,))
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                                 ((p, m, s, pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL)) for p, m, s, b in changed))
            self._db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in removed))
            if every_page:
                self._db.execute("DELETE FROM pages")
            self._db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)", fingerprints.items())
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._db.close()
            self._delete()

    def close(self) -> None:
        self._db.close()
