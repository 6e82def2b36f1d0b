"""Feed entries and cards are rendered once per briefing and reused (sitegen/fragments.py): every page showing a
briefing carries the same bytes for it, an edit in the preview reaches all of them, and nothing rendered is stored."""

from __future__ import annotations

import re
from pathlib import Path

from sitegen.build import Builder, BuildOptions
from sitegen.changes import ChangeSet
from sitegen.config import load_config
from sitegen.route_store import dump_route

from .archive import generate
from .helpers import briefing, write

FEEDS = ("feed.xml", "topics/syria/feed.xml", "topics/aid/feed.xml", "authors/nawal-sayed/feed.xml")


def three_briefings(site: Path, bravo_body: str = "First words of Bravo.") -> Path:
    for day, name, body in ((1, "Alpha", "Alpha text."), (2, "Bravo", bravo_body), (3, "Charlie", "Charlie text.")):
        write(site / f"content/briefings/{name.lower()}.md",
              briefing(name, date=f"2024-05-0{day}", body=body, slug=name.lower(), tags="[Syria, Aid]",
                       authors="[Nawal Sayed]"))
    return site / "content/briefings/bravo.md"


def entry_of(feed: str, slug: str) -> str:
    """The one ``<entry>`` of a feed whose id ends in the briefing's slug."""
    found = [e for e in re.findall(r"<entry>.*?</entry>", feed, re.S) if re.search(rf"<id>[^<]*/{slug}/</id>", e)]
    assert len(found) == 1, feed
    return found[0]


def build(site: Path, output: str) -> None:
    builder = Builder(load_config(site), BuildOptions(output=site / output, search=False))
    try:
        builder.build()
    finally:
        builder.close()


def test_every_feed_listing_a_briefing_carries_its_own_entry(site):
    three_briefings(site)
    build(site, "public")
    for slug, words in (("alpha", "Alpha text."), ("bravo", "First words of Bravo."), ("charlie", "Charlie text.")):
        entries = {entry_of((site / "public" / feed).read_text(), slug) for feed in FEEDS}
        assert len(entries) == 1, entries
        (entry,) = entries
        assert f"<title>{slug.capitalize()}</title>" in entry and words in entry
        assert 'scheme="https://example.org/topics/"' in entry


def preview_edit_of_bravo(site: Path) -> Path:
    """Bravo built in the preview, its body edited there (the one-edit path: the plan and its memos live on), then
    the same site built afresh into public/; returns the preview's folder."""
    bravo = three_briefings(site)
    preview = site / ".sitegen/preview"
    builder = Builder(load_config(site), BuildOptions(output=preview, search=False), in_place=True)
    try:
        builder.build()
        assert "First words of Bravo." in (preview / "index.html").read_text()
        write(bravo, briefing("Bravo", date="2024-05-02", body="Second words of Bravo.", slug="bravo",
                              tags="[Syria, Aid]", authors="[Nawal Sayed]"))
        builder.build(ChangeSet.classify(site, [bravo]))
    finally:
        builder.close()
    build(site, "public")
    return preview


def test_a_preview_edit_of_a_body_reaches_every_feed_listing_it(site):
    """The preview keeps its plan (and so the entries rendered) between builds: an edited briefing must not get
    its old entry back, and the preview's feeds must be the bytes a fresh build writes."""
    preview = preview_edit_of_bravo(site)
    for feed in FEEDS:
        shown = (preview / feed).read_text()
        assert "Second words of Bravo." in entry_of(shown, "bravo") and "First words" not in shown, feed
        assert shown == (site / "public" / feed).read_text(), feed


def test_a_stored_feed_route_holds_no_rendered_entry(site):
    """Render workers store each route they rendered (sitegen/route_store.py): the memo must not travel with it."""
    three_briefings(site, bravo_body="A body long enough to be noticed " * 20)
    builder = Builder(load_config(site), BuildOptions(output=site / ".sitegen/preview", search=False), in_place=True)
    try:
        builder.build()
        feed = builder.preview.routes["/feed.xml"]
    finally:
        builder.close()
    assert "A body long enough" in (site / ".sitegen/preview/feed.xml").read_text()
    assert b"A body long enough" not in dump_route(feed)


LISTS = ("index.html", "topics/syria/index.html", "topics/aid/index.html", "authors/nawal-sayed/index.html")


def card_of(page: str, slug: str) -> str:
    """The one card of a list page that links to the briefing's slug."""
    found = [c for c in re.findall(r"<article class=\"card.*?</article>", page, re.S) if f"/{slug}/" in c]
    assert len(found) == 1, page
    return found[0]


def test_a_card_is_the_same_on_every_list_but_the_lead_keeps_its_own(site):
    """The newest briefing leads the home page (no lazy image, its own class) and is a plain card on its topics'
    and author's pages: the memo tells the two apart."""
    three_briefings(site)
    write(site / "content/briefings/charlie.md", briefing(
        "Charlie", date="2024-05-03", body="Charlie text.", slug="charlie", tags="[Syria, Aid]",
        authors="[Nawal Sayed]", image="https://example.org/charlie.jpg", image_alt="A harbour"))
    build(site, "public")
    lead = card_of((site / "public/index.html").read_text(), "charlie")
    assert 'class="card card-lead"' in lead and 'loading="lazy"' not in lead
    plain = {card_of((site / "public" / page).read_text(), "charlie") for page in LISTS[1:]}
    assert len(plain) == 1
    (card,) = plain
    assert 'class="card"' in card and 'loading="lazy"' in card
    assert lead.replace(' card-lead', '').replace(' decoding', ' loading="lazy" decoding') == card
    for slug in ("alpha", "bravo"):
        assert len({card_of((site / "public" / page).read_text(), slug) for page in LISTS}) == 1


def test_a_preview_edit_of_a_body_reaches_every_card_showing_it(site):
    """A card shows the summary, the body's first words: the preview's one-edit path gives the briefing a new card
    while the lists' memo lives on, so every list must show the new words, as a fresh build writes them."""
    preview = preview_edit_of_bravo(site)
    for page in LISTS:
        shown = (preview / page).read_text()
        assert "Second words of Bravo." in card_of(shown, "bravo") and "First words" not in shown, page
        assert shown == (site / "public" / page).read_text(), page


def test_a_preview_edit_of_a_title_reaches_every_related_line_showing_it(tmp_path: Path):
    """A briefing's line in other briefings' "Related" and "More on" lists is rendered once and reused: a title
    edited in the preview (same key words, so the one-edit path keeps the memo) must reach every one of them."""
    root = tmp_path / "site"
    generate(root, count=60)
    edited = root / "content/briefings/briefing-30.md"
    preview = root / ".sitegen/preview"
    builder = Builder(load_config(root), BuildOptions(output=preview, search=False), in_place=True)
    try:
        builder.build()
        listing = [page for page in preview.glob("briefings/*/*/*/index.html")
                   if re.search(r'<li><a href="[^"]*/briefing-30/">', page.read_text()) and "briefing-30/" not in
                   str(page)]
        assert len(listing) >= 3, "the briefing should be listed on several other briefings' pages"
        text = edited.read_text()
        edited.write_text(text.replace(' update"', ' update & <b>update</b>!"', 1))
        builder.build(ChangeSet.classify(root, [edited]))
    finally:
        builder.close()
    build(root, "public")
    for page in listing:
        shown = page.read_text()
        assert "update &amp; &lt;b&gt;update&lt;/b&gt;!</a>" in shown, page
        assert shown == (root / "public" / page.relative_to(preview)).read_text(), page
