"""Loading content: every Markdown file parsed into a :class:`Briefing`, through the build cache.

A file whose size and mtime match the cache is taken from it; the others are
parsed and their bodies rendered, in worker processes for large batches.
Problems are collected across every file, so one run reports them all.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .assets import assets_unchanged
from .cache import CachedFile
from .config import SiteConfig
from .content import Briefing, Content, content_files, is_content_file, links_outside, load_file
from .editions import translation_clashes
from .errors import Problem, SiteError, relative_names
from .story_detection import features
from .topics import topic_links
from .workers import Meanwhile, run_chunked, worker_count

if TYPE_CHECKING:
    from .markdown import BodyRenderer

Cached = dict[str, CachedFile]
"""Parsed files by their path relative to the site (``Briefing.rel``)."""


@dataclass
class Loaded:
    """One load's outcome: the briefings, what was parsed afresh and which files are gone."""

    briefings: list[Content]
    warnings: list[Problem]
    fresh: dict[str, CachedFile]
    present: set[str]
    removed: set[str] = field(default_factory=set)


def _parse_many(files: Sequence[tuple[Path, str]], config: SiteConfig) -> list[Content | SiteError]:
    from .markdown import BodyRenderer  # markdown-it and its plugins: imported only by a build that parses files

    renderer = BodyRenderer(config.markdown, config)
    results: list[Content | SiteError] = []
    for path, rel in files:
        try:
            results.append(_read_whole(path, rel, config, renderer))
        except SiteError as error:
            results.append(error)
        except OSError as error:
            results.append(SiteError([Problem(rel, None, f"cannot read: {error.strerror}")]))
    return results


def _read_whole(path: Path, rel: str, config: SiteConfig, renderer: BodyRenderer) -> Content:
    """One file as a complete document, built here in the worker processes: front matter, rendered body and,
    for a briefing, what story detection compares. The Markdown source, once rendered, is left out: it is
    half of what a worker would send back and the cache keep."""
    parsed = load_file(path, config, rel)
    tags = parsed.tags if isinstance(parsed, Briefing) else ()
    rendered = renderer.render_item(parsed, topic_links(config, tags, parsed.edition_prefix))
    if isinstance(rendered, Briefing):
        return dataclasses.replace(rendered, body="", story_features=features(rendered))
    return dataclasses.replace(rendered, body="")


def parse_files(files: Sequence[tuple[Path, str]], config: SiteConfig,
                meanwhile: Sequence[Meanwhile[Any]] = ()) -> list[Content | SiteError]:
    """Parse and render bodies of (path, ``rel``) pairs, across processes for large batches (``meanwhile``
    threads start once they are forked: :func:`~sitegen.workers.run_chunked`)."""
    if worker_count(len(files)) > 1:  # markdown-it and its plugins imported once here, not again in every worker
        importlib.import_module(f"{__package__}.markdown")
    parts = run_chunked(functools.partial(_parse_many, config=config), files, "Reading", meanwhile=meanwhile)
    return [result for part in parts for result in part]


def load_briefings(config: SiteConfig, cached: Cached | None = None, files: list[Path] | None = None,
                   meanwhile: Sequence[Meanwhile[Any]] = ()) -> Loaded:
    """Every content file (or just ``files``), taken from ``cached`` when its size and mtime are unchanged;
    ``meanwhile`` threads run while worker processes parse the others."""
    problems: list[Problem] = []
    if files is None:
        files, problems = content_files(config)
    cached = cached or {}
    briefings: list[Content] = []
    stale: list[tuple[Path, str, int, int]] = []
    present: set[str] = set()
    for path, rel in zip(files, relative_names(files, config.root), strict=True):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        present.add(rel)
        hit = cached.get(rel)
        if hit and hit.mtime_ns == stat.st_mtime_ns and hit.size == stat.st_size and assets_unchanged(hit.briefing):
            # the site folder may have moved since the cache was written
            briefings.append(hit.briefing if hit.briefing.path == path else dataclasses.replace(hit.briefing, path=path))
        else:
            stale.append((path, rel, stat.st_mtime_ns, stat.st_size))
    fresh: dict[str, CachedFile] = {}
    parsed = parse_files([(path, rel) for path, rel, _, _ in stale], config, meanwhile)
    for (_path, rel, mtime_ns, size), result in zip(stale, parsed, strict=True):
        if isinstance(result, SiteError):
            problems.extend(result.problems)
            continue
        briefings.append(result)
        fresh[rel] = CachedFile(mtime_ns, size, result)
    problems += [warning for item in briefings for warning in item.warnings]
    if any(p.severity == "error" for p in problems):
        # the model checks translations too, but a run that stops here should name every problem at once
        raise SiteError(problems + translation_clashes(briefings, config.language))
    return Loaded(briefings, problems, fresh, present)


def edited_content(config: SiteConfig, changed: Iterable[Path]) -> list[Path]:
    """The content files among paths the preview's watcher saw change (links out of the site left out)."""
    return [Path(p) for p in changed
            if is_content_file(Path(p), config.content_dir) and not links_outside(Path(p), config.root)]


def reload_changed(config: SiteConfig, cached: Cached, changed: Iterable[Path]) -> Loaded:
    """Like :func:`load_briefings`, but re-reads only the files the preview's watcher saw change."""
    edited = edited_content(config, changed)
    edited_rels = set(relative_names(edited, config.root))
    loaded = load_briefings(config, cached, files=edited)
    unchanged = {rel: entry for rel, entry in cached.items() if rel not in edited_rels}
    loaded.briefings.extend(entry.briefing for entry in unchanged.values())
    loaded.present |= unchanged.keys()
    return loaded


def select(items: list[Content], drafts: bool, future: bool, now: datetime) -> list[Content]:
    """Leave out drafts and briefings dated in the future unless asked for."""
    return [b for b in items
            if (drafts or not b.draft)
            and (future or b.date is None or b.date <= now)]  # a page's date is optional
