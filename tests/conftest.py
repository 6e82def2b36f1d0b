"""Shared fixtures: a real site folder on disk for each test."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, write


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder with a site.yml, ready for content."""
    root = tmp_path / "site"
    write(root / "site.yml", """
        title: Test archive
        base_url: https://example.org/
        timezone: Africa/Cairo
    """)
    (root / "content").mkdir()
    return root


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright; a missing browser fails in CI and skips elsewhere."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; `make test` installs it with apt-get")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_server():
    """Serve a folder over real HTTP on 127.0.0.1; returns a function folder -> base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
