"""One edited briefing rebuilt from the command line at archive scale, optionally against another checkout.

    .venv/bin/python bench/one_edit.py --size 10000 [--search] [--repeat 3] [--against /other/checkout]

Issue 15's author targets: one edited briefing rebuilt by ``sitegen build`` in
at most 1 s at 10,000 briefings without search, 3 s with search, 5 s at
100,000 without. Each checkout gets its own copy of the generated corpus
(seed 7, as bench/run.py) under ``.cache/bench/work/edit-<size>-<label>/``;
it is built cold once, then once with nothing changed, then ``--repeat`` times
with a sentence appended to one briefing (the edit bench/run.py makes),
alternating checkouts within each round so both see the same machine load.
Times are wall seconds of the whole command; peak MiB is the largest resident
set among the build's processes as the kernel reports it to ``wait4``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generate import make_corpus, write_corpus
from run import SITEGEN_CONFIG, WORK, Sample, append_edit, measure

LAUNCH = "import sys; sys.path.insert(0, sys.argv.pop(1)); from sitegen.cli import main; sys.exit(main())"
"""Runs the `sitegen` command from the checkout named first on the command line."""


@dataclass
class Checkout:
    label: str
    code: Path
    site: Path
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {"cold": [], "warm": [], "edit": []})

    def build(self, phase: str, search: bool) -> Sample:
        command = [sys.executable, "-c", LAUNCH, str(self.code), "build", "--site", str(self.site)]
        sample = measure(command if search else [*command, "--no-search"], self.site)
        self.samples[phase].append(sample)
        return sample


def comparison_parser(doc: str, size: int, repeat: int, what: str) -> argparse.ArgumentParser:
    """The options every script timing this checkout against another one takes: --size, --repeat, --against."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=size, help=f"briefings (default {size})")
    parser.add_argument("--repeat", type=int, default=repeat, help=f"{what} per checkout (default {repeat})")
    parser.add_argument("--against", type=Path, help="another sitegen checkout (its root folder) to time alike")
    return parser


def compared(kind: str, size: int, against: Path | None) -> list[Checkout]:
    """This checkout and, when given, another one, each building its own site folder under WORK."""
    checkouts = [Checkout("this checkout", Path(__file__).resolve().parent.parent, WORK / f"{kind}-{size}-this")]
    if against:
        checkouts.append(Checkout(str(against), against.resolve(), WORK / f"{kind}-{size}-other"))
    return checkouts


def prepare(size: int, checkouts: list[Checkout]) -> Path:
    """A fresh copy of the corpus per checkout; returns the edited briefing, relative to content/."""
    briefings = make_corpus(size, 7)
    for checkout in checkouts:
        shutil.rmtree(checkout.site, ignore_errors=True)
        checkout.site.mkdir(parents=True)
        (checkout.site / "site.yml").write_text(SITEGEN_CONFIG, encoding="utf-8")
        write_corpus(briefings, checkout.site / "content")
    first = checkouts[0].site / "content"
    return sorted(first.rglob("*.md"))[len(briefings) // 2].relative_to(first)


def cell(samples: list[Sample]) -> str:
    """Median wall seconds (min-max) / median CPU seconds."""
    if not samples:
        return "n/a"
    values = [s.seconds for s in samples]
    spread = f" ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else ""
    return f"{statistics.median(values):.2f}{spread} / {statistics.median(s.cpu for s in samples):.2f}"


def main() -> None:
    parser = comparison_parser(__doc__, 10000, 3, "edited builds")
    parser.add_argument("--search", action="store_true", help="build with the Pagefind search index")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the sites a previous run built (no new corpus, no cold build)")
    args = parser.parse_args()
    checkouts = compared("edit", args.size, args.against)
    if args.keep:
        content = checkouts[0].site / "content"
        edited = sorted(content.rglob("*.md"))[args.size // 2].relative_to(content)
    else:
        edited = prepare(args.size, checkouts)
    for phase in ("warm",) if args.keep else ("cold", "warm"):
        for checkout in checkouts:
            sample = checkout.build(phase, args.search)
            print(f"{checkout.label}: {phase} {sample.seconds:.2f} s, CPU {sample.cpu:.2f} s", file=sys.stderr, flush=True)
    for round_ in range(1, args.repeat + 1):
        for checkout in checkouts:
            append_edit(checkout.site / "content" / edited, round_)
            sample = checkout.build("edit", args.search)
            print(f"{checkout.label}: edit {round_} {sample.seconds:.2f} s, CPU {sample.cpu:.2f} s", file=sys.stderr, flush=True)
    search = "with search" if args.search else "--no-search"
    print(f"\n{args.size:,} briefings, sitegen build {search}; edited: content/{edited}\n")
    print("Each cell: wall seconds / CPU seconds of all the build's processes.\n")
    print("| checkout | cold s | warm s | one edited, CLI s (median, min-max) | peak MiB |")
    print("|---|---:|---:|---:|---:|")
    for checkout in checkouts:
        peak = max(s.peak_mib for phase in checkout.samples.values() for s in phase)
        print(f"| {checkout.label} | {cell(checkout.samples['cold'])} | {cell(checkout.samples['warm'])} | "
              f"{cell(checkout.samples['edit'])} | {peak:.0f} |")


if __name__ == "__main__":
    main()
