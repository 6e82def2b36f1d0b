"""Feed entries rendered once per briefing and reused by every feed that lists it.

A briefing's full-text ``<entry>`` is the same bytes in the site feed, each of
its topics' feeds, its authors' feeds and its story's feed: up to a dozen
copies of an escaped body. The theme's ``feed.xml`` wraps the entry in
``{% call entries(card, prefix or '') %}``: the first feed to list the card
renders it, the others get the same Markup back. The values it is given are
everything the entry reads besides the build's constant helpers (``absolute_url``,
``iso_date``): the card (the briefing, its topics and authors) and the edition's
URL prefix (the category scheme). A theme whose entry reads more must pass that too.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from .pages import Card


class FeedEntries:
    """Rendered entries of one build's feeds, per card and the other values named in the call.

    An entry is reused only for the very card object it was rendered from
    (kept here, so its ``id`` cannot be taken by another): the preview's
    one-edit path gives an edited briefing a new card while the plan and
    this memo live on. Each forked render worker fills its own copy, and a
    route read back from the build cache brings an empty one (see
    ``__reduce__``), so nothing rendered is ever pickled.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[Hashable, ...], tuple[Card, Markup]] = {}

    def __call__(self, card: Card, *values: Hashable, caller: Callable[[], Markup]) -> Markup:
        key = (card.memo_key, *values)
        found = self._kept.get(key)
        if found is not None and found[0] is card:
            return found[1]
        entry = caller()  # a macro of an autoescaping template: Markup already
        self._kept[key] = (card, entry)
        return entry

    def __repr__(self) -> str:
        """The same text in every process: the route's fingerprint hashes its data by ``repr``."""
        return "FeedEntries()"

    def __reduce__(self) -> tuple[Callable[[], FeedEntries], tuple[Any, ...]]:
        return FeedEntries, ()
