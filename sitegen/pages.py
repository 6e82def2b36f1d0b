"""The site's pages: which URLs exist, which template renders each, with what data.

This is the model stage's output: a list of :class:`Page` values, each naming
the briefings it shows, so the build can tell which pages an edit touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import SiteConfig
from .content import Briefing
from .errors import Problem, SiteError


@dataclass
class Page:
    """One output file: its URL, its template and the values the template sees."""

    url: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    shows: Sequence[Briefing] = ()
    """Every briefing whose data appears on the page: an edit to one re-renders the page."""

    @property
    def output_path(self) -> str:
        return output_path_of(self.url)


def output_path_of(url: str) -> str:
    """Where a URL's file lives under the output folder; pretty URLs end in index.html."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    items: Sequence[Any]
    number: int
    count: int
    first_url: str

    def url_of(self, number: int) -> str:
        return self.first_url if number == 1 else f"{self.first_url}page/{number}/"

    @property
    def url(self) -> str:
        return self.url_of(self.number)

    @property
    def prev_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.count else None


def paginate(items: Sequence[Any], per_page: int, first_url: str) -> list[Pager]:
    """Split a list into pagers; an empty list still gets one (empty) first page."""
    count = max(1, -(-len(items) // per_page))
    return [Pager(items[i * per_page:(i + 1) * per_page], i + 1, count, first_url) for i in range(count)]


@dataclass
class Site:
    """The validated content as readers see it: briefings newest first, plus pages."""

    config: SiteConfig
    briefings: list[Briefing]
    pages: list[Briefing]
    built_at: datetime


def make_site(config: SiteConfig, items: list[Briefing], built_at: datetime) -> Site:
    """Order briefings and refuse two files that would claim the same URL."""
    claimed: dict[str, Briefing] = {}
    problems: list[Problem] = []
    for item in sorted(items, key=lambda b: b.rel):
        other = claimed.get(item.url)
        if other is not None:
            problems.append(Problem(item.rel, None, f"same URL {item.url} as {other.rel}",
                                    "give one of them a different `slug:` in its front matter"))
        else:
            claimed[item.url] = item
    if problems:
        raise SiteError(problems)
    briefings = sorted((b for b in items if b.kind == "briefing"), key=lambda b: (b.date, b.slug), reverse=True)
    pages = sorted((b for b in items if b.kind == "page"), key=lambda b: b.slug)
    return Site(config=config, briefings=briefings, pages=pages, built_at=built_at)


def plan_pages(site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    planned: list[Page] = []
    for pager in paginate(site.briefings, site.config.paginate, "/"):
        planned.append(Page(pager.url, "index.html", {"pager": pager, "briefings": pager.items}, shows=pager.items))
    briefings = site.briefings
    for index, briefing in enumerate(briefings):
        newer = briefings[index - 1] if index > 0 else None
        older = briefings[index + 1] if index + 1 < len(briefings) else None
        shown = [b for b in (briefing, newer, older) if b is not None]
        planned.append(Page(briefing.url, "briefing.html", {"page": briefing, "newer": newer, "older": older},
                            shows=shown))
    for page in site.pages:
        planned.append(Page(page.url, "page.html", {"page": page}, shows=[page]))
    planned.append(Page("/404.html", "404.html", {}))
    if site.config.search:
        planned.append(Page("/search/", "search.html", {}))
    return planned
