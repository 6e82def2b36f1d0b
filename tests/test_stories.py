"""Storylines: detection scored on a generated archive, editors' names and exclusions, the pages, the seed."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from sitegen.build import BuildOptions, build_site
from sitegen.config import load_config
from sitegen.content import Briefing, load_file
from sitegen.errors import SiteError
from sitegen.load import load_briefings
from sitegen.stories import Stories

from .helpers import REPO, briefing, run_sitegen, write
from .story_archive import Generated, generate, pair_scores
from .test_search import wait_for_results

SEED = REPO / "seeds" / "000_66980ba76a757afa.txt"


def story_site(root: Path, seed: int = 16, **extra: str) -> list[Generated]:
    write(root / "site.yml", "title: Stories test\nbase_url: https://example.org/\ntimezone: Africa/Cairo\n"
          + "".join(f"{k}: {v}\n" for k, v in extra.items()))
    return generate(root / "content", seed=seed)


def build(root: Path, **options) -> object:
    return build_site(load_config(root), BuildOptions(search=False, **options))


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, list[Generated]]:
    root = tmp_path_factory.mktemp("stories") / "site"
    made = story_site(root)
    build(root)
    return root, made


def copy_site(root: Path, tmp: Path) -> Path:
    """A copy of a built site's sources, to change without touching the shared one."""
    copy = tmp / "site"
    shutil.copytree(root / "content", copy / "content")
    shutil.copy(root / "site.yml", copy / "site.yml")
    return copy


def url_of(root: Path, rel: str) -> str:
    return load_file(root / rel, load_config(root)).url


def page(root: Path, url: str) -> str:
    return (root / "public" / url.strip("/") / "index.html").read_text(encoding="utf-8")


def story_link(html: str) -> str | None:
    """The story a built briefing page says it belongs to (the link in its "This story" box)."""
    found = re.search(r'<p class="story-box-name"><a href="([^"]+)">', html)
    return found.group(1) if found else None


# --- detection, scored ------------------------------------------------------------------------


def test_built_pages_put_briefings_in_their_true_stories(archive, capsys):
    root, made = archive
    truth = {g.rel: g.story for g in made}
    found = {g.rel: story_link(page(root, url_of(root, g.rel))) for g in made}
    precision, recall = pair_scores(truth, found)
    with capsys.disabled():
        print(f"\nstory membership on the built archive ({len(made)} briefings, {len(set(truth.values())) - 1} "
              f"true stories, {len(set(found.values()) - {None})} found): precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9 and recall >= 0.9


@pytest.mark.parametrize("seed", [1, 2, 4, 7])
def test_detection_holds_on_other_draws_of_the_archive(tmp_path, seed, capsys):
    root = tmp_path / "site"
    made = story_site(root, seed=seed)
    items = load_briefings(load_config(root)).briefings
    stories = Stories(items)
    found = {b.rel: (s.slug if (s := stories.story_of(b)) else None) for b in items}
    precision, recall = pair_scores({g.rel: g.story for g in made}, found)
    with capsys.disabled():
        print(f"\nseed {seed}: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9 and recall >= 0.9


def test_the_same_topic_months_apart_is_two_stories(archive):
    root, made = archive
    links = {g.story: story_link(page(root, url_of(root, g.rel))) for g in made if g.story in ("idlib-2020", "idlib-2021")}
    assert None not in links.values() and links["idlib-2020"] != links["idlib-2021"]


def test_stories_do_not_depend_on_the_order_files_are_read_in(archive):
    root, _ = archive
    items = load_briefings(load_config(root)).briefings
    shuffled = items[:]
    random.Random(3).shuffle(shuffled)

    def summary(stories: Stories) -> list[tuple[str, str, list[str]]]:
        return [(s.slug, s.title, [b.rel for b in s.briefings]) for s in stories.stories]

    assert summary(Stories(items)) == summary(Stories(shuffled)) == summary(Stories(items[::-1]))


# --- the editor's word: story names, story: false, story_gap -----------------------------------


def test_a_named_story_joins_briefings_detection_would_not(site):
    write(site / "content/a.md", briefing("Dam talks open in Addis Ababa", date="2021-01-05", story="Nile water"))
    write(site / "content/b.md", briefing("Farmers in the delta count the cost", date="2021-06-20", story="nile  water "))
    write(site / "content/c.md", briefing("Cyclists race through the old town", date="2021-03-01",
                                          body="The annual race drew riders from twelve clubs."))
    build(site)
    html = page(site, "/stories/nile-water/")
    assert "<h1>Nile water</h1>" in html
    titles = re.findall(r'class="timeline-title"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == ["Dam talks open in Addis Ababa", "Farmers in the delta count the cost"]
    assert "<strong>2 of 2</strong>" in page(site, "/briefings/2021/06/farmers-in-the-delta-count-the-cost/")


def test_story_false_keeps_a_briefing_out_of_a_detected_story(archive, tmp_path):
    root = copy_site(archive[0], tmp_path)
    member = root / "content/briefings/2020/03/idlib-2020-05.md"
    member.write_text(member.read_text().replace("---\n\n", "story: false\n---\n\n", 1))
    build(root)
    assert story_link(page(root, url_of(root, "content/briefings/2020/03/idlib-2020-05.md"))) is None
    assert story_link(page(root, url_of(root, "content/briefings/2020/03/idlib-2020-04.md"))) is not None


def test_a_named_briefing_gives_its_detected_story_the_name(archive, tmp_path):
    root = copy_site(archive[0], tmp_path)
    named = root / "content/briefings/2020/08/beirut-2020-04.md"
    named.write_text(named.read_text().replace("---\n\n", "story: Beirut port explosion\n---\n\n", 1))
    build(root)
    html = page(root, "/stories/beirut-port-explosion/")
    assert len(re.findall('class="timeline-entry"', html)) == 8  # every briefing of the story, before and after it


def test_a_quiet_gap_ends_a_story_and_story_gap_sets_it(site):
    days = ["2022-01-01", "2022-01-05", "2022-01-09", "2022-01-30", "2022-02-03", "2022-02-06"]
    for number, day in enumerate(days):
        write(site / f"content/s{number}.md", briefing(f"Locust swarms reach Kassala farms, day {number}", date=day,
                                                       tags="[Sudan, Locusts, Kassala]"))
    for number in range(12):  # enough other briefings that "Sudan" and "Locusts" are rare words
        write(site / f"content/n{number}.md", briefing(f"Budget vote number {number}", date=f"2022-03-{number + 1:02d}",
                                                       tags="[Economy]"))
    build(site)
    first, late = (story_link(page(site, f"/briefings/2022/0{m}/locust-swarms-reach-kassala-farms-day-{n}/"))
                   for m, n in ((1, 0), (2, 5)))
    assert first and late and first != late  # 21 quiet days: two stories
    write(site / "site.yml", (site / "site.yml").read_text() + "story_gap: 30\n")
    build(site)
    first, late = (story_link(page(site, f"/briefings/2022/0{m}/locust-swarms-reach-kassala-farms-day-{n}/"))
                   for m, n in ((1, 0), (2, 5)))
    assert first == late


def test_a_story_that_is_not_a_name_is_reported_with_file_and_line(site):
    write(site / "content/a.md", briefing("A", story="true"))
    write(site / "content/b.md", briefing("B", story="[1, 2]"))
    with pytest.raises(SiteError) as error:
        build(site)
    found = {(p.path, p.line) for p in error.value.problems}
    assert found == {("content/a.md", 4), ("content/b.md", 4)}
    assert all("story: false" in p.hint for p in error.value.problems)


# --- the pages ---------------------------------------------------------------------------------


def test_the_story_box_shows_the_place_and_the_briefings_either_side(archive):
    root, made = archive
    idlib = sorted((g for g in made if g.story == "idlib-2020"), key=lambda g: g.date)
    html = page(root, url_of(root, idlib[2].rel))
    box = html.split('<section class="story-box"')[1].split("</section>")[0]
    assert f"<strong>3 of {len(idlib)}</strong>" in box
    assert f'href="{url_of(root, idlib[1].rel)}"' in box.split("story-box-previous")[1].split("</li>")[0]
    assert f'href="{url_of(root, idlib[3].rel)}"' in box.split("story-box-next")[1].split("</li>")[0]
    related = html.split('<section class="related"')[1].split("</section>")[0] if 'class="related"' in html else ""
    assert not any(url_of(root, g.rel) in related for g in idlib), "related briefings leave out the story's own"
    name = re.search(r'<p class="story-box-name"><a href="[^"]+">([^<]+)</a>', html).group(1)
    assert f'data-pagefind-filter="story[value]" value="{name}"' in html


def test_the_story_page_has_a_timeline_span_topics_and_a_feed(archive):
    root, made = archive
    idlib = sorted((g for g in made if g.story == "idlib-2020"), key=lambda g: g.date)
    url = story_link(page(root, url_of(root, idlib[0].rel)))
    html = page(root, url)
    assert re.findall(r'class="timeline-title"><a href="([^"]+)"', html) == [url_of(root, g.rel) for g in idlib]
    assert "1 March 2020</time> – <time" in html and "25 March 2020</time>" in html
    assert 'href="/topics/idlib/"' in html and 'href="/topics/turkey/"' in html
    feed = (root / "public" / url.strip("/") / "feed.xml").read_text()
    assert feed.count("<entry>") == len(idlib) and feed.index(idlib[-1].title) < feed.index(idlib[0].title)
    sitemap = (root / "public/sitemap.xml").read_text()
    assert f"<loc>https://example.org{url}</loc>" in sitemap and "<loc>https://example.org/stories/</loc>" in sitemap


def test_the_stories_index_lists_ongoing_stories_first(archive):
    root, _ = archive
    html = page(root, "/stories/")
    assert html.index('id="ongoing"') < html.index('id="earlier"')
    ongoing = html.split('id="ongoing"')[1].split("</section>")[0]
    assert ongoing.count('class="story-item"') == 1 and "Idlib" in ongoing  # Idlib again, February 2021
    assert html.count('class="story-item"') == 8


def test_sitegen_check_passes_on_the_story_pages(archive):
    root, _ = archive
    result = run_sitegen("check", "--site", root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


# --- the seed ----------------------------------------------------------------------------------

SIBLINGS = [
    ("Thu 5 Mar 2020 | 09:10 PM", "Putin and Erdogan Agree Idlib Ceasefire in Moscow",
     "Russian President Vladimir Putin and Turkish President Recep Tayyip Erdogan agreed in Moscow on a ceasefire "
     "in Syria's Idlib from midnight, with joint Russian-Turkish patrols along the M4 road."),
    ("Fri 6 Mar 2020 | 11:30 AM", "Idlib Ceasefire Takes Effect as Guns Fall Quiet",
     "The ceasefire agreed by Russia and Turkey for Idlib took effect at midnight, and monitors reported calm along "
     "the front lines in northwestern Syria on Friday morning."),
    ("Tue 10 Mar 2020 | 04:00 PM", "Turkish and Russian Officers Meet in Ankara on Idlib Patrols",
     "A Russian military delegation arrived in Ankara for talks with Turkish officers on the joint patrols along "
     "the M4 road in Idlib agreed under the ceasefire."),
    ("Sun 15 Mar 2020 | 06:20 PM", "First Joint Russian-Turkish Patrol on Idlib's M4 Road Cut Short",
     "The first joint Russian-Turkish patrol on the M4 road in Idlib was cut short on Sunday after protesters "
     "blocked the route, the Russian Defense Ministry said."),
    ("Mon 23 Mar 2020 | 10:45 AM", "Turkey Says Idlib Ceasefire Largely Holding",
     "Turkish Defense Minister Hulusi Akar said the ceasefire in Idlib was largely holding and that Turkish forces "
     "would keep working with Russia on the M4 road patrols."),
]
OTHERS = [
    ("Wed 11 Mar 2020 | 01:00 PM", "Egypt's Central Bank Cuts Interest Rates by Three Points",
     "The Central Bank of Egypt cut its main interest rates by 300 basis points in an emergency meeting, citing "
     "the economic impact of the coronavirus."),
    ("Thu 19 Mar 2020 | 08:00 AM", "Gulf Stock Markets Slide as Oil Prices Fall",
     "Stock markets across the Gulf fell sharply on Thursday as oil prices dropped to their lowest in 17 years."),
    ("Sat 21 Mar 2020 | 03:15 PM", "Lebanon Extends Coronavirus Lockdown",
     "Lebanon's government extended its lockdown for two more weeks and closed Beirut airport to passenger flights."),
]


def raw_article(dateline: str, title: str, lead: str) -> str:
    return (f"Supervisor Elham AbolFateh\nEditor in Chief Mohamed Wadie\n\n{title}\n\n\n{dateline}\nNawal Sayed\n\n"
            f"{lead}\n\nThe statement was carried by state media and confirmed by officials later in the day.\n")


def seed_site(root: Path, siblings: bool) -> Path:
    (root / "seeds").mkdir(parents=True)
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copy(SEED, root / "seeds" / SEED.name)
    for number, article in enumerate((SIBLINGS if siblings else []) + OTHERS):
        (root / "seeds" / f"{number:03d}_raw.txt").write_text(raw_article(*article), encoding="utf-8")
    imported = run_sitegen("import", "--site", root)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    build(root)
    return root / "public/briefings/2020/03/russia-turkey-military-negotiations-on-idlib-revealed/index.html"


def test_the_seed_joins_its_story_when_its_siblings_are_present(tmp_path):
    html = seed_site(tmp_path / "with", siblings=True).read_text()
    url = story_link(html)
    assert url is not None, "the Idlib briefing of 14 March 2020 should be part of the Idlib ceasefire story"
    assert "<strong>4 of 6</strong>" in html  # after 5, 6 and 10 March, before 15 and 23 March
    timeline = page(tmp_path / "with", url)
    titles = re.findall(r'class="timeline-title"><a href="[^"]+">([^<]+)</a>', timeline)
    assert titles == [t for _, t, _ in SIBLINGS[:3]] + ["Russia-Turkey Military Negotiations on Idlib Revealed"] \
        + [t.replace("'", "&#39;") for _, t, _ in SIBLINGS[3:]]
    alone = seed_site(tmp_path / "alone", siblings=False).read_text()
    assert story_link(alone) is None and 'class="story-box"' not in alone


# --- in a browser, and valid ---------------------------------------------------------------------

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
VNU = REPO / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_chromium_shows_the_story_box_and_follows_it_to_the_timeline(archive, browser, static_server):
    root, made = archive
    idlib = sorted((g for g in made if g.story == "idlib-2020"), key=lambda g: g.date)
    base = static_server(root / "public")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.goto(base + url_of(root, idlib[2].rel))
    box = tab.locator(".story-box")
    assert box.is_visible()
    assert box.locator("h2").inner_text().strip().lower() == "this story"
    assert f"3 of {len(idlib)}" in box.inner_text()
    assert box.locator(".story-box-next a").inner_text() == idlib[3].title
    box.scroll_into_view_if_needed()
    tab.screenshot(path=str(SCREENSHOTS / "story-box.png"))
    box.locator(".more-link a").click()
    tab.wait_for_load_state()
    entries = tab.locator(".timeline-entry")
    assert entries.count() == len(idlib)
    assert [entries.nth(i).locator(".timeline-title").inner_text() for i in range(entries.count())] \
        == [g.title for g in idlib]
    assert entries.first.is_visible() and tab.locator("h1").is_visible()
    tab.screenshot(path=str(SCREENSHOTS / "story-timeline.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(tab.url)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.close()
    tab.close()


def test_story_pages_and_briefings_in_stories_are_valid_html(archive):
    if not VNU.is_file() or shutil.which("java") is None:
        reason = f"the Nu HTML Checker ({VNU}) and java are needed: run `make vnu`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    root, made = archive
    pages = sorted((root / "public/stories").rglob("*.html"))
    pages += [root / "public" / url_of(root, g.rel).strip("/") / "index.html" for g in made if g.story][:20]
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, pages),
                             str(root / "public/style.css")], capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr)["messages"]
    errors = [f"{m.get('url', '?')}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == [] and result.returncode == 0, result.stdout


@pytest.mark.browser
def test_search_results_can_be_narrowed_to_one_story(archive, tmp_path, browser, static_server):
    root, made = archive
    copy = copy_site(root, tmp_path)
    build_site(load_config(copy), BuildOptions(search=True))
    later = sorted((g for g in made if g.story == "idlib-2021"), key=lambda g: g.date)
    html = page(copy, url_of(copy, later[0].rel))
    name = re.search(r'<p class="story-box-name"><a href="[^"]+">([^<]+)</a>', html).group(1)
    tab = browser.new_page()
    try:
        base = static_server(copy / "public")
        tab.goto(f"{base}/search/?q=Idlib")
        everything = wait_for_results(tab, "Idlib")
        tab.goto(f"{base}/search/?q=Idlib&story={quote_plus(name)}")
        narrowed = wait_for_results(tab, "Idlib", len(later))
        assert sorted(narrowed) == sorted(url_of(copy, g.rel) for g in later)
        assert len(everything) > len(narrowed)
        assert tab.is_checked(f".facet-story input[value='{name}']")
    finally:
        tab.close()


def test_an_archive_of_random_words_does_not_snowball_into_one_story():
    """Topics and words drawn at random, four briefings a day for two years: whatever stories chance makes stay
    small and few, and no story grows to swallow the archive (the LIFT test)."""
    rng = random.Random(5)
    topics = [f"Topic{n}" for n in range(60)]
    vocabulary = [f"word{n}" for n in range(800)]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = []
    for number in range(3000):
        tags = tuple(dict.fromkeys(rng.choices(topics, weights=[1 / (k + 1) for k in range(60)], k=4)))
        title = " ".join(rng.sample(vocabulary, 7))
        items.append(Briefing(path=Path(f"{number}.md"), rel=f"content/{number}.md", title=title, slug=str(number),
                              date=start + timedelta(hours=6 * number), body="", body_line=1, tags=tags,
                              summary=" ".join(rng.sample(vocabulary, 20))))
    stories = Stories(items).stories
    assert max((s.count for s in stories), default=0) <= 8
    assert sum(s.count for s in stories) <= 0.05 * len(items)


def test_detection_and_related_rankings_in_child_processes_give_the_same_model(archive, monkeypatch):
    """On a large archive (from 400 briefings, ``Background.worth``), story detection and related rankings run in
    forked children while the rest of the site is planned (issue 15: the other cores wait otherwise); the model
    is the same as computed in this process."""
    from sitegen.memo import PLANNING
    from sitegen.pages import make_site, plan_routes
    from sitegen.workers import Background

    root, _ = archive
    config = load_config(root)
    items = load_briefings(config).briefings
    now = datetime.now(UTC)

    def model() -> tuple[list[object], list[object]]:
        PLANNING.kept()
        PLANNING.known = {}
        site = make_site(config, items, now)
        routes = plan_routes(site)
        stories = [(s.slug, s.title, [b.rel for b in s.briefings]) for s in site.stories.stories]
        return stories, [(r.url, repr(r.context.get("related")), repr(r.context.get("story"))) for r in routes]

    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    monkeypatch.setattr(Background, "worth", staticmethod(lambda items: True))
    in_children = model()
    assert len(forks) == 2  # stories, related
    monkeypatch.setattr(Background, "worth", staticmethod(lambda items: False))
    assert model() == in_children and in_children[0] and len(forks) == 2
