"""Moved URLs (issue 12 item 4): `aliases:` become redirect pages that `sitegen check` verifies."""

from __future__ import annotations

import re

import pytest

from .helpers import briefing, run_sitegen, write

TARGET = "/briefings/2024/05/talks-resume/"


@pytest.fixture
def built(site):
    write(site / "content/briefings/a.md", briefing("Talks resume", aliases="[/2019/05/old-title/, /old-post.html, "
                                                                            "/posts/talks]"))
    write(site / "content/pages/about.md", "---\ntitle: About\naliases: /about-us/\n---\n\nWho we are.\n")
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    return site / "public"


def test_each_alias_is_a_redirect_page_with_refresh_canonical_and_noindex(built):
    for rel in ("2019/05/old-title/index.html", "old-post.html", "posts/talks/index.html"):
        html = (built / rel).read_text()
        assert f'<meta http-equiv="refresh" content="0; url={TARGET}">' in html
        assert f'<link rel="canonical" href="https://example.org{TARGET}">' in html
        assert '<meta name="robots" content="noindex">' in html
        assert f'<a href="{TARGET}">Talks resume</a>' in html
    assert 'url=/about/"' in (built / "about-us/index.html").read_text()


def test_redirect_pages_stay_out_of_the_sitemap(built):
    sitemap = (built / "sitemap.xml").read_text()
    assert "old-title" not in sitemap and "old-post" not in sitemap and TARGET in sitemap


def test_check_passes_and_catches_a_redirect_to_nowhere(built, site):
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 0, result.stderr
    (built / TARGET.strip("/") / "index.html").unlink()
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 1
    assert f"public/2019/05/old-title/index.html: broken link to {TARGET}" in result.stderr


def test_check_catches_a_redirect_whose_canonical_names_another_page(built, site):
    page = built / "old-post.html"
    page.write_text(page.read_text().replace(f'canonical" href="https://example.org{TARGET}', 'canonical" href="/'))
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 1 and f"redirects to {TARGET} but names / as canonical" in result.stderr


def test_a_browser_following_an_old_url_lands_on_the_briefing(built, browser, static_server):
    base = static_server(built)
    page = browser.new_page()
    try:
        page.goto(base + "/2019/05/old-title/")
        page.wait_for_url(base + TARGET, timeout=10_000)
        assert page.locator("h1").inner_text() == "Talks resume"
    finally:
        page.close()


def test_two_files_claiming_one_old_url_is_an_error_naming_both(site):
    write(site / "content/briefings/a.md", briefing("A", aliases="[/old/]"))
    write(site / "content/briefings/b.md", briefing("B", tags="[x]", aliases="[/old/]"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "content/briefings/b.md:5: alias /old/ is already the URL of content/briefings/a.md" in result.stderr
    assert not (site / "public").exists()


@pytest.mark.parametrize(("alias", "owner"), [
    ("/briefings/2024/05/b/", "content/briefings/b.md"),
    ("/topics/", "the page /topics/"),
    ("/feed.xml", "the page /feed.xml"),
])
def test_an_alias_on_a_page_that_exists_is_an_error(site, alias, owner):
    write(site / "content/briefings/a.md", briefing("A", aliases=f"[{alias}]"))
    write(site / "content/briefings/b.md", briefing("B"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert f"content/briefings/a.md:4: alias {alias} is already the URL of {owner}" in result.stderr


@pytest.mark.parametrize("alias", ["old/path", "/../../etc/passwd", "//evil.example/x", "/a?b=1", "/x#y", "/", "[1]"])
def test_an_alias_that_is_not_a_site_path_is_refused_with_its_line(site, alias):
    write(site / "content/briefings/a.md", briefing("A", aliases=f"['{alias}']" if alias != "[1]" else alias))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert re.search(r"content/briefings/a\.md:4: `aliases` is not valid", result.stderr), result.stderr
