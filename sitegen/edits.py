"""The preview's shortcut for the most common edit: a briefing's text changed, the site's shape did not.

When every changed file is a known briefing whose date, slug, topics, author
and draft flag stay the same, no list, neighbour or related link moves; only
the routes that show those briefings (``Route.shows``) need rendering. A
10k-page preview then rebuilds in milliseconds instead of re-planning the site.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .content import Briefing, Content, is_content_file
from .errors import display_path
from .load import load_briefings
from .output import InPlacePublisher
from .pages import Route
from .plan import Plan, route_fingerprints
from .rendering import render_routes
from .stories import story_inputs

if TYPE_CHECKING:
    from .build import Builder, BuildResult


@dataclass(frozen=True)
class PreviewModel:
    """The last preview build's plan and Jinja environment, kept so an edit can re-render only its own routes."""

    plan: Plan
    env: jinja2.Environment
    _showing: dict[str, list[Route]] = field(default_factory=dict)

    def showing(self, briefing: Content) -> list[Route]:
        """The routes a briefing appears on, from an index (by file) built on first use."""
        if not self._showing:
            for route in self.plan.routes:
                for shown in route.shows:
                    self._showing.setdefault(shown.rel, []).append(route)
        return self._showing.get(briefing.rel, [])


def shape(item: Content) -> tuple[Any, ...]:
    """What decides where a file appears: a change here moves lists, neighbours, related links and stories."""
    if isinstance(item, Briefing):
        return (item.kind, item.date, item.slug, item.tags, item.authors, item.draft, story_inputs(item), item.lang,
                item.translation_key)
    return (item.kind, item.date, item.slug, item.draft, item.lang, item.translation_key)


def rerender_edited(builder: Builder, changed: Sequence[Path],
                    early: Callable[[list[str]], object] | None = None) -> BuildResult | None:
    """Re-render only the routes showing the edited briefings; None when the edit needs the full path.

    The edited briefings' own pages come first, and ``early`` hears their URLs
    as soon as their new bytes are written: the page the author is looking at
    updates before the lists, topics and neighbours that also show the briefing
    are fingerprinted and rendered (at 10k briefings, most of the time)."""
    from .build import BuildResult

    model, config, files, published = builder.preview, builder.config, builder.files, builder.published
    facts = builder.last_template_facts
    if model is None or files is None or published is None or facts is None or not changed:
        return None
    edits: list[tuple[str, Path, Content]] = []
    for path in changed:
        rel = display_path(path, config.root)
        if rel not in files or not is_content_file(path, config.content_dir) or not path.is_file():
            return None
        edits.append((rel, path, files[rel].briefing))
    fresh = load_briefings(config, {}, files=[path for _, path, _ in edits]).fresh
    if len(fresh) != len(edits) or any(shape(fresh[rel].briefing) != shape(old) for rel, _, old in edits):
        return None
    for rel, _, old in edits:
        _revise(old, fresh[rel].briefing)
        fresh[rel] = dataclasses.replace(fresh[rel], briefing=old)
        files[rel] = fresh[rel]
    candidates = list({route.url: route for _, _, old in edits for route in model.showing(old)}.values())
    writer = InPlacePublisher(builder.output, verify=False)
    own_urls = {old.url for _, _, old in edits}
    own = [route for route in candidates if route.url in own_urls]
    own_same = render_routes(own, model.env, model.plan.site, writer)
    if early is not None and own_same < len(own):
        early([route.url for route in own])
    updated = route_fingerprints(candidates, facts, model.plan.site, builder.settings)
    todo = [route for route in candidates
            if route.url not in own_urls and published.fingerprints.get(route.url) != updated[route.url]]
    reused = render_routes(todo, model.env, model.plan.site, writer)
    rendered = len(todo) + len(own) - own_same  # own pages count as rendered when their bytes changed
    state = dataclasses.replace(published.state, sources="")
    builder.published = dataclasses.replace(published, fingerprints={**published.fingerprints, **updated}, state=state)
    builder.cache.save(fresh, (), updated, state, every_route=False)
    routes = len(model.plan.routes)
    return BuildResult(output=builder.output, briefings=len(model.plan.site.briefings), pages=routes,
                       rendered=rendered, reused=routes - rendered + reused)


def _revise(old: Content, new: Content) -> None:
    """Give the briefing object every planned route holds the edited text, so their contexts show it."""
    old.__dict__.update({k: v for k, v in new.__dict__.items() if k != "path"})
