"""How many worker processes a build forks, and how it cuts the work among them: the many-core laptop of issue 15
must use its cores, and a large archive on a machine with little memory must not swap."""

from __future__ import annotations

import os
import time

import pytest

from sitegen.workers import CHUNK, MAX_WORKERS, PARALLEL_MINIMUM, chunk_size, run_chunked, workers_for

from .helpers import briefing, write

GIB = 1024 * 1024  # in KiB, the unit of /proc/meminfo and ru_maxrss


def test_one_worker_per_core_up_to_the_cap():
    assert workers_for(2, 20 * GIB, GIB // 4) == 2
    assert workers_for(16, 64 * GIB, GIB // 2) == 16
    assert workers_for(64, 512 * GIB, GIB) == MAX_WORKERS


def test_no_more_workers_than_the_memory_holds_and_never_none():
    assert workers_for(16, 8 * GIB, 3 * GIB) == 2  # 100,000 briefings: a 3 GiB parent, 8 GiB left
    assert workers_for(16, GIB, 3 * GIB) == 1
    assert workers_for(16, 0, GIB) == 1
    assert workers_for(16, None, 3 * GIB) == 16  # a system that does not say: one per core


def test_every_worker_gets_several_chunks_where_the_batch_allows():
    assert chunk_size(1000, 2) == CHUNK  # two cores: unchanged
    assert chunk_size(1000, 16) == 16  # 63 chunks for 16 workers, not 10
    assert chunk_size(50_000, 16) == CHUNK
    assert chunk_size(3, 16) == 1


def doubled_with_pid(part: list[int]) -> list[tuple[int, int]]:
    return [(x * 2, os.getpid()) for x in part]


def test_chunked_results_come_back_whole_and_in_order_from_the_workers():
    items = list(range(1234))
    found = [pair for part in run_chunked(doubled_with_pid, items) for pair in part]
    assert [x for x, _ in found] == [x * 2 for x in items]
    if len(os.sched_getaffinity(0)) > 1:
        assert os.getpid() not in {pid for _, pid in found}


def compiled(env) -> set[str]:
    return {name for _, name in env.cache}


def test_the_whole_theme_is_compiled_before_workers_fork_and_only_then(site):
    """Workers inherit compiled templates; a partial compiled after the fork is compiled again in every worker."""
    from sitegen.config import load_config
    from sitegen.render import UrlHelper, make_environment
    from sitegen.rendering import compile_before_fork

    (site / "templates").mkdir()
    (site / "templates" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")  # not a template: skipped
    (site / "templates" / "_broken.html").write_text("{% if %}", encoding="utf-8")  # its page reports it
    config = load_config(site)
    alone = make_environment(config, UrlHelper(config.base_url, config.base_path))
    compile_before_fork(alone, ["briefing.html"], forking=False)
    assert compiled(alone) == {"briefing.html"}
    env = make_environment(config, UrlHelper(config.base_url, config.base_path))
    compile_before_fork(env, ["briefing.html"], forking=True)
    assert {"_macros.html", "_card.html", "_cards.html", "feed.xml", "topic.html"} <= compiled(env)
    assert not {"logo.png", "_broken.html"} & compiled(env)



def test_templates_are_prepared_while_workers_parse_and_a_stray_file_is_a_broken_fact(site):
    """A cold build compiles the theme and learns each template's facts in a thread while worker processes parse
    the content (the parent has nothing else to do then); a file in templates/ that is no template only gets
    facts that never match, so its route, if any, renders and reports it."""
    import threading

    from sitegen.config import load_config
    from sitegen.inventory import take_inventory
    from sitegen.load import load_briefings
    from sitegen.plan import prepare_templates
    from sitegen.render import UrlHelper, make_environment
    from sitegen.workers import Meanwhile

    (site / "templates").mkdir()
    (site / "templates" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    (site / "templates" / "_broken.html").write_text("{% if %}", encoding="utf-8")
    for number in range(PARALLEL_MINIMUM):
        write(site / f"content/briefings/b{number}.md", briefing(f"Briefing {number}"))
    config = load_config(site)
    env = make_environment(config, UrlHelper(config.base_url, config.base_path))
    inventory = take_inventory(config)
    threads: list[str] = []

    def prepare():
        threads.append(threading.current_thread().name)
        return prepare_templates(env, inventory)

    templates = Meanwhile(prepare)
    loaded = load_briefings(config, {}, inventory.content_paths, [templates])
    assert len(loaded.briefings) == PARALLEL_MINIMUM
    facts = templates.wait()
    assert threads == ["meanwhile"] and facts is not None
    assert Meanwhile(prepare).wait() is None  # never started: nothing computed here
    assert threads == ["meanwhile"]
    assert {"_macros.html", "_card.html", "feed.xml", "topic.html", "briefing.html"} <= compiled(env)
    assert facts["logo.png"].files == facts["_broken.html"].files == "?"
    assert facts["topic.html"].files.startswith("_card.html:") and not facts["sitemap.xml"].uses_site

def test_background_computes_in_a_child_and_falls_back_to_this_process():
    """Planning's costly steps run in a forked child (issue 15: while the other cores wait); a child that fails
    leaves the work to this process, a result nobody asks for stops its child."""
    from sitegen.workers import Background

    here = os.getpid()
    assert Background(os.getpid).result() not in (here, None)
    assert Background(lambda: "here" if os.getpid() == here else 1 / 0).result() == "here"
    assert Background(lambda: (lambda: None) if os.getpid() != here else "here").result() == "here"  # no pickle

    forgotten = Background(lambda: time.sleep(30))
    pid = forgotten._child[0]
    del forgotten  # its finalizer kills and reaps the child at once, not after 30 s
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert not Background.worth(10)


def test_the_memo_takes_a_started_answer_from_its_child():
    from sitegen.memo import Memo

    memo = Memo()
    memo.start(("k", 1), os.getpid, items=10_000)
    if len(os.sched_getaffinity(0)) > 1:
        assert memo.get(("k", 1), lambda: "computed here") != os.getpid()
    assert memo.computed and memo.get(("k", 1), lambda: "again") == memo.get(("k", 1), lambda: "again")
    memo.start(("small",), os.getpid, items=3)  # not worth a child: get computes
    assert memo.get(("small",), lambda: "here") == "here"


def test_a_broken_catalog_met_in_the_thread_is_reported_as_a_build_error(site):
    """The interface (and its catalogs) is loaded in a thread while the workers parse: its error must still
    come out of the build as the usual block naming the file and line, after the content's own problems."""
    from .helpers import run_sitegen

    write(site / "locales" / "en.yml", "search: Find\nbad: [1, 2]\n")
    for number in range(PARALLEL_MINIMUM):
        write(site / f"content/briefings/b{number}.md", briefing(f"Briefing {number}"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "locales/en.yml:2: `bad` must be text" in result.stderr and "Traceback" not in result.stderr
    write(site / "content/briefings/b0.md", "---\ntitle: [unclosed\n---\n")
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1 and "b0.md" in result.stderr and "Traceback" not in result.stderr
