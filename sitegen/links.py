"""How a page leads to others: named links, numbered pagers, the hub's letters and the archive's time strip.

These are plain values that :mod:`sitegen.pages` puts in a route's data. They
hold only what a page shows, so the build's fingerprint of a page changes
only when what it displays changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .taxonomy import Group, Month, Taxonomy, Year
from .topics import slugify


@dataclass(frozen=True)
class Link:
    """A named link a page shows (a topic chip, an author, a month).

    Pages get these rather than whole topics, so a page's data, and with it
    the build's fingerprint of the page, holds only what the page displays.
    """

    name: str
    url: str
    minor: bool = False
    """A topic on fewer than ``topics_min_count`` briefings: no chip, no place on the hub."""
    key: str = ""
    """An interface message the templates show instead of ``name`` (``t(link.key)``); empty: the name as is."""


@dataclass(frozen=True)
class MonthLink(Link):
    """A month: templates name it in the page's language with ``month | month_name``."""

    year: int = 0
    month: int = 0


def month_link(month: Month) -> MonthLink:
    return MonthLink(month.name, month.url, year=month.year, month=month.month)


@dataclass(frozen=True)
class Counted(Link):
    """A topic or an author as an index lists it: its link and how many briefings it has, not the briefings,
    so a text edit re-renders the pages that show the briefing and not every index of the archive."""

    count: int = 0
    feed_url: str = ""


def counted(group: Group) -> Counted:
    return Counted(group.name, group.url, minor=getattr(group, "minor", False), count=group.count,
                   feed_url=group.feed_url)


@dataclass(frozen=True)
class CountedMonth(MonthLink):
    """A month as the archive index lists it: its link and how many briefings it has."""

    count: int = 0


@dataclass(frozen=True)
class YearOfMonths:
    """A year as the archive index lists it: its months, each counted."""

    year: int
    months: tuple[CountedMonth, ...]

    @property
    def count(self) -> int:
        return sum(month.count for month in self.months)


def year_of_months(year: Year) -> YearOfMonths:
    return YearOfMonths(year.year, tuple(CountedMonth(m.name, m.url, year=m.year, month=m.month, count=m.count)
                                         for m in year.months))


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

    def numbers(self, span: int = 2) -> list[int | None]:
        """The page numbers a pager links: the first, the last, and ``span`` either side of this one; None marks
        a gap ("…")."""
        wanted = sorted({1, self.count, *range(max(1, self.number - span), min(self.count, self.number + span) + 1)})
        shown: list[int | None] = []
        for previous, number in zip([0, *wanted], wanted, strict=False):
            if number - previous == 2:  # a gap of one page: show the page rather than "…"
                shown.append(previous + 1)
            elif number - previous > 2 and previous:
                shown.append(None)
            shown.append(number)
        return shown

    def jumps(self, most: int = 40) -> list[int]:
        """Pages to jump to from a long list: every one up to ``most``, else evenly spaced ones plus the last."""
        step = -(-self.count // most)
        return sorted({1, self.count, *range(step, self.count + 1, step)})


def paginate(items: Sequence[Any], per_page: int, first_url: str) -> list[Pager]:
    """Split a list into pagers; an empty list still gets one (empty) first page."""
    count = max(1, -(-len(items) // per_page))
    return [Pager(items[i * per_page:(i + 1) * per_page], i + 1, count, first_url) for i in range(count)]


@dataclass(frozen=True)
class Letter:
    """One initial of the A-Z topic list, how many topics it files, and its own page (none when listed inline)."""

    letter: str
    key: str
    count: int
    url: str = ""


def letter_key(letter: str) -> str:
    """The URL segment of an initial: its slug ("a", "é" -> "e"), "0-9" for "#", else its code point."""
    if letter == "#":
        return "0-9"
    return slugify(letter) or f"u{ord(letter):04x}"


@dataclass(frozen=True)
class TimeStrip:
    """The years of the archive and the twelve months of one of them, for the strip across archive pages."""

    year: int
    years: tuple[Link, ...]
    """Each year, linking to its latest month."""
    months: tuple[tuple[MonthLink, int], ...]
    """January to December: each month (its URL empty when it has no briefings) and its number of briefings."""


def time_strip(taxonomy: Taxonomy, year: int) -> TimeStrip:
    """The strip for month pages of ``year``: years from the newest, that year's months from January."""
    years = tuple(Link(str(y.year), y.months[0].url) for y in taxonomy.years)
    held = {m.month: m for y in taxonomy.years if y.year == year for m in y.months}
    months = tuple((month_link(held[number]), held[number].count) if number in held else
                   (MonthLink(Month(year, number, []).name, "", year=year, month=number), 0) for number in range(1, 13))
    return TimeStrip(year, years, months)
