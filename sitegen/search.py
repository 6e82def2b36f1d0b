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

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .errors import Problem

BINARY_ENV = "SITEGEN_PAGEFIND"
"""Environment variable naming a Pagefind binary to use instead of the one from pagefind-bin."""

BUNDLE_DIR = "pagefind"
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
    """What one Pagefind run produced, for the terminal and the benchmark."""

    pages: int
    words: int
    """Distinct words in the index, as Pagefind counts them."""
    bytes: int
    seconds: float

    def summary(self) -> str:
        return (f"Search index: {self.pages:,} briefings, {self.words:,} distinct words, "
                f"{self.bytes / 1e6:.1f} MB in {self.seconds:.2f} s")


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
        import pagefind_bin
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
    return subprocess.run([str(binary), "--site", ".", "--output-subdir", BUNDLE_DIR],
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
    """Index ``site_dir``; raise PagefindMissing, or OSError / CalledProcessError when Pagefind fails."""
    binary = find_pagefind()
    started = time.perf_counter()
    result = run_pagefind(binary, site_dir)
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, str(binary), result.stdout, result.stderr)
    return IndexStats(pages=_count(result.stdout, "page"), words=_count(result.stdout, "word"),
                      bytes=_folder_size(site_dir / BUNDLE_DIR), seconds=time.perf_counter() - started)


def index_site(site_dir: Path, stream: TextIO | None = None) -> list[Problem]:
    """Build the search index inside ``site_dir``; return problems instead of raising.

    Returns an empty list on success. On failure any half-written index is
    removed, so the published site never pairs new pages with a broken index.
    """
    stream = stream or sys.stderr
    try:
        with _Notice(stream, "Indexing for search…"):
            stats = build_index(site_dir)
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
    stream.write(stats.summary() + "\n")
    return []


def _remove_bundle(site_dir: Path) -> None:
    shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)
