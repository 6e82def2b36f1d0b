"""A one-language Arabic site as its readers meet it, in headless Chromium over real HTTP: the page reads right
to left, the header mirrors, nothing scrolls sideways on a phone, no English interface word is left, dates are
Arabic, and an Arabic word typed in the search box finds its briefing across the search shards. The Nu HTML
Checker reads every page. A French twin of the site checks the words and dates of a second language.

Screenshots of the Arabic home and briefing pages at 375 and 1280 px go to test-artifacts/screenshots/."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from urllib.parse import unquote

import babel
import pytest

from .rtl_site import CONTENT_LATIN, RARE_WORD, SHOWN_TEXT, SITE_TITLE, build, catalog_words, english_words_shown, generate
from .test_theme import SCREENSHOTS, VNU, html_files, require

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    return build(generate(tmp_path_factory.mktemp("arabic") / "site", "ar"))


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    return build(generate(tmp_path_factory.mktemp("french") / "site", "fr"))


@pytest.fixture
def served(static_server):
    return lambda site: static_server(site.public)


def href(page, selector: str) -> str:
    """The first link's address matching ``selector`` on the loaded page (empty when there is none, at once)."""
    found = page.query_selector(selector)
    return found.get_attribute("href") or "" if found else ""


def page_kinds(page, base: str) -> dict[str, str]:
    """One URL of each kind of page, found by following the site's own links from the home page."""
    page.goto(base + "/")
    briefing = href(page, ".card a[href*='/briefings/']")
    page.goto(base + briefing)
    topic, author = href(page, ".chips a"), href(page, ".dateline a[rel=author]")
    page.goto(base + "/archive/")
    month = href(page, "main a[href*='/archive/20']")
    page.goto(base + "/stories/")
    story = href(page, "main a[href*='/stories/']")
    kinds = {"home": "/", "briefing": briefing, "topics": "/topics/", "topic": topic, "authors": "/authors/",
             "author": author, "archive": "/archive/", "month": month, "stories": "/stories/", "story": story,
             "search": "/search/", "page-2": "/page/2/"}
    assert all(kinds.values()), kinds
    return kinds


@pytest.fixture
def browse(browser):
    """A new page at a given viewport width; every page is closed after the test."""
    contexts = []

    def open_at(width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield open_at
    for context in contexts:
        context.close()


# --- in Chromium -----------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_an_arabic_page_reads_right_to_left_with_the_title_at_the_right(arabic, served, browse, width):
    base = served(arabic)
    page = browse(width)
    kinds = page_kinds(page, base)
    for name in ("briefing", "home"):
        page.goto(base + kinds[name])
        assert page.evaluate("[document.documentElement.dir, getComputedStyle(document.body).direction]") == ["rtl", "rtl"]
        main = "article.briefing .body p" if name == "briefing" else "main"
        assert page.evaluate(f"getComputedStyle(document.querySelector('{main}')).direction") == "rtl"
        title, inner = page.evaluate("""() => {
            const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; };
            const inner = document.querySelector('.site-header-inner'), style = getComputedStyle(inner);
            const [left, right] = box(inner);
            return [box(document.querySelector('.site-title')),
                    [left + parseFloat(style.paddingLeft), right - parseFloat(style.paddingRight)]];
        }""")
        assert abs(title[1] - inner[1]) <= 1, f"{name}: the site title ends at {title[1]}, the header at {inner[1]}"
        assert title[0] > inner[0] + 8, f"{name}: the site title reaches the left edge at {width} px"


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_no_arabic_page_scrolls_sideways_and_screenshots(arabic, served, browse, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = served(arabic)
    page = browse(width)
    kinds = {**page_kinds(page, base), "search-results": "/search/?q=" + RARE_WORD}
    for name, path in kinds.items():
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        if name.startswith("search"):
            page.wait_for_selector(".result-link" if name == "search-results" else "#search-q")
        if name in ("home", "briefing"):
            page.screenshot(path=str(SCREENSHOTS / f"ar-{name}-{width}.png"), full_page=True)
        scroll, client = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        assert scroll <= client, f"{unquote(path)} scrolls sideways at {width} px ({scroll} > {client})"
    for name in ("home", "briefing"):
        assert (SCREENSHOTS / f"ar-{name}-{width}.png").stat().st_size > 10_000


VISUAL_ORDER = """selector => [...document.querySelectorAll(selector)].map(line => {
    const parts = [...line.querySelectorAll(':scope > time, :scope > bdi')].map(e => e.getBoundingClientRect());
    return parts.filter(r => Math.abs(r.top - parts[0].top) < 2).map(r => [r.left, r.right]);
})"""
"""Per line of ``selector``, the boxes of its dates and names in reading (logical) order, those on its first line."""


@pytest.fixture(scope="module", params=["ar-arab", "ar-latn", "en"])
def mixed(request, tmp_path_factory):
    """The Arabic site with Arabic or Latin digits, and an English site with the same Arabic names: the issue's
    scrambled byline was an English page ("By 26 · نوال سيد November 2026")."""
    language, _, digits = request.param.partition("-")
    return build(generate(tmp_path_factory.mktemp("mixed") / "site", language, digits=digits or "latn"))


@pytest.mark.browser
def test_a_byline_mixing_scripts_and_digits_keeps_its_order(mixed, served, browse):
    """Each name and date of a byline sits wholly on the far side of the one read before it (left of it on a
    right-to-left page): a Latin name among Arabic ones, or digits beside an Arabic name, never pull their
    neighbours out of order."""
    base = served(mixed)
    page = browse(1280)
    kinds = page_kinds(page, base)
    rtl = page.evaluate("document.documentElement.dir") == "rtl"
    checked = 0
    for path, selector in [("/", ".card-meta"), (kinds["author"], ".card-meta"), (kinds["briefing"], ".dateline")]:
        page.goto(base + path)
        for boxes in page.evaluate(VISUAL_ORDER, selector):
            for earlier, later in itertools.pairwise(boxes):
                assert (later[1] <= earlier[0] + 1) if rtl else (later[0] >= earlier[1] - 1), (unquote(path), boxes)
            checked += len(boxes) >= 3
    assert checked >= 2  # bylines with a date and two names, one of them Latin, were among them


def search_for(page, base: str, word: str, expected_title: str) -> list[str]:
    """Type ``word`` into the search page's box and wait until the results are exactly the one expected briefing."""
    page.goto(base + "/search/")
    page.wait_for_selector("#search-q")
    page.fill("#search-q", word)
    page.wait_for_function("""title => {
        const shown = [...document.querySelectorAll('.result-link')].map(a => a.textContent.trim());
        return shown.length === 1 && shown[0] === title; }""", arg=expected_title)
    return [unquote(a.get_attribute("href")) for a in page.query_selector_all(".result-link")]


@pytest.mark.browser
def test_an_arabic_word_typed_in_the_search_box_finds_its_briefing(arabic, served, browse):
    shards = json.loads((arabic.public / "pagefind" / "shards.json").read_text())["shards"]
    assert [s["name"] for s in shards] == ["2026", "2025"]
    for shard in shards:
        entry = json.loads((arabic.public / "pagefind" / shard["bundle"] / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == ["ar"], shard
    base = served(arabic)
    page = browse(1280)
    links = search_for(page, base, RARE_WORD, arabic.rare_title)
    assert links == ["/briefings/2025/12/" + arabic.rare_title.replace("،", "").replace(" ", "-") + "/"]
    # the word without its article, as a reader may type it, finds the same briefing (Pagefind's Arabic stemming)
    search_for(page, base, RARE_WORD.removeprefix("ال"), arabic.rare_title)
    assert page.errors == []


def arabic_date(moment) -> str:
    """A date as CLDR writes it in Arabic, in Arabic digits, built from Babel's month names, not from sitegen."""
    month = babel.Locale("ar").months["format"]["wide"][moment.month]
    return f"{moment.day} {month} {moment.year}".translate(ARABIC_DIGITS)


@pytest.mark.browser
def test_the_date_is_arabic(arabic, served, browse):
    base = served(arabic)
    page = browse(1280)
    kinds = page_kinds(page, base)
    page.goto(base + kinds["briefing"])
    title = page.inner_text("h1")
    shown = page.inner_text(".dateline time")
    assert shown.startswith(arabic_date(arabic.dates[title])), shown
    assert not any(ch.isascii() and ch.isdigit() for ch in shown), shown


def shown_text(page, base: str, path: str) -> str:
    page.goto(base + path)
    if path.startswith("/search/"):
        page.wait_for_selector(".result-link")
    return page.evaluate(SHOWN_TEXT)


def assert_no_english(text: str, language: str, name: str) -> None:
    assert english_words_shown(text, language) == set(), f"{name}: English interface words on a {language} page"
    if language == "ar":  # stricter still: no Latin word but the content's and the names the catalog keeps (Atom)
        stray = {w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in CONTENT_LATIN | catalog_words("ar")}
        assert stray == set(), f"{name}: Latin words on an Arabic page"


@pytest.mark.browser
def test_no_english_interface_word_on_an_arabic_page(arabic, served, browse):
    base = served(arabic)
    page = browse(1280)
    kinds = {**page_kinds(page, base), "not-found": "/404.html"}
    del kinds["search"]
    for name, path in kinds.items():
        assert_no_english(shown_text(page, base, path), "ar", name)
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_no_english_word_on_the_search_page_with_results(arabic, french, served, browse, language):
    site = arabic if language == "ar" else french
    base = served(site)
    page = browse(1280)
    assert_no_english(shown_text(page, base, "/search/?q=" + (RARE_WORD if language == "ar" else "OPEC")),
                      language, "search")
    assert page.errors == []


@pytest.mark.browser
def test_a_french_site_speaks_french(french, served, browse):
    base = served(french)
    page = browse(1280)
    kinds = {**page_kinds(page, base), "not-found": "/404.html"}
    del kinds["search"]
    for name, path in kinds.items():
        assert_no_english(shown_text(page, base, path), "fr", name)
        assert page.evaluate("document.documentElement.dir") == "ltr"
    page.goto(base + kinds["briefing"])
    moment = french.dates[page.inner_text("h1")]
    month = babel.Locale("fr").months["format"]["wide"][moment.month]
    assert page.inner_text(".dateline time").startswith(f"{moment.day} {month} {moment.year}")
    assert page.inner_text(".site-title") == SITE_TITLE["fr"]


# --- the Nu HTML Checker ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["arabic", "french"])
def test_every_page_of_the_arabic_and_french_sites_is_valid_html(request, language):
    site = request.getfixturevalue(language)
    require(VNU.is_file(), f"{VNU} is missing: run `make vnu` (sh tests/tools/install-npm.sh, see the Makefile)")
    require(shutil.which("java") is not None, "java is needed to run the Nu HTML Checker")
    pages = html_files(site.public)
    kinds = {p.relative_to(site.public).parts[0] for p in pages}
    assert {"briefings", "topics", "authors", "archive", "stories", "search", "page", "index.html", "404.html"} <= kinds
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, pages),
                             str(site.public / "style.css")], capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{unquote(m.get('url', '?')).rsplit('/public/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == [] and result.returncode == 0, "\n".join(errors)
