"""What language editions cost a build: the same briefings as one edition, and split into two.

    .venv/bin/python bench/editions.py [--count 2000] [--repeat 3]

Writes the benchmark corpus (bench/generate.py) twice: once as a one-language
site, once with ``languages: [en, ar]`` and every second briefing under
``content/ar/`` with a ``translation_key`` shared with its neighbour (so half
the briefings have a translation). Prints the best cold build (no search) of
each, and of each the planning step alone (runs interleaved) (model + routes + fingerprints),
which is where editions do their work.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import make_corpus, write_corpus


def make_sites(root: Path, count: int) -> tuple[Path, Path]:
    one, two = root / "one", root / "two"
    for site in (one, two):
        write_corpus(make_corpus(count), site / "content")
    (one / "site.yml").write_text("title: Bench\n", encoding="utf-8")
    (two / "site.yml").write_text("title: Bench\nlanguages: [en, ar]\n", encoding="utf-8")
    files = sorted((two / "content").rglob("*.md"))
    for number, path in enumerate(files):
        text = path.read_text(encoding="utf-8").replace("\n---\n", f"\ntranslation_key: k{number // 2}\n---\n", 1)
        target = two / "content" / "ar" / path.relative_to(two / "content") if number % 2 else path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if target != path:
            path.unlink()
    return one, two


def cold_build(site: Path) -> float:
    from sitegen.build import BuildOptions, build_site
    from sitegen.config import load_config

    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".sitegen", ignore_errors=True)
    started = time.perf_counter()
    build_site(load_config(site), BuildOptions(search=False))
    return time.perf_counter() - started


def plan_only(site: Path) -> float:
    from sitegen.config import load_config
    from sitegen.load import load_briefings
    from sitegen.plan import TemplateFacts, plan

    config = load_config(site)
    items = load_briefings(config).briefings
    started = time.perf_counter()
    plan(config, items, datetime.now(config.tz), "", lambda names: {n: TemplateFacts("", False) for n in names})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        one, two = make_sites(Path(folder), args.count)
        sites = {"one edition": one, "two editions": two}
        cold: dict[str, list[float]] = {name: [] for name in sites}
        planned: dict[str, list[float]] = {name: [] for name in sites}
        for _ in range(args.repeat):  # interleaved, so a busy moment on a shared machine hits both alike
            for name, site in sites.items():
                cold[name].append(cold_build(site))
                planned[name].append(plan_only(site))
        for name, site in sites.items():
            pages = sum(1 for _ in (site / "public").rglob("index.html"))
            print(f"{name}: {args.count:,} briefings, {pages:,} pages: cold build {min(cold[name]):.2f} s, "
                  f"plan {min(planned[name]):.3f} s (best of {args.repeat})")

if __name__ == "__main__":
    main()
