"""The build, as a short story: load, model, render, write, publish, index.

Nothing reaches the output folder unless every step succeeded: pages are
rendered into a staging folder that replaces the output in one atomic swap.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from .config import SiteConfig
from .console import Progress
from .content import Briefing, load_content
from .errors import Problem, SiteError
from .markdown import BodyRenderer
from .output import OutputWriter, build_lock, check_output_dir, publish, remove_leftovers, staging_path
from .pages import Page, Site, make_site, plan_pages
from .render import UrlHelper, make_environment, static_dirs, template_problem


@dataclass(frozen=True)
class BuildOptions:
    """What the person running the build asked for on the command line."""

    output: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    search: bool = True


@dataclass
class BuildResult:
    output: Path
    briefings: int
    pages: int
    reused: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)


def select(items: list[Briefing], options: BuildOptions, now: datetime) -> list[Briefing]:
    """Leave out drafts and briefings dated in the future unless asked for."""
    return [b for b in items
            if (options.drafts or not b.draft)
            and (options.future or b.date is None or b.date <= now)]


def render_bodies(items: list[Briefing], config: SiteConfig) -> None:
    renderer = BodyRenderer(config.markdown)
    for item in items:
        body = renderer.render(item.body)
        item.html = body.html
        item.summary = item.summary or body.first_paragraph


def render_pages(pages: list[Page], env: jinja2.Environment, site: Site, writer: OutputWriter) -> None:
    """Render every page; collect template errors instead of stopping at the first."""
    problems: dict[str, Problem] = {}
    with Progress("Rendering", len(pages)) as progress:
        for page in pages:
            try:
                html = env.get_template(page.template).render(site=site, config=site.config,
                                                              page_url=page.url, **page.context)
            except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as error:
                problem = template_problem(error, site.config)
                problems.setdefault(str(problem), problem)
                continue
            writer.write(page.output_path, html.encode("utf-8"))
            progress.advance()
    if problems:
        raise SiteError(list(problems.values()))


def copy_static(config: SiteConfig, writer: OutputWriter) -> None:
    """Theme static files, then the site's own ``static/``; the most specific file wins."""
    chosen: dict[str, Path] = {}
    for folder in static_dirs(config):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not path.name.startswith("."):
                    chosen[path.relative_to(folder).as_posix()] = path
    for relpath, path in sorted(chosen.items()):
        writer.copy_file(path, relpath)


def build_site(config: SiteConfig, options: BuildOptions) -> BuildResult:
    """Build the whole site into the output folder; raise SiteError and leave it untouched on failure."""
    started = time.perf_counter()
    if options.base_url:
        config = dataclasses.replace(config, base_url=options.base_url)
    output = (options.output or config.output_dir).resolve()
    check_output_dir(output, config.root)

    items, warnings = load_content(config)
    now = datetime.now(config.tz)
    chosen = select(items, options, now)
    render_bodies(chosen, config)
    site = make_site(config, chosen, built_at=now)
    pages = plan_pages(site)
    env = make_environment(config, UrlHelper(config.base_url, config.base_path))

    with build_lock(output):
        remove_leftovers(output)
        writer = OutputWriter(staging_path(output), previous=output)
        try:
            render_pages(pages, env, site, writer)
            copy_static(config, writer)
            publish(writer.staging, output)
        except BaseException:
            shutil.rmtree(writer.staging, ignore_errors=True)
            raise
    return BuildResult(output=output, briefings=len(site.briefings), pages=len(pages),
                       reused=writer.reused, seconds=time.perf_counter() - started, warnings=warnings)
