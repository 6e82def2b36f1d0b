"""How long this machine's disk takes to create a built site's files, apart from building them.

    .venv/bin/python bench/write_tree.py PUBLIC_FOLDER [--repeat 4] [--into DIR ...]

Reads every file of a built site (for example ``.cache/bench/work/4000/sitegen/public`` after
``bench/run.py``) into memory, then writes the same tree, folders and files, into a fresh folder
under each ``--into`` (default: beside this checkout's ``.cache`` and in ``/dev/shm``), ``--repeat``
times, deleting the previous copy first as a cold build's benchmark deletes the output. The CPU
seconds are what creating those folders and files costs, which a cold build pays whatever
generator it is: on a virtual machine's disk they swing by seconds from one try to the next.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_tree(folder: Path) -> list[tuple[str, bytes]]:
    found = []
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            found.append((str(path.relative_to(folder)), path.read_bytes()))
    return found


def write_tree(files: list[tuple[str, bytes]], target: Path) -> float:
    """CPU seconds to make every folder (once) and write every file."""
    made: set[str] = set()
    started = time.process_time()
    for relpath, data in files:
        path = os.path.join(target, relpath)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(path, "wb") as handle:
            handle.write(data)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("public", type=Path, help="a built site's output folder")
    parser.add_argument("--repeat", type=int, default=4, help="copies written per place (default 4)")
    parser.add_argument("--into", type=Path, action="append", help="where to write (default: .cache/ and /dev/shm)")
    args = parser.parse_args()
    files = read_tree(args.public)
    size = sum(len(data) for _, data in files) / 1e6
    places = args.into or [ROOT / ".cache" / "write-tree", *([Path("/dev/shm/write-tree")] if Path("/dev/shm").is_dir() else [])]
    print(f"{len(files):,} files, {size:.0f} MB from {args.public}; CPU seconds per copy:\n")
    print("| place | " + " | ".join(f"copy {n}" for n in range(1, args.repeat + 1)) + " |")
    print("|---|" + "---:|" * args.repeat)
    for place in places:
        seconds = []
        for _ in range(args.repeat):
            shutil.rmtree(place, ignore_errors=True)
            seconds.append(write_tree(files, place))
        shutil.rmtree(place, ignore_errors=True)
        print(f"| {place} | " + " | ".join(f"{value:.2f}" for value in seconds) + " |", flush=True)


if __name__ == "__main__":
    main()
