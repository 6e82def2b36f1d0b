"""The search index: Pagefind, run over the rendered site before it is published.

Briefing pages mark what is searchable (``data-pagefind-body`` on the article,
plus title, date, topic, author and year); every other page has no such mark
and Pagefind leaves it out. Pagefind writes a static index into ``pagefind/``
inside the folder it is given. The build runs it on the staging folder, so a
published site and its index always come from the same build.

Search is a convenience, not the site: when Pagefind is missing or fails,
:func:`index_site` returns an error :class:`Problem` that says what to do, and
the build still publishes the pages (without an index; the search page then
says search is unavailable rather than showing stale results).
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .console import Progress
from .errors import Problem
from .shards import Entry, Shard, bundle_name, identity, link_farm, read_manifest, write_manifest

BINARY_ENV = "SITEGEN_PAGEFIND"
"""Environment variable naming a Pagefind binary to use instead of the one from pagefind-bin."""

BUNDLE_DIR = "pagefind"
OPTIONS: tuple[str, ...] = ()
"""Options every Pagefind run gets; part of a shard's identity, so changing them re-indexes every shard."""
PARALLEL_SHARDS = 4
"""Pagefind processes at once: each holds one shard's index in memory (about 180 MB per 1,000 briefings)."""
WHERE = "search index"
AFTER_FAILURE = "the pages were published without a search index"
INSTALL_HINT = ("install it with `python -m pip install 'pagefind-bin>=1.1,<2'`, "
                f"or set {BINARY_ENV} to the path of a pagefind binary, "
                "or build without search: `sitegen build --no-search` or `search: false` in site.yml")


class PagefindMissing(Exception):
    """No runnable Pagefind binary: what we found, and what to do about it."""

    def __init__(self, message: str, hint: str = INSTALL_HINT) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class IndexStats:
    """What one indexing produced, for the terminal and the benchmark: a whole index, with its distinct
    words as Pagefind counts them, or a sharded one, with how many of its shards had to be redone."""

    pages: int
    bytes: int
    seconds: float
    words: int | None = None
    """Distinct words in a whole index; a sharded one does not add them up."""
    shards: int = 1
    indexed: int = 1
    """Shards Pagefind ran on; the others were reused from the previous build."""

    def summary(self) -> str:
        made = (f", {self.words:,} distinct words" if self.words is not None else
                f" in {self.shards:,} shard{'' if self.shards == 1 else 's'} ({self.indexed:,} re-indexed)")
        return f"Search index: {self.pages:,} briefings{made}, {self.bytes / 1e6:.1f} MB in {self.seconds:.2f} s"


def find_pagefind() -> Path:
    """The Pagefind binary: ``$SITEGEN_PAGEFIND`` when set, else the one inside the pagefind-bin package.

    An explicit override is never second-guessed: if it points nowhere, that is
    reported rather than silently replaced by another binary.
    """
    override = os.environ.get(BINARY_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise PagefindMissing(f"{BINARY_ENV} is set to {override}, but there is no file there",
                                  f"point {BINARY_ENV} at a pagefind binary, or unset it to use the one from "
                                  "the pagefind-bin package, or build with --no-search")
        return path
    try:
        import pagefind_bin  # type: ignore[import-untyped]
    except ImportError:
        raise PagefindMissing("the pagefind-bin package is not installed in this Python environment") from None
    try:
        return pagefind_bin.get_executable()
    except FileNotFoundError as error:
        raise PagefindMissing(f"the pagefind-bin package has no binary for this platform ({error})") from None


def run_pagefind(binary: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run Pagefind over ``site_dir``, writing ``site_dir/pagefind/``.

    It runs inside ``site_dir`` so that a ``pagefind.yml`` lying around in the
    author's working folder cannot change what gets indexed.
    """
    return subprocess.run([str(binary), "--site", ".", "--output-subdir", BUNDLE_DIR, *OPTIONS],
                          cwd=site_dir, capture_output=True, text=True, errors="replace", check=False)


def _count(output: str, noun: str) -> int:
    match = re.search(rf"Indexed (\d+) {noun}", output)
    return int(match.group(1)) if match else 0


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(line for line in text.strip().splitlines()[-lines:])


class _Notice:
    """A line saying what is running, shown on a terminal while it runs and erased after."""

    def __init__(self, stream: TextIO, text: str) -> None:
        self.stream, self.text = stream, text
        self.enabled = stream.isatty()

    def __enter__(self) -> None:
        if self.enabled:
            self.stream.write(self.text)
            self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * len(self.text) + "\r")
            self.stream.flush()


def build_index(site_dir: Path) -> IndexStats:
    """One whole index of ``site_dir``; raise PagefindMissing, or OSError / CalledProcessError when Pagefind fails.

    The unsharded index: the preview's, and the reference the sharded one is tested against.
    """
    binary = find_pagefind()
    started = time.perf_counter()
    result = run_pagefind(binary, site_dir)
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, str(binary), result.stdout, result.stderr)
    stats = IndexStats(pages=_count(result.stdout, "page"), words=_count(result.stdout, "word"),
                       bytes=_folder_size(site_dir / BUNDLE_DIR), seconds=time.perf_counter() - started)
    entry = Entry("all", "", "", "", stats.pages, stats.bytes)
    write_manifest(site_dir / BUNDLE_DIR, [entry])
    return stats


def _tool_identity(binary: Path) -> str:
    """What decides how Pagefind indexes: its binary (path, size, mtime) and our options."""
    stat = binary.stat()
    return f"{binary}|{stat.st_size}|{stat.st_mtime_ns}|{' '.join(OPTIONS)}"


def _index_shard(binary: Path, farm: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary), "--site", ".", "--output-path", str(output), *OPTIONS],
                          cwd=farm, capture_output=True, text=True, errors="replace", check=False)


def build_shards(site_dir: Path, shards: Sequence[Shard], previous: Path | None,
                 progress: Progress | None = None) -> IndexStats:
    """Index ``site_dir`` shard by shard into ``site_dir/pagefind/<bundle>/``, reusing unchanged bundles.

    ``previous`` is the folder of the last published site (or ``site_dir``
    itself, for a folder updated in place): a bundle there whose shard's
    files are the same is hard-linked (or kept) instead of rebuilt. The
    manifest is written last; in place, bundles it no longer names are
    removed after it. Raises like :func:`build_index`.
    """
    binary = find_pagefind()
    started = time.perf_counter()
    tool = _tool_identity(binary)
    root = site_dir / BUNDLE_DIR
    root.mkdir(exist_ok=True)
    before = read_manifest(previous / BUNDLE_DIR) if previous is not None else {}
    entries: list[Entry] = []
    todo: list[tuple[Shard, str]] = []
    for shard in shards:
        bundle = bundle_name(shard, identity(shard, site_dir, tool))
        old = before.get(bundle)
        if old is not None and previous is not None and _reuse(previous / BUNDLE_DIR / bundle, root / bundle):
            entries.append(old)
            if progress:
                progress.advance(len(shard.members))
        else:
            todo.append((shard, bundle))
            entries.append(Entry(shard.name, bundle, shard.first.isoformat(), shard.last.isoformat(), 0, 0, shard.lang))
    farm = site_dir.with_name(f"{site_dir.name}-search")
    shutil.rmtree(farm, ignore_errors=True)
    indexed = dict(_run_all(binary, todo, site_dir, farm, progress))
    entries = [indexed.get(entry.bundle, entry) for entry in entries]
    _write_front(root, entries[0].bundle if entries else None)
    write_manifest(root, entries)
    if previous is not None and previous.resolve() == site_dir.resolve():
        kept = {entry.bundle for entry in entries}
        for folder in root.iterdir():
            if folder.is_dir() and folder.name not in kept:
                shutil.rmtree(folder, ignore_errors=True)
    return IndexStats(pages=sum(e.pages for e in entries), shards=len(entries), indexed=len(todo),
                      bytes=sum(e.bytes for e in entries), seconds=time.perf_counter() - started)


FRONT = Path(__file__).parent / "data" / "sharded-pagefind.js"
"""Pagefind's JavaScript API over all the shards, served as ``pagefind/pagefind.js``: see the file."""
BUNDLE_ONLY = ("pagefind.js", "pagefind-entry.json")
"""Files of a bundle that belong to its own index; the others (the UI's scripts and styles) are shared."""


def _write_front(root: Path, newest: str | None) -> None:
    """``pagefind/`` itself looks like one bundle: our ``pagefind.js``, and Pagefind's UI files from the newest shard.

    So Pagefind's own UI (``bundlePath: "/pagefind/"``) and scripts written for its API work unchanged.
    Each file is replaced atomically, for a folder that readers are using.
    """
    files = {"pagefind.js": FRONT}
    if newest is not None:
        for path in (root / newest).iterdir():
            shared = path.name not in BUNDLE_ONLY and path.suffix != ".pf_meta" and not path.name.startswith("wasm.")
            if shared and path.is_file():
                files[path.name] = path
    for name, source in files.items():
        temporary = root / f".{name}.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        if source == FRONT:
            shutil.copyfile(source, temporary)  # from the installed package: maybe another file system
        else:
            os.link(source, temporary)
        os.replace(temporary, root / name)


def _reuse(old: Path, new: Path) -> bool:
    """Keep or hard-link a previous bundle folder; False when it is not there to reuse."""
    if old.resolve() == new.resolve():
        return old.is_dir()
    if not old.is_dir():
        return False
    shutil.copytree(old, new, copy_function=os.link)
    return True


def _run_all(binary: Path, todo: list[tuple[Shard, str]], site_dir: Path, farm: Path,
             progress: Progress | None) -> Iterator[tuple[str, Entry]]:
    """Index the shards, a few Pagefind processes at a time; each process's memory is one shard's."""
    if not todo:
        return
    workers = max(1, min(os.cpu_count() or 1, PARALLEL_SHARDS, len(todo)))
    try:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            def one(item: tuple[Shard, str]) -> tuple[Shard, str, subprocess.CompletedProcess[str]]:
                shard, bundle = item
                shutil.rmtree(site_dir / BUNDLE_DIR / bundle, ignore_errors=True)  # half-written by a killed build
                source = link_farm(shard, site_dir, farm)
                try:
                    return shard, bundle, _index_shard(binary, source, site_dir / BUNDLE_DIR / bundle)
                finally:
                    shutil.rmtree(source, ignore_errors=True)

            for shard, bundle, result in pool.map(one, todo):
                if result.returncode != 0:
                    raise subprocess.CalledProcessError(result.returncode, str(binary), result.stdout, result.stderr)
                if progress:
                    progress.advance(len(shard.members))
                size = _folder_size(site_dir / BUNDLE_DIR / bundle)
                yield bundle, Entry(shard.name, bundle, shard.first.isoformat(), shard.last.isoformat(),
                                    _count(result.stdout, "page"), size, shard.lang)
    finally:
        shutil.rmtree(farm, ignore_errors=True)


def index_site(site_dir: Path, stream: TextIO | None = None, shards: Sequence[Shard] | None = None,
               previous: Path | None = None) -> list[Problem]:
    """Build the search index inside ``site_dir``; return problems instead of raising.

    With ``shards`` the index is sharded (see :mod:`sitegen.shards`) and
    unchanged shards of ``previous`` are reused; without, it is one whole
    index of the folder. Returns an empty list on success. On failure any
    half-written index is removed, so the published site never pairs new
    pages with a broken index.
    """
    stream = stream or sys.stderr
    try:
        if shards is None:
            with _Notice(stream, "Indexing for search…"):
                summary = build_index(site_dir).summary()
        else:
            with Progress("Indexing", sum(len(s.members) for s in shards), stream) as progress:
                summary = build_shards(site_dir, shards, previous, progress).summary()
    except PagefindMissing as error:
        return [Problem(WHERE, None, f"Pagefind not found: {error}; {AFTER_FAILURE}", error.hint)]
    except subprocess.CalledProcessError as error:
        _remove_bundle(site_dir)
        detail = _tail(f"{error.stdout}\n{error.stderr}")
        return [Problem(WHERE, None, f"Pagefind failed (exit code {error.returncode}); {AFTER_FAILURE}. "
                                     f"Its last words:\n{detail}",
                        f"fix what Pagefind reports and build again, or build with --no-search "
                        f"(Pagefind used: {error.cmd})")]
    except OSError as error:
        _remove_bundle(site_dir)
        return [Problem(WHERE, None, f"Pagefind could not be run: {error.strerror or error}; {AFTER_FAILURE}",
                        f"check that {error.filename or 'the binary'} is an executable file "
                        f"(chmod +x), or {INSTALL_HINT}")]
    stream.write(summary + "\n")
    return []


def _remove_bundle(site_dir: Path) -> None:
    shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)
