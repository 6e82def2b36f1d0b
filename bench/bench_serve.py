"""Time from saving a briefing to the reloaded page in `sitegen serve`, at 1k and 10k briefings.

For each size it writes a generated site (bench/generate.py), starts the real
preview server (`python -m sitegen serve --port 0`), listens on its
Server-Sent Events stream like an open tab does, and then, round after round,
appends a sentence to one briefing and measures:

* save -> reload event: from the file write to the "build" event that makes
  open pages reload (file watching, the 100 ms debounce, the rebuild, the
  event), the figure an author feels;
* rebuild: the server's own "Rebuilt … in X s" line (the build alone);
* save -> new text in Chromium (with --browser): a headless tab showing the
  briefing reloads by itself, until the new sentence is on screen.

Search indexing is off (search: false) unless --search: it runs in the
background after the reload and would only add noise on a 2-core machine.

    python bench/bench_serve.py --counts 1000 10000 --repeat 7 [--browser] [--search]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from generate import make_corpus, write_corpus

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench" / "serve"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SITE_CONFIG = "title: Briefing\nbase_url: https://example.org/\ntimezone: Etc/GMT-2\npaginate: 20\nsearch: {search}\n"


def make_site(count: int, search: bool) -> tuple[Path, Path, str]:
    """The generated site for ``count`` briefings (reused when present); returns (site, edited file, its URL)."""
    site = WORK / f"site-{count}"
    corpus = make_corpus(count)
    marker = site / ".generated"
    if not marker.exists():
        shutil.rmtree(site, ignore_errors=True)
        write_corpus(corpus, site / "content")
        marker.touch()
    (site / "site.yml").write_text(SITE_CONFIG.format(search=str(search).lower()), encoding="utf-8")
    item = corpus[count // 2]
    return site, site / "content" / item.relpath, "/" + item.relpath.removesuffix(".md") + "/"


class Preview:
    """The real server in a subprocess, its output lines collected, and one event stream read like a tab."""

    def __init__(self, site: Path) -> None:
        started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        self.lines: list[str] = []
        self.url = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if match := re.search(r"Serving the preview at (http://\S+)", line):
                self.url = match.group(1).rstrip("/")
                break
        if not self.url:
            raise SystemExit("the preview server did not start:\n" + "".join(self.lines))
        self.startup = time.perf_counter() - started
        threading.Thread(target=self._collect, daemon=True).start()
        self.events = socket.create_connection(("127.0.0.1", int(self.url.rsplit(":", 1)[1])), timeout=120)
        self.events.sendall(b"GET /__sitegen/events HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        self.stream = self.events.makefile("rb")
        self.next_event()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def next_event(self) -> dict:
        for line in self.stream:
            if line.startswith(b"data: "):
                return json.loads(line[6:])
        raise SystemExit("the event stream ended")

    def last_rebuild_seconds(self, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in reversed(self.lines):
                if match := re.match(r"Rebuilt .* in ([\d.]+) s", line):
                    return float(match.group(1))
            time.sleep(0.01)
        raise SystemExit("no 'Rebuilt' line:\n" + "".join(self.lines[-20:]))

    def stop(self) -> None:
        self.events.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def save_to_event(preview: Preview, edited: Path, original: str, round_: int) -> tuple[float, float]:
    """One edit: (seconds from the write to the reload event, seconds the server says the rebuild took)."""
    mark = len(preview.lines)
    started = time.perf_counter()
    edited.write_text(f"{original}\nA preview edit, round {round_}.\n", encoding="utf-8")
    event = preview.next_event()
    elapsed = time.perf_counter() - started
    if not event["ok"]:
        raise SystemExit("the rebuild failed:\n" + "".join(preview.lines[mark:]))
    return elapsed, preview.last_rebuild_seconds()


def save_to_screen(preview: Preview, edited: Path, original: str, url: str, repeat: int) -> list[float]:
    """Seconds from the write until an open Chromium tab shows the new sentence, without touching the tab."""
    from playwright.sync_api import sync_playwright

    seconds: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.goto(preview.url + url)
        for round_ in range(1, repeat + 1):
            text = f"A browser edit, round {round_}."
            tab.wait_for_function("document.querySelector('script[data-generation]') !== null")
            time.sleep(0.3)  # let the event stream connect, as it has long done in a tab the author looks at
            started = time.perf_counter()
            edited.write_text(f"{original}\n{text}\n", encoding="utf-8")
            tab.wait_for_function("text => document.body.innerText.includes(text)", arg=text, timeout=60_000)
            seconds.append(time.perf_counter() - started)
            preview.next_event()
        browser.close()
    return seconds


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms" if values else "-"


def bench(count: int, repeat: int, browser: bool, search: bool) -> dict[str, str]:
    site, edited, url = make_site(count, search)
    original = edited.read_text(encoding="utf-8")
    shutil.rmtree(site / ".sitegen", ignore_errors=True)
    preview = Preview(site)
    try:
        to_event: list[float] = []
        rebuilds: list[float] = []
        for round_ in range(1, repeat + 1):
            elapsed, rebuild = save_to_event(preview, edited, original, round_)
            to_event.append(elapsed)
            rebuilds.append(rebuild)
            time.sleep(0.3)
        to_screen = save_to_screen(preview, edited, original, url, repeat) if browser else []
    finally:
        edited.write_text(original, encoding="utf-8")
        preview.stop()
    return {"briefings": f"{count:,}", "start (cold preview build)": f"{preview.startup:.1f} s",
            "save → reload event": median_ms(to_event), "rebuild alone": median_ms(rebuilds),
            "save → new text in Chromium": median_ms(to_screen)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000], help="site sizes (default 1000 10000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed edits per size (default 7)")
    parser.add_argument("--browser", action="store_true", help="also time the new text in headless Chromium")
    parser.add_argument("--search", action="store_true", help="keep Pagefind re-indexing in the background")
    args = parser.parse_args()
    rows = [bench(count, args.repeat, args.browser, args.search) for count in args.counts]
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |")
    print(f"\nmedians of {args.repeat} edits; command: python bench/bench_serve.py "
          + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
