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
from pathlib import Path

from generate import make_corpus, write_corpus
from run import SITEGEN_CONFIG, VENV, WORK, BenchError, ensure_tools

LINE_NUMBER = re.compile(r":\d+\)$")


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
    command = [str(VENV / "bin" / "py-spy"), "record", "--subprocesses", "--rate", "250", "--format", "raw",
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
        own, ours, total = aggregate(record(prepare(args.size, args.seed)))
    except BenchError as error:
        sys.exit(f"error: {error}")
    print(f"Cold `sitegen build --no-search` of {args.size:,} briefings: {total:,} samples at 250 Hz.\n")
    print(table("Own time (hot spots)", own, total, args.top) + "\n")
    print(table("Innermost sitegen function or template, library callees included", ours, total, args.top))


if __name__ == "__main__":
    main()
