"""How long Pagefind takes to index a built archive, and how big the index is.

    .venv/bin/python bench/bench_search.py --sizes 1000,10000 --repeat 3

For each size it writes the benchmark corpus (bench/generate.py) into a site
under .cache/bench/search/, builds the HTML once with --no-search, then indexes
that output ``--repeat`` times through sitegen.search.build_index (the same
call the build makes), each run in its own child process so its peak memory
(Python plus Pagefind, via os.wait4) is its own. The index is removed before
every run, so each one is a cold index of the whole site.

Sizes are reported two ways: the whole pagefind/ bundle, and the index data
alone (the part that grows with the archive; the rest is Pagefind's fixed
JavaScript, CSS and WebAssembly). A Markdown table goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generate import make_corpus, write_corpus

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench" / "search"
SITE_YML = "title: Briefing\nbase_url: https://example.org/\ntimezone: Etc/GMT-2\npaginate: 20\n"
INDEX_CHILD = """
import dataclasses, json, sys
from pathlib import Path
from sitegen.search import build_index
print(json.dumps(dataclasses.asdict(build_index(Path(sys.argv[1])))))
"""
FIXED_ASSETS = (".js", ".css", ".json")
"""Top-level bundle files that are the same for any site: the UI and the loader (wasm.* is checked by name)."""


def make_site(count: int) -> Path:
    """A site with ``count`` generated briefings, written once and reused by later runs."""
    site = WORK / f"site-{count}"
    content = site / "content" / "briefings"
    if not (content.is_dir() and sum(1 for _ in content.rglob("*.md")) == count):
        shutil.rmtree(site, ignore_errors=True)
        content.mkdir(parents=True)
        (site / "site.yml").write_text(SITE_YML, encoding="utf-8")
        write_corpus(make_corpus(count), content)
    return site


def build_html(site: Path) -> None:
    """Build the pages without search, from scratch."""
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--no-search", "--clean", "--site", str(site)],
                   check=True, capture_output=True, cwd=ROOT)


def index_once(public: Path) -> tuple[dict, float, int]:
    """One cold index in a child process: (IndexStats as a dict, wall seconds, peak RSS in bytes)."""
    shutil.rmtree(public / "pagefind", ignore_errors=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", INDEX_CHILD, str(public)], stdout=subprocess.PIPE, cwd=ROOT)
    output = child.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"indexing {public} failed")
    return json.loads(output), seconds, usage.ru_maxrss * 1024


def index_data_bytes(bundle: Path) -> tuple[int, int]:
    """Bytes and file count of the per-site index: everything except Pagefind's fixed assets."""
    files = [p for p in bundle.rglob("*") if p.is_file()
             and not (p.parent == bundle and (p.suffix in FIXED_ASSETS or p.name.startswith("wasm.")))]
    return sum(p.stat().st_size for p in files), len(files)


def measure(count: int, repeat: int) -> dict:
    site = make_site(count)
    build_html(site)
    public = site / "public"
    runs = [index_once(public) for _ in range(repeat)]
    stats = runs[-1][0]
    data_bytes, data_files = index_data_bytes(public / "pagefind")
    return {"briefings": count, "pages": stats["pages"], "words": stats["words"],
            "index_seconds": statistics.median(seconds for _, seconds, _ in runs),
            "peak_mb": max(rss for _, _, rss in runs) / 1e6, "bundle_mb": stats["bytes"] / 1e6,
            "data_mb": data_bytes / 1e6, "data_files": data_files,
            "html_mb": sum(p.stat().st_size for p in public.rglob("*.html")
                           if not p.is_relative_to(public / "pagefind")) / 1e6}


def table(rows: list[dict]) -> str:
    lines = ["| briefings | indexed pages | distinct words | index time (median) | peak memory | pagefind/ total "
             "| index data (files) | HTML it indexes |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['briefings']:,} | {r['pages']:,} | {r['words']:,} | {r['index_seconds']:.2f} s "
                     f"| {r['peak_mb']:.0f} MB | {r['bundle_mb']:.1f} MB | {r['data_mb']:.1f} MB ({r['data_files']:,}) "
                     f"| {r['html_mb']:.0f} MB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated briefing counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="index runs per size; the median is reported")
    args = parser.parse_args()
    rows = []
    for count in (int(size) for size in args.sizes.split(",")):
        print(f"{count:,} briefings…", file=sys.stderr)
        rows.append(measure(count, args.repeat))
    print(table(rows))


if __name__ == "__main__":
    main()
