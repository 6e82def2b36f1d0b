"""YAML in one place: the safe loader, key lines and error lines for site.yml, front matter and data files.

Every YAML text the site reads goes through :func:`load` (or its front matter
variant), so each one is parsed the same safe way and every syntax error
becomes one :class:`~sitegen.errors.Problem` with the line in the *file*.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml

from .errors import Problem, SiteError


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader (the C one when available), but an impossible date such
    as 2024-13-45 stays a string so validation can point at its line instead of crashing."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class AliasRefused(yaml.constructor.ConstructorError):
    """An alias in front matter; its own type so the message can say what to do instead."""


class FrontMatterLoader(Loader):
    """The site's safe loader, minus YAML aliases: a few lines of ``&a`` / ``*a`` can
    expand into billions of values ("billion laughs") once anything walks or prints them."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise AliasRefused(None, None, "alias", node.start_mark)
        return super().construct_object(node, deep)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes dates as ISO 8601 with a ``T`` and offset, the form the docs show authors."""


_Dumper.add_representer(
    datetime, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat()))


def dump(data: dict[str, Any]) -> str:
    """YAML in block style, keys in the given order, non-Latin text as written (not escaped)."""
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000))


def key_lines(text: str) -> dict[str, int]:
    """Line (1-based) of every top-level and nested mapping key, as ``a.b`` paths."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{prefix}{key.value}"
                lines[name] = key.start_mark.line + 1
                walk(value, name + ".")

    if node is not None:
        walk(node, "")
    return lines


def yaml_problem(path: str, error: yaml.YAMLError, line_offset: int = 0) -> Problem:
    """Turn a PyYAML error into a Problem with the line in the *file*."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    return Problem(path, line, f"invalid YAML: {reason}",
                   "check indentation, and quote values that contain ': ' or start with a special character")


def load(text: str, path: str) -> Any:
    """Parse a YAML file's text safely; a syntax error is a SiteError naming ``path`` and the line."""
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a safe loader
    except yaml.YAMLError as error:
        raise SiteError([yaml_problem(path, error)]) from None


def load_front_matter(text: str, path: str) -> Any:
    """Parse front matter (which starts on the file's line 2) safely, refusing aliases and deep nesting."""
    try:
        return yaml.load(text, Loader=FrontMatterLoader)  # noqa: S506 - a safe loader
    except AliasRefused as error:
        line = error.problem_mark.line + 2 if error.problem_mark else None
        raise SiteError([Problem(path, line, "YAML anchors and aliases (&name, *name) are not "
                                 "allowed in front matter", "write the value out in full where it is used")]) from None
    except yaml.YAMLError as error:
        raise SiteError([yaml_problem(path, error, line_offset=1)]) from None
    except RecursionError:
        raise SiteError([Problem(path, 2, "front matter is nested too deeply", "flatten the YAML")]) from None
