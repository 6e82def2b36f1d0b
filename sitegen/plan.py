"""The plan: from briefings to routes, and per route a fingerprint of everything it is rendered from.

Planning reads no files and writes none: given the same briefings, settings
and template facts it returns the same routes and fingerprints. A route whose
fingerprint equals the last build's is not rendered again.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import jinja2
from jinja2 import meta, nodes

from .config import SiteConfig
from .content import Content, Document
from .errors import Problem, SiteError
from .inventory import Inventory
from .pages import Route, Site, make_site, plan_routes
from .rendering import compile_before_fork


@dataclass(frozen=True)
class TemplateFacts:
    """What a page template is made of: a hash of its files, and whether it reads the ``site`` global."""

    files: str
    uses_site: bool


FactsOf = Callable[[Iterable[str]], dict[str, TemplateFacts]]
"""Template names to their facts (the builder keeps them between builds while no template file changes)."""


@dataclass(frozen=True)
class Plan:
    """What one build will publish: the site model, its routes and their fingerprints by URL.

    ``fingerprints`` is empty when planned with ``compare=False``: the builder
    then fingerprints the routes while the workers render them.
    """

    site: Site
    routes: list[Route]
    fingerprints: dict[str, str]
    facts: dict[str, TemplateFacts]
    settings: str


def plan(config: SiteConfig, briefings: Sequence[Content], built_at: datetime, settings: str,
         facts_of: FactsOf, compare: bool = True) -> Plan:
    """Model the site, list its routes, refuse two routes writing one file, fingerprint every route.

    A build with nothing published to compare with (the first, or ``--clean``)
    passes ``compare=False``: every route renders anyway, and fingerprinting
    them here would be work the parent does alone while the workers wait.
    """
    site = make_site(config, briefings, built_at)
    routes = plan_routes(site)
    refuse_duplicate_outputs(routes)
    facts = facts_of({route.template for route in routes})
    return Plan(site, routes, route_fingerprints(routes, facts, site, settings) if compare else {}, facts, settings)


def refuse_duplicate_outputs(routes: list[Route]) -> None:
    """Two routes whose files differ only in case would overwrite each other on many file systems."""
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for route in routes:
        other = seen.setdefault(route.output_path.lower(), route.url)
        if other != route.url:
            problems.append(Problem(route.url, None, f"would be written to the same file as {other}",
                                    "give one of them a different slug or topic name"))
    if problems:
        raise SiteError(problems)


# --- fingerprints -------------------------------------------------------------------------------


_SCALARS = (str, int, float, bool, type(None), datetime, date)


class Fingerprinter:
    """Hashes the data a route is rendered from.

    Values whose class names a ``memo_key`` (briefings, cards, topics: shown on
    many routes) are hashed once per build and remembered under that key, which
    is stable for the build, unlike an object's ``id``.
    """

    def __init__(self, alive: bool = False) -> None:
        """``alive``: every value hashed stays alive while this hasher is used (the routes of one plan hold
        them), so an object seen again, such as the navigation list every route shares, is hashed once,
        by its ``id``; a hasher used on temporaries must not say so."""
        self._memo: dict[tuple[type, Any], bytes] = {}
        self._fields: dict[type, tuple[str, ...]] = {}
        self._keyed: dict[type, bool] = {}
        self._seen: dict[int, bytes] | None = {} if alive else None
        self._plain: dict[type, bool] = {}
        self._by_value: dict[Any, bytes] = {}

    def of(self, value: Any) -> bytes:
        if isinstance(value, _SCALARS):
            return repr(value).encode()
        seen = self._seen
        if seen is None:
            return self._of(value)
        found = seen.get(id(value))  # a briefing shown on 20 routes: one lookup, not its key again
        if found is None:
            found = seen[id(value)] = self._of(value)
        return found

    def _of(self, value: Any) -> bytes:
        kind = type(value)
        keyed = self._keyed.get(kind)
        if keyed is None:
            keyed = self._keyed[kind] = hasattr(kind, "memo_key")
        if not keyed:
            plain = self._plain.get(kind)
            if plain is None:
                plain = self._plain[kind] = _plain_value(value)
            if plain:  # a topic link on thousands of cards: equal values, equal bytes
                found = self._by_value.get(value)
                if found is None:
                    found = self._by_value[value] = self._compute(value)
                return found
            return self._compute(value)
        key = (kind, value.memo_key)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._compute(value)
        return found

    def _compute(self, value: Any) -> bytes:
        of = self.of
        if isinstance(value, Document):
            return f"{value.digest}|{value.url}|{value.draft}".encode()
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


def _plain_value(value: Any) -> bool:
    """A frozen dataclass of strings, numbers and flags (a link): equal values hash alike, so it is memoised by value.
    Dates are not plain: equal instants in two zones compare equal but print differently."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type) or not type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return False
    return all(type(getattr(value, f.name)) in (str, int, bool) for f in dataclasses.fields(value))


def _key_text(item: tuple[Any, Any]) -> str:
    return str(item[0])


class RouteFingerprint:
    """A route's fingerprint: settings, template files, the route's own data, and the whole site where a template
    reads it. Values shown on many routes are hashed once per instance (per process that uses it)."""

    def __init__(self, templates: dict[str, TemplateFacts], site: Site, settings: str) -> None:
        self._templates, self._settings = templates, settings.encode()
        self._hasher = Fingerprinter(alive=True)  # the routes and the site hold every value hashed here
        self._everything = [*site.briefings, *site.pages]  # held while this lives: the hasher remembers it by id
        self._whole_site: bytes | None = None

    def __call__(self, route: Route) -> str:
        facts = self._templates[route.template]
        digest = hashlib.blake2b(self._settings, digest_size=16)
        digest.update(facts.files.encode())
        if facts.uses_site:
            if self._whole_site is None:
                self._whole_site = self._hasher.of(self._everything)
            digest.update(self._whole_site)
        digest.update(route.url.encode())
        digest.update(self._hasher.of(route.context))
        return digest.hexdigest()


def route_fingerprints(routes: list[Route], templates: dict[str, TemplateFacts], site: Site,
                       settings: str) -> dict[str, str]:
    """Per route URL, its :class:`RouteFingerprint`."""
    fingerprint = RouteFingerprint(templates, site, settings)
    return {route.url: fingerprint(route) for route in routes}


# --- template facts -----------------------------------------------------------------------------


def template_closure(env: jinja2.Environment, name: str, parsed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template and every template it extends, includes or imports, each parsed once per ``parsed`` cache
    (page templates share ``base.html`` and the macros: one parse serves them all)."""
    parsed = {} if parsed is None else parsed
    found: dict[str, Any] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        if current not in parsed:
            parsed[current] = env.parse(env.loader.get_source(env, current)[0])  # type: ignore[union-attr]
        found[current] = parsed[current]
        todo.extend(other for other in meta.find_referenced_templates(parsed[current]) if other)
    return found


def reads_site(tree: nodes.Template) -> bool:
    """Whether a parsed template may read the ``site`` variable: any ``site`` it loads, even one it assigned itself,
    and any template it includes by a computed name (which could be any template).

    Conservative where Jinja's own analysis (``meta.find_undeclared_variables``, a code-generation pass ten times
    slower) is exact: a false "yes" only re-renders more routes after an edit, a false "no" would leave them stale.
    """
    if any(node.name == "site" and node.ctx == "load" for node in tree.find_all(nodes.Name)):
        return True
    return None in meta.find_referenced_templates(tree)


def template_facts(env: jinja2.Environment, names: Iterable[str], inventory: Inventory) -> dict[str, TemplateFacts]:
    """Per page template, so editing one template re-renders only the routes that use it.

    A template that reads the ``site`` global can show anything, so its routes
    depend on every briefing of the site.
    """
    digests = {name: found.digest() for name, found in inventory.templates.items()}
    parsed: dict[str, Any] = {}
    reading: dict[str, bool] = {}
    facts: dict[str, TemplateFacts] = {}
    for name in set(names):
        try:
            closure = template_closure(env, name, parsed)
        except (jinja2.TemplateError, UnicodeError, OSError):  # a stray binary file, one deleted meanwhile
            facts[name] = TemplateFacts("?", False)  # broken: never matches, so the route renders and reports it
            continue
        for other, tree in closure.items():
            if other not in reading:
                reading[other] = reads_site(tree)
        uses_site = any(reading[other] for other in closure)
        facts[name] = TemplateFacts("|".join(f"{n}:{digests.get(n, '?')}" for n in sorted(closure)), uses_site)
    return facts


def prepare_templates(env: jinja2.Environment, inventory: Inventory) -> dict[str, TemplateFacts]:
    """Every template of the theme compiled, and the facts of each: done in a thread while worker processes parse
    the content (see ``Builder._build``). A build that parses in one process starts no thread: it learns only
    the facts it lacks, and compiles each template as it is first rendered."""
    compile_before_fork(env, (), forking=True)
    return template_facts(env, env.list_templates(), inventory)
