"""The reader's site, built for real from a generated archive and checked against what its content says."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser

from sitegen import sitewide
from sitegen.build import BuildOptions, build_site
from sitegen.check import check_output
from sitegen.config import load_config
from sitegen.load import load_briefings, select
from sitegen.pages import MONTH_PAGE_FACTOR, make_site, plan_routes
from sitegen.taxonomy import RELATED_WINDOW

from .archive import BASE_PATH, BASE_URL, HOSTILE_TITLE, PER_PAGE
from .helpers import briefing, run_sitegen, write

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Links(HTMLParser):
    """Hrefs of <a> elements with the classes of the link and every element around it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.found: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("br", "img", "input", "meta", "link"):
            return
        self.stack.append(values.get("class") or "")
        if tag == "a" and values.get("href"):
            self.found.append((" ".join(self.stack), values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def inside(self, css_class: str) -> list[str]:
        return [href for where, href in self.found if re.search(rf"(^| ){css_class}( |$)", where)]


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def site_path(href: str) -> str:
    assert href.startswith(BASE_PATH), f"{href} does not start with the base path"
    return "/" + href[len(BASE_PATH):]


def cards(html: str) -> list[str]:
    """Briefing URLs of the cards on a list page, in order."""
    return [site_path(href) for href in links(html).inside("card-title")]


def headlines(html: str) -> list[str]:
    """Briefing URLs of a month page's headline list (grouped by day), in order."""
    return [site_path(href) for href in links(html).inside("headlines")]


def walk_pages(archive, first_url: str, listed=cards, per_page: int = PER_PAGE) -> list[str]:
    """Follow "older" pagination links from a list's first page; the briefings ``listed`` on every page, in order."""
    found, url, seen = [], first_url, 0
    while url:
        html = archive.page(url)
        page_cards = listed(html)
        assert 0 < len(page_cards) <= per_page
        found += page_cards
        seen += 1
        older = links(html).inside("pagination-older")
        url = site_path(older[0]) if older else None
    assert seen == max(1, math.ceil(len(found) / per_page))
    return found


def count_in(html: str, label_url: str) -> int:
    """The "N briefings" count printed next to a link on an index page."""
    match = re.search(re.escape(f'href="{BASE_PATH}{label_url.lstrip("/")}"') + r'>(?:<span>)?[^<]*(?:</span>)?(?:</a>)? '
                      r'<span class="count">(\d+) briefings?</span>', html)
    assert match, f"no count for {label_url}"
    return int(match.group(1))


# --- lists ----------------------------------------------------------------------------------


def test_home_pages_list_every_briefing_newest_first(archive):
    expected = [b["url"] for b in archive.expected.briefings]
    assert walk_pages(archive, "/") == expected
    assert 'rel="prev" href="/briefings/page/2/"' in archive.page("/page/3/")


def test_topic_index_and_pages_count_and_list_every_briefing_on_each_topic(archive):
    index = archive.page("/topics/")
    counts = archive.expected.topic_counts
    assert len(re.findall(r'<li><a href="/briefings/topics/[^"]+/">', index)) == 2 * len(counts)  # A-Z and by size
    for slug, count in counts.items():
        assert count_in(index, f"/topics/{slug}/") == count
        listed = walk_pages(archive, f"/topics/{slug}/")
        assert listed == [b["url"] for b in archive.expected.on_topic(slug)]
        assert f"{count} briefing" in archive.page(f"/topics/{slug}/")


def test_topics_index_lists_by_size_then_a_to_z(archive):
    index = archive.page("/topics/")
    by_size, a_to_z = index.split("</main>")[0].split('id="a-z"')
    sizes = [count_in(by_size, href) for href in re.findall(r'href="/briefings(/topics/[^"]+/)"', by_size)]
    assert sizes == sorted(sizes, reverse=True)
    names = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', a_to_z)
    assert names == sorted(names, key=str.casefold)


def test_two_spellings_of_a_tag_share_one_topic_page(archive):
    assert archive.expected.topic_counts["us"] > 0
    assert (archive.output / "topics" / "us" / "index.html").exists()
    assert not (archive.output / "topics" / "u-s").exists()


def test_author_pages_count_and_list_every_briefing_by_each_author(archive):
    index = archive.page("/authors/")
    for slug, count in archive.expected.author_counts.items():
        assert count_in(index, f"/authors/{slug}/") == count
        listed = walk_pages(archive, f"/authors/{slug}/")
        assert listed == [b["url"] for b in archive.expected.briefings if b["author_slug"] == slug]
    assert "sara-khalil" in archive.expected.author_counts  # written two ways, one page


def test_archive_pages_count_and_list_every_month(archive):
    index = archive.page("/archive/")
    months = archive.expected.month_counts
    assert sum(months.values()) == len(archive.expected.briefings)
    for month, count in months.items():
        assert count_in(index, f"/archive/{month}/") == count
        listed = walk_pages(archive, f"/archive/{month}/", headlines, PER_PAGE * MONTH_PAGE_FACTOR)
        assert listed == [b["url"] for b in archive.expected.briefings if f"{b['date']:%Y/%m}" == month]
    newest, oldest = sorted(months)[-1], sorted(months)[0]
    assert not links(archive.page(f"/archive/{newest}/")).inside("prev-next-newer")
    assert not links(archive.page(f"/archive/{oldest}/")).inside("prev-next-older")


# --- a briefing -----------------------------------------------------------------------------


def test_every_briefing_links_the_next_older_and_newer_one(archive):
    briefings = archive.expected.briefings
    for index, item in enumerate(briefings):
        page = links(archive.page(item["url"]))
        newer = [briefings[index - 1]["url"]] if index > 0 else []
        older = [briefings[index + 1]["url"]] if index + 1 < len(briefings) else []
        assert [site_path(h) for h in page.inside("prev-next-newer")] == newer
        assert [site_path(h) for h in page.inside("prev-next-older")] == older


def scorer(expected):
    """Score of a shared-topic pair, from the content alone: sum of log(1 + N / briefings on the topic)."""
    total = len(expected.briefings)
    weight = {slug: round(1e6 * math.log(1 + total / n)) for slug, n in expected.topic_counts.items()}
    return lambda a, b: sum(weight[t] for t in set(a["topics"]) & set(b["topics"]))


def test_related_briefings_share_topics_ranked_by_rarity_then_nearness(archive):
    expected = archive.expected
    by_url = {b["url"]: b for b in expected.briefings}
    score = scorer(expected)
    rare = {slug for slug, n in expected.topic_counts.items() if n <= 2 * RELATED_WINDOW + 1}
    exact = 0
    for item in expected.briefings:
        related = [by_url[site_path(h)] for h in links(archive.page(item["url"])).inside("related")]
        assert len(related) <= 5 and item not in related
        keys = [(-score(item, other), abs((other["date"] - item["date"]).total_seconds())) for other in related]
        assert all(k[0] < 0 for k in keys), "every related briefing shares a topic"
        assert keys == sorted(keys)
        if set(item["topics"]) <= rare:  # no topic cut to its window: the ranking must be the exact best
            others = [o for o in expected.briefings if o is not item and score(item, o)]
            best = sorted((-score(item, o), abs((o["date"] - item["date"]).total_seconds())) for o in others)
            assert keys == best[:5]
            exact += 1
    assert exact >= 5


def test_more_on_links_what_came_next_on_the_briefings_first_topic(archive):
    briefings = archive.expected.briefings
    item = briefings[150]
    topic = item["topics"][0]
    html = archive.page(item["url"])
    assert f'href="/briefings/topics/{topic}/">All briefings on ' in html
    related = {site_path(h) for h in links(html).inside("related")}
    section = html.split('<section class="more-on"')[1].split("</section>")[0]
    shown = [site_path(h) for h in re.findall(r'<li><a href="([^"]+)"', section)]
    on_topic = [b["url"] for b in archive.expected.on_topic(topic)]
    spot = on_topic.index(item["url"])
    after = [url for url in reversed(on_topic[:spot]) if url not in related][:3]
    assert shown == sorted(after, key=on_topic.index)


def test_head_has_canonical_description_social_tags_and_news_article(archive):
    item = archive.expected.briefings[0]
    html = archive.page(item["url"])
    absolute = BASE_URL + item["url"].lstrip("/")
    assert f'<link rel="canonical" href="{absolute}">' in html
    for tag in ('<meta name="description" content="News about', '<meta property="og:type" content="article">',
                f'<meta property="og:url" content="{absolute}">', '<meta name="twitter:card" content="summary">',
                f'<meta property="og:title" content="{item["title"]}">'):
        assert tag in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle" and data["headline"] == item["title"]
    assert datetime.fromisoformat(data["datePublished"]) == item["date"]
    assert data["publisher"] == {"@type": "Organization", "name": "The Test Desk", "url": BASE_URL}
    if item["author"]:
        assert [p["@type"] for p in data["author"]] == ["Person"]
        assert data["author"][0]["url"].startswith(BASE_URL + "authors/")


def test_a_hostile_title_cannot_break_out_of_json_ld(archive):
    item = next(b for b in archive.expected.briefings if b["title"] == HOSTILE_TITLE)
    html = archive.page(item["url"])
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script)["headline"] == HOSTILE_TITLE
    assert html.count("<script") == 1


def test_bodies_link_the_first_mention_of_their_topics(archive):
    item = archive.expected.briefings[0]
    html = archive.page(item["url"])
    topic = item["topics"][0]
    body = html.split('<div class="body">')[1]
    assert body.count(f'href="/briefings/topics/{topic}/" class="topic-link"') == 1
    assert re.search(r"<h2[^>]*>[^<]*</h2>", body), "the heading naming the topic is not linked"


# --- feeds, sitemap, robots -------------------------------------------------------------------


def entry_links(feed: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in feed.findall(f"{ATOM}entry")]


def check_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and its entries."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").startswith(BASE_URL)
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text
        datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith(BASE_URL)
        assert entry.find(f"{ATOM}content[@type='html']").text.startswith("<h2")


def test_site_feed_has_the_latest_twenty_with_full_text(archive):
    feed = ET.fromstring(archive.page("/feed.xml"))
    check_atom(feed)
    assert entry_links(feed) == [BASE_URL + b["url"].lstrip("/") for b in archive.expected.briefings[:20]]


def test_each_topic_has_its_own_feed(archive):
    for slug in archive.expected.topic_counts:
        feed = ET.fromstring(archive.page(f"/topics/{slug}/feed.xml"))
        check_atom(feed)
        latest = archive.expected.on_topic(slug)[:20]
        assert entry_links(feed) == [BASE_URL + b["url"].lstrip("/") for b in latest]
        assert f'href="/briefings/topics/{slug}/feed.xml"' in archive.page(f"/topics/{slug}/")


def test_sitemap_lists_every_page_with_lastmod_and_robots_points_at_it(archive):
    sitemap = ET.fromstring(archive.page("/sitemap.xml"))
    assert sitemap.tag == f"{SITEMAP}urlset"
    listed = {}
    for url in sitemap.findall(f"{SITEMAP}url"):
        listed[url.find(f"{SITEMAP}loc").text] = datetime.fromisoformat(url.find(f"{SITEMAP}lastmod").text)
    for item in archive.expected.briefings:
        assert listed[BASE_URL + item["url"].lstrip("/")] == item["date"]
    for loc in listed:
        assert loc.startswith(BASE_URL)
        assert (archive.output / loc[len(BASE_URL):] / "index.html").is_file()
    assert BASE_URL + "about/" in listed and BASE_URL + "topics/syria/page/2/" in listed
    assert not any(loc.endswith(("404.html", "/search/")) for loc in listed)
    assert archive.page("/robots.txt") == f"User-agent: *\nAllow: /\n\nSitemap: {BASE_URL}sitemap.xml\n"


def test_a_large_site_gets_a_sitemap_index(site, monkeypatch):
    monkeypatch.setattr(sitewide, "SITEMAP_SIZE", 4)
    for day in range(1, 10):
        write(site / "content" / f"b{day}.md", briefing(f"Day {day}", date=f"2024-05-{day:02d}T09:00:00+02:00"))
    build_site(load_config(site), BuildOptions(search=False))
    index = ET.fromstring((site / "public" / "sitemap.xml").read_text())
    assert index.tag == f"{SITEMAP}sitemapindex"
    locs = [s.find(f"{SITEMAP}loc").text for s in index.findall(f"{SITEMAP}sitemap")]
    assert locs[0] == "https://example.org/sitemap-1.xml" and len(locs) > 2
    urls = [ET.fromstring((site / "public" / loc.rsplit("/", 1)[1]).read_text()).findall(f"{SITEMAP}url")
            for loc in locs]
    assert all(0 < len(part) <= 4 for part in urls)


# --- the site as a whole ------------------------------------------------------------------


def test_every_internal_link_and_asset_resolves(archive):
    report = check_output(archive.output, BASE_URL)
    assert report.problems == []
    assert report.pages > 400 and report.links > 10_000


def test_every_page_names_the_briefings_it_links_to(archive):
    """A page's ``shows`` must cover every briefing it links to, or an edit would leave it stale."""
    config = load_config(archive.root)
    loaded = load_briefings(config)
    site = make_site(config, select(loaded.briefings, False, False, datetime.now(config.tz)), datetime.now(config.tz))
    briefing_link = re.compile(r'href="/briefings(/briefings/\d{4}/\d{2}/[^"/]+/)"')
    checked = 0
    for page in plan_routes(site):
        if page.output_path.endswith(".html"):
            shown = {b.url for b in page.shows}
            assert set(briefing_link.findall(archive.page(page.url))) <= shown, page.url
            checked += 1
    assert checked > 400


def test_drafts_and_scheduled_briefings_are_badged_when_built_with_them(archive, tmp_path):
    assert not (archive.output / "briefings" / "2024" / "08" / "draft").exists()
    out = tmp_path / "with-drafts"
    result = run_sitegen("build", "--site", archive.root, "--out", out, "--drafts", "--future", "--no-search")
    assert result.returncode == 0, result.stderr
    draft = next(out.glob("briefings/*/*/draft/index.html")).read_text()
    future = (out / "briefings" / "2999" / "01" / "future" / "index.html").read_text()
    assert '<strong class="badge">Draft</strong>' in draft
    assert '<strong class="badge">Scheduled</strong>' in future
    assert '<strong class="badge">Scheduled</strong>' in (out / "index.html").read_text()
    assert "badge" not in archive.page(archive.expected.briefings[0]["url"])
