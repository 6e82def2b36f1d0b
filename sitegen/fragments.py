"""Pieces of pages rendered once per briefing and reused by every page that shows it: feed entries, cards, links.

A briefing's full-text ``<entry>`` is the same bytes in the site feed, each of
its topics' feeds, its authors' feeds and its story's feed: up to a dozen
copies of an escaped body. Its card is the same bytes on the home page, each
of its topics' pages, its authors' pages; its line in a briefing page's
"Related" and "More on" lists the same on some twenty briefing pages. The
theme wraps such a piece in ``{% call entry_once(card, prefix or '') %}``
(``feed.xml``), ``{% call card_once(card, lead, lang or '', prefix or '') %}``
(``_cards.html``) or ``{% call link_once(briefing, lang or '') %}``
(``briefing.html``): the first page to show it renders it, the others get the
same Markup back. The values given are everything the piece reads besides the
build's constant helpers (``url``, ``absolute_url``, ``iso_date``): the card
or briefing, the page's language and the edition's URL prefix, and whatever
else the call names. It must not read the page itself (``page_url``). A
theme whose piece reads more must pass that too, as Hugo's ``partialCached``
asks of its variants.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol

from markupsafe import Markup


class Shown(Protocol):
    """A card or a briefing: anything with a key that stays the same for the whole build."""

    @property
    def memo_key(self) -> str: ...


class Fragments:
    """Rendered pieces of one build's pages, per card (or briefing) and the other values named in the call.

    A piece is reused only for the very object it was rendered from (kept
    here, so its ``id`` cannot be taken by another): the preview's one-edit
    path gives an edited briefing a new briefing and card while the plan and
    this memo live on. Each forked render worker fills its own copy, and a
    route read back from the build cache brings an empty one (see
    ``__reduce__``), so nothing rendered is ever pickled.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[Hashable, ...], tuple[Shown, Markup]] = {}

    def __call__(self, shown: Shown, *values: Hashable, caller: Callable[[], Markup]) -> Markup:
        key = (shown.memo_key, *values)
        found = self._kept.get(key)
        if found is not None and found[0] is shown:
            return found[1]
        piece = caller()  # a macro of an autoescaping template: Markup already
        self._kept[key] = (shown, piece)
        return piece

    def __repr__(self) -> str:
        """The same text in every process: the route's fingerprint hashes its data by ``repr``."""
        return "Fragments()"

    def __reduce__(self) -> tuple[Callable[[], Fragments], tuple[Any, ...]]:
        return Fragments, ()
