"""The routes of the published site, kept so that ``sitegen build`` after a text edit renders only what shows it.

The preview keeps its last plan in memory; a command-line build starts with
nothing, and re-planning a large archive costs seconds (at 100,000 briefings,
most of a minute) for an edit that changes one page and its lists. So each
rendered route is stored in the build cache as it was rendered: its context
pickled with every briefing replaced by its file name (a row stays small, and
the briefing comes back as the cache's current parse of that file), and an
index of which files each route shows. A row counts only while its
fingerprint is the published one, so a failed or killed build can leave rows
behind but never a wrong one in use.

Rows are written by the render workers themselves, in the same pass that
renders them: nothing is shipped back to the parent process.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import io
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .cache import BuildCache, connect
from .content import Briefing, Content, Page
from .pages import Route


def _by_file(document: Content) -> tuple[Callable[[str], Content], tuple[str]]:
    return _stored_document, (document.rel,)


def _stored_document(rel: str) -> Content:  # pragma: no cover - replaced by each reader's own lookup
    raise LookupError(rel)


_DISPATCH = {**copyreg.dispatch_table, Briefing: _by_file, Page: _by_file}
_LOOKUP = (__name__, _stored_document.__name__)
_HOLDS_DOCUMENTS = _stored_document.__name__.encode()
"""In a stored route's bytes when its data holds a briefing or page. A route whose data holds none (the sitemap,
the indexes of topics, authors and months: links and counts) shows only what a file's shape decides, which a
text edit keeps, so it is not listed in ``shows``: the shortcut would load and hash it for nothing."""


def dump_route(route: Route) -> bytes:
    """The route pickled, its briefings and pages by file (``rel``). Its ``shows`` are left out: the ``shows``
    table holds them, and on an index of every briefing they would make loading it read the whole cache."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(dataclasses.replace(route, shows=()))
    return buffer.getvalue()


class _Reader(pickle.Unpickler):
    def __init__(self, data: bytes, documents: Callable[[str], Content]) -> None:
        super().__init__(io.BytesIO(data))
        self._documents = documents

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == _LOOKUP:
            return self._documents
        return super().find_class(module, name)


def load_route(data: bytes, documents: Callable[[str], Content]) -> Route:
    """A stored route, each briefing looked up by file through ``documents``."""
    route = _Reader(data, documents).load()
    if not isinstance(route, Route):
        raise pickle.UnpicklingError("not a route")
    return route


class RouteStore:
    """Writes rendered routes into the build cache's ``route_data``, ``route_prints`` and ``shows`` tables (:mod:`sitegen.cache`),
    from any process.

    Each process opens its own connection: forked render workers must not
    share the parent's.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = connect(self.path, timeout=60)
            self._pid = os.getpid()
        return self._db

    def keep(self, routes: Sequence[Route], fingerprints: Mapping[str, str]) -> None:
        """Store routes just rendered under the fingerprint this build gave them; a first build's workers store
        them before it is known, without one (a route without one never counts: :meth:`settle` gives it)."""
        if not routes:
            return
        rows = [(route.url, dump_route(route)) for route in routes]
        pairs = {(document.rel, route.url) for route, (_, data) in zip(routes, rows, strict=True)
                 if _HOLDS_DOCUMENTS in data for document in route.shows}
        with self._transaction() as db:
            db.executemany("DELETE FROM route_prints WHERE url = ?", ((route.url,) for route in routes))
            db.executemany("INSERT OR REPLACE INTO route_data VALUES (?, ?)", rows)
            db.executemany("INSERT INTO route_prints VALUES (?, ?)",
                           ((route.url, fingerprints[route.url]) for route in routes if route.url in fingerprints))
            db.executemany("INSERT OR IGNORE INTO shows VALUES (?, ?)", pairs)

    def settle(self, fingerprints: Mapping[str, str]) -> None:
        """Give the routes stored without a fingerprint (a first build's) the one this build computed meanwhile:
        a narrow table of its own, so the stored pickles are not written again."""
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO route_prints SELECT ?, ? WHERE EXISTS "
                           "(SELECT 1 FROM route_data WHERE url = ?)",
                           ((url, value, url) for url, value in fingerprints.items()))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction for many rows: each statement of a connection in autocommit is its own, and syncs."""
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def keep_unstored(self, routes: Sequence[Route], fingerprints: Mapping[str, str]) -> None:
        """Store the routes whose row is missing or not this build's (a build that never published left it):
        the next edit then finds every route it needs."""
        stored = dict(self._connection().execute("SELECT url, fingerprint FROM route_prints"))
        self.keep([route for route in routes if stored.get(route.url) != fingerprints[route.url]], fingerprints)

    def forget(self, urls: Iterable[str]) -> None:
        """Drop the rows of routes the site no longer has."""
        with self._transaction() as db:
            db.executemany("DELETE FROM route_data WHERE url = ?", ((url,) for url in urls))
            db.executemany("DELETE FROM route_prints WHERE url = ?", ((url,) for url in urls))

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


def stored_routes(cache: BuildCache, urls: Sequence[str],
                  documents: Callable[[str], Content]) -> list[tuple[Route, str]] | None:
    """The published routes at these URLs as they were rendered, each file looked up through ``documents``,
    each with its published fingerprint; None when any is missing or is not the published one (or the cache
    cannot say). A URL the site no longer has is left out."""
    published = cache.fingerprints_of(urls)
    if published is None:
        return None
    found: list[tuple[Route, str]] = []
    for url in urls:
        if url not in published:
            continue  # a pair in ``shows`` that outlived its route
        row = cache.stored_route(url)
        if row is None or row[0] != published[url]:
            return None
        try:
            found.append((load_route(row[1], documents), published[url]))
        except (pickle.UnpicklingError, LookupError, AttributeError, EOFError, TypeError, ValueError):
            return None
    return found
