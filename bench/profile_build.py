"""Where a cold sitegen build spends its time, worker processes included.

    .venv/bin/python bench/profile_build.py --size 4000 [--top 10]

py-spy (from the bench venv) samples the build and every process it forks, so
work done in a process pool shows up where it happens instead of as the main
process waiting. Idle time is not sampled: the percentages are shares of CPU
time across all processes, not of wall time. Two lists are printed: functions
by own time (the hot spots) and sitegen's functions by time including callees
(the stages of the build).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generate import make_corpus, write_corpus
from run import SITEGEN_CONFIG, VENV, WORK, BenchError, ensure_tools

LINE_NUMBER = re.compile(r":\d+\)$")
RATE = 250
"""Samples per second: py-spy's samples of a process are its busy time in 1/RATE s steps."""


def prepare(size: int, seed: int) -> Path:
    """A fresh sitegen site in its own folder, so a profile never disturbs a benchmark run's sites."""
    site = WORK / f"profile-{size}"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    (site / "site.yml").write_text(SITEGEN_CONFIG, encoding="utf-8")
    write_corpus(make_corpus(size, seed), site / "content")
    return site


def record(site: Path) -> str:
    """py-spy's raw (collapsed) stacks for one cold `sitegen build --no-search`, run from the site as run.py does."""
    raw = site / "profile.txt"
    command = [str(VENV / "bin" / "py-spy"), "record", "--subprocesses", "--rate", str(RATE), "--format", "raw",
               "--output", str(raw), "--", sys.executable, "-m", "sitegen", "build", "--site", str(site), "--no-search"]
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not raw.is_file():
        raise BenchError(f"py-spy failed (it needs ptrace permission):\n{done.stderr[-2000:]}")
    return raw.read_text()


TEMPLATE_FRAME = re.compile(r"\((\w[\w.-]*)\.(html|xml|txt)\)$")
"""Jinja names compiled template frames after the template file alone, e.g. ``block_main (briefing.html)``."""


def is_ours(frame: str) -> bool:
    return "(sitegen/" in frame or TEMPLATE_FRAME.search(frame) is not None


def aggregate(raw: str) -> tuple[Counter[str], Counter[str], int]:
    """Sample counts per function (line numbers dropped): own time, time charged to the innermost sitegen frame."""
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")[1:]]  # [0] names the process
        if not frames or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        ours[next((f for f in reversed(frames) if is_ours(f)), "(outside sitegen: start-up, imports)")] += samples
    return own, ours, total


WAITING = re.compile(r"^(Condition\.wait|_PollLikeSelector\.select|Event\.wait|Thread\.join|sleep) \(")
"""Innermost frames that only block: py-spy (0.4, on the shared VM) samples such threads as busy anyway, so the
parent's own work leaves them out (the pool's result thread waiting in select, the main thread waiting for a chunk)."""


@dataclass(frozen=True)
class Split:
    """Busy seconds of the build's own process and of the worker processes it forked."""

    parent: float
    workers: float
    parent_top: list[tuple[str, float]]
    """The parent's own busiest sitegen functions (callees included), seconds."""
    waiting: float = 0.0
    """The parent's samples left out as blocked waiting (see ``WAITING``), seconds."""


def split_parent(raw: str) -> Split:
    """The parent's own work: samples whose stack starts in the first process and stays there.

    py-spy roots every stack in ``process <pid>:"<command>"`` and nests a
    forked worker's stacks under a second ``process`` frame; idle waiting is
    not sampled, so the parent's samples are what it did itself (listing
    files, planning, fingerprinting, receiving results), not waiting.
    """
    parent = workers = waiting = 0
    ours: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [frame for frame in stack.split(";") if frame]
        if len(frames) < 2:
            continue  # no Python frame: a thread outside the interpreter
        if frames[1].startswith("process "):
            workers += int(count) if len(frames) > 2 else 0
            continue
        if WAITING.match(frames[-1]):
            waiting += int(count)
            continue
        parent += int(count)
        inner = [LINE_NUMBER.sub(")", f) for f in frames[1:]]
        ours[next((f for f in reversed(inner) if is_ours(f)), "(outside sitegen: start-up, imports)")] += int(count)
    return Split(parent / RATE, workers / RATE, [(name, n / RATE) for name, n in ours.most_common(8)], waiting / RATE)


def parent_report(size: int, seed: int = 7) -> str:
    """Markdown lines: the parent's own busy time in a cold build of ``size`` briefings, and where it goes."""
    split = split_parent(record(prepare(size, seed)))
    rows = [f"| {seconds:.2f} | `{name}` |" for name, seconds in split.parent_top]
    return "\n".join([f"Cold `sitegen build --no-search` of {size:,} briefings under py-spy ({RATE} Hz): the parent "
                      f"process's own work {split.parent:.2f} s, the workers' {split.workers:.2f} s (busy time; "
                      f"{split.waiting:.2f} s of the parent's samples were blocked waiting and are left out).", "",
                      "| parent s | innermost sitegen function |", "|---:|---|", *rows])


def table(title: str, counts: Counter[str], total: int, top: int) -> str:
    rows = [f"| {100 * n / total:5.1f} % | `{frame}` |" for frame, n in counts.most_common(top)]
    return "\n".join([f"{title}:", "", "| CPU | function |", "|---:|---|", *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=4000, help="briefings (default 4000)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--top", type=int, default=10, help="lines per list (default 10)")
    args = parser.parse_args()
    try:
        ensure_tools()
        raw = record(prepare(args.size, args.seed))
    except BenchError as error:
        sys.exit(f"error: {error}")
    own, ours, total = aggregate(raw)
    split = split_parent(raw)
    print(f"Parent process: {split.parent:.2f} s of its own work ({split.waiting:.2f} s blocked waiting left out); "
          f"workers: {split.workers:.2f} s.\n")
    print(f"Cold `sitegen build --no-search` of {args.size:,} briefings: {total:,} samples at {RATE} Hz.\n")
    print(table("Own time (hot spots)", own, total, args.top) + "\n")
    print(table("Innermost sitegen function or template, library callees included", ours, total, args.top))


if __name__ == "__main__":
    main()
