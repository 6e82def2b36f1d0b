"""Commands that should start at once import only what they use (issue 15: `--version`, a build with nothing to do).

How long they take is measured in bench/startup.py; these tests keep the reason it is short: the Markdown
parser, Babel and the process pool are imported only by a build that parses, renders or fans out.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .helpers import briefing, write

RUN_AND_LIST = """
import contextlib, json, sys
from sitegen.cli import main
code = 0
try:
    code = main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
watched = json.loads(sys.argv[1])
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules} & set(watched))}))
"""


def imported_by(watched: tuple[str, ...], *args: str | Path) -> set[str]:
    """Which of ``watched`` (top-level packages) ``sitegen ARGS`` imported, run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, json.dumps(watched), *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] in (0, None), done.stderr
    return set(report["modules"])


def test_a_build_with_nothing_to_do_imports_no_parser_locale_data_or_process_pool(site):
    heavy = ("markdown_it", "mdit_py_plugins", "babel", "multiprocessing", "ctypes")
    write(site / "content/briefings/a.md", briefing("Alpha", body="Some *Markdown* with a number: 1,234."))
    assert imported_by(heavy, "build", "--no-search", "--site", site) >= {"markdown_it", "babel"}  # it parses
    assert imported_by(heavy, "build", "--no-search", "--site", site) == set()  # nothing changed since


def test_version_imports_no_pipeline_stage():
    assert imported_by(("jinja2", "yaml", "babel", "markdown_it"), "--version") == set()
