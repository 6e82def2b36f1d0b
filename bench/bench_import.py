"""How long `sitegen import` takes on the shared BBC corpus (2,225 plain articles).

    .venv/bin/python bench/bench_import.py --repeat 5

Each run is the real command in a child process (`python -m sitegen import
<corpus> --tag-from-folder --date 2005-01-01 --site <fresh site>`: the corpus has
no datelines, and the import takes no date it is not given), so the figure includes
interpreter start-up, reading, parsing, tagging, rendering the front matter and
the fsync of every written file: what a user waits for. Every run starts from
an empty content/ folder under .cache/bench/import/; a last run re-imports into
a full one, the no-op ``make build`` pays each time. Prints the median wall
time, files per second, and the median CPU time (user + system) of the child,
which stays steady when other work shares the machine.

The corpus is found at ../shared/corpus/bbc next to the repository, or under
$SITEGEN_CORPUS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench" / "import"
CORPUS = Path(os.environ.get("SITEGEN_CORPUS", ROOT.parent / "shared" / "corpus")) / "bbc"
SITE_YML = "title: Import benchmark\ntimezone: Africa/Cairo\n"


def fresh_site() -> Path:
    """An empty site: site.yml and nothing else."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    (WORK / "site.yml").write_text(SITE_YML, encoding="utf-8")
    return WORK


def timed_import(site: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds for one `sitegen import` of the corpus, and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "sitegen", "import", str(CORPUS), "--tag-from-folder",
                             "--date", "2005-01-01", "--site", str(site)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"import failed ({result.returncode}):\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="cold imports to time (default: 5)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}; set SITEGEN_CORPUS to the folder holding bbc/")
    files = sum(1 for _ in CORPUS.rglob("*.txt"))

    walls, cpus = [], []
    for run in range(1, args.repeat + 1):
        wall, cpu, summary = timed_import(fresh_site())
        walls.append(wall)
        cpus.append(cpu)
        print(f"run {run}: {wall:.2f} s wall, {cpu:.2f} s CPU  ({summary})", file=sys.stderr)
    again, _, summary = timed_import(WORK)
    print(f"re-import: {again:.2f} s  ({summary})", file=sys.stderr)

    median = statistics.median(walls)
    print(f"{files} files, cold import: median {median:.2f} s wall of {args.repeat} runs "
          f"(min {min(walls):.2f} s), {files / median:.0f} files/s; CPU {statistics.median(cpus):.2f} s; "
          f"re-import of the unchanged corpus: {again:.2f} s")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
