"""Time sitegen's in-process rebuild after one briefing is edited: the loop `sitegen serve` runs.

A CLI rebuild pays for Python start-up, imports and reading the cache back in
on every edit; the preview server keeps one builder alive and only tells it
which file changed. This script does what the server does, without the HTTP
and file-watching parts, so the number is the rebuild alone.

Prints one JSON object: ``{"seconds": [...], "rendered": [...]}``, or
``{"unavailable": "why"}`` when this version of sitegen has no in-process
incremental builder.

    python bench/incremental.py --site DIR --file content/briefings/.../x.md --repeat 3
"""

from __future__ import annotations

import argparse
import inspect
import json
import time
from pathlib import Path

from sitegen import build
from sitegen.config import load_config


def missing_builder() -> str | None:
    """Why this sitegen cannot rebuild in-process, or None when it can."""
    builder = getattr(build, "Builder", None)
    if builder is None:
        return "sitegen.build has no Builder"
    if "in_place" not in inspect.signature(builder).parameters:
        return "sitegen.build.Builder has no in_place mode"
    return None


def changes(site: Path, edited: Path) -> object:
    """What the preview's watcher hands the builder after a save: a ChangeSet, or (before it) a set of paths."""
    try:
        from sitegen.changes import ChangeSet
    except ImportError:
        return {edited}
    return ChangeSet.classify(site, [edited])


def rebuild_times(site: Path, edited: Path, repeat: int) -> dict[str, list]:
    """A first (untimed) build as the server's start-up, then `repeat` timed edit-and-rebuild rounds."""
    options = build.BuildOptions(output=site / ".sitegen" / "bench-preview", search=False)
    builder = build.Builder(load_config(site), options, in_place=True)
    original = edited.read_text(encoding="utf-8")
    seconds: list[float] = []
    rendered: list[int] = []
    try:
        builder.build()
        for round_ in range(1, repeat + 1):
            edited.write_text(f"{original}\nA preview edit, round {round_}.\n", encoding="utf-8")
            started = time.perf_counter()
            result = builder.build(changes(site, edited))
            seconds.append(time.perf_counter() - started)
            rendered.append(result.rendered)
    finally:
        edited.write_text(original, encoding="utf-8")
        builder.close()
    return {"seconds": seconds, "rendered": rendered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="the sitegen site folder")
    parser.add_argument("--file", type=Path, required=True, help="the content file to edit, relative to the site")
    parser.add_argument("--repeat", type=int, default=3, help="timed edits (default 3)")
    args = parser.parse_args()
    site = args.site.resolve()
    reason = missing_builder()
    report = {"unavailable": reason} if reason else rebuild_times(site, site / args.file, args.repeat)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
