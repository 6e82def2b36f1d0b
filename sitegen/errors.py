"""One error type for everything an author or site owner can get wrong.

Every stage reports problems as :class:`Problem` values (file, line, message,
hint) and collects them, so a run shows *all* mistakes at once instead of
stopping at the first. The CLI prints them with :func:`format_problems`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """A single thing wrong with an input file, located as precisely as we can."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: str = "error"

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class SiteError(Exception):
    """Raised with every problem a stage found; never with a half-finished result."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the author knows it: relative to the site when it lies inside it."""
    if root is not None:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
        if path.resolve().is_relative_to(root.resolve()):
            return path.resolve().relative_to(root.resolve()).as_posix()
    return str(path)


def relative_names(paths: Iterable[Path], root: Path) -> list[str]:
    """:func:`display_path` of many files under ``root`` at once, for the loops over every content file: a cut at
    the root's text where the path starts with it (what ``relative_to`` decides for normalised paths, without
    parsing either path again: pathlib per file cost a second per 10,000 briefings where paths need resolving)."""
    prefix = f"{root}{os.sep}"
    return [text[len(prefix):].replace(os.sep, "/") if (text := str(path)).startswith(prefix) else display_path(path, root)
            for path in paths]


def format_problems(problems: list[Problem]) -> str:
    """One readable block: a count, then each problem with its hint."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    lines: list[str] = []
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        lines.append(f"{len(errors)} {noun}:")
        lines.extend(f"  {p}".replace("\n", "\n  ") for p in errors)
    if warnings:
        noun = "warning" if len(warnings) == 1 else "warnings"
        lines.append(f"{len(warnings)} {noun}:")
        lines.extend(f"  {p}".replace("\n", "\n  ") for p in warnings)
    return "\n".join(lines)
