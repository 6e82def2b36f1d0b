"""Language editions: translations of one briefing, and the language versions each page links to.

A site that lists several ``languages:`` has one edition per language, the
default at the site's root and each other under ``/<lang>/`` (the model
builds each edition as a :class:`~sitegen.pages.Site` of its own). This
module holds what ties the editions together: files that share a
``translation_key:`` are one briefing in several languages, and every page
with an equivalent in another edition names it (``<link rel="alternate"
hreflang>``, the language switch, the sitemap's ``xhtml:link``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .content import Document, front_matter_line
from .errors import Problem

if TYPE_CHECKING:
    from .pages import Route


@dataclass(frozen=True)
class Alternate:
    """One language version of a page: its language code (``hreflang``) and its URL."""

    lang: str
    url: str


def edition_language(item: Document, default: str) -> str:
    """The language of the edition a file belongs to."""
    return item.edition or default


def translation_groups(items: Iterable[Document]) -> dict[str, list[Document]]:
    """Files by ``translation_key``, only keys that more than one file shares."""
    groups: dict[str, list[Document]] = {}
    for item in sorted((i for i in items if i.translation_key), key=lambda i: i.rel):  # most files have none
        groups.setdefault(item.translation_key, []).append(item)
    return {key: members for key, members in groups.items() if len(members) > 1}


def translation_clashes(items: Iterable[Document], default: str) -> list[Problem]:
    """Two files of one language sharing a translation_key: one error per extra file, naming the first."""
    problems: list[Problem] = []
    for key, members in translation_groups(items).items():
        seen: dict[str, Document] = {}
        for item in members:
            lang = edition_language(item, default)
            first = seen.setdefault(lang, item)
            if first is not item:
                problems.append(Problem(
                    item.rel, front_matter_line(item, "translation_key"),
                    f"`translation_key: {key}` is also on {first.rel}, in the same language ({lang})",
                    "a translation_key joins one file per language: give one of them another key, "
                    "or mark the translation with its own language (`lang:`, or move it to content/<lang>/)"))
    return problems


def link_alternates(routes: Sequence[Route], items: Iterable[Document], languages: Sequence[str]) -> list[Route]:
    """The routes, each page that exists in several editions given the list of its versions (``alternates``)
    and the one for readers of any other language (``x_default``), translations showing each other.

    A briefing's versions are the files sharing its ``translation_key``; an
    edition-level page (home, topics, archive, search...) is the page at the
    same path in the other editions. Every version names all of them, itself
    included, so the links are reciprocal as search engines require. Routes
    are rebuilt (``dataclasses.replace``), never changed.
    """
    default = languages[0]
    order = {code: index for index, code in enumerate(languages)}
    own: dict[str, Route] = {}
    by_path: dict[str, dict[str, Route]] = {}
    for route in routes:
        item = route.context.get("page")
        lang = route.context.get("lang", default)
        if isinstance(item, Document) and item.url == route.url:
            own[item.rel] = route
        elif route.url.endswith("/") and route.template != "redirect.html":
            path = route.url[len(lang) + 1:] if lang != default else route.url
            by_path.setdefault(path, {})[lang] = route
    groups: list[dict[str, Route]] = list(by_path.values())
    shows: dict[str, list[Document]] = {}  # by route URL
    for members in translation_groups(items).values():
        versions = {edition_language(m, default): own[m.rel] for m in members if m.rel in own}
        groups.append(versions)
        shown = [m for m in members if m.rel in own]
        for route in versions.values():
            already = {item.rel for item in shows.get(route.url, route.shows)}
            shows[route.url] = [*shows.get(route.url, route.shows), *(m for m in shown if m.rel not in already)]
    extra: dict[str, dict[str, Any]] = {}  # context values, by route URL
    for versions in groups:
        if len(versions) < 2:
            continue
        ordered = sorted(versions.items(), key=lambda pair: order.get(pair[0], len(order)))
        alternates = tuple(Alternate(lang, route.url) for lang, route in ordered)
        for route in versions.values():
            extra[route.url] = {"alternates": alternates, "x_default": alternates[0].url}
    return [dataclasses.replace(route, shows=shows.get(route.url, route.shows),
                                context={**route.context, **extra.get(route.url, {})})
            if route.url in shows or route.url in extra else route for route in routes]
