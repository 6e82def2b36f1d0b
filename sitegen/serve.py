"""``sitegen serve``: a live preview beside the author's editor.

A preview session builds the site, drafts and future briefings included, into
its own folder (``.sitegen/preview/``), so a preview never leaves a production
``public/`` half-written. A threaded HTTP server serves that folder; watchdog
reports saved source files; one worker thread rebuilds, so two builds never
overlap. Every page the server sends carries a small script that listens on a
Server-Sent Events stream and reloads the page after each build. When a build
fails, pages are replaced by an error page naming file, line, problem and hint,
and the next good build brings them back by itself.

Threads: the main thread accepts connections; each request gets a daemon
thread that only reads the preview folder and the latest :class:`BuildOutcome`;
watchdog's thread queues changed paths; the rebuild worker is the only writer.
"""

from __future__ import annotations

import errno
import fcntl
import html
import json
import mimetypes
import os
import re
import secrets
import shutil
import socket
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from .build import Builder, BuildOptions, BuildResult
from .config import CONFIG_NAME, SiteConfig, load_config
from .errors import Problem, SiteError, format_problems
from .importers import ImportOptions, import_articles
from .search import index_site

PREVIEW_DIR = Path(".sitegen") / "preview"
WATCHED_DIRS = ("content", "seeds", "templates", "themes", "static")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
EVENTS_URL = "/__sitegen/events"
SCRIPT_URL = "/__sitegen/livereload.js"
DEBOUNCE_SECONDS = 0.1
SEARCH_QUIET_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0

# --- build outcomes, shared between the rebuild worker and the event streams ---


@dataclass(frozen=True)
class BuildOutcome:
    """What open pages need to know about the latest build."""

    session: str
    generation: int
    reload_from: int
    """The latest generation that needs a full page reload; builds after it only changed stylesheets."""
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_event(self) -> bytes:
        """One Server-Sent Event, read by livereload.js."""
        data = json.dumps({"session": self.session, "generation": self.generation,
                           "reloadFrom": self.reload_from, "ok": self.ok})
        return f"event: build\ndata: {data}\n\n".encode()


class BuildStatus:
    """The latest :class:`BuildOutcome`, and a way for event streams to wait for the next one."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._latest = BuildOutcome(secrets.token_hex(4), generation=0, reload_from=0)
        self.closed = False

    @property
    def latest(self) -> BuildOutcome:
        return self._latest

    def record(self, problems: Sequence[Problem] = (), stylesheets_only: bool = False) -> BuildOutcome:
        """Publish a finished build; pages reload unless only stylesheets changed since a good build."""
        with self._changed:
            previous = self._latest
            generation = previous.generation + 1
            swap = stylesheets_only and previous.ok and not problems
            self._latest = BuildOutcome(previous.session, generation,
                                        previous.reload_from if swap else generation, tuple(problems))
            self._changed.notify_all()
            return self._latest

    def wait_after(self, generation: int, timeout: float) -> BuildOutcome | None:
        """The first outcome newer than ``generation``; None on timeout or when the session closes."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self._latest.generation != generation, timeout)
            return None if self.closed or self._latest.generation == generation else self._latest

    def close(self) -> None:
        """End every event stream, so their threads finish."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


# --- the build seam: serve tells build.py which files changed ---


class Rebuilder(Protocol):
    """What the preview needs from build.py: catch up with ``changed`` files (all files when empty)."""

    def rebuild(self, changed: set[Path]) -> BuildResult: ...

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
        self.unsettled: set[Path] = set()

    def rebuild(self, changed: set[Path]) -> BuildResult:
        self.unsettled |= changed
        builder, restart = self.builder, False
        if builder is None or self.root / CONFIG_NAME in self.unsettled:
            self.close()
            builder = self.builder = Builder(load_config(self.root), self.options, in_place=True)
            restart = True
        self.unsettled |= import_seeds(builder.config, self.unsettled)
        scan_all = restart or not self.unsettled or any(changes_folders(p, builder.config) for p in self.unsettled)
        result = builder.build(None if scan_all else self.unsettled)
        self.unsettled = set()
        return result

    def close(self) -> None:
        if self.builder is not None:
            self.builder.close()
            self.builder = None


def changes_folders(path: Path, config: SiteConfig) -> bool:
    """A folder added, removed or renamed under content/: the builder reads changed files, so rescan instead."""
    return path.is_relative_to(config.content_dir) and (path.is_dir() or (not path.exists() and path.suffix != ".md"))


def import_seeds(config: SiteConfig, changed: set[Path]) -> set[Path]:
    """Import new or changed raw articles among ``changed``, as ``sitegen import`` would; return the files written."""
    raw = [path for path in changed if path.is_relative_to(config.seeds_dir) and path.is_file()]
    if not raw:
        return set()
    report = import_articles(config, raw, ImportOptions())
    if report.conflicts or report.problems:
        print(format_problems(report.conflicts + report.problems), file=sys.stderr, flush=True)
    print("\n".join(report.lines()), flush=True)
    return {config.root / change.target for change in report.imported + report.updated}


def preview_options(root: Path, base_url: str, drafts: bool) -> BuildOptions:
    """A preview build: its own folder, links to this server, and no search index on the reload path."""
    return BuildOptions(output=root / PREVIEW_DIR, drafts=drafts, future=drafts, base_url=base_url, search=False)


# --- watching the sources ---

_WRITES = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED, EVENT_TYPE_CLOSED})


def is_editor_noise(relpath: Path) -> bool:
    """Files editors write around a save (vim's ``4913`` and ``.swp``, emacs's ``.#lock`` and ``~``),
    and hidden files, which the build skips anyway: none of them should trigger a rebuild."""
    name = relpath.name
    return (any(part.startswith(".") for part in relpath.parts) or name.startswith("#") or name == "4913"
            or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp")))


class SourceWatcher(FileSystemEventHandler):
    """Reports each saved, added, removed or renamed source file of the site to ``on_change``.

    Only the source folders are watched (never the output or ``.venv/``), plus
    the site folder itself, non-recursively, for ``site.yml`` and for source
    folders created after the start.
    """

    def __init__(self, root: Path, on_change: Callable[[Path], None]) -> None:
        super().__init__()
        self.root = root
        self.on_change = on_change
        self.observer = Observer()
        self.watched: set[str] = set()

    def start(self) -> None:
        self.observer.schedule(self, str(self.root))
        for name in WATCHED_DIRS:
            self._watch(name)
        self.observer.start()

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=5)

    def _watch(self, name: str) -> None:
        folder = self.root / name
        if name not in self.watched and folder.is_dir():
            self.observer.schedule(self, str(folder), recursive=True)
            self.watched.add(name)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _WRITES or (event.is_directory and event.event_type == EVENT_TYPE_MODIFIED):
            return
        for path in (Path(os.fsdecode(raw)) for raw in (event.src_path, event.dest_path) if raw):
            if self._is_source(path):
                self.on_change(path)

    def _is_source(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        if not rel.parts or is_editor_noise(rel):
            return False
        if rel.parts[0] in WATCHED_DIRS:
            self._watch(rel.parts[0])
            return True
        return rel.parts == (CONFIG_NAME,)


class CoalescingWorker:
    """One thread that runs ``work`` on batches of changed paths.

    A batch starts once no change arrived for ``quiet`` seconds, because
    editors save in several steps; runs never overlap, and changes that arrive
    during a run queue exactly one more. ``finish`` runs last, in the same
    thread (the build cache's SQLite connection belongs to it).
    """

    def __init__(self, name: str, work: Callable[[set[Path]], object], quiet: float = DEBOUNCE_SECONDS,
                 finish: Callable[[], object] | None = None) -> None:
        self._work = work
        self._finish = finish
        self._quiet = quiet
        self._wake = threading.Condition()
        self._pending: set[Path] = set()
        self._requested = False
        self._last_change = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, *paths: Path) -> None:
        """Queue changed paths; with none, ask for a run over everything (the first build, a re-index)."""
        with self._wake:
            self._pending.update(paths)
            self._requested = True
            self._last_change = time.monotonic()
            self._wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _next_batch(self) -> set[Path] | None:
        """Wait for a request and then for a quiet moment; None when stopping."""
        with self._wake:
            while not self._stopping:
                quiet_for = time.monotonic() - self._last_change
                if self._requested and quiet_for >= self._quiet:
                    batch, self._pending, self._requested = self._pending, set(), False
                    return batch
                self._wake.wait(self._quiet - quiet_for if self._requested else None)
            return None

    def _run(self) -> None:
        try:
            while (batch := self._next_batch()) is not None:
                self._work(batch)
        finally:
            if self._finish is not None:
                self._finish()


# --- mapping request paths to files, safely ---


class BadRequestPath(ValueError):
    """A request path that is malformed or could name something outside the preview folder."""


_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


def request_path(target: str) -> str:
    """The decoded path of a request target.

    Refuses rather than repairs: a preview never needs encoded slashes or
    backslashes, NUL bytes, double-encoded escapes, ``.`` or ``..`` segments, or
    absolute-form targets, and each is a classic way around a naive path join.
    """
    raw = target.split("#", 1)[0].split("?", 1)[0]
    if not raw.startswith("/") or _ENCODED_SEPARATOR.search(raw):
        raise BadRequestPath(target)
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadRequestPath(target) from None
    segments = path.split("/")
    if "\\" in path or "\x00" in path or _PERCENT_ESCAPE.search(path) or "." in segments or ".." in segments:
        raise BadRequestPath(target)
    return path


@dataclass(frozen=True)
class Located:
    """Where a request path leads: a file, a redirect to the folder's URL, or nowhere (both None)."""

    file: Path | None = None
    redirect: str | None = None


def _inside(root: Path, candidate: Path) -> Path | None:
    """The real path of ``candidate`` if it stays inside ``root`` (a resolved path) once symlinks are followed."""
    real = candidate.resolve()
    return real if real.is_relative_to(root) else None


def locate(root: Path, path: str) -> Located:
    """The file a request path names under ``root``, with pretty URLs: a folder serves its index.html,
    and a folder asked for without its trailing slash redirects to it, so relative links resolve."""
    root = root.resolve()
    target = _inside(root, root.joinpath(*(part for part in path.split("/") if part)))
    if target is not None and target.is_dir():
        if not path.endswith("/"):
            return Located(redirect=quote(path + "/"))
        target = _inside(root, target / "index.html")
    return Located(file=target) if target is not None and target.is_file() else Located()


# --- what the server sends ---

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}
HTML_TYPE = CONTENT_TYPES[".html"]
TEXT_TYPE = CONTENT_TYPES[".txt"]


def content_type(path: Path) -> str:
    """Fixed types for what sites are made of, since system MIME tables disagree on .js, .xml and fonts."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def live_reload_script() -> bytes:
    return resources.files("sitegen").joinpath("livereload.js").read_bytes()


def with_live_reload(page: bytes, outcome: BuildOutcome, error_page: bool = False) -> bytes:
    """The page with the live-reload script before ``</body>``: added while serving, so built files never hold it."""
    tag = (f'<script src="{SCRIPT_URL}" data-session="{outcome.session}" data-generation="{outcome.generation}"'
           f' data-error="{int(error_page)}"></script>\n').encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def source_excerpt(root: Path, problem: Problem, around: int = 2) -> str:
    """The lines around a problem's line in the author's file, escaped, with that line marked; empty when
    the problem has no line or names no file of the site (a URL, the built-in theme)."""
    path = root / problem.path
    if not problem.line or Path(problem.path).is_absolute() or not path.is_file():
        return ""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    first, last = max(problem.line - around, 1), min(problem.line + around, len(lines))
    rows = [f'<span{" class=bad" if number == problem.line else ""}>{number:>4} │ {html.escape(lines[number - 1])}'
            f"</span>" for number in range(first, last + 1)]
    return f"<pre>{''.join(rows)}</pre>" if rows else ""


_ERROR_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff5f5;color:#1a1a1a}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}h1{color:#a40000;font-size:1.5rem}
li{margin:0 0 1.5rem}code,pre{font:14px/1.45 ui-monospace,monospace}
.where{font-weight:bold}.hint{white-space:pre-wrap;color:#444}
pre{background:#fff;border:1px solid #e3c0c0;padding:.5rem;overflow:auto}
pre span{display:block}pre .bad{background:#ffe0e0}
"""


def error_page(outcome: BuildOutcome, root: Path) -> bytes:
    """The page shown in place of every page while the site does not build: each problem with file,
    line, message, hint and the lines around it, all escaped (they quote the author's text)."""
    items = []
    for problem in outcome.problems:
        hint = f'<p class="hint">hint: {html.escape(problem.hint)}</p>' if problem.hint else ""
        items.append(f'<li><p class="where"><code>{html.escape(problem.location())}</code></p>'
                     f'<p class="message">{html.escape(problem.message)}</p>{hint}{source_excerpt(root, problem)}</li>')
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed · sitegen preview</title>'
            f"<style>{_ERROR_STYLE}</style></head><body><main><h1>The site could not be built</h1>"
            f"<p>Fix the file and save it: this page comes back by itself.</p><ol>{''.join(items)}</ol></main>"
            f"</body></html>")
    return with_live_reload(page.encode(), outcome, error_page=True)


# --- the HTTP server ---


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves the preview folder, the live-reload script and event stream, and the error page."""

    server: PreviewServer
    server_version = "sitegen-preview"

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Every other method (POST, PUT, DELETE, …) gets 405: a preview never changes anything."""
        if name.startswith("do_"):
            return self._refuse_method
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for build results, not one line per request."""

    def _refuse_method(self) -> None:
        self._send(405, b"Method not allowed: the preview answers GET and HEAD only.\n", TEXT_TYPE,
                   headers={"Allow": "GET, HEAD"})

    def _serve(self, send_body: bool) -> None:
        preview = self.server.preview
        try:
            path = request_path(self.path)
        except BadRequestPath:
            self._send(400, b"Bad request path.\n", TEXT_TYPE, send_body)
            return
        if path == EVENTS_URL:
            self._stream_events(send_body)
        elif path == SCRIPT_URL:
            self._send(200, live_reload_script(), CONTENT_TYPES[".js"], send_body)
        else:
            self._serve_site(path, preview, send_body)

    def _serve_site(self, path: str, preview: Preview, send_body: bool) -> None:
        outcome = preview.status.latest
        found = preview.locate(path)
        if found.redirect:
            query = self.path.partition("?")[2]
            self._send(301, b"", TEXT_TYPE, send_body,
                       headers={"Location": found.redirect + (f"?{query}" if query else "")})
        elif not outcome.ok and (found.file is None or found.file.suffix == ".html"):
            self._send(500, error_page(outcome, preview.root), HTML_TYPE, send_body)
        elif found.file is None:
            self._send_not_found(preview, outcome, send_body)
        else:
            self._send_file(200, found.file, outcome, send_body)

    def _send_not_found(self, preview: Preview, outcome: BuildOutcome, send_body: bool) -> None:
        """The theme's 404.html with status 404, or plain text when the site has none."""
        page = preview.locate("/404.html").file
        if page is None or not self._send_file(404, page, outcome, send_body):
            self._send(404, b"Not found.\n", TEXT_TYPE, send_body)

    def _send_file(self, status: int, path: Path, outcome: BuildOutcome, send_body: bool) -> bool:
        """Send a file (HTML with the live-reload script); False if it vanished under a rebuild."""
        kind = content_type(path)
        try:
            with open(path, "rb") as handle:
                if kind == HTML_TYPE:
                    self._send(status, with_live_reload(handle.read(), outcome), kind, send_body)
                else:
                    self._send_headers(status, kind, os.fstat(handle.fileno()).st_size)
                    if send_body:
                        shutil.copyfileobj(handle, self.wfile)
        except FileNotFoundError:
            return False
        return True

    def _send_headers(self, status: int, kind: str, length: int | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, status: int, body: bytes, kind: str, send_body: bool = True,
              headers: dict[str, str] | None = None) -> None:
        self._send_headers(status, kind, len(body), headers)
        if send_body:
            self.wfile.write(body)

    def _stream_events(self, send_body: bool) -> None:
        """Server-Sent Events: the latest build at once, then one event per build, and a comment now and
        then so a closed tab is noticed and its thread ends."""
        self._send_headers(200, "text/event-stream", None)
        status = self.server.preview.status
        if not send_body:
            return
        outcome = status.latest
        self.wfile.write(b"retry: 1000\n" + outcome.as_event())
        while True:
            newer = status.wait_after(outcome.generation, KEEPALIVE_SECONDS)
            if status.closed:
                return
            if newer is None:
                self.wfile.write(b": keep-alive\n\n")
            else:
                outcome = newer
                self.wfile.write(outcome.as_event())


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server for one preview session.

    Daemon threads, so open event streams never hold up the exit; a deep
    listen backlog, so a burst of clients is queued rather than refused.
    """

    daemon_threads = True
    request_queue_size = 512
    preview: Preview

    def __init__(self, host: str, port: int) -> None:
        self.address_family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        super().__init__((host, port), PreviewHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser closing a tab mid-response is normal, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def server_url(host: str, port: int) -> str:
    """The address to print and to build links with; a wildcard host is shown as this computer."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - naming, not binding
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def bind_problem(error: OSError, host: str, port: int) -> str:
    """Why the server could not listen, and what to type instead."""
    if error.errno == errno.EADDRINUSE:
        return (f"error: port {port} on {host} is already in use (another `sitegen serve`?).\n"
                f"    hint: pick another port, e.g. `sitegen serve --port {port + 1 if port < 65535 else 8001}`")
    if error.errno == errno.EACCES:
        return (f"error: not allowed to listen on port {port}.\n"
                f"    hint: ports below 1024 need special rights; use e.g. `sitegen serve --port 8000`")
    return (f"error: cannot listen on {host} port {port}: {error.strerror or error}.\n"
            f"    hint: check --host (e.g. 127.0.0.1) and --port (e.g. 8000)")


# --- the session ---


class Preview:
    """One preview session: the site, its preview folder, the builds, and what open pages are told.

    The rebuild worker is the only thread that builds; a second worker
    re-indexes search after builds, off the reload path.
    """

    def __init__(self, root: Path, builder: Rebuilder, search: bool) -> None:
        self.root = root
        self.output = root / PREVIEW_DIR
        self.builder = builder
        self.status = BuildStatus()
        self.rebuilds = CoalescingWorker("sitegen-rebuild", self.rebuild, finish=builder.close)
        self.search = CoalescingWorker("sitegen-search", self.index, quiet=SEARCH_QUIET_SECONDS) if search else None

    def start(self) -> None:
        """Start the workers and ask for the first build."""
        self.rebuilds.start()
        if self.search is not None:
            self.search.start()
        self.rebuilds.add()

    def stop(self) -> None:
        self.status.close()
        self.rebuilds.stop()
        if self.search is not None:
            self.search.stop()

    def locate(self, path: str) -> Located:
        return locate(self.output, path)

    def rebuild(self, changed: set[Path]) -> BuildOutcome:
        """Bring the preview up to date and tell open pages; a failure is shown to them, never raised."""
        previous = self.status.latest
        try:
            result = self.builder.rebuild(changed)
        except SiteError as error:
            print(format_problems(error.problems), file=sys.stderr, flush=True)
            return self.status.record(error.problems)
        except Exception as error:  # a bug or an I/O failure must not end the session
            traceback.print_exc()
            return self.status.record([Problem("sitegen", None, f"the build stopped: {error!r}",
                                               "the terminal shows the full traceback")])
        if result.warnings:
            print(format_problems(result.warnings), file=sys.stderr, flush=True)
        print(describe_build(result, changed, self.root), flush=True)
        if previous.ok and previous.generation and result.rendered == 0 and only_edited_content(changed, self.root):
            return previous  # same bytes as before (a second save, the importer's echo): no reload
        if self.search is not None:
            self.search.add()
        return self.status.record(stylesheets_only=bool(changed) and all(p.suffix == ".css" for p in changed))

    def index(self, changed: set[Path]) -> None:
        """Refresh the search index of the preview folder in place."""
        problems = index_site(self.output, stream=sys.stdout)
        if problems:
            print(format_problems(problems), file=sys.stderr, flush=True)


def only_edited_content(changed: set[Path], root: Path) -> bool:
    return bool(changed) and all(p.suffix == ".md" and p.is_relative_to(root / "content") and p.exists()
                                 for p in changed)


def describe_build(result: BuildResult, changed: set[Path], root: Path) -> str:
    """One line per build for the terminal: what was rendered, how fast, and after which change."""
    if not changed:
        return (f"Built the preview: {result.pages:,} pages, {result.briefings:,} briefings, "
                f"in {result.seconds:.2f} s")
    names = sorted(str(path.relative_to(root)) for path in changed)
    after = names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")
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
    lock_path = root / PREVIEW_DIR.parent / "preview.session.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def serve(site: Path, options: ServeOptions) -> int:
    """Build, serve and rebuild until Ctrl-C; return the exit code.

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


def run(server: PreviewServer, config: SiteConfig, options: ServeOptions) -> None:
    """The session itself: first build, then serve and rebuild until Ctrl-C."""
    root = config.root
    url = server_url(options.host, server.server_address[1])
    if options.host not in LOCAL_HOSTS:
        print(f"warning: listening on {options.host}: the preview, drafts included, "
              f"is reachable from the network.", file=sys.stderr)
    preview = Preview(root, PreviewBuilder(root, preview_options(root, url, options.drafts)), search=config.search)
    server.preview = preview
    watcher = SourceWatcher(root, preview.rebuilds.add)
    try:
        watcher.start()
        preview.start()
        preview.status.wait_after(0, timeout=None)
        print(f"Serving the preview at {url} (Ctrl-C to stop)", flush=True)
        if options.open_browser:
            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        watcher.stop()
        preview.stop()
        server.server_close()
