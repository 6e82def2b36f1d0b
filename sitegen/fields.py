"""Front matter fields: every key sitegen reads, with its checker, in one table (:data:`FIELDS`).

A checker returns the clean value or raises ValueError with what to write
instead; :mod:`sitegen.content` reads a file's front matter through them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from .config import SiteConfig, check_bool
from .topics import SLUG_BYTES, cap_slug, slugify

EARLIEST = datetime(2, 1, 1)
LATEST = datetime(9998, 12, 31)
"""Dates a briefing may carry (wall time): a year away from what Python's datetime can hold, so
moving one into any time zone, or a day either way for archives and feeds, can never overflow."""



def is_slug(text: str) -> bool:
    """Letters, digits, hyphens and underscores, starting with a letter or digit; combining marks count as part
    of their letter, since Python's ``\\w`` leaves them out and slugify keeps them (नमस्ते, a Devanagari vowel sign)."""
    return (text[:1].isalnum() and
            all(char.isalnum() or char in "-_" or unicodedata.category(char)[0] == "M" for char in text))


def preview(value: Any) -> str:
    """A value as an error message quotes it: at most 60 characters."""
    text = value if isinstance(value, str) else value.isoformat() if isinstance(value, date) else repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _text_field(value: Any) -> str:
    if isinstance(value, (dict, list, bool)) or value is None:
        raise ValueError("write plain text")
    return str(value).strip()


def _names(value: Any) -> tuple[str, ...]:
    """``author:`` / ``authors:``: one name, or a list of names; a name is never split at commas
    ("Smith, Jane" is one person)."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(n, (str, int, float)) and not isinstance(n, bool)
                                              for n in value):
        raise ValueError("write a name, or a list of names, e.g. authors: [Nawal Sayed, Omar Said]")
    return tuple(n for n in (" ".join(str(n).split()) for n in value) if n)


def credited(values: dict[str, Any]) -> tuple[str, ...]:
    """Every author once, ``authors:`` before ``author:``, the same name in another case counted once."""
    seen: dict[str, str] = {}
    for name in (*values.get("authors", ()), *values.get("author", ())):
        seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


@functools.lru_cache(maxsize=4096)
def has_words(name: str) -> bool:
    """Whether a tag or story name has a letter or digit to make a page of. The same few hundred tags recur on
    every briefing, and slugging one each time was a tenth of parsing a briefing: each is slugged once per
    process here (the cache is bounded, since a story name or a stray tag may be met only once)."""
    return bool(slugify(name))


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")  # "Go, Web, Security" is three topics (and a warning, see _comma_tags)
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in value):
        raise ValueError("write a list of words, e.g. tags: [Syria, Turkey]")
    seen: dict[str, str] = {}
    for tag in (str(t).strip() for t in value):
        if tag and has_words(tag) and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return tuple(seen.values())


def _date(value: Any, config: SiteConfig) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("write an ISO 8601 date such as 2024-05-01 or 2024-05-01T09:30:00+02:00") from None
    else:
        raise ValueError("write an ISO 8601 date such as 2024-05-01 or 2024-05-01T09:30:00+02:00")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.tz)
    if not EARLIEST <= moment.replace(tzinfo=None) <= LATEST:  # offsets are under a day: no overflow past these
        raise ValueError(f"write a date between the years {EARLIEST.year} and {LATEST.year}")
    return moment.astimezone(config.tz)


_ALIAS_REFUSED = re.compile(r"(^|/)\.\.?(/|$)|//|[?#\\\x00-\x20\x7f]")


def _aliases(value: Any) -> tuple[str, ...]:
    """Old paths on this site, e.g. ``/2019/05/old-post/``; a path without a file extension gets a
    trailing slash, so it is published as a folder with an index.html, the way it was served before."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise ValueError("write a list of old paths, e.g. aliases: [/2019/05/old-title/]")
    paths: list[str] = []
    for alias in (a.strip() for a in value):
        if not alias.startswith("/") or alias == "/" or _ALIAS_REFUSED.search(alias):
            raise ValueError(f"{alias!r} is not a path on this site: write it from the site's root, e.g. "
                             "/2019/05/old-title/ (no .., //, ? or #)")
        last = alias.rsplit("/", 1)[1]
        path = alias if alias.endswith("/") or "." in last else alias + "/"
        if path not in paths:
            paths.append(path)
    return tuple(paths)


def _slug(value: Any) -> str:
    slug = _text_field(value)
    if not is_slug(slug):
        raise ValueError("use lower-case letters, digits and hyphens only, e.g. slug: idlib-talks")
    if len(slug.encode("utf-8")) > SLUG_BYTES:
        raise ValueError(f"it is {len(slug.encode('utf-8'))} bytes long; a slug names a folder, so keep it to "
                         f"{SLUG_BYTES} bytes, e.g. {cap_slug(slug)}")
    return slug


def _story(value: Any) -> str | bool:
    if value is False:
        return False
    name = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    if not has_words(name):
        raise ValueError("write the story's name, e.g. story: Idlib ceasefire, or story: false to keep it out of stories")
    return name


def _lang(value: Any, config: SiteConfig) -> str:
    """A language code; on a site that lists ``languages:``, one of them (it decides the edition)."""
    code = _text_field(value)
    if config.languages and code not in config.languages:
        listed = ", ".join(config.languages)
        raise ValueError(f"the site's languages are {listed}: write one of them (lang: {config.languages[0]}), "
                         f"or add {code} to `languages:` in site.yml")
    return code


def _plain(check: Callable[[Any], Any]) -> FieldCheck:
    return lambda value, _config: check(value)


FieldCheck = Callable[[Any, SiteConfig], Any]

FIELDS: dict[str, FieldCheck] = {
    "title": _plain(_text_field), "date": _date, "author": _plain(_names), "authors": _plain(_names),
    "editor": _plain(_text_field), "supervisor": _plain(_text_field), "tags": _plain(_tags),
    "summary": _plain(_text_field), "slug": _plain(_slug), "draft": _plain(check_bool),
    "aliases": _plain(_aliases), "image": _plain(_text_field), "image_alt": _plain(_text_field),
    "story": _plain(_story), "source": lambda value, _config: value, "lang": _lang,
    "translation_key": _plain(_text_field),
}
"""Every front matter key sitegen reads, with its checker; declared once. Any other key reaches templates
as ``page.meta``. A checker returns the clean value or raises ValueError with what to write instead."""
KNOWN_FIELDS = tuple(FIELDS)
