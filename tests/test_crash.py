"""Crash safety: a build or an import killed at any moment costs nothing already published or written.

A site of 1,500 briefings is built, then rebuilt many times with ``sitegen
build`` killed (SIGKILL, the whole process group, as a power cut would) after
a seeded random delay: half of them anywhere in the build, half around its
end, where the new site is published. After every kill, each file in
``public/`` must be byte for byte its previous or its new version (a clean
build swaps the whole site in at once; later ones replace the changed files
one by one: ``tests/test_publish_crash.py`` kills those at exact steps);
the next build must succeed and produce exactly what a clean build of the same
content produces, whatever state the kill left the cache in. Every state's
"exactly" comes from a clean build (``--clean``) into a separate folder, so the
test relies on builds being reproducible, and checks that too.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.content import load_file

from .helpers import run_sitegen, write

BRIEFINGS = 1500
SEARCH_INDEX = "pagefind/"
KILLS = int(os.environ.get("SITEGEN_CRASH_KILLS", "16"))
SEED = 8
TAGS = ["Syria", "Turkey", "Iran", "Iraq", "Egypt", "Libya", "Yemen", "Gulf", "Energy", "Economy"]
AUTHORS = ["Nawal Sayed", "Omar Haddad", "Lina Aziz", "Karim Nasser"]

pytestmark = pytest.mark.slow


def generate(root: Path, count: int) -> None:
    """A site of ``count`` short briefings over several years, with topics and authors."""
    rng = random.Random(SEED)
    for number in range(count):
        day, month, year = 1 + number % 28, 1 + (number // 28) % 12, 2019 + number // (28 * 12)
        tags = ", ".join(rng.sample(TAGS, 2))
        write(root / "content" / "briefings" / f"b{number:04d}.md",
              f"---\ntitle: Briefing number {number}\ndate: {year}-{month:02d}-{day:02d}T09:00:00+00:00\n"
              f"author: {rng.choice(AUTHORS)}\ntags: [{tags}]\n---\n\nShort body {number} about {tags}.\n")


def set_state(root: Path, state: int) -> None:
    """Content for build number ``state``: a marker briefing, one briefing of its own, and every
    third state a new site description, which changes every page."""
    write(root / "site.yml", f"title: Crash test\ndescription: Edition {state // 3}\n"
                             "base_url: https://example.org/\ntimezone: UTC\n")
    write(root / "content" / "marker.md", f"---\ntitle: Marker\ndate: 2030-01-01T00:00:00+00:00\n---\n\n"
                                          f"Marker {state}\n")
    for old in (root / "content").glob("extra-*.md"):
        old.unlink()
    write(root / "content" / f"extra-{state}.md",
          f"---\ntitle: Extra {state}\ndate: 2029-01-01T00:00:00+00:00\ntags: [Extra {state}]\n---\n\nExtra.\n")


def snapshot(folder: Path, search: bool = True) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes; with ``search=False``, the search index left out."""
    files: dict[str, str] = {}
    for path in folder.rglob("*") if folder.is_dir() else []:
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and (search or not rel.startswith(SEARCH_INDEX)):
            files[rel] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return files


def assert_complete_search_index(folder: Path) -> None:
    """Pagefind's output is not byte-reproducible, so it is checked for completeness instead: the shard
    manifest parses, and in every bundle it names the entry file parses and every language's metadata file
    it names is there."""
    shards = json.loads((folder / SEARCH_INDEX / "shards.json").read_text())["shards"]
    assert shards
    for shard in shards:
        bundle = folder / SEARCH_INDEX / shard["bundle"]
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        for language in entry["languages"].values():
            assert (bundle / f"pagefind.{language['hash']}.pf_meta").is_file()


def assert_site_is(folder: Path, expected: dict[str, str], message: str) -> None:
    actual = snapshot(folder, search=False)
    assert actual == expected, message + difference(actual, expected)
    assert_complete_search_index(folder)


def difference(actual: dict[str, str], expected: dict[str, str]) -> str:
    missing, extra = sorted(expected.keys() - actual.keys()), sorted(actual.keys() - expected.keys())
    changed = sorted(k for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    return f"missing {missing[:5]} ({len(missing)}), extra {extra[:5]} ({len(extra)}), changed {changed[:5]} ({len(changed)})"


def start(*args: str | Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitegen", *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def run_and_kill(args: tuple[str | Path, ...], delay: float) -> bool:
    """Start the command, SIGKILL its whole process group after ``delay`` s; True if it was killed."""
    process = start(*args)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


def timed_build(root: Path, *args: str | Path) -> float:
    started = time.perf_counter()
    result = run_sitegen("build", "--site", root, *args, timeout=600)
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - started


class References:
    """The exact output of a clean build of each content state, built once per state.

    Built without the search index (it is not byte-reproducible, so it is compared
    for completeness instead), which also makes them cheap.
    """

    def __init__(self, root: Path, folder: Path) -> None:
        self.root, self.folder, self.known = root, folder, {}

    def __call__(self, state: int) -> dict[str, str]:
        if state not in self.known:
            timed_build(self.root, "--clean", "--no-search", "--out", self.folder)
            self.known[state] = snapshot(self.folder, search=False)
        return self.known[state]


def test_killed_builds_leave_the_old_or_the_new_site_and_the_next_build_is_right(tmp_path):
    root = tmp_path / "site"
    generate(root, BRIEFINGS)
    public = root / "public"
    references = References(root, tmp_path / "reference")
    set_state(root, 0)
    durations = {"full": timed_build(root), "incremental": 0.0}
    assert_site_is(public, references(0), "two clean builds of the same content differ (beyond pagefind/); "
                                          "builds must be reproducible: ")
    set_state(root, 1)
    durations["incremental"] = timed_build(root)

    rng = random.Random(SEED)
    outcomes = {"old site": 0, "new site": 0, "each file old or new": 0}
    state = 1
    for state_number in range(2, KILLS + 2):
        before = snapshot(public)
        set_state(root, state_number)
        kind = "full" if state_number // 3 != state // 3 else "incremental"
        duration = durations[kind]
        delay = duration * (rng.uniform(0.0, 1.0) if state_number % 2 else rng.uniform(0.8, 1.15))
        killed = run_and_kill(("build", "--site", root), delay)
        after = snapshot(public)
        redo = killed and after == before
        pages_after, expected = snapshot(public, search=False), references(state_number)
        if redo:
            outcomes["old site"] += 1
        elif killed and pages_after != expected:  # killed while replacing the changed files one by one
            old = {rel: digest for rel, digest in before.items() if not rel.startswith(SEARCH_INDEX)}
            half = sorted(rel for rel, digest in pages_after.items() if digest not in (old.get(rel), expected.get(rel)))
            assert half == [], f"kill after {delay:.2f} s left files that are neither old nor new: {half[:5]}"
            assert_complete_search_index(public)
            outcomes["each file old or new"] += 1
            redo = True
        else:
            assert_site_is(public, expected, f"kill after {delay:.2f} s left a site that is neither the old nor the new one: ")
            outcomes["new site"] += 1
        if rng.random() < 0.3:  # sometimes go back, so a cache that ran ahead of public/ would show
            set_state(root, state)
            redo = False
        else:
            state = state_number
        seconds = timed_build(root)
        if redo:  # the same work as the killed build: the best estimate of how long the next one takes
            durations[kind] = seconds
        assert_site_is(public, references(state), "the build after a kill is wrong: ")
        assert not list(root.glob(".public.*-*")), "leftover staging folders"
    print(f"\n{KILLS} kills: {outcomes}; full build {durations['full']:.1f} s, "
          f"incremental {durations['incremental']:.1f} s")
    assert outcomes["old site"] >= 1


def test_a_damaged_cache_is_rebuilt_not_trusted(site):
    generate(site, 30)
    set_state(site, 0)
    timed_build(site, "--no-search")
    good = snapshot(site / "public")
    caches = [p for p in (site / ".sitegen").rglob("*") if p.is_file()]
    assert caches, "no build cache found under .sitegen/"
    for damage in (lambda data: data[: len(data) // 2], lambda data: b"garbage"):
        for path in caches:
            if path.exists():
                path.write_bytes(damage(path.read_bytes()))
        set_state(site, 1)
        timed_build(site, "--no-search")
        set_state(site, 0)
        timed_build(site, "--no-search")
        assert snapshot(site / "public") == good


def plain_article(number: int) -> str:
    paragraphs = "\n\n".join(f"Paragraph {p} of article {number}. " + "Words of the story. " * 40 for p in range(6))
    return f"Article number {number} on the talks\n\n{paragraphs}\n"


def test_a_killed_import_leaves_only_complete_files(site):
    count = 300
    for number in range(count):
        write(site / "seeds" / f"{number:04d}.txt", plain_article(number))
    config = load_config(site)
    args = ("import", "--site", site, "--date", "2024-05-01", "--author", "Desk")
    started = time.perf_counter()
    reference = run_sitegen(*args, cwd=site, timeout=600)
    assert reference.returncode == 0, reference.stderr
    duration = time.perf_counter() - started
    expected = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "content").rglob("*.md")}
    assert len(expected) == count

    rng = random.Random(SEED)
    partial = 0
    for _ in range(5):
        for path in (site / "content").rglob("*"):
            if path.is_file():
                path.unlink()
        run_and_kill(args, duration * rng.uniform(0.35, 0.95))  # past start-up, before the end
        found = [p for p in (site / "content").rglob("*.md") if not p.name.startswith(".")]
        for path in found:
            item = load_file(path, config)
            assert path.read_bytes() == expected[path.relative_to(site).as_posix()], item.rel
        partial += 0 < len(found) < count
        assert run_sitegen(*args, cwd=site, timeout=600).returncode == 0
        written = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "content").rglob("*.md")}
        assert written == expected
    print(f"\nimport of {count} articles: {duration:.1f} s; {partial} of 5 kills landed mid-import")
    assert partial >= 1
