"""Live reload: what open pages are told after each build, the script that listens, and the error page.

Every page the preview sends carries a small script (added while serving, so
built files never hold it) that listens on a Server-Sent Events stream. The
rebuild worker records each finished build in :class:`BuildStatus`; the event
streams wait on it. While the site does not build, pages are replaced by an
error page naming file, line, problem and hint, with paths relative to the site
so the page never shows where the machine keeps things.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from ..errors import Problem

EVENTS_URL = "/__sitegen/events"
SCRIPT_URL = "/__sitegen/livereload.js"


@dataclass(frozen=True)
class BuildOutcome:
    """What open pages need to know about the latest build."""

    session: str
    generation: int
    reload_from: int
    """The latest generation that needs a full page reload; builds after it only changed stylesheets."""
    problems: tuple[Problem, ...] = ()
    pages: tuple[str, ...] | None = None
    """Set while a build is still running: only these pages (site paths) are new so far."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_event(self) -> bytes:
        """One Server-Sent Event, read by livereload.js."""
        data = json.dumps({"session": self.session, "generation": self.generation,
                           "reloadFrom": self.reload_from, "ok": self.ok, "pages": self.pages})
        return f"event: build\ndata: {data}\n\n".encode()


class BuildStatus:
    """The latest :class:`BuildOutcome`, and a way for event streams to wait for the next one."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._latest = BuildOutcome(secrets.token_hex(4), generation=0, reload_from=0)
        self._listeners: list[Callable[[], object]] = []
        self.closed = False

    def listen(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` (from the recording thread) after each build and when the session closes."""
        self._listeners.append(callback)

    def _tell(self) -> None:
        for callback in list(self._listeners):
            callback()

    @property
    def latest(self) -> BuildOutcome:
        return self._latest

    def record(self, problems: Sequence[Problem] = (), stylesheets_only: bool = False) -> BuildOutcome:
        """Publish a finished build; pages reload unless only stylesheets changed since a good build."""
        with self._changed:
            previous = self._latest
            generation = previous.generation + 1
            swap = stylesheets_only and previous.ok and not problems
            self._latest = BuildOutcome(previous.session, generation,
                                        previous.reload_from if swap else generation, tuple(problems))
            self._changed.notify_all()
            latest = self._latest
        self._tell()
        return latest

    def record_pages(self, pages: Sequence[str]) -> BuildOutcome:
        """Tell open tabs, while a build goes on, that these pages are already written: the tabs showing
        them update now, the others wait for the build to finish."""
        with self._changed:
            previous = self._latest
            generation = previous.generation + 1
            self._latest = BuildOutcome(previous.session, generation, generation, previous.problems, tuple(pages))
            self._changed.notify_all()
            latest = self._latest
        self._tell()
        return latest

    def wait_after(self, generation: int, timeout: float | None) -> BuildOutcome | None:
        """The first outcome newer than ``generation``; None on timeout or when the session closes."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self._latest.generation != generation, timeout)
            return None if self.closed or self._latest.generation == generation else self._latest

    def close(self) -> None:
        """End every event stream, so their threads finish."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()
        self._tell()


@cache
def live_reload_script() -> bytes:
    return resources.files(__package__).joinpath("livereload.js").read_bytes()


def with_live_reload(page: bytes, outcome: BuildOutcome, error_page: bool = False) -> bytes:
    """The page with the live-reload script before ``</body>``: added while serving, so built files never hold it."""
    tag = (f'<script src="{SCRIPT_URL}" data-session="{outcome.session}" data-generation="{outcome.generation}"'
           f' data-error="{int(error_page)}"></script>\n').encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


# --- the error page ---


@cache
def _error_template() -> jinja2.Template:
    """The error page's template, autoescaped: every problem quotes the author's own text."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(resources.files(__package__).joinpath("templates", "error.html").read_text("utf-8"))


_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_SEGMENT = r"[^\s/'\"<>()\[\],;:`]+"


@cache
def _machine_path() -> re.Pattern[str]:
    """An absolute path on this machine: one that starts with a real top-level folder (``/home/…``,
    ``/tmp/…``), so that URL paths such as ``/briefings/2024/`` in a message are left alone."""
    tops = sorted((re.escape(entry.name) for entry in Path("/").iterdir()), key=len, reverse=True)
    return re.compile(rf"(?<![\w.:/])/(?:{'|'.join(tops)})(?:/{_SEGMENT})*?(?:/({_SEGMENT}))?(?![^\s'\"<>()\[\],;:`])")


def site_relative(text: str, root: Path) -> str:
    """``text`` with absolute paths shown relative to the site: the site's own files as the author
    names them, the built-in theme as ``sitegen/…``, anything else outside the site as ``…/name``."""
    for base, shown in ((root, ""), (root.resolve(), ""), (_PACKAGE_DIR, "sitegen/")):
        text = text.replace(f"{base}/", shown).replace(str(base), shown or ".")
    return _machine_path().sub(lambda match: f"…/{match.group(1) or ''}", text)


def source_excerpt(root: Path, problem: Problem, around: int = 2) -> list[tuple[int, str, bool]]:
    """The lines around a problem's line in the author's file, with that line marked; empty when the
    problem has no line or names no file of the site (a URL, the built-in theme)."""
    path = root / problem.path  # an absolute problem.path stays as it is
    if not problem.line or not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    first, last = max(problem.line - around, 1), min(problem.line + around, len(lines))
    return [(number, lines[number - 1], number == problem.line) for number in range(first, last + 1)]


def error_page(outcome: BuildOutcome, root: Path) -> bytes:
    """The page shown in place of every page while the site does not build: each problem with file,
    line, message, hint and the lines around it."""
    problems = [{"where": site_relative(problem.location(), root), "message": site_relative(problem.message, root),
                 "hint": site_relative(problem.hint, root), "excerpt": source_excerpt(root, problem)}
                for problem in outcome.problems]
    page = _error_template().render(problems=problems)
    return with_live_reload(page.encode(), outcome, error_page=True)
