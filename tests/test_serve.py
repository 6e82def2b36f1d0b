"""``sitegen serve``: a real preview server in a subprocess, real HTTP, real edits, headless Chromium."""

from __future__ import annotations

import contextlib
import json
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sitegen.changes import ChangeSet
from sitegen.errors import Problem
from sitegen.serve.paths import BadRequestPath, locate, request_path
from sitegen.serve.reload import BuildStatus, error_page, with_live_reload
from sitegen.serve.watch import CoalescingWorker, is_editor_noise

from .helpers import REPO, run_sitegen, start_sitegen

FIXTURE = REPO / "tests" / "fixtures" / "serve-site"
BRIEFING = "content/briefings/2024/05/ceasefire-talks.md"
BRIEFING_URL = "/briefings/2024/05/ceasefire-talks-resume-in-doha/"
TITLE = "h1:has-text('Ceasefire talks resume in Doha')"
SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT"


class Server:
    """``sitegen serve --port 0`` in a subprocess; its output lines are collected as they come."""

    def __init__(self, site: Path, *args: str, sigint: str = "terminal") -> None:
        self.site = site
        self.process = start_sitegen("serve", "--site", site, *args, sigint=sigint,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        match = self.wait_for(r"Serving the preview at (http://\S+)")
        self.url = match.group(1).rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._arrived:
                self.lines.append(line)
                self._arrived.notify_all()

    def wait_for(self, pattern: str, timeout: float = 30, start: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for line in self.lines[start:]:
                    if match := re.search(pattern, line):
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(f"no line matching {pattern!r}; output:\n{''.join(self.lines)}")
                self._arrived.wait(min(left, 0.2))

    def stop(self) -> tuple[int, str]:
        """SIGTERM, which stops the server as cleanly as Ctrl-C, also when it runs with SIGINT ignored
        (``sigint="ignored"``, as under ``nohup``); returns the exit code and the whole output."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        time.sleep(0.1)
        return code, "".join(self.lines)


def raw_get(port: int, target: str, method: str = "GET", timeout: float = 10) -> tuple[int, bytes, bytes]:
    """One request with the target sent byte for byte (no client-side normalising); (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(f"{method} {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def header(head: bytes, name: str) -> str:
    match = re.search(rf"^{name}: (.*)$".encode(), head, re.IGNORECASE | re.MULTILINE)
    return match.group(1).decode().strip() if match else ""


class EventStream:
    """A client of /__sitegen/events, collecting build events in a queue."""

    def __init__(self, port: int) -> None:
        self.conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.conn.sendall(b"GET /__sitegen/events HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        self.events: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        with self.conn.makefile("rb") as stream:
            for line in stream:
                if line.startswith(b"data: "):
                    self.events.put(json.loads(line[6:]))

    def next(self, timeout: float = 20) -> dict:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self.conn.close()


def copy_site(tmp: Path, search: bool = False) -> Path:
    site = tmp / "site"
    shutil.copytree(FIXTURE, site)
    (site / "seeds").mkdir()
    if search:
        edit(site / "site.yml", lambda text: text.replace("search: false", "search: true"))
    return site


def edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def wait_until(check: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One preview server for the HTTP tests; stopping it checks the clean Ctrl-C exit."""
    running = Server(copy_site(tmp_path_factory.mktemp("serve")), "--port", "0")
    yield running
    code, output = running.stop()
    assert code == 0 and "Traceback" not in output and "Stopped." in output, output


# --- the request path and the files it may reach --------------------------------------------


@pytest.mark.parametrize("target", [
    "/../site.yml", "/a/../../x", "/%2e%2e/site.yml", "/%2E%2E/%2e%2e/etc/passwd", "/..%2fsite.yml",
    "/%2fetc/passwd", "/%252e%252e/site.yml", "/%25%32%65%25%32%65/x", "/..%5csite.yml", "/..\\site.yml",
    "/a%00.html", "/./index.html", "http://127.0.0.1/../site.yml", "site.yml", "/%ff%fe",
])
def test_request_path_refuses_ways_out(target):
    with pytest.raises(BadRequestPath):
        request_path(target)


def test_request_path_decodes_ordinary_paths():
    assert request_path("/briefings/2024/05/caf%C3%A9/?q=1#top") == "/briefings/2024/05/café/"
    assert request_path("/etc/passwd") == "/etc/passwd"  # a path *inside* the root, which does not exist


def test_locate_follows_pretty_urls_and_refuses_links_out(tmp_path):
    root, outside = tmp_path / "out", tmp_path / "secret"
    (root / "a").mkdir(parents=True)
    outside.mkdir()
    (root / "a" / "index.html").write_text("a")
    (outside / "index.html").write_text(SECRET)
    (root / "leak").symlink_to(outside, target_is_directory=True)
    (root / "leak.html").symlink_to(outside / "index.html")
    (root / "b").mkdir()
    (root / "b" / "index.html").symlink_to(outside / "index.html")
    assert locate(root, "/a/").file == (root / "a" / "index.html").resolve()
    assert locate(root, "/a").redirect == "/a/"
    for path in ("/leak/", "/leak/index.html", "/leak.html", "/b/", "/missing/", "/etc/passwd"):
        assert locate(root, path).file is None, path


def test_editor_temp_files_are_ignored():
    for name in (".#ceasefire.md", "ceasefire.md~", ".ceasefire.md.swp", "4913", "#ceasefire.md#", ".git/index"):
        assert is_editor_noise(Path("content") / name), name
    assert not is_editor_noise(Path("content/briefings/ceasefire.md"))


def test_live_reload_goes_before_the_last_body_close():
    outcome = BuildStatus().record()
    page = with_live_reload(b"<html><body><p>&lt;/body&gt;</p></BODY></html>", outcome).decode()
    assert page.index("/__sitegen/livereload.js") < page.index("</BODY>")
    assert f'data-generation="{outcome.generation}"' in page


def test_error_page_escapes_what_it_quotes(tmp_path):
    (tmp_path / "bad.md").write_text("---\ntitle: x\ndate: <script>alert(1)</script>\n---\n")
    outcome = BuildStatus().record([Problem("bad.md", 3, "`date` is not valid: <script>alert(1)</script>",
                                            "write <b>an ISO date</b>")])
    page = error_page(outcome, tmp_path).decode()
    assert "<script>alert(1)" not in page and "<b>an" not in page
    assert "bad.md:3" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "write &lt;b&gt;an ISO date&lt;/b&gt;" in page


# --- the rebuild worker -------------------------------------------------------------------------


def test_worker_coalesces_bursts_and_never_builds_twice_at_once():
    batches: list[frozenset[Path]] = []
    running = threading.Semaphore(1)
    overlapped = threading.Event()

    def rebuild(changes: ChangeSet) -> None:
        if not running.acquire(blocking=False):
            overlapped.set()
        batches.append(changes.paths)
        time.sleep(0.3)
        running.release()

    finished_in: list[str] = []
    worker = CoalescingWorker("test-rebuild", Path("/"), rebuild, quiet=0.05,
                              finish=lambda: finished_in.append(threading.current_thread().name))
    worker.start()
    try:
        for name in "abc":
            worker.add(Path("/") / name)
            time.sleep(0.01)
        time.sleep(0.15)  # the first build is running now
        for name in "def":
            worker.add(Path("/") / name)
        deadline = time.monotonic() + 5
        while len(batches) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
    finally:
        worker.stop()
    assert batches == [{Path("/a"), Path("/b"), Path("/c")}, {Path("/d"), Path("/e"), Path("/f")}]
    assert not overlapped.is_set()
    assert finished_in == ["test-rebuild"]  # the build cache's SQLite connection is closed where it was opened


# --- the running server -------------------------------------------------------------------------


def test_serves_pages_with_the_reload_script_and_drafts(server):
    status, head, body = raw_get(server.port, BRIEFING_URL)
    assert status == 200 and header(head, "Content-Type") == "text/html; charset=utf-8"
    assert b"Ceasefire talks resume in Doha" in body and b"/__sitegen/livereload.js" in body
    assert f'href="{server.url}{BRIEFING_URL}"'.encode() in body  # base_url is the server
    status, _, body = raw_get(server.port, "/")
    assert status == 200 and b"Unfinished note on shipping rates" in body  # drafts are previewed
    status, head, body = raw_get(server.port, "/__sitegen/livereload.js")
    assert status == 200 and header(head, "Content-Type").startswith("text/javascript") and b"EventSource" in body


@pytest.mark.parametrize(("path", "expected"), [
    ("/style.css", "text/css; charset=utf-8"), ("/logo.svg", "image/svg+xml"), ("/font.woff2", "font/woff2"),
    ("/data.json", "application/json"),
])
def test_content_types(server, path, expected):
    status, head, body = raw_get(server.port, path)
    assert status == 200 and header(head, "Content-Type") == expected
    assert b"__sitegen" not in body  # only HTML gets the script


def test_pretty_urls_redirect_and_missing_pages_get_the_404_page(server):
    status, head, _ = raw_get(server.port, "/about-this-archive?x=1")
    assert status == 301 and header(head, "Location") == "/about-this-archive/?x=1"
    assert raw_get(server.port, "/about-this-archive/")[0] == 200
    status, head, body = raw_get(server.port, "/no/such/page/")
    assert status == 404 and b"Page not found" in body and b"/__sitegen/livereload.js" in body


def test_head_works_and_other_methods_get_405(server):
    status, head, body = raw_get(server.port, BRIEFING_URL, method="HEAD")
    assert status == 200 and body == b"" and int(header(head, "Content-Length")) > 0
    get_length = len(raw_get(server.port, BRIEFING_URL)[2])
    assert int(header(head, "Content-Length")) == get_length
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"):
        status, head, _ = raw_get(server.port, BRIEFING_URL, method=method)
        assert status == 405 and header(head, "Allow") == "GET, HEAD", method


def test_traversal_attempts_never_return_files_outside_the_root(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    output = server.site / ".sitegen" / "preview"
    (output / "leak.txt").symlink_to(secret)
    (output / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    attempts = [
        "/../site.yml", "/../../site.yml", "/%2e%2e/%2e%2e/site.yml", "/..%2f..%2fsite.yml",
        "/%252e%252e/%252e%252e/site.yml", "/..\\..\\site.yml", "/%5c..%5c..%5csite.yml",
        "/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd",
        "//etc/passwd", f"/{secret}", f"//{secret}", f"http://127.0.0.1{secret}",
        "http://127.0.0.1/../../site.yml", "/a/%00/../../site.yml", "/leak.txt", "/leakdir/secret.txt",
    ]
    site_yml = (server.site / "site.yml").read_bytes()
    for target in attempts:
        status, _, body = raw_get(server.port, target)
        assert status in (400, 404), (target, status)
        assert SECRET.encode() not in body and site_yml not in body and b"root:x:0" not in body, target


def test_300_concurrent_requests_all_succeed(server):
    """300 connections are open at once before any response is read, so they are truly in flight together."""
    paths = [BRIEFING_URL, "/", "/style.css", "/about-this-archive/", "/briefings/2024/05/grain-corridor-reopens/"]
    conns = [socket.create_connection(("127.0.0.1", server.port), timeout=20) for _ in range(300)]
    try:
        for number, conn in enumerate(conns):
            conn.sendall(f"GET {paths[number % len(paths)]} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())

        def read(conn: socket.socket) -> bytes:
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            return data

        with ThreadPoolExecutor(max_workers=32) as pool:
            replies = list(pool.map(read, conns))
    finally:
        for conn in conns:
            conn.close()
    assert all(reply.startswith(b"HTTP/1.0 200 ") for reply in replies)
    assert all(b"Ceasefire talks resume" in reply for reply in replies[::len(paths)])


def test_edits_rebuild_and_are_announced(server):
    """Saving a briefing rebuilds the preview and sends a build event; the page then has the new text."""
    events = EventStream(server.port)
    try:
        first = events.next()
        path, stylesheet = server.site / BRIEFING, server.site / "static/style.css"
        original, original_css = path.read_text(), stylesheet.read_text()
        edit(path, lambda text: text.replace("a new round of talks", "a fourth round of talks"))
        try:
            build = events.next()
            assert build["generation"] > first["generation"] and build["ok"]
            assert build["reloadFrom"] == build["generation"]
            assert b"a fourth round of talks" in raw_get(server.port, BRIEFING_URL)[2]
            edit(stylesheet, lambda text: text.replace("10, 20, 30", "200, 20, 30"))
            css = events.next()
            assert css["ok"] and css["reloadFrom"] == build["generation"]  # stylesheets only: swap, no reload
        finally:
            path.write_text(original)
            stylesheet.write_text(original_css)
            events.next()
    finally:
        events.close()


def test_an_edited_briefings_own_page_is_announced_before_the_build_ends(server):
    """A text edit: the first event names the briefing's own page, already written; the last one ends the build."""
    events = EventStream(server.port)
    path = server.site / BRIEFING
    original = path.read_text()
    try:
        events.next()
        path.write_text(original + "\nA later paragraph, added.\n")
        early = events.next()
        assert early["ok"] and early["pages"] == [BRIEFING_URL]
        assert b"A later paragraph, added." in raw_get(server.port, BRIEFING_URL)[2]
        done = events.next()
        assert done["ok"] and done["pages"] is None and done["generation"] == early["generation"] + 1
    finally:
        path.write_text(original)
        while events.next()["pages"]:
            pass
        events.close()


def test_broken_site_yml_shows_the_error_page_until_fixed(server):
    events = EventStream(server.port)
    config = server.site / "site.yml"
    original = config.read_text()
    try:
        events.next()
        config.write_text(original + "paginate: many\n")
        assert not events.next()["ok"]
        status, _, body = raw_get(server.port, BRIEFING_URL)
        assert status == 500 and b"site.yml:6" in body and b"`paginate` is not valid" in body
        assert raw_get(server.port, "/style.css")[0] == 200  # assets still load, so the error page is styled
    finally:
        config.write_text(original)
    try:
        assert events.next()["ok"]
        assert raw_get(server.port, BRIEFING_URL)[0] == 200
    finally:
        events.close()


def test_template_errors_in_a_new_templates_folder_are_shown_until_removed(server):
    events = EventStream(server.port)
    templates = server.site / "templates"
    try:
        events.next()
        templates.mkdir()
        time.sleep(0.3)  # the new folder is watched once the site folder's watch has seen it
        (templates / "briefing.html").write_text('{% extends "base.html" %}\n{% block main %}\n{{ page.title }\n')
        while events.next()["ok"]:
            pass
        status, _, body = raw_get(server.port, BRIEFING_URL)
        assert status == 500 and b"templates/briefing.html:3" in body and b"template syntax error" in body
    finally:
        shutil.rmtree(templates)
    try:
        assert events.next()["ok"]
        assert raw_get(server.port, BRIEFING_URL)[0] == 200
    finally:
        events.close()


def test_a_site_broken_at_start_is_served_as_the_error_page(tmp_path):
    site = copy_site(tmp_path)
    edit(site / BRIEFING, lambda text: text.replace("title: Ceasefire", "title: [Ceasefire"))
    running = Server(site, "--port", "0")
    try:
        status, _, body = raw_get(running.port, "/")
        assert status == 500 and f"{BRIEFING}:3".encode() in body and b"invalid YAML" in body
        edit(site / BRIEFING, lambda text: text.replace("title: [Ceasefire", "title: Ceasefire"))
        wait_until(lambda: raw_get(running.port, BRIEFING_URL)[0] == 200)
    finally:
        assert running.stop()[0] == 0


def test_new_raw_articles_in_seeds_are_imported(server):
    seed = REPO / "seeds" / "000_66980ba76a757afa.txt"
    shutil.copy(seed, server.site / "seeds" / seed.name)
    wait_until(lambda: b"Russia-Turkey Military Negotiations" in raw_get(server.port, "/")[2])
    assert list((server.site / "content" / "briefings" / "2020").rglob("*.md"))


def test_search_index_is_refreshed_in_the_background(tmp_path):
    running = Server(copy_site(tmp_path, search=True), "--port", "0")
    try:
        running.wait_for(r"Search index: \d+ briefings")
        status, head, _ = raw_get(running.port, "/pagefind/pagefind.js")
        assert status == 200 and header(head, "Content-Type").startswith("text/javascript")
        mark = len(running.lines)
        edit(running.site / BRIEFING, lambda text: text.replace("a new round", "a last round"))
        rebuilt = running.wait_for("^Rebuilt", start=mark)
        running.wait_for(r"Search index: \d+ briefings", start=running.lines.index(rebuilt.string))
    finally:
        assert running.stop()[0] == 0


def test_reload_script_is_never_in_build_output(tmp_path):
    site = copy_site(tmp_path)
    result = run_sitegen("build", "--no-search", "--drafts", "--site", site)
    assert result.returncode == 0, result.stderr
    pages = list((site / "public").rglob("*.html"))
    assert pages and not any("__sitegen" in page.read_text() for page in pages)


def test_taken_port_is_reported_with_a_hint(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_sitegen("serve", "--site", copy_site(tmp_path), "--port", str(port), timeout=30)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_server_on_the_same_site_is_refused(server):
    result = run_sitegen("serve", "--site", server.site, "--port", "0", timeout=30)
    assert result.returncode == 1 and "already previewing this site" in result.stderr
    assert raw_get(server.port, BRIEFING_URL)[0] == 200  # the first one is undisturbed


def test_other_hosts_get_a_warning(tmp_path):
    running = Server(copy_site(tmp_path), "--host", "127.0.0.2", "--port", "0")
    try:
        running.wait_for("reachable from the network")
        assert running.url.startswith("http://127.0.0.2:")
    finally:
        assert running.stop()[0] == 0


# --- in the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(copy_site(tmp_path_factory.mktemp("browser")), "--port", "0")
    yield running
    running.stop()


@pytest.fixture
def tab(browser, browser_server):
    page = browser.new_page()
    page.set_default_timeout(20_000)
    yield page
    page.close()


def wait_for_build(server: Server, after: int) -> None:
    server.wait_for(r"^(Rebuilt|\d+ errors?:)", start=after)


def open_live(tab, server: Server, url: str = BRIEFING_URL) -> None:
    """Open a preview page and wait for its live-reload script; ``window.notReloaded`` is gone after a reload."""
    tab.goto(server.url + url)
    tab.wait_for_function("document.querySelector('script[data-generation]') !== null")
    tab.evaluate("window.notReloaded = true")


@contextlib.contextmanager
def edited(server: Server, path: Path, change: Callable[[str], str]) -> Iterator[None]:
    """Save a changed file in the running preview's site; afterwards put it back and wait for that rebuild,
    so the next test starts from the site as it was."""
    original = path.read_text(encoding="utf-8")
    try:
        edit(path, change)
        yield
    finally:
        mark = len(server.lines)
        path.write_text(original, encoding="utf-8")
        wait_for_build(server, mark)


@pytest.mark.browser
def test_edits_show_in_the_open_page_by_themselves_without_a_reload(tab, browser_server):
    """The new <main> replaces the old one, with no reload: for an edit of the lede (whose words story
    detection reads, so the whole site is re-planned first), where the scroll position also stays, and for an
    added paragraph (the preview's shortcut, shown from the edited page's early event)."""
    tab.set_viewport_size({"width": 400, "height": 300})
    open_live(tab, browser_server)
    tab.evaluate("window.scrollTo(0, 200)")
    scrolled = tab.evaluate("window.scrollY")
    path = browser_server.site / BRIEFING
    mark = len(browser_server.lines)
    with edited(browser_server, path, lambda text: text.replace("a new round of talks", "a round of talks swapped in")):
        tab.wait_for_selector("p:has-text('a round of talks swapped in')")
        wait_for_build(browser_server, mark)
        assert tab.evaluate("window.notReloaded") is True
        assert tab.evaluate("window.scrollY") == scrolled
        mark = len(browser_server.lines)
        edit(path, lambda text: text + "\nA paragraph written while the tab is open.\n")
        tab.wait_for_selector("p:has-text('A paragraph written while the tab is open.')")
        wait_for_build(browser_server, mark)
        assert tab.evaluate("window.notReloaded") is True


@pytest.mark.browser
def test_broken_front_matter_shows_the_error_page_and_the_fix_brings_the_page_back(tab, browser_server):
    tab.goto(browser_server.url + BRIEFING_URL)
    tab.wait_for_selector(TITLE)
    with edited(browser_server, browser_server.site / BRIEFING,
                lambda text: text.replace("date: 2024-05-02T09:30:00+03:00", "date: <b>someday</b>")):
        tab.wait_for_selector("h1:has-text('The site could not be built')")
        text = tab.inner_text("main")
        assert f"{BRIEFING}:3" in text and "`date` is not valid: <b>someday</b>" in text
        assert "hint: write an ISO 8601 date" in text
    tab.wait_for_selector(TITLE)
    assert "could not be built" not in tab.inner_text("body")


@pytest.mark.browser
def test_stylesheet_change_is_swapped_without_a_reload(tab, browser_server):
    open_live(tab, browser_server)
    with edited(browser_server, browser_server.site / "static/style.css",
                lambda text: text.replace("10, 20, 30", "200, 20, 30")):
        tab.wait_for_function("getComputedStyle(document.body).color === 'rgb(200, 20, 30)'")
        assert tab.evaluate("window.notReloaded") is True


@pytest.mark.browser
def test_a_change_around_main_reloads_the_page(tab, browser_server):
    open_live(tab, browser_server)
    with edited(browser_server, browser_server.site / "site.yml", lambda text: text.replace("title: ", "title: Renamed ", 1)):
        tab.wait_for_selector("header >> text=Renamed")
        assert tab.evaluate("window.notReloaded") is None
