"""Search, end to end: the real ``sitegen build`` runs Pagefind, and headless Chromium searches the
result over real HTTP, the way a reader would."""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .helpers import CORPUS, REPO, briefing, write

SEED = REPO / "seeds" / "000_66980ba76a757afa.txt"
SEED_URL = "/briefings/2020/03/russia-turkey-military-negotiations-on-idlib-revealed/"
HUMANITARIAN = {"/briefings/2021/02/aid-convoys-reach-the-north-west/",
                "/briefings/2022/01/winter-storm-hits-displacement-camps/"}
SITE_YML = """
    title: Zanzibar Ledger
    base_url: {base_url}
    timezone: Africa/Cairo
"""
OTHERS = {
    "aid.md": briefing("Aid convoys reach the north-west", "2021-02-03T10:00:00+02:00", author="Rana Khalil",
                       tags="[Syria, Humanitarian]",
                       body="Forty trucks crossed from Turkey into Syria on Monday. Aid workers said food and "
                            "blankets would reach camps near Idlib within the week."),
    "lira.md": briefing("Turkish lira slides on border worries", "2021-06-10T09:00:00+02:00", author="Omar Said",
                        tags="[Turkey, Economy]",
                        body="The lira fell for a third day as investors weighed inflation, a widening current "
                             "account deficit, tourism forecasts, and the cost of the army's deployment in Idlib."),
    "nile.md": briefing("Nile dam talks resume in Cairo", "2019-11-05T12:00:00+02:00", author="Nawal Sayed",
                        tags="[Egypt, Ethiopia]",
                        body="Water ministers of Egypt, Sudan and Ethiopia met again over the filling of the dam."),
    "storm.md": briefing("Winter storm hits displacement camps", "2022-01-20T08:00:00+02:00", author="Rana Khalil",
                         tags="[Syria, Humanitarian, Weather]",
                         body="Snow and rain flooded tents across north-west Syria, aid groups said."),
}


def seed_briefing() -> str:
    """The sample archive's seed article as a briefing; its raw form puts the body after the author line."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[9:])
    return briefing("Russia-Turkey Military Negotiations on Idlib Revealed", "2020-03-14T14:53:00+02:00",
                    body=body, author="Nawal Sayed", tags="[Syria, Turkey, Russia]")


def make_site(root: Path, base_url: str = "https://example.org/") -> Path:
    write(root / "site.yml", SITE_YML.format(base_url=base_url))
    write(root / "content/briefings/seed.md", seed_briefing())
    for name, text in OTHERS.items():
        write(root / "content/briefings" / name, text)
    write(root / "content/pages/about.md", "---\ntitle: About\n---\n\nColophon: who writes the ledger.\n")
    return root


def build(site: Path, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command, in its own process, so that environment changes stay in that process."""
    return subprocess.run([sys.executable, "-m", "sitegen", "build", "--site", str(site), *map(str, args)],
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One build of the small test archive, shared by the read-only browser tests."""
    site = make_site(tmp_path_factory.mktemp("search") / "site")
    result = build(site)
    assert result.returncode == 0, result.stderr
    return site / "public"


# --- driving the search page ------------------------------------------------------------------


@pytest.fixture
def open_page(browser):
    """Open a page and wait for ``ready`` (by default the search box); pages are closed after the test."""
    pages = []

    def open_page(url: str, ready: str = "#search-q"):
        page = browser.new_page()
        pages.append(page)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector(ready)
        return page

    yield open_page
    for page in pages:
        page.close()


def wait_for_results(page, term: str, count: int | None = None) -> list[str]:
    """Result links once the search for ``term`` settled; with ``count``, once exactly that many are shown.

    The status line names the search once its results are on the page, and the page shows ten at a time.
    """
    page.wait_for_function("""term => { const m = document.getElementById('search-status');
        return m && m.textContent.includes(term) && !/^Searching/i.test(m.textContent); }""", arg=term)
    page.wait_for_function("""count => { const shown = document.querySelectorAll('.result-link').length;
        if (count !== null) return shown === count;
        const total = parseInt(document.getElementById('search-status').textContent.replace(/,/g, ''), 10) || 0;
        return shown === Math.min(total, 10); }""", arg=count)
    return [link.get_attribute("href") for link in page.query_selector_all(".result-link")]


def message(page) -> str:
    return page.inner_text("#search-status")


# --- the index ----------------------------------------------------------------------------------


def shards(public: Path) -> list[dict]:
    """The search index's manifest: one Pagefind bundle per shard, newest first."""
    return json.loads((public / "pagefind" / "shards.json").read_text())["shards"]


def test_only_briefings_are_indexed(built):
    """Home, about, 404 and the search page carry no data-pagefind-body, so Pagefind leaves them out."""
    assert all((built / "pagefind" / s["bundle"] / "pagefind-entry.json").is_file() for s in shards(built))
    assert (built / "pagefind" / "pagefind.js").is_file() and (built / "pagefind" / "pagefind-ui.js").is_file()
    assert (built / "search" / "index.html").is_file()
    html = {path.relative_to(built).as_posix(): path.read_text() for path in built.rglob("*.html")
            if not path.is_relative_to(built / "pagefind")}
    marked = sorted(name for name, text in html.items() if "data-pagefind-body" in text)
    assert marked == sorted(f"{url.strip('/')}/index.html" for url in [SEED_URL, *HUMANITARIAN,
                            "/briefings/2021/06/turkish-lira-slides-on-border-worries/",
                            "/briefings/2019/11/nile-dam-talks-resume-in-cairo/"])


@pytest.mark.browser
def test_words_outside_briefings_find_nothing(built, open_page, static_server):
    """The site title heads every page, the 404 says "not found", the about page has a colophon: none is a result."""
    page = open_page(static_server(built) + "/search/")
    found = page.evaluate("""async () => {
        const pagefind = await import('/pagefind/pagefind.js');
        const counts = [];
        for (const word of ['zanzibar', 'found', 'colophon']) counts.push((await pagefind.search(word)).results.length);
        return counts; }""")
    assert found == [0, 0, 0]


def test_build_reports_what_it_indexed(tmp_path):
    site = make_site(tmp_path / "site")
    result = build(site)
    assert result.returncode == 0, result.stderr
    assert re.search(r"Search index: 5 briefings in 4 shards \(4 re-indexed\), [\d.]+ MB in [\d.]+ s", result.stderr)


def test_no_search_and_search_false_skip_the_index(tmp_path):
    site = make_site(tmp_path / "site")
    result = build(site, "--no-search")
    assert result.returncode == 0, result.stderr
    assert not (site / "public/pagefind").exists() and (site / "public/search/index.html").is_file()
    write(site / "site.yml", SITE_YML.format(base_url="/") + "    search: false\n")
    assert build(site).returncode == 0
    assert not (site / "public/pagefind").exists() and not (site / "public/search").exists()


# --- when Pagefind is missing or fails ------------------------------------------------------------


@pytest.mark.browser
def test_missing_pagefind_is_explained_and_the_site_still_published(tmp_path, open_page, static_server):
    site = make_site(tmp_path / "site")
    assert build(site).returncode == 0
    env = {**os.environ, "SITEGEN_PAGEFIND": str(tmp_path / "no-such-pagefind")}
    write(site / "content/briefings/new.md", briefing("A briefing written after the last index"))
    result = build(site, env=env)
    assert result.returncode == 1
    assert "Pagefind not found: SITEGEN_PAGEFIND is set to" in result.stderr
    assert "published without a search index" in result.stderr
    assert "unset it to use the one from the pagefind-bin package" in result.stderr
    assert "--no-search" in result.stderr
    assert "Traceback" not in result.stderr
    public = site / "public"
    assert (public / "briefings/2024/05/a-briefing-written-after-the-last-index/index.html").is_file()
    assert not (public / "pagefind").exists(), "an index from an older build must not stay behind"
    page = open_page(static_server(public) + "/search/", ready="#search-unavailable:not([hidden])")
    assert "not available" in page.inner_text("#search-unavailable")


def test_failing_pagefind_shows_its_output(tmp_path):
    site = make_site(tmp_path / "site")
    fake = write(tmp_path / "pagefind", "#!/bin/sh\necho 'Error: the disk is full' >&2\nexit 3\n")
    fake.chmod(0o755)
    result = build(site, env={**os.environ, "SITEGEN_PAGEFIND": str(fake)})
    assert result.returncode == 1
    assert "Pagefind failed (exit code 3)" in result.stderr and "the disk is full" in result.stderr
    assert (site / "public" / SEED_URL.strip("/") / "index.html").is_file()
    assert not (site / "public/pagefind").exists()


def test_pagefind_that_cannot_run_is_explained(tmp_path):
    site = make_site(tmp_path / "site")
    not_executable = write(tmp_path / "pagefind", "#!/bin/sh\nexit 0\n")
    result = build(site, env={**os.environ, "SITEGEN_PAGEFIND": str(not_executable)})
    assert result.returncode == 1
    assert "Pagefind could not be run" in result.stderr and "chmod +x" in result.stderr
    assert (site / "public/index.html").is_file() and not (site / "public/pagefind").exists()


# --- the search page, in a browser ------------------------------------------------------------------


@pytest.mark.browser
def test_idlib_lists_the_seed_briefing_first(built, open_page, static_server):
    page = open_page(static_server(built) + "/search/")
    page.fill("#search-q", "Idlib")
    links = wait_for_results(page, "Idlib", 3)
    assert links[0] == SEED_URL
    first = page.query_selector(".result")
    assert "Russia-Turkey Military Negotiations on Idlib Revealed" in first.inner_text()
    assert "14 March 2020" in first.inner_text()
    assert first.query_selector(".result-excerpt mark").inner_text().lower() == "idlib"
    assert page.errors == []


@pytest.mark.browser
def test_topic_filter_narrows_results_and_is_kept_in_the_url(built, open_page, static_server):
    page = open_page(static_server(built) + "/search/?q=Syria")
    assert set(wait_for_results(page, "Syria", 3)) > HUMANITARIAN
    page.check(".facet-topic input[value='Humanitarian']")
    assert set(wait_for_results(page, "Syria", 2)) == HUMANITARIAN
    page.wait_for_function("() => location.search === '?q=Syria&topic=Humanitarian'")
    page.reload()
    assert set(wait_for_results(page, "Syria", 2)) == HUMANITARIAN
    assert page.is_checked(".facet-topic input[value='Humanitarian']")


@pytest.mark.browser
def test_results_span_the_yearly_shards(built, open_page, static_server):
    """The index is one Pagefind bundle per year; a search lists matches from every year's bundle as one list."""
    assert [s["name"] for s in shards(built)] == ["2022", "2021", "2020", "2019"]
    page = open_page(static_server(built) + "/search/?q=Syria")
    links = wait_for_results(page, "Syria", 3)
    assert {link.split("/")[2] for link in links} == {"2020", "2021", "2022"}
    assert message(page).startswith("3 ")


@pytest.mark.browser
def test_filter_counts_add_up_across_shards(built, open_page, static_server):
    """Humanitarian briefings are in the 2021 and 2022 bundles, Syria ones in three: the counts are totals."""
    page = open_page(static_server(built) + "/search/?q=Syria")
    wait_for_results(page, "Syria", 3)
    shown = page.locator(".facet-topic .facet-value", has=page.locator("input[value='Humanitarian']"))
    assert shown.locator(".facet-count").inner_text() == "2"
    counts = page.evaluate("""async () => {
        const pagefind = await import('/pagefind/pagefind.js');
        const all = await pagefind.filters();
        const found = await pagefind.search('syria', {filters: {topic: 'Humanitarian'}});
        return {all, found: found.results.length, filtered: found.filters}; }""")
    assert counts["all"]["topic"]["Syria"] == 3 and counts["all"]["topic"]["Humanitarian"] == 2
    assert counts["all"]["year"] == {"2019": 1, "2020": 1, "2021": 2, "2022": 1}
    assert counts["found"] == 2 and counts["filtered"]["year"] == {"2019": 0, "2020": 0, "2021": 1, "2022": 1}


@pytest.mark.browser
def test_author_and_year_filters_exist(built, open_page, static_server):
    page = open_page(static_server(built) + "/search/?q=Idlib&author=Rana+Khalil&year=2021")
    assert wait_for_results(page, "Idlib", 1) == ["/briefings/2021/02/aid-convoys-reach-the-north-west/"]


@pytest.mark.browser
def test_nonsense_query_says_there_are_no_results(built, open_page, static_server):
    page = open_page(static_server(built) + "/search/")
    page.fill("#search-q", "qwxzzyv")
    assert wait_for_results(page, "qwxzzyv") == []
    assert "No briefings match “qwxzzyv”" in message(page)


@pytest.mark.browser
def test_query_in_url_runs_on_load_and_typing_updates_it(built, open_page, static_server):
    page = open_page(static_server(built) + "/search/?q=convoys")
    assert wait_for_results(page, "convoys", 1) == ["/briefings/2021/02/aid-convoys-reach-the-north-west/"]
    assert page.input_value("#search-q") == "convoys"
    page.fill("#search-q", "lira inflation")
    page.wait_for_function("() => location.search === '?q=lira+inflation'")
    assert wait_for_results(page, "lira inflation", 1) == ["/briefings/2021/06/turkish-lira-slides-on-border-worries/"]


@pytest.mark.browser
def test_header_search_box_on_every_page_leads_to_results(built, open_page, static_server):
    """The header form is plain HTML (GET /search/?q=…), so it works before any script has loaded."""
    page = open_page(static_server(built) + SEED_URL, ready="header form[role=search] input[type=search][name=q]")
    page.fill("header input[name=q]", "lira")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=lira")
    page.wait_for_selector("#search-q")
    assert wait_for_results(page, "lira", 1) == ["/briefings/2021/06/turkish-lira-slides-on-border-worries/"]


@pytest.mark.browser
def test_works_under_a_base_url_sub_path(tmp_path, open_page, static_server):
    """Built for https://example.org/news/ and served from /news/: links and the index both carry the prefix."""
    site = make_site(tmp_path / "site", base_url="https://example.org/news/")
    result = build(site, "--out", tmp_path / "www" / "news")
    assert result.returncode == 0, result.stderr
    page = open_page(static_server(tmp_path / "www") + "/news/search/?q=Idlib")
    links = wait_for_results(page, "Idlib", 3)
    assert links[0] == "/news" + SEED_URL
    page.click(".result-link")
    page.wait_for_url("**/news" + SEED_URL)
    assert page.inner_text("h1") == "Russia-Turkey Military Negotiations on Idlib Revealed"


@pytest.mark.browser
def test_sample_site_finds_its_seed_briefing(tmp_path, open_page, static_server):
    """The repository's own sample archive, once the importer has put the seed into content/."""
    if not any("Idlib" in path.read_text(encoding="utf-8") for path in (REPO / "content").rglob("*.md")):
        pytest.skip("the sample archive has no imported seed briefing in content/ yet")
    result = build(REPO, "--out", tmp_path / "public")
    assert result.returncode == 0, result.stderr
    page = open_page(static_server(tmp_path / "public") + "/search/?q=Idlib")
    links = wait_for_results(page, "Idlib")
    assert "idlib" in links[0]


# --- the shared corpus ------------------------------------------------------------------------------


BBC = CORPUS / "bbc"


def bbc_site(root: Path) -> dict[str, str]:
    """Turn the BBC corpus (title on the first line) into briefings a minute apart; return slug -> title."""
    write(root / "site.yml", SITE_YML.format(base_url="/"))
    titles: dict[str, str] = {}
    start = datetime(2005, 1, 1, tzinfo=UTC)
    for number, path in enumerate(sorted(BBC.glob("*/*.txt"))):
        title, _, body = path.read_text(encoding="utf-8", errors="replace").strip().partition("\n")
        slug = f"{path.parent.name}-{path.stem}"
        date = (start + timedelta(minutes=number)).isoformat()
        write(root / "content/briefings" / f"{slug}.md",
              briefing(json.dumps(title.strip()), date, body=body.strip(), slug=slug, tags=f"[{path.parent.name}]"))
        titles[slug] = title.strip()
    return titles


def words_in_one_article(root: Path, how_many: int) -> list[tuple[str, str]]:
    """Rare long words found in exactly one article, with no other article sharing their first five letters;
    one per corpus folder.

    The prefix guard keeps the check honest against Pagefind's stemming and prefix matching.
    """
    documents = {path.stem: set(re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower()))
                 for path in sorted((root / "content/briefings").glob("*.md"))}
    prefixes: collections.Counter[str] = collections.Counter()
    for words in documents.values():
        prefixes.update({word[:5] for word in words})
    chosen: dict[str, tuple[str, str]] = {}
    for slug, words in documents.items():
        unique = sorted(w for w in words if len(w) >= 9 and prefixes[w[:5]] == 1)
        folder = slug.split("-")[0]
        if unique and folder not in chosen:
            chosen[folder] = (unique[0], slug)
    return list(chosen.values())[:how_many]


@pytest.mark.browser
@pytest.mark.slow
def test_a_word_from_one_corpus_article_finds_that_article(tmp_path, open_page, static_server):
    if not BBC.is_dir():
        pytest.skip(f"the shared corpus is not at {BBC} (set SITEGEN_CORPUS to its folder)")
    titles = bbc_site(tmp_path / "site")
    result = build(tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert f"Search index: {len(titles):,} briefings" in result.stderr
    page = open_page(static_server(tmp_path / "site" / "public") + "/search/")
    for word, slug in words_in_one_article(tmp_path / "site", 3):
        page.fill("#search-q", word)
        [link] = wait_for_results(page, word, 1)
        assert link.endswith(f"/{slug}/"), word
        assert page.inner_text(".result-title") == titles[slug]
