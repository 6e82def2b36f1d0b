"""The site's pages: which URLs exist, which template renders each, with what data.

This is the model stage's output: a list of :class:`Route` values, each naming
the briefings it shows, so the build can tell which pages an edit touches.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import SiteConfig
from .content import Briefing, Content, Document, Page, edition_of
from .editions import Alternate, link_alternates, translation_clashes
from .errors import Problem, SiteError
from .files import output_path_of
from .fragments import Fragments
from .links import Letter, Link, counted, letter_key, month_link, paginate, time_strip, year_of_months
from .sitewide import alias_pages, sitemaps
from .stories import Stories, Story, start_stories
from .taxonomy import Author, Month, Taxonomy, Topic
from .topics import alias_table


@dataclass(frozen=True)
class Route:
    """One output file: its URL, its template and the values the template sees (built whole: every
    route's context carries its edition's ``Site.shared`` values, the header's ``nav`` among them)."""

    url: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    shows: Sequence[Document] = ()
    """Every briefing whose data appears on the page: an edit to one re-renders the page."""
    lastmod: datetime | None = None
    """When the page's content last changed; pages that have one are listed in the sitemap."""

    @property
    def output_path(self) -> str:
        return output_path_of(self.url)


CHIPS = 3
"""Topic chips a card shows at most: the briefing's first topics worth following."""


@dataclass(frozen=True)
class Card:
    """A briefing as lists, feeds and cross-links show it: with its topics, authors and status."""

    briefing: Briefing
    topics: tuple[Link, ...]
    authors: tuple[Link, ...]
    badge: str
    """The message key ``draft`` or ``scheduled`` when built with --drafts or --future, else empty."""

    @property
    def author(self) -> Link | None:
        """The first author, for themes written when a briefing had only one."""
        return self.authors[0] if self.authors else None

    @property
    def chips(self) -> tuple[Link, ...]:
        """The topic chips a card shows: at most ``CHIPS``, minor topics left out (their pages stay)."""
        return tuple(topic for topic in self.topics if not topic.minor)[:CHIPS]

    @property
    def memo_key(self) -> str:
        """One card per briefing file: the build hashes it once however many routes show it."""
        return self.briefing.rel


@dataclass(frozen=True)
class MoreOn:
    """The latest other briefings on one topic of a briefing."""

    topic: Link
    briefings: tuple[Briefing, ...]


@dataclass(frozen=True)
class StoryBox:
    """A briefing's place in its story, as the briefing page shows it: "3 of 7", the briefings before and after."""

    story: Link
    place: int
    """From 1, the story's first briefing."""
    count: int
    previous: Briefing | None
    next: Briefing | None


@dataclass(frozen=True)
class StoryCard:
    """A story as the stories index lists it."""

    story: Link
    count: int
    first: datetime
    last: datetime
    ongoing: bool
    topics: tuple[Link, ...]


@dataclass(frozen=True)
class Site:
    """The validated content as readers see it, computed once per build and only looked up afterwards."""

    config: SiteConfig
    briefings: list[Briefing]
    pages: list[Page]
    built_at: datetime
    taxonomy: Taxonomy
    cards: dict[str, Card]
    """Per briefing file (``rel``): a plain attribute, cheaper to look up than the computed URL."""
    stories: Stories
    lang: str = ""
    """The edition's language on a site of several languages (its pages say so); empty on a one-language site."""
    prefix: str = ""
    """What the edition's URLs start with: empty for the default edition, ``/ar`` for the Arabic one."""
    editions: tuple[Site, ...] = ()
    """On a site of several languages, each edition as a Site of its own, the default first; else empty."""
    shared: dict[str, Any] = field(default_factory=dict)
    """What every page of the edition shows: the header's ``nav`` and, on a site of several languages, the
    edition's ``lang``, ``prefix`` and the ``editions``' homes. Part of each route's context from the start."""
    feed_entries: Fragments = field(default_factory=Fragments, compare=False, repr=False)
    """The edition's feeds render each briefing's entry once (per render process) and reuse it."""
    card_fragments: Fragments = field(default_factory=Fragments, compare=False, repr=False)
    """The edition's lists render each briefing's card once (per render process and lead or not) and reuse it."""
    link_fragments: Fragments = field(default_factory=Fragments, compare=False, repr=False)
    """The edition's briefing pages render each briefing's line in their link lists once and reuse it."""
    link: Callable[[Topic | Author | Month | Story], Link] = field(default_factory=lambda: functools.cache(_link),
                                                                  compare=False, repr=False)
    """A topic's, author's, month's or story's link, one per build: its cards, its "More on" sections on
    thousands of briefing pages and its own pages share it, as does the route fingerprint's memo."""

    def card(self, briefing: Briefing) -> Card:
        return self.cards[briefing.rel]

    def path(self, url: str) -> str:
        """A section of this edition: ``/topics/`` is ``/ar/topics/`` in the Arabic edition."""
        return self.prefix + url


def make_site(config: SiteConfig, items: Sequence[Content], built_at: datetime) -> Site:
    """Order briefings, refuse two files that would claim the same URL, and build the taxonomy:
    one per language edition when site.yml lists several ``languages``."""
    claimed: dict[str, Content] = {}
    problems: list[Problem] = []
    for item in sorted(items, key=lambda b: b.rel):
        other = claimed.get(item.url)
        if other is not None:
            problems.append(Problem(item.rel, None, f"same URL {item.url} as {other.rel}",
                                    "give one of them a different `slug:` in its front matter"))
        else:
            claimed[item.url] = item
    problems += translation_clashes(items, config.language)
    if problems:
        raise SiteError(problems)
    briefings = sorted((b for b in items if isinstance(b, Briefing)), key=lambda b: (b.date, b.slug), reverse=True)
    pages = sorted((p for p in items if isinstance(p, Page)), key=lambda p: p.slug)
    if len(config.languages) < 2:
        return _edition(config, briefings, pages, built_at)
    editions = tuple(_edition(config, [b for b in briefings if b.edition == edition], [p for p in pages if
                                                                                      p.edition == edition],
                              built_at, lang=code, prefix=f"/{edition}" if edition else "")
                     for code in config.languages for edition in [edition_of(code, config)])
    cards = {rel: card for edition in editions for rel, card in edition.cards.items()}
    editions = tuple(dataclasses.replace(edition, cards=cards) for edition in editions)  # cards link across editions
    default = editions[0]
    return Site(config=config, briefings=briefings, pages=pages, built_at=built_at, taxonomy=default.taxonomy,
                cards=cards, stories=default.stories, lang=default.lang, editions=editions,
                shared={"nav": navigation(pages, "", bool(default.taxonomy.authors))})


def _edition(config: SiteConfig, briefings: list[Briefing], pages: list[Page], built_at: datetime, lang: str = "",
             prefix: str = "") -> Site:
    """One edition's model: its briefings' topics, authors, archive, cards and stories, under its URL prefix.
    Story detection and related rankings run in child processes meanwhile, where that pays."""
    started = start_stories(briefings, config.story_gap)
    taxonomy = Taxonomy(briefings, config.topics, alias_table(config.topic_aliases), config.topics_min_count,
                        ascii_slugs=config.slugs == "ascii", prefix=prefix)
    link = functools.cache(_link)
    cards = {b.rel: _card(b, taxonomy, built_at, link) for b in briefings}
    stories = Stories(briefings, config.story_gap, {slug: topic.name for slug, topic in taxonomy.topics.items()},
                      prefix=prefix, started=started)
    shared: dict[str, Any] = {"nav": navigation(pages, prefix, bool(taxonomy.authors))}
    if lang:
        shared.update(lang=lang, prefix=prefix, editions=tuple(Alternate(code, edition_home(code, config))
                                                               for code in config.languages))
    return Site(config=config, briefings=briefings, pages=pages, built_at=built_at, taxonomy=taxonomy, cards=cards,
                stories=stories, lang=lang, prefix=prefix, shared=shared, link=link)


def _link(item: Topic | Author | Month | Story) -> Link:
    return Link(item.name, item.url, minor=isinstance(item, Topic) and item.minor)


def _card(briefing: Briefing, taxonomy: Taxonomy, built_at: datetime,
          link: Callable[[Topic | Author], Link]) -> Card:
    badge = "draft" if briefing.draft else "scheduled" if briefing.date > built_at else ""
    return Card(briefing, tuple(map(link, taxonomy.topics_of(briefing))), tuple(map(link, taxonomy.authors_of(briefing))),
                badge)


FEED_SIZE = 20
MORE_ON_TOPICS = 3
MORE_ON_BRIEFINGS = 3
def plan_routes(site: Site) -> list[Route]:
    """Every page of the site, in a stable order, edition by edition; the sitemap lists the ones with a date."""
    planned = [route for edition in site.editions or (site,) for route in edition_routes(edition)]
    if site.editions:
        planned = link_alternates(planned, [*site.briefings, *site.pages], site.config.languages)
    planned += alias_pages(site, planned)
    planned += sitemaps(site, planned)
    planned.append(Route("/robots.txt", "robots.txt", {**site.shared}))
    return planned


def edition_routes(site: Site) -> list[Route]:
    """The pages of one edition (the whole site when it has one language), each told its language.

    The lists that show no story and no related briefings are made first: on a large archive, story detection
    and related rankings are still finishing in their child processes meanwhile (see :func:`_edition`)."""
    home = listing(site, site.briefings, site.path("/"), "index.html")
    standalone = [standalone_page(site, page) for page in site.pages]
    topics, authors, archive = topic_pages(site), author_pages(site), archive_pages(site)
    planned = [
        *home,
        *(briefing_page(site, b) for b in site.briefings),
        *standalone,
        *topics,
        *authors,
        *archive,
        *story_pages(site),
        feed(site, site.path("/feed.xml"), site.config.title, site.path("/"), site.briefings),
    ]
    if not site.prefix:
        planned.append(Route("/404.html", "404.html", {**site.shared}))
    if site.config.search:
        planned.append(Route(site.path("/search/"), "search.html", {**site.shared}))
    return planned


def edition_home(lang: str, config: SiteConfig) -> str:
    """The home page of an edition: ``/`` for the default language, ``/ar/`` for Arabic."""
    edition = edition_of(lang, config)
    return f"/{edition}/" if edition else "/"


def navigation(pages: Sequence[Page], prefix: str = "", authors: bool = True) -> list[Link]:
    """The header's sections, plus About when the site has an about page.

    Every page gets it in its own data, so adding an about page re-renders
    them all while templates never need the whole site.
    """
    sections = [Link("Topics", prefix + "/topics/", key="topics"),
                *([Link("Authors", prefix + "/authors/", key="authors")] if authors else []),
                Link("Archive", prefix + "/archive/", key="archive")]
    sections += [Link(page.title, page.url) for page in pages if page.slug == "about"]
    return sections


def listing(site: Site, items: Sequence[Briefing], first_url: str, template: str, per_page: int = 0,
            **context: Any) -> list[Route]:
    """A paginated list of briefing cards: /x/, /x/page/2/, ... (``per_page`` default: ``paginate``)."""
    return [Route(pager.url, template, {**context, "pager": pager, "cards": [site.card(b) for b in pager.items],
                                        "card_once": site.card_fragments, **site.shared},
                 shows=pager.items, lastmod=_newest(pager.items))
            for pager in paginate(items, per_page or site.config.paginate, first_url)]


def briefing_page(site: Site, briefing: Briefing) -> Route:
    """A briefing with its story box, related briefings (its story left out: the box leads there) and neighbours."""
    taxonomy = site.taxonomy
    newer, older = taxonomy.neighbours(briefing)
    story = site.stories.story_of(briefing)
    in_story = {b.rel for b in story.briefings} if story else {briefing.rel}
    related = taxonomy.related(briefing, exclude=in_story)
    more = more_on(site, briefing, exclude={*in_story, *(b.rel for b in related)})
    box = story_box(site, story, briefing) if story else None
    context = {"page": briefing, "card": site.card(briefing), "newer": newer, "older": older,
               "related": related, "more": more, "story": box, "link_once": site.link_fragments, **site.shared}
    shown = [briefing, *(b for b in (newer, older) if b), *related, *(b for m in more for b in m.briefings),
             *((b for b in (box.previous, box.next) if b) if box else ())]
    return Route(briefing.url, "briefing.html", context, shows=_unique(shown), lastmod=briefing.date)


def more_on(site: Site, briefing: Briefing, exclude: set[str]) -> list[MoreOn]:
    """For the briefing's first few topics, the nearest briefings on each (what came next first), newest first,
    leaving out those the page already links to."""
    taxonomy = site.taxonomy
    sections: list[MoreOn] = []
    for topic in taxonomy.topics_of(briefing)[:MORE_ON_TOPICS]:
        chosen = taxonomy.nearest_on(topic, briefing, exclude, MORE_ON_BRIEFINGS)
        if chosen:
            sections.append(MoreOn(site.link(topic), tuple(chosen)))
            exclude.update(b.rel for b in chosen)
    return sections


def standalone_page(site: Site, page: Page) -> Route:
    return Route(page.url, "page.html", {"page": page, **site.shared}, shows=[page], lastmod=page.updated)


HUB_TOP = 48
"""Topics in the hub's "most covered" grid."""
HUB_INLINE = 400
"""Up to this many topics the A-Z list is on /topics/ itself; beyond it, one page per letter."""
NEAR_TOPICS = 8


def topic_pages(site: Site) -> list[Route]:
    """The topic hub (most covered, A-Z by letter; minor topics left out), then per topic its paginated list,
    with related topics and a strip of months, and its feed."""
    taxonomy = site.taxonomy
    by_name = [t for t in taxonomy.topics_by_name if not t.minor]
    groups = [(letter, [counted(t) for t in topics]) for letter, topics in itertools.groupby(by_name, key=lambda t: t.initial)]
    inline = len(by_name) <= HUB_INLINE
    letters = [Letter(letter, letter_key(letter), len(topics),
                      "" if inline else site.path(f"/topics/a-z/{letter_key(letter)}/")) for letter, topics in groups]
    hub = {"most": [counted(t) for t in taxonomy.topics_by_size if not t.minor][:HUB_TOP], "letters": letters,
           "total": len(by_name), "groups": groups if inline else [], **site.shared}
    planned = [Route(site.path("/topics/"), "topics.html", hub, shows=site.briefings, lastmod=_newest(site.briefings))]
    if not inline:
        planned += [Route(entry.url, "topics_letter.html", {"letter": entry, "topics": topics, "letters": letters,
                                                                 **site.shared},
                         shows=site.briefings, lastmod=_newest(site.briefings))
                    for entry, (_, topics) in zip(letters, groups, strict=True)]
    strip = functools.cache(lambda year, month: month_link(Month(year, month, [], site.prefix)))  # on every topic
    for topic in taxonomy.topics.values():
        near = [(site.link(other), count) for other, count in taxonomy.topics_near(topic, NEAR_TOPICS)]
        months = [(strip(year, month), count) for year, month, count in taxonomy.months_of(topic)]
        planned += listing(site, topic.briefings, topic.url, "topic.html", topic=site.link(topic), count=topic.count,
                           feed_url=topic.feed_url, near=near, months=months)
        planned.append(feed(site, topic.feed_url, f"{topic.name} · {site.config.title}", topic.url,
                            topic.briefings))
    return planned


def author_pages(site: Site) -> list[Route]:
    """The authors index and, per author, a paginated list and a feed; a site without authors has none."""
    authors = site.taxonomy.authors_by_name
    if not authors:
        return []
    planned = [Route(site.path("/authors/"), "authors.html", {"authors": [counted(a) for a in authors], **site.shared},
                    shows=site.briefings, lastmod=_newest(site.briefings))]
    for author in authors:
        planned += listing(site, author.briefings, author.url, "author.html", author=site.link(author),
                           count=author.count, feed_url=author.feed_url)
        planned.append(feed(site, author.feed_url, f"{author.name} · {site.config.title}", author.url,
                            author.briefings))
    return planned


MONTH_PAGE_FACTOR = 5
"""Month pages list headlines, not cards: this many times ``paginate`` fit on one page."""


def archive_pages(site: Site) -> list[Route]:
    """The archive index (years, months, counts), then per month its headlines by day, paginated, with the
    strip of years and months to move along the archive."""
    months = site.taxonomy.months
    strips = {year.year: time_strip(site.taxonomy, year.year) for year in site.taxonomy.years}
    planned = [Route(site.path("/archive/"), "archive.html",
                     {"years": [year_of_months(year) for year in site.taxonomy.years], **site.shared},
                    shows=site.briefings, lastmod=_newest(site.briefings))]
    for index, month in enumerate(months):
        newer = month_link(months[index - 1]) if index > 0 else None
        older = month_link(months[index + 1]) if index + 1 < len(months) else None
        planned += listing(site, month.briefings, month.url, "month.html", month=month_link(month),
                           per_page=site.config.paginate * MONTH_PAGE_FACTOR, count=month.count, newer_month=newer,
                           older_month=older, strip=strips[month.year])
    return planned


def feed(site: Site, url: str, title: str, alternate_url: str, briefings: Sequence[Briefing]) -> Route:
    """An Atom feed of the latest briefings, with their full text."""
    entries = [site.card(b) for b in briefings[:FEED_SIZE]]
    updated = _newest(briefings[:1]) or site.built_at.replace(microsecond=0)
    return Route(url, "feed.xml", {"feed_title": title, "alternate_url": alternate_url, "updated": updated,
                                  "entries": entries, "entry_once": site.feed_entries, **site.shared},
                 shows=briefings[:FEED_SIZE])


def story_box(site: Site, story: Story, briefing: Briefing) -> StoryBox:
    spot = site.stories.place_of(briefing)
    items = story.briefings
    return StoryBox(site.link(story), spot + 1, len(items), items[spot - 1] if spot else None,
                    items[spot + 1] if spot + 1 < len(items) else None)


def story_pages(site: Site) -> list[Route]:
    """The stories index (ongoing first), then per story its timeline (oldest first) and its Atom feed."""
    stories = site.stories.by_date
    members = [b for story in stories for b in story.briefings]
    index = [StoryCard(site.link(s), s.count, s.first, s.last, s.ongoing, _topic_links(site, s)) for s in stories]
    planned = [Route(site.path("/stories/"), "stories.html", {"stories": index, **site.shared}, shows=members,
                    lastmod=max((s.last for s in stories), default=None))]
    for story in stories:
        context = {"story": site.link(story), "first": story.first, "last": story.last, "ongoing": story.ongoing,
                   "named": story.named, "topics": _topic_links(site, story), "feed_url": story.feed_url,
                   "timeline": [site.card(b) for b in story.briefings], **site.shared}
        planned.append(Route(story.url, "story.html", context, shows=story.briefings, lastmod=story.last))
        planned.append(feed(site, story.feed_url, f"{story.title} · {site.config.title}", story.url,
                            story.briefings[::-1]))
    return planned


def _topic_links(site: Site, story: Story) -> tuple[Link, ...]:
    topics = site.taxonomy.topics
    return tuple(site.link(topics[slug]) for slug in story.topics if slug in topics)


def _newest(briefings: Sequence[Briefing]) -> datetime | None:
    return briefings[0].date if briefings else None


def _unique(briefings: Iterable[Document]) -> list[Document]:
    return list({b.rel: b for b in briefings}.values())
