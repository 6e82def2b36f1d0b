"""Stories stay right across warm builds and preview rebuilds: a briefing joins, a story splits, and exactly
the pages that show the change are rewritten, while the result is what a clean build makes."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from sitegen.build import Builder, BuildOptions, build_site
from sitegen.changes import ChangeSet
from sitegen.config import load_config

from .helpers import briefing, write
from .story_archive import generate


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file's content hash and mtime: a rewritten file changes the first, a kept one keeps the second."""
    return {p.relative_to(folder).as_posix(): (hashlib.blake2b(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".sitegen")}


def changed(before: dict[str, tuple[str, int]], after: dict[str, tuple[str, int]]) -> set[str]:
    return {rel for rel in before.keys() | after.keys() if before.get(rel, ("",))[0] != after.get(rel, ("",))[0]}


def clean_build(root: Path, tmp: Path) -> dict[str, str]:
    out = tmp / "clean"
    build_site(load_config(root), BuildOptions(output=out, search=False, clean=True))
    return {rel: digest for rel, (digest, _) in snapshot(out).items()}


def story_of(html: str) -> str | None:
    found = re.search(r'<p class="story-box-name"><a href="([^"]+)">', html)
    return found.group(1) if found else None


def read(folder: Path, url: str) -> str:
    return (folder / url.strip("/") / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, list]:
    root = tmp_path / "site"
    write(root / "site.yml", "title: Stories test\nbase_url: https://example.org/\ntimezone: Africa/Cairo\n")
    return root, generate(root / "content")


def test_a_new_briefing_joins_its_story_and_only_the_story_s_pages_change(archive, tmp_path):
    root, made = archive
    config = load_config(root)
    build_site(config, BuildOptions(search=False))
    public = root / "public"
    before = snapshot(public)
    beirut = [g for g in made if g.story == "beirut-2020"]
    idlib = [g for g in made if g.story == "idlib-2020"]
    write(root / "content/briefings/2020/08/beirut-inquiry.md",
          "---\ntitle: Beirut port blast inquiry summons customs chiefs\ndate: 2020-08-30T10:00:00+03:00\n"
          "tags: [Lebanon, Beirut, Beirut port]\n---\n\nThe judge investigating the Beirut port explosion summoned "
          "the customs chiefs who knew of the ammonium nitrate stored at the port.\n")
    build_site(config, BuildOptions(search=False))
    after = snapshot(public)
    rewritten = changed(before, after)

    new_page = read(public, "/briefings/2020/08/beirut-port-blast-inquiry-summons-customs-chiefs/")
    story = story_of(new_page)
    assert story and f"<strong>{len(beirut) + 1} of {len(beirut) + 1}</strong>" in new_page
    member_pages = {f"{p.relative_to(public).as_posix()}" for p in public.glob("briefings/2020/08/*/index.html")
                    if story_of(p.read_text()) == story}
    assert len(member_pages) == len(beirut) + 1
    assert member_pages <= rewritten, "every briefing of the story now says 'of 9'"
    assert {story.strip("/") + "/index.html", story.strip("/") + "/feed.xml", "stories/index.html"} <= rewritten
    march = {p.relative_to(public).as_posix() for p in public.glob("briefings/2020/03/*/index.html")}
    idlib_pages = {rel for rel in march if story_of((public / rel).read_text()) not in (None, story)}
    assert len(idlib_pages) >= len(idlib) and not idlib_pages & rewritten, "another story's pages stay as they were"
    others = [rel for rel in after if rel.startswith("stories/") and not rel.startswith(story.strip("/") + "/")
              and rel != "stories/index.html"]
    assert others and not set(others) & rewritten
    assert {rel: digest for rel, (digest, _) in after.items()} == clean_build(root, tmp_path)


def locust_briefing(day: str, number: int) -> str:
    return briefing(f"Locust swarms reach Kassala farms, report {number}", date=day, tags="[Sudan, Locusts, Kassala]",
                    body=f"Desert locust swarms reached farms in Kassala, eastern Sudan, report {number} says.")


def split_site(root: Path) -> list[Path]:
    write(root / "site.yml", "title: Split test\nbase_url: https://example.org/\ntimezone: Africa/Cairo\n")
    days = ["2022-01-01", "2022-01-03", "2022-01-05", "2022-01-13", "2022-01-22", "2022-01-24", "2022-01-26"]
    paths = [write(root / f"content/locusts/{n}.md", locust_briefing(day, n)) for n, day in enumerate(days)]
    for n in range(16):
        write(root / f"content/other/{n}.md", briefing(f"Parliament debates budget line {n}",
                                                       date=f"2021-{n % 12 + 1:02d}-{n + 1:02d}", tags="[Economy]",
                                                       body=f"Members argued over spending line {n}."))
    return paths


def locust_url(number: int) -> str:
    return f"/briefings/2022/01/locust-swarms-reach-kassala-farms-report-{number}/"


def test_the_preview_splits_a_story_when_its_middle_briefing_goes(tmp_path):
    root = tmp_path / "site"
    paths = split_site(root)
    out = tmp_path / "preview"
    builder = Builder(load_config(root), BuildOptions(output=out, search=False), in_place=True)
    try:
        builder.build()
        whole = {story_of(read(out, locust_url(n))) for n in range(7)}
        assert len(whole) == 1 and None not in whole
        before = snapshot(out)
        paths[3].unlink()
        builder.build(ChangeSet.classify(root.resolve(), [paths[3].resolve()]))
    finally:
        builder.close()
    after = snapshot(out)
    early = {story_of(read(out, locust_url(n))) for n in (0, 1, 2)}
    late = {story_of(read(out, locust_url(n))) for n in (4, 5, 6)}
    assert len(early) == len(late) == 1 and early != late and None not in early | late
    assert "<strong>1 of 3</strong>" in read(out, locust_url(4))
    rewritten = changed(before, after)
    assert {locust_url(n).strip("/") + "/index.html" for n in (0, 1, 2, 4, 5, 6)} <= rewritten
    budget = {p.relative_to(out).as_posix() for p in out.glob("briefings/2021/*/*/index.html")}
    assert budget and not budget & rewritten, "briefings far from the story keep their pages"
    assert {rel: digest for rel, (digest, _) in after.items()} == clean_build(root, tmp_path)


def test_the_preview_follows_story_false_and_a_body_edit_renders_only_its_pages(tmp_path):
    root = tmp_path / "site"
    paths = split_site(root)
    paths[3].write_text(locust_briefing("2022-01-10", 3))  # no gap left: one story of seven
    out = tmp_path / "preview"
    builder = Builder(load_config(root), BuildOptions(output=out, search=False), in_place=True)
    try:
        builder.build()
        assert "<strong>7 of 7</strong>" in read(out, locust_url(6))
        paths[6].write_text(paths[6].read_text().replace("---\n\n", "story: false\n---\n\n", 1))
        builder.build(ChangeSet.classify(root.resolve(), [paths[6].resolve()]))
        assert story_of(read(out, locust_url(6))) is None
        assert "<strong>6 of 6</strong>" in read(out, locust_url(5))
        assert "<strong>1 of 6</strong>" in read(out, locust_url(0))
        paths[0].write_text(paths[0].read_text() + "\nA second paragraph the summary does not show.\n")
        result = builder.build(ChangeSet.classify(root.resolve(), [paths[0].resolve()]))
    finally:
        builder.close()
    assert 0 < result.rendered < result.pages // 2, "a body edit re-renders the pages that show the briefing, no more"
    assert "A second paragraph" in read(out, locust_url(0))
    assert {rel: digest for rel, (digest, _) in snapshot(out).items()} == clean_build(root, tmp_path)


def test_copying_the_archive_elsewhere_gives_the_same_stories(archive, tmp_path):
    root, _ = archive
    build_site(load_config(root), BuildOptions(search=False))
    copy = tmp_path / "copy"
    shutil.copytree(root / "content", copy / "content")
    shutil.copy(root / "site.yml", copy / "site.yml")
    build_site(load_config(copy), BuildOptions(search=False))
    assert sorted(p.name for p in (root / "public/stories").iterdir()) \
        == sorted(p.name for p in (copy / "public/stories").iterdir())
