"""End-to-end builds through the real command, on real folders."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .helpers import REPO, briefing, run_sitegen, run_sitegen_on_terminal, write


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_writes_home_and_briefing_pages(site):
    write(site / "content/briefings/a.md", briefing("Talks on Idlib", body="The *talks* went well.", author="Nawal"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    assert "Built 1 briefings" in result.stdout
    page = (site / "public/briefings/2024/05/talks-on-idlib/index.html").read_text()
    assert "<em>talks</em>" in page and "Nawal" in page
    home = (site / "public/index.html").read_text()
    assert 'href="/briefings/2024/05/talks-on-idlib/"' in home
    assert (site / "public/style.css").is_file()


def test_titles_and_fields_are_escaped_in_pages(site):
    write(site / "content/briefings/a.md", briefing('"<script>alert(1)</script>"', author='"<b>x</b>"'))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    for path in (site / "public").rglob("*.html"):
        assert "<script>alert(1)" not in path.read_text()
        assert "<b>x</b>" not in path.read_text()


def test_home_is_paginated(site):
    write(site / "site.yml", "paginate: 2\n")
    for day in range(1, 6):
        write(site / f"content/briefings/b{day}.md", briefing(f"Day {day}", date=f"2024-05-0{day}"))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    public = site / "public"
    assert (public / "page/2/index.html").is_file() and (public / "page/3/index.html").is_file()
    assert not (public / "page/4").exists()
    home = (public / "index.html").read_text()
    assert home.index("Day 5") < home.index("Day 4") and "Day 3" not in home
    assert 'href="/page/2/"' in home


def test_base_url_sub_path_prefixes_every_link(site):
    write(site / "site.yml", "base_url: https://example.org/briefings/\n")
    write(site / "content/briefings/a.md", briefing("A"))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    html = (site / "public/index.html").read_text()
    links = re.findall(r'(?:href|src)="([^"]+)"', html)
    internal = [link for link in links if not link.startswith(("http", "#"))]
    assert internal and all(link.startswith("/briefings/") for link in internal)
    assert '<link rel="canonical" href="https://example.org/briefings/">' in html


def test_drafts_and_future_briefings_need_flags(site):
    write(site / "content/briefings/d.md", briefing("Draft one", draft="true"))
    write(site / "content/briefings/f.md", briefing("Future one", date="2999-01-01"))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    assert not (site / "public/briefings/2024/05/draft-one").exists()
    assert not (site / "public/briefings/2999").exists()
    assert run_sitegen("build", "--no-search", "--drafts", "--future", "--site", site).returncode == 0
    assert (site / "public/briefings/2024/05/draft-one/index.html").is_file()
    assert (site / "public/briefings/2999/01/future-one/index.html").is_file()


def test_broken_front_matter_in_two_files_reports_both_and_keeps_the_last_good_site(site):
    write(site / "content/briefings/good.md", briefing("Good"))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    before = tree(site / "public")
    write(site / "content/briefings/bad1.md", "---\ntitle: [oops\n---\n")
    write(site / "content/briefings/bad2.md", "---\ntitle: Fine\ndate: someday\n---\n")
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "content/briefings/bad1.md:2" in result.stderr or "content/briefings/bad1.md:3" in result.stderr
    assert "content/briefings/bad2.md:3" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(site / "public") == before
    assert not list(site.glob(".public.staging-*"))


def test_two_briefings_with_one_url_name_both_files(site):
    write(site / "content/briefings/a.md", briefing("Same title"))
    write(site / "content/briefings/b.md", briefing("Same title"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "content/briefings/a.md" in result.stderr and "content/briefings/b.md" in result.stderr


def test_template_error_names_the_template_and_line(site):
    write(site / "content/briefings/a.md", briefing("A"))
    template = "{% extends 'base.html' %}\n{% block main %}\n{{ page.title | nope }}\n{% endblock %}\n"
    write(site / "templates/briefing.html", template)
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "templates/briefing.html:3" in result.stderr and "nope" in result.stderr


def test_a_site_template_overrides_one_theme_file(site):
    write(site / "content/briefings/a.md", briefing("A"))
    write(site / "templates/404.html", "{% extends 'base.html' %}{% block main %}Custom lost page{% endblock %}")
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    assert "Custom lost page" in (site / "public/404.html").read_text()
    assert "Latest briefings" in (site / "public/index.html").read_text()


def test_unchanged_output_files_keep_their_mtime(site):
    write(site / "content/briefings/a.md", briefing("A"))
    write(site / "content/briefings/b.md", briefing("B", date="2024-06-01"))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    old_page = site / "public/briefings/2024/05/a/index.html"
    os.utime(old_page, (1_000_000, 1_000_000))
    write(site / "content/briefings/b.md", briefing("B", date="2024-06-01", body="Changed."))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    assert old_page.stat().st_mtime == 1_000_000
    assert "Changed." in (site / "public/briefings/2024/06/b/index.html").read_text()


def test_a_folder_not_made_by_sitegen_is_never_replaced(site):
    write(site / "content/briefings/a.md", briefing("A"))
    write(site / "mine/notes.txt", "precious")
    result = run_sitegen("build", "--no-search", "--out", site / "mine", "--site", site)
    assert result.returncode == 1 and "not made by sitegen" in result.stderr
    assert (site / "mine/notes.txt").read_text() == "precious"
    result = run_sitegen("build", "--no-search", "--out", site / "content/out", "--site", site)
    assert result.returncode == 1 and "inside content/" in result.stderr


def test_new_creates_a_briefing_and_never_overwrites(site):
    result = run_sitegen("new", "Border talks: day 2", "--author", "Nawal Sayed", "--tags", "Syria, Turkey",
                         "--site", site)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    path = path if path.is_absolute() else Path.cwd() / path
    text = path.read_text()
    assert "title: 'Border talks: day 2'" in text and "- Syria" in text and "author: Nawal Sayed" in text
    assert re.search(r"date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+02:00", text)
    path.write_text(text + "\nMy words.\n")
    again = run_sitegen("new", "Border talks: day 2", "--site", site)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert path.read_text().endswith("My words.\n")
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0


def test_a_long_build_shows_progress_on_a_terminal_only(site):
    for number in range(450):
        write(site / f"content/briefings/b{number}.md", briefing(f"Briefing {number}", date="2024-05-01"
                                                                 f"T{number // 60:02d}:{number % 60:02d}:00"))
    returncode, shown = run_sitegen_on_terminal("build", "--no-search", "--site", site)
    assert returncode == 0
    assert b"Reading [" in shown and b"450/450" in shown and b"Rendering [" in shown
    piped = run_sitegen("build", "--no-search", "--clean", "--site", site)
    assert "Rendering [" not in piped.stderr and "Reading [" not in piped.stderr


def test_usage_errors_exit_2_and_every_command_has_help():
    assert run_sitegen("build", "--no-such-flag").returncode == 2
    assert run_sitegen().returncode == 2
    for command in ("build", "init", "new"):
        result = run_sitegen(command, "--help")
        assert result.returncode == 0
        assert command == "init" or "--site" in result.stdout
    assert run_sitegen("--version").stdout.startswith("sitegen ")


@pytest.mark.slow
def test_init_new_build_work_from_an_installed_wheel(tmp_path):
    """The default theme and the starter site must ship inside the wheel, not only in this repository."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO], check=True,
                   capture_output=True, timeout=300)
    [wheel] = dist.glob("sitegen-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin/python"
    subprocess.run([python, "-m", "pip", "install", "-q", wheel], check=True, capture_output=True, timeout=600)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    sitegen = [str(env_dir / "bin/sitegen")]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(sitegen + list(args), cwd=outside, capture_output=True, text=True, timeout=120)

    site = tmp_path / "x"
    assert run("init", str(site)).returncode == 0
    assert run("new", "Hello", "--site", str(site)).returncode == 0
    result = run("build", "--no-search", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "Hello" in (site / "public/index.html").read_text()
    assert (site / "public/style.css").is_file()
    assert (site / "public/about/index.html").is_file()


def test_output_cached_by_another_sitegen_is_never_reused(site, tmp_path):
    """The version number stays the same while the code changes (a checkout, an editable install): the
    cache is keyed by the sitegen that made it, so a changed renderer re-renders every page."""
    write(site / "content/briefings/a.md", briefing("Alpha", body="Some words."))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    other = tmp_path / "other-sitegen"
    shutil.copytree(REPO / "sitegen", other / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "themes", other / "themes")
    markdown = other / "sitegen/markdown.py"
    code = markdown.read_text()
    assert "html=body.html," in code
    markdown.write_text(code.replace("html=body.html,", "html=body.html + '<!-- upgraded -->',"))
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", "--no-search", "--site", str(site)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path,  # not this checkout
                            env={**os.environ, "PYTHONPATH": str(other)})
    assert result.returncode == 0, result.stderr
    assert "<!-- upgraded -->" in (site / "public/briefings/2024/05/alpha/index.html").read_text()
