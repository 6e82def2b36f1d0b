"""Timings for the authoring features: the template sandbox, the blow-up cases, images.

    nice -n 10 .venv/bin/python bench/authoring.py sandbox --count 4000 --repeat 2
    nice -n 10 .venv/bin/python bench/authoring.py blowups
    nice -n 10 .venv/bin/python bench/authoring.py images --count 4000

- sandbox: cold builds of the generated archive with Jinja's immutable
  sandbox (what sitegen uses) and with a plain Environment, alternating, so
  a noisy neighbour slows both alike; prints the medians and the overhead.
- blowups: rendering N identical headings, and building one briefing with N
  topics, for growing N: time per item should stay flat (linear work).
- images: a cold and a warm build of the archive with one image per briefing
  (bench/generate.py --images), the figures README "Performance" records.

Each build runs in its own child process, as a person would run it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import make_corpus, write_corpus, write_images

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench" / "authoring"
SITE_YML = "title: Bench\nbase_url: https://example.org/\ntimezone: Etc/GMT-2\n"

BUILD = """
import sys, jinja2
from pathlib import Path
import sitegen.render
if sys.argv[2] == "plain":
    sitegen.render.ImmutableSandboxedEnvironment = jinja2.Environment
from sitegen.build import BuildOptions, build_site
from sitegen.config import load_config
result = build_site(load_config(Path(sys.argv[1])), BuildOptions(search=False, clean=sys.argv[3] == "cold"))
print(result.seconds)
"""


def make_site(name: str, count: int, images: bool = False, extra: str = "") -> Path:
    site = WORK / name
    if not (site / "content").is_dir():
        corpus = make_corpus(count)
        write_corpus(corpus, site / "content", bundles=images)
        if images:
            write_images(corpus, site / "content")
    (site / "site.yml").write_text(SITE_YML + extra, encoding="utf-8")
    return site


def build(site: Path, env: str = "sandbox", phase: str = "cold") -> float:
    """Seconds of one build in a child process; a cold one starts without output or caches."""
    if phase == "cold":
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / ".sitegen", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BUILD, str(site), env, phase], check=True, capture_output=True)
    return time.perf_counter() - started


def bench_sandbox(count: int, repeat: int) -> None:
    site = make_site(f"archive-{count}", count)
    times: dict[str, list[float]] = {"plain": [], "sandbox": []}
    for round_number in range(repeat):
        for env in ("plain", "sandbox") if round_number % 2 == 0 else ("sandbox", "plain"):
            times[env].append(build(site, env))
            print(f"  {env} cold build: {times[env][-1]:.1f} s", file=sys.stderr)
    plain, sandbox = statistics.median(times["plain"]), statistics.median(times["sandbox"])
    print(f"| {count:,} briefings, cold build, median of {repeat} | plain Environment {plain:.1f} s "
          f"| ImmutableSandboxedEnvironment {sandbox:.1f} s | {100 * (sandbox / plain - 1):+.1f} % |")


def bench_blowups() -> None:
    from sitegen.config import MarkdownOptions
    from sitegen.markdown import BodyRenderer

    print("| identical headings | seconds | µs per heading |\n|---:|---:|---:|")
    renderer = BodyRenderer(MarkdownOptions(max_headings=10**6))
    for count in (5_000, 10_000, 20_000, 50_000):
        started = time.perf_counter()
        renderer.render("## Update\n\n" * count)
        seconds = time.perf_counter() - started
        print(f"| {count:,} | {seconds:.2f} | {1e6 * seconds / count:.0f} |")
    print("\n| topics on one briefing | cold build, seconds | output size |\n|---:|---:|---:|")
    for count in (1_000, 2_000, 4_000, 8_000):
        site = WORK / f"topics-{count}"
        shutil.rmtree(site, ignore_errors=True)
        tags = ", ".join(f"topic {n}" for n in range(count))
        path = site / "content" / "briefings" / "many.md"
        path.parent.mkdir(parents=True)
        path.write_text(f"---\ntitle: Many topics\ndate: 2024-05-01\ntags: [{tags}]\n---\n\nBody.\n", encoding="utf-8")
        (site / "site.yml").write_text(SITE_YML + f"max_topics: {count}\n", encoding="utf-8")
        seconds = build(site)
        size = sum(p.stat().st_size for p in (site / "public").rglob("*") if p.is_file())
        print(f"| {count:,} | {seconds:.1f} | {size / 1e6:.0f} MB |")


def bench_images(count: int) -> None:
    site = make_site(f"images-{count}", count, images=True)
    cold = build(site)
    warm = build(site, phase="warm")
    images = sum(1 for p in (site / "public").rglob("*") if p.suffix in (".jpg", ".webp", ".png"))
    print(f"| {count:,} briefings, one image each | cold {cold:.1f} s | warm {warm:.1f} s | {images:,} image files |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("sandbox", "blowups", "images"))
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.what == "sandbox":
        bench_sandbox(args.count, args.repeat)
    elif args.what == "blowups":
        bench_blowups()
    else:
        bench_images(args.count)


if __name__ == "__main__":
    main()
