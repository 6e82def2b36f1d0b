"""``sitegen build`` after a text edit renders from the route store: only the pages that show the edited
briefing, and exactly the bytes a clean build writes. Anything else that changed takes the full path."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, BuildResult, build_site
from sitegen.config import load_config
from sitegen.errors import SiteError

from .archive import generate
from .helpers import write
from .test_reproducible import differences, snapshot


def build(root: Path, out: Path | None = None, search: bool = False, clean: bool = False) -> BuildResult:
    return build_site(load_config(root), BuildOptions(output=out, search=search, clean=clean))


def clean_snapshot(root: Path, out: Path, search: bool = False) -> dict[str, str]:
    build(root, out, search=search, clean=True)
    return snapshot(out)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    generate(root, count=150)
    write(root / "content/briefings/story-a.md", "---\ntitle: Talks open in Geneva\ndate: 2024-01-10T09:00:00+02:00\n"
          "tags: [Syria]\nstory: Geneva talks\n---\n\nThe first round.\n")
    write(root / "content/briefings/story-b.md", "---\ntitle: Talks resume in Geneva\ndate: 2024-01-12T09:00:00+02:00\n"
          "tags: [Syria]\nstory: Geneva talks\n---\n\nThe second round.\n")
    build(root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_text_edits_render_only_the_pages_showing_them_and_match_a_clean_build(archive: Path, tmp_path: Path):
    content = archive / "content/briefings"
    steps = [
        lambda: append(content / "briefing-60.md", "\nA sentence added after publication.\n"),
        lambda: edit(content / "briefing-61.md", 'update"', 'update & <b>update</b>!"'),  # same key terms
        lambda: edit(content / "briefing-62.md", "with `code", "with a new `code"),
        lambda: (append(content / "briefing-63.md", "\nOne.\n"), append(content / "briefing-90.md", "\nTwo.\n")),
        lambda: append(content / "story-b.md", "\nThe talks broke up late.\n"),
        lambda: append(content / "draft.md", "\nStill a draft.\n"),
    ]
    for number, step in enumerate(steps):
        step()
        result = build(archive)
        assert result.shortcut, f"step {number} took the full path"
        assert result.rendered < result.pages // 4, f"step {number} rendered {result.rendered} pages"
        expected = clean_snapshot(archive, tmp_path / f"clean-{number}")
        assert differences(snapshot(archive / "public"), expected) == [], f"step {number}"
    assert build(archive).rendered == 0


@pytest.mark.parametrize("change", ["title words", "topic", "date", "new file", "removed file", "template", "static", "settings",
                                    "draft flag", "alias", "search flag", "standalone page"])
def test_an_edit_that_moves_the_site_takes_the_full_path_and_matches_a_clean_build(archive: Path, tmp_path: Path,
                                                                                   change: str):
    content = archive / "content/briefings"
    if change == "title words":  # what story detection compares: stories may move
        edit(content / "briefing-70.md", 'update"', 'ceasefire talks"')
    elif change == "topic":
        edit(content / "briefing-70.md", "tags: [", "tags: ['Brand new topic', ")
    elif change == "date":
        edit(content / "briefing-70.md", "date: 20", "date: 19")
    elif change == "new file":
        write(content / "fresh.md", "---\ntitle: A fresh one\ndate: 2024-02-01T09:00:00+02:00\ntags: [Syria]\n---\n\nNew.\n")
    elif change == "removed file":
        (content / "briefing-70.md").unlink()
    elif change == "template":
        write(archive / "templates/_footer_note.html", "unused\n")
        append(content / "briefing-70.md", "\nAnd a body edit.\n")
    elif change == "static":
        write(archive / "static/notice.txt", "Hello.\n")
        append(content / "briefing-70.md", "\nAnd a body edit.\n")
    elif change == "settings":
        edit(archive / "site.yml", "title: Test Briefings", "title: Test Briefings Renamed")
    elif change == "draft flag":
        edit(content / "briefing-70.md", "---\n\n", "draft: true\n---\n\n")
    elif change == "alias":  # a new redirect page
        edit(content / "briefing-70.md", "---\n\n", "aliases: [/old/briefing-seventy/]\n---\n\n")
    elif change == "search flag":  # one page less in a search shard
        edit(content / "briefing-70.md", "---\n\n", "search: false\n---\n\n")
    else:  # its sitemap date is its file's mtime, to the second: a save a minute later moves it
        about = archive / "content/pages/about.md"
        append(about, "\nWho we are.\n")
        later = about.stat().st_mtime + 60
        os.utime(about, (later, later))
    result = build(archive)
    assert not result.shortcut
    assert differences(snapshot(archive / "public"), clean_snapshot(archive, tmp_path / "clean")) == []


def test_a_stored_route_that_is_not_the_published_one_is_never_used(archive: Path, tmp_path: Path):
    """A build that failed or was killed may leave rows behind: only rows under the published fingerprint count."""
    cache = next((archive / ".sitegen").glob("cache-*.sqlite"))
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE route_prints SET fingerprint = 'from a build that never published'")
    append(archive / "content/briefings/briefing-80.md", "\nA late correction.\n")
    result = build(archive)
    assert not result.shortcut
    assert differences(snapshot(archive / "public"), clean_snapshot(archive, tmp_path / "clean")) == []
    append(archive / "content/briefings/briefing-80.md", "\nAnother one.\n")
    assert build(archive).shortcut, "the full build stored its routes again"


def test_a_store_that_lost_its_index_is_not_trusted(archive: Path, tmp_path: Path):
    cache = next((archive / ".sitegen").glob("cache-*.sqlite"))
    with sqlite3.connect(cache) as db:
        db.execute("DELETE FROM shows")
    append(archive / "content/briefings/briefing-82.md", "\nA late correction.\n")
    assert not build(archive).shortcut
    assert differences(snapshot(archive / "public"), clean_snapshot(archive, tmp_path / "clean")) == []


def test_a_first_build_fingerprints_each_route_meanwhile_as_planning_would(tmp_path: Path):
    """A first build has nothing to compare with, so it fingerprints the routes in a thread while its workers
    render them, which store each route without one; the parent then gives the stored rows theirs. The next full
    build plans every fingerprint itself: each must equal the stored one, or that build would render the whole
    site again."""
    root = tmp_path / "site"
    generate(root, count=420)
    first = build(root)
    assert first.rendered == first.pages > 400  # enough routes for the worker processes to render them
    cache = next((root / ".sitegen").glob("cache-*.sqlite"))
    with sqlite3.connect(cache) as db:
        published = dict(db.execute("SELECT url, fingerprint FROM routes"))
        stored = dict(db.execute("SELECT url, fingerprint FROM route_prints JOIN route_data USING (url)"))
    assert len(published) == first.pages and stored == published
    assert all(len(value) == 32 for value in published.values())
    write(root / "static/notice.txt", "A new static file: the next build takes the full path and plans again.\n")
    again = build(root)
    assert not again.shortcut and again.rendered == 0
    append(root / "content/briefings/briefing-90.md", "\nA late correction.\n")
    edited = build(root)
    assert edited.shortcut and 0 < edited.rendered < edited.pages // 4
    assert differences(snapshot(root / "public"), clean_snapshot(root, tmp_path / "clean")) == []


def test_a_broken_edit_is_named_at_its_line_and_publishes_nothing(archive: Path):
    public = archive / "public"
    before = snapshot(public)
    broken = archive / "content/briefings/briefing-81.md"
    edit(broken, "slug: briefing-81\n", "slug: briefing-81\ndate: [not a date\n")
    with pytest.raises(SiteError) as raised:
        build(archive)
    assert "content/briefings/briefing-81.md" in str(raised.value)
    assert differences(snapshot(public), before) == []
    edit(broken, "date: [not a date\n", "")
    append(broken, "\nFixed.\n")
    assert build(archive).rendered > 0


def test_search_re_indexes_only_the_shard_holding_the_edit(tmp_path: Path):
    root = tmp_path / "site"
    for year in (2022, 2023, 2024):
        for number in range(3):
            write(root / f"content/briefings/b{year}-{number}.md",
                  f"---\ntitle: Briefing {number} of {year}\ndate: {year}-03-0{number + 1}T09:00:00+02:00\n"
                  f"tags: [Energy]\n---\n\nOil and gas in {year}.\n")
    write(root / "site.yml", "title: Search test\nbase_url: https://example.org/\n")
    build(root, search=True)

    def bundles() -> dict[str, str]:
        shards = json.loads((root / "public/pagefind/shards.json").read_text())["shards"]
        return {shard["name"]: shard["bundle"] for shard in shards}

    before = bundles()
    append(root / "content/briefings/b2023-1.md", "\nA zeppelin appeared.\n")
    result = build(root, search=True)
    assert result.shortcut
    after = bundles()
    assert after["2023"] != before["2023"]
    assert {k: v for k, v in after.items() if k != "2023"} == {k: v for k, v in before.items() if k != "2023"}
    assert sorted(p.name for p in (root / "public/pagefind").iterdir() if p.is_dir()) == sorted(
        bundle.rstrip("/") for bundle in after.values())
    fragments = (root / "public/pagefind" / after["2023"] / "fragment").glob("*.pf_fragment")
    assert any(b"zeppelin" in gzip.decompress(path.read_bytes()) for path in fragments)


def test_a_text_edit_on_a_site_of_two_languages_renders_from_the_store_and_matches_a_clean_build(tmp_path: Path):
    """Each edition's pages, their alternates (hreflang) and the language switch come back from the store as
    rendered: an edit to a translated briefing in either language writes what a clean build writes."""
    from .test_editions import make_bilingual

    root = make_bilingual(tmp_path / "site")
    build(root, search=True)
    arabic = next((root / "content/ar").glob("*.md"))
    for step, path in enumerate((root / "content/briefings/talks.md", arabic)):
        append(path, "\nسطر أضيف بعد النشر. A line added after publication.\n")
        result = build(root, search=True)
        assert result.shortcut, f"step {step} took the full path"
        expected = clean_snapshot(root, tmp_path / f"clean-{step}", search=True)
        assert differences(without_search(snapshot(root / "public")), without_search(expected)) == [], f"step {step}"


def without_search(files: dict[str, str]) -> dict[str, str]:
    """Search bundles are named by their files' inodes, which a clean build into another folder does not share."""
    return {name: digest for name, digest in files.items() if not name.startswith("pagefind/")}
