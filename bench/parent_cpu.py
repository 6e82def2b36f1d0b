"""The parent process's own CPU time in a cold build, against another checkout: issue 15's "parent's work".

    .venv/bin/python bench/parent_cpu.py --size 4000 [--repeat 3] [--against /other/checkout]

py-spy's samples (bench/profile_build.py) say *where* the parent spends its
time, but on a shared, busy machine it also samples threads that are only
waiting for a CPU or for a worker. The kernel's count does not: this runs
each cold ``sitegen build --no-search`` (output and cache deleted) in a
process that reports ``getrusage`` for itself (the parent, all its threads)
and for the worker processes it forked and waited for. Checkouts alternate
within each round, on the same generated corpus (seed 7).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys

from one_edit import Checkout as Site
from one_edit import compared, comparison_parser, prepare
from run import BenchError

REPORT = """
import json, resource, sys, time
sys.path.insert(0, sys.argv.pop(1))
from sitegen.cli import main
started = time.perf_counter()
code = main()
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": time.perf_counter() - started, "parent": own.ru_utime + own.ru_stime,
                  "workers": workers.ru_utime + workers.ru_stime, "workers_user": workers.ru_utime,
                  "parent_user": own.ru_utime}), file=sys.stderr)
"""


def cold_build(site: Site) -> dict[str, float]:
    for path in (site.site / "public", site.site / ".sitegen"):
        shutil.rmtree(path, ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", REPORT, str(site.code), "build", "--site", str(site.site),
                           "--no-search"], capture_output=True, text=True, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1]) if done.stderr.strip() else {}
    if done.returncode != 0 or report.get("code") != 0:
        raise BenchError(f"the build failed in {site.site}:\n{done.stderr[-3000:]}")
    return report


def main() -> None:
    args = comparison_parser(__doc__, 4000, 3, "cold builds").parse_args()
    sites = compared("parent", args.size, args.against)
    prepare(args.size, sites)
    results: dict[str, list[dict[str, float]]] = {site.label: [] for site in sites}
    for round_ in range(1, args.repeat + 1):
        for site in sites:
            report = cold_build(site)
            results[site.label].append(report)
            print(f"{site.label} round {round_}: parent {report['parent']:.2f} s CPU, workers {report['workers']:.2f} s "
                  f"({report['workers_user']:.2f} s user), wall {report['wall']:.2f} s", file=sys.stderr, flush=True)
    print(f"\nCold `sitegen build --no-search` of {args.size:,} briefings, medians of {args.repeat} (and the best): CPU seconds "
          "(user + system) of the parent process itself and of its worker processes, and wall seconds. The user "
          "seconds are the Python work alone: system time (creating files and folders) swings several seconds from "
          "run to run on a virtual machine's disk.\n")
    print("| checkout | parent CPU s | workers CPU s | workers user s | wall s | best total CPU s | best wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, reports in results.items():
        cells = [statistics.median(r[key] for r in reports) for key in ("parent", "workers", "workers_user", "wall")]
        cells += [min(r["parent"] + r["workers"] for r in reports), min(r["wall"] for r in reports)]
        print(f"| {label} | " + " | ".join(f"{value:.2f}" for value in cells) + " |")


if __name__ == "__main__":
    main()
