"""Nothing outside the site is read unless the owner opts in (issue 18 items 4 and 11): static folders
that are links out of the site, and names too long for the file system."""

from __future__ import annotations

import os
from pathlib import Path

from .helpers import briefing, run_sitegen, write


def private_folder(tmp_path: Path) -> Path:
    secret = tmp_path / "private"
    write(secret / "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
    return secret


def site(tmp_path: Path, options: str = "") -> Path:
    root = tmp_path / "site"
    write(root / "site.yml", "title: Links\ntimezone: UTC\n" + options)
    write(root / "content" / "briefings" / "a.md", briefing("A"))
    return root


def test_a_static_folder_that_links_out_of_the_site_is_not_published(tmp_path):
    root = site(tmp_path)
    os.symlink(private_folder(tmp_path), root / "static")
    result = run_sitegen("build", "--no-search", "--site", root)
    assert result.returncode == 0, result.stderr
    assert not (root / "public" / "id_rsa").exists()
    assert "static: leads outside the site" in result.stderr and "follow_links" in result.stderr


def test_a_site_theme_that_links_out_of_the_site_publishes_no_static_file(tmp_path):
    root = site(tmp_path, "theme: borrowed\n")
    theme = tmp_path / "elsewhere"
    write(theme / "templates" / ".keep", "")
    os.symlink(private_folder(tmp_path), theme / "static")
    (root / "themes").mkdir()
    os.symlink(theme, root / "themes" / "borrowed")
    result = run_sitegen("build", "--no-search", "--site", root)
    assert result.returncode == 0, result.stderr
    assert not (root / "public" / "id_rsa").exists()
    assert "themes/borrowed/static: leads outside the site" in result.stderr


def test_the_owner_may_opt_in_and_is_told(tmp_path):
    root = site(tmp_path, "follow_links: true\n")
    os.symlink(private_folder(tmp_path), root / "static")
    result = run_sitegen("build", "--no-search", "--site", root)
    assert result.returncode == 0, result.stderr
    assert (root / "public" / "id_rsa").is_file()
    assert "published because site.yml says follow_links: true" in result.stderr


def test_a_long_arabic_title_imports_under_a_slug_capped_by_bytes(tmp_path):
    root = site(tmp_path)
    title = " ".join(["مفاوضات عسكرية روسية تركية حول إدلب"] * 6)
    write(root / "seeds" / "long.txt", f"{title}\n\n14 March 2020\n\nنص الخبر.\n")
    result = run_sitegen("import", "--site", root)
    assert result.returncode == 0, result.stderr
    [path] = (root / "content" / "briefings" / "2020").rglob("*.md")
    assert len(path.name.encode()) <= 103 and not path.stem.endswith("-")
    assert run_sitegen("build", "--no-search", "--site", root).returncode == 0


def test_an_overlong_slug_is_refused_naming_the_file(tmp_path):
    root = site(tmp_path)
    write(root / "content" / "briefings" / "b.md", briefing("B", slug="-".join(["word"] * 60)))
    result = run_sitegen("build", "--no-search", "--site", root)
    assert result.returncode == 1
    assert "content/briefings/b.md:" in result.stderr and "bytes long" in result.stderr
