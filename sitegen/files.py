"""Small file-system helpers every stage shares: where things go, and writing them safely.

Each exists once so that the rules they carry (a reader never sees half a file,
two builds never run over each other, no file is read past its size limit, a
briefing lives at one place for one date and slug) hold the same way in the
importer, the build, the preview and the checker.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from .errors import Problem, SiteError

BRIEFINGS_DIR = "briefings"
"""The folder under content/ (and the URL section) that holds briefings by year and month."""


def briefing_url(date: datetime, slug: str) -> str:
    """A briefing's site-relative URL: stable for its date and slug."""
    return f"/{BRIEFINGS_DIR}/{date:%Y/%m}/{slug}/"


def briefing_file(content_dir: Path, date: datetime, slug: str) -> Path:
    """Where a new briefing's Markdown goes, mirroring its URL: ``content/briefings/YYYY/MM/<slug>.md``."""
    return content_dir / BRIEFINGS_DIR / f"{date:%Y}" / f"{date:%m}" / f"{slug}.md"


def output_path_of(url: str) -> str:
    """Where a URL's file lives under the output folder; pretty URLs end in index.html."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def write_atomically(path: Path, data: bytes | str, durable: bool = False) -> None:
    """Write via a temporary file in the same folder, then rename it into place.

    Readers see the old file or the new one, never a half-written one. The
    temporary name starts with a dot and ends in ``.tmp``, so neither a build
    nor the preview's watcher mistakes it for content. ``durable`` also fsyncs
    before the rename, for authors' files that must survive a power cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    short = path.name.encode("utf-8")[:200].decode("utf-8", "ignore")  # the temporary name stays within 255 bytes
    temporary = path.with_name(f".{short}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(temporary, "xb") as stream:  # "x": created with the umask, never through a planted link
            stream.write(raw)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def try_lock(lock_path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on ``lock_path`` while inside; yields False (holding nothing) when taken.

    The kernel drops the lock when the process dies, so a killed build or
    preview never leaves a stale lock behind.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_size(path: Path, rel: str, limit: int) -> int:
    """The file's size, or a SiteError when it is over ``limit`` (site.yml ``max_file_size``)."""
    size = path.stat().st_size
    if size > limit:
        raise SiteError([Problem(rel, None, f"file is {size:,} bytes, over the {limit:,}-byte limit",
                                 "split it, or raise max_file_size in site.yml")])
    return size
