"""What a cold build pays to learn its template facts (sitegen.plan.template_facts), against another checkout.

    .venv/bin/python bench/template_facts.py [--repeat 3] [--against /other/checkout]

Each run is a fresh process (as a cold build is: nothing parsed yet) that
asks for the facts of every page template of the default theme, on the
repository's own site; it prints the CPU seconds of that call and which
templates read ``site``, so two checkouts can be seen to agree.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import hashlib, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sitegen.config import load_config
from sitegen.inventory import take_inventory
from sitegen.plan import template_facts
from sitegen.render import UrlHelper, make_environment
config = load_config(Path(sys.argv[2]))
env = make_environment(config, UrlHelper(config.base_url, config.base_path))
inventory = take_inventory(config)
names = {p.name for p in (Path(sys.argv[1]) / "themes/default/templates").iterdir() if not p.name.startswith("_")}
started = time.process_time()
facts = template_facts(env, names, inventory)
seconds = time.process_time() - started
files = hashlib.blake2b(repr(sorted((n, f.files) for n, f in facts.items())).encode(), digest_size=8).hexdigest()
print(f"{seconds:.4f} {files} {','.join(sorted(n for n, f in facts.items() if f.uses_site)) or '-'}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per checkout (default 3)")
    parser.add_argument("--against", type=Path, help="another sitegen checkout (its root folder)")
    args = parser.parse_args()
    checkouts = [ROOT] + ([args.against.resolve()] if args.against else [])
    runs: dict[Path, list[list[str]]] = {c: [] for c in checkouts}
    for _ in range(args.repeat):
        for checkout in checkouts:  # alternating, so a noisy neighbour slows both alike
            done = subprocess.run([sys.executable, "-c", MEASURE, str(checkout), str(ROOT)], capture_output=True,
                                  text=True, check=True)
            runs[checkout].append(done.stdout.split())
    print("| checkout | best CPU s | median CPU s | template files digest | templates reading `site` |")
    print("|---|---:|---:|---|---|")
    for checkout, found in runs.items():
        seconds = [float(run[0]) for run in found]
        print(f"| {checkout} | {min(seconds):.3f} | {statistics.median(seconds):.3f} | {found[0][1]} | {found[0][2]} |")


if __name__ == "__main__":
    main()
