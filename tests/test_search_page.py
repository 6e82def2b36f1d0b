"""The search page as a newsroom tool, in headless Chromium over real HTTP, on a generated archive of a
few hundred briefings (and on the BBC corpus when ../shared is there): what is indexed, what a result shows,
the order toggle, type-to-filter facets, the URL, layout stability, accessibility, and hostile names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .archive import AUTHORS, BASE_PATH, generate
from .helpers import axe_violations, briefing, write
from .test_search import BBC, bbc_site, open_page, wait_for_results  # noqa: F401 - open_page is a fixture

pytestmark = pytest.mark.browser

CLS_OBSERVER = """
window.__shifts = [];
window.__layout = new PerformanceObserver(list => { for (const entry of list.getEntries()) window.__shifts.push(entry); });
window.__layout.observe({type: 'layout-shift', buffered: true});
"""
SHIFT_SUM = """async () => {
    // two frames after the last change, every shift is recorded; takeRecords() hands over those not yet delivered
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    window.__shifts.push(...window.__layout.takeRecords());
    return window.__shifts.filter(e => !e.hadRecentInput).reduce((sum, e) => sum + e.value, 0); }"""


def build(site: Path, out: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", "--site", str(site), "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The generated archive with its search index, served from www/ under its /briefings/ sub-path."""
    root = tmp_path_factory.mktemp("search-archive")
    expected = generate(root / "site", count=160)
    build(root / "site", root / "www" / BASE_PATH.strip("/"))
    return root / "www", expected


@pytest.fixture
def search_page(archive, open_page, static_server):  # noqa: F811 - the imported fixture
    www, _ = archive
    base = static_server(www)
    return lambda query="": open_page(base + BASE_PATH + "search/" + query)


def urls(expected, topic: str) -> list[str]:
    return [BASE_PATH.rstrip("/") + b["url"] for b in expected.on_topic(topic)]


def shown_dates(page) -> list[str]:
    return [time.get_attribute("datetime") for time in page.query_selector_all(".result-meta time")]


def test_only_body_and_summary_are_indexed(search_page, archive):
    """Bylines, datelines and topic chips are page furniture: searching an author's name finds nothing,
    and no excerpt carries the header's words."""
    page = search_page("?q=Wadie")
    assert wait_for_results(page, "Wadie") == []
    page.fill("#search-q", "Syria")
    wait_for_results(page, "Syria")
    excerpts = page.eval_on_selector_all(".result-excerpt, .result-context", "nodes => nodes.map(n => n.textContent)")
    assert excerpts and not [text for text in excerpts if any(name in text for name in AUTHORS)]
    content = page.evaluate(f"""async () => {{
        const pagefind = await import('{BASE_PATH}pagefind/pagefind.js');
        const found = await pagefind.search('Syria');
        return Promise.all(found.results.slice(0, 20).map(async r => (await r.data()).content)); }}""")
    for text in content:
        assert not re.search(r"\b20\d\d\b|\bBy\b", text), f"header text indexed: {text[:120]}"
        assert not any(name in text for name in AUTHORS), text[:120]
    first = page.query_selector(".result")
    assert first.query_selector(".result-excerpt mark, .result-title mark") is not None


def test_newest_first_toggles_the_order_and_groups_by_month(search_page, archive):
    _, expected = archive
    page = search_page("?q=Syria")
    best = wait_for_results(page, "Syria", 10)
    assert page.query_selector(".results-month") is None
    page.check("input[name=sort][value=newest]")
    page.wait_for_function("() => location.search === '?q=Syria&sort=newest'")
    page.wait_for_function("() => document.querySelector('.results-month') !== null")
    newest = wait_for_results(page, "Syria", 10)
    assert newest == urls(expected, "syria")[:10]
    assert best != newest and set(best) <= set(urls(expected, "syria"))
    dates = shown_dates(page)
    assert dates == sorted(dates, reverse=True)
    months = page.eval_on_selector_all(".results-month", "nodes => nodes.map(n => n.textContent)")
    assert months and all(re.fullmatch(r"[A-Z][a-z]+ 20\d\d", month) for month in months)
    page.reload()
    assert wait_for_results(page, "Syria", 10) == newest and page.is_checked("input[name=sort][value=newest]")
    page.check("input[name=sort][value='']")
    assert wait_for_results(page, "Syria", 10) == best


def test_facets_show_the_top_values_and_find_the_rest_by_typing(search_page, archive):
    _, expected = archive
    page = search_page("?q=update")
    wait_for_results(page, "update", 10)
    topics = page.eval_on_selector_all(".facet-topic .facet-label", "nodes => nodes.map(n => n.textContent)")
    counts = [int(n.replace(",", "")) for n in page.eval_on_selector_all(".facet-topic .facet-count",
                                                                          "nodes => nodes.map(n => n.textContent)")]
    assert topics[0] == "Syria" and len(topics) == 8 and counts == sorted(counts, reverse=True)
    assert page.is_visible(".facet-topic .facet-find")
    page.fill(".facet-topic .facet-find", "cyp")
    page.wait_for_function("""() => [...document.querySelectorAll('.facet-topic .facet-label')]
        .map(n => n.textContent).join('|') === 'Cyprus'""")
    page.check(".facet-topic input[value=Cyprus]")
    page.wait_for_function("() => location.search === '?q=update&topic=Cyprus'")
    cyprus = urls(expected, "cyprus")
    assert sorted(wait_for_results(page, "update", len(cyprus))) == sorted(cyprus)
    assert page.inner_text(".search-filters summary") == "Filters (1 on)"


def test_the_url_follows_the_box_and_a_cleared_box_leaves_no_query(search_page):
    page = search_page()
    page.fill("#search-q", "energy")
    page.wait_for_function("() => location.search === '?q=energy'")
    wait_for_results(page, "energy", 10)
    page.fill("#search-q", "")
    page.wait_for_function("() => location.search === ''")
    page.wait_for_function("() => document.querySelectorAll('.result').length === 0")
    page.reload()
    assert page.input_value("#search-q") == ""
    assert page.get_attribute("h1 label", "for") == "search-q"
    assert page.get_by_role("searchbox", name="Search the briefings", exact=True).count() == 1


def test_pagefind_loads_after_the_first_paint(search_page):
    page = search_page("?q=Syria")
    wait_for_results(page, "Syria", 10)
    times = page.evaluate("""() => ({
        paint: performance.getEntriesByName('first-contentful-paint')[0].startTime,
        pagefind: performance.getEntriesByType('resource').find(e => e.name.endsWith('/pagefind.js')).startTime })""")
    assert times["pagefind"] >= times["paint"]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_results_arriving_do_not_shift_the_page(archive, browser, static_server, viewport):
    www, _ = archive
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.add_init_script(CLS_OBSERVER)
    page.goto(static_server(www) + BASE_PATH + "search/?q=Syria")
    wait_for_results(page, "Syria", 10)
    shift = page.evaluate(SHIFT_SUM)
    first_top = page.evaluate("() => document.querySelector('.result').getBoundingClientRect().top")
    context.close()
    assert shift < 0.1
    assert first_top < 480, "the first result should be on a phone's first screen"


def test_on_a_phone_results_come_before_the_filter_data(archive, browser, static_server):
    """Loading every topic and author is the heaviest step on a large archive: on a phone, where the filters
    panel starts closed, the first results need none of it; opening the panel loads it and shows the counts."""
    www, expected = archive
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(static_server(www) + BASE_PATH + "search/?q=Syria")
    wait_for_results(page, "Syria", 10)
    assert not page.eval_on_selector("#search-filters", "d => d.open")
    assert any("/pagefind/" in url for url in asked) and not [url for url in asked if "/filter/" in url]
    page.click("#search-filters summary")
    page.wait_for_selector(".facet-topic .facet-value")
    assert [url for url in asked if "/filter/" in url]
    counts = page.eval_on_selector_all(".facet-topic .facet-count", "nodes => nodes.map(n => +n.textContent)")
    assert counts and all(0 < count <= len(expected.briefings) for count in counts)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_is_accessible(search_page, scheme):
    page = search_page("?q=Syria")
    page.emulate_media(color_scheme=scheme)
    wait_for_results(page, "Syria", 10)
    page.fill(".facet-topic .facet-find", "ir")
    assert axe_violations(page) == []


# --- hostile names (issue 18, item 1) ------------------------------------------------------------

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "&lt;img src=x onerror=window.__xss=2&gt;",
    "<style>@import url(http://evil.invalid/x.css);</style>",
    "<script>window.__xss=3</script>",
    '"><svg onload=window.__xss=4>',
]


def test_hostile_topic_and_author_names_are_shown_as_text(tmp_path, open_page, static_server):  # noqa: F811
    """Names typed by an author reach the index verbatim and the page only as text: no script runs,
    no foreign stylesheet loads, and each filter reads exactly what was typed, even with no hits."""
    site = tmp_path / "site"
    write(site / "site.yml", "title: Hostile\nbase_url: /\n")
    tags = "[" + ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in PAYLOADS) + "]"
    for number, payload in enumerate(PAYLOADS):
        author = '"' + payload.replace('"', '\\"') + '"'
        write(site / f"content/briefings/b{number}.md",
              briefing(f"Harbour report {number}", f"2024-05-0{number + 1}T09:00:00+02:00", author=author,
                       tags=tags, body="Ships waited outside the harbour."))
    build(site, tmp_path / "public")
    base = static_server(tmp_path / "public")
    for query in ("harbour", "nothingmatchesthis"):
        page = open_page(f"{base}/search/?q={query}")
        foreign = []
        page.on("request", lambda request, foreign=foreign: foreign.append(request.url)
                if not request.url.startswith(base) else None)
        page.on("dialog", lambda dialog: dialog.dismiss())
        wait_for_results(page, query)
        if query == "harbour":
            labels = page.eval_on_selector_all(".facet:not(.facet-story) .facet-label",
                                               "nodes => nodes.map(n => n.textContent)")
            assert sorted(labels) == sorted([*PAYLOADS, *PAYLOADS, "2024"])
            authors = page.eval_on_selector_all(".result-author", "nodes => nodes.map(n => n.textContent)")
            assert sorted(authors) == sorted(PAYLOADS)
            indexed = page.evaluate("async () => (await (await import('/pagefind/pagefind.js')).filters()).topic")
            assert sorted(indexed) == sorted(PAYLOADS)
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss") is None
        assert page.query_selector("main img, main svg, main style, main script") is None
        assert foreign == [] and page.errors == []


# --- the BBC corpus --------------------------------------------------------------------------------


@pytest.mark.slow
def test_bbc_archive_search_for_oil(tmp_path, browser, static_server):
    """2,225 real articles: results for "oil" show summaries, not headers; newest first is dated order;
    nothing shifts on a phone."""
    if not BBC.is_dir():
        pytest.skip(f"the shared corpus is not at {BBC} (set SITEGEN_CORPUS to its folder)")
    bbc_site(tmp_path / "site")
    build(tmp_path / "site", tmp_path / "public")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.add_init_script(CLS_OBSERVER)
    page.goto(static_server(tmp_path / "public") + "/search/?q=oil")
    wait_for_results(page, "oil", 10)
    shift = page.evaluate(SHIFT_SUM)
    assert shift < 0.1
    excerpts = page.eval_on_selector_all(".result-excerpt", "nodes => nodes.map(n => n.textContent)")
    assert len(excerpts) == 10 and not [e for e in excerpts if re.search(r"\d{1,2} [A-Z][a-z]+ 2005", e)]
    page.check("input[name=sort][value=newest]")
    page.wait_for_function("() => document.querySelector('.results-month') !== null")
    dates = shown_dates(page)
    assert dates == sorted(dates, reverse=True)
    assert axe_violations(page) == []
    context.close()


# --- the search page in the site's language --------------------------------------------------------------------


@pytest.mark.parametrize(("language", "digits", "query", "count"), [
    ("fr", "latn", "pétrole", 3),
    ("ar", "arab", "النفط", 12),
])
def test_a_french_or_arabic_search_page_shows_no_english_word(tmp_path, open_page, static_server,  # noqa: F811
                                                             language, digits, query, count):
    """Every word search.js shows comes from the page's catalog, plurals picked by the language's CLDR rules,
    numbers and dates in its digits: the status line and a result's date read exactly as the site writes them."""
    from datetime import datetime

    from sitegen.config import load_config
    from sitegen.i18n import load_interface
    from sitegen.themes import theme_dirs

    site = tmp_path / "site"
    write(site / "site.yml", f"title: Archive\nlanguage: {language}\ndigits: {digits}\ntimezone: UTC\n")
    for number in range(count):
        write(site / f"content/briefings/b{number}.md", briefing(
            f"B {number}", f"2020-03-{number + 1:02d}T10:00:00+00:00", body=f"{query} {number}.",
            tags=f"[T{number % 3}]", authors=f"[A{number % 2}]"))
    build(site, tmp_path / "www")
    config = load_config(site)
    words = load_interface(config, theme_dirs(config)).get(language)
    page = open_page(static_server(tmp_path / "www") + "/search/?q=" + query)
    page.wait_for_function("n => document.querySelectorAll('.result-link').length === Math.min(n, 10)", arg=count)
    what = words.t("search_what_query", query=query)
    shown = words.t("search_showing", count=words.number(10)) if count > 10 else ""
    expected = words.t("search_status", results=words.tn("search_results_count", count, what=what),
                       order=words.t("search_order_relevance"), showing=shown)
    assert page.inner_text("#search-status") == str(expected)
    newest = page.query_selector(f".result-link[href='/briefings/2020/03/b-{count - 1}/']")
    assert newest is not None, "the newest briefing is among the results"
    dates = page.eval_on_selector_all(".result-meta time", "nodes => nodes.map(n => n.textContent)")
    assert words.date(datetime(2020, 3, count), False) in dates
    assert page.eval_on_selector("#search-filters", "d => d.open")  # the facets show on a desktop-wide page
    seen = page.evaluate("""() => [document.querySelector('main').innerText,
        ...[...document.querySelectorAll('main [placeholder], main [aria-label]')].map(n =>
            (n.getAttribute('placeholder') || '') + ' ' + (n.getAttribute('aria-label') || ''))].join(' ')""")
    english = load_interface(config, theme_dirs(config), ["en"]).get("en")
    for key in ("search_facet_topic", "search_facet_author", "search_find_topic", "search_find_placeholder",
                "search_order_relevance", "search_label", "search_best_match"):
        assert english.text(key) not in seen, key
    assert not re.search(r"\b(briefings?|match|matches|showing|Topic|Author|Year)\b", seen)
    if digits == "arab":
        assert not re.search(r"[0-9]", page.inner_text("#search-status") + " ".join(dates))
    assert page.errors == []
