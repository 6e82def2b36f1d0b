"""Paths and values from a command line or a file that must never reach outside their place (issue 18)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from .helpers import briefing, run_sitegen, start_sitegen, write

# --- output paths that are not a folder the build made (18.5) ---------------------------------


@pytest.mark.parametrize("name", ["notes.md", "site.yml"])
def test_an_existing_file_as_output_is_refused_and_left_alone(site, name):
    write(site / "content/briefings/a.md", briefing("A"))
    write(site / "notes.md", "my notes\n")
    before = sorted(p.name for p in site.iterdir())
    original = (site / name).read_bytes()
    result = run_sitegen("build", "--no-search", "--site", site, "--out", site / name)
    assert result.returncode == 1
    assert "existing file, not a folder" in result.stderr and "Traceback" not in result.stderr
    assert (site / name).read_bytes() == original
    assert sorted(p.name for p in site.iterdir() if p.name != ".sitegen") == [n for n in before if n != ".sitegen"]


def test_output_in_site_yml_naming_a_file_is_refused(site):
    write(site / "site.yml", (site / "site.yml").read_text() + "output: site.yml\n")
    write(site / "content/briefings/a.md", briefing("A"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1 and "existing file" in result.stderr
    assert "output: site.yml" in (site / "site.yml").read_text()
    assert not list(site.glob(".site.yml*"))


def test_a_device_as_output_is_refused(site):
    write(site / "content/briefings/a.md", briefing("A"))
    result = run_sitegen("build", "--no-search", "--site", site, "--out", os.devnull)
    assert result.returncode == 1 and "special file" in result.stderr
    assert os.path.exists(os.devnull) and not os.path.isdir(os.devnull)


def test_a_symlink_to_a_file_as_output_is_refused(site, tmp_path):
    target = write(tmp_path / "precious.txt", "keep me\n")
    (site / "public").symlink_to(target)
    write(site / "content/briefings/a.md", briefing("A"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1 and "existing file" in result.stderr
    assert target.read_text() == "keep me\n" and (site / "public").is_symlink()


# --- `sitegen new --slug` and `theme:` stay inside the site (18.12) ---------------------------


@pytest.mark.parametrize("slug", ["../../x", "/tmp/x", "a/b", "..", "a\\b"])
def test_new_refuses_a_slug_that_is_a_path(site, slug):
    result = run_sitegen("new", "Escape", "--slug", slug, "--site", site)
    assert result.returncode == 2, result.stdout
    assert "is not a slug" in result.stderr and "Traceback" not in result.stderr
    assert [p for p in site.parent.rglob("*.md")] == []


def test_new_still_accepts_a_plain_slug(site):
    result = run_sitegen("new", "Talks", "--slug", "idlib-talks", "--site", site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("idlib-talks.md")


@pytest.mark.parametrize("theme", ["../../etc", "/etc", "..", "themes/../x", "~root"])
def test_theme_that_is_a_path_is_refused_with_its_line(site, theme):
    write(site / "site.yml", (site / "site.yml").read_text() + f"theme: '{theme}'\n")
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "site.yml:4: `theme` is not valid" in result.stderr and "folder in themes/" in result.stderr


# --- dates that a datetime cannot hold in every zone (18.8) -----------------------------------


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "'0001-01-01'",
                                   "9999-12-31"])
def test_an_out_of_range_date_is_an_error_naming_file_and_line(site, value):
    write(site / "content/briefings/a.md", briefing("A", date=value, author="N"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr
    assert "content/briefings/a.md:3: `date` is not valid" in result.stderr
    assert "between the years" in result.stderr


def test_dates_near_the_edges_still_build(site):
    write(site / "content/briefings/a.md", briefing("Old", date="0100-01-01T00:00:00+01:00"))
    write(site / "content/briefings/b.md", briefing("Far", date="9000-12-31T23:59:59-12:00"))
    result = run_sitegen("build", "--no-search", "--future", "--site", site)
    assert result.returncode == 0, result.stderr


def test_the_preview_error_page_names_the_file_and_line_of_an_out_of_range_date(site):
    write(site / "content/briefings/a.md", briefing("A", date="9999-12-31T23:59:59-12:00"))
    process = start_sitegen("serve", "--site", site, "--port", "0",
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = ""
        deadline = time.monotonic() + 60
        while "Serving the preview at" not in seen and time.monotonic() < deadline and process.poll() is None:
            seen += process.stdout.readline()
        url = re.search(r"Serving the preview at (http://\S+)", seen).group(1)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=30)
        body = caught.value.read().decode()
        assert caught.value.code == 500
        assert "content/briefings/a.md" in body and "between the years" in body and "OverflowError" not in body
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
