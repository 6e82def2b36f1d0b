"""What belongs to the whole site rather than to one edition: redirects from old paths, the sitemap.

Both are planned after every edition's pages, since they look at all of them:
an alias may not take a path any page has, and the sitemap lists every dated
page with its language versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .content import Document, front_matter_line
from .editions import Alternate
from .errors import Problem, SiteError
from .files import output_path_of

if TYPE_CHECKING:
    from .pages import Route, Site

SITEMAP_SIZE = 50_000
"""The sitemaps.org limit of URLs per file; a bigger site gets a sitemap index."""


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime
    alternates: tuple[Alternate, ...] = ()
    """The page's language versions (:class:`~sitegen.editions.Alternate`), on a site of several languages."""


def alias_pages(site: Site, planned: Sequence[Route]) -> list[Route]:
    """A small redirect page at each old path a briefing or page lists in ``aliases:``.

    A path that another page, or another file's alias, already claims is an
    error naming both files, never a silent overwrite.
    """
    from .pages import Route  # pages plans the site and calls this; the import is deferred to avoid a cycle

    owners: dict[str, str] = {output_path_of(page.url): _owner(page) for page in planned}
    pages: list[Route] = []
    problems: list[Problem] = []
    for item in sorted((*site.briefings, *site.pages), key=lambda b: b.rel):
        for alias in item.aliases:
            other = owners.setdefault(output_path_of(alias), item.rel)
            if other != item.rel:
                problems.append(Problem(item.rel, front_matter_line(item, "aliases"), f"alias {alias} is already the URL of "
                                        f"{other}", "remove the alias, or move the other page to a different URL"))
            elif alias != item.url:
                context = {"page": item, "target": item.url, **site.shared}
                if site.editions:
                    context["lang"] = item.edition or site.config.language
                pages.append(Route(alias, "redirect.html", context, shows=[item]))
    if problems:
        raise SiteError(problems)
    return pages


def _owner(page: Route) -> str:
    item = page.context.get("page")
    return item.rel if isinstance(item, Document) else f"the page {page.url}"


def sitemaps(site: Site, planned: list[Route]) -> list[Route]:
    """``/sitemap.xml``: every dated page; past the sitemaps.org limit, an index of numbered sitemaps."""
    from .pages import Route

    entries = [SitemapEntry(p.url, p.lastmod, p.context.get("alternates", ())) for p in planned
               if p.lastmod is not None]
    everything = [*site.briefings, *site.pages]
    extra = {"with_alternates": True, **site.shared} if site.editions else site.shared
    if len(entries) <= SITEMAP_SIZE:
        return [Route("/sitemap.xml", "sitemap.xml", {"entries": entries, **extra}, shows=everything)]
    parts = [Route(f"/sitemap-{number}.xml", "sitemap.xml", {"entries": entries[start:start + SITEMAP_SIZE], **extra},
                  shows=everything)
             for number, start in enumerate(range(0, len(entries), SITEMAP_SIZE), 1)]
    index = [SitemapEntry(p.url, max(e.lastmod for e in p.context["entries"])) for p in parts]
    return [*parts, Route("/sitemap.xml", "sitemap-index.xml", {"sitemaps": index, **site.shared}, shows=everything)]
