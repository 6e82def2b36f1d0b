"""Hostile files in a site folder: each is refused quickly with its name, or built safely.

The time bounds here are hang guards, deliberately generous: a refused file
takes milliseconds, an accepted alias bomb takes minutes and gigabytes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .helpers import briefing, run_sitegen, write

HANG_GUARD = 20.0

ALIAS_BOMB = """---
title: Billion laughs
date: 2024-05-01
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
{target}: *i
---

Body.
"""


def build_timed(site: Path, *args: str) -> tuple[object, float]:
    started = time.perf_counter()
    result = run_sitegen("build", "--site", site, "--no-search", *args, timeout=HANG_GUARD * 3)
    return result, time.perf_counter() - started


def assert_refused(site: Path, name: str, words: str) -> None:
    result, seconds = build_timed(site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert name in result.stderr and words in result.stderr, result.stderr
    assert seconds < HANG_GUARD, f"took {seconds:.1f} s"
    assert not (site / "public").exists()


@pytest.mark.parametrize("target", ["title", "tags", "unknown_key"])
def test_yaml_alias_bomb_is_refused_quickly_naming_the_file(site, target):
    write(site / "content" / "bomb.md", ALIAS_BOMB.format(target=target))
    assert_refused(site, "content/bomb.md", "aliases")


def test_an_innocent_alias_is_refused_with_a_hint(site):
    write(site / "content" / "alias.md", "---\ntitle: &t Same\ndate: 2024-05-01\nsubtitle: *t\n---\nBody.\n")
    result, _ = build_timed(site)
    assert result.returncode == 1
    assert "content/alias.md:2:" in result.stderr and "write the value out in full" in result.stderr


@pytest.mark.parametrize("nesting", [
    "[" * 50_000 + "]" * 50_000,
    "{a: " * 20_000 + "1" + "}" * 20_000,
    "\n".join("  " * depth + f"k{depth}:" for depth in range(1, 1500)) + " 1",
], ids=["flow-lists", "flow-maps", "block-maps"])
def test_deeply_nested_front_matter_is_refused_quickly_naming_the_file(site, nesting):
    write(site / "content" / "deep.md", f"---\ntitle: Deep\ndate: 2024-05-01\nk:\n  {nesting}\n---\nBody.\n")
    assert_refused(site, "content/deep.md", "nest")


def test_a_file_over_the_size_limit_is_refused_naming_the_file(site):
    (site / "site.yml").write_text((site / "site.yml").read_text() + "max_file_size: 10 KB\n")
    write(site / "content" / "big.md", briefing("Big", body="word " * 4000))
    write(site / "content" / "small.md", briefing("Small"))
    assert_refused(site, "content/big.md", "limit")


def test_symlinks_out_of_the_site_are_not_followed(site, tmp_path):
    outside = tmp_path / "outside"
    write(outside / "secret.md", briefing("Secret", body="TOP-SECRET-TEXT"))
    write(site / "content" / "ok.md", briefing("Ok"))
    (site / "content" / "secret.md").symlink_to(outside / "secret.md")
    (site / "content" / "linked-folder").symlink_to(outside, target_is_directory=True)
    write(site / "shared" / "inside.md", briefing("Inside", body="Linked from inside the site."))
    (site / "content" / "inside.md").symlink_to(site / "shared" / "inside.md")

    result, _ = build_timed(site)
    assert result.returncode == 0, result.stderr
    assert "secret.md" in result.stderr and "outside the site" in result.stderr
    published = "".join(p.read_text(errors="replace") for p in (site / "public").rglob("*") if p.is_file())
    assert "TOP-SECRET-TEXT" not in published
    assert "Linked from inside the site." in published


def test_symlinks_in_static_out_of_the_site_are_not_published(site, tmp_path):
    write(tmp_path / "outside" / "passwd", "TOP-SECRET-TEXT\n")
    write(site / "content" / "ok.md", briefing("Ok"))
    (site / "static").mkdir()
    (site / "static" / "passwd.txt").symlink_to(tmp_path / "outside" / "passwd")
    result, _ = build_timed(site)
    assert result.returncode == 0, result.stderr
    assert not (site / "public" / "passwd.txt").exists()
    assert "static/passwd.txt: symbolic link leads out of static/" in result.stderr  # named, not silent
    assert "TOP-SECRET-TEXT" not in result.stderr


ODD_NAMES = ["with space.md", "café über.md", "it's \"quoted\".md", "hash#tag.md", "what?.md", "100%.md",
             "привет мир.md", "日本語.md", "semi;colon&amp.md", "-leading-dash.md"]


def test_odd_file_names_and_titles_build_to_working_urls(site):
    for index, name in enumerate(ODD_NAMES):
        title = Path(name).stem
        write(site / "content" / name, briefing(f'"{title.replace(chr(34), "")} {index}"', body=f"Body {index}.",
                                                tags=f"[{title.replace(chr(34), '')!r}]"))
    result, _ = build_timed(site)
    assert result.returncode == 0, result.stderr
    pages = [p for p in (site / "public" / "briefings").rglob("index.html")]
    assert len(pages) == len(ODD_NAMES)
    checked = run_sitegen("check", "--site", site)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_title_with_no_usable_letters_gets_a_clear_message(site):
    write(site / "content" / "#?%.md", briefing('"#?% !!"'))
    result, _ = build_timed(site)
    assert result.returncode == 1
    assert "content/#?%.md" in result.stderr and "slug" in result.stderr


def test_a_file_name_that_is_not_utf8_is_reported_readably(site):
    bad = site / "content" / Path(bytes([0x62, 0x61, 0x64, 0xFF, 0x2E, 0x6D, 0x64]).decode("utf-8", "surrogateescape"))
    bad.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    result, _ = build_timed(site)
    assert result.returncode == 1
    assert "content/bad" in result.stderr and "Traceback" not in result.stderr
