"""The author's loop in `sitegen serve`: time from saving a briefing to the new text on screen.

For each size it writes a generated site (bench/generate.py), starts the real
preview server (`python -m sitegen serve --port 0`), listens on its
Server-Sent Events stream like an open tab does, and then, round after round,
appends a sentence to one briefing, saves 1.5 s apart, and measures:

* save -> page-written event: from the file write to the first "build" event,
  which tells open tabs the edited briefing's own page is written (file
  watching, the debounce, parsing the file, rendering that page);
* save -> build-done event: until the event of the finished rebuild (every
  list, topic and neighbour page showing the briefing re-rendered);
* rebuild: the server's own "Rebuilt … in X s" line (the build alone);
* save -> new text in Chromium (with --browser): a headless tab showing the
  briefing updates by itself (its <main> swapped in, or a reload), until the
  new sentence is in the page at the next frame, timed inside the page.

Search indexing is off (search: false) unless --search: it runs in the
background after the reload and would only add noise on a 2-core machine.

    nice -n 10 python bench/bench_serve.py --counts 10000 --repeat 5 --browser [--search] [--warm-start]
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

    def build_done(self) -> dict:
        """The event of a finished build, skipping those that list pages written while it still runs."""
        while (event := self.next_event()).get("pages"):
            pass
        return event

    def quiet(self, seconds: float = 5.0) -> None:
        """Read events until none came for ``seconds``: every rebuild asked for has finished."""
        self.events.settimeout(seconds)
        try:
            while True:
                self.next_event()
        except TimeoutError:
            pass
        finally:
            self.events.settimeout(120)

    def last_rebuild_seconds(self, start: int, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in reversed(self.lines[start:]):
                if match := re.match(r"Rebuilt .* in ([\d.]+) s", line):
                    return float(match.group(1))
            time.sleep(0.01)
        raise SystemExit("no 'Rebuilt' line:\n" + "".join(self.lines[-20:]))

    def stop(self) -> None:
        self.events.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def save_to_event(preview: Preview, edited: Path, original: str, round_: int) -> tuple[float, float, float]:
    """One edit: seconds from the write to the first event (the edited page written), to the event of the
    finished build, and the rebuild as the server reports it."""
    mark = len(preview.lines)
    started = time.perf_counter()
    edited.write_text(f"{original}\nA preview edit, round {round_}.\n", encoding="utf-8")
    event = preview.next_event()
    first = time.perf_counter() - started
    if event.get("pages"):
        event = preview.build_done()
    done = time.perf_counter() - started
    if not event["ok"]:
        raise SystemExit("the rebuild failed:\n" + "".join(preview.lines[mark:]))
    return first, done, preview.last_rebuild_seconds(mark)


SEEN_SCRIPT = """
(() => {
  // Runs in every document the tab loads: notes (in sessionStorage, which survives a reload) the
  // moment the text the benchmark is waiting for is in the page, at the next frame.
  const check = () => {
    const want = sessionStorage.getItem("benchWant");
    if (want && !sessionStorage.getItem("benchSeen") && document.body && document.body.textContent.includes(want)) {
      sessionStorage.setItem("benchSeen", "pending");
      requestAnimationFrame(() => sessionStorage.setItem("benchSeen", String(performance.timeOrigin + performance.now())));
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def seen_at(tab: object, timeout: float = 60) -> float:
    """The wall-clock second at which the tab showed the awaited text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen = tab.evaluate("sessionStorage.getItem('benchSeen')")  # type: ignore[attr-defined]
        except Exception:  # the page is navigating; ask again
            seen = None
        if seen and seen != "pending":
            return float(seen) / 1000
        time.sleep(0.005)
    raise SystemExit("the tab never showed the edit")


def save_to_screen(preview: Preview, edited: Path, original: str, url: str, repeat: int,
                   spacing: float) -> tuple[list[float], int]:
    """Seconds from the write until an open Chromium tab shows the new sentence, without touching the tab,
    saves ``spacing`` seconds apart whether or not the previous rebuild has finished (as an author saves);
    also how many of them reloaded the page rather than patching it."""
    from playwright.sync_api import sync_playwright

    seconds: list[float] = []
    reloads = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.add_init_script(SEEN_SCRIPT)
        tab.goto(preview.url + url)
        tab.wait_for_function("document.querySelector('script[data-generation]') !== null")
        time.sleep(1.0)  # the event stream connects, as it has long done in a tab the author looks at
        last = time.monotonic()
        for round_ in range(1, repeat + 1):
            text = f"A browser edit, round {round_}."
            tab.evaluate("text => { sessionStorage.setItem('benchWant', text); sessionStorage.removeItem('benchSeen');"
                         " window.benchNotReloaded = true; }", text)
            time.sleep(max(0.0, last + spacing - time.monotonic()))
            last = time.monotonic()
            started = time.time()
            edited.write_text(f"{original}\n{text}\n", encoding="utf-8")
            seconds.append(seen_at(tab) - started)
            reloads += tab.evaluate("window.benchNotReloaded !== true")  # the next save does not wait for the build
        browser.close()
    preview.quiet()  # let the last rebuild finish before the server stops
    return seconds, reloads


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms" if values else "-"


def bench(count: int, repeat: int, browser: bool, search: bool, spacing: float, warm: bool) -> dict[str, str]:
    site, edited, url = make_site(count, search)
    original = edited.read_text(encoding="utf-8")
    if not warm:
        shutil.rmtree(site / ".sitegen", ignore_errors=True)
    preview = Preview(site)
    try:
        to_event: list[float] = []
        to_done: list[float] = []
        rebuilds: list[float] = []
        for round_ in range(1, repeat + 1):
            first, done, rebuild = save_to_event(preview, edited, original, round_)
            to_event.append(first)
            to_done.append(done)
            rebuilds.append(rebuild)
            time.sleep(spacing)
        to_screen, reloads = save_to_screen(preview, edited, original, url, repeat, spacing) if browser else ([], 0)
    finally:
        edited.write_text(original, encoding="utf-8")
        preview.stop()
    return {"briefings": f"{count:,}", f"start ({'warm' if warm else 'cold'} preview build)": f"{preview.startup:.1f} s",
            "save → page-written event": median_ms(to_event), "save → build-done event": median_ms(to_done),
            "rebuild alone": median_ms(rebuilds),
            "save → new text in Chromium": median_ms(to_screen) + (f" ({reloads} reloads)" if reloads else ""),
            "each save in Chromium": " / ".join(f"{value * 1000:.0f}" for value in to_screen) or "-"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000], help="site sizes (default 1000 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed edits per size (default 5)")
    parser.add_argument("--spacing", type=float, default=1.5, help="seconds between saves (default 1.5)")
    parser.add_argument("--warm-start", action="store_true",
                        help="keep .sitegen/ from the last run, so the server starts from its cache")
    parser.add_argument("--browser", action="store_true", help="also time the new text in headless Chromium")
    parser.add_argument("--search", action="store_true", help="keep Pagefind re-indexing in the background")
    args = parser.parse_args()
    rows = [bench(count, args.repeat, args.browser, args.search, args.spacing, args.warm_start) for count in args.counts]
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |")
    print(f"\nmedians of {args.repeat} edits {args.spacing} s apart; command: python bench/bench_serve.py "
          + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
