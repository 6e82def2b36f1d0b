"""Lighthouse on the archive-scale pages of a real archive: search, topics and home.

    .venv/bin/python bench/lighthouse.py                     # BBC corpus from ../shared, mobile and desktop
    .venv/bin/python bench/lighthouse.py --site path/to/site # an archive you already have (built here first)
    .venv/bin/python bench/lighthouse.py --keep /tmp/bbc --forms mobile --pages /search/?q=oil
                                                             # reuse the BBC archive built in /tmp/bbc

The BBC corpus (2,225 articles in five folders) is imported into a temporary site with the real
`sitegen import --tag-from-folder`, built with its search index, and served over HTTP on 127.0.0.1.
Lighthouse 12 (pinned below) comes from npm into .cache/lighthouse/ on first run and drives the
system Chromium. Each page runs `--runs` times per form factor; the table shows the median of each
category and of the metrics the issue names (LCP, TBT, CLS). Lighthouse simulates a slow phone on
mobile, so figures move with the load on this machine: compare runs made together.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "lighthouse"
LIGHTHOUSE_VERSION = "12.8.2"
CLI = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking " \
               "--disable-component-update --disable-sync"
PAGES = ["/search/?q=oil", "/topics/", "/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
BBC = REPO.parent / "shared" / "corpus" / "bbc"
PORT = 8731
"""The archive is built for http://127.0.0.1:8731/ and served there, so its canonical links and sitemap are
absolute on the origin Lighthouse loads, as on a real site (a relative base_url costs SEO points)."""


def install() -> None:
    if CLI.is_file():
        return
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {CACHE} …", file=sys.stderr)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(CACHE),
                    f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


def sitegen(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], check=True, stdout=subprocess.DEVNULL)


def bbc_site(root: Path) -> Path:
    """The BBC corpus as an archive: one import with folder names as topics, dated a day apart by folder."""
    (root / "content").mkdir(parents=True)
    (root / "site.yml").write_text(f"title: BBC archive\nbase_url: http://127.0.0.1:{PORT}/\ntimezone: Europe/London\n",
                                   encoding="utf-8")
    for number, folder in enumerate(sorted(p for p in BBC.iterdir() if p.is_dir())):
        sitegen("import", "--site", root, "--tag-from-folder", "--date", f"2005-01-{number + 1:02d}", folder)
    sitegen("build", "--site", root)
    return root / "public"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def lighthouse(url: str, desktop: bool, out: Path) -> dict | None:
    args = ["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    if desktop:
        args.append("--preset=desktop")
    result = subprocess.run(args, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=600,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(f"lighthouse failed on {url}: {result.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    figures = {name: round(100 * report["categories"][name]["score"]) for name in CATEGORIES}
    figures["LCP s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    figures["TBT ms"] = audits["total-blocking-time"]["numericValue"]
    figures["CLS"] = audits["cumulative-layout-shift"]["numericValue"]
    figures["KiB"] = audits["total-byte-weight"]["numericValue"] / 1024
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a site folder to build and measure instead of the BBC corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--forms", default="mobile,desktop", help="form factors: mobile, desktop or both")
    parser.add_argument("--keep", type=Path, help="build the BBC archive here once and reuse it (rebuilt with "
                        "the current theme each run)")
    args = parser.parse_args()
    if shutil.which("node") is None or not Path(CHROMIUM).exists():
        print("needs node/npm and Chromium at /usr/bin/chromium", file=sys.stderr)
        return 1
    install()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as temporary:
        work = Path(temporary)
        if args.site:
            sitegen("build", "--site", args.site, "--out", work / "public")
            public = work / "public"
        elif args.keep and (args.keep / "site.yml").is_file():
            sitegen("build", "--site", args.keep)
            public = args.keep / "public"
        elif BBC.is_dir():
            print("importing and building the BBC corpus …", file=sys.stderr)
            public = bbc_site(args.keep or work / "site")
        else:
            print(f"no corpus at {BBC}; pass --site", file=sys.stderr)
            return 1
        server, base = serve(public)
        columns = [*CATEGORIES, "LCP s", "TBT ms", "CLS", "KiB"]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"Lighthouse {LIGHTHOUSE_VERSION}, median of {args.runs} runs, Chromium {CHROMIUM}, "
              f"{os.cpu_count()} cores, load average {load} at the start\n")
        print("| page | form factor | " + " | ".join(columns) + " |")
        print("|---|---|" + "---|" * len(columns))
        for page in args.pages.split(","):
            for desktop in [form == "desktop" for form in args.forms.split(",")]:
                runs = [run for run in (lighthouse(base + page, desktop, work / "report.json")
                                        for _ in range(args.runs)) if run]
                if not runs:
                    print(f"| `{page}` | {'desktop' if desktop else 'mobile'} | failed |", flush=True)
                    continue
                medians = [statistics.median(run[name] for run in runs) for name in columns]
                cells = [f"{value:.2f}" if name in ("LCP s", "CLS") else f"{value:.0f}"
                         for name, value in zip(columns, medians, strict=True)]
                print(f"| `{page}` | {'desktop' if desktop else 'mobile'} | " + " | ".join(cells) + " |", flush=True)
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
