"""Shared fixtures (a real site folder, the generated archive, Chromium, a static server) and which tests are quick."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from .archive import built_archive
from .helpers import CHROMIUM, CHROMIUM_ARGS, write

QUICK_MODULES = frozenset({
    "test_changes", "test_config", "test_content", "test_incremental", "test_markdown", "test_properties",
    "test_sandbox", "test_taxonomy", "test_topics",
})
"""Modules of small, in-process tests: ``make quick`` runs these (lint plus these in under a minute).
Every other module builds whole sites through the command, drives a server or a browser, or checks a
large archive, so its tests are marked ``slow``; a new module is slow until it is listed here."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem not in QUICK_MODULES:
            item.add_marker(pytest.mark.slow)


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
def archive(tmp_path_factory: pytest.TempPathFactory):
    """The generated archive (tests/archive.py), built once per test session and shared read-only;
    a module that needs another archive defines its own ``archive`` fixture."""
    return built_archive(tmp_path_factory)


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
