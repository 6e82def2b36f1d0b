"""Writing the output folder so readers never see a half-built site.

A build writes into a staging folder beside the output and then swaps the two
in one atomic ``renameat2(RENAME_EXCHANGE)`` call (two renames where the kernel
lacks it). Files whose bytes did not change are hard-linked from the previous
output, so their mtimes stay and rsync or a CDN upload sends only what changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Problem, SiteError

MARKER = ".sitegen-build"
PROTECTED = ("content", "seeds", "themes", "templates", "static", ".git")


def check_output_dir(output: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would destroy an author's files."""
    output, site_root = output.resolve(), site_root.resolve()
    hint = "choose another folder with `output:` in site.yml or --out, e.g. public"
    if output == site_root or site_root.is_relative_to(output):
        raise SiteError([Problem(str(output), None, "output folder would contain the whole site", hint)])
    for name in PROTECTED:
        if output.is_relative_to(site_root / name):
            raise SiteError([Problem(str(output), None, f"output folder lies inside {name}/", hint)])
    if output.exists() and not output.is_dir():
        kind = "file" if output.is_file() else "special file (a device, pipe or socket)"
        raise SiteError([Problem(str(output), None, f"output path is an existing {kind}, not a folder; "
                                 "it is left alone", hint)])
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SiteError([Problem(str(output), None, "folder exists and was not made by sitegen; it is left alone",
                                 "move it away, or " + hint)])


class OutputWriter:
    """Collects a build's files in a staging folder, reusing unchanged files of the previous output."""

    def __init__(self, staging: Path, previous: Path | None) -> None:
        self.staging = staging
        self.previous = previous if previous is not None and previous.is_dir() else None
        self.written: set[str] = set()
        self.reused = 0
        staging.mkdir(parents=True)

    def write(self, relpath: str, data: bytes) -> None:
        if relpath in self.written:
            raise SiteError([Problem(relpath, None, "two pages would write the same output file",
                                     "give one of the briefings or pages a different slug")])
        self.written.add(relpath)
        target = self.staging / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if self._same_as_previous(relpath, data):
            try:
                os.link(self.previous / relpath, target)  # type: ignore[operator]
                self.reused += 1
                return
            except OSError:
                pass
        with open(target, "wb") as handle:
            handle.write(data)

    def link_unchanged(self, relpaths: list[str]) -> set[str]:
        """Hard-link files known to be unchanged from the previous output; return those it lacked."""
        missing: set[str] = set()
        made: set[Path] = set()
        for relpath in relpaths:
            target = self.staging / relpath
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            try:
                os.link(self.previous / relpath, target)  # type: ignore[operator]
                self.written.add(relpath)
            except (OSError, TypeError):
                missing.add(relpath)
        return missing

    def link_tree(self, source: Path, relpath: str) -> bool:
        """Reuse a whole folder of the previous output (the search index); False if it is absent."""
        if not source.is_dir():
            return False
        shutil.copytree(source, self.staging / relpath, copy_function=os.link, dirs_exist_ok=False)
        return True

    def copy_file(self, source: Path, relpath: str) -> None:
        self.write(relpath, source.read_bytes())

    def _same_as_previous(self, relpath: str, data: bytes) -> bool:
        if self.previous is None:
            return False
        old = self.previous / relpath
        try:
            return old.stat().st_size == len(data) and old.read_bytes() == data
        except OSError:
            return False


class InPlaceWriter:
    """Replaces changed files one by one, each atomically; for the preview's own folder only.

    The published output always goes through :class:`OutputWriter` and a swap;
    the preview trades whole-site atomicity for millisecond rebuilds.
    """

    def __init__(self, output: Path) -> None:
        self.staging = output
        self.reused = 0
        output.mkdir(parents=True, exist_ok=True)
        (output / MARKER).touch()

    def write(self, relpath: str, data: bytes) -> None:
        target = self.staging / relpath
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                self.reused += 1
                return
        except OSError:
            target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)

    def copy_file(self, source: Path, relpath: str) -> None:
        self.write(relpath, source.read_bytes())

    def remove(self, relpaths: Iterable[str]) -> None:
        for relpath in relpaths:
            (self.staging / relpath).unlink(missing_ok=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the platform cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


def staging_path(output: Path) -> Path:
    return output.parent / f".{output.name}.staging-{os.getpid()}"


def remove_leftovers(output: Path) -> None:
    """Clean up after a killed build; safe because we hold the build lock.

    Where a kill fell between the two renames of the fallback swap, the last
    good site is put back first.
    """
    olds = sorted(output.parent.glob(f".{output.name}.old-*"))
    if olds and not output.exists():
        os.rename(olds.pop(), output)
    for path in [*olds, *output.parent.glob(f".{output.name}.staging-*")]:
        shutil.rmtree(path, ignore_errors=True)


def publish(staging: Path, output: Path) -> None:
    """Put the staging folder in the output's place in one step, then drop the old site."""
    (staging / MARKER).write_text("Built by sitegen. This folder is replaced on every build.\n")
    if output.exists():
        if not _exchange(staging, output):
            old = output.parent / f".{output.name}.old-{os.getpid()}"
            os.rename(output, old)
            os.rename(staging, output)
            staging = old
        shutil.rmtree(staging, ignore_errors=True)
    else:
        os.rename(staging, output)


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """One build per output folder at a time, so two builds never swap over each other."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteError([Problem(str(output), None, "another build of this site is running",
                                     "wait for it to finish, then build again")]) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
