"""How long `sitegen import` takes on the shared BBC corpus (2,225 plain articles).

    .venv/bin/python bench/bench_import.py --repeat 5

Each run is the real command in a child process (`python -m sitegen import
<corpus> --tag-from-folder --site <fresh site>`), so the figure includes
interpreter start-up, reading, parsing, tagging, rendering the front matter and
the fsync of every written file: what a user waits for. Every run starts from
an empty content/ folder under .cache/bench/import/; a last run re-imports into
a full one, the no-op ``make build`` pays each time. Prints the median and the
files per second.

The corpus is found at ../shared/corpus/bbc next to the repository, or under
$SITEGEN_CORPUS.
"""

from __future__ import annotations

import argparse
import os
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


def timed_import(site: Path) -> tuple[float, str]:
    """Seconds for one `sitegen import` of the corpus, and its summary line."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "sitegen", "import", str(CORPUS), "--tag-from-folder",
                             "--site", str(site)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"import failed ({result.returncode}):\n{result.stderr}")
    return seconds, result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="cold imports to time (default: 5)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}; set SITEGEN_CORPUS to the folder holding bbc/")
    files = sum(1 for _ in CORPUS.rglob("*.txt"))

    cold = []
    for run in range(1, args.repeat + 1):
        seconds, summary = timed_import(fresh_site())
        cold.append(seconds)
        print(f"run {run}: {seconds:.2f} s  ({summary})", file=sys.stderr)
    again, summary = timed_import(WORK)
    print(f"re-import: {again:.2f} s  ({summary})", file=sys.stderr)

    median = statistics.median(cold)
    print(f"{files} files, cold import: median {median:.2f} s of {args.repeat} runs "
          f"(min {min(cold):.2f} s), {files / median:.0f} files/s; "
          f"re-import of the unchanged corpus: {again:.2f} s")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
