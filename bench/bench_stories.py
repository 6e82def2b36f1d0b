"""What story detection adds to a cold build.

    nice -n 10 .venv/bin/python bench/bench_stories.py --count 10000

Generates the benchmark corpus (bench/generate.py, seed 7) once under
``.cache/bench/stories-<count>/``, then runs one cold ``sitegen build
--no-search --clean`` in a child process with a timer around story detection
(``sitegen.stories.Stories``), so the detection time and the build time come
from the same run on the same machine. Prints both (wall and CPU), the
share, and what was found. Features are extracted while files are read, in
the worker processes; that part is inside the build's reading time. The
generated corpus draws topics and words at random, so few stories form
there; its cost is the comparing, which is what this measures.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE_YML = "title: Story benchmark\ntimezone: Etc/GMT-2\nsearch: false\n"


def child(site: str) -> None:
    """Run inside the child: one cold build, detection timed where the model calls it."""
    from sitegen import pages, stories
    from sitegen.build import BuildOptions, build_site
    from sitegen.config import load_config

    spent: list[float] = []
    found: list[stories.Stories] = []

    class Timed(stories.Stories):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            started, cpu = time.perf_counter(), time.process_time()
            super().__init__(*args, **kwargs)
            spent.append((time.perf_counter() - started, time.process_time() - cpu))
            found.append(self)

    pages.Stories = Timed  # type: ignore[misc]
    started = time.perf_counter()
    result = build_site(load_config(Path(site)), BuildOptions(search=False, clean=True))
    total = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    detected = found[-1].stories
    print(json.dumps({"build": total, "build_cpu": sum(u.ru_utime + u.ru_stime for u in used),
                      "detect": sum(w for w, _ in spent), "detect_cpu": sum(c for _, c in spent),
                      "briefings": result.briefings, "pages": result.pages,
                      "stories": len(detected), "in_stories": sum(s.count for s in detected)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="briefings to generate (default 10000)")
    args = parser.parse_args()
    site = REPO / ".cache" / "bench" / f"stories-{args.count}"
    if not (site / "content").is_dir():
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--count", str(args.count),
                        "--out", str(site / "content")], check=True)
    (site / "site.yml").write_text(SITE_YML)
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".sitegen", ignore_errors=True)
    code = f"import sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import bench_stories; " \
           f"bench_stories.child({str(site)!r})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=site)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{figures['briefings']:,} briefings, {figures['pages']:,} pages, "
          f"{figures['stories']} stories holding {figures['in_stories']} briefings\n"
          f"cold build:      {figures['build']:6.2f} s wall, {figures['build_cpu']:6.2f} s CPU (all processes)\n"
          f"story detection: {figures['detect']:6.2f} s wall, {figures['detect_cpu']:6.2f} s CPU (one process, "
          f"on the build's critical path)\n"
          f"share of the build: {figures['detect'] / figures['build']:.1%} of its wall time, "
          f"{figures['detect_cpu'] / figures['build_cpu']:.1%} of its CPU time")


if __name__ == "__main__":
    main()
