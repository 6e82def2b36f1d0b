"""`sitegen check`: every fault a reader would trip over is named with its page; a good site passes."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from sitegen.check import Layout, check_output, srcset_urls, url_key

from .helpers import briefing, run_sitegen, write


def page(title: str = "A page", body: str = "", head: str = "") -> str:
    title_tag = f"<title>{title}</title>" if title else ""
    return f"<!DOCTYPE html><html><head>{title_tag}{head}</head><body>{body}</body></html>"


def output(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        write(root / rel, text)
    return root


def messages(folder: Path, base_url: str = "/", **options) -> list[str]:
    return [f"{p.path}: {p.message}" for p in check_output(folder, base_url, **options).problems]


def test_a_built_site_passes_with_a_one_line_summary(site):
    for number in range(25):
        write(site / "content" / f"b{number}.md",
              briefing(f"Briefing {number}", tags="[Syria, Turkey]", body=f"## Part one\n\nText {number}."))
    assert run_sitegen("build", "--site", site, "--no-search").returncode == 0
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Checked ") and "no problems" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_a_built_site_without_topics_passes(site):
    write(site / "content" / "untagged.md", briefing("Untagged"))
    assert run_sitegen("build", "--site", site, "--no-search").returncode == 0
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 0, result.stderr


def test_a_missing_output_folder_says_to_build_first(site):
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 1 and "sitegen build" in result.stderr


def test_broken_links_assets_and_anchors_are_named_with_their_page(tmp_path):
    folder = output(tmp_path / "public", {
        "index.html": page(body='<a href="/about/">About</a> <a href="/gone/">Gone</a> <a href="#nowhere">x</a>'
                                ' <a href="#here" id="here">self</a> <a href="/about/#team">Team</a>'
                                ' <a href="/about/#missing">Missing</a>',
                           head='<link rel="stylesheet" href="/style.css"><link rel="icon" href="/favicon.png">'),
        "about/index.html": page(body='<h2 id="team">Team</h2><img src="../logo.png" '
                                      'srcset="/logo.png 1x, /logo@2x.png 2x" alt="">'),
        "style.css": "body {}",
        "logo.png": "png",
    })
    assert sorted(messages(folder)) == [
        "public/about/index.html: missing asset /logo@2x.png",
        "public/index.html: broken link to /gone/",
        "public/index.html: missing anchor #missing on /about/",
        "public/index.html: missing anchor #nowhere on /index.html",
        "public/index.html: missing asset /favicon.png",
    ]


def test_base_path_is_respected_and_links_outside_it_are_reported(tmp_path):
    folder = output(tmp_path / "public", {
        "index.html": page(body='<a href="/briefings/a/">ok</a> <a href="a/">relative ok</a>'
                                ' <a href="https://example.org/briefings/a/">absolute ok</a>'
                                ' <a href="https://example.org/briefings/b/">absolute broken</a>'
                                ' <a href="/a/">no base path</a>',
                           head='<link rel="canonical" href="https://example.org/briefings/">'),
        "a/index.html": page(body='<a href="../">up</a> <a href="../../elsewhere/">too far up</a>'),
    })
    assert sorted(messages(folder, "https://example.org/briefings/")) == [
        "public/a/index.html: link to /elsewhere/ lies outside the site's base path /briefings/",
        "public/index.html: broken link to /briefings/b/",
        "public/index.html: link to /a/ lies outside the site's base path /briefings/",
    ]


def test_duplicate_urls_and_canonicals_and_missing_titles(tmp_path):
    canonical = '<link rel="canonical" href="https://example.org/one/">'
    folder = output(tmp_path / "public", {
        "index.html": page(),
        "one/index.html": page(head=canonical),
        "two/index.html": page(head=canonical),
        "About/index.html": page(),
        "about/index.html": page(),
        "about.html": page(),
        "untitled/index.html": page(title=""),
        "blank/index.html": page(title="  "),
        "svg/index.html": page(title="", body="<svg><title>An icon</title></svg>"),
    })
    found = messages(folder, "https://example.org/")
    assert "public/About/index.html: same URL as about.html, about/index.html apart from letter case or index.html" in found
    assert "public/one/index.html: canonical URL https://example.org/one/ is also claimed by two/index.html" in found
    assert "public/blank/index.html: page has no <title> (also on 2 other pages)" in found
    assert len(found) == 3


def test_script_links_are_reported(tmp_path):
    links = '<a href=" JavaScript:alert(1)">x</a><a href="\x01jav&#x09;ascript:alert(2)">y</a>'
    folder = output(tmp_path / "public", {"index.html": page(body=links)})
    assert messages(folder) == ["public/index.html: script link 'JavaScript:alert(1)'",
                                "public/index.html: script link 'jav\\tascript:alert(2)'"]


def test_one_mistake_on_many_pages_is_one_entry(tmp_path):
    folder = output(tmp_path / "public", {f"p{n}/index.html": page(body='<a href="/missing/">x</a>') for n in range(50)})
    assert messages(folder) == ["public/p0/index.html: broken link to /missing/ (also on 49 other pages)"]


def test_odd_characters_in_file_names_resolve(tmp_path):
    folder = output(tmp_path / "public", {
        "index.html": page(body='<a href="/caf%C3%A9/">encoded</a> <a href="/café/">raw</a> <a href="/a%20b/x.html">sp</a>'
                                ' <a href="/q%3F/">question mark</a> <a href="/%E6%97%A5/#%E6%97%A5">anchor</a>'),
        "café/index.html": page(), "a b/x.html": page(), "q?/index.html": page(),
        "日/index.html": page(body='<h2 id="日">heading</h2>'),
    })
    assert messages(folder) == []


def test_the_same_relative_link_resolves_against_each_page(tmp_path):
    relative = '<a href="x/">x</a> <a href="a%09b:c">not a scheme</a> <a href="#top-of-page">here</a>'
    folder = output(tmp_path / "public", {
        "one/index.html": page(body=relative), "one/x/index.html": page(), "one/a\tb:c": "",
        "two/index.html": page(body=relative), "two/x/index.html": page(body='<p id="top-of-page">'),
    })
    assert sorted(messages(folder)) == [
        "public/one/index.html: missing anchor #top-of-page on /one/index.html",
        "public/two/index.html: broken link to /two/a%09b:c",
        "public/two/index.html: missing anchor #top-of-page on /two/index.html",
    ]


def test_malformed_html_is_read_like_a_browser_would(tmp_path):
    folder = output(tmp_path / "public", {
        "index.html": "<title>T</title><a href='/x/'>unclosed <b><div><a href=/y/ id=z>",
        "x/index.html": page(), "y/index.html": page(),
    })
    assert messages(folder) == []


def test_srcset_and_url_key():
    assert srcset_urls("a.png 1x, b.png 2x") == ["a.png", "b.png"]
    assert srcset_urls("a.png, b.png 480w,c.png 2x,d.png,") == ["a.png", "b.png", "c.png", "d.png"]
    assert srcset_urls("a,b.png 1x") == ["a,b.png"]
    assert srcset_urls(" ") == []
    assert url_key("About/Index.html") == url_key("about.html") == url_key("about/index.html") == "about"
    assert Layout({"a/index.html"}, "/").find("a") == "a/index.html"


def test_cli_exits_1_naming_each_problem_with_a_hint(site):
    output(site / "public", {"index.html": page(body='<a href="/gone/">x</a>')})
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 1
    assert "public/index.html: broken link to /gone/" in result.stderr
    assert "hint: " in result.stderr


# --- external links: only ever 127.0.0.1 ---


@pytest.fixture
def loopback_only(monkeypatch):
    """Fail the test if anything tries to connect anywhere but 127.0.0.1, and bypass any proxy."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    real_connect = socket.socket.connect

    def connect(sock, address):
        assert address[0] == "127.0.0.1", f"test tried to contact {address}"
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str]]] = []

    def _answer(self, body: bool) -> None:
        self.seen.append((self.command, self.path))
        if self.path == "/slow":
            time.sleep(2)
        status = {"/ok": 200, "/slow": 200, "/gone": 404, "/nohead": 405 if self.command == "HEAD" else 200,
                  "/moved": 301}.get(self.path, 500)
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def remote():
    _Handler.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_external_links_are_probed_once_each_with_head(tmp_path, loopback_only, remote):
    links = "".join(f'<a href="{remote}{path}">x</a>' for path in ("/ok", "/ok#part", "/gone", "/nohead", "/moved", "/slow"))
    folder = output(tmp_path / "public", {"index.html": page(body=links), "b/index.html": page(body=links)})
    started = time.perf_counter()
    found = messages(folder, "https://example.org/", external=True, timeout=0.5)
    assert time.perf_counter() - started < 5
    assert sorted(found) == [
        f"public/b/index.html: external link {remote}/gone answered 404 Not Found (also on 1 other page)",
        f"public/b/index.html: external link {remote}/slow failed: timed out (also on 1 other page)",
    ]
    assert _Handler.seen.count(("HEAD", "/ok")) == 2  # once directly, once after the redirect
    assert ("GET", "/nohead") in _Handler.seen
    assert not any(method == "GET" and path in ("/ok", "/gone") for method, path in _Handler.seen)


def test_external_links_are_not_requested_without_the_flag(tmp_path, loopback_only, remote):
    folder = output(tmp_path / "public", {"index.html": page(body=f'<a href="{remote}/gone">x</a>')})
    assert messages(folder) == []
    assert _Handler.seen == []
