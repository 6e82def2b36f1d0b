"""What reading a dateline and parsing an article cost, per article (issue 11: Babel's names instead of tables).

    .venv/bin/python bench/bench_datelines.py

Times, in one process, (1) loading the CLDR month/weekday names from Babel once, (2)
``parse_dateline`` over every form tests/test_wire.py imports, and (3) ``parse_article`` on the
three wire fixtures in English, French and Arabic; prints microseconds per call.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.importers.datelines import names, parse_dateline  # noqa: E402
from sitegen.importers.formats import Rules, parse_article  # noqa: E402
from tests.test_wire import DATELINES, WIRE  # noqa: E402

ROUNDS = 2000


def per_call(function, items, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for item in items:
            function(item)
    return (time.perf_counter() - started) / (rounds * len(items)) * 1e6


def main() -> None:
    started = time.perf_counter()
    names(())
    print(f"CLDR names loaded once per run: {(time.perf_counter() - started) * 1e3:.1f} ms")
    tz = ZoneInfo("Africa/Cairo")
    lines = [line for line, _ in DATELINES]
    print(f"parse_dateline: {per_call(lambda line: parse_dateline(line, tz), lines, ROUNDS):.1f} µs per dateline "
          f"(mean of {len(lines)} forms × {ROUNDS})")
    texts = [path.read_text(encoding="utf-8") for path in sorted(WIRE.glob("*.txt"))]
    rules = Rules(tz=tz)
    print(f"parse_article: {per_call(lambda text: parse_article(text, 'a.txt', rules), texts, ROUNDS // 4):.1f} µs "
          f"per article (masthead, dateline, byline; en, fr, ar fixtures)")


if __name__ == "__main__":
    main()
