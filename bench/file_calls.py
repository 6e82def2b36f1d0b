"""How many folders and files a cold build creates or opens, counted by Python's audit hooks, against another checkout.

    .venv/bin/python bench/file_calls.py [--size 1000] [--against /other/checkout]

Under gVisor a ``mkdir`` or an ``open`` costs about half a millisecond, as
much as rendering half a page, and on a shared machine that saving drowns in
the noise of a timing. Counting the calls does not: this runs one cold
``sitegen build --no-search`` per checkout in this process's child, with
rendering kept in that one process so every call is seen, and prints the
``os.mkdir`` and ``open`` audit events (``open`` counts ``os.open`` and the
built-in ``open`` alike).
"""

from __future__ import annotations

import subprocess
import sys

from one_edit import compared, comparison_parser, prepare

COUNT = """
import collections, shutil, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import sitegen.workers
sitegen.workers.worker_count = lambda *args, **kwargs: 1
counts = collections.Counter()
sys.addaudithook(lambda event, args: counts.update([event]) if event in ("os.mkdir", "open") else None)
from sitegen.cli import main
site = Path(sys.argv[2])
for path in (site / "public", site / ".sitegen"):
    shutil.rmtree(path, ignore_errors=True)
assert main(["build", "--no-search", "--site", str(site)]) == 0
print(counts["os.mkdir"], counts["open"])
"""


def main() -> None:
    args = comparison_parser(__doc__, 1000, 1, "cold builds").parse_args()
    checkouts = compared("calls", args.size, args.against)
    prepare(args.size, checkouts)
    print("| checkout | os.mkdir | open |")
    print("|---|---:|---:|")
    for checkout in [c for _ in range(args.repeat) for c in checkouts]:  # the counts repeat exactly; timings would not
        done = subprocess.run([sys.executable, "-c", COUNT, str(checkout.code), str(checkout.site)],
                              capture_output=True, text=True, check=True)
        mkdirs, opens = done.stdout.split()[-2:]
        print(f"| {checkout.label} | {mkdirs} | {opens} |", flush=True)


if __name__ == "__main__":
    main()
