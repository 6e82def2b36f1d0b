"""A build that publishes only its changed files, killed while it replaces them, leaves every file whole.

After the first build, ``sitegen build`` renders changed pages into a staging
folder and then renames each over its old file in the live output. These tests
kill the real build (SIGKILL, in a subprocess) exactly at the N-th replacement
or removal in ``public/``: a small wrapper counts the build's own ``os.replace``
and ``os.unlink`` calls on the output and kills the process at the chosen one,
so the moment is exact, not a race. After each kill, every file must be byte
for byte its old or its new version, exactly N of them new; the next build,
whether the content stayed or went back to what was published before, must
equal a clean build of that content.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from .archive import generate
from .helpers import write
from .test_reproducible import build, clean_build, snapshot

KILLER = """
import os, signal, sys
from sitegen.cli import main
limit, live = int(sys.argv[1]), os.path.realpath(sys.argv[2]) + os.sep
done = 0
def counted(step, target_of):
    def step_and_count(*args, **kwargs):
        global done
        if os.path.realpath(os.fspath(target_of(args))).startswith(live):
            if done == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            done += 1
        return step(*args, **kwargs)
    return step_and_count
os.replace = counted(os.replace, lambda args: args[1])
os.unlink = counted(os.unlink, lambda args: args[0])
sys.exit(main(sys.argv[3:]))
"""


OWN = {"A": ["content/pages/about.md", "content/briefings/briefing-7.md"],
       "B": ["content/pages/about.md", "content/briefings/added.md", "static/edition.txt"]}
"""The files only one content has; the other's wait in ``stash/<state>/``, moved by renaming (mtimes kept)."""


def prepare_states(root: Path) -> None:
    """Content A is the generated archive; B renames the about page (every page's menu shows it), adds a
    briefing and a static file, and removes a briefing. (A change to site.yml would not do: new settings
    make a clean build.)"""
    write(root / "stash/B/content/pages/about.md", "---\ntitle: About us\n---\n\nA generated archive.\n")
    write(root / "stash/B/content/briefings/added.md",
          "---\ntitle: Added in edition B\ndate: 2023-11-04T09:00:00+02:00\ntags: [Syria]\n---\n\nNew.\n")
    write(root / "stash/B/static/edition.txt", "edition B\n")


def set_state(root: Path, old: str, new: str) -> None:
    for rel in OWN[old]:
        (root / "stash" / old / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).rename(root / "stash" / old / rel)
    for rel in OWN[new]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "stash" / new / rel).rename(root / rel)


def killed_build(root: Path, public: Path, limit: int) -> None:
    """``sitegen build``, killed just before its ``limit``-th replacement or removal in ``public``."""
    done = subprocess.run([sys.executable, "-c", KILLER, str(limit), public, "build", "--site", root, "--no-search"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, f"the build was not killed at step {limit}: {done.stderr}"


def test_a_build_killed_while_publishing_leaves_each_file_old_or_new_and_the_next_build_is_right(tmp_path):
    root = tmp_path / "site"
    generate(root, count=60)
    prepare_states(root)
    public = root / "public"
    references = {"A": clean_build(root, tmp_path / "clean-A")}
    set_state(root, "A", "B")
    references["B"] = clean_build(root, tmp_path / "clean-B")
    set_state(root, "B", "A")
    build(root)
    assert snapshot(public) == references["A"]

    current = "A"
    for limit, then in ((0, "stay"), (1, "go back"), (17, "stay"), ("first removal", "go back"), (-1, "stay")):
        other = "B" if current == "A" else "A"
        old, new = references[current], references[other]
        replaced = sorted(rel for rel in new if old.get(rel) != new[rel])
        removals = len(old.keys() - new.keys())
        step = {"first removal": len(replaced), -1: len(replaced) + removals - 1}.get(limit, limit)
        assert isinstance(step, int) and step < len(replaced) + removals
        set_state(root, current, other)
        killed_build(root, public, step)
        after = snapshot(public)
        assert after.keys() <= old.keys() | new.keys(), f"files neither build has: {after.keys() - old.keys() - new.keys()}"
        half = sorted(rel for rel, digest in after.items() if digest not in (old.get(rel), new.get(rel)))
        assert half == [], f"kill at step {step}: these files are neither old nor new: {half}"
        assert sum(after[rel] == new[rel] != old.get(rel) for rel in after if rel in new) == min(step, len(replaced))
        assert len(old.keys() - after.keys()) == max(0, step - len(replaced)), "removals happen after every rename"
        if then == "go back":
            set_state(root, other, current)
        else:
            current = other
        build(root)
        assert snapshot(public) == references[current], f"the build after a kill at step {step} ({then}) is wrong"
        assert not list(root.glob(".public.staging-*")), "a staging folder was left behind"


def test_a_file_that_goes_may_stand_where_a_folder_comes_and_the_other_way_round(tmp_path):
    root = tmp_path / "site"
    generate(root, count=5)
    public = root / "public"
    static, page = root / "static" / "notes", root / "content" / "pages" / "notes.md"
    write(static, "a static file called notes\n")
    build(root)
    assert (public / "notes").is_file()
    for step in ("page where the file was", "file where the page was"):
        if step.startswith("page"):
            static.unlink()
            write(page, "---\ntitle: Notes\n---\n\nA page at /notes/.\n")
        else:
            page.unlink()
            write(static, "a static file called notes\n")
        build(root)
        assert snapshot(public) == clean_build(root, tmp_path / f"clean-{len(step)}"), step
