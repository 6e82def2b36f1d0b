"""The cache and page fingerprints: a rebuild re-renders exactly what an edit changed."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sitegen.build import Builder, BuildOptions, build_site
from sitegen.cache import BuildState
from sitegen.changes import ChangeSet
from sitegen.config import load_config
from sitegen.pages import Link
from sitegen.plan import Fingerprinter

from .helpers import briefing, write


def build(site: Path, **options) -> object:
    return build_site(load_config(site), BuildOptions(search=False, **options))


@contextlib.contextmanager
def preview_builder(site: Path, **options: bool) -> Iterator[Builder]:
    """A builder as the preview keeps one: warm between builds, writing in place into .sitegen/preview."""
    builder = Builder(load_config(site), BuildOptions(output=site / ".sitegen/preview", search=False, **options),
                      in_place=True)
    try:
        yield builder
    finally:
        builder.close()


def three_briefings(site: Path) -> None:
    for day, name in ((1, "Alpha"), (2, "Bravo"), (3, "Charlie")):
        write(site / f"content/briefings/{name.lower()}.md", briefing(name, date=f"2024-05-0{day}"))


def page(site: Path, slug: str, output: str = "public") -> str:
    return (site / output / f"briefings/2024/05/{slug}/index.html").read_text()


def test_nothing_changed_leaves_the_output_untouched(site):
    three_briefings(site)
    assert build(site).rendered > 0
    inode = (site / "public").stat().st_ino
    again = build(site)
    assert again.rendered == 0
    assert (site / "public").stat().st_ino == inode


def test_an_edit_re_renders_the_briefing_and_the_pages_that_show_it(site):
    three_briefings(site)
    build(site)
    write(site / "content/briefings/bravo.md", briefing("Bravo renamed", date="2024-05-02", slug="bravo"))
    result = build(site)
    # bravo itself, its two neighbours (prev/next titles) and the home page
    assert result.rendered < result.pages
    assert "Bravo renamed" in page(site, "bravo")
    assert "Bravo renamed" in page(site, "alpha") and "Bravo renamed" in page(site, "charlie")
    assert "Bravo renamed" in (site / "public/index.html").read_text()


def test_a_template_edit_re_renders_only_pages_using_it(site):
    three_briefings(site)
    write(site / "templates/page.html", "{% extends 'base.html' %}{% block main %}v1{% endblock %}")
    write(site / "content/pages/about.md", "---\ntitle: About\n---\nUs.\n")
    build(site)
    write(site / "templates/page.html", "{% extends 'base.html' %}{% block main %}v2{% endblock %}")
    result = build(site)
    assert result.rendered == 1
    assert "v2" in (site / "public/about/index.html").read_text()


def test_a_template_reading_the_site_global_follows_every_edit(site):
    three_briefings(site)
    write(site / "templates/404.html", "{% extends 'base.html' %}{% block main %}{{ site.briefings | length }} "
                                       "briefings{% endblock %}")
    build(site)
    write(site / "content/briefings/delta.md", briefing("Delta", date="2024-05-04"))
    build(site)
    assert "4 briefings" in (site / "public/404.html").read_text()


COUNT = "{{ site.briefings | length }} briefings"
READS_SITE_INDIRECTLY = {
    "include": ("{% extends 'base.html' %}{% block main %}{% include '_count.html' %}{% endblock %}", COUNT),
    "extends": ("{% extends '_count.html' %}",
                "{% extends 'base.html' %}{% block main %}" + COUNT + "{% endblock %}"),
    "import": ("{% extends 'base.html' %}{% import '_count.html' as c with context %}{% block main %}{{ c.count() }}"
               "{% endblock %}", "{% macro count() %}" + COUNT + "{% endmacro %}"),
    "from import": ("{% extends 'base.html' %}{% from '_count.html' import count with context %}{% block main %}"
                    "{{ count() }}{% endblock %}", "{% macro count() %}" + COUNT + "{% endmacro %}"),
    "macro argument": ("{% extends 'base.html' %}{% import '_count.html' as c %}{% block main %}{{ c.count(site) }}"
                       "{% endblock %}", "{% macro count(s) %}{{ s.briefings | length }} briefings{% endmacro %}"),
    "computed include": ("{% extends 'base.html' %}{% block main %}{% include '_co' ~ 'unt.html' %}{% endblock %}",
                         COUNT),
}


@pytest.mark.parametrize("way", sorted(READS_SITE_INDIRECTLY))
def test_a_template_reading_the_site_global_through_another_follows_every_edit(site, way):
    page_template, count_template = READS_SITE_INDIRECTLY[way]
    three_briefings(site)
    write(site / "templates/404.html", page_template)
    write(site / "templates/_count.html", count_template)
    build(site)
    assert "3 briefings" in (site / "public/404.html").read_text()
    write(site / "content/briefings/delta.md", briefing("Delta", date="2024-05-04"))
    build(site)
    assert "4 briefings" in (site / "public/404.html").read_text()


def test_a_damaged_cache_is_rebuilt_not_trusted(site):
    three_briefings(site)
    build(site)
    for path in (site / ".sitegen").glob("cache-*.sqlite*"):
        path.write_bytes(b"not a database" * 100)
    write(site / "content/briefings/alpha.md", briefing("Alpha two", date="2024-05-01", slug="alpha"))
    result = build(site)
    assert result.rendered == result.pages
    assert "Alpha two" in page(site, "alpha")


def test_clean_renders_everything(site):
    three_briefings(site)
    build(site)
    result = build(site, clean=True)
    assert result.rendered == result.pages


def test_preview_builder_updates_and_removes_pages_in_place(site):
    three_briefings(site)
    with preview_builder(site, drafts=True, future=True) as builder:
        builder.build()
        edited = site / "content/briefings/charlie.md"
        write(edited, briefing("Charlie", date="2024-05-03", body="Fresh words."))
        result = builder.build(ChangeSet.classify(site, [edited]))
        assert result.rendered <= result.pages - 4  # at least four pages untouched (a site without authors has no /authors/)
        assert "Fresh words." in page(site, "charlie", ".sitegen/preview")
        (site / "content/briefings/alpha.md").unlink()
        builder.build(ChangeSet.classify(site, [site / "content/briefings/alpha.md"]))
        assert not (site / ".sitegen/preview/briefings/2024/05/alpha/index.html").exists()
        assert "Alpha" not in page(site, "bravo", ".sitegen/preview")


def test_preview_builder_drops_a_deleted_static_file(site):
    three_briefings(site)
    write(site / "static/extra.css", "body {}")
    with preview_builder(site) as builder:
        builder.build()
        assert (site / ".sitegen/preview/extra.css").is_file()
        (site / "static/extra.css").unlink()
        builder.build(ChangeSet.classify(site, [site / "static/extra.css"]))
        assert not (site / ".sitegen/preview/extra.css").exists()


def test_a_scheduled_briefing_appears_once_it_falls_due(site):
    three_briefings(site)
    # Six seconds leaves room for two small builds on a loaded machine; the wait below is exact.
    soon = (datetime.now(UTC) + timedelta(seconds=6)).replace(microsecond=0)
    write(site / "content/briefings/soon.md", briefing("Soon", date=soon.isoformat()))
    assert build(site).briefings == 3
    assert build(site).rendered == 0
    assert datetime.now(UTC) < soon, "the two builds took longer than the window; the test proves nothing"
    time.sleep((soon - datetime.now(UTC)).total_seconds() + 0.5)
    assert build(site).briefings == 4


def test_preview_edits_reach_every_page_showing_the_briefing(site):
    """A title edit takes the preview's shortcut; a topic edit reshapes the site; both must show everywhere."""
    three_briefings(site)
    with preview_builder(site) as builder:
        builder.build()
        bravo = site / "content/briefings/bravo.md"
        write(bravo, briefing("Bravo retitled", date="2024-05-02", slug="bravo"))
        builder.build(ChangeSet.classify(site, [bravo]))
        preview = site / ".sitegen/preview"
        for path in ("briefings/2024/05/alpha/index.html", "briefings/2024/05/charlie/index.html", "index.html",
                     "feed.xml", "archive/2024/05/index.html"):
            assert "Bravo retitled" in (preview / path).read_text(), path
        write(bravo, briefing("Bravo retitled", date="2024-05-02", slug="bravo", tags="[Fresh topic]"))
        builder.build(ChangeSet.classify(site, [bravo]))
        assert "Bravo retitled" in (preview / "topics/fresh-topic/index.html").read_text()
        rebuilt = Builder(load_config(site), BuildOptions(output=site / "public", search=False))
        try:
            rebuilt.build()
        finally:
            rebuilt.close()
        for path in preview.rglob("*.html"):
            assert path.read_bytes() == (site / "public" / path.relative_to(preview)).read_bytes(), path


def test_parallel_render_counts_each_unchanged_page_once(site):
    """Worker processes render in chunks; their counts of byte-identical pages must add up exactly."""
    for number in range(450):
        write(site / f"content/briefings/b{number}.md",
              briefing(f"Briefing {number}", date=f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}"))
    build(site)
    again = build(site, clean=True)
    assert again.rendered == again.pages
    assert again.reused == again.pages


def test_the_build_state_is_a_small_json_record_that_survives_garbage(site):
    three_briefings(site)
    write(site / "content/briefings/later.md", briefing("Later", date="2999-01-01"))
    result = build(site)
    builder = Builder(load_config(site), BuildOptions(search=False))
    try:
        state = builder.cache.state()
        row = builder.cache._db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()[0]
    finally:
        builder.close()
    assert json.loads(row)["routes"] == result.pages == state.routes
    assert state.briefings == 3 and state.sources and state.statics and not state.search
    assert state.next_due == datetime(2999, 1, 1, tzinfo=ZoneInfo("Africa/Cairo"))
    assert BuildState.from_json(state.to_json()) == state
    assert BuildState.from_json("a|b|c|d") == BuildState.from_json('{"unknown": 1}') == BuildState()


def test_fingerprints_hash_shared_values_once_by_a_stable_key_not_by_identity():
    hasher = Fingerprinter()
    first = Link("Syria", "/topics/syria/")
    assert hasher.of([first]) == hasher.of([Link("Syria", "/topics/syria/")])
    # a temporary list freed after hashing must not lend its fingerprint to a new one at the same address
    assert hasher.of([Link("A", "/a/")]) != hasher.of([Link("B", "/b/")])


def test_the_preview_shortcut_builds_new_objects_and_never_changes_the_planned_ones(site):
    """An edit that keeps the site's shape takes the shortcut: the routes showing the briefing are rebuilt
    around the edited briefing, the planned objects stay as they were, and model objects refuse patching."""
    three_briefings(site)
    bravo = site / "content/briefings/bravo.md"
    write(bravo, briefing("Bravo", date="2024-05-02", body="First words.\n\nSecond words."))
    with preview_builder(site) as builder:
        builder.build()
        model = builder.preview
        old = builder.files["content/briefings/bravo.md"].briefing
        own, neighbour = model.routes[old.url], model.routes["/briefings/2024/05/alpha/"]
        with pytest.raises(dataclasses.FrozenInstanceError):
            old.html = "<p>patched</p>"
        with pytest.raises(dataclasses.FrozenInstanceError):
            own.context = {}
        with pytest.raises(dataclasses.FrozenInstanceError):
            model.site.taxonomy.years[0].months = []
        write(bravo, briefing("Bravo", date="2024-05-02", body="First words.\n\nSecond words, revised."))
        result = builder.build(ChangeSet.classify(site, [bravo]))
        assert builder.preview.site is model.site, "the edit did not take the shortcut"
        assert result.rendered < result.pages - 4
        assert "Second words, revised." in page(site, "bravo", ".sitegen/preview")
        assert "revised" not in old.html and own.context["page"] is old and neighbour.context["newer"] is old
        new = builder.files["content/briefings/bravo.md"].briefing
        assert new is not old and "revised" in new.html
        assert builder.preview.routes[old.url].context["page"] is new
        assert builder.preview.routes[old.url].context["card"].briefing is new
        assert builder.preview.routes["/briefings/2024/05/alpha/"].context["newer"] is new
        assert new in builder.preview.routes["/"].shows and old not in builder.preview.routes["/"].shows
        write(bravo, briefing("Bravo", date="2024-05-02", body="First words.\n\nSecond words, again."))
        builder.build(ChangeSet.classify(site, [bravo]))  # a second edit starts from the revised routes
        assert "Second words, again." in page(site, "bravo", ".sitegen/preview")
        assert builder.preview.routes["/"].context["cards"][1].briefing.html.count("again") == 1


def test_a_template_reading_the_site_global_follows_a_preview_edit(site):
    """The shortcut renders only the routes showing the briefing; a template reading ``site`` can show
    any briefing, so with one the preview re-plans instead."""
    three_briefings(site)
    write(site / "templates/404.html", "{% extends 'base.html' %}{% block main %}"
                                       "{{ site.briefings | map(attribute='html') | join(' / ') }}{% endblock %}")
    with preview_builder(site) as builder:
        builder.build()
        charlie = site / "content/briefings/charlie.md"
        write(charlie, briefing("Charlie", date="2024-05-03", body="Body text.\n\nA later paragraph."))
        builder.build(ChangeSet.classify(site, [charlie]))
        assert "A later paragraph." in (site / ".sitegen/preview/404.html").read_text()


class ChangedOnce:
    """A parse that changes while the thread pickles it the first time (as a dict changing size would)."""

    def __init__(self) -> None:
        self.asked = 0

    def __reduce__(self):
        self.asked += 1
        if self.asked == 1:
            raise RuntimeError("dictionary changed size during iteration")
        return (ChangedOnce, ())


def test_work_done_meanwhile_in_a_thread_gives_what_the_caller_would_compute():
    """A cold build pickles its fresh parses for the cache and fingerprints its routes while the workers render
    (issue 15: the parent's serial work): the same rows, and a failure there is computed again by the caller."""
    import pickle
    import threading

    from sitegen.cache import CachedFile, file_rows
    from sitegen.workers import Meanwhile

    changed = {f"content/{n}.md": CachedFile(n, n * 10, Link(f"Title {n}", f"/{n}/")) for n in range(50)}
    threads: list[str] = []
    threaded = Meanwhile(lambda: threads.append(threading.current_thread().name) or file_rows(changed))  # type: ignore[arg-type]
    threaded.start()
    assert threaded.result() == file_rows(changed) and threads == ["meanwhile"]  # type: ignore[arg-type]
    assert Meanwhile(threading.current_thread).result() is threading.current_thread()  # never started: computed here
    odd = ChangedOnce()
    failing = Meanwhile(lambda: file_rows({"content/odd.md": CachedFile(1, 2, odd)}))  # type: ignore[arg-type]
    failing.start()
    rows = failing.result()
    assert odd.asked == 2 and isinstance(pickle.loads(rows[0][3]), ChangedOnce)


def test_fresh_parses_are_stored_by_a_thread_or_handed_back_where_the_cache_refuses(tmp_path):
    """A cold build's parses are stored in the cache while the workers render, in a connection of that thread's
    own (issue 15: the parent's serial work); rows the cache refuses come back for the final save to store."""
    from sitegen.cache import BuildCache, CachedFile, store_files

    cache = BuildCache(tmp_path / "cache.sqlite", "settings")
    changed = {f"content/{n}.md": CachedFile(n, n * 10, Link(f"Title {n}", f"/{n}/")) for n in range(30)}
    assert store_files(cache.path, changed) == []  # type: ignore[arg-type]
    cache.save({}, (), {}, BuildState())
    assert cache.briefings() == changed
    cache.close()
    (tmp_path / "a-folder").mkdir()
    refused = store_files(tmp_path / "a-folder", changed)  # type: ignore[arg-type]
    assert [path for path, *_ in refused] == list(changed)


def test_a_cold_build_stores_every_parse_and_the_next_build_parses_only_the_edit(site, monkeypatch):
    """Enough files for forked workers, so the storing thread really runs beside them."""
    import sitegen.load

    for number in range(450):
        write(site / f"content/briefings/b{number}.md", briefing(f"Briefing {number}", date="2024-03-01"))
    build(site)
    parsed: list[str] = []
    real = sitegen.load.parse_files
    monkeypatch.setattr(sitegen.load, "parse_files",
                        lambda files, *args: parsed.extend(rel for _, rel in files) or real(files, *args))
    write(site / "content/briefings/b7.md", briefing("Briefing 7, corrected", date="2024-03-01"))
    assert build(site).rendered > 0
    assert set(parsed) == {"content/briefings/b7.md"}  # the other 449 come from the cache


def test_threads_meant_for_while_the_workers_work_start_only_after_every_fork():
    """A thread busy in Python while the pool forks slowed the forks and the template compiling before them
    (0.85 s instead of 0.19 s at 4k): run_chunked starts ``meanwhile`` threads once the workers exist, and not
    at all when it works alone."""
    import os

    from sitegen.workers import Meanwhile, run_chunked

    started = Meanwhile(lambda: "started")
    alone = Meanwhile(lambda: "computed when asked")
    parts = run_chunked(_pid_of_each, list(range(500)), meanwhile=[started])
    run_chunked(_pid_of_each, list(range(5)), meanwhile=[alone])
    if len(os.sched_getaffinity(0)) > 1:
        assert started._thread is not None and os.getpid() not in {pid for part in parts for pid in part}
    assert started.result() == "started"
    assert alone._thread is None and alone.result() == "computed when asked"


def _pid_of_each(part: list[int]) -> list[int]:
    import os

    return [os.getpid() for _ in part]
