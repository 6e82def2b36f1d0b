"""Several authors per briefing: front matter forms, byline, author pages, Atom, JSON-LD and search."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from sitegen.config import load_config
from sitegen.errors import SiteError
from sitegen.load import load_briefings

from .helpers import briefing, run_sitegen, write

ATOM = "{http://www.w3.org/2005/Atom}"


def load(site):
    return {b.slug: b for b in load_briefings(load_config(site)).briefings}


@pytest.mark.parametrize(("fields", "expected"), [
    ({"author": "Nawal Sayed"}, ("Nawal Sayed",)),
    ({"author": "[Nawal Sayed, Omar Said]"}, ("Nawal Sayed", "Omar Said")),
    ({"authors": "[Nawal Sayed, Omar Said]"}, ("Nawal Sayed", "Omar Said")),
    ({"authors": "Nawal Sayed"}, ("Nawal Sayed",)),
    ({"authors": "[Nawal Sayed]", "author": "Omar Said"}, ("Nawal Sayed", "Omar Said")),
    ({"authors": "[Nawal Sayed, nawal  sayed]"}, ("Nawal Sayed",)),
    ({"author": '"Sayed, Nawal"'}, ("Sayed, Nawal",)),
    ({}, ()),
])
def test_author_and_authors_accept_a_name_or_a_list(site, fields, expected):
    write(site / "content/briefings/a.md", briefing("A", **fields))
    item = load(site)["a"]
    assert item.authors == expected
    assert item.author == (expected[0] if expected else "")


def test_an_author_that_is_not_a_name_is_an_error_with_its_line(site):
    write(site / "content/briefings/a.md", briefing("A", authors="{name: Nawal}"))
    with pytest.raises(SiteError) as caught:
        load(site)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("content/briefings/a.md", 4)
    assert "authors" in problem.message and "list of names" in problem.hint


@pytest.fixture
def built(site):
    write(site / "content/briefings/a.md", briefing("Joint report", authors="[Nawal Sayed, Omar Said, Rana Khalil]"))
    write(site / "content/briefings/b.md", briefing("Solo report", date="2024-04-01T09:00:00+02:00",
                                                     author="Omar Said"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    return site / "public"


def test_the_byline_credits_every_author_with_a_link(built):
    html = (built / "briefings/2024/05/joint-report/index.html").read_text()
    byline = re.search(r"<p class=\"dateline\"[^>]*>(.*?)</p>", html, re.S).group(1)
    assert re.findall(r'rel="author" href="([^"]+)">([^<]+)</a>', byline) == [
        ("/authors/nawal-sayed/", "Nawal Sayed"), ("/authors/omar-said/", "Omar Said"),
        ("/authors/rana-khalil/", "Rana Khalil")]
    # the list words are the language's (CLDR); each name is isolated in <bdi> for right-to-left pages
    assert re.sub(r"<[^>]+>", "", byline).startswith("By Nawal Sayed, Omar Said, and Rana Khalil · ")
    home = (built / "index.html").read_text()
    assert home.count('href="/authors/omar-said/"') == 2  # once per card


def test_each_author_page_lists_the_co_authored_briefing(built):
    for slug in ("nawal-sayed", "omar-said", "rana-khalil"):
        assert "Joint report" in (built / f"authors/{slug}/index.html").read_text()
    assert "Solo report" in (built / "authors/omar-said/index.html").read_text()
    index = (built / "authors/index.html").read_text()
    assert "3 authors" in index


def test_atom_has_one_author_element_per_author(built):
    feed = ET.parse(built / "feed.xml").getroot()
    entry = next(e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text == "Joint report")
    assert [a.find(f"{ATOM}name").text for a in entry.findall(f"{ATOM}author")] == [
        "Nawal Sayed", "Omar Said", "Rana Khalil"]
    assert entry.find(f"{ATOM}author/{ATOM}uri").text == "https://example.org/authors/nawal-sayed/"


def test_json_ld_lists_every_author_as_a_person(built):
    html = (built / "briefings/2024/05/joint-report/index.html").read_text()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert [(p["@type"], p["name"], p["url"]) for p in data["author"]] == [
        ("Person", "Nawal Sayed", "https://example.org/authors/nawal-sayed/"),
        ("Person", "Omar Said", "https://example.org/authors/omar-said/"),
        ("Person", "Rana Khalil", "https://example.org/authors/rana-khalil/")]


def test_search_index_offers_each_author_as_a_filter(built):
    html = (built / "briefings/2024/05/joint-report/index.html").read_text()
    assert re.findall(r'data-pagefind-filter="author\[value\]" value="([^"]+)"', html) == [
        "Nawal Sayed", "Omar Said", "Rana Khalil"]
