"""What changed since the last build: one batch of saved paths, classified once.

The preview's watcher collects the paths an editor touched; this module says
what they mean (the site's settings, briefings, content folders, raw articles,
stylesheets) so the preview session and the builder read the answer instead of
each guessing again. ``sitegen build`` passes no change set at all: it scans
everything, as a first build must.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import display_path

CONFIG_FILE = "site.yml"
CATALOG_DIR = "locales"
"""Interface catalogs live in a ``locales/`` folder: the site's own, or a theme's (see i18n.py)."""


def is_catalog(path: Path) -> bool:
    """A message catalog (``…/locales/<lang>.yml``), wherever its theme lies: inside the site or, for the
    built-in theme, outside it."""
    return path.parent.name == CATALOG_DIR and path.suffix in (".yml", ".yaml")


@dataclass(frozen=True)
class ChangeSet:
    """A batch of changed paths under ``root``, classified when the batch was taken.

    ``everything`` is an explicit request (the session's first build): no
    empty set ever stands for "all files".
    """

    root: Path
    paths: frozenset[Path] = frozenset()
    everything: bool = False
    config: bool = False
    """site.yml changed: any page may change, so the builder starts over."""
    content: frozenset[Path] = frozenset()
    """Briefing and page files (``content/**.md``) saved, added or removed."""
    content_folders: bool = False
    """A folder under content/ appeared, vanished or was renamed: the builder scans the folder again."""
    seeds: frozenset[Path] = frozenset()
    """Raw articles saved in seeds/, to import before building."""
    edits_only: bool = False
    """Every path is an existing content file: the common save, which may re-render just its own pages."""
    stylesheets_only: bool = False
    """Every path is a stylesheet: open pages can swap them without a reload."""
    imported: frozenset[Path] = field(default=frozenset())
    """Content files the importer wrote for this batch."""
    catalogs: bool = False
    """An interface catalog was saved, added or removed: the words of every page may change."""

    @classmethod
    def full(cls, root: Path) -> ChangeSet:
        """A build of everything, as when the session starts."""
        return cls(root=root, everything=True)

    @classmethod
    def classify(cls, root: Path, paths: Iterable[Path], everything: bool = False) -> ChangeSet:
        """Sort ``paths`` (absolute, under ``root``) by what they are; files are looked at once, now."""
        kept = frozenset(path for path in paths if (path.is_relative_to(root) and path != root) or is_catalog(path))
        config = root / CONFIG_FILE in kept
        content_dir, seeds_dir = root / "content", root / "seeds"
        content = frozenset(p for p in kept if p.is_relative_to(content_dir) and p.suffix == ".md" and not p.is_dir())
        folders = any(p.is_relative_to(content_dir) and p not in content and (p.is_dir() or not p.exists()) for p in kept)
        seeds = frozenset(p for p in kept if p.is_relative_to(seeds_dir) and p.is_file())
        existing_edits = bool(kept) and kept == content and all(p.is_file() for p in content)
        return cls(root=root, paths=kept, everything=everything, config=config, content=content,
                   content_folders=folders, seeds=seeds, edits_only=existing_edits and not everything,
                   stylesheets_only=bool(kept) and not everything and all(p.suffix == ".css" for p in kept),
                   catalogs=any(is_catalog(p) for p in kept))

    @property
    def fresh_start(self) -> bool:
        """The builder must be made anew (first build, or the settings changed)."""
        return self.everything or self.config

    @property
    def rescan(self) -> bool:
        """The content folder must be listed again rather than trusting :attr:`content`."""
        return self.fresh_start or self.content_folders

    def __or__(self, other: ChangeSet) -> ChangeSet:
        """Both batches at once (a failed build's changes are handed over again with the next ones)."""
        return ChangeSet(
            root=self.root, paths=self.paths | other.paths, everything=self.everything or other.everything,
            config=self.config or other.config, content=self.content | other.content,
            content_folders=self.content_folders or other.content_folders, seeds=self.seeds | other.seeds,
            edits_only=self.edits_only and other.edits_only,
            stylesheets_only=self.stylesheets_only and other.stylesheets_only,
            imported=self.imported | other.imported, catalogs=self.catalogs or other.catalogs)

    def with_imported(self, written: Iterable[Path]) -> ChangeSet:
        """This batch plus the content files the importer wrote from its raw articles."""
        written = frozenset(written)
        if not written:
            return self
        return ChangeSet(
            root=self.root, paths=self.paths | written, everything=self.everything, config=self.config,
            content=self.content | written, content_folders=self.content_folders, seeds=self.seeds,
            edits_only=False, stylesheets_only=False, imported=self.imported | written, catalogs=self.catalogs)

    def describe(self) -> str:
        """The changed files for a terminal line: ``content/a.md and 2 more``; empty for a full build."""
        names = sorted(display_path(path, self.root) for path in self.paths)
        if not names:
            return ""
        return names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")
