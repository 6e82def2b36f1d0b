"""The search index in shards: which briefings go into which Pagefind bundle, and which bundles are still good.

Pagefind holds a whole index in memory while it writes it, and its time grows
faster than the page count, so one index over a large archive is slow and
big (1.8 GB at 10,000 briefings), and every edit re-indexes everything. So the
index is cut by date into shards, one Pagefind bundle each: a year, or for a
year of more than :data:`SHARD_PAGES` briefings its quarters, or for such a
quarter its months. A shard's boundaries depend only on its own briefings,
so a new briefing never moves another year's pages between shards.

A shard is identified by its members' files: path, inode, size and mtime.
The build hard-links unchanged pages from the previous output (same inode,
same mtime) and writes changed ones anew, so an unchanged identity means the
bundle built from those files is still right and is reused as it is; only
shards holding a changed, added or removed briefing are indexed again.

The reader's browser merges the shards with Pagefind's ``mergeIndex``:
results are ranked by score across all of them and filter counts add up.
``pagefind/shards.json`` lists them (see :func:`manifest`), newest first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

SHARD_PAGES = 1000
"""Above this many briefings a year is split into quarters, and such a quarter into months.

Small enough that re-indexing one shard after an edit takes about a second on
a slow machine, large enough that a reader's browser merges few bundles (7 for
an archive of 7 years of up to 1,000 briefings a year)."""

MANIFEST = "shards.json"
SHARDS = "shards"
"""The build cache's key for the shards of the published index (:func:`shards_json`)."""
FORMAT = 1
"""Bumped when the manifest's meaning changes, so readers of an older one can tell."""


@dataclass(frozen=True)
class Shard:
    """One Pagefind bundle: a span of dates and the output files of the briefings in it."""

    name: str
    """``2024``, ``2024-q3`` or ``2024-07``: also the start of its bundle folder's name."""
    first: date
    last: date
    members: tuple[str, ...]
    """Output paths (``briefings/2024/07/x/index.html``), sorted."""
    lang: str = ""
    """The language edition whose briefings it holds, on a site of several languages; else empty."""


def shards_json(shards: Sequence[Shard]) -> str:
    """The shards a build indexed, kept in the build cache so a later build can re-index one without re-planning."""
    return json.dumps([[s.name, s.first.isoformat(), s.last.isoformat(), s.members, s.lang] for s in shards])


def shards_from_json(text: str) -> list[Shard]:
    """What :func:`shards_json` wrote; ValueError for anything else."""
    try:
        return [Shard(name, date.fromisoformat(first), date.fromisoformat(last), tuple(members), lang)
                for name, first, last, members, lang in json.loads(text)]
    except (TypeError, KeyError) as error:
        raise ValueError(str(error)) from None


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _span(name: str) -> tuple[date, date]:
    """The calendar dates a shard name covers, both ends included."""
    year = int(name[:4])
    if len(name) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    if name[5] == "q":
        quarter = int(name[6])
        first = date(year, 3 * quarter - 2, 1)
        after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    else:
        month = int(name[5:7])
        first = date(year, month, 1)
        after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, date.fromordinal(after.toordinal() - 1)


def _split(groups: dict[str, list[tuple[str, date]]], finer: Any, limit: int) -> dict[str, list[tuple[str, date]]]:
    """Replace each group bigger than ``limit`` by its parts under ``finer``."""
    result: dict[str, list[tuple[str, date]]] = {}
    for name, items in groups.items():
        if len(items) <= limit:
            result[name] = items
            continue
        for relpath, day in items:
            result.setdefault(finer(day), []).append((relpath, day))
    return result


def plan_shards(pages: Iterable[tuple[str, date]], limit: int = SHARD_PAGES, lang: str = "") -> list[Shard]:
    """Group searchable pages (output path, publication date) of one language edition into shards, newest first."""
    groups: dict[str, list[tuple[str, date]]] = {}
    for relpath, day in pages:
        groups.setdefault(f"{day.year:04d}", []).append((relpath, day))
    groups = _split(groups, lambda day: f"{day.year:04d}-q{_quarter(day)}", limit)
    groups = _split(groups, lambda day: f"{day.year:04d}-{day.month:02d}", limit)
    shards = [Shard(name, *_span(name), tuple(sorted(relpath for relpath, _ in items)), lang)
              for name, items in groups.items()]
    return sorted(shards, key=lambda shard: shard.first, reverse=True)


def plan_edition_shards(pages: dict[str, list[tuple[str, date]]], limit: int = SHARD_PAGES) -> list[Shard]:
    """Shards per language edition, so no bundle mixes languages: a reader's browser loads only the shards
    of the search page's own language, and Pagefind stems each with its language's rules."""
    shards = [shard for lang, found in pages.items() for shard in plan_shards(found, limit, lang)]
    return sorted(shards, key=lambda shard: shard.first, reverse=True)


def searchable_pages(pages: Iterable[Any]) -> dict[str, list[tuple[str, date]]]:
    """The output path and date of every page that shows one briefing as its own (``briefing.html``),
    by language edition (``""`` on a one-language site).

    Only those carry ``data-pagefind-body``; a briefing whose front matter says
    ``search: false`` is left out.
    """
    found: dict[str, list[tuple[str, date]]] = {}
    for page in pages:
        item = page.context.get("page")
        if getattr(item, "kind", None) != "briefing" or item.date is None:
            continue
        if item.meta.get("search") is False or getattr(item, "search", True) is False:
            continue
        found.setdefault(page.context.get("lang", ""), []).append((page.output_path, item.date.date()))
    return found


def identity(shard: Shard, site_dir: Path, tool: str) -> str:
    """A short hash of the shard's member files as they are on disk, and of the tool that indexes them.

    Equal identities mean the same files (an unchanged page is the previous
    build's file, hard-linked: same inode and mtime), so the same index.
    """
    name = f"{shard.lang}/{shard.name}" if shard.lang else shard.name
    digest = hashlib.blake2b(f"{FORMAT}|{tool}|{name}".encode(), digest_size=8)
    for relpath in shard.members:
        try:
            stat = os.stat(site_dir / relpath)
        except OSError:
            digest.update(f"{relpath}|missing;".encode())
            continue
        digest.update(f"{relpath}|{stat.st_ino}|{stat.st_size}|{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def bundle_name(shard: Shard, ident: str) -> str:
    """A bundle folder per shard and content: a changed shard gets a new folder, so none is ever half-replaced."""
    return f"{shard.lang}-{shard.name}-{ident}" if shard.lang else f"{shard.name}-{ident}"


@dataclass(frozen=True)
class Entry:
    """One line of the manifest: a shard's bundle, its span and what it holds."""

    name: str
    bundle: str
    first: str
    last: str
    pages: int
    bytes: int
    lang: str = ""


def manifest(entries: Sequence[Entry]) -> str:
    """``pagefind/shards.json``, what a search page reads to find the bundles.

    ``{"format": 1, "shards": [{"name": "2024", "bundle": "2024-5f0c.../", "first": "2024-01-01",
    "last": "2024-12-31", "pages": 412, "bytes": 1203311}, ...]}``: newest first; on a site of several
    languages each entry also names its edition's language (``"lang": "ar"``) and a search page
    uses only the shards of its own;
    ``bundle`` is relative to the manifest's own folder and ends in ``/``
    (``""`` would be the folder itself); load ``pagefind.js`` (or
    ``pagefind-ui.js``) from the first bundle and merge the others with
    ``mergeIndex``. ``first`` and ``last`` bound the briefings' dates, so a
    search limited to some years may skip shards outside them.
    """
    shards = [{"name": e.name, "bundle": f"{e.bundle}/" if e.bundle else "", "first": e.first, "last": e.last,
               "pages": e.pages, "bytes": e.bytes, **({"lang": e.lang} if e.lang else {})} for e in entries]
    return json.dumps({"format": FORMAT, "shards": shards}, indent=1) + "\n"


def read_manifest(folder: Path) -> dict[str, Entry]:
    """The entries of ``folder/shards.json`` by bundle folder name; empty when missing or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {e["bundle"].rstrip("/"): Entry(e["name"], e["bundle"].rstrip("/"), e["first"], e["last"],
                                               int(e["pages"]), int(e["bytes"]), str(e.get("lang", "")))
                for e in data["shards"] if data.get("format") == FORMAT}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_manifest(folder: Path, entries: Sequence[Entry]) -> None:
    """Write the manifest atomically: a reader sees the old list of bundles or the new one."""
    temporary = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    temporary.write_text(manifest(entries), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)


def link_farm(shard: Shard, site_dir: Path, farm: Path) -> Path:
    """A folder holding hard links to exactly the shard's pages, at their own paths, for Pagefind to walk.

    Pagefind takes a folder and a glob, not a list of files; linking costs a
    few microseconds per page and keeps the shard independent of URL layout.
    """
    root = farm / (f"{shard.lang}-{shard.name}" if shard.lang else shard.name)  # one folder per shard
    made: set[Path] = set()
    for relpath in shard.members:
        target = root / relpath
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        os.link(site_dir / relpath, target)
    return root
