"""The preview's shortcut for the most common edit: a briefing's text changed, the site's shape did not.

When every changed file is a known briefing whose date, slug, topics, author
and draft flag stay the same, no list, neighbour or related link moves; only
the routes that show those briefings (``Route.shows``) need rendering. A
10k-page preview then rebuilds in milliseconds instead of re-planning the site.
Those routes are rebuilt around the edited briefings (:class:`Revision`); the
planned objects are never patched.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .cache import BuildState
from .content import Briefing, Content, Document, is_content_file
from .errors import display_path, relative_names
from .inventory import Inventory, SiteFile
from .load import load_briefings
from .output import MARKER, ChangedFilesPublisher, InPlacePublisher
from .pages import Route, Site, make_site
from .plan import Plan, route_fingerprints
from .render import UrlHelper, make_environment
from .rendering import render_routes
from .route_store import RouteStore, stored_routes
from .search import BUNDLE_DIR
from .shards import SHARDS, shards_from_json
from .stories import story_inputs

if TYPE_CHECKING:
    from .build import Builder, BuildResult


@dataclass(frozen=True)
class PreviewModel:
    """The last preview build's routes (by URL) and Jinja environment, so an edit re-renders only its own routes.

    After an edit takes the shortcut, the model is a new one holding the revised routes. ``site`` stays
    the planned one: it reaches templates only as the ``site`` global, and while any template reads
    that global the shortcut is not taken.
    """

    site: Site
    env: jinja2.Environment
    routes: Mapping[str, Route]
    index: dict[str, list[str]] = field(default_factory=dict)
    """Per content file (``rel``), the URLs of the routes that show it: built on first use (a full
    preview build need not pay for it) and shared by every revision, since an edit that takes the
    shortcut moves no briefing from one route to another."""

    @classmethod
    def of(cls, planned: Plan, env: jinja2.Environment) -> PreviewModel:
        return cls(planned.site, env, {route.url: route for route in planned.routes})

    def showing(self, rel: str) -> list[str]:
        """The URLs of the routes a content file appears on."""
        if not self.index:
            for route in self.routes.values():
                for shown in route.shows:
                    self.index.setdefault(shown.rel, []).append(route.url)
        return self.index.get(rel, [])

    def revised(self, routes: Iterable[Route]) -> PreviewModel:
        return dataclasses.replace(self, routes={**self.routes, **{route.url: route for route in routes}})


def shape(item: Content) -> tuple[Any, ...]:
    """What decides where a file appears: a change here moves lists, neighbours, related links and stories,
    and adds or removes pages (``aliases:`` redirects), search shard members (``search: false``) or a
    page's date in the sitemap (a standalone page's ``updated``, its file's mtime unless dated)."""
    common = (item.kind, item.date, item.slug, item.draft, item.lang, item.translation_key, item.aliases,
              item.meta.get("search"))
    if isinstance(item, Briefing):
        return (*common, item.tags, item.authors, story_inputs(item))
    return (*common, item.updated)


def rerender_edited(builder: Builder, changed: Sequence[Path],
                    early: Callable[[list[str]], object] | None = None) -> BuildResult | None:
    """Re-render only the routes showing the edited briefings; None when the edit needs the full path.

    The routes are rebuilt with the edited briefings in place of the old ones
    (:class:`Revision`); the old objects are never changed. The edited
    briefings' own pages come first, and ``early`` hears their URLs as soon as
    their new bytes are written: the page the author is looking at updates
    before the lists, topics and neighbours that also show the briefing are
    fingerprinted and rendered (at 10k briefings, most of the time)."""
    from .build import BuildResult

    model, config, files, published = builder.preview, builder.config, builder.files, builder.published
    facts = builder.last_template_facts
    if model is None or files is None or published is None or facts is None or not changed:
        return None
    if any(found.uses_site for found in facts.values()):
        return None  # a template reading the `site` global may show any briefing: re-plan the site
    edits: list[tuple[str, Path, Content]] = []
    for path in changed:
        rel = display_path(path, config.root)
        if rel not in files or not is_content_file(path, config.content_dir) or not path.is_file():
            return None
        edits.append((rel, path, files[rel].briefing))
    fresh = load_briefings(config, {}, files=[path for _, path, _ in edits]).fresh
    if len(fresh) != len(edits) or any(shape(fresh[rel].briefing) != shape(old) for rel, _, old in edits):
        return None
    files.update(fresh)
    revision = Revision({rel: entry.briefing for rel, entry in fresh.items()})
    urls = list(dict.fromkeys(url for rel in fresh for url in model.showing(rel)))
    own_urls = {entry.briefing.url for entry in fresh.values()}
    writer = InPlacePublisher(builder.output, verify=False)
    own = [revision.route(model.routes[url]) for url in urls if url in own_urls]
    own_same = render_routes(own, model.env, model.site, writer)
    if early is not None and own_same < len(own):
        early([route.url for route in own])
    others = [revision.route(model.routes[url]) for url in urls if url not in own_urls]
    updated = route_fingerprints([*own, *others], facts, model.site, builder.settings)
    todo = [route for route in others if published.fingerprints.get(route.url) != updated[route.url]]
    reused = render_routes(todo, model.env, model.site, writer)
    rendered = len(todo) + len(own) - own_same  # own pages count as rendered when their bytes changed
    state = dataclasses.replace(published.state, sources="")
    builder.published = dataclasses.replace(published, fingerprints={**published.fingerprints, **updated}, state=state)
    builder.preview = model.revised([*own, *others])
    builder.cache.save(fresh, (), updated, state, every_route=False)
    routes = len(model.routes)
    return BuildResult(output=builder.output, briefings=len(model.site.briefings), pages=routes,
                       rendered=rendered, reused=routes - rendered + reused)


EDITS_AT_MOST = 64
"""More edited files than this (a checkout switching branches) take the full path: it is planned for bulk."""


def rebuild_edited(builder: Builder, inventory: Inventory, sources: str, frame: str,
                   now: datetime) -> BuildResult | None:
    """``sitegen build``'s shortcut for the same edit: re-render the stored routes showing the edited files.

    The command line has no plan in memory, so the routes come from the route
    store (:mod:`sitegen.route_store`), with the edited files' new parses in
    place of the old ones; re-planning a large archive would cost seconds for
    an edit that changes a page and its lists. Taken only when nothing but
    content changed since the last build (``frame``), no file was added or
    removed, no scheduled briefing fell due, and every edited file keeps its
    :func:`shape`; None otherwise. Warnings are only the edited files' own:
    the others' were reported when they were read.
    """
    from .build import BuildResult

    cache, config, output = builder.cache, builder.config, builder.output
    state = cache.state()
    if not _may_shortcut(builder, state, frame, now) or inventory.content is None:
        return None
    edited = _edited_files(config.root, inventory.content, cache.file_stats())
    if not edited:
        return None
    fresh = load_briefings(config, {}, files=list(edited.values())).fresh  # a broken file stops here, named
    try:
        if len(fresh) != len(edited) or any(shape(fresh[rel].briefing) != shape(cache.briefing(rel)) for rel in edited):
            return None
    except LookupError:
        return None
    documents = _Documents(cache.briefing, {rel: entry.briefing for rel, entry in fresh.items()})
    urls = cache.shown_on(edited)
    own = cache.fingerprints_of(entry.briefing.url for entry in fresh.values())
    if urls is None or own is None or not own.keys() <= set(urls):
        return None  # a published page of an edited file that the store does not list: it cannot be trusted
    stored = stored_routes(cache, urls, documents)
    if stored is None:
        return None
    routes = [route for route, _ in stored]
    env = make_environment(config, UrlHelper(config.base_url, config.base_path))
    facts = builder.template_facts(env, {route.template for route in routes}, inventory)
    if any(found.uses_site for found in facts.values()):
        return None
    site = make_site(config, [], now)  # the `site` global, which no template reads (checked above)
    fingerprints = route_fingerprints(routes, facts, site, builder.settings)
    todo = [route for route, published in stored if published != fingerprints[route.url]]
    reused = _publish(builder, todo, env, site, fingerprints)
    problems = builder.index_live(shards_from_json(cache.recall(SHARDS) or "[]")) if todo else []
    warnings = [*inventory.problems, *(w for entry in fresh.values() for w in entry.briefing.warnings), *problems]
    done = dataclasses.replace(state, sources="" if problems else sources)
    cache.save(fresh, (), {url: fingerprints[url] for url in (route.url for route in todo)}, done, every_route=False)
    return BuildResult(output=output, briefings=state.briefings, pages=state.routes, rendered=len(todo),
                       reused=state.routes - len(todo) + reused, warnings=warnings, shortcut=True)


def _may_shortcut(builder: Builder, state: BuildState, frame: str, now: datetime) -> bool:
    """The last build published this output, from the same settings, templates and static files."""
    if not state.frame or state.frame != frame or state.search != builder.search:
        return False
    if state.next_due is not None and now >= state.next_due:
        return False
    output = builder.output
    return (output / MARKER).exists() and (not builder.search or (output / BUNDLE_DIR).is_dir())


def _edited_files(root: Path, content: list[SiteFile], known: dict[str, tuple[int, int]]) -> dict[str, Path] | None:
    """The content files whose size or mtime changed, by ``rel``; None when one was added or removed, or when
    too many changed for a shortcut."""
    if len(content) != len(known):
        return None
    edited: dict[str, Path] = {}
    for found, rel in zip(content, relative_names([found.path for found in content], root), strict=True):
        stat = known.get(rel)
        if stat is None:
            return None
        if stat != (found.mtime_ns, found.size):
            edited[rel] = found.path
    return edited if len(edited) <= EDITS_AT_MOST else None


class _Documents:
    """Files for the stored routes: the edited ones' new parses, the others' from the cache, each read once."""

    def __init__(self, read: Callable[[str], Content], fresh: dict[str, Content]) -> None:
        self._read, self._known = read, dict(fresh)

    def __call__(self, rel: str) -> Content:
        found = self._known.get(rel)
        if found is None:
            found = self._known[rel] = self._read(rel)
        return found


def _publish(builder: Builder, todo: list[Route], env: jinja2.Environment, site: Site,
             fingerprints: dict[str, str]) -> int:
    """Render into the live output file by file (as any later build does), storing each route again."""
    cache = builder.cache
    writer = ChangedFilesPublisher(builder.output, lambda: cache.unsettle([route.url for route in todo], cache.statics()))
    store = RouteStore(cache.path)
    try:
        reused = render_routes(todo, env, site, writer, functools.partial(store.keep, fingerprints=fingerprints))
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    finally:
        store.close()
    return reused


_LEAVES = (str, bytes, int, float, bool, type(None), datetime, date)
_REL = operator.attrgetter("rel")
_TUPLE_OF = re.compile(r"tuple\[(\w+), \.\.\.\]")
_LEAF_TYPES = frozenset({"str", "int", "float", "bool", "datetime", "date", "str | None", "int | None",
                         "datetime | None"})



class Revision:
    """Values rebuilt with edited documents in place of the versions they replace (matched by file).

    A value that holds none of them is returned as it is, the same object;
    one that does is rebuilt (lists, tuples, dicts, dataclasses through
    ``dataclasses.replace``), never changed in place. Values shared by many
    routes (cards, topics, months: classes with a ``memo_key``) are rebuilt
    once per revision.
    """

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._documents = documents
        self._shared: dict[tuple[type, Any], Any] = {}
        self._plain: dict[type, bool] = {}
        self._fields: dict[type, tuple[str, ...]] = {}

    def route(self, route: Route) -> Route:
        context, shows = self.of(route.context), self.of(route.shows)
        if context is route.context and shows is route.shows:
            return route
        return dataclasses.replace(route, context=context, shows=shows)

    def of(self, value: Any) -> Any:
        if isinstance(value, _LEAVES):
            return value
        if isinstance(value, Document):
            return self._documents.get(value.rel, value)
        kind = type(value)
        if self._holds_no_document(kind):
            return value
        if not hasattr(value, "memo_key"):
            return self._rebuild(value)
        shared = (kind, value.memo_key)
        if shared not in self._shared:
            self._shared[shared] = self._rebuild(value)
        return self._shared[shared]

    def _holds_no_document(self, kind: type) -> bool:
        """Text, numbers, dates, and dataclasses declared to hold only those (a link, a sitemap entry)."""
        plain = self._plain.get(kind)
        if plain is None:
            self._plain[kind] = False  # while its fields are looked at
            declared = [found.type for found in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) else [kind]
            plain = self._plain[kind] = all(map(functools.partial(self._plain_type, kind), declared))
        return plain

    def _plain_type(self, owner: type, declared: Any) -> bool:
        """A field's declared type holds no document: a leaf, or a tuple of a plain dataclass named in the owner's module."""
        if declared in _LEAF_TYPES or declared in _LEAVES:
            return True
        named = _TUPLE_OF.fullmatch(declared) if isinstance(declared, str) else None
        inner = vars(sys.modules[owner.__module__]).get(named.group(1)) if named else None
        return isinstance(inner, type) and self._holds_no_document(inner)

    def _rebuild(self, value: Any) -> Any:
        of = self.of
        if isinstance(value, dict):
            items = dict(zip(value, map(of, value.values()), strict=True))
            return items if any(map(operator.is_not, items.values(), value.values())) else value
        if isinstance(value, (list, tuple)):
            kinds = set(map(type, value))
            if all(map(self._holds_no_document, kinds)):
                return value  # a sitemap's entries, a list of links
            if all(issubclass(kind, Document) for kind in kinds) and self._documents.keys().isdisjoint(map(_REL, value)):
                return value  # a topic's or a month's briefings, none of them edited
            new = list(map(of, value))
            if not any(map(operator.is_not, new, value)):
                return value
            return new if isinstance(value, list) else type(value)(new)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = self._fields.get(type(value))
            if names is None:
                names = self._fields[type(value)] = tuple(found.name for found in dataclasses.fields(value))
            changes = {}
            for name in names:
                old = getattr(value, name)
                new = of(old)
                if new is not old:
                    changes[name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value
