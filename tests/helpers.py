"""Helpers for tests: real site folders on disk and the real ``sitegen`` command."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SITEGEN_CORPUS", REPO.parent / "shared" / "corpus"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def briefing(title: str, date: str = "2024-05-01T09:30:00+02:00", body: str = "Body text.", **fields: str) -> str:
    """A briefing file's text, with extra front matter fields given as YAML snippets."""
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


def run_sitegen(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


_AS_ON_A_TERMINAL = (
    "import runpy, signal, sys\n"
    "ignored = sys.argv.pop(1) == 'ignored'\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN if ignored else signal.default_int_handler)\n"
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})\n"
    "runpy.run_module('sitegen', run_name='__main__', alter_sys=True)\n"
)


def start_sitegen(*args: str | Path, sigint: str = "terminal", **popen) -> subprocess.Popen:
    """``sitegen ARGS`` in a subprocess whose Ctrl-C and SIGTERM are what the test says, not what the
    test run inherited: ``nohup make test &`` (or a CI runner) starts everything with SIGINT ignored,
    and a Python started that way never turns SIGINT into KeyboardInterrupt. ``sigint="terminal"``
    gives the command the default a person's terminal gives it; ``"ignored"`` the background job's."""
    assert sigint in ("terminal", "ignored")
    return subprocess.Popen([sys.executable, "-c", _AS_ON_A_TERMINAL, sigint, *map(str, args)], **popen)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def run_sitegen_on_terminal(*args: str | Path, timeout: float = 120) -> tuple[int, bytes]:
    """Run sitegen with stderr on a pseudo-terminal, as a person would see it; return (exit code, what it showed).

    The terminal is read while the command runs, so a chatty progress bar can never fill it and stall.
    """
    terminal, child_end = pty.openpty()
    shown = b""
    try:
        process = subprocess.Popen([sys.executable, "-m", "sitegen", *map(str, args)], stdout=subprocess.DEVNULL,
                                   stderr=child_end)
        os.close(child_end)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.2)[0]:
                try:
                    chunk = os.read(terminal, 65536)
                except OSError:  # the terminal closes once the command has exited and all is read
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        return process.wait(timeout=max(deadline - time.monotonic(), 1)), shown
    finally:
        os.close(terminal)


AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """Run axe-core (installed by `make axe`) on an open Playwright page; one line per violation and element.

    Skips the calling test when axe-core is not installed, and fails it in CI, where `make test` installs it.
    """
    import pytest

    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing; `make axe` installs it")
        pytest.skip(f"axe-core is not installed at {AXE} (run `make axe`)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary}`))""")
    return list(found)
