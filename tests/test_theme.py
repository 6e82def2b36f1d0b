"""The default theme as readers and validators meet it: valid HTML, accessible structure, and in Chromium,
no horizontal scrolling on a phone. Screenshots are kept in test-artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, build_site
from sitegen.config import load_config

from .archive import BASE_PATH, HOSTILE_TITLE
from .helpers import REPO

VNU = REPO / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    """The repository's own sample site, built (from a copy, so the repository stays untouched)."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copytree(REPO / "content", root / "content")
    build_site(load_config(root), BuildOptions(output=root / "public", search=False))
    return root / "public"


def html_files(*folders: Path) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def require(condition: bool, reason: str) -> None:
    """A missing tool fails in CI (CI=true) and skips elsewhere, always saying how to get it."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_every_page_of_the_sample_and_the_archive_is_valid_html(sample, archive):
    require(VNU.is_file(), f"{VNU} is missing: run `make vnu` (sh tests/tools/install-npm.sh, see the Makefile)")
    require(shutil.which("java") is not None, "java is needed to run the Nu HTML Checker")
    pages = html_files(sample, archive.output)
    assert len(pages) > 400
    css = archive.output / "style.css"
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, pages),
                             str(css)], capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{m.get('url', '?').rsplit('/briefings/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == [] and result.returncode == 0, result.stdout


def test_pages_have_a_language_one_main_landmark_one_heading_and_a_skip_link(archive):
    for path in html_files(archive.output):
        html = path.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="en" dir="ltr">'), path
        assert html.count('<main id="main"') == 1 and '<a class="skip-link" href="#main">' in html, path
        assert len(re.findall(r"<h1[ >]", html)) == 1, path
        # one search box per page: the header's everywhere but on the search page, which has its own
        header_form = '<form class="site-search" role="search" action="/briefings/search/" method="get">' in html
        assert header_form != path.match("search/index.html"), path


def test_reading_and_navigating_need_no_javascript(archive):
    for path in html_files(archive.output):
        if path.parent.name == "search":
            continue  # the search page is the one place that runs a script
        scripts = re.findall(r"<script[^>]*>", path.read_text(encoding="utf-8"))
        assert all(tag == '<script type="application/ld+json">' for tag in scripts), path


def test_a_title_with_markup_stays_text_in_the_feeds(archive):
    feeds = [path for path in archive.output.rglob("feed.xml") if "alert(1)" in path.read_text(encoding="utf-8")]
    assert feeds
    for path in feeds:
        titles = [e.text for e in ET.parse(path).getroot().iter("{http://www.w3.org/2005/Atom}title")]
        assert HOSTILE_TITLE in titles


# --- in Chromium ------------------------------------------------------------------------------

LIST_PAGES = {"home": "/", "topic": "/topics/syria/", "topics": "/topics/", "archive": "/archive/",
              "authors": "/authors/"}


def pages_to_view(archive) -> dict[str, str]:
    return {**LIST_PAGES, "briefing": archive.expected.briefings[100]["url"]}


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_and_no_horizontal_scrolling_on_a_phone(browser, static_server, archive, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    served = static_server(archive.www) + BASE_PATH.rstrip("/")
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        for name, path in pages_to_view(archive).items():
            response = page.goto(served + path)
            assert response.ok, path
            if name in ("home", "briefing", "topic"):
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, f"{path} scrolls sideways at {width} px ({scroll} > {client})"
    finally:
        page.close()


@pytest.mark.browser
def test_dark_scheme_keyboard_focus_and_print(browser, static_server, archive):
    served = static_server(archive.www) + BASE_PATH.rstrip("/")
    page = browser.new_page(viewport={"width": 375, "height": 800}, color_scheme="dark")
    try:
        page.goto(served + pages_to_view(archive)["briefing"])
        page.screenshot(path=str(SCREENSHOTS / "briefing-375-dark.png"), full_page=True)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(19, 19, 19)"
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.className, getComputedStyle(document.activeElement).top,"
                                " getComputedStyle(document.activeElement).outlineStyle]")
        assert focused[0] == "skip-link" and focused[1] == "16px" and focused[2] == "solid"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.briefing-aside')).display") == "none"
    finally:
        page.close()
