"""The site model: topics, authors, archive, related briefings, neighbours, and topic links in bodies."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.config import MarkdownOptions, SiteConfig
from sitegen.content import Briefing
from sitegen.load import parse_files
from sitegen.markdown import BodyRenderer
from sitegen.taxonomy import RELATED_WINDOW, Taxonomy, related_indexes
from sitegen.topics import topic_links, topic_slug

ZONE = ZoneInfo("Africa/Cairo")
START = datetime(2024, 1, 1, 9, 0, tzinfo=ZONE)


def briefing(number: int, tags: tuple[str, ...] = (), author: str = "", days: float | None = None) -> Briefing:
    return Briefing(path=Path(f"b{number}.md"), rel=f"b{number}.md", title=f"Briefing {number}", slug=f"b{number}",
                    date=START + timedelta(days=number if days is None else days), body="", body_line=1,
                    tags=tags, authors=(author,) if author else ())


def newest_first(*items: Briefing) -> list[Briefing]:
    return sorted(items, key=lambda b: b.date, reverse=True)


# --- topics and authors ---------------------------------------------------------------------


def test_spellings_that_share_a_url_are_one_topic_named_after_the_most_used():
    items = newest_first(briefing(1, ("U.S.",)), briefing(2, ("US", "Iran")), briefing(3, ("US",)),
                         briefing(4, ("us",)))
    taxonomy = Taxonomy(items)
    assert topic_slug("U.S.") == topic_slug("US") == "us"
    assert set(taxonomy.topics) == {"us", "iran"}
    us = taxonomy.topics["us"]
    assert us.name == "US"
    assert [b.slug for b in us.briefings] == ["b4", "b3", "b2", "b1"]
    assert us.url == "/topics/us/" and us.feed_url == "/topics/us/feed.xml"


def test_two_spellings_on_one_briefing_count_it_once():
    taxonomy = Taxonomy([briefing(1, ("US", "U.S."))])
    assert taxonomy.topics["us"].count == 1
    assert [t.slug for t in taxonomy.topics_of(briefing(1))] == ["us"]


def test_a_topic_declared_in_site_yml_keeps_its_name():
    taxonomy = Taxonomy([briefing(1, ("gulf states",)), briefing(2, ("gulf states",))], ["Gulf states"])
    assert taxonomy.topics["gulf-states"].name == "Gulf states"


def test_topics_of_a_briefing_keep_front_matter_order():
    item = briefing(1, ("Turkey", "Syria", "Idlib"))
    assert [t.name for t in Taxonomy([item]).topics_of(item)] == ["Turkey", "Syria", "Idlib"]


def test_topic_orders_for_the_index():
    items = newest_first(briefing(1, ("b", "Zeta")), briefing(2, ("Zeta",)), briefing(3, ("alpha",)))
    taxonomy = Taxonomy(items)
    assert [t.name for t in taxonomy.topics_by_name] == ["alpha", "b", "Zeta"]
    assert [t.name for t in taxonomy.topics_by_size] == ["Zeta", "alpha", "b"]


def test_authors_are_merged_by_slug_and_briefings_without_one_have_none():
    items = newest_first(briefing(1, author="Nawal Sayed"), briefing(2, author="nawal sayed"), briefing(3))
    taxonomy = Taxonomy(items)
    assert list(taxonomy.authors) == ["nawal-sayed"]
    assert taxonomy.authors["nawal-sayed"].count == 2
    assert taxonomy.authors_of(items[0]) == []
    assert [a.url for a in taxonomy.authors_of(items[1])] == ["/authors/nawal-sayed/"]


def test_every_co_author_gets_the_briefing_and_a_shared_url_counts_once():
    items = newest_first(dataclasses.replace(briefing(1), authors=("Nawal Sayed", "Omar Said", "nawal sayed")),
                         briefing(2, author="Omar Said"))
    taxonomy = Taxonomy(items)
    assert {slug: a.count for slug, a in taxonomy.authors.items()} == {"nawal-sayed": 1, "omar-said": 2}
    assert [a.name for a in taxonomy.authors_of(items[1])] == ["Nawal Sayed", "Omar Said"]


def test_archive_groups_years_and_months_newest_first():
    items = newest_first(*(briefing(n, days=d) for n, d in enumerate([0, 1, 40, 370, 371, 372])))
    years = Taxonomy(items).years
    assert [(y.year, y.count) for y in years] == [(2025, 3), (2024, 3)]
    assert [(m.name, m.count, m.url) for m in years[1].months] == [
        ("February 2024", 1, "/archive/2024/02/"), ("January 2024", 2, "/archive/2024/01/")]


def test_neighbours_are_the_next_newer_and_older_briefing():
    items = newest_first(briefing(1), briefing(2), briefing(3))
    taxonomy = Taxonomy(items)
    assert taxonomy.neighbours(items[0]) == (None, items[1])
    assert taxonomy.neighbours(items[1]) == (items[0], items[2])
    assert taxonomy.neighbours(items[2]) == (items[1], None)


def test_nearest_on_a_topic_takes_what_came_next_first_and_lists_newest_first():
    items = newest_first(*(briefing(n, ("Iran",)) for n in range(1, 8)))
    taxonomy = Taxonomy(items)
    iran, middle = taxonomy.topics["iran"], next(b for b in items if b.slug == "b4")
    assert [b.slug for b in taxonomy.nearest_on(iran, middle, (), 9)] == ["b7", "b6", "b5", "b3", "b2", "b1"]
    assert [b.slug for b in taxonomy.nearest_on(iran, items[0], (), 9)] == ["b6", "b5", "b4", "b3", "b2", "b1"]
    assert [b.slug for b in taxonomy.nearest_on(iran, items[-1], (), 9)] == ["b7", "b6", "b5", "b4", "b3", "b2"]
    assert [b.slug for b in taxonomy.nearest_on(iran, middle, (), 2)] == ["b6", "b5"]
    assert [b.slug for b in taxonomy.nearest_on(iran, items[-1], (), 2)] == ["b3", "b2"]
    skipped = {b.rel for b in items if b.slug in ("b5", "b7")}
    assert [b.slug for b in taxonomy.nearest_on(iran, middle, skipped, 3)] == ["b6", "b3", "b2"]


# --- related briefings ----------------------------------------------------------------------


def test_a_shared_rare_topic_outweighs_a_shared_common_one():
    common = [briefing(n, ("Syria",)) for n in range(10, 20)]
    target = briefing(1, ("Syria", "Locusts"))
    rare = briefing(30, ("Locusts",))
    items = newest_first(target, rare, *common)
    assert Taxonomy(items).related(target)[0] is rare


def test_equal_scores_go_to_the_nearer_date_and_never_include_itself():
    target = briefing(10, ("Iran",))
    others = [briefing(n, ("Iran",)) for n in (1, 8, 9, 13, 20, 30, 40)]
    related = Taxonomy(newest_first(target, *others)).related(target)
    assert [b.slug for b in related] == ["b9", "b8", "b13", "b1", "b20"]


def test_briefings_without_shared_topics_are_not_related():
    a, b = briefing(1, ("Iran",)), briefing(2, ("Sudan",))
    taxonomy = Taxonomy(newest_first(a, b, briefing(3)))
    assert taxonomy.related(a) == [] and taxonomy.related(briefing(3)) == []


def brute_force(timestamps: list[float], topics: list[list[int]], limit: int = 5) -> list[list[int]]:
    """Every pair compared: the definition the inverted index must match."""
    count = len(topics)
    df = {t: sum(t in ts for ts in topics) for ts in topics for t in ts}
    weight = {t: round(1e6 * math.log(1 + count / n)) for t, n in df.items()}
    result = []
    for i, mine in enumerate(topics):
        scored = [(-sum(weight[t] for t in set(mine) & set(theirs)), abs(timestamps[j] - timestamps[i]), j)
                  for j, theirs in enumerate(topics) if j != i and set(mine) & set(theirs)]
        result.append([j for _, _, j in sorted(scored)[:limit]])
    return result


archives = st.integers(min_value=1, max_value=2 * RELATED_WINDOW + 1).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 10_000), min_size=n, max_size=n).map(sorted),
    st.lists(st.lists(st.integers(0, 8), max_size=4, unique=True), min_size=n, max_size=n)))


@settings(max_examples=200, deadline=None)
@given(archives)
def test_inverted_index_matches_comparing_all_pairs_while_topics_fit_the_window(archive):
    timestamps, topics = archive
    assert len(timestamps) <= 2 * RELATED_WINDOW + 1  # so no topic is cut to its window
    assert related_indexes(timestamps, topics) == brute_force(timestamps, topics)


def test_a_candidate_scores_every_shared_topic_even_outside_one_topics_window():
    # Topics A and B are both common. X shares both with the target but lies outside B's window
    # (50 B-only briefings in between); it must still outrank briefings that share one topic.
    a, b = 0, 1
    items = [(float(t), [a]) for t in range(60)] + [(100.0, [a, b])] + \
            [(float(t), [b]) for t in range(101, 151)] + [(200.0, [a, b])]
    timestamps, topics = [t for t, _ in items], [ts for _, ts in items]
    x, target = 60, len(items) - 1
    assert related_indexes(timestamps, topics)[target][0] == x


def test_a_candidate_far_back_on_a_short_topic_also_gets_the_common_topic_it_shares():
    rare, common = 0, 1
    items = [(0.0, [rare, common])] + [(float(t), [common]) for t in range(1, 11)] + \
            [(float(t), [rare]) for t in (11, 12, 13)] + [(20.0, [rare, common])]
    timestamps, topics = [t for t, _ in items], [ts for _, ts in items]
    assert related_indexes(timestamps, topics, window=2)[-1][0] == 0


def test_a_topic_on_every_briefing_costs_only_its_window_and_still_finds_the_nearest():
    timestamps = [float(n) for n in range(5000)]
    related = related_indexes(timestamps, [[0] for _ in timestamps])
    assert related[2500] == [2499, 2501, 2498, 2502, 2497]
    assert related[0] == [1, 2, 3, 4, 5]


# --- topic links in bodies ------------------------------------------------------------------


def config(**values) -> SiteConfig:
    return dataclasses.replace(SiteConfig(root=Path("/site"), base_url="https://example.org/briefings/",
                                          link_topics=True), **values)


def linked(body: str, tags: tuple[str, ...], site: SiteConfig | None = None) -> str:
    item = dataclasses.replace(briefing(1, tags), body=body)
    site = site or config()
    return BodyRenderer(site.markdown).render(body, topic_links(site, item.tags)).html


def test_first_mention_of_each_topic_links_to_its_page():
    html = linked("Talks on Syria. Syria again; Turkey too.", ("Syria", "Turkey"))
    assert html == ('<p>Talks on <a href="/briefings/topics/syria/" class="topic-link">Syria</a>. Syria again; '
                    '<a href="/briefings/topics/turkey/" class="topic-link">Turkey</a> too.</p>\n')


def test_headings_links_code_and_partial_words_are_left_alone():
    body = "# Syria\n\n[about Syria](https://example.com/) `Syria` Syrians and **Syria**\n"
    html = linked(body, ("Syria",))
    assert '<h1 id="syria">Syria</h1>' in html
    assert '<a href="https://example.com/">about Syria</a> <code>Syria</code> Syrians and <strong><a ' in html
    assert html.count("topic-link") == 1


def test_raw_html_links_are_not_linked_inside():
    site = config(markdown=MarkdownOptions(html=True))
    html = linked('<a href="/x/">Syria</a> and Syria', ("Syria",), site)
    assert html == ('<p><a href="/x/">Syria</a> and <a href="/briefings/topics/syria/" class="topic-link">Syria</a>'
                    '</p>\n')


def test_declared_words_link_too_and_capitals_match_only_as_written():
    site = config(topics={"United States": ["US", "Washington"]})
    html = linked("Let us ask Washington, then the US.", ("United States",), site)
    assert html == ('<p>Let us ask <a href="/briefings/topics/united-states/" class="topic-link">Washington</a>, '
                    'then the US.</p>\n')


def test_linked_text_stays_escaped():
    html = linked("R&D <b>Syria</b>", ("Syria",))
    assert html == ('<p>R&amp;D &lt;b&gt;<a href="/briefings/topics/syria/" class="topic-link">Syria</a>'
                    '&lt;/b&gt;</p>\n')


def test_nothing_is_linked_unless_the_site_asks_or_for_pages(tmp_path):
    assert "topic-link" not in linked("Syria", ("Syria",), config(link_topics=False))
    site = config(root=tmp_path)
    for folder in ("pages", "briefings"):
        (tmp_path / "content" / folder).mkdir(parents=True)
        (tmp_path / "content" / folder / "x.md").write_text("---\ntitle: X\ndate: 2024-05-01\ntags: [Syria]\n---\nSyria\n")
    parsed = {folder: parse_files([(tmp_path / "content" / folder / "x.md", f"content/{folder}/x.md")], site)[0]
              for folder in ("pages", "briefings")}
    assert "topic-link" in parsed["briefings"].html and "topic-link" not in parsed["pages"].html
