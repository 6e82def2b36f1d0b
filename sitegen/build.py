"""The build, as a short story: load, model, render, write, publish, index.

Nothing reaches the output folder unless every step succeeded: pages are
rendered into a staging folder that replaces the output in one atomic swap.

Speed comes from not repeating work. Parsed briefings (front matter and body
HTML) are cached by file; each page gets a fingerprint of everything it is
rendered from (its templates and the data in its context), so a page whose
fingerprint is unchanged is hard-linked from the previous output instead of
rendered. Cold builds render in a pool of worker processes, one per core.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import multiprocessing
import multiprocessing.pool
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import meta

from . import __version__
from .assets import assets_unchanged, content_assets, image_variants
from .cache import BuildCache
from .config import SiteConfig
from .console import Progress
from .content import Briefing, content_files, is_content_file, links_outside, load_file
from .errors import Problem, SiteError, display_path
from .markdown import BodyRenderer
from .output import (
    MARKER,
    InPlaceWriter,
    OutputWriter,
    build_lock,
    check_output_dir,
    publish,
    remove_leftovers,
    staging_path,
)
from .pages import Page, Site, make_site, output_path_of, plan_pages
from .render import UrlHelper, make_environment, static_dirs, template_dirs, template_problem
from .search import index_site
from .stories import story_inputs
from .topics import topic_links

if TYPE_CHECKING:
    from .changes import ChangeSet

PARALLEL_MINIMUM = 400
"""Below this many items a process pool costs more than it saves."""


@dataclass(frozen=True)
class BuildOptions:
    """What the person running the build asked for on the command line."""

    output: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    search: bool = True
    clean: bool = False


@dataclass
class BuildResult:
    output: Path
    briefings: int
    pages: int
    rendered: int
    reused: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)


# --- load: content files through the cache ---------------------------------------------------


def _parse(path: Path, config: SiteConfig, renderer: BodyRenderer) -> Briefing:
    item = load_file(path, config)
    renderer.render_item(item, topic_links(config, item))
    return item


def _parse_many(paths: Sequence[Path], config: SiteConfig) -> list[Briefing | SiteError]:
    renderer = BodyRenderer(config.markdown, config)
    results: list[Briefing | SiteError] = []
    for path in paths:
        try:
            results.append(_parse(path, config, renderer))
        except SiteError as error:
            results.append(error)
        except OSError as error:
            results.append(SiteError([Problem(display_path(path, config.root), None, f"cannot read: {error.strerror}")]))
    return results


def _pool(workers: int) -> multiprocessing.pool.Pool:
    """Forked workers that leave Ctrl-C to the parent, so an interrupted build prints no tracebacks."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=signal.signal,
                                                     initargs=(signal.SIGINT, signal.SIG_IGN))


CHUNK = 100
"""Items per unit of work: small enough for a smooth progress bar, large enough to keep pool overhead low."""


def run_chunked(function: Callable[[Sequence[Any]], Any], items: Sequence[Any], label: str) -> list[Any]:
    """``function`` over chunks of ``items``, across worker processes for large batches, in order.

    The progress bar advances as chunks finish, so a long build shows where it is.
    """
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    workers = min(os.cpu_count() or 1, 8) if len(items) >= PARALLEL_MINIMUM else 1
    results: list[Any] = []
    with Progress(label, len(items)) as progress:
        pool = _pool(workers) if workers > 1 else None
        try:
            mapped = pool.imap(function, chunks) if pool else map(function, chunks)
            for chunk, result in zip(chunks, mapped, strict=True):
                results.append(result)
                progress.advance(len(chunk))
        finally:
            if pool:
                pool.close()
                pool.join()
    return results


def parse_files(paths: Sequence[Path], config: SiteConfig) -> list[Briefing | SiteError]:
    """Parse and render bodies, across processes for large batches."""
    parts = run_chunked(functools.partial(_parse_many, config=config), paths, "Reading")
    return [result for part in parts for result in part]


@dataclass
class Loaded:
    briefings: list[Briefing]
    warnings: list[Problem]
    fresh: list[tuple[str, int, int, Briefing]]
    present: set[str]
    removed: set[str] = field(default_factory=set)


Cached = dict[str, tuple[int, int, Briefing]]


def load_briefings(config: SiteConfig, cached: Cached | None = None, files: list[Path] | None = None) -> Loaded:
    """Every content file (or just ``files``), taken from ``cached`` when its size and mtime are unchanged."""
    problems: list[Problem] = []
    if files is None:
        files, problems = content_files(config)
    cached = cached or {}
    briefings: list[Briefing] = []
    stale: list[tuple[Path, str, os.stat_result]] = []
    present: set[str] = set()
    for path in files:
        rel = display_path(path, config.root)
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        present.add(rel)
        hit = cached.get(rel)
        if hit and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size and assets_unchanged(hit[2]):
            hit[2].path = path
            briefings.append(hit[2])
        else:
            stale.append((path, rel, stat))
    fresh: list[tuple[str, int, int, Briefing]] = []
    for (_path, rel, stat), result in zip(stale, parse_files([s[0] for s in stale], config), strict=True):
        if isinstance(result, SiteError):
            problems.extend(result.problems)
            continue
        briefings.append(result)
        fresh.append((rel, stat.st_mtime_ns, stat.st_size, result))
    problems += [warning for item in briefings for warning in item.warnings]
    if any(p.severity == "error" for p in problems):
        raise SiteError(problems)
    return Loaded(briefings, problems, fresh, present)


def reload_changed(config: SiteConfig, cached: Cached, changed: Iterable[Path]) -> Loaded:
    """Like :func:`load_briefings`, but re-reads only the files the preview's watcher saw change."""
    edited = [Path(p) for p in changed
              if is_content_file(Path(p), config.content_dir) and not links_outside(Path(p), config.root)]
    edited_rels = {display_path(p, config.root) for p in edited}
    loaded = load_briefings(config, cached, files=edited)
    unchanged = {rel: entry for rel, entry in cached.items() if rel not in edited_rels}
    loaded.briefings.extend(entry[2] for entry in unchanged.values())
    loaded.present |= unchanged.keys()
    return loaded


def select(items: list[Briefing], options: BuildOptions, now: datetime) -> list[Briefing]:
    """Leave out drafts and briefings dated in the future unless asked for."""
    return [b for b in items
            if (options.drafts or not b.draft)
            and (options.future or b.date is None or b.date <= now)]


# --- fingerprints: what each page is rendered from ---------------------------------------------


_SCALARS = (str, int, float, bool, type(None), datetime, date)


class Fingerprinter:
    """Hashes the data a page is rendered from, memoised so shared objects are hashed once per build.

    Every object it sees is reachable from a page's context, so its ``id`` is
    stable for the fingerprinter's lifetime (one build).
    """

    def __init__(self) -> None:
        self._memo: dict[int, bytes] = {}
        self._fields: dict[type, tuple[str, ...]] = {}

    def of(self, value: Any) -> bytes:
        if isinstance(value, _SCALARS):
            return repr(value).encode()
        found = self._memo.get(id(value))
        if found is None:
            found = self._memo[id(value)] = self._compute(value)
        return found

    def _compute(self, value: Any) -> bytes:
        of = self.of
        if isinstance(value, Briefing):
            parts = [value.digest, value.url, str(value.draft)]
            return "|".join(parts).encode()
        if isinstance(value, dict):
            data = b"".join(str(k).encode() + b"=" + of(v) + b";" for k, v in sorted(value.items(), key=_key_text))
        elif isinstance(value, (list, tuple)):
            data = b";".join(map(of, value))
        elif isinstance(value, (set, frozenset)):
            data = b";".join(sorted(map(of, value)))
        elif dataclasses.is_dataclass(value):
            names = self._fields.get(type(value))
            if names is None:
                names = self._fields[type(value)] = tuple(f.name for f in dataclasses.fields(value))
            data = type(value).__name__.encode() + b"".join(of(getattr(value, n)) + b";" for n in names)
        else:
            data = repr(value).encode()
        # short values are their own fingerprint; hashing them would only cost time
        return b"(" + data + b")" if len(data) <= 64 else hashlib.blake2b(data, digest_size=16).digest()


def _key_text(item: tuple[Any, Any]) -> str:
    return str(item[0])


def template_closure(env: jinja2.Environment, name: str, found: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template and every template it extends, includes or imports, each parsed."""
    found = found if found is not None else {}
    if name not in found:
        found[name] = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        for other in meta.find_referenced_templates(found[name]):
            if other:
                template_closure(env, other, found)
    return found


@dataclass(frozen=True)
class TemplateFacts:
    """What a page template is made of: a hash of its files, and whether it reads the ``site`` global."""

    files: str
    uses_site: bool


def template_facts(env: jinja2.Environment, names: Iterable[str], config: SiteConfig) -> dict[str, TemplateFacts]:
    """Per page template, so editing one template re-renders only the pages that use it.

    A template that reads the ``site`` global can show anything, so its pages
    depend on every briefing of the site.
    """
    files: dict[str, str] = {}
    for folder in template_dirs(config):
        if folder.is_dir():
            for path in folder.rglob("*"):
                rel = path.relative_to(folder).as_posix()
                if path.is_file() and rel not in files:
                    files[rel] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    facts: dict[str, TemplateFacts] = {}
    for name in set(names):
        try:
            closure = template_closure(env, name)
            uses_site = any("site" in meta.find_undeclared_variables(tree) for tree in closure.values())
        except jinja2.TemplateError:
            facts[name] = TemplateFacts("?", False)  # broken: never matches, so the page renders and reports it
            continue
        facts[name] = TemplateFacts("|".join(f"{n}:{files.get(n, '?')}" for n in sorted(closure)), uses_site)
    return facts


def page_fingerprints(pages: list[Page], templates: dict[str, TemplateFacts], site: Site,
                      settings: str) -> dict[str, str]:
    hasher = Fingerprinter()
    whole_site = b""
    if any(facts.uses_site for facts in templates.values()):
        whole_site = hasher.of([*site.briefings, *site.pages])
    fingerprints: dict[str, str] = {}
    for page in pages:
        facts = templates[page.template]
        digest = hashlib.blake2b(settings.encode(), digest_size=16)
        digest.update(facts.files.encode())
        if facts.uses_site:
            digest.update(whole_site)
        digest.update(page.url.encode())
        digest.update(hasher.of(page.context))
        fingerprints[page.url] = digest.hexdigest()
    return fingerprints


# --- render: pages into the staging folder ---------------------------------------------------


def _render_many(pages: Sequence[Page], env: jinja2.Environment, site: Site,
                 writer: OutputWriter) -> tuple[int, list[Problem]]:
    problems: dict[str, Problem] = {}
    before = writer.reused  # a forked worker's writer carries its count from chunk to chunk
    for page in pages:
        try:
            html = env.get_template(page.template).render(config=site.config, site=site, page_url=page.url,
                                                          **page.context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as error:
            problem = template_problem(error, site.config)
            problems.setdefault(str(problem), problem)
            continue
        writer.write(page.output_path, html.encode("utf-8"))
    return writer.reused - before, list(problems.values())


_FORKED: dict[str, Any] = {}
"""What forked render workers inherit instead of pickling: the pages, the Jinja environment, the site."""


def _render_chunk(indices: Sequence[int]) -> tuple[int, list[Problem]]:
    pages, env, site, writer = _FORKED["pages"], _FORKED["env"], _FORKED["site"], _FORKED["writer"]
    return _render_many([pages[i] for i in indices], env, site, writer)


def render_pages(pages: list[Page], env: jinja2.Environment, site: Site, writer: OutputWriter) -> int:
    """Render pages (in worker processes when there are many); return how many were unchanged bytes."""
    for name in {p.template for p in pages}:
        with contextlib.suppress(jinja2.TemplateError):
            env.get_template(name)  # compile once, before any fork, so workers share it
    _FORKED.update(pages=pages, env=env, site=site, writer=writer)
    try:
        results = run_chunked(_render_chunk, range(len(pages)), "Rendering")
    finally:
        _FORKED.clear()
    problems = list({str(p): p for _, found in results for p in found}.values())
    if problems:
        raise SiteError(problems)
    return sum(reused for reused, _ in results)


def static_files(config: SiteConfig) -> dict[str, Path]:
    """Files beside briefings in content/, theme static files, then the site's own ``static/``;
    the most specific file wins."""
    chosen: dict[str, Path] = content_assets(config)
    for folder in static_dirs(config):
        if folder.is_dir():
            inside = folder.resolve()
            for path in folder.rglob("*"):
                # a symlink leading out of the static folder could publish any file on the machine
                if path.is_file() and not path.name.startswith(".") and path.resolve().is_relative_to(inside):
                    chosen[path.relative_to(folder).as_posix()] = path
    return chosen


def static_fingerprint(files: dict[str, Path]) -> str:
    stats = ((rel, path.stat()) for rel, path in sorted(files.items()))
    return hashlib.blake2b(repr([(r, s.st_size, s.st_mtime_ns) for r, s in stats]).encode(), digest_size=16).hexdigest()


def settings_fingerprint(config: SiteConfig, options: BuildOptions) -> str:
    """Everything outside content and templates that changes what a page looks like."""
    return f"{__version__}|{config!r}|{options.drafts}|{options.future}"


# --- the build -------------------------------------------------------------------------------


def build_site(config: SiteConfig, options: BuildOptions) -> BuildResult:
    """Build the whole site into the output folder; raise SiteError and leave it untouched on failure."""
    builder = Builder(config, options)
    try:
        return builder.build()
    finally:
        builder.close()


class Builder:
    """One site's build, kept alive by the preview server between edits.

    It remembers parsed briefings and page fingerprints in memory, so a rebuild
    after an edit re-reads only the changed files and re-renders only the pages
    whose inputs changed. With ``in_place`` (the preview's own folder, never a
    published one) changed files are replaced one by one instead of swapping
    in a staged copy of the whole site, which is what makes a 10k-page preview
    rebuild take milliseconds.
    """

    def __init__(self, config: SiteConfig, options: BuildOptions, in_place: bool = False) -> None:
        if options.base_url:
            config = dataclasses.replace(config, base_url=options.base_url)
        self.config, self.options, self.in_place = config, options, in_place
        self.output = (options.output or config.output_dir).resolve()
        check_output_dir(self.output, config.root)
        self.settings = settings_fingerprint(config, options)
        cache_name = hashlib.blake2b(str(self.output).encode(), digest_size=6).hexdigest()
        self.cache = BuildCache(config.root / ".sitegen" / f"cache-{cache_name}.sqlite", self.settings,
                                clean=options.clean)
        self._files: dict[str, tuple[int, int, Briefing]] | None = None
        self._fingerprints: dict[str, str] | None = None
        self._statics: set[str] = set()
        self._templates: tuple[Any, dict[str, TemplateFacts]] | None = None
        self._model: PreviewModel | None = None

    def close(self) -> None:
        self.cache.close()

    def build(self, changes: ChangeSet | None = None) -> BuildResult:
        """Build; ``changes`` (what the preview saw change) lets a warm builder skip the folder scan,
        and re-render only an edited briefing's pages when nothing else changed."""
        started = time.perf_counter()
        changed = None if changes is None or changes.rescan else changes.content
        edits = changes.content if changes is not None and changes.edits_only else None
        gc.disable()  # a build makes many objects and frees them together; collecting meanwhile only costs time
        try:
            with build_lock(self.output):
                result = self._build(changed, edits)
        finally:
            gc.enable()
        result.seconds = time.perf_counter() - started
        return result

    def _load(self, changed: Iterable[Path] | None, files: list[Path] | None) -> Loaded:
        if self._files is None:
            self._files = self.cache.briefings()
        if changed is not None and self._fingerprints is not None:
            loaded = reload_changed(self.config, self._files, changed)
        else:
            loaded = load_briefings(self.config, self._files, files)
        for rel, mtime_ns, size, item in loaded.fresh:
            self._files[rel] = (mtime_ns, size, item)
        loaded.removed = set(self._files) - loaded.present
        for rel in loaded.removed:
            del self._files[rel]
        return loaded

    def _template_facts(self, env: jinja2.Environment, pages: list[Page]) -> dict[str, TemplateFacts]:
        """Parsing templates costs more than a small rebuild, so the facts are kept until a template file changes."""
        names = frozenset(p.template for p in pages)
        key = (names, tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                            for d in template_dirs(self.config) if d.is_dir() for p in sorted(d.rglob("*")) if p.is_file()))
        if self._templates is None or self._templates[0] != key:
            self._templates = (key, template_facts(env, names, self.config))
        return self._templates[1]

    def _sources(self, files: list[Path]) -> str:
        """A hash of every input's size and mtime: content, templates, static files and settings."""
        templates = (p for d in template_dirs(self.config) if d.is_dir() for p in d.rglob("*") if p.is_file())
        stats = [(str(p), st.st_mtime_ns, st.st_size)
                 for p in (*files, *templates, *static_files(self.config).values()) for st in (p.stat(),)]
        return hashlib.blake2b(repr((self.settings, stats)).encode(), digest_size=16).hexdigest()

    def _unchanged_since_last_build(self, sources: str, now: datetime) -> BuildResult | None:
        """The last build's result when nothing it was made from changed, as ``make`` would decide.

        A scheduled briefing falling due counts as a change, and so does a
        damaged output folder or a missing search index.
        """
        fields = self.cache.sources_state().split("|")
        if len(fields) != 4 or fields[0] != sources or not (self.output / MARKER).exists():
            return None
        if fields[1] and now >= datetime.fromisoformat(fields[1]):
            return None
        if self.options.search and self.config.search and not (self.output / "pagefind").is_dir():
            return None
        return BuildResult(output=self.output, briefings=int(fields[2]), pages=int(fields[3]), rendered=0,
                           reused=int(fields[3]), seconds=0.0)

    def _previous_fingerprints(self) -> dict[str, str]:
        if self._fingerprints is not None:
            return self._fingerprints
        intact = (self.output / MARKER).exists() and not self.options.clean
        return self.cache.page_fingerprints() if intact else {}

    def _build(self, changed: Iterable[Path] | None, edits: Iterable[Path] | None = None) -> BuildResult:
        config, options, output = self.config, self.options, self.output
        now = datetime.now(config.tz)
        files, scan_problems, sources = None, [], ""
        if changed is None:
            files, scan_problems = content_files(config)
            sources = self._sources(files)
            if not self.in_place and not options.clean and (quick := self._unchanged_since_last_build(sources, now)):
                return quick
        if changed is not None and edits is not None and (quick := self._rerender_edited(edits)):
            return quick
        loaded = self._load(changed, files)
        chosen = select(loaded.briefings, options, now)
        site = make_site(config, chosen, built_at=now)
        pages = plan_pages(site)
        _refuse_duplicate_outputs(pages)
        env = make_environment(config, UrlHelper(config.base_url, config.base_path))
        fingerprints = page_fingerprints(pages, self._template_facts(env, pages), site, self.settings)
        statics = static_files(config)
        statics.update(image_variants(config, content_assets(config), run_chunked))
        search = options.search and config.search
        fingerprints["@static"] = static_fingerprint(statics)
        fingerprints["@search"] = str(search)
        previous = self._previous_fingerprints()
        todo = [p for p in pages if previous.get(p.url) != fingerprints[p.url]]
        warnings = scan_problems + loaded.warnings
        if previous == fingerprints and (not search or (output / "pagefind").is_dir()):
            reused = 0
        elif self.in_place:
            reused = self._write_in_place(todo, pages, previous, env, site, statics)
        else:
            reused, search_problems = self._write_staged(todo, pages, previous, fingerprints, env, site, statics)
            warnings += search_problems
        due = min((b.date for b in loaded.briefings if b.date and b.date > now and not options.future), default=None)
        state = f"{sources}|{due.isoformat() if due else ''}|{len(site.briefings)}|{len(pages)}" if sources else ""
        if any(p.severity == "error" for p in warnings):
            state = ""  # a failed search index must be retried by the next build
        self.cache.save(loaded.fresh, loaded.removed, fingerprints, state)
        self._fingerprints = fingerprints
        if self.in_place:
            self._model = PreviewModel(site, pages, env)
        return BuildResult(output=output, briefings=len(site.briefings), pages=len(pages), rendered=len(todo),
                           reused=len(pages) - len(todo) + reused, seconds=0.0, warnings=warnings)

    def _write_staged(self, todo: list[Page], pages: list[Page], previous: dict[str, str],
                      fingerprints: dict[str, str], env: jinja2.Environment, site: Site,
                      statics: dict[str, Path]) -> tuple[int, list[Problem]]:
        output = self.output
        remove_leftovers(output)
        writer = OutputWriter(staging_path(output), previous=output)
        problems: list[Problem] = []
        try:
            unchanged = [p.output_path for p in pages if previous.get(p.url) == fingerprints[p.url]]
            missing = writer.link_unchanged(unchanged)
            todo.extend(p for p in pages if p.output_path in missing)
            reused = render_pages(todo, env, site, writer)
            for relpath, path in sorted(statics.items()):
                writer.copy_file(path, relpath)
            if self.options.search and self.config.search:
                problems = _search_index(writer, output, rendered=len(todo) - reused)
            publish(writer.staging, output)
        except BaseException:
            shutil.rmtree(writer.staging, ignore_errors=True)
            raise
        return reused, problems

    def _rerender_edited(self, changed: Iterable[Path]) -> BuildResult | None:
        """The preview's shortcut for the common edit: body or title changed, the site's shape did not.

        When every changed file is a known briefing whose date, slug, topics,
        author and draft flag stay the same, no list, neighbour or related link
        moves; only the pages that show those briefings (``Page.shows``) need
        rendering. The briefing objects are updated in place, so every page
        context that holds them sees the new text. Anything else returns None
        and takes the full path.
        """
        model, config, changed = self._model, self.config, list(changed)
        if model is None or self._files is None or not changed:
            return None
        edits: list[tuple[str, Path, Briefing]] = []
        for path in map(Path, changed):
            rel = display_path(path, config.root)
            if rel not in self._files or not is_content_file(path, config.content_dir) or not path.is_file():
                return None
            edits.append((rel, path, self._files[rel][2]))
        fresh = load_briefings(config, {}, files=[path for _, path, _ in edits]).fresh
        if len(fresh) != len(edits) or any(_shape(new) != _shape(old) for (_, new), (_, _, old)
                                          in zip(((f[0], f[3]) for f in fresh), edits, strict=True)):
            return None
        for (rel, mtime_ns, size, new), (_, _, old) in zip(fresh, edits, strict=True):
            old.__dict__.update({k: v for k, v in new.__dict__.items() if k != "path"})
            self._files[rel] = (mtime_ns, size, old)
        candidates = list({id(page): page for _, _, old in edits for page in model.showing(old)}.values())
        templates = self._template_facts(model.env, model.pages)
        fingerprints = self._fingerprints or {}
        updated = page_fingerprints(candidates, templates, model.site, self.settings)
        todo = [page for page in candidates if fingerprints.get(page.url) != updated[page.url]]
        reused = render_pages(todo, model.env, model.site, InPlaceWriter(self.output))
        fingerprints.update(updated)
        self.cache.save([(rel, m, s, self._files[rel][2]) for rel, m, s, _ in fresh], (), updated, every_page=False)
        return BuildResult(output=self.output, briefings=len(model.site.briefings), pages=len(model.pages),
                           rendered=len(todo), reused=len(model.pages) - len(todo) + reused, seconds=0.0)

    def _write_in_place(self, todo: list[Page], pages: list[Page], previous: dict[str, str],
                        env: jinja2.Environment, site: Site, statics: dict[str, Path]) -> int:
        writer = InPlaceWriter(self.output)
        if self._fingerprints is None:  # first build of this builder: the folder may lack pages
            todo.extend(p for p in pages if p not in todo and not (self.output / p.output_path).exists())
        reused = render_pages(todo, env, site, writer)
        for relpath, path in sorted(statics.items()):
            writer.copy_file(path, relpath)
        current = {p.url for p in pages}
        writer.remove(output_path_of(url) for url in previous if not url.startswith("@") and url not in current)
        writer.remove(self._statics - statics.keys())
        self._statics = set(statics)
        return reused


@dataclass(frozen=True)
class PreviewModel:
    """The last preview build's site and pages, kept so an edit can re-render only its own pages."""

    site: Site
    pages: list[Page]
    env: jinja2.Environment
    _showing: dict[int, list[Page]] = field(default_factory=dict)

    def showing(self, briefing: Briefing) -> list[Page]:
        """The pages a briefing appears on, from an index built on first use."""
        if not self._showing:
            for page in self.pages:
                for shown in page.shows:
                    self._showing.setdefault(id(shown), []).append(page)
        return self._showing.get(id(briefing), [])


def _shape(item: Briefing) -> tuple[Any, ...]:
    """What decides where a briefing appears: a change here moves lists, neighbours, related links and stories."""
    return (item.kind, item.date, item.slug, item.tags, item.authors, item.draft, story_inputs(item))


def _search_index(writer: OutputWriter, output: Path, rendered: int) -> list[Problem]:
    """Re-index only when some page's bytes changed; otherwise keep the previous index."""
    if rendered == 0 and writer.link_tree(output / "pagefind", "pagefind"):
        return []
    return index_site(writer.staging)


def _refuse_duplicate_outputs(pages: list[Page]) -> None:
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for page in pages:
        other = seen.setdefault(page.output_path.lower(), page.url)
        if other != page.url:
            problems.append(Problem(page.url, None, f"would be written to the same file as {other}",
                                    "give one of them a different slug or topic name"))
    if problems:
        raise SiteError(problems)
