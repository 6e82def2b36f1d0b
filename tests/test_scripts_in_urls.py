"""Names in Arabic, Chinese, Cyrillic and Greek (topics, authors, stories, titles) keep working end to end
(issue 13 item 5): every link on every page, in every Atom feed and in the sitemap is percent-encoded ASCII and
leads, over real HTTP on 127.0.0.1, to a page; feeds are well-formed Atom; `sitegen check` finds nothing wrong
with them, and still finds a page that is really missing."""

from __future__ import annotations

import shutil
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

from .helpers import run_sitegen, write

BASE_URL = "https://example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# (title, topics, author, story): one script each; the Cyrillic author is written decomposed (NFD) in the
# second briefing, as text pasted from some editors is, and must still be one author with one page
SCRIPTS = [
    ("Переговоры в Женеве", ["Сирия", "Организация Объединённых Наций"], "Алексей Йорданов", "Переговоры в Женеве"),
    ("Η κρίση στην Αθήνα", ["Ελλάδα", "Οικονομία"], "Γιώργος Παπαδόπουλος", "Ελληνική κρίση"),
    ("中美贸易谈判继续", ["中国", "贸易"], "王小明", "中美贸易谈判"),
    ("محادثات جنيف", ["الطاقة", "الأمم المتحدة"], "نوال سيد", "محادثات جنيف"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A site with two briefings per script, built with its search index into www/news/."""
    root = tmp_path_factory.mktemp("scripts") / "site"
    write(root / "site.yml", f"title: Scripts\nbase_url: {BASE_URL}\ntimezone: Europe/Athens\noutput: ../www/news\n")
    day = 10
    for title, topics, author, story in SCRIPTS:
        for number in (1, 2):
            day += 1
            name = unicodedata.normalize("NFD", author) if number == 2 else author
            write(root / "content" / "briefings" / f"b{day}.md",
                  f"---\ntitle: \"{title} {number}\"\ndate: 2026-03-{day}T10:00:00+02:00\nauthors: [\"{name}\"]\n"
                  f"tags: [{', '.join(topics)}]\nstory: \"{story}\"\n---\n\nText {day} about {topics[0]}.\n")
    result = run_sitegen("build", "--site", root)
    assert result.returncode == 0, result.stderr
    return root


def www(site: Path) -> Path:
    return site.parent / "www"


class Links(HTMLParser):
    """Every address a page asks for: links, stylesheets, feeds, images, scripts, form actions."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "img": "src", "script": "src", "form": "action"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)


def links_in(body: str, content_type: str) -> list[str]:
    if "html" in content_type:
        parser = Links()
        parser.feed(body)
        return parser.found
    if "xml" in content_type or "atom" in content_type:
        root = ET.fromstring(body)
        return ([e.get("href", "") for e in root.iter(f"{ATOM}link")] + [e.text or "" for e in root.iter(f"{ATOM}uri")]
                + [e.text or "" for e in root.iter(f"{SITEMAP}loc")])
    return []


def is_encoded(address: str) -> bool:
    """ASCII only, every other character percent-encoded with upper-case hex, as RFC 3986 and the sitemap
    protocol ask; encoding it again changes nothing."""
    path = urlsplit(address).path
    return address.isascii() and quote(unquote(path), safe="/-._~!$&'()*+,;=:@") == path


def crawl(server: str) -> tuple[dict[str, int], list[str]]:
    """Follow every internal address from the home page (feeds and the sitemap included): status per path, and
    the addresses that are not percent-encoded ASCII."""
    site_path = urlsplit(BASE_URL).path
    seen: dict[str, int] = {}
    unencoded: list[str] = []
    todo = deque([site_path, site_path + "sitemap.xml"])
    while todo:
        path = todo.popleft()
        if path in seen:
            continue
        try:
            with urllib.request.urlopen(server + path, timeout=10) as response:
                seen[path] = response.status
                body, kind = response.read().decode("utf-8"), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            seen[path] = error.code
            continue
        for address in links_in(body, kind if not path.endswith(".xml") else "xml"):
            absolute = urljoin(urljoin(BASE_URL, path), address)
            if urlsplit(absolute).netloc != urlsplit(BASE_URL).netloc:
                continue  # another site's address
            if not is_encoded(absolute):
                unencoded.append(f"{unquote(path)}: {address}")
            todo.append(urlsplit(absolute).path)
    return seen, unencoded


def test_every_link_leads_to_a_page_over_http(site, static_server):
    seen, unencoded = crawl(static_server(www(site)))
    assert unencoded == []
    assert {unquote(p): s for p, s in seen.items() if s != 200} == {}
    reached = {unicodedata.normalize("NFC", unquote(p)) for p in seen}
    public = www(site) / "news"
    on_disk = {urljoin("/news/", p.relative_to(public).parent.as_posix() + "/") for p in public.rglob("index.html")}
    assert on_disk - reached == set()  # no page is out of reach
    assert sum(p.endswith("/feed.xml") for p in reached) == 1 + 4 * 2 + 4 + 4  # site, topics, stories, authors
    for _title, topics, author, story in SCRIPTS:
        for kind, name in [("topics", topics[0]), ("topics", topics[1]), ("authors", author), ("stories", story)]:
            assert any(p.startswith(f"/news/{kind}/") and p.endswith(f"/{name.lower().replace(' ', '-')}/")
                       for p in reached), f"no {kind} page for {name} reached"
            assert any(p.startswith(f"/news/{kind}/") and p.endswith("/feed.xml") for p in reached)
    authors = [p for p in reached if p.startswith("/news/authors/") and p.count("/") == 4 and p.endswith("/")]
    assert len(authors) == len(SCRIPTS), sorted(authors)  # the decomposed spelling is the same author


def feed_files(site: Path) -> list[Path]:
    return sorted((www(site) / "news").rglob("feed.xml"))


def test_every_feed_is_atom_with_absolute_encoded_links(site):
    feeds = feed_files(site)
    names = {unquote(p.parent.name) for p in feeds}
    for _title, topics, _author, story in SCRIPTS:
        assert {t.lower().replace(" ", "-") for t in topics} | {story.lower().replace(" ", "-")} <= names
    for path in feeds:
        feed = ET.parse(path).getroot()
        assert feed.tag == f"{ATOM}feed", path
        for element in [feed, *feed.findall(f"{ATOM}entry")]:
            for name in ("id", "title", "updated"):
                assert (element.findtext(f"{ATOM}{name}") or "").strip(), (path, name)
            datetime.fromisoformat(element.findtext(f"{ATOM}updated") or "")
        assert feed.findtext(f"{ATOM}author/{ATOM}name")
        ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
        assert ids and len(ids) == len(set(ids)), path
        self_link = feed.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href") == BASE_URL + quote(
            str(path.relative_to(www(site) / "news")).replace("\\", "/")), path
        hrefs = [e.get("href", "") for e in feed.iter(f"{ATOM}link")] + [e.text or "" for e in feed.iter(f"{ATOM}uri")]
        assert [h for h in hrefs if not (h.startswith(BASE_URL) and is_encoded(h))] == [], path
        titles = {e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")}
        assert all(any(title in t for title, *_ in SCRIPTS) for t in titles), titles  # names stay text


def test_the_sitemap_lists_every_page_url_encoded(site):
    public = www(site) / "news"
    sitemap = ET.parse(public / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.iter(f"{SITEMAP}loc")]
    assert [loc for loc in locs if not (loc.startswith(BASE_URL) and is_encoded(loc))] == []
    pages = {"/news/" + str(p.parent.relative_to(public)).replace("\\", "/") + "/"
             for p in public.rglob("index.html") if p.parent != public and p.parent.name != "search"}
    listed = {unquote(urlsplit(loc).path) for loc in locs}
    assert pages - listed == set()
    raw = (public / "sitemap.xml").read_bytes()
    assert raw.isascii(), "a sitemap's URLs must be percent-encoded"


def test_sitegen_check_passes_and_still_finds_a_missing_page(site, tmp_path):
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout
    copy = tmp_path / "www" / "news"
    shutil.copytree(www(site) / "news", copy)
    gone = next((copy / "topics").glob("сирия"))
    shutil.rmtree(gone)
    result = run_sitegen("check", "--site", site, "--out", copy)
    assert result.returncode == 1
    assert "/news/topics/сирия/" in unquote(result.stdout + result.stderr)
