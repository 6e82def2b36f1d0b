"""The preview server against a hostile web and hostile clients: DNS rebinding, foreign origins,
overlong paths, idle connections by the thousand, and what the error page gives away."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import sitegen
from sitegen.errors import Problem
from sitegen.serve.http import HostCheck, split_host
from sitegen.serve.reload import BuildStatus, error_page

from .helpers import CHROMIUM, CHROMIUM_ARGS, REPO
from .test_serve import BRIEFING, BRIEFING_URL, Server, copy_site, edit, raw_get

DRAFT_TEXT = b"Unfinished note on shipping rates"


def request(port: int, head: str, timeout: float = 10) -> tuple[int, bytes]:
    """Send ``head`` (request line and headers) as typed; (status, whole answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(head.encode("latin-1") + b"\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(copy_site(tmp_path_factory.mktemp("security")), "--port", "0")
    yield running
    code, output = running.stop()
    assert code == 0 and "Traceback" not in output, output


# --- which names the server answers to ---------------------------------------------------------


def test_host_names_are_parsed_with_and_without_ports():
    assert split_host("127.0.0.1:8000") == ("127.0.0.1", "8000")
    assert split_host("[::1]:8000") == ("[::1]", "8000")
    assert split_host("LocalHost") == ("localhost", "")
    assert split_host("[::1]x") == ("", "")
    assert split_host("a:b") == ("", "")
    check = HostCheck("127.0.0.1", 8000)
    for good in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.1", "LOCALHOST:8000"):
        assert check.host_ok(good), good
    for bad in ("evil.example:8000", "evil.example", "127.0.0.1:8001", "127.0.0.1.evil.example:8000", "",
                None, "localhost:8000@evil.example", "[::1]:8000:1", "127.0.0.2:8000"):
        assert not check.host_ok(bad), bad
    assert check.origin_ok(None) and check.origin_ok("http://localhost:8000")
    for bad in ("null", "http://evil.example:8000", "https://127.0.0.1:8000", "http://127.0.0.1:8000/x", ""):
        assert not check.origin_ok(bad), bad
    assert HostCheck("0.0.0.0", 8000).host_ok("192.168.1.20:8000")
    assert not HostCheck("0.0.0.0", 8000).host_ok("evil.example:8000")
    assert HostCheck("127.0.0.2", 8000).host_ok("127.0.0.2:8000")


def test_a_rebound_name_gets_421_and_no_drafts(server):
    port = server.port
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.nip.io:{port}", f"localhost:{port + 1}"):
        status, answer = request(port, f"GET / HTTP/1.1\r\nHost: {host}")
        assert status == 421, host
        assert DRAFT_TEXT not in answer and b"Ceasefire" not in answer
    status, _ = request(port, "GET / HTTP/1.0")  # no Host at all
    assert status == 421
    status, _ = request(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example:{port}")
    assert status == 400
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        status, answer = request(port, f"GET / HTTP/1.1\r\nHost: {host}")
        assert status == 200 and DRAFT_TEXT in answer, host


def test_the_event_stream_refuses_foreign_origins(server):
    port = server.port
    for origin in (f"http://evil.example:{port}", "null", f"http://127.0.0.1:{port + 1}"):
        status, answer = request(port, f"GET /__sitegen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}")
        assert status == 403 and b"event: build" not in answer, origin
    status, answer = request(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example")
    assert status == 403 and DRAFT_TEXT not in answer
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET /__sitegen/events HTTP/1.1\r\nHost: localhost:{port}\r\n"
                     f"Origin: http://localhost:{port}\r\n\r\n".encode())
        first = conn.recv(65536)
        while b"event: build" not in first:
            first += conn.recv(65536)
    assert first.startswith(b"HTTP/1.0 200 ")


@pytest.fixture
def rebinding_browser(browser):
    """A second Chromium, from the same Playwright, that resolves evil.example (and its subdomains) to
    127.0.0.1, as a DNS rebinding attack makes a browser do."""
    rules = "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP *.evil.example 127.0.0.1"
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, rules])
    yield chromium
    chromium.close()


@pytest.mark.browser
def test_in_chromium_a_rebound_name_cannot_read_drafts_or_listen(rebinding_browser, server, static_server, tmp_path):
    tab = rebinding_browser.new_page()
    try:
        answer = tab.goto(f"http://evil.example:{server.port}/")
        assert answer is not None and answer.status == 421
        assert "Unfinished note" not in tab.content()
        # a page on another name tries to read the preview and to listen to its builds
        (tmp_path / "attack.html").write_text(f"""<!DOCTYPE html><title>attack</title><script>
          window.result = {{}};
          fetch("http://evil.example:{server.port}/").then(r => r.text())
            .then(t => window.result.fetched = t, e => window.result.fetched = "blocked");
          const events = new EventSource("http://127.0.0.1:{server.port}/__sitegen/events");
          events.onmessage = events.onopen = () => window.result.listened = true;
          events.onerror = () => {{ window.result.stream = "refused"; events.close(); }};
        </script>""")
        attacker = static_server(tmp_path).replace("127.0.0.1", "attacker.evil.example")
        tab.goto(f"{attacker}/attack.html")
        tab.wait_for_function("window.result.fetched !== undefined && window.result.stream !== undefined")
        result = tab.evaluate("window.result")
        assert "Unfinished note" not in json.dumps(result)
        assert result.get("stream") == "refused" and not result.get("listened")
        answer = tab.goto(f"http://localhost:{server.port}{BRIEFING_URL}")  # the real names still work
        assert answer is not None and answer.status == 200
    finally:
        tab.close()


# --- paths no file can have ---------------------------------------------------------------------


def test_overlong_path_segments_get_404_or_414_never_a_dropped_connection(server):
    for target in ("/" + "a" * 256, "/" + "é" * 200 + "/", "/briefings/" + "x" * 4000 + "/index.html",
                   "/" + "/".join(["b" * 250] * 30)):
        status, _, _ = raw_get(server.port, target)
        assert status == 404, (target[:40], status)
    status, _, _ = raw_get(server.port, "/" + "a" * 10_000)
    assert status == 414
    assert raw_get(server.port, BRIEFING_URL)[0] == 200


# --- the error page ---------------------------------------------------------------------------


def test_error_page_shows_paths_relative_to_the_site(tmp_path):
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "bad.md").write_text("---\ntitle: x\ndate: soon\n---\n")
    outside = tmp_path / "private" / "keys" / "id_rsa"
    outcome = BuildStatus().record([
        Problem(str(root / "content" / "bad.md"), 3, f"`date` is not valid in {root}/content/bad.md", "write a date"),
        Problem("sitegen", None, f"the build stopped: FileNotFoundError(2, 'No such file', '{outside}')"),
        Problem(str(Path(sitegen.__file__).parent / "themes/default/templates/base.html"), 4, "oops"),
    ])
    page = error_page(outcome, root).decode()
    assert str(tmp_path) not in page and str(REPO) not in page and "/private/keys" not in page
    assert "content/bad.md:3" in page and "…/id_rsa" in page and "sitegen/themes/default/templates/base.html:4" in page
    assert "date: soon" in page  # the excerpt of the author's file, found through the relative path


def test_the_running_error_page_names_no_machine_path(server):
    config = server.site / "site.yml"
    original = config.read_text()
    try:
        config.write_text(original + "paginate: many\n")
        deadline = time.monotonic() + 20
        while (answer := raw_get(server.port, "/"))[0] != 500:
            assert time.monotonic() < deadline, "the error page never came"
            time.sleep(0.05)
        assert b"site.yml:" in answer[2] and str(server.site).encode() not in answer[2]
        assert os.fsencode(Path.home()) + b"/" not in answer[2]
    finally:
        config.write_text(original)
    deadline = time.monotonic() + 20
    while raw_get(server.port, "/")[0] != 200:
        assert time.monotonic() < deadline, "the site never came back"
        time.sleep(0.05)


# --- thousands of idle connections ------------------------------------------------------------


def held_connections_allowed() -> int:
    """As many idle connections as this test process may open, up to the 5,000 of the bench."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(100, min(5000, soft - 200))


def test_answers_promptly_while_thousands_of_idle_connections_are_held(server):
    """Slowloris: connections that never finish their request cost the server a socket, not a worker.
    Timings here only catch a server that stops answering; bench/bench_serve_idle.py measures."""
    held: list[socket.socket] = []
    try:
        for number in range(held_connections_allowed()):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            if number % 2:
                conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # a request never finished
            held.append(conn)
        seconds = []
        for _ in range(10):
            started = time.perf_counter()
            status, _, body = raw_get(server.port, BRIEFING_URL)
            seconds.append(time.perf_counter() - started)
            assert status == 200 and b"Ceasefire talks resume in Doha" in body
        assert statistics.median(seconds) < 1.0, f"{len(held)} idle connections: {seconds}"
    finally:
        for conn in held:
            conn.close()


# --- stopping, whatever signals the server inherited ------------------------------------------


def test_a_server_started_with_sigint_ignored_stops_cleanly(tmp_path):
    """``nohup make test &`` starts everything with SIGINT ignored: the helper's SIGTERM still stops it."""
    site = copy_site(tmp_path)
    running = Server(site, "--port", "0", sigint="ignored")
    edit(site / BRIEFING, lambda text: text.replace("a new round", "another round"))
    running.wait_for("^Rebuilt")
    started = time.monotonic()
    code, output = running.stop()
    assert code == 0 and "Stopped." in output and "Traceback" not in output
    assert time.monotonic() - started < 10


def test_ctrl_c_still_stops_it(tmp_path):
    running = Server(copy_site(tmp_path), "--port", "0")
    running.process.send_signal(signal.SIGINT)
    try:
        assert running.process.wait(timeout=15) == 0
    except subprocess.TimeoutExpired:
        running.process.kill()
        raise
    running.wait_for("Stopped.", timeout=5)


# --- links out of the site, appearing while the preview runs -----------------------------------


def test_a_seed_linking_outside_the_site_is_not_imported_while_serving(server, tmp_path):
    """``seeds/passwd.txt -> /etc/passwd`` saved while the preview runs: refused with a warning, never published."""
    private = tmp_path / "private-article.txt"
    seed = REPO / "seeds" / "000_66980ba76a757afa.txt"
    private.write_text(seed.read_text(encoding="utf-8") + "\nPRIVATE-MARKER-OUTSIDE-THE-SITE\n", encoding="utf-8")
    link = server.site / "seeds" / "linked.txt"
    mark = len(server.lines)
    link.symlink_to(private)
    try:
        server.wait_for(r"seeds/linked.txt: symbolic link leads outside the site; not imported", start=mark)
        preview = server.site / ".sitegen" / "preview"
        assert not any("PRIVATE-MARKER" in path.read_text(errors="replace") for path in preview.rglob("*.html"))
        assert not any("PRIVATE-MARKER" in path.read_text() for path in (server.site / "content").rglob("*.md"))
    finally:
        link.unlink()
