"""The parent process's own CPU time in a cold build, against another checkout: issue 15's "parent's work".

    .venv/bin/python bench/parent_cpu.py --size 4000 [--repeat 3] [--against /other/checkout] [--workers 16]

py-spy's samples (bench/profile_build.py) say *where* the parent spends its
time, but on a shared, busy machine it also samples threads that are only
waiting for a CPU or for a worker. The kernel's count does not: this runs
each cold ``sitegen build --no-search`` (output and cache deleted) in a
process that reports ``getrusage`` for itself (the parent, all its threads)
and for the worker processes it forked and waited for. Checkouts alternate
within each round, on the same generated corpus (seed 7).

A second table splits the parent's time into the build's stages (wall and
the main thread's CPU, medians), each measured by wrapping the function that
runs it: what the parent does alone while the workers wait is the serial
share that caps a many-core build. ``--workers N`` runs N workers whatever
the machine has, to see the duplicated work of a 16-core build on two cores.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from typing import Any

from one_edit import Checkout as Site
from one_edit import compared, comparison_parser, prepare
from run import BenchError

STAGES = [
    ("sitegen.build", "take_inventory", "inventory"),
    ("sitegen.load", "parse_files", "parse (workers)"),
    ("sitegen.build", "Builder._load", "load, parse included"),
    ("sitegen.render", "make_environment", "template environment"),
    ("sitegen.plan", "make_site", "plan: site model"),
    ("sitegen.plan", "plan_routes", "plan: routes"),
    ("sitegen.plan", "plan", "plan, all of it"),
    ("sitegen.rendering", "run_chunked", "render (workers)"),
    ("sitegen.output", "StagedPublisher.finish", "publish"),
    ("sitegen.route_store", "RouteStore.keep_unstored", "route store"),
    ("sitegen.cache", "BuildCache.save", "cache save"),
    ("sitegen.build", "Builder.build", "build, all of it"),
]
"""(module, function, label): the stages timed in the parent. A function a checkout lacks is left out."""

REPORT = """
import functools, importlib, importlib.abc, importlib.machinery, json, resource, sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv.pop(1))
workers, stages = int(sys.argv.pop(1)), json.loads(sys.argv.pop(1))
if workers:
    import sitegen.workers
    sitegen.workers.workers_for = lambda cores, available, size: workers
spent = {}
def timed(function, label):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            before = spent.get(label, (0.0, 0.0))
            spent[label] = (before[0] + time.perf_counter() - wall, before[1] + time.thread_time() - cpu)
    return wrapper
def wrap(module):
    for module_name, name, label in stages:
        if module_name == module.__name__:
            owner = module
            try:
                *path, attribute = name.split(".")
                for part in path:
                    owner = getattr(owner, part)
                setattr(owner, attribute, timed(getattr(owner, attribute), label))
            except AttributeError:
                pass
class WrapOnImport(importlib.abc.MetaPathFinder):
    # each stage is wrapped as its module loads, where and when the build imports it: importing them all here
    # would count the imports a build makes in a thread, or never makes, against the main thread
    def find_spec(self, fullname, path, target=None):
        if fullname not in {module_name for module_name, _, _ in stages}:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module
            def exec_module(module):
                run(module)
                wrap(module)
            spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, WrapOnImport())
for module in list(sys.modules.values()):
    if getattr(module, "__name__", "").startswith("sitegen."):
        wrap(module)
from sitegen.cli import main
spent["imports"] = (time.perf_counter() - started, time.thread_time())
code = main()
spent["main thread, all of it"] = (time.perf_counter() - started, time.thread_time())
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": time.perf_counter() - started, "parent": own.ru_utime + own.ru_stime,
                  "workers": kids.ru_utime + kids.ru_stime, "workers_user": kids.ru_utime,
                  "parent_user": own.ru_utime, "stages": spent}), file=sys.stderr)
"""


def cold_build(site: Site, workers: int = 0) -> dict[str, Any]:
    for path in (site.site / "public", site.site / ".sitegen"):
        shutil.rmtree(path, ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", REPORT, str(site.code), str(workers), json.dumps(STAGES), "build",
                           "--site", str(site.site), "--no-search"], capture_output=True, text=True, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1]) if done.stderr.strip() else {}
    if done.returncode != 0 or report.get("code") != 0:
        raise BenchError(f"the build failed in {site.site}:\n{done.stderr[-3000:]}")
    return report


def main() -> None:
    parser = comparison_parser(__doc__, 4000, 3, "cold builds")
    parser.add_argument("--workers", type=int, default=0, help="worker processes to run (default: as the build decides)")
    args = parser.parse_args()
    sites = compared("parent", args.size, args.against)
    prepare(args.size, sites)
    results: dict[str, list[dict[str, float]]] = {site.label: [] for site in sites}
    for round_ in range(1, args.repeat + 1):
        for site in sites:
            report = cold_build(site, args.workers)
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
    print(stage_table(results))


def stage_table(results: dict[str, list[dict[str, Any]]]) -> str:
    """The parent's stages, wall / main-thread CPU seconds (medians), one column per checkout."""
    labels = ["imports", *(label for _, _, label in STAGES), "main thread, all of it"]
    lines = ["\nThe parent's stages, medians: wall s / CPU s of the main thread (a stage marked workers is mostly "
             "waiting for them; the pool's own threads, which receive their results, are not in its CPU).\n",
             "| stage | " + " | ".join(results) + " |", "|---|" + "---:|" * len(results)]
    for label in labels:
        cells = []
        for reports in results.values():
            found = [r["stages"][label] for r in reports if label in r["stages"]]
            cells.append(f"{statistics.median(w for w, _ in found):.3f} / {statistics.median(c for _, c in found):.3f}"
                         if found else "n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
