"""Reading ``content/``: front matter split, validated into :class:`Briefing` objects.

Files under ``content/pages/`` are standalone pages (``/about/``); every other
``.md`` file is a briefing. Problems are collected across every file so one
run reports them all, each with the file and the line in that file.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from .config import SiteConfig
from .errors import Problem, SiteError, display_path
from .fields import FIELDS, credited, preview
from .files import briefing_url, check_size
from .topics import slugify
from .yamlfile import dump, key_lines, load_front_matter

FRONT_MATTER_EXAMPLE = "start the file with:\n---\ntitle: My briefing\ndate: 2024-05-01T09:30:00+02:00\n---"
PAGES_DIR = "pages"


@dataclass(frozen=True)
class ImageRef:
    """A briefing's picture (``image:`` or its first image): for cards, ``og:image`` and JSON-LD."""

    url: str
    """Site path of the original file, e.g. ``/briefings/2024/05/story/chart.jpg``."""
    alt: str = ""
    width: int | None = None
    height: int | None = None
    thumb: str = ""
    """Site path of a small variant for cards (the original when there is none)."""


@dataclass(kw_only=True, frozen=True)
class Document:
    """What every Markdown file of ``content/`` has once validated, its body rendered to ``html``.

    Frozen: the loader builds each one whole (``markdown.BodyRenderer.render_item`` returns a new,
    complete document), and a change is a new object (``dataclasses.replace``), never a patch.
    """

    kind: ClassVar[str]
    path: Path
    rel: str
    title: str
    slug: str
    body: str
    body_line: int
    summary: str = ""
    draft: bool = False
    source: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    html: str = ""
    digest: str = ""
    """A hash of the file's text: equal digests mean equal documents."""
    aliases: tuple[str, ...] = ()
    """Old site paths of this file (``aliases:``), each published as a redirect to ``url``."""
    image_ref: str = ""
    """``image:`` as written: a path relative to the file, a site path or a URL."""
    image_alt: str = ""
    image: ImageRef | None = None
    """The resolved picture, found with ``html`` when the body is rendered."""
    asset_stamps: tuple[tuple[str, int, int], ...] = ()
    """(path, mtime_ns, size) of each file the body refers to: the cached HTML is stale once one changes."""
    warnings: tuple[Problem, ...] = ()
    """What the author should know but that does not stop the build (shortcodes, missing alt text)."""
    lang: str = ""
    """The language the file is written in (``lang:``, else its ``content/<lang>/`` folder); empty: the site's."""
    translation_key: str = ""
    """Files in different languages that share it are translations of each other (``translation_key:``)."""
    edition: str = ""
    """The language of the edition the file belongs to when that is not the default one: its URL starts ``/<edition>/``."""

    @property
    def edition_prefix(self) -> str:
        """``""`` in the default edition, ``/ar`` in the Arabic one: what the file's URL starts with."""
        return f"/{self.edition}" if self.edition else ""

    @property
    def memo_key(self) -> str:
        """Unique within a build: the file's path in the site."""
        return self.rel

    @property
    def url(self) -> str:
        raise NotImplementedError


@dataclass(kw_only=True, frozen=True)
class Briefing(Document):
    """One dated briefing of the archive: ``/briefings/YYYY/MM/<slug>/``."""

    kind: ClassVar[str] = "briefing"
    date: datetime
    authors: tuple[str, ...] = ()
    """Everyone credited, in front matter order (``authors:`` first, then ``author:``)."""
    editor: str = ""
    supervisor: str = ""
    tags: tuple[str, ...] = ()
    story: str | bool | None = None
    """An editor's story name, False to keep the briefing out of every story, None to let detection decide."""
    story_features: frozenset[str] | None = None
    """What story detection compares (``stories.features``), computed once when the file is read."""

    @property
    def author(self) -> str:
        """The first credited author, for templates and tools that show only one name."""
        return self.authors[0] if self.authors else ""

    @functools.cached_property
    def url(self) -> str:  # type: ignore[override]
        """Site-relative pretty URL, stable for a given date and slug (both fixed once the file is read)."""
        return self.edition_prefix + briefing_url(self.date, self.slug)


@dataclass(kw_only=True, frozen=True)
class Page(Document):
    """A standalone page under ``content/pages/`` (``/about/``): no topics, no authors, a date only if given."""

    kind: ClassVar[str] = "page"
    date: datetime | None = None
    updated: datetime
    """When the page last changed: its ``date:``, else its file's modification time."""

    @functools.cached_property
    def url(self) -> str:  # type: ignore[override]
        return f"{self.edition_prefix}/{self.slug}/"


Content = Briefing | Page
"""A content file once loaded: a dated briefing, or a standalone page."""


def dump_front_matter(data: dict[str, Any], body: str) -> str:
    """A complete Markdown file: front matter in block style, keys in the given order, then the body."""
    front = dump(data)
    return f"---\n{front}---\n\n{body.strip()}\n" if body.strip() else f"---\n{front}---\n"




def is_content_file(path: Path, content_dir: Path) -> bool:
    """A Markdown file inside content/ that is not hidden (editors' temp files and folders like .git are)."""
    if path.suffix != ".md" or not path.is_relative_to(content_dir):
        return False
    return not any(part.startswith(".") for part in path.relative_to(content_dir).parts)


def links_outside(path: Path, site: Path) -> bool:
    """A symbolic link whose target lies outside the site folder: never followed."""
    return path.is_symlink() and not path.resolve().is_relative_to(site.resolve())


@dataclass(frozen=True)
class ContentScan:
    """One walk of content/: its Markdown files and the other files beside them, each with its directory entry."""

    markdown: list[tuple[Path, os.DirEntry[str]]]
    """Every ``.md`` file in the order of ``sorted(Path, ...)``, links out of the site left out (each a problem)."""
    others: list[tuple[str, Path, os.DirEntry[str]]]
    """Every other file, with its path under content/ (``2024/05/x/map.png``), which is its path on the site."""
    problems: list[Problem]


def walk_content(config: SiteConfig) -> ContentScan:
    """Walk content/ once, skipping hidden files and folders and links that lead out of the site.

    One directory read per folder, string tests per name and each path made
    from its folder's (parsing a whole path costs ten microseconds, a second
    per 100,000 briefings): pathlib's ``relative_to`` per file cost a second
    per 10,000 briefings, and a second walk for the files beside briefings as
    much again.
    """
    root = config.content_dir
    if not root.is_dir():
        return ContentScan([], [], [])
    site = config.root.resolve()
    found: Entries = []
    others: Entries = []
    _scan(root, (), found, others)
    markdown: list[tuple[Path, os.DirEntry[str]]] = []
    problems: list[Problem] = []
    for _, folder, entry in sorted(found, key=_parts):  # the order of sorted(Path, ...): part by part
        path = folder / entry.name
        if entry.is_symlink() and links_outside(path, site):
            problems.append(Problem(display_path(path, site), None, "symbolic link leads outside the site; not read",
                                    "copy the file into content/ instead of linking to it", severity="warning"))
        elif entry.is_file():
            markdown.append((path, entry))
    kept = [("/".join(parts), folder / entry.name, entry) for parts, folder, entry in sorted(others, key=_parts)]
    return ContentScan(markdown, [(rel, path, entry) for rel, path, entry in kept
                                  if not (entry.is_symlink() and links_outside(path, site)) and entry.is_file()],
                       problems)


def content_files(config: SiteConfig) -> tuple[list[Path], list[Problem]]:
    """Every ``.md`` file under content/ (see :func:`walk_content`)."""
    scan = walk_content(config)
    return [path for path, _ in scan.markdown], scan.problems


Entries = list[tuple[tuple[str, ...], Path, os.DirEntry[str]]]


def _scan(folder: Path, parts: tuple[str, ...], markdown: Entries, others: Entries) -> None:
    """Every file under ``folder`` with its path's parts: ``*.md`` into ``markdown``, the rest into ``others``.
    Hidden names are skipped; links to folders are not entered, as ``Path.rglob`` does not enter them."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                _scan(folder / entry.name, (*parts, entry.name), markdown, others)
            else:
                (markdown if entry.name.endswith(".md") else others).append(((*parts, entry.name), folder, entry))


def _parts(item: tuple[tuple[str, ...], Path, os.DirEntry[str]]) -> tuple[str, ...]:
    return item[0]


def read_source(path: Path, rel: str, limit: int) -> str:
    """The file's text as UTF-8, or a SiteError that says why it cannot be read."""
    check_size(path, rel, limit)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SiteError([Problem(rel, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x})",
                                 "save the file as UTF-8 in your editor")]) from None
    if "\x00" in text:
        raise SiteError([Problem(rel, None, "file contains NUL bytes; it looks binary, not Markdown",
                                 "remove it from content/ or replace it with a text file")])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line number where the body starts)."""
    lines = text.split("\n")
    if lines[0].strip() == "+++":
        raise SiteError([Problem(rel, 1, "TOML front matter (+++, as Hugo writes it) is not read",
                                 "rewrite it as YAML between --- lines: `title = \"Talks\"` becomes "
                                 "`title: Talks`, `[params]` tables become plain keys; see README "
                                 "\"Moving from Hugo or Jekyll\"")])
    if lines[0].strip().startswith("{"):
        raise SiteError([Problem(rel, 1, "JSON front matter ({ … }, as Hugo allows it) is not read",
                                 "rewrite it as YAML between --- lines: `\"title\": \"Talks\",` becomes "
                                 "`title: Talks`; see README \"Moving from Hugo or Jekyll\"")])
    if lines[0].strip() != "---":
        raise SiteError([Problem(rel, 1, "no front matter", FRONT_MATTER_EXAMPLE)])
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    raise SiteError([Problem(rel, 1, "front matter is not closed",
                             "add a line with just --- after the last front matter field")])




def parse_briefing(path: Path, text: str, config: SiteConfig) -> Briefing:
    """Validate a briefing's front matter; raise SiteError listing every field problem."""
    item = parse_document(path, text, config, Briefing)
    assert isinstance(item, Briefing)
    return item


def parse_document(path: Path, text: str, config: SiteConfig, kind: type[Briefing] | type[Page],
                   rel: str | None = None) -> Briefing | Page:
    """Validate one file's front matter; raise SiteError listing every field problem."""
    rel = rel or display_path(path, config.root)
    front, body, body_line = split_front_matter(text, rel)
    data = load_front_matter(front, rel)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SiteError([Problem(rel, 2, "front matter must be `key: value` lines", FRONT_MATTER_EXAMPLE)])

    problems: list[tuple[str, str, str]] = []
    values: dict[str, Any] = {}
    for key, check in FIELDS.items():
        if key in data and data[key] is not None:
            try:
                values[key] = check(data[key], config)
            except ValueError as error:
                problems.append((key, f"`{key}` is not valid: {preview(data[key])}", str(error)))
    if len(values.get("tags", ())) > config.max_topics:
        problems.append(("tags", f"{len(values['tags']):,} topics, more than the {config.max_topics:,} a briefing "
                         "may have", "keep the few topics the briefing is about, or raise max_topics in site.yml"))
    if not values.get("title"):
        problems.append(("title", "missing `title`", "add a line such as `title: Talks on Idlib resume`"))
    if kind is Briefing and "date" not in values and data.get("date") is None:  # absent, or `date:` left empty
        problems.append(("date", "missing `date`", "add a line such as `date: 2024-05-01T09:30:00+02:00`"))
    folder = folder_language(path, config)
    if folder and values.get("lang", folder) != folder:
        problems.append(("lang", f"`lang: {values['lang']}`, but the file is under content/{folder}/, the folder of "
                         f"the {folder} edition", f"move the file out of content/{folder}/ (to content/{values['lang']}/, "
                         f"say), or write `lang: {folder}`"))
    ascii = config.slugs == "ascii"
    if "slug" not in values and values.get("title") and not slugify(values["title"], ascii=ascii):
        problems.append(("title", "cannot make a URL slug from this title", "add `slug: some-words` to the front matter"))
    if problems:
        lines = key_lines(front)
        located = [Problem(rel, lines[key] + 1 if key in lines else 1, message, hint)
                   for key, message, hint in problems]
        raise SiteError(sorted(located, key=lambda p: p.line or 0))

    common: dict[str, Any] = dict(
        path=path, rel=rel, body=body, body_line=body_line,
        warnings=_comma_tags(data.get("tags"), values.get("tags", ()), rel, front),
        digest=hashlib.blake2b(text.encode(), digest_size=16).hexdigest(),
        title=values["title"], slug=values.get("slug") or slugify(values["title"], ascii=ascii),
        summary=values.get("summary", ""), draft=values.get("draft", False), source=data.get("source"),
        aliases=values.get("aliases", ()), image_ref=values.get("image", ""), image_alt=values.get("image_alt", ""),
        meta={k: v for k, v in data.items() if str(k) not in FIELDS},
        lang=values.get("lang") or folder, translation_key=values.get("translation_key", ""),
        edition=edition_of(values.get("lang") or folder, config),
    )
    if kind is Page:
        updated = values.get("date") or datetime.fromtimestamp(path.stat().st_mtime, config.tz).replace(microsecond=0)
        return Page(**common, date=values.get("date"), updated=updated)
    return Briefing(**common, date=values["date"], authors=credited(values), editor=values.get("editor", ""),
                    supervisor=values.get("supervisor", ""), tags=values.get("tags", ()), story=values.get("story"))


def _comma_tags(raw: Any, tags: tuple[str, ...], rel: str, front: str) -> tuple[Problem, ...]:
    """A warning for ``tags: Go, Web, Security`` (one text), which is read as three topics."""
    if not (isinstance(raw, str) and "," in raw):
        return ()
    line = key_lines(front).get("tags")
    return (Problem(rel, line + 1 if line else None, f"`tags` is one text with commas; read as {len(tags)} topics: "
                    + ", ".join(tags), f"write a list to say so: tags: [{', '.join(tags)}]", severity="warning"),)


def front_matter_line(item: Document, key: str) -> int | None:
    """The line of a front matter key in the item's file, looked up only when there is a problem to report."""
    try:
        # the text up to the closing ---, opening --- included, so lines count as in the file
        return key_lines(item.path.read_text(encoding="utf-8-sig").split("\n---", 1)[0]).get(key)
    except OSError:
        return None


def folder_language(path: Path, config: SiteConfig) -> str:
    """The language a ``content/<lang>/`` folder gives its files, for a language the site lists; else empty."""
    parts = content_parts(path, config)
    return parts[0] if parts and parts[0] in config.languages else ""


def content_parts(path: Path, config: SiteConfig) -> tuple[str, ...]:
    """The path's parts under content/ (``('ar', 'briefings', 'x.md')``), () where it lies elsewhere: a cut at the
    folder's text where the path starts with it (see :func:`~sitegen.errors.relative_names`), since each worker
    asks this of every file it parses."""
    folder, text = f"{config.content_dir}{os.sep}", str(path)
    if text.startswith(folder):
        return tuple(text[len(folder):].split(os.sep))
    try:
        return path.relative_to(config.content_dir).parts
    except ValueError:
        return ()


def edition_of(lang: str, config: SiteConfig) -> str:
    """The edition a file in ``lang`` belongs to: empty for the default one (and on a one-language site)."""
    return lang if len(config.languages) > 1 and lang and lang != config.languages[0] else ""


def load_file(path: Path, config: SiteConfig, rel: str | None = None) -> Briefing | Page:
    """Read and validate one content file: a standalone page under content/pages/ (or content/<lang>/pages/),
    else a briefing. ``rel``, the path as the author knows it, where the caller has it already."""
    rel = rel or display_path(path, config.root)
    text = read_source(path, rel, config.max_file_size)
    parts = content_parts(path, config)
    if folder_language(path, config):
        parts = parts[1:]
    kind = Page if parts and parts[0] == PAGES_DIR else Briefing
    return parse_document(path, text, config, kind, rel)
