"""Render throughput alone: every route of a cold build rendered again in one process, against another checkout.

    .venv/bin/python bench/render_only.py --size 1000 [--repeat 5] [--against /other/checkout]

A cold build's time is mostly rendering, spread over worker processes and
mixed with parsing and file writes, so small changes to the theme or the
sandbox drown in the noise of a shared machine. This builds the generated
corpus (seed 7) once per checkout, keeps the routes, the Jinja environment and
the site model the build rendered from, then renders every route ``--repeat``
more times in the same process into a writer that discards the bytes. It
prints CPU seconds (this process only, so other jobs on the machine count
little), best and median, and a digest of all rendered bytes: equal digests
mean byte-identical pages.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from one_edit import Checkout, compared, comparison_parser, prepare
from run import BenchError

MEASURE = """
import hashlib, json, shutil, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
site_dir, repeat = Path(sys.argv[2]), int(sys.argv[3])
from sitegen import rendering
from sitegen.cli import main

kept = {}
real = rendering.render_routes
def keep(routes, env, site, writer, *more):
    kept.update(routes=routes, env=env, site=site)
    return real(routes, env, site, writer, *more)
rendering.render_routes = keep  # the builder imports it from sitegen.rendering when it publishes
for path in (site_dir / "public", site_dir / ".sitegen"):
    shutil.rmtree(path, ignore_errors=True)
assert main(["build", "--no-search", "--site", str(site_dir)]) == 0

class Discard:
    reused = 0
    def __init__(self):
        self.digest = hashlib.blake2b()
    def write(self, relpath, data):
        self.digest.update(relpath.encode() + b"\\0" + data)

def forget_rendered(site):  # empty the memos of rendered pieces (feed entries, cards), as in a cold build
    for each in (site, *site.editions):
        for value in vars(each).values():
            if isinstance(getattr(value, "_kept", None), dict):
                value._kept.clear()

cpu, digest = [], ""
for _ in range(repeat):
    writer = Discard()
    forget_rendered(kept["site"])
    started = time.process_time()
    problems = rendering._render_many(kept["routes"], kept["env"], kept["site"], writer)[1]
    cpu.append(time.process_time() - started)
    assert not problems, problems
    digest = writer.digest.hexdigest()[:16]
templates = {}
forget_rendered(kept["site"])
for route in kept["routes"]:  # one more pass, route by route: where the rendering time goes, by page template
    started = time.process_time()
    rendering._render_many([route], kept["env"], kept["site"], Discard())
    templates[route.template] = templates.get(route.template, 0.0) + time.process_time() - started
print(json.dumps({"cpu": cpu, "routes": len(kept["routes"]), "digest": digest, "templates": templates}),
      file=sys.stderr)
"""


def measure(checkout: Checkout, repeat: int) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(checkout.code), str(checkout.site), str(repeat)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"rendering failed in {checkout.site}:\n{done.stderr[-3000:]}")
    return json.loads(done.stderr.strip().splitlines()[-1])


def main() -> None:
    args = comparison_parser(__doc__, 1000, 5, "renders of every route").parse_args()
    checkouts = compared("render", args.size, args.against)
    prepare(args.size, checkouts)
    print(f"Every route of {args.size:,} briefings rendered {args.repeat} times in one process: CPU seconds per "
          "pass (best, median) and a digest of the rendered bytes.\n")
    print("| checkout | routes | best CPU s | median CPU s | bytes digest |")
    print("|---|---:|---:|---:|---|")
    shares: list[tuple[str, dict[str, float]]] = []
    for checkout in checkouts:
        found = measure(checkout, args.repeat)
        cpu = found["cpu"]
        assert isinstance(cpu, list)
        print(f"| {checkout.label} | {found['routes']} | {min(cpu):.2f} | {statistics.median(cpu):.2f} | "
              f"{found['digest']} |", flush=True)
        shares.append((checkout.label, found["templates"]))
    for label, templates in shares:
        print(f"\n{label}, CPU seconds by page template (one pass, route by route):\n")
        print("| template | CPU s |\n|---|---:|")
        for name, seconds in sorted(templates.items(), key=lambda item: -item[1]):
            print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
