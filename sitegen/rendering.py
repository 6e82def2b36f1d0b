"""Rendering routes through the theme into a :class:`~sitegen.output.Writer`, in worker processes when many.

Workers are forked after every template is compiled, so they share the
compiled templates and the site model instead of receiving copies. Template
errors are collected (once per distinct error) and raised together.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jinja2

from .errors import Problem, SiteError
from .output import Writer
from .pages import Route, Site
from .render import template_problem
from .workers import Meanwhile, run_chunked, worker_count

Keep = Callable[[Sequence[Route]], None]
"""Hears the routes a worker rendered, in that worker (the route store writes them there)."""

Rendered = tuple[int, list[Problem]]
"""How many routes came out byte-identical, and the problems met."""


def _render_many(routes: Sequence[Route], env: jinja2.Environment, site: Site, writer: Writer,
                 keep: Keep | None = None) -> Rendered:
    problems: dict[str, Problem] = {}
    before = writer.reused  # a forked worker's writer carries its count from chunk to chunk
    rendered: list[Route] = []
    for route in routes:
        try:
            html = env.get_template(route.template).render(config=site.config, site=site, page_url=route.url,
                                                           **route.context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as error:
            problem = template_problem(error, site.config)
            problems.setdefault(str(problem), problem)
            continue
        writer.write(route.output_path, html.encode("utf-8"))
        rendered.append(route)
    if keep is not None and not problems:
        keep(rendered)
    return writer.reused - before, list(problems.values())


def compile_before_fork(env: jinja2.Environment, names: Iterable[str], forking: bool) -> None:
    """Compile the page templates, and before a fork every other template of the theme too: the partials they
    import or include (``_macros.html``, ``_card.html``) are otherwise compiled by each worker again, sixteen
    times over on sixteen cores. A template that does not compile is left for its page to report."""
    for name in [*names, *(env.list_templates() if forking else ())]:
        with contextlib.suppress(jinja2.TemplateError, UnicodeError, OSError):  # a stray binary file too
            env.get_template(name)


_FORKED: dict[str, Any] = {}
"""What forked render workers inherit instead of pickling: the routes, the Jinja environment, the site."""


def _render_chunk(indices: Sequence[int]) -> Rendered:
    routes, env, site, writer = _FORKED["routes"], _FORKED["env"], _FORKED["site"], _FORKED["writer"]
    return _render_many([routes[i] for i in indices], env, site, writer, _FORKED["keep"])


def render_routes(routes: list[Route], env: jinja2.Environment, site: Site, writer: Writer,
                  keep: Keep | None = None, meanwhile: Sequence[Meanwhile[Any]] = ()) -> int:
    """Render routes (in worker processes when there are many); return how many were unchanged bytes.
    ``keep`` hears each chunk of routes rendered without a problem; ``meanwhile`` threads start once the
    workers are forked (see :func:`~sitegen.workers.run_chunked`)."""
    compile_before_fork(env, {r.template for r in routes}, worker_count(len(routes)) > 1)
    _FORKED.update(routes=routes, env=env, site=site, writer=writer, keep=keep)
    try:
        results = run_chunked(_render_chunk, range(len(routes)), "Rendering", meanwhile=meanwhile)
    finally:
        _FORKED.clear()
    problems = list({str(p): p for _, found in results for p in found}.values())
    if problems:
        raise SiteError(problems)
    return sum(reused for reused, _ in results)
