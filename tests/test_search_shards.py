"""The sharded search index: how briefings are split, which shards a build re-indexes, and, in Chromium, that
the shards searched together answer like one whole Pagefind index of the same pages."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sitegen.search import build_index
from sitegen.shards import plan_shards

from .helpers import REPO, briefing, write

GENERATE = REPO / "bench" / "generate.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def build(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sitegen", "build", "--site", str(site), *args],
                          capture_output=True, text=True, timeout=600)


def manifest(public: Path) -> list[dict]:
    return json.loads((public / "pagefind" / "shards.json").read_text())["shards"]


# --- planning ----------------------------------------------------------------------------------------


def pages(year: int, count: int, month: int = 1) -> list[tuple[str, date]]:
    return [(f"briefings/{year}/{month:02d}/b{n}/index.html", date(year, month, 1 + n % 28)) for n in range(count)]


def test_a_year_is_one_shard_until_it_is_too_big():
    shards = plan_shards([*pages(2020, 3), *pages(2021, 5)], limit=10)
    assert [(s.name, len(s.members)) for s in shards] == [("2021", 5), ("2020", 3)]
    assert (shards[0].first, shards[0].last) == (date(2021, 1, 1), date(2021, 12, 31))


def test_a_busy_year_splits_into_quarters_and_a_busy_quarter_into_months():
    busy = [*pages(2022, 8, month=2), *pages(2022, 4, month=3), *pages(2022, 3, month=11)]
    shards = plan_shards([*busy, *pages(2021, 2)], limit=10)
    assert [(s.name, len(s.members)) for s in shards] == [("2022-q4", 3), ("2022-03", 4), ("2022-02", 8), ("2021", 2)]
    assert (shards[0].first, shards[0].last) == (date(2022, 10, 1), date(2022, 12, 31))
    assert (shards[2].first, shards[2].last) == (date(2022, 2, 1), date(2022, 2, 28))


def test_every_page_is_in_exactly_one_shard():
    every = [*pages(2019, 40), *pages(2020, 25, month=6), *pages(2020, 30, month=7)]
    members = [m for s in plan_shards(every, limit=20) for m in s.members]
    assert sorted(members) == sorted(p for p, _ in every)


# --- building ------------------------------------------------------------------------------------------


def small_site(root: Path) -> Path:
    write(root / "site.yml", "title: Shards\nbase_url: https://example.org/\ntimezone: UTC\n")
    for year in (2019, 2020, 2021):
        for n in range(3):
            write(root / f"content/briefings/{year}-{n}.md",
                  briefing(f"Harbour report {year} number {n}", f"{year}-0{n + 3}-10T10:00:00+00:00",
                           body=f"Ships waited at the harbour in {year}; cranes {n} stood still.", tags="[Ports]"))
    return root


def bundle_inodes(public: Path) -> dict[str, int]:
    return {s["name"]: (public / "pagefind" / s["bundle"] / "pagefind-entry.json").stat().st_ino
            for s in manifest(public)}


def test_warm_build_reindexes_nothing_and_an_edit_reindexes_only_its_shard(tmp_path):
    site = small_site(tmp_path / "site")
    public = site / "public"
    first = build(site)
    assert first.returncode == 0, first.stderr
    assert "in 3 shards (3 re-indexed)" in first.stderr
    assert [s["name"] for s in manifest(public)] == ["2021", "2020", "2019"]
    assert [s["pages"] for s in manifest(public)] == [3, 3, 3]
    before = bundle_inodes(public)

    again = build(site)
    assert again.returncode == 0, again.stderr
    assert bundle_inodes(public) == before

    edited = site / "content/briefings/2020-1.md"
    edited.write_text(edited.read_text().replace("cranes 1 stood still", "cranes 1 moved again"))
    third = build(site)
    assert third.returncode == 0, third.stderr
    assert "in 3 shards (1 re-indexed)" in third.stderr
    after = bundle_inodes(public)
    assert after["2019"] == before["2019"] and after["2021"] == before["2021"]
    assert after["2020"] != before["2020"]
    assert len([p for p in (public / "pagefind").iterdir() if p.is_dir()]) == 3, "old bundles must not pile up"


def test_clean_build_after_removing_a_year_drops_its_shard(tmp_path):
    site = small_site(tmp_path / "site")
    assert build(site).returncode == 0
    for path in (site / "content/briefings").glob("2019-*.md"):
        path.unlink()
    result = build(site)
    assert result.returncode == 0, result.stderr
    assert [s["name"] for s in manifest(site / "public")] == ["2021", "2020"]


# --- one index or many: the same answers, in Chromium -------------------------------------------------


QUERIES = ["syria", "kuwait", "argentina", "minorities", "drought", "village", "talks", "oil",
           "ceasefire talks", "kuwait currency", "refugees border", "unemployment summit", "oil prices"]
TOP = 10
TIE = {1: 0.005, 2: 0.07}
"""By words in the query: scores this close to the tenth result's count as a tie, and which of them make the
first ten may differ.

One-word queries: the shards' scores, rescaled to the archive's word statistics
(sitegen/data/sharded-pagefind.js), equal the whole index's. Two-word queries: Pagefind does not score them
as the sum of their words' scores, so the rescaling is approximate, and scores move by up to about 6 %."""


SEARCH_BOTH = """async ([queries, top]) => {
    const sharded = await import('/sharded/pagefind/pagefind.js');
    const whole = await import('/whole/pagefind/pagefind.js');
    const answer = async (index, query) => {
        const found = await index.search(query, {});
        const urls = await Promise.all(found.results.slice(0, top).map(async r => (await r.data()).url));
        return {all: found.results.map(r => [r.id, r.score]), unfiltered: found.unfilteredResultCount,
                filters: found.filters, urls};
    };
    const out = {};
    for (const query of queries) out[query] = {sharded: await answer(sharded, query), whole: await answer(whole, query)};
    out['(filters)'] = {sharded: await sharded.filters(), whole: await whole.filters()};
    return out; }"""


@pytest.fixture(scope="module")
def twin_indexes(tmp_path_factory) -> Path:
    """The generated 1,000-briefing benchmark archive built once with its sharded index; its pages again
    (hard links) with one whole Pagefind index beside it."""
    generator = load_generator()
    root = tmp_path_factory.mktemp("twins")
    site = root / "site"
    write(site / "site.yml", "title: Briefing\nbase_url: /sharded/\ntimezone: Etc/GMT-2\npaginate: 20\n")
    generator.write_corpus(generator.make_corpus(1000), site / "content" / "briefings")
    served = root / "www"
    result = build(site, "--out", str(served / "sharded"))
    assert result.returncode == 0, result.stderr
    assert len(manifest(served / "sharded")) == 7
    whole = served / "whole"
    shutil.copytree(served / "sharded", whole, copy_function=os.link, ignore=shutil.ignore_patterns("pagefind"))
    build_index(whole)
    return served


def misplaced(sharded: list, whole: list, tie: float) -> list[str]:
    """Results (Pagefind page ids, the same in both indexes) that one index puts in its first ten and the
    other does not, leaving out ties: scores within ``tie`` of the whole index's tenth."""
    score = dict(map(tuple, whole))
    cut = whole[min(TOP, len(whole)) - 1][1]
    first_sharded = {page for page, _ in sharded[:TOP]}
    first_whole = {page for page, _ in whole[:TOP]}
    return ([p for p in first_sharded - first_whole if score[p] < cut * (1 - tie)]
            + [p for p in first_whole - first_sharded if score[p] > cut * (1 + tie)])


@pytest.mark.browser
@pytest.mark.slow
def test_shards_answer_like_one_whole_index(twin_indexes, browser, static_server):
    """On the 1k benchmark archive, 7 yearly shards: the same results, result counts and filter counts as
    one whole index, and the same first ten results up to ties at the cut (see TIE)."""
    page = browser.new_page()
    try:
        base = static_server(twin_indexes)
        page.goto(base + "/sharded/404.html")
        answers = page.evaluate(SEARCH_BOTH, [QUERIES, TOP])
    finally:
        page.close()
    filters = answers.pop("(filters)")
    assert filters["sharded"] == filters["whole"]
    assert sum(filters["whole"]["year"].values()) == 1000
    for query, both in answers.items():
        sharded, whole = both["sharded"], both["whole"]
        assert sorted(p for p, _ in sharded["all"]) == sorted(p for p, _ in whole["all"]), f"{query}: other results"
        assert sharded["unfiltered"] == whole["unfiltered"] and sharded["filters"] == whole["filters"], query
        assert misplaced(sharded["all"], whole["all"], TIE[len(query.split())]) == [], f"{query}: other first results"
        years = {re.search(r"/briefings/(\d{4})/", url).group(1) for url in sharded["urls"]}
        if len(whole["all"]) >= 100:
            assert len(years) >= 3, f"{query}: the first results should come from several years' shards"
