"""The build, as its story: take inventory, load, plan, render, publish, index, remember.

1. **Inventory** (:mod:`sitegen.inventory`): content, template and static files, each folder walked once.
   When no input changed since the last build, the build stops here.
2. **Load** (:mod:`sitegen.load`): briefings parsed, through the cache of parsed files.
3. **Plan** (:mod:`sitegen.plan`): the site model, its routes and a fingerprint of what each is made of.
4. **Render** (:mod:`sitegen.rendering`) only the routes whose fingerprint changed, into a
5. **Writer** (:mod:`sitegen.output`): a staging folder swapped in for the output in one step, or for
   the preview's own folder, an in-place publisher that replaces changed files one by one.
6. **Index** (:mod:`sitegen.search`) with Pagefind, when any page's bytes changed.
7. **Remember** (:mod:`sitegen.cache`): parsed files, route fingerprints and a small :class:`BuildState`.

Nothing reaches a published output folder unless every step succeeded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import BuildCache, BuildState, CachedFile, FileRow, sitegen_identity, store_files
from .config import SiteConfig
from .errors import Problem
from .files import output_path_of
from .inventory import Inventory, SiteFile, statics_digest, take_inventory
from .memo import PLANNING
from .output import MARKER, ChangedFilesPublisher, InPlacePublisher, StagedPublisher, Writer, build_lock, check_output_dir
from .workers import Meanwhile

if TYPE_CHECKING:  # the pipeline's modules are imported where used: a build with nothing to do needs none of them
    import jinja2

    from .changes import ChangeSet
    from .content import Content
    from .edits import PreviewModel
    from .load import Loaded
    from .pages import Route
    from .plan import Plan, TemplateFacts
    from .shards import Shard


@dataclass(frozen=True)
class BuildOptions:
    """What the person running the build asked for on the command line."""

    output: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    search: bool = True
    clean: bool = False


@dataclass(frozen=True)
class BuildResult:
    output: Path
    briefings: int
    pages: int
    rendered: int
    reused: int
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    shortcut: bool = False
    """The routes came from the route store instead of a new plan (:func:`sitegen.edits.rebuild_edited`)."""


@dataclass(frozen=True)
class Published:
    """What a builder last published, kept in memory so the next build need not read it back."""

    fingerprints: dict[str, str]
    state: BuildState
    statics: frozenset[str]


def settings_fingerprint(config: SiteConfig, options: BuildOptions, catalogs: Iterable[SiteFile] = ()) -> str:
    """Everything outside content and templates that changes what a page looks like, the interface words included."""
    words = [(str(f.path), f.mtime_ns, f.size) for f in catalogs]
    return f"{sitegen_identity()}|{config!r}|{options.drafts}|{options.future}|{words!r}"


def build_site(config: SiteConfig, options: BuildOptions) -> BuildResult:
    """Build the whole site into the output folder; raise SiteError and leave it untouched on failure."""
    builder = Builder(config, options)
    try:
        return builder.build()
    finally:
        builder.close()


class Builder:
    """One site's build, kept alive by the preview server between edits.

    It remembers parsed briefings and route fingerprints in memory, so a rebuild
    after an edit re-reads only the changed files and re-renders only the routes
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
        self.files: dict[str, CachedFile] | None = None
        """Parsed content files by path, read from the cache on first use."""
        self.published: Published | None = None
        self.preview: PreviewModel | None = None
        """In place only: the last plan, so an edit can re-render just the routes showing the edited file."""
        self._facts: tuple[object, dict[str, TemplateFacts]] | None = None

    @property
    def last_template_facts(self) -> dict[str, TemplateFacts] | None:
        return self._facts[1] if self._facts else None

    @property
    def search(self) -> bool:
        return self.options.search and self.config.search

    def close(self) -> None:
        self.cache.close()

    def build(self, changes: ChangeSet | None = None, early: Callable[[list[str]], object] | None = None) -> BuildResult:
        """Build; ``changes`` (what the preview saw change) lets a warm builder skip the folder scan,
        and re-render only an edited briefing's routes when nothing else changed; ``early`` then hears
        the URLs of the edited briefings' own pages as soon as they are written."""
        started = time.perf_counter()
        changed = None if changes is None or changes.rescan else sorted(changes.content)
        edits = sorted(changes.content) if changes is not None and changes.edits_only else None
        gc.disable()  # a build makes many objects and frees them together; collecting meanwhile only costs time
        try:
            with build_lock(self.output):
                result = self._build(changed, edits, early)
        finally:
            gc.enable()
        return dataclasses.replace(result, seconds=time.perf_counter() - started)

    def _build(self, changed: list[Path] | None, edits: list[Path] | None = None,
               early: Callable[[list[str]], object] | None = None) -> BuildResult:
        now = datetime.now(self.config.tz)
        if changed is not None and edits is not None and self.preview is not None:
            from .edits import rerender_edited

            if quick := rerender_edited(self, edits, early):
                return quick
        inventory = take_inventory(self.config, scan_content=changed is None)
        self.settings = settings_fingerprint(self.config, self.options, inventory.catalogs)
        sources = inventory.sources_digest(self.settings) if changed is None else ""
        frame = inventory.frame_digest(self.settings)
        if sources and not self.in_place and not self.options.clean and (quick := self._unchanged(sources, now)):
            return quick
        if sources and not self.in_place and not self.options.clean and (self.output / MARKER).exists():
            from .edits import rebuild_edited

            if quick := rebuild_edited(self, inventory, sources, frame, now):
                return quick
        # while the workers parse: the theme's modules (Jinja) and the interface's languages (Babel's data), then
        # the theme compiled and its facts; the rest of the pipeline's modules are imported there meanwhile too
        environment = Meanwhile(functools.partial(_environment, self.config))
        templates = Meanwhile(lambda: _prepare_templates(environment.result(), inventory))
        try:
            loaded = self._load(changed, inventory, [environment, templates])
        finally:
            prepared = templates.wait()  # planning and rendering fork processes: no thread may be running then
            environment.wait()
        env = environment.result()  # a broken catalog is reported here, after the content's problems, as before
        from .load import select
        from .plan import plan
        from .shards import SHARDS, plan_edition_shards, searchable_pages, shards_json

        self._recall_planning()
        previous = self._previous()
        planned = plan(self.config, select(loaded.briefings, self.options.drafts, self.options.future, now), now,
                       self.settings, lambda names: self.template_facts(env, names, inventory, prepared),
                       compare=bool(previous.fingerprints))
        statics = {**inventory.statics, **self._image_variants(inventory)}
        self._keep_planning()
        state = BuildState(sources, self._next_due(loaded.briefings, now), len(planned.site.briefings),
                           len(planned.routes), statics_digest(statics), self.search, frame)
        todo = [r for r in planned.routes if previous.fingerprints.get(r.url) != planned.fingerprints.get(r.url, "")]
        warnings = inventory.problems + loaded.warnings
        rendered, reused = len(todo), 0
        shards = plan_edition_shards(searchable_pages(planned.routes)) if self.search else []
        parses = Meanwhile(functools.partial(store_files, self.cache.path, loaded.fresh))  # while the workers render
        if not previous.fingerprints or not self._all_published(previous, planned, state):
            rendered, reused, problems, fingerprints = self._publish(planned, todo, previous, env, statics, shards,
                                                                     parses)
            planned = dataclasses.replace(planned, fingerprints=fingerprints)
            warnings += problems
        if any(p.severity == "error" for p in warnings):
            state = dataclasses.replace(state, sources="")  # a failed search index must be retried by the next build
        self.cache.save(parses, loaded.removed, planned.fingerprints, state, statics=statics.keys(),
                        derived={SHARDS: shards_json(shards)})
        self.published = Published(planned.fingerprints, state, frozenset(statics))
        if self.in_place:
            from .edits import PreviewModel

            self.preview = PreviewModel.of(planned, env)
        return BuildResult(output=self.output, briefings=len(planned.site.briefings), pages=len(planned.routes),
                           rendered=rendered, reused=len(planned.routes) - rendered + reused, warnings=warnings)

    # --- the steps ---

    def _unchanged(self, sources: str, now: datetime) -> BuildResult | None:
        """The last build's result when nothing it was made from changed, as ``make`` would decide.

        A scheduled briefing falling due counts as a change, and so does a
        damaged output folder or a missing search index.
        """
        state = self.cache.state()
        if state.sources != sources or not (self.output / MARKER).exists():
            return None
        if state.next_due is not None and now >= state.next_due:
            return None
        if self.search and not (self.output / "pagefind").is_dir():
            return None
        return BuildResult(output=self.output, briefings=state.briefings, pages=state.routes, rendered=0,
                           reused=state.routes)

    def _load(self, changed: list[Path] | None, inventory: Inventory, meanwhile: Sequence[Meanwhile[Any]] = ()) -> Loaded:
        from .load import load_briefings, reload_changed

        if self.files is None:
            self.files = self.cache.briefings()
        if changed is not None and self.published is not None:
            loaded = reload_changed(self.config, self.files, changed)
        else:
            loaded = load_briefings(self.config, self.files, inventory.content_paths, meanwhile)
        self.files.update(loaded.fresh)
        loaded.removed = set(self.files) - loaded.present
        for rel in loaded.removed:
            del self.files[rel]
        return loaded

    def _recall_planning(self) -> None:
        """Rankings and stories of the last build (:mod:`sitegen.memo`): planning after a text edit need not redo them."""
        if not PLANNING.known and (stored := self.cache.recall("planning")):
            with contextlib.suppress(ValueError):
                found = json.loads(stored)
                PLANNING.known = found if isinstance(found, dict) else {}

    def _keep_planning(self) -> None:
        computed = PLANNING.computed
        kept = PLANNING.kept()
        if computed:
            self.cache.remember("planning", "planning", json.dumps(kept))

    def _next_due(self, briefings: list[Content], now: datetime) -> datetime | None:
        if self.options.future:
            return None
        return min((b.date for b in briefings if b.date and b.date > now), default=None)

    def template_facts(self, env: jinja2.Environment, names: Iterable[str], inventory: Inventory,
                       prepared: dict[str, TemplateFacts] | None = None) -> dict[str, TemplateFacts]:
        """Facts of these page templates and of every other one met since the template files last changed.

        Parsing templates costs more than a small rebuild, so the facts are kept until a template file changes:
        in memory, and in the cache for the next ``sitegen build`` (keyed by every template file's size and mtime).
        Where they are not, ``prepared`` gives them: every template's facts, learnt by a thread while the
        workers parsed (:func:`~sitegen.plan.prepare_templates`); without it only the missing ones are learnt.
        """
        from .plan import TemplateFacts, template_facts

        key, wanted = inventory.template_files, frozenset(names)
        if self._facts is None or self._facts[0] != key or not wanted <= self._facts[1].keys():
            stamp = hashlib.blake2b(repr([(str(f.path), f.mtime_ns, f.size) for f in key]).encode(),
                                    digest_size=16).hexdigest()
            known = dict(self._facts[1]) if self._facts is not None and self._facts[0] == key else {}
            if not known and (stored := self.cache.recall(f"template_facts {stamp}")) is not None:
                known = {name: TemplateFacts(files, uses_site) for name, (files, uses_site) in json.loads(stored).items()}
            if missing := wanted - known.keys():
                known.update(prepared if prepared is not None and missing <= prepared.keys()
                             else template_facts(env, missing, inventory))
                self.cache.remember("template_facts", f"template_facts {stamp}",
                                    json.dumps({name: [f.files, f.uses_site] for name, f in known.items()}))
            self._facts = (key, known)
        return self._facts[1]

    def _previous(self) -> Published:
        """What the output holds now: from memory, or from the cache when the output is intact."""
        if self.published is not None:
            return self.published
        if not (self.output / MARKER).exists() or self.options.clean:
            return Published({}, BuildState(), frozenset())
        return Published(self.cache.route_fingerprints(), self.cache.state(), self.cache.statics())

    def _all_published(self, previous: Published, planned: Plan, state: BuildState) -> bool:
        """Every route, static file and the search index are already in the output as this build would make them."""
        return (previous.fingerprints == planned.fingerprints and previous.state.statics == state.statics
                and previous.state.search == state.search and (not self.search or (self.output / "pagefind").is_dir()))

    def _image_variants(self, inventory: Inventory) -> dict[str, SiteFile]:
        """Smaller WebP copies of the images beside briefings, made once and kept in .sitegen/images/."""
        from .assets import image_variants
        from .workers import run_chunked

        made = image_variants(self.config, {rel: f.path for rel, f in inventory.assets.items()}, run_chunked)
        return {rel: SiteFile.at(path) for rel, path in made.items()}

    def _publish(self, planned: Plan, todo: list[Route], previous: Published, env: jinja2.Environment,
                 statics: dict[str, SiteFile], shards: list[Shard], parses: Meanwhile[list[FileRow]],
                 ) -> tuple[int, int, list[Problem], dict[str, str]]:
        """Render the changed routes and copy static files into a writer, index, and make it the output; the
        parses are pickled and stored in the cache meanwhile.

        Returns (routes rendered, of those how many came out byte-identical, search problems, every route's
        fingerprint: the plan's, or on a first build those a thread of this process computed meanwhile).
        """
        from .plan import route_fingerprints
        from .rendering import render_routes
        from .route_store import RouteStore
        from .search import index_site

        current = {r.url for r in planned.routes}
        gone = [url for url in previous.fingerprints if url not in current]
        writer = self._writer(previous, lambda: self.cache.unsettle(
            [*(r.url for r in todo), *gone], previous.statics | statics.keys()))
        staged = isinstance(writer, StagedPublisher)
        problems: list[Problem] = []
        store = None if self.in_place else RouteStore(self.cache.path)
        try:
            fingerprints = planned.fingerprints
            unchanged = [r.output_path for r in planned.routes
                         if r.url in previous.fingerprints and previous.fingerprints[r.url] == fingerprints[r.url]]
            missing = writer.keep(unchanged)
            todo = todo + [r for r in planned.routes if r.output_path in missing]
            first = None if fingerprints else Meanwhile(functools.partial(  # a first build: while the workers render
                route_fingerprints, planned.routes, planned.facts, planned.site, planned.settings))
            reused = render_routes(todo, env, planned.site, writer,
                                   functools.partial(store.keep, fingerprints=fingerprints) if store else None,
                                   [parses, *([first] if first else [])])
            fingerprints = first.result() if first else fingerprints
            for relpath, found in sorted(statics.items()):
                writer.copy_file(found, relpath)
            writer.remove([*map(output_path_of, gone), *(previous.statics - statics.keys())])
            if self.search and staged:
                problems = index_site(writer.root, shards=shards, previous=self.output)
            writer.finish()
            if store:
                store.settle(fingerprints)
                store.keep_unstored(planned.routes, fingerprints)
                store.forget(gone)
        except BaseException:
            writer.abort()
            raise
        finally:
            if store:
                store.close()
        if isinstance(writer, ChangedFilesPublisher):
            problems = self.index_live(shards)
        return len(todo), reused, problems, fingerprints

    def _writer(self, previous: Published, unsettle: Callable[[], None]) -> Writer:
        """The preview's folder in place; a first or clean build staged whole; later builds only what changed."""
        if self.in_place:
            return InPlacePublisher(self.output, verify=self.published is None)
        if previous.fingerprints and (self.output / MARKER).exists():
            return ChangedFilesPublisher(self.output, unsettle)
        return StagedPublisher(self.output)

    def index_live(self, shards: list[Shard]) -> list[Problem]:
        """The live output's index follows its pages: a shard whose pages are still the same files keeps its
        bundle. A failed or switched-off index is removed: an older build's must not stay beside these pages."""
        from .search import BUNDLE_DIR, index_site

        problems = index_site(self.output, shards=shards, previous=self.output) if self.search else []
        if problems or not self.search:
            shutil.rmtree(self.output / BUNDLE_DIR, ignore_errors=True)
        return problems


def _environment(config: SiteConfig) -> jinja2.Environment:
    """The theme's Jinja environment, imported and made in a thread while the workers parse: Jinja and the
    render modules cost the parent's main thread some 40 ms otherwise, before any worker starts."""
    from .render import UrlHelper, make_environment

    return make_environment(config, UrlHelper(config.base_url, config.base_path))


def _prepare_templates(env: jinja2.Environment, inventory: Inventory) -> dict[str, TemplateFacts]:
    """:func:`~sitegen.plan.prepare_templates`, with the modules planning and publishing use imported first, in
    the same thread: the main thread finds them loaded when the workers are done."""
    from . import edits, shards  # noqa: F401 - imported for later
    from .plan import prepare_templates

    return prepare_templates(env, inventory)
