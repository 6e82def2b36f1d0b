"""One inventory of the site's files per build: content, templates and static files, each folder walked once.

Every later step asks the inventory instead of the file system: whether
anything changed since the last build (sizes and mtimes), which template
files a page template is made of, which static files to publish.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig
from .content import walk_content
from .errors import Problem, display_path
from .i18n import catalog_files
from .themes import static_dirs, template_dirs, theme_dirs


@dataclass(frozen=True)
class SiteFile:
    """A file of the site, with the size and mtime it had when the inventory was taken."""

    path: Path
    mtime_ns: int
    size: int

    @classmethod
    def at(cls, path: Path) -> SiteFile:
        stat = path.stat()
        return cls(path, stat.st_mtime_ns, stat.st_size)

    def digest(self) -> str:
        """A hash of the file's bytes (read now)."""
        return hashlib.blake2b(self.path.read_bytes(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Inventory:
    """The site's input files as one build finds them."""

    content: list[SiteFile] | None
    """Every content file, or None when the preview said which ones changed and the folder was not scanned."""
    problems: list[Problem]
    template_files: tuple[SiteFile, ...]
    """Every file of every template folder, most specific folder first, shadowed ones included."""
    templates: dict[str, SiteFile] = field(default_factory=dict)
    """By template name: the file that lookup finds (the site's own before the theme's)."""
    statics: dict[str, SiteFile] = field(default_factory=dict)
    """By path in the output: the file published there (the site's own over the theme's over content's)."""
    assets: dict[str, SiteFile] = field(default_factory=dict)
    """Files beside briefings in content/ (not Markdown), by their path there, which is their path on the site."""
    catalogs: tuple[SiteFile, ...] = ()
    """The interface message catalogs (themes' and the site's ``locales/*.yml``): their words are on every page."""

    @property
    def content_paths(self) -> list[Path] | None:
        return None if self.content is None else [f.path for f in self.content]

    def sources_digest(self, settings: str) -> str:
        """A hash of every input's size and mtime (content, templates, static files) and the settings."""
        return _digest(settings, (*(self.content or ()), *self.template_files, *self.statics.values(), *self.catalogs))

    def frame_digest(self, settings: str) -> str:
        """A hash of every input but content (templates, static files, catalogs) and the settings: while it
        holds, only briefings changed."""
        return _digest(settings, (*self.template_files, *self.statics.values(), *self.catalogs))


def _digest(settings: str, files: tuple[SiteFile, ...]) -> str:
    stats = [(str(f.path), f.mtime_ns, f.size) for f in files]
    return hashlib.blake2b(repr((settings, stats)).encode(), digest_size=16).hexdigest()


def take_inventory(config: SiteConfig, scan_content: bool = True) -> Inventory:
    """Walk the template and static folders (and content/, unless told not to) once."""
    scan = walk_content(config)  # the files beside briefings are published: walked either way
    content: list[SiteFile] | None = None
    problems: list[Problem] = []
    if scan_content:
        content = [found for path, entry in scan.markdown if (found := _stat_entry(path, entry))]
        problems = scan.problems
    template_files: list[SiteFile] = []
    templates: dict[str, SiteFile] = {}
    for folder in template_dirs(config):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and (found := _stat(path)):
                    template_files.append(found)
                    templates.setdefault(path.relative_to(folder).as_posix(), found)
    assets = {rel: found for rel, path, entry in scan.others if (found := _stat_entry(path, entry))}
    statics = static_files(config, assets, problems)
    catalogs = tuple(found for path in catalog_files(config, theme_dirs(config)) if (found := _stat(path)))
    return Inventory(content, problems, tuple(template_files), templates, statics, assets, catalogs)


def statics_digest(statics: dict[str, SiteFile]) -> str:
    """Changes when a static file is added, removed or touched."""
    stats = [(rel, f.size, f.mtime_ns) for rel, f in sorted(statics.items())]
    return hashlib.blake2b(repr(stats).encode(), digest_size=16).hexdigest()


def static_files(config: SiteConfig, assets: dict[str, SiteFile],
                 problems: list[Problem] | None = None) -> dict[str, SiteFile]:
    """Files beside briefings, theme static files, then the site's own ``static/``; the most specific file wins.

    A static folder inside the site that is itself a symbolic link to elsewhere (``static ->
    ~/.ssh``, ``themes/x -> /``) is not published unless site.yml says ``follow_links: true``;
    either way a warning names it. The built-in theme's folder is the package's own.
    """
    chosen: dict[str, SiteFile] = dict(assets)
    for folder in static_dirs(config):
        if folder.is_dir():
            inside = _allowed_root(config, folder, problems if problems is not None else [])
            if inside is None:
                continue
            for path in sorted(folder.rglob("*")):
                if not path.is_file() or path.name.startswith("."):
                    continue
                if not path.resolve().is_relative_to(inside):
                    # a symlink leading out of the static folder could publish any file on the machine
                    if problems is not None:
                        problems.append(Problem(display_path(path, config.root), None,
                                                f"symbolic link leads out of {display_path(folder, config.root)}/ "
                                                f"(to {path.resolve()}); not published",
                                                "copy the file into the folder instead of linking to it",
                                                severity="warning"))
                elif found := _stat(path):
                    chosen[path.relative_to(folder).as_posix()] = found
    return chosen


def _allowed_root(config: SiteConfig, folder: Path, problems: list[Problem]) -> Path | None:
    """The folder whose files ``folder`` may publish, or None when it leads out of the site unasked."""
    site = config.root.resolve()
    declared = config.root / "themes" / config.theme / "static"
    own = config.root / "static"
    if folder == own:
        place = own
    elif declared.exists() and folder.resolve() == declared.resolve():
        place = declared  # the site's theme, reached through links or not
    else:
        return folder.resolve()  # the built-in theme, inside the installed package
    if folder.resolve().is_relative_to(site):
        return folder.resolve()
    rel = display_path(place, config.root)
    if not config.follow_links:
        problems.append(Problem(rel, None, f"leads outside the site (to {folder.resolve()}); its files are not published",
                                "copy the files into the site, or set `follow_links: true` in site.yml",
                                severity="warning"))
        return None
    problems.append(Problem(rel, None, f"leads outside the site (to {folder.resolve()}); published because "
                            "site.yml says follow_links: true", "copy the files into the site to silence this",
                            severity="warning"))
    return folder.resolve()


def _stat_entry(path: Path, entry: os.DirEntry[str]) -> SiteFile | None:
    """Like :func:`_stat` for a file found by a directory walk."""
    try:
        stat = entry.stat()
    except FileNotFoundError:
        return None
    return SiteFile(path, stat.st_mtime_ns, stat.st_size)


def _stat(path: Path) -> SiteFile | None:
    """None for a file deleted while the folder was walked (an editor saving, a checkout switching)."""
    try:
        return SiteFile.at(path)
    except FileNotFoundError:
        return None
