"""Writing the output folder so readers never see a half-written file.

A first (or ``--clean``) build writes into a staging folder beside the output
and then swaps the two in one atomic ``renameat2(RENAME_EXCHANGE)`` call (two
renames where the kernel lacks it). Later builds stage only the files that
changed and rename each over its old one: every file is always whole, old or
new, and the work is proportional to the change, not to the archive. Files
whose bytes did not change are never rewritten, so their mtimes stay and rsync
or a CDN upload sends only what changed.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from .errors import Problem, SiteError
from .files import try_lock, write_atomically
from .inventory import SiteFile

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


class Writer(Protocol):
    """Where rendered routes and static files go; the build talks to the output only through this.

    :class:`StagedPublisher` writes a complete copy beside the output and swaps
    it in at the end (a first or clean build); :class:`ChangedFilesPublisher` stages only the
    changed files and renames each into the live output; :class:`InPlacePublisher` (the
    preview's folder) replaces changed files one by one as they are rendered.
    Both compare bytes, so a file whose bytes did not change keeps its mtime
    (and counts as ``reused``).
    """

    root: Path
    """The folder being written now: the staging copy, or the output itself."""
    reused: int

    def write(self, relpath: str, data: bytes) -> None:
        """One file's bytes at ``relpath``."""

    def copy_file(self, source: SiteFile, relpath: str) -> None:
        """A static file, published as it is."""

    def keep(self, relpaths: Iterable[str]) -> set[str]:
        """Files known unchanged since the last build: keep them; return those the previous output lacks."""

    def keep_tree(self, relpath: str) -> bool:
        """Keep a whole folder of the previous output (the search index); False when there is none."""

    def remove(self, relpaths: Iterable[str]) -> None:
        """Files the last build published and this one does not."""

    def finish(self) -> None:
        """Make what was written the output."""

    def abort(self) -> None:
        """Undo what can be undone after a failed build; the output stays as it was where it can."""


class StagedPublisher:
    """Collects a build's files in a staging folder, reusing unchanged files of the previous output,
    then swaps the staging folder in for the output in one step."""

    def __init__(self, output: Path) -> None:
        remove_leftovers(output)
        self.output = output
        self.root = staging_path(output)
        self.previous = output if output.is_dir() else None
        self.written: set[str] = set()
        self.reused = 0
        self.root.mkdir(parents=True)
        self._folders: set[Path] = {self.root}

    def write(self, relpath: str, data: bytes) -> None:
        if relpath in self.written:
            raise SiteError([Problem(relpath, None, "two pages would write the same output file",
                                     "give one of the briefings or pages a different slug")])
        self.written.add(relpath)
        target = self.root / relpath
        self._folder(target.parent)
        if self.previous is not None and _same_bytes(self.previous / relpath, data):
            try:
                os.link(self.previous / relpath, target)
                self.reused += 1
                return
            except OSError:
                pass
        with open(target, "wb") as handle:
            handle.write(data)

    def copy_file(self, source: SiteFile, relpath: str) -> None:
        """A static file or picture; one the previous output already has, unchanged since, is hard-linked
        without reading either file (as ``make`` decides: same size, not older than its source)."""
        if self.previous is not None and relpath not in self.written:
            try:
                old = (self.previous / relpath).stat()
                if old.st_size == source.size and old.st_mtime_ns >= source.mtime_ns:
                    target = self.root / relpath
                    self._folder(target.parent)
                    os.link(self.previous / relpath, target)
                    self.written.add(relpath)
                    return
            except OSError:
                pass
        self.write(relpath, source.path.read_bytes())

    def keep(self, relpaths: Iterable[str]) -> set[str]:
        """Hard-link files known to be unchanged from the previous output; return those it lacked."""
        missing: set[str] = set()
        for relpath in relpaths:
            target = self.root / relpath
            self._folder(target.parent)
            if self.previous is None:
                missing.add(relpath)
                continue
            try:
                os.link(self.previous / relpath, target)
                self.written.add(relpath)
            except OSError:
                missing.add(relpath)
        return missing

    def _folder(self, folder: Path) -> None:
        """Make a folder of the staging copy, its parents first, each once: ``Path.mkdir(parents=True)`` tried
        and failed a ``mkdir`` for every missing parent and every existing folder (a page's feed, its second
        page), and system calls are what a page costs most here after rendering."""
        if folder in self._folders or folder == folder.parent:
            return
        self._folder(folder.parent)
        try:
            os.mkdir(folder)
        except FileExistsError:  # another worker process made it; a file there is still an error, as before
            if not folder.is_dir():
                raise
        self._folders.add(folder)

    def keep_tree(self, relpath: str) -> bool:
        source = self.output / relpath
        if not source.is_dir():
            return False
        shutil.copytree(source, self.root / relpath, copy_function=os.link, dirs_exist_ok=False)
        return True

    def remove(self, relpaths: Iterable[str]) -> None:
        """Nothing to do: a file not written to the staging folder is not in the new output."""

    def finish(self) -> None:
        publish(self.root, self.output)

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class ChangedFilesPublisher:
    """Publishes only the files that changed into the live output, each one atomically.

    Rendering writes the changed files into a staging folder beside the output
    (so a failed build publishes nothing); :meth:`finish` first calls
    ``unsettle`` (the build forgets, durably, that the routes it is about to
    touch are published), then renames each staged file over its old one and
    removes the files that are gone. A build killed meanwhile leaves every file
    whole, old or new, and the next build redoes the unsettled ones; the build
    state is written after this, last. Work is proportional to what changed,
    not to the archive.
    """

    def __init__(self, output: Path, unsettle: Callable[[], None]) -> None:
        remove_leftovers(output)
        self.output, self.unsettle = output, unsettle
        self.root = staging_path(output)
        self.reused = 0
        self.removed: list[str] = []
        self.root.mkdir(parents=True)
        self._live = os.fspath(output) + os.sep

    def write(self, relpath: str, data: bytes) -> None:
        if _same_bytes(self.output / relpath, data):
            self.reused += 1
            return
        target = self.root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)

    def copy_file(self, source: SiteFile, relpath: str) -> None:
        """A static file the output has unchanged since (same size, not older than its source) is left alone."""
        try:
            old = os.stat(self._live + relpath)
            if old.st_size == source.size and old.st_mtime_ns >= source.mtime_ns:
                return
        except OSError:
            pass
        self.write(relpath, source.path.read_bytes())

    def keep(self, relpaths: Iterable[str]) -> set[str]:
        """Those the output lacks (someone deleted them by hand): they are rendered again."""
        exists, live = os.path.exists, self._live
        return {relpath for relpath in relpaths if not exists(live + relpath)}

    def keep_tree(self, relpath: str) -> bool:
        return (self.output / relpath).is_dir()

    def remove(self, relpaths: Iterable[str]) -> None:
        self.removed.extend(relpaths)

    def finish(self) -> None:
        self.unsettle()
        (self.output / MARKER).touch()
        for folder, _, names in os.walk(self.root):
            if names:
                self._move(folder, Path(folder).relative_to(self.root), names)
        self._remove_gone()
        shutil.rmtree(self.root, ignore_errors=True)

    def _move(self, folder: str, inside: Path, names: list[str]) -> None:
        """Rename one staged folder's files into place, each over its old version."""
        place = self.output / inside
        for name in names:
            try:
                place.mkdir(parents=True, exist_ok=True)
                os.replace(os.path.join(folder, name), place / name)
            except OSError:  # a file that goes stands where a folder comes, or the other way round
                self._remove_gone()
                place.mkdir(parents=True, exist_ok=True)
                os.replace(os.path.join(folder, name), place / name)

    def _remove_gone(self) -> None:
        for relpath in self.removed:
            target = self.output / relpath
            target.unlink(missing_ok=True)
            _prune(target.parent, self.output)
        self.removed = []

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by a removed page, up to ``root``, as a fresh build would not make them."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class InPlacePublisher:
    """Replaces changed files one by one, each atomically; for the preview's own folder only.

    The published output always goes through :class:`StagedPublisher` and a swap;
    the preview trades whole-site atomicity for millisecond rebuilds. ``verify``
    (a builder's first build) checks that files the last build left are still there.
    """

    def __init__(self, output: Path, verify: bool = True) -> None:
        self.root = output
        self.verify = verify
        self.reused = 0
        output.mkdir(parents=True, exist_ok=True)
        (output / MARKER).touch()

    def write(self, relpath: str, data: bytes) -> None:
        target = self.root / relpath
        if _same_bytes(target, data):
            self.reused += 1
            return
        write_atomically(target, data)

    def copy_file(self, source: SiteFile, relpath: str) -> None:
        self.write(relpath, source.path.read_bytes())

    def keep(self, relpaths: Iterable[str]) -> set[str]:
        if not self.verify:
            return set()
        return {relpath for relpath in relpaths if not (self.root / relpath).exists()}

    def keep_tree(self, relpath: str) -> bool:
        return (self.root / relpath).is_dir()

    def remove(self, relpaths: Iterable[str]) -> None:
        for relpath in relpaths:
            (self.root / relpath).unlink(missing_ok=True)

    def finish(self) -> None:
        """Nothing to do: every file is in place as soon as it is written."""

    def abort(self) -> None:
        """Nothing to undo: each file written is whole, and the next build writes the rest."""


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the platform cannot."""
    import ctypes.util  # only a first or clean build swaps folders

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
    with try_lock(output.parent / f".{output.name}.lock") as locked:
        if not locked:
            raise SiteError([Problem(str(output), None, "another build of this site is running",
                                     "wait for it to finish, then build again")])
        yield
