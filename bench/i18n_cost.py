"""What Babel costs a build: importing it, loading the catalogs, formatting dates and plurals.

    .venv/bin/python bench/i18n_cost.py [--dates 20000]

Prints one line per figure (medians of a few runs). The import is measured in
fresh interpreters, the rest in this one, with the caches the build uses
(each distinct date is formatted once per language per build).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


def import_cost(runs: int = 5) -> float:
    code = "import time; t = time.perf_counter(); import babel.dates, babel.numbers; print(time.perf_counter() - t)"
    return statistics.median(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                  check=True).stdout) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=20_000, help="distinct dates to format per language")
    args = parser.parse_args()
    from sitegen.config import load_config
    from sitegen.i18n import load_interface
    from sitegen.themes import theme_dirs

    print(f"import babel.dates + babel.numbers (fresh interpreter): {import_cost() * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "site.yml").write_text("title: Bench\nlanguages: [en, ar, fr]\ndigits: arab\n", encoding="utf-8")
        config = load_config(Path(folder))
        started = time.perf_counter()
        interface = load_interface(config, theme_dirs(config))
        print(f"load the en, ar, fr catalogs: {(time.perf_counter() - started) * 1000:.1f} ms")
    start = datetime(2015, 1, 1, 9, 30, tzinfo=ZoneInfo("Africa/Cairo"))
    moments = [start + timedelta(hours=7 * i) for i in range(args.dates)]
    for code in ("en", "ar", "fr"):
        language = interface.get(code)
        started = time.perf_counter()
        for moment in moments:
            language.date(moment)
        first = time.perf_counter() - started
        started = time.perf_counter()
        for moment in moments:
            language.date(moment)
        again = time.perf_counter() - started
        started = time.perf_counter()
        for n in range(args.dates):
            language.tn("briefings_count", n % 500)
        plurals = time.perf_counter() - started
        print(f"{code}: {args.dates:,} distinct dates {first * 1e6 / args.dates:.1f} µs each, cached "
              f"{again * 1e6 / args.dates:.2f} µs; tn() {plurals * 1e6 / args.dates:.1f} µs each")


if __name__ == "__main__":
    main()
