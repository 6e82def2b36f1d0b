"""The preview rebuilds when an interface catalog is saved: the site's own ``locales/`` and its theme's
``locales/`` (issue 13), through a real ``sitegen serve`` and real HTTP, waiting for its build events."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sitegen.changes import ChangeSet
from sitegen.serve.watch import SourceWatcher

from .helpers import write
from .test_serve import EventStream, Server, copy_site, raw_get

HOME = "/"


def words_of(server: Server, path: str = HOME) -> str:
    status, _, body = raw_get(server.port, path)
    assert status == 200
    return body.decode("utf-8")


def shows(server: Server, events: EventStream, *words: str, gone: str = "") -> str:
    """The home page once a finished build shows ``words`` (and no longer ``gone``): builds are awaited through
    their events, never guessed with a sleep, and a save seen as two batches only means one more event."""
    while True:
        event = events.next()
        if event["pages"] is not None or not event["ok"]:
            continue
        home = words_of(server)
        if all(f">{word}</a>" in home for word in words) and not (gone and f">{gone}</a>" in home):
            return home


@pytest.fixture
def preview(tmp_path):
    site = copy_site(tmp_path)
    write(site / "themes" / "plain" / "locales" / "en.yml", "topics: Subjects\n")
    (site / "themes" / "plain" / "templates").mkdir()
    write(site / "site.yml", (site / "site.yml").read_text() + "theme: plain\n")
    running = Server(site, "--port", "0")
    events = EventStream(running.port)
    events.next()  # the state after the first build
    yield running, events
    events.close()
    code, output = running.stop()
    assert code == 0 and "Traceback" not in output, output


def test_saving_a_catalog_rebuilds_the_preview(preview):
    server, events = preview
    assert ">Subjects</a>" in words_of(server)  # the site's theme's catalog is read
    # the site's own locales/ appears while the preview runs, then is edited
    write(server.site / "locales" / "en.yml", "topics: Themes\n")
    shows(server, events, "Themes", gone="Subjects")
    write(server.site / "locales" / "en.yml", "topics: Dossiers\narchive: Back issues\n")
    shows(server, events, "Dossiers", "Back issues")
    # the theme's catalog: the site's own still wins for `topics`, the theme's new word shows
    write(server.site / "themes" / "plain" / "locales" / "en.yml", "topics: Subjects\nauthors: Writers\n")
    assert ">Dossiers</a>" in shows(server, events, "Writers")
    # removing the site's catalog brings the theme's word back
    (server.site / "locales" / "en.yml").unlink()
    shows(server, events, "Subjects", gone="Dossiers")


def test_a_broken_catalog_shows_the_error_page_until_fixed(preview):
    server, events = preview
    catalog = server.site / "themes" / "plain" / "locales" / "en.yml"
    catalog.write_text("topics: [Subjects\n", encoding="utf-8")
    while events.next()["ok"]:
        pass
    status, _, body = raw_get(server.port, HOME)
    assert status == 500 and b"themes/plain/locales/en.yml" in body
    catalog.write_text("topics: Subjects again\n", encoding="utf-8")
    shows(server, events, "Subjects again")


def test_catalogs_of_a_theme_outside_the_site_are_watched_too(tmp_path):
    """The built-in theme lives outside the site: the watcher is given its locales folder and reports saves there
    (the real watchdog on real files), and the batch says a catalog changed."""
    site, outside = tmp_path / "site", tmp_path / "package" / "themes" / "default" / "locales"
    site.mkdir()
    outside.mkdir(parents=True)
    seen: list[Path] = []
    arrived = threading.Event()

    def on_change(path: Path, settled: bool) -> None:
        seen.append(path)
        arrived.set()

    watcher = SourceWatcher(site, on_change, also=[outside])
    watcher.start()
    try:
        write(outside / "ar.yml", "topics: المواضيع\n")
        assert arrived.wait(10)
    finally:
        watcher.stop()
    assert outside / "ar.yml" in seen
    changes = ChangeSet.classify(site, seen)
    assert changes.catalogs and not changes.edits_only and changes.paths
    assert "ar.yml" in changes.describe()
