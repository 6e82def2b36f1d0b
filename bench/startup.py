"""Commands that should feel instant: `sitegen --version` and a build with nothing to do, against another checkout.

    .venv/bin/python bench/startup.py [--size 1000] [--repeat 10] [--against /other/checkout] [--no-bytecode]

Issue 15 asks for ``sitegen --version`` within 80 ms and a warm build (nothing
changed) of 1,000 briefings within 0.15 s. Both are mostly Python start-up and
imports, so each run is a fresh process, checkouts alternate within every
round, and the table gives the best and the median of wall and CPU (user +
system) seconds: on a shared machine the best is what the code costs.

Python caches compiled modules in ``__pycache__`` (an installed package gets
them at install time); a run with PYTHONDONTWRITEBYTECODE set (this lab's
shell sets it) compiles every sitegen module again on each start. By default
that variable is removed here, so the figures are an installed user's;
``--no-bytecode`` sets it and removes the checkouts' ``sitegen/__pycache__``
folders first, as this lab runs: every sitegen module compiled on each start.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys

from one_edit import LAUNCH, Checkout, compared, comparison_parser, prepare
from run import Sample, measure


def commands(checkout: Checkout) -> dict[str, list[str]]:
    launch = [sys.executable, "-c", LAUNCH, str(checkout.code)]
    return {"--version": [*launch, "--version"],
            "warm build": [*launch, "build", "--no-search", "--site", str(checkout.site)]}


def main() -> None:
    parser = comparison_parser(__doc__, 1000, 10, "runs of each command")
    parser.add_argument("--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE=1: compile on every start")
    args = parser.parse_args()
    if args.no_bytecode:
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    checkouts = compared("startup", args.size, args.against)
    prepare(args.size, checkouts)
    samples: dict[tuple[str, str], list[Sample]] = {}
    for checkout in checkouts:
        shutil.rmtree(checkout.site / ".sitegen", ignore_errors=True)
        if args.no_bytecode:  # Python still reads the bytecode it finds; none is written while the variable is set
            for cache in sorted((checkout.code / "sitegen").rglob("__pycache__")):
                shutil.rmtree(cache)
        measure(commands(checkout)["warm build"], checkout.site)  # the cold build the warm ones find unchanged
        measure(commands(checkout)["warm build"], checkout.site)  # and one to write any bytecode
    for _ in range(args.repeat):
        for checkout in checkouts:
            for name, command in commands(checkout).items():
                samples.setdefault((checkout.label, name), []).append(measure(command, checkout.site))
    print(f"Fresh processes, {args.repeat} runs each, {args.size:,} briefings, bytecode "
          f"{'not cached' if args.no_bytecode else 'cached'}: wall and CPU (user + system) seconds.\n")
    print("| checkout | command | best wall s | median wall s | best CPU s | median CPU s |")
    print("|---|---|---:|---:|---:|---:|")
    for (label, name), found in samples.items():
        wall, cpu = [s.seconds for s in found], [s.cpu for s in found]
        print(f"| {label} | `{name}` | {min(wall):.3f} | {statistics.median(wall):.3f} | {min(cpu):.3f} | "
              f"{statistics.median(cpu):.3f} |")


if __name__ == "__main__":
    main()
