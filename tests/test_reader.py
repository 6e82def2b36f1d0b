"""What a reader finds around the briefings: the topic hub, time navigation, feeds per author, and pages
that speak to readers rather than to the site's owner. Real builds of real folders; the accessibility and
layout checks open the pages in headless Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitegen.pages import HUB_INLINE, HUB_TOP

from .archive import BASE_PATH, generate
from .helpers import axe_violations, briefing, run_sitegen, write

ATOM = "{http://www.w3.org/2005/Atom}"


def build(site: Path, *args: str) -> Path:
    result = run_sitegen("build", "--site", site, "--no-search", *args, timeout=600)
    assert result.returncode == 0, result.stderr
    return site / "public"


@pytest.fixture(scope="module")
def many_topics(tmp_path_factory) -> Path:
    """1,400 briefings over 4,000 topics: topic i is on i % 7 + 1 briefings, so sizes differ and ties exist."""
    site = tmp_path_factory.mktemp("hub") / "site"
    write(site / "site.yml", "title: Hub\nbase_url: /\ntimezone: UTC\npaginate: 10\ntopics_min_count: 1\n")
    tags: dict[int, list[str]] = {}
    for topic in range(4000):
        names = f"Zeta {topic}" if topic % 5 == 0 else f"{chr(65 + topic % 26)}topic {topic}"
        for copy in range(topic % 7 + 1):
            tags.setdefault((topic * 7 + copy * 13) % 1400, []).append(names)
    for number in range(1400):
        day = f"2023-{number % 12 + 1:02d}-{number % 28 + 1:02d}T{number % 24:02d}:00:00+00:00"
        listed = ", ".join(f'"{t}"' for t in tags.get(number, ["Zeta 0"]))
        write(site / f"content/briefings/b{number}.md", briefing(f"Briefing {number}", day, tags=f"[{listed}]"))
    return build(site)


def test_hub_stays_small_at_4000_topics_with_a_page_per_letter(many_topics):
    hub = (many_topics / "topics/index.html").read_bytes()
    assert len(hub) < 150 * 1024, f"/topics/ is {len(hub) / 1024:.0f} KiB"
    html = hub.decode()
    grid = re.findall(r'<li><a href="/topics/([^"]+)/"><span>', html)
    assert len(grid) == HUB_TOP
    letters = re.findall(r'<li><a href="(/topics/a-z/[^"]+/)"', html)
    assert len(letters) == 26 and HUB_INLINE < 4000
    listed = 0
    for letter in letters:
        page = (many_topics / letter.strip("/") / "index.html").read_text()
        assert len(page) < 150 * 1024
        names = re.findall(r'<li><a href="/topics/[^"]+/">([^<]+)</a> <span class="count">', page)
        assert names == sorted(names, key=str.casefold) and names
        listed += len(names)
    assert listed == 4000


def test_most_covered_reads_in_rows_by_size(many_topics):
    html = (many_topics / "topics/index.html").read_text()
    counts = [int(n) for n in re.findall(r'<span class="count">(\d+) briefings?</span></a></li>', html)]
    assert len(counts) == HUB_TOP and counts == sorted(counts, reverse=True) and counts[0] == 7
    css = (many_topics / "style.css").read_text()
    assert re.search(r"\.topic-grid \{[^}]*display: grid;[^}]*grid-template-columns: repeat\(auto-fill", css), \
        "a grid filled along rows, not columns"


def test_topic_page_shows_related_topics_and_a_month_strip(tmp_path):
    site = tmp_path / "site"
    write(site / "site.yml", "title: T\nbase_url: /\ntimezone: UTC\n")
    plan = [("2024-01-05", "[Syria, Turkey]"), ("2024-01-20", "[Syria, Turkey, Russia]"), ("2024-03-02", "[Syria, Iran]"),
            ("2024-04-11", "[Turkey]")]
    for number, (day, tags) in enumerate(plan):
        write(site / f"content/briefings/b{number}.md", briefing(f"B {number}", f"{day}T10:00:00+00:00", tags=tags))
    html = (build(site) / "topics/syria/index.html").read_text()
    near = re.findall(r'<li><a href="/topics/([^"]+)/">[^<]+ <span class="count">(\d+)</span>', html)
    assert near == [("turkey", "2"), ("iran", "1"), ("russia", "1")]
    strip = html[html.index('<ol class="month-bars">'):]
    strip = strip[:strip.index("</ol>")]
    bars = re.findall(r'<li(?: data-year="\d+")?(?: aria-hidden="true")?>\s*(?:<a href="([^"]+)"|<i )', strip)
    assert bars == ["/archive/2024/01/", "", "/archive/2024/03/"]
    assert 'aria-label="January 2024: 2 briefings"' in html


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader-archive")
    expected = generate(root / "site", count=300)
    build(root / "site", "--out", str(root / "www" / BASE_PATH.strip("/")))
    return root / "www" / BASE_PATH.strip("/"), expected


def test_pagination_is_numbered_with_first_last_and_a_jump(archive):
    output, expected = archive
    html = (output / "page/5/index.html").read_text()
    nav = html[html.index('<nav class="pagination"'):]
    numbers = re.findall(r'aria-label="Page (\d+)">\1</a>', nav)
    last = -(-len(expected.briefings) // 10)
    assert numbers == ["1", "2", "3", "4", "5", "6", "7", str(last)]
    assert re.search(r'aria-current="page" href="/briefings/page/5/"', nav)
    jumps = re.findall(r'<li><a href="/briefings/(?:page/(\d+)/)?"', nav[nav.index("pagination-jumps"):])
    assert jumps[0] == "" and jumps[-1] == str(last) and len(jumps) == last


def test_month_pages_list_headlines_by_day_with_a_strip_of_years_and_months(archive):
    output, expected = archive
    month = max(f"{b['date']:%Y/%m}" for b in expected.briefings)
    html = (output / "archive" / month / "index.html").read_text()
    days = re.findall(r'<section class="day" aria-labelledby="day-(\d+)">', html)
    assert days == sorted(days, key=int, reverse=True) and len(set(days)) == len(days)
    in_month = [b for b in expected.briefings if f"{b['date']:%Y/%m}" == month]
    assert len(re.findall(r"<li><time datetime=", html)) == len(in_month)
    strip = html[html.index('class="time-strip"'):html.index("</nav>", html.index('class="time-strip"'))]
    assert f'href="/briefings/archive/{month}/" aria-current="page"' in strip
    years = sorted({f"{b['date']:%Y}" for b in expected.briefings}, reverse=True)
    assert re.findall(r">(\d{4})</a></li>", strip) == years
    assert len(re.findall(r"<li>", strip[strip.index("time-months"):])) == 12


def test_a_briefings_date_links_to_its_month(archive):
    output, expected = archive
    first = expected.briefings[0]
    html = (output / first["url"].strip("/") / "index.html").read_text()
    assert f'<a class="dateline-month" href="/briefings/archive/{first["date"]:%Y/%m}/"><time' in html


def test_every_author_has_an_atom_feed(archive):
    output, expected = archive
    for slug, count in expected.author_counts.items():
        page = (output / "authors" / slug / "index.html").read_text()
        assert '<link rel="alternate" type="application/atom+xml"' in page and f"/authors/{slug}/feed.xml" in page
        feed = ET.parse(output / "authors" / slug / "feed.xml").getroot()
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == min(count, 20)
        urls = [e.find(f"{ATOM}link").get("href").removeprefix("https://example.org") for e in entries]
        assert urls == [BASE_PATH.rstrip("/") + b["url"] for b in expected.briefings if b["author_slug"] == slug][:20]


def test_every_page_has_a_favicon(archive):
    output, _ = archive
    assert (output / "favicon.svg").is_file()
    assert '<link rel="icon" href="/briefings/favicon.svg" type="image/svg+xml">' in (output / "index.html").read_text()


def test_a_site_without_authors_has_no_authors_page_and_no_owner_words(tmp_path):
    site = tmp_path / "site"
    write(site / "site.yml", "title: T\nbase_url: /\n")
    write(site / "content/briefings/a.md", briefing("Untagged and unsigned"))
    output = build(site)
    assert not (output / "authors").exists()
    for path in output.rglob("*.html"):
        html = path.read_text()
        assert 'href="/authors/"' not in html, path
        assert not re.search(r"front matter|<code>(tags|author):</code>|sitegen new", html), path


def test_the_starter_site_reads_as_a_real_site(tmp_path):
    assert run_sitegen("init", tmp_path / "new").returncode == 0
    about = (tmp_path / "new/content/pages/about.md").read_text()
    assert "sitegen" not in about and "`" not in about


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/topics/", "/topics/a-z/b/", "/topics/zeta-5/", "/archive/2023/05/", "/page/3/"])
def test_hub_and_archive_pages_are_accessible(many_topics, browser, static_server, path):
    page = browser.new_page()
    page.goto(static_server(many_topics) + path)
    assert axe_violations(page) == []
    page.close()


WIKINEWS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "wikinews"


def test_the_sample_archive_credits_every_wikinews_article_to_its_source(tmp_path):
    """The repository's sample site (#17 item 7): every article of ../shared/corpus/wikinews is a raw seed,
    imported into content/ with its source URL from index.tsv; English briefings at the root, French ones in
    the /fr/ edition; each page links to its original and the footer carries the CC BY 2.5 credit."""
    import csv
    import shutil

    import yaml

    from .helpers import REPO

    if not (WIKINEWS / "index.tsv").is_file():
        pytest.skip(f"Wikinews corpus not found at {WIKINEWS} (../shared is absent)")
    with (WIKINEWS / "index.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    sources = {}
    for path in (REPO / "content" / "briefings").rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))
        sources[front["source"]["path"]] = (front, path)
    for row in rows:
        front, _ = sources[f"seeds/wikinews/{row['file']}"]
        assert front["title"] == row["title"] and front["date"].date().isoformat() == row["date"]
        assert front.get("lang", "en") == row["lang"]
        if row["lang"] == "en":
            assert front["source"]["url"] == row["source"]
        else:
            assert front["source"]["url"].startswith("https://fr.wikinews.org/")
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "site.yml", site / "site.yml")
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, site / folder)
    output = build(site)
    english = next(row for row in rows if row["lang"] == "en")
    front, _ = sources[f"seeds/wikinews/{english['file']}"]
    page = (output / "briefings" / f"{front['date']:%Y/%m}" / front["slug"] / "index.html").read_text()
    assert f'Source: <a href="{english["source"]}" rel="external">Wikinews</a>' in page
    french = next(row for row in rows if row["lang"] == "fr")
    front, _ = sources[f"seeds/wikinews/{french['file']}"]
    page = (output / "fr" / "briefings" / f"{front['date']:%Y/%m}" / front["slug"] / "index.html").read_text()
    assert '<html lang="fr"' in page and 'Source : <a href="https://fr.wikinews.org/' in page
    for home in (output / "index.html", output / "fr" / "index.html"):
        html = home.read_text()
        assert '<a href="https://creativecommons.org/licenses/by/2.5/" rel="license">CC BY 2.5</a>' in html
        assert '<a href="https://www.wikinews.org/">Wikinews</a>' in html
