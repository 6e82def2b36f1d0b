"""Bilingual editions (issue 13 item 4): a site with ``languages: [en, ar]`` built for real, read back from disk.

The default language stays at the root and Arabic lives under ``/ar/``; each
edition has its own home, topics, authors, archive, feeds and search page in its
own language; translations (one ``translation_key``) link to each other.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from sitegen.build import BuildOptions, build_site
from sitegen.config import load_config

from .helpers import run_sitegen, write
from .test_reproducible import build, clean_build, differences, snapshot
from .test_serve import EventStream, Server, raw_get
from .test_theme import VNU, require

BASE = "https://example.org/"
EN_TALKS = "/briefings/2024/05/ceasefire-talks-resume-in-geneva/"
AR_TITLE = "استئناف محادثات وقف إطلاق النار في جنيف"
AR_TALKS = "/ar/briefings/2024/05/استئناف-محادثات-وقف-إطلاق-النار-في-جنيف/"
EN_OIL = "/briefings/2024/05/oil-prices-climb/"
AR_ONLY = "/ar/briefings/2024/06/أسعار-القمح-ترتفع/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


def make_bilingual(root: Path) -> Path:
    """An English and Arabic site: one briefing translated both ways, one only in English, one only in Arabic
    (marked by its content/ar/ folder, another by `lang: ar` alone); 2023 has only an English briefing, so a
    year's search shard in one language is not matched by one in the other."""
    write(root / "site.yml", """
        title: Desk
        base_url: https://example.org/
        timezone: Africa/Cairo
        languages: [en, ar]
        topics_min_count: 1
        link_topics: true
    """)
    write(root / "content" / "pages" / "about.md", "---\ntitle: About\ntranslation_key: about\n---\n\nWho we are.\n")
    write(root / "content" / "ar" / "pages" / "about.md", "---\ntitle: من نحن\nslug: about\ntranslation_key: about\n---\n\nنص.\n")
    write(root / "content" / "briefings" / "talks.md", """
        ---
        title: Ceasefire talks resume in Geneva
        date: 2024-05-01T09:30:00+02:00
        tags: [Syria, Diplomacy]
        authors: [Nawal Sayed]
        translation_key: geneva-talks
        ---

        Negotiators met again on Tuesday to discuss the truce.
    """)
    write(root / "content" / "briefings" / "oil.md", """
        ---
        title: Oil prices climb
        date: 2024-05-03T09:30:00+02:00
        tags: [Energy]
        ---

        Brent crude rose sharply after the pipeline closure.
    """)
    write(root / "content" / "briefings" / "conference.md", """
        ---
        title: Geneva conference opens
        date: 2023-11-02T09:30:00+02:00
        tags: [Diplomacy]
        ---

        Delegates gathered in Geneva for a week of talks; there is no Arabic edition of this one.
    """)
    write(root / "content" / "ar" / "talks.md", f"""
        ---
        title: {AR_TITLE}
        date: 2024-05-01T10:30:00+02:00
        tags: [سوريا]
        authors: [نوال سيد]
        translation_key: geneva-talks
        ---

        اجتمع المفاوضون مجددا يوم الثلاثاء في جنيف لبحث الهدنة في سوريا.
    """)
    write(root / "content" / "briefings" / "wheat.md", """
        ---
        title: أسعار القمح ترتفع
        date: 2024-06-02T10:30:00+02:00
        lang: ar
        tags: [الغذاء]
        ---

        ارتفعت أسعار القمح في الأسواق المحلية بعد موسم جاف.
    """)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_bilingual(tmp_path_factory.mktemp("editions") / "site")
    build_site(load_config(root), BuildOptions(search=False))
    return root / "public"


def page(public: Path, url: str) -> str:
    path = public / unquote(url).lstrip("/")
    return (path / "index.html" if url.endswith("/") else path).read_text(encoding="utf-8")


def alternates(html: str) -> dict[str, str]:
    """hreflang -> absolute URL of the page's <link rel="alternate" hreflang> elements."""
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def switch(html: str) -> dict[str, str]:
    """The visible language switch: hreflang -> href."""
    nav = re.search(r'<nav class="site-nav language-switch"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no language switch on the page"
    return dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', nav.group(1)))


def absolute(url: str) -> str:
    return BASE + quote(url.lstrip("/"))


def test_each_edition_lives_under_its_prefix_in_its_own_language(built):
    assert page(built, "/").startswith('<!DOCTYPE html>\n<html lang="en" dir="ltr">')
    for url in ("/ar/", "/ar/topics/", "/ar/authors/", "/ar/archive/", "/ar/archive/2024/05/", "/ar/stories/",
                "/ar/search/", AR_TALKS, AR_ONLY, "/ar/topics/سوريا/"):
        html = page(built, url)
        assert html.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">'), url
        assert '<a class="site-title" href="/ar/"' in html and 'href="/ar/topics/"' in html, url
    assert '<a class="site-title" href="/ar/" aria-current="page">' in page(built, "/ar/")
    assert "مايو" in page(built, AR_TALKS)  # the date in Arabic (Babel), not "May"
    assert not (built / "ar" / "404.html").exists() and (built / "404.html").is_file()


def test_each_editions_lists_and_feeds_hold_only_its_language(built):
    english = ["Ceasefire talks resume in Geneva", "Oil prices climb"]
    arabic = [AR_TITLE, "أسعار القمح ترتفع"]
    for url, own, other in [("/", english, arabic), ("/ar/", arabic, english),
                            ("/archive/2024/05/", english[:1], arabic[:1]),
                            ("/ar/archive/2024/05/", arabic[:1], english[:1])]:
        html = page(built, url)
        assert all(title in html for title in own) and not any(title in html for title in other), url
    assert "سوريا" in page(built, "/ar/topics/") and "سوريا" not in page(built, "/topics/")
    assert "Energy" in page(built, "/topics/") and "Energy" not in page(built, "/ar/topics/")
    assert not (built / "archive" / "2024" / "06").exists()  # June has only an Arabic briefing
    for url, own in [("/feed.xml", [*english, "Geneva conference opens"]), ("/ar/feed.xml", arabic),
                     ("/topics/syria/feed.xml", english[:1]), ("/ar/topics/سوريا/feed.xml", arabic[:1]),
                     ("/authors/nawal-sayed/feed.xml", english[:1]), ("/ar/authors/نوال-سيد/feed.xml", arabic[:1])]:
        feed = ET.fromstring(page(built, url))
        titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
        assert sorted(titles) == sorted(own), url
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == ("ar" if url.startswith("/ar/") else "en")


SECTIONS = ("/briefings/", "/topics/", "/authors/", "/archive/", "/stories/", "/search/", "/about/", "/feed.xml")


def test_no_page_links_into_the_other_edition_except_its_language_links(built):
    """Nav, cards, chips, bylines, month strips, pagination, feeds: all stay in the page's own edition."""
    pages = sorted(built.rglob("*.html")) + sorted(built.rglob("feed.xml"))
    assert len(pages) > 30
    for path in pages:
        rel = "/" + path.relative_to(built).as_posix()
        if rel == "/404.html":
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'<nav class="site-nav language-switch".*?</nav>', "", text, flags=re.S)
        text = re.sub(r'<link rel="alternate" hreflang=[^>]*>', "", text)
        links = {unquote(link).removeprefix(BASE.rstrip("/"))
                 for link in re.findall(r'(?:href|src|action|scheme)="([^"]+)"', text)}
        links |= {unquote(link).removeprefix(BASE.rstrip("/")) for link in re.findall(r"<id>([^<]+)</id>", text)}
        arabic = rel.startswith("/ar/")
        strays = sorted(link for link in links if link.startswith("/") and
                        (not link.startswith("/ar/") if arabic else link.startswith("/ar/")) and
                        (link == "/" or link.startswith(SECTIONS) or link.startswith("/ar/")))
        assert strays == [], rel


def test_translations_name_each_other_reciprocally_and_the_switch_leads_there(built):
    english, arabic = page(built, EN_TALKS), page(built, AR_TALKS)
    expected = {"en": absolute(EN_TALKS), "ar": absolute(AR_TALKS), "x-default": absolute(EN_TALKS)}
    assert alternates(english) == expected and alternates(arabic) == expected
    assert switch(english) == {"ar": quote(AR_TALKS)} and switch(arabic) == {"en": EN_TALKS}
    assert 'rel="alternate">العربية</a>' in english and 'rel="alternate">English</a>' in arabic


def test_pages_and_topic_links_in_bodies_stay_in_their_edition(built):
    english, arabic = page(built, "/about/"), page(built, "/ar/about/")
    assert alternates(english) == alternates(arabic) == {"en": absolute("/about/"), "ar": absolute("/ar/about/"),
                                                        "x-default": absolute("/about/")}
    assert '<li><a href="/ar/about/">من نحن</a></li>' in page(built, "/ar/")  # the edition's own About in its nav
    assert '<li><a href="/about/">About</a></li>' in page(built, "/") and "من نحن" not in page(built, "/")
    assert f'<a href="{quote("/ar/topics/سوريا/")}"' in page(built, AR_TALKS)  # link_topics: the Arabic topic page


def test_a_briefing_without_translation_has_no_hreflang_and_its_switch_leads_to_the_other_home(built):
    for url, home in [(EN_OIL, {"ar": "/ar/"}), (AR_ONLY, {"en": "/"})]:
        html = page(built, url)
        assert alternates(html) == {} and switch(html) == home, url


def test_edition_pages_link_to_the_other_editions_equivalents(built):
    for path in ("/", "/topics/", "/authors/", "/archive/", "/archive/2024/05/", "/stories/", "/search/"):
        expected = {"en": absolute(path), "ar": absolute("/ar" + path), "x-default": absolute(path)}
        assert alternates(page(built, path)) == expected, path
        assert alternates(page(built, "/ar" + path)) == expected, path
        assert switch(page(built, path)) == {"ar": "/ar" + path}
    assert alternates(page(built, "/ar/archive/2024/06/")) == {}  # no English June


def test_the_sitemap_lists_every_page_with_its_alternates(built):
    root = ET.fromstring(page(built, "/sitemap.xml"))
    urls = {u.find(f"{SITEMAP}loc").text: {link.get("hreflang"): link.get("href")
                                          for link in u.findall(f"{XHTML}link")}
            for u in root.findall(f"{SITEMAP}url")}
    pair = {"en": absolute(EN_TALKS), "ar": absolute(AR_TALKS), "x-default": absolute(EN_TALKS)}
    assert urls[absolute(EN_TALKS)] == pair and urls[absolute(AR_TALKS)] == pair
    assert urls[absolute("/ar/")] == urls[BASE] == {"en": BASE, "ar": absolute("/ar/"), "x-default": BASE}
    assert urls[absolute(EN_OIL)] == {} and urls[absolute(AR_ONLY)] == {}
    for links in urls.values():  # every alternate is itself listed, with the same set: reciprocal
        assert all(urls[href] == links for lang, href in links.items() if lang != "x-default")


def test_incremental_builds_of_a_bilingual_site_equal_clean_ones(tmp_path):
    """Alternates are part of what a page is made from: moving a translation, or adding one, re-renders the
    pages that name it, and the result is what a clean build writes."""
    root = make_bilingual(tmp_path / "site")
    public = root / "public"
    build(root)
    cold = snapshot(public)
    build(root)
    assert differences(snapshot(public), cold) == []
    talks = root / "content" / "ar" / "talks.md"
    talks.write_text(talks.read_text(encoding="utf-8").replace("translation_key:", "slug: hudna\ntranslation_key:"),
                     encoding="utf-8")
    write(root / "content" / "ar" / "oil.md", "---\ntitle: أسعار النفط ترتفع\ndate: 2024-05-03T10:00:00+02:00\n"
                                              "translation_key: oil\n---\n\nنص.\n")
    oil = root / "content" / "briefings" / "oil.md"
    oil.write_text(oil.read_text(encoding="utf-8").replace("tags:", "translation_key: oil\ntags:"), encoding="utf-8")
    build(root)
    incremental = snapshot(public)
    assert differences(incremental, clean_build(root, tmp_path / "clean")) == []
    assert "hudna" in page(public, EN_TALKS) and "/ar/briefings/2024/05/" in page(public, EN_OIL).split("</head>")[0]


def test_sitegen_check_passes_on_the_bilingual_site(built):
    result = run_sitegen("check", "--site", built.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_language_mistakes_are_reported_together_with_file_line_and_fix(tmp_path):
    root = make_bilingual(tmp_path / "site")
    write(root / "content" / "briefings" / "again.md", """
        ---
        title: Another take on Geneva
        date: 2024-05-02T09:30:00+02:00
        translation_key: geneva-talks
        ---

        Text.
    """)
    write(root / "content" / "ar" / "english.md", """
        ---
        title: Filed in the wrong folder
        date: 2024-05-02T09:30:00+02:00
        lang: en
        ---
    """)
    write(root / "content" / "briefings" / "german.md", """
        ---
        title: Auf Deutsch
        date: 2024-05-02T09:30:00+02:00
        tags: [Politik]
        lang: de
        ---
    """)
    result = run_sitegen("build", "--no-search", "--site", root)
    assert result.returncode != 0 and not (root / "public").exists()
    out = result.stdout + result.stderr
    assert "content/ar/english.md:4: `lang: en`, but the file is under content/ar/" in out
    assert "move the file out of content/ar/ (to content/en/, say), or write `lang: ar`" in out
    assert "content/briefings/german.md:5: `lang` is not valid: de" in out
    assert "add de to `languages:` in site.yml" in out
    assert ("content/briefings/talks.md:6: `translation_key: geneva-talks` is also on content/briefings/again.md, "
            "in the same language (en)") in out
    assert "Traceback" not in out


def test_new_starts_a_briefing_in_an_edition(tmp_path):
    root = make_bilingual(tmp_path / "site")
    made = run_sitegen("new", "خبر جديد", "--lang", "ar", "--translation-key", "fresh", "--site", root)
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    path = path if path.is_absolute() else Path.cwd() / path
    assert path.is_relative_to(root / "content" / "ar" / "briefings") and "translation_key: fresh" in path.read_text()
    english = run_sitegen("new", "Fresh news", "--lang", "en", "--site", root)
    assert english.returncode == 0 and "/content/briefings/" in english.stdout.replace("\\", "/")
    wrong = run_sitegen("new", "Nachricht", "--lang", "de", "--site", root)
    assert wrong.returncode != 0 and "--lang de is not one of the site's languages (en, ar)" in wrong.stderr
    assert "add de to `languages:` in site.yml" in wrong.stderr


def test_a_one_language_site_keeps_lang_as_a_note_and_no_prefix(site):
    """An imported Arabic article on an English site (the importer writes `lang: ar`) stays in the one edition."""
    write(site / "content" / "a.md", "---\ntitle: خبر\ndate: 2024-05-01T09:30:00+02:00\nlang: ar\n---\n\nنص.\n")
    build_site(load_config(site), BuildOptions(search=False))
    assert (site / "public" / "briefings" / "2024" / "05" / "خبر" / "index.html").is_file()
    assert not (site / "public" / "ar").exists()


# --- in the browser: the switch, and search per edition ------------------------------------------


@pytest.fixture(scope="module")
def searchable(tmp_path_factory) -> Path:
    """The bilingual site built by the real command, with its sharded Pagefind index."""
    root = make_bilingual(tmp_path_factory.mktemp("editions-search") / "site")
    result = run_sitegen("build", "--site", root)
    assert result.returncode == 0, result.stderr
    return root / "public"


@pytest.fixture
def tab(browser):
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


def test_every_search_shard_holds_one_language(searchable):
    manifest = json.loads((searchable / "pagefind" / "shards.json").read_text())["shards"]
    assert sorted((s["lang"], s["name"], s["pages"]) for s in manifest) == [("ar", "2024", 2), ("en", "2023", 1),
                                                                            ("en", "2024", 2)]
    for shard in manifest:
        entry = json.loads((searchable / "pagefind" / shard["bundle"] / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == [shard["lang"]]


@pytest.mark.browser
def test_the_switch_leads_to_the_translation_and_back(tab, searchable, static_server):
    base = static_server(searchable)
    tab.goto(base + EN_TALKS)
    tab.click(".language-switch a[hreflang=ar]")
    tab.wait_for_url(base + quote(AR_TALKS))
    assert tab.inner_text("h1") == AR_TITLE
    assert tab.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    tab.click(".language-switch a[hreflang=en]")
    tab.wait_for_url(base + EN_TALKS)
    assert tab.inner_text("h1") == "Ceasefire talks resume in Geneva" and tab.errors == []


SEARCH_URLS = """async (term) => {
    const pagefind = await import('/pagefind/pagefind.js');
    const found = await pagefind.search(term);
    return Promise.all(found.results.map(async (result) => decodeURI((await result.data()).url)));
}"""


@pytest.mark.browser
def test_an_arabic_word_typed_in_the_arabic_search_box_finds_its_briefing(tab, searchable, static_server):
    tab.goto(static_server(searchable) + "/ar/search/")
    tab.fill("#search-q", "الهدنة")
    link = tab.wait_for_selector(f'.result-link[href="{quote(AR_TALKS)}"], .result-link[href="{AR_TALKS}"]')
    assert link.is_visible() and tab.errors == []
    assert tab.evaluate(SEARCH_URLS, "هدنة") == [AR_TALKS]  # Arabic stemming: without the article
    assert tab.evaluate(SEARCH_URLS, "Geneva") == []


@pytest.mark.browser
def test_english_search_finds_only_english_briefings(tab, searchable, static_server):
    tab.goto(static_server(searchable) + "/search/")
    tab.wait_for_selector("#search-q")
    assert sorted(tab.evaluate(SEARCH_URLS, "Geneva")) == sorted([EN_TALKS, "/briefings/2023/11/geneva-conference-opens/"])
    assert tab.evaluate(SEARCH_URLS, "الهدنة") == []
    assert tab.evaluate(SEARCH_URLS, "negotiating") == [EN_TALKS]  # English stemming: "Negotiators"
    assert tab.errors == []


def test_the_bilingual_sites_pages_are_valid_html(built):
    require(VNU.is_file(), f"{VNU} is missing: run `make vnu` (sh tests/tools/install-npm.sh, see the Makefile)")
    require(shutil.which("java") is not None, "java is needed to run the Nu HTML Checker")
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 25 and any(p.is_relative_to(built / "ar") for p in pages)
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", *map(str, pages)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{unquote(m.get('url', '?')).rsplit('/public/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == [] and result.returncode == 0, errors


@pytest.mark.browser
def test_a_french_edition_is_searched_in_french(tab, tmp_path, static_server):
    """The reader track's French edition, searched with French stemming on /fr/search/: "négocier" finds
    "négociations", which it is no prefix of."""
    root = tmp_path / "site"
    write(root / "site.yml", "title: Desk\nlanguages: [en, fr]\n")
    write(root / "content" / "en.md", "---\ntitle: Talks in Geneva\ndate: 2024-05-01T09:30:00+02:00\n---\n\n"
                                      "The negotiations resumed.\n")
    write(root / "content" / "fr" / "geneve.md", "---\ntitle: Reprise à Genève\ndate: 2024-05-01T09:30:00+02:00\n"
                                                 "---\n\nLes négociations ont repris mardi.\n")
    result = run_sitegen("build", "--site", root)
    assert result.returncode == 0, result.stderr
    tab.goto(static_server(root / "public") + "/fr/search/")
    tab.wait_for_selector("#search-q")
    assert tab.evaluate("document.documentElement.lang") == "fr"
    assert tab.evaluate(SEARCH_URLS, "négocier") == ["/fr/briefings/2024/05/reprise-a-geneve/"]
    assert tab.evaluate(SEARCH_URLS, "negotiations") == [] and tab.errors == []


# --- the preview ---------------------------------------------------------------------------------


def test_the_preview_rebuild_of_an_edited_translation_updates_both_editions(tmp_path):
    """A new slug for the Arabic version moves its URL: the English page's hreflang and switch follow it,
    and the Arabic page, at its new URL, still names the English one."""
    root = make_bilingual(tmp_path / "site")
    server = Server(root, "--port", "0")
    events = EventStream(server.port)
    try:
        first = events.next()
        assert first["ok"]
        moved = "/ar/briefings/2024/05/hudna-geneva/"
        path = root / "content" / "ar" / "talks.md"
        edited = root / "edited.md"  # written whole, then renamed in: the watcher never sees half a file
        edited.write_text(path.read_text(encoding="utf-8").replace("translation_key:", "slug: hudna-geneva\n"
                                                                   "translation_key:"), encoding="utf-8")
        os.replace(edited, path)
        while (event := events.next())["pages"]:  # an early event names pages already written; the last ends it
            pass
        assert event["ok"] and event["generation"] > first["generation"]
        english = raw_get(server.port, EN_TALKS)[2].decode()
        arabic = raw_get(server.port, moved)[2].decode()
        assert alternates(english)["ar"].endswith(moved) and switch(english) == {"ar": moved}
        assert alternates(arabic)["en"].endswith(EN_TALKS) and switch(arabic) == {"en": EN_TALKS}
        assert raw_get(server.port, quote(AR_TALKS))[0] == 404
    finally:
        events.close()
        code, output = server.stop()
    assert code == 0 and "Traceback" not in output, output
