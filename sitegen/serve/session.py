"""One preview session: the builds, the workers that run them, and ``sitegen serve`` itself.

A session builds the site, drafts and future briefings included, into its own
folder (``.sitegen/preview/``), so a preview never leaves a production
``public/`` half-written. The watcher's batches arrive as :class:`ChangeSet`
values; one worker thread rebuilds, so two builds never overlap, and tells
open pages through :class:`BuildStatus`. When a build fails, pages show the
error page, and the next good build brings them back by itself.

Threads: the main thread runs the HTTP server's event loop, which only reads
the preview folder and the latest build outcome; watchdog's thread queues
changed paths; the rebuild worker is the only writer; a second worker
re-indexes search after builds, off the reload path.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..build import Builder, BuildOptions, BuildResult
from ..changes import ChangeSet
from ..config import SiteConfig, load_config
from ..content import links_outside
from ..errors import Problem, SiteError, display_path, format_problems
from ..files import try_lock
from ..importers import ImportOptions, import_articles
from ..search import index_site
from ..themes import theme_dirs
from .http import LOCAL_NAMES, PreviewServer, bind_problem, server_url
from .paths import Located, locate
from .reload import BuildOutcome, BuildStatus
from .watch import CoalescingWorker, SourceWatcher

PREVIEW_DIR = Path(".sitegen") / "preview"
SEARCH_QUIET_SECONDS = 1.0
SEARCH_NICENESS = 10


class Rebuilder(Protocol):
    """What the preview needs from build.py: catch up with a batch of changes."""

    def rebuild(self, changes: ChangeSet, early: Callable[[list[str]], object] | None = None) -> BuildResult: ...

    def close(self) -> None: ...


class PreviewBuilder:
    """Keeps build.py's long-lived :class:`Builder` between edits, so an edit re-reads and re-renders only
    what it touches (the builder knows which pages show which briefings; serve does not).

    A changed site.yml starts a fresh builder, since any page may change. After
    a failed build its changes are handed over again with the next ones, so a
    build never looks good while a file it skipped is still broken. New raw
    articles in seeds/ go through the importer first, as ``sitegen import``.
    """

    def __init__(self, root: Path, options: BuildOptions) -> None:
        self.root = root
        self.options = options
        self.builder: Builder | None = None
        self.unsettled: ChangeSet | None = None

    def rebuild(self, changes: ChangeSet, early: Callable[[list[str]], object] | None = None) -> BuildResult:
        if self.unsettled is not None:
            changes = self.unsettled | changes
        self.unsettled = changes
        if self.builder is None or changes.fresh_start:
            self.close()
            self.builder = Builder(load_config(self.root), self.options, in_place=True)
            changes = ChangeSet.full(self.root) | changes
        changes = changes.with_imported(import_seeds(self.builder.config, changes.seeds))
        result = self.builder.build(changes, early)
        self.unsettled = None
        return result

    def close(self) -> None:
        if self.builder is not None:
            self.builder.close()
            self.builder = None


def import_seeds(config: SiteConfig, raw: frozenset[Path]) -> set[Path]:
    """Import new or changed raw articles, as ``sitegen import`` would; return the files written.

    A file that appears in seeds/ as a link to something outside the site is
    not read, by the rule content/ follows (``seeds/passwd.txt -> /etc/passwd``
    must not be published by saving it while the preview runs)."""
    outside = sorted(path for path in raw if links_outside(path, config.root))
    if outside:
        print(format_problems([Problem(display_path(path, config.root), None,
                                       "symbolic link leads outside the site; not imported",
                                       "copy the file into seeds/ instead of linking to it", severity="warning")
                               for path in outside]), file=sys.stderr, flush=True)
    raw = raw.difference(outside)
    if not raw:
        return set()
    report = import_articles(config, sorted(raw), ImportOptions())
    if report.conflicts or report.problems:
        print(format_problems(report.conflicts + report.problems), file=sys.stderr, flush=True)
    print("\n".join(report.lines()), flush=True)
    return {config.root / change.target for change in report.imported + report.updated}


def preview_options(root: Path, base_url: str, drafts: bool) -> BuildOptions:
    """A preview build: its own folder, links to this server, and no search index on the reload path."""
    return BuildOptions(output=root / PREVIEW_DIR, drafts=drafts, future=drafts, base_url=base_url, search=False)


class Preview:
    """One preview session: the site, its preview folder, the builds, and what open pages are told."""

    def __init__(self, root: Path, builder: Rebuilder, search: bool) -> None:
        self.root = root
        self.output = root / PREVIEW_DIR
        self.builder = builder
        self.status = BuildStatus()
        self.rebuilds = CoalescingWorker("sitegen-rebuild", root, self.rebuild, finish=builder.close)
        self.search = (CoalescingWorker("sitegen-search", root, self.index, quiet=SEARCH_QUIET_SECONDS)
                       if search else None)

    def start(self) -> None:
        """Start the workers and ask for the first build."""
        self.rebuilds.start()
        if self.search is not None:
            self.search.start()
        self.rebuilds.add_everything()

    def stop(self) -> None:
        self.status.close()
        self.rebuilds.stop()
        if self.search is not None:
            self.search.stop()

    def locate(self, path: str) -> Located:
        return locate(self.output, path)

    def rebuild(self, changes: ChangeSet) -> BuildOutcome:
        """Bring the preview up to date and tell open pages; a failure is shown to them, never raised."""
        previous = self.status.latest
        early = self.status.record_pages if previous.ok and previous.generation else None
        try:
            result = self.builder.rebuild(changes, early)
        except SiteError as error:
            print(format_problems(error.problems), file=sys.stderr, flush=True)
            return self.status.record(error.problems)
        except Exception as error:  # a bug or an I/O failure must not end the session
            traceback.print_exc()
            return self.status.record([Problem("sitegen", None, f"the build stopped: {error!r}",
                                               "the terminal shows the full traceback")])
        if result.warnings:
            print(format_problems(result.warnings), file=sys.stderr, flush=True)
        print(describe_build(result, changes), flush=True)
        if previous.ok and previous.generation and result.rendered == 0 and changes.edits_only:
            return previous  # same bytes as before (a second save, the importer's echo): no reload
        outcome = self.status.record(stylesheets_only=changes.stylesheets_only)
        if self.search is not None:
            self.search.add_everything()
        return outcome

    def index(self, changes: ChangeSet) -> None:
        """Refresh the search index of the preview folder in place, at a lower CPU priority than the
        rebuilds: on Linux a thread has its own nice value, and Pagefind, started from this thread,
        inherits it, so indexing a large archive never slows the next save's rebuild."""
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SEARCH_NICENESS)
        problems = index_site(self.output, stream=sys.stdout)
        if problems:
            print(format_problems(problems), file=sys.stderr, flush=True)


def describe_build(result: BuildResult, changes: ChangeSet) -> str:
    """One line per build for the terminal: what was rendered, how fast, and after which change."""
    after = changes.describe()
    if changes.everything or not after:
        return (f"Built the preview: {result.pages:,} pages, {result.briefings:,} briefings, "
                f"in {result.seconds:.2f} s")
    return f"Rebuilt {result.rendered:,} of {result.pages:,} pages in {result.seconds:.2f} s after {after}"


@dataclass(frozen=True)
class ServeOptions:
    """What the person running ``sitegen serve`` asked for."""

    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    drafts: bool = True


@contextmanager
def preview_session(root: Path) -> Iterator[bool]:
    """Hold the site's preview folder for this session; yields False when another ``sitegen serve`` holds it.

    Two servers on one site would rebuild the same folder with different base URLs.
    """
    with try_lock(root / PREVIEW_DIR.parent / "preview.session.lock") as held:
        yield held


def serve(site: Path, options: ServeOptions) -> int:
    """Build, serve and rebuild until Ctrl-C or SIGTERM; return the exit code.

    The socket is bound before the first build, so a taken port is reported at
    once and the base URL holds the real port (``--port 0`` picks a free one).
    """
    config = load_config(site)
    with preview_session(config.root) as ours:
        if not ours:
            print("error: another `sitegen serve` is already previewing this site.\n"
                  "    hint: use the one that runs, or stop it (Ctrl-C in its terminal) first", file=sys.stderr)
            return 1
        try:
            server = PreviewServer(options.host, options.port)
        except OSError as error:
            print(bind_problem(error, options.host, options.port), file=sys.stderr)
            return 1
        run(server, config, options)
    return 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(server: PreviewServer, config: SiteConfig, options: ServeOptions) -> None:
    """The session itself: first build, then serve and rebuild until Ctrl-C or SIGTERM.

    SIGTERM stops it as cleanly as Ctrl-C does, since a session started in the
    background (``nohup``, a CI runner) may have SIGINT ignored.
    """
    root = config.root
    url = server_url(options.host, server.server_address[1])
    if options.host not in (*LOCAL_NAMES, "::1"):
        print(f"warning: listening on {options.host}: the preview, drafts included, "
              f"is reachable from the network.", file=sys.stderr)
    preview = Preview(root, PreviewBuilder(root, preview_options(root, url, options.drafts)), search=config.search)
    server.site = preview
    watcher = SourceWatcher(root, preview.rebuilds.add, also=[theme / "locales" for theme in theme_dirs(config)])
    previous_handler = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        watcher.start()
        preview.start()
        preview.status.wait_after(0, timeout=None)
        print(f"Serving the preview at {url} (Ctrl-C to stop)", flush=True)
        if options.open_browser:
            webbrowser.open(url)
        server.serve_forever()
        print("Stopped.", flush=True)
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        watcher.stop()
        preview.stop()
        server.server_close()
