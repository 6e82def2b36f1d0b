"""One import run: raw files in, briefings under ``content/briefings/YYYY/MM/`` out.

The rules that keep an import safe to run again and again (``make build`` runs
it every time):

* A raw file is known by its path; the briefing it became records that path and
  the raw file's sha256 in ``source``. Same bytes again: nothing is written.
* A changed raw file refreshes its briefing only if nobody edited the briefing
  since (see :mod:`.writer`); an edited one is a *conflict* and left alone,
  unless ``force``.
* A new article never replaces another one's file or URL: it gets a ``-2``
  suffix instead.
* Every file is written atomically (temporary file, fsync, rename), so an
  interrupted run leaves whole files only. Writes run on a few threads: each
  one mostly waits for its fsync, so they overlap instead of queueing.
* A file that cannot be read or parsed is reported with its line and skipped;
  the rest of the batch still goes in.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import SiteConfig
from ..console import Progress
from ..content import PAGES_DIR, content_files, parse_briefing
from ..errors import Problem, SiteError, display_path
from ..files import briefing_file, check_size, write_atomically
from ..markdown import shorten
from ..topics import alias_table, name_key, slugify
from .bylines import role_labels
from .formats import Article, Rules, parse_article
from .language import detect
from .source import decode
from .tags import TagPicker
from .writer import is_untouched, render_file

BACKUP_DIR = "backups/import"
RAW_SUFFIX = ".txt"
WRITE_THREADS = 8


@dataclass(frozen=True)
class ImportOptions:
    """What the person running the import asked for; the defaults import ``seeds/`` as they are."""

    force: bool = False
    format: str = "auto"
    author: str = ""
    date: datetime | None = None
    tags: tuple[str, ...] = ()
    tag_from_folder: bool = False
    lang: str = ""
    overwrite_edited: bool = False
    follow_links: bool = False
    """Read raw files through symbolic links that lead outside the folder being imported (with a warning)."""
    """With ``force``: also replace briefings an author edited, after backing each one up."""


@dataclass(frozen=True)
class Change:
    """One raw file and the briefing it became."""

    source: str
    target: str


@dataclass
class ImportReport:
    """What happened to every raw file, for the summary and the exit code."""

    imported: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ambiguous_dates: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[Problem]:
        """Errors: one per raw file that was left out."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """Every raw file's current text is in content/."""
        return not self.skipped and not self.conflicts

    def summary(self) -> str:
        text = (f"{len(self.imported)} imported, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.conflicts)} in conflict, {len(self.skipped)} skipped")
        if self.ambiguous_dates:
            text += f"; {len(self.ambiguous_dates)} with a numeric date that reads both ways (see import: date_order)"
        if self.backups:
            text += f"; {len(self.backups)} edited briefings backed up under {BACKUP_DIR}/"
        return text

    def lines(self, limit: int = 50) -> list[str]:
        """What was written, one line per briefing unless there are more than ``limit``; then the counts."""
        written = [("imported", change) for change in self.imported] + [("updated", change) for change in self.updated]
        listed = [f"{verb} {c.source} -> {c.target}" for verb, c in written] if len(written) <= limit else []
        return [*listed, f"Import: {self.summary()}."]


@dataclass
class _Existing:
    """A briefing already in content/ that an earlier import wrote."""

    path: Path
    sha256: str
    slug: str
    date: datetime | None


class _Writes:
    """Atomic writes on a few threads; the run's bookkeeping stays on the main thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="import-write")
        self._jobs: list[tuple[Change, Future[None]]] = []

    def submit(self, change: Change, target: Path, text: str, replaces: Path | None) -> None:
        self._jobs.append((change, self._pool.submit(_write_and_replace, target, text, replaces)))

    def failures(self) -> list[tuple[Change, BaseException]]:
        """Wait for every write; the ones that failed, with why."""
        self._pool.shutdown(wait=True)
        return [(change, error) for change, job in self._jobs if (error := job.exception()) is not None]

    def cancel(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _write_and_replace(target: Path, text: str, replaces: Path | None) -> None:
    write_atomically(target, text, durable=True)
    if replaces is not None:
        replaces.unlink(missing_ok=True)


@dataclass
class _Run:
    """Everything one import run knows: the site, the options, and what content/ holds."""

    config: SiteConfig
    options: ImportOptions
    picker: TagPicker
    writes: _Writes
    rules: Rules
    aliases: dict[str, str] = field(default_factory=dict)
    by_source: dict[str, _Existing] = field(default_factory=dict)
    taken: dict[str, Path] = field(default_factory=dict)  # "YYYY/MM/slug" → the file that has that URL


def _folder_tag(name: str) -> str:
    """A folder name as a topic, capitalised like the names found in the text: ``business`` → ``Business``."""
    return name[:1].upper() + name[1:] if name.islower() else name


def _aliased(tags: list[str], aliases: dict[str, str]) -> list[str]:
    """Tags under the names site.yml's ``topic_aliases`` gives them, each once."""
    return list(dict.fromkeys(aliases.get(name_key(tag), tag) for tag in tags))


def _rules(config: SiteConfig, options: ImportOptions) -> Rules:
    languages = (*tuple(getattr(config, "languages", ()) or ()), config.language)
    return Rules(tz=config.tz, fmt=options.format, date_order=config.import_rules.date_order,
                 languages=tuple(dict.fromkeys(languages)), roles=tuple(role_labels(config.import_rules.roles)),
                 date_given=options.date is not None)


def find_raw_files(config: SiteConfig, paths: list[Path],
                   follow_links: bool = False) -> tuple[list[Path], list[Problem]]:
    """Every raw file named, or every ``.txt`` under a folder named; the site's seeds/ by default.

    A symbolic link leading out of the folder being imported (out of the site,
    for seeds/ and for files named inside the site) is not read unless
    ``follow_links``; either way a warning names it, so ``seeds/passwd.txt ->
    /etc/passwd`` is never published silently.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    site = config.root.resolve()
    for path in paths or [config.seeds_dir]:
        inside_site = path.absolute().is_relative_to(site) or not paths
        if path.is_dir():
            base = site if inside_site else path.resolve()
            found = sorted(p for p in path.rglob(f"*{RAW_SUFFIX}")
                           if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found and paths:
                problems.append(Problem(display_path(path, config.root), None, "no .txt files in this folder",
                                        "raw articles are plain-text files ending in .txt", severity="warning"))
            files.extend(_inside(found, base, follow_links, config, problems))
        elif path.is_file():
            files.extend(_inside([path], site, follow_links, config, problems) if inside_site else [path])
        elif paths:
            problems.append(Problem(str(path), None, "no such file or folder",
                                    "check the path; relative paths start from the current folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


def _inside(found: list[Path], base: Path, follow_links: bool, config: SiteConfig,
            problems: list[Problem]) -> list[Path]:
    """``found`` without the files whose real place is outside ``base``, each of those named in a warning."""
    kept = []
    for path in found:
        target = path.resolve()
        if target.is_relative_to(base):
            kept.append(path)
            continue
        if follow_links:
            kept.append(path)
            problems.append(Problem(_source_path(config, path.absolute()), None,
                                    f"symbolic link to {target}, outside {display_path(base, config.root)}; "
                                    "read because of --follow-links", "copy the file in instead of linking to it",
                                    severity="warning"))
        else:
            problems.append(Problem(_source_path(config, path.absolute()), None,
                                    f"symbolic link to a file outside {display_path(base, config.root)}; not read",
                                    "copy the file in, or pass --follow-links to read it", severity="warning"))
    return kept


def import_articles(config: SiteConfig, paths: list[Path], options: ImportOptions) -> ImportReport:
    """Import every raw file under ``paths`` into content/; never raises for one bad file."""
    files, problems = find_raw_files(config, paths, options.follow_links)
    report = ImportReport(problems=problems)
    run = _Run(config, options, TagPicker(config.topics, config.max_tags), _Writes(), _rules(config, options),
               alias_table(config.topic_aliases))
    _index_content(run)
    try:
        with Progress("Importing", len(files)) as progress:
            for path in files:
                try:
                    _import_one(run, path, report)
                except SiteError as error:
                    report.problems.extend(error.problems)
                except OSError as error:
                    report.problems.append(_os_problem(_source_path(config, path), error))
                progress.advance()
    except BaseException:
        run.writes.cancel()
        raise
    for change, failure in run.writes.failures():
        _forget(report, change)
        report.problems.append(_os_problem(change.source, failure))
    return report


def _os_problem(source: str, error: BaseException) -> Problem:
    reason = getattr(error, "strerror", None) or error
    return Problem(source, None, f"cannot read or write: {reason}", "check the folder's permissions and free space")


def _forget(report: ImportReport, change: Change) -> None:
    for changes in (report.imported, report.updated):
        if change in changes:
            changes.remove(change)


def _index_content(run: _Run) -> None:
    """Learn which URLs are taken and which briefings came from which raw file."""
    files, _ = content_files(run.config)
    for path in files:
        parts = path.relative_to(run.config.content_dir).parts
        if parts[0] == PAGES_DIR:
            continue
        try:
            item = parse_briefing(path, path.read_text(encoding="utf-8-sig"), run.config)
        except (SiteError, OSError, UnicodeDecodeError):
            run.taken[f"{'/'.join(parts[-3:-1])}/{path.stem}"] = path  # broken: keep its likely URL free
            continue
        run.taken[_url_key(item.date, item.slug)] = path
        source = item.source if isinstance(item.source, dict) else {}
        if isinstance(source.get("path"), str):
            run.by_source[source["path"]] = _Existing(path, str(source.get("sha256", "")), item.slug, item.date)


def _url_key(date: datetime | None, slug: str) -> str:
    return f"{date:%Y/%m}/{slug}" if date else slug


def _source_path(config: SiteConfig, path: Path) -> str:
    """Where the raw file is, relative to the site (``seeds/x.txt``, or ``../corpus/x.txt`` outside it)."""
    return Path(os.path.relpath(path, config.root)).as_posix()


def _import_one(run: _Run, raw: Path, report: ImportReport) -> None:
    source = _source_path(run.config, raw)
    check_size(raw, source, run.config.max_file_size)
    data = raw.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    existing = run.by_source.get(source)
    if existing and existing.sha256 == sha256 and not run.options.force:
        report.unchanged.append(Change(source, _rel(run, existing.path)))
        return
    text, warnings = decode(data, source)
    report.problems.extend(warnings)
    rules = replace(run.rules, date_given=True) if existing and existing.date else run.rules
    article = parse_article(text, source, rules)
    report.problems.extend(article.warnings)
    if article.ambiguous_date:
        report.ambiguous_dates.append(source)
    if existing and not is_untouched(existing.path.read_text(encoding="utf-8")):
        if not (run.options.force and run.options.overwrite_edited):
            report.conflicts.append(_conflict(run, existing, source, sha256))
            return
        report.backups.append(_back_up(run, existing.path))
    date = _date(run, article, existing)
    slug = _free_slug(run, article, raw, date, existing)
    target = briefing_file(run.config.content_dir, date, slug)
    front = _front_matter(run, article, raw, source, sha256, date, slug)
    written = render_file(front, article.paragraphs)
    change = Change(source, _rel(run, target))
    if existing and existing.path == target and existing.path.read_text(encoding="utf-8") == written:
        report.unchanged.append(change)
        return
    moved_from = existing.path if existing and existing.path != target else None
    run.writes.submit(change, target, written, replaces=moved_from)
    if existing and moved_from:
        run.taken.pop(_url_key(existing.date, existing.slug), None)
    (report.updated if existing else report.imported).append(change)
    run.by_source[source] = _Existing(target, sha256, slug, date)
    run.taken[_url_key(date, slug)] = target


def _rel(run: _Run, path: Path) -> str:
    return display_path(path, run.config.root)


def _conflict(run: _Run, existing: _Existing, source: str, sha256: str) -> Problem:
    return Problem(
        _rel(run, existing.path), None,
        f"edited since it was imported, and its raw file {source} has changed too; left as it is",
        f"to keep your version, set `sha256: {sha256}` under `source:` in its front matter; "
        f"to replace it with the new raw text (your version is backed up under {BACKUP_DIR}/), "
        f"run `sitegen import {source} --force --overwrite-edited`")


def _back_up(run: _Run, path: Path) -> str:
    """Copy an edited briefing under backups/import/<time>/ before an import replaces it; the copy's path."""
    stamp = datetime.now(run.config.tz).strftime("%Y%m%d-%H%M%S")
    target = run.config.root / BACKUP_DIR / stamp / path.relative_to(run.config.content_dir)
    write_atomically(target, path.read_bytes(), durable=True)
    return _rel(run, target)


def _date(run: _Run, article: Article, existing: _Existing | None) -> datetime:
    """The dateline; else --date; else the date it was first imported with. Never today, never the file's mtime.

    Keeping the first date means fixing a typo in a raw file never moves its page to a new URL.
    """
    if article.date:
        return article.date
    if run.options.date:
        date = run.options.date
        return date if date.tzinfo else date.replace(tzinfo=run.config.tz)
    assert existing is not None and existing.date is not None, "parse_article refuses an undated article"
    return existing.date


def _free_slug(run: _Run, article: Article, raw: Path, date: datetime, existing: _Existing | None) -> str:
    """The title's slug, or the first ``-2``, ``-3``… that no other briefing uses in that month."""
    ascii = run.config.slugs == "ascii"
    base = slugify(article.title, ascii=ascii) or slugify(raw.stem, ascii=ascii) or "briefing"
    own = existing.path if existing else None
    candidates = itertools.chain([base], (f"{base}-{n}" for n in range(2, 10_000)))
    if existing and re.fullmatch(rf"{re.escape(base)}(-\d+)?", existing.slug):
        candidates = itertools.chain([existing.slug], candidates)  # keep the URL it already has
    for slug in candidates:
        holder = run.taken.get(_url_key(date, slug))
        path = briefing_file(run.config.content_dir, date, slug)
        if holder in (None, own) and (path == own or not path.exists()):
            return slug
    raise SiteError([Problem(_source_path(run.config, raw), None, f"too many briefings named {base!r} this month",
                             "give the article a more specific title")])


def _front_matter(run: _Run, article: Article, raw: Path, source: str, sha256: str,
                  date: datetime, slug: str) -> dict[str, Any]:
    paragraphs = [" ".join(lines) for lines in article.paragraphs]
    explicit = [*run.options.tags, *([_folder_tag(raw.parent.name)] if run.options.tag_from_folder else [])]
    front: dict[str, Any] = {"title": article.title, "date": date}
    language = run.options.lang or detect(" ".join([article.title, *paragraphs[:3]]), run.config.language)
    optional = {"authors": article.authors or ([run.options.author] if run.options.author else []),
                "lang": language if language != run.config.language else "", "editor": article.editor,
                "supervisor": article.supervisor, "masthead": article.other_roles,
                "tags": _aliased(run.picker.pick(article.title, paragraphs, explicit), run.aliases),
                "summary": shorten(" ".join(paragraphs[0].split()))}
    front.update({key: value for key, value in optional.items() if value})
    front["slug"] = slug
    front["source"] = {"path": source, "sha256": sha256, **({"url": article.source_url} if article.source_url else {}),
                       **({"name": article.source_name} if article.source_name else {})}
    return front
