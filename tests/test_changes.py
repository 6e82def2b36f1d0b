"""ChangeSet: a batch of saved paths classified once, so no one guesses what an empty set means."""

from __future__ import annotations

from pathlib import Path

from sitegen.changes import ChangeSet

from .helpers import write


def test_a_saved_briefing_is_an_edit(tmp_path: Path):
    edited = write(tmp_path / "content/briefings/a.md", "x")
    changes = ChangeSet.classify(tmp_path, [edited])
    assert changes.content == {edited} and changes.edits_only
    assert not changes.rescan and not changes.fresh_start and not changes.stylesheets_only
    assert changes.describe() == "content/briefings/a.md"


def test_settings_folders_seeds_and_stylesheets_are_told_apart(tmp_path: Path):
    config = write(tmp_path / "site.yml", "title: x")
    assert ChangeSet.classify(tmp_path, [config]).fresh_start
    folder = tmp_path / "content/briefings/2024"
    folder.mkdir(parents=True)
    assert ChangeSet.classify(tmp_path, [folder]).rescan
    gone = tmp_path / "content/old-folder"  # a folder renamed away: it no longer exists and is no .md
    assert ChangeSet.classify(tmp_path, [gone]).content_folders
    removed = tmp_path / "content/briefings/gone.md"
    removed_only = ChangeSet.classify(tmp_path, [removed])
    assert removed_only.content == {removed} and not removed_only.edits_only and not removed_only.rescan
    seed = write(tmp_path / "seeds/raw.txt", "x")
    assert ChangeSet.classify(tmp_path, [seed]).seeds == {seed}
    css = write(tmp_path / "static/style.css", "body{}")
    assert ChangeSet.classify(tmp_path, [css]).stylesheets_only
    both = ChangeSet.classify(tmp_path, [css, write(tmp_path / "templates/base.html", "x")])
    assert not both.stylesheets_only and not both.edits_only and both.describe().endswith("and 1 more")


def test_nothing_is_never_everything(tmp_path: Path):
    empty = ChangeSet.classify(tmp_path, [])
    assert not empty.everything and not empty.rescan and not empty.edits_only and not empty.stylesheets_only
    full = ChangeSet.full(tmp_path)
    assert full.everything and full.rescan and full.describe() == ""
    edited = write(tmp_path / "content/a.md", "x")
    merged = ChangeSet.classify(tmp_path, [edited]) | full
    assert merged.everything and merged.content == {edited} and not merged.edits_only


def test_imported_files_join_the_batch(tmp_path: Path):
    seed = write(tmp_path / "seeds/raw.txt", "x")
    written = write(tmp_path / "content/briefings/2024/05/raw.md", "x")
    changes = ChangeSet.classify(tmp_path, [seed]).with_imported([written])
    assert changes.content == {written} and changes.imported == {written} and not changes.edits_only
