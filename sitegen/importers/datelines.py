"""Datelines as newsrooms write them, in English, French and Arabic, read into one aware datetime.

A dateline is either ISO 8601 (``2020-03-14T14:53:00+01:00``, ``2020-03-14 14:53``,
``2020-03-14``) or a *date* and an optional *time*:

* dates: ``14 March 2020``, ``Sat 14 Mar 2020``, ``March 14, 2020``, ``samedi 14 mars
  2020``, ``السبت 14 مارس 2020``, ``14 آذار 2020``, ``14 مارس/آذار 2020``, and numeric
  ``14/03/2020``, ``14.03.2020``, ``14-03-2020`` (day first unless site.yml says
  ``import: {date_order: mdy}``; a date only one order can read, ``03/14/2020``, is read
  that way whatever the setting) and ``2020/03/14``;
* times: ``14:53``, ``14:53:07``, ``2:53 pm``, ``02:53 PM``, ``à 14h53``, ``14h``,
  ``02:53 م`` / ``ص``, optionally followed by ``GMT``, ``UTC+2`` or ``+01:00``; between
  date and time a ``|``, ``,``, ``-``, ``at``, ``à`` or ``الساعة`` may stand.

Month, weekday and am/pm names come from the CLDR locale data shipped with Babel
(Egyptian/Gulf and Levantine Arabic month names both), so no month table is kept
here; any unambiguous prefix of a Latin name (``Sept``, ``Thurs``, ``janv``) and a
name without its accents (``fevrier``) is read too. Arabic-Indic and Persian digits
read as their values. Anything else is refused with the accepted forms: a dateline
is never guessed.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from ..topics import ARABIC_MARKS, drop_latin_accents

DATE_ORDERS = ("dmy", "mdy")
EXAMPLES = ("Sat 14 Mar 2020 | 02:53 PM", "samedi 14 mars 2020 à 14h53", "السبت 14 مارس 2020 - 02:53 م",
            "March 14, 2020 2:53 pm", "14/03/2020 14:53", "2020-03-14T14:53:00+01:00", "14 March 2020")
MAX_LENGTH = 80
LOCALES = ("en", "fr", "ar", "ar_SY")  # ar_SY: the Levantine month names (آذار) beside the Egyptian/Gulf ones (مارس)

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_TIME = re.compile(r"""
    (?:^|\s|(?<=[|,–—-]))
    (?P<hour>\d{1,2})(?:(?P<sep>[:.]|\s?[hH]\s?)(?P<minute>\d{2})(?::(?P<second>\d{2}))?|\s?(?P<bare_h>[hH])\b)
    \s*(?P<period>(?!(?:GMT|UTC|UT)\b)[^\W\d_][\w.]*\.?)?
    \s*(?:(?P<zone>GMT|UTC|UT)\s*(?P<zone_offset>[+-]\d{1,2}(?::?\d{2})?)?|(?P<offset>[+-]\d{2}:?\d{2}))?
    \s*$""", re.VERBOSE | re.IGNORECASE)
_NUMERIC = re.compile(r"^(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})$")
_SEPARATORS = re.compile(r"(?:\s*(?:[|,@–—-]|\b(?:at|à|a)\b|الساعة|،)\s*)+$", re.IGNORECASE)
_TOKEN = re.compile(r"\d+(?:er|st|nd|rd|th|e)?|[^\W\d_][\w'’.]*", re.IGNORECASE)
_ANY_DIGIT = re.compile(r"\d")
# "Updated: …", "Publié le …", "آخر تحديث: …": a label before the date says which date it is, not when.
_LABEL = re.compile(r"^(?:(?:last\s+)?updated|published|posted|(?:dernière\s+)?mise?\s+à\s+jour|publiée?|"
                    r"آخر\s+تحديث|تاريخ\s+النشر|نشر|تحديث)\s*(?:on\b|le\b|في\b)?\s*:?\s*", re.IGNORECASE)
_FILLERS = frozenset({"the", "of", "on", "le", "du", "يوم", "الموافق", "في"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ALEF = str.maketrans("أإآٱى", "اااا" + "ي")


@dataclass(frozen=True)
class Reading:
    """A dateline read: the moment, whether its numeric date could be read both ways, a weekday mismatch."""

    moment: datetime
    ambiguous: bool = False
    weekday_mismatch: str = ""


class DatelineError(ValueError):
    """The line cannot be read as a dateline; the message says what was found."""


@dataclass(frozen=True)
class _Names:
    months: dict[str, int]
    weekdays: dict[str, int]
    am: frozenset[str]
    pm: frozenset[str]


def fold(word: str) -> str:
    """A name as compared: case, accents, dots, Arabic vowel marks and alef/yeh forms do not count."""
    word = drop_latin_accents(word.translate(_INVISIBLE)).casefold().replace(".", "").replace("\u00a0", " ")
    return " ".join(ARABIC_MARKS.sub("", word).translate(_ALEF).split())


@functools.cache
def names(languages: tuple[str, ...] = ()) -> _Names:
    """Month, weekday and am/pm names of LOCALES plus the site's languages, from Babel's CLDR data.

    Babel is imported here, not at the top: an import run whose files have no dateline to read
    (or that finds nothing new) never pays for loading it.
    """
    from babel import Locale
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    am: set[str] = {"am", "a m"}
    pm: set[str] = {"pm", "p m"}
    for code in dict.fromkeys((*LOCALES, *languages)):
        try:
            locale = Locale.parse(code.replace("-", "_"))
        except (ValueError, LookupError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                months.update((fold(name), number) for number, name in locale.months[context][width].items())
                weekdays.update((fold(name), number) for number, name in locale.days[context][width].items())
        periods = [dict(locale.periods), *(dict(v) for v in locale.day_periods.get("format", {}).values())]
        am.update(fold(p["am"]) for p in periods if "am" in p)
        pm.update(fold(p["pm"]) for p in periods if "pm" in p)
    return _Names(months, weekdays, frozenset(am), frozenset(pm))


def _lookup(word: str, table: dict[str, int]) -> int | None:
    """The number of a name, or of a Latin prefix of at least three letters that only one name starts with."""
    folded = fold(word)
    if folded in table:
        return table[folded]
    if len(folded) < 3 or not folded.isascii():
        return None
    found = {number for name, number in table.items() if name.startswith(folded)}
    return found.pop() if len(found) == 1 else None


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic (١٤), Persian (۱۴) and any other decimal digits as 0-9."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
                   for char in text)


def normalise(line: str) -> str:
    """The line with invisible direction marks gone, digits in ASCII, the Arabic comma as a comma, no label."""
    text = " ".join(to_ascii_digits(line.translate(_INVISIBLE)).replace("،", ",").split())
    return _LABEL.sub("", text, count=1) if _ANY_DIGIT.search(text) else text


def looks_like_dateline(line: str, languages: tuple[str, ...] = ()) -> bool:
    """Whether a line is meant as a dateline (a year and a date-ish word or number), even if unreadable."""
    if not _ANY_DIGIT.search(line):  # every dateline has a number: most titles and paragraphs stop here
        return False
    text = normalise(line)
    if not text or len(text) > MAX_LENGTH:
        return False
    if _ISO.match(text) or _NUMERIC.match(text.split(" ")[0].rstrip(",")):
        return True
    if not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        return False
    table = names(languages)
    words = [token for token in _TOKEN.findall(text) if not token[0].isdigit()]
    phrases = [*words, *(" ".join(pair) for pair in itertools.pairwise(words))]
    return "|" in text or _month_pair(text, table) is not None or any(
        _lookup(phrase, table.months) is not None or _lookup(phrase, table.weekdays) is not None for phrase in phrases)


def _month_pair(text: str, table: _Names) -> int | None:
    """``مارس/آذار``: two names of one month; the month when they agree."""
    for pair in re.findall(r"([^\W\d_]+(?: [^\W\d_]+)?)\s*/\s*([^\W\d_]+(?: [^\W\d_]+)?)", text):
        first, second = (table.months.get(fold(name)) for name in pair)
        if first is not None and first == second:
            return first
    return None


def maybe_dateline(line: str, languages: tuple[str, ...] = ()) -> bool:
    """A line that looks like a dateline, or a short run of numbers and a word or two such as ``14 Marz 2020``:
    under a title it is meant as the date, so it is refused if unreadable rather than published as text."""
    if looks_like_dateline(line, languages):
        return True
    if len(line) > 40 or not _ANY_DIGIT.search(line):
        return False
    tokens = _TOKEN.findall(normalise(line))
    numbers = [token for token in tokens if token[0].isdigit()]
    return len(line) <= 40 and len(tokens) <= 5 and len(numbers) >= 2 and len(tokens) - len(numbers) <= 2


def parse_dateline(line: str, tz: tzinfo, order: str = "dmy", languages: tuple[str, ...] = ()) -> Reading:
    """Read ``line``; raise :class:`DatelineError` saying what is wrong. Naive times are in ``tz``."""
    text = normalise(line)
    if not text:
        raise DatelineError("the line is empty")
    if len(text) > MAX_LENGTH:
        raise DatelineError(f"the line is {len(text)} characters long, longer than any dateline")
    if _ISO.match(text):
        return Reading(_iso(text, tz))
    clock, offset, rest = _split_time(text, names(languages))
    day, ambiguous, weekday = _date(_SEPARATORS.sub("", rest).strip(), order, names(languages))
    moment = datetime.combine(day, clock, tzinfo=offset or tz)
    mismatch = ""
    if weekday is not None and weekday != day.weekday():
        mismatch = f"the dateline names a {_weekday_name(weekday)}, but {day:%d %B %Y} was a {day:%A}"
    return Reading(moment, ambiguous, mismatch)


def _weekday_name(number: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[number]


def _iso(text: str, tz: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-").replace(",", "."))
    except ValueError as error:
        raise DatelineError(f"not a real date or time: {error}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _split_time(text: str, table: _Names) -> tuple[time, tzinfo | None, str]:
    """The time at the end of the line (midnight when there is none), its offset, and the text before it."""
    match = _TIME.search(text)
    if match is None or (match["period"] and fold(match["period"]) not in table.am | table.pm):
        if match is None and re.search(r"\d{1,2}[:h]\d{2}", text):
            raise DatelineError("cannot read the time in it")
        return time(), None, text
    before = text[: match.start()].rstrip()
    if match["sep"] == "." and not re.search(r"(?:[|,@–—-]|\bat|\bà|الساعة)$", before):
        return time(), None, text  # "14.03.2020" is a date, not a time; "| 14.53" is a time
    hour, minute, second = int(match["hour"]), int(match["minute"] or 0), int(match["second"] or 0)
    if match["period"]:
        if not 1 <= hour <= 12:
            raise DatelineError(f"{hour} is not an hour on a 12-hour clock")
        hour = hour % 12 + (12 if fold(match["period"]) in table.pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DatelineError(f"{match.group().strip()!r} is not a time of day")
    return time(hour, minute, second), _offset(match), before


def _offset(match: re.Match[str]) -> tzinfo | None:
    value = match["zone_offset"] or match["offset"]
    if match["zone"] and not value:
        return UTC
    if not value:
        return None
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise DatelineError(f"{value} is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _date(text: str, order: str, table: _Names) -> tuple[date, bool, int | None]:
    """The calendar date, whether a numeric one was ambiguous, and the weekday it names (if any)."""
    weekday, text = _leading_weekday(text, table)
    numeric = _NUMERIC.match(text)
    if numeric:
        day, ambiguous = _numeric_date(numeric, order)
        return day, ambiguous, weekday
    tokens = [token for token in _TOKEN.findall(text) if fold(token) not in _FILLERS]
    numbers = [token for token in tokens if token[0].isdigit()]
    words = [token for token in tokens if not token[0].isdigit()]
    if len(numbers) != 2 or len(numbers[-1]) != 4 or not tokens[-1][0].isdigit():
        raise DatelineError("expected a day, a month name and a four-digit year")
    month = _month_pair(text, table) or _month_of(words, table)
    day_text = re.match(r"\d+", numbers[0])
    assert day_text is not None
    try:
        return date(int(numbers[1]), month, int(day_text.group())), False, weekday
    except ValueError as error:
        raise DatelineError(f"not a real date: {error}") from None


def _leading_weekday(text: str, table: _Names) -> tuple[int | None, str]:
    match = re.match(r"^(?:(?:le|يوم)\s+)?([^\W\d_][\w.]*)[.,]?\s+", text, re.IGNORECASE)
    if match:
        number = _lookup(match.group(1), table.weekdays)
        if number is not None and _lookup(match.group(1), table.months) is None:
            return number, text[match.end():].lstrip(", ")
    return None, text


def _month_of(words: Iterable[str], table: _Names) -> int:
    words = list(words)
    if not words:
        raise DatelineError("no month name")
    phrase = " ".join(words)
    for candidate in (phrase, *words):
        number = _lookup(candidate, table.months)
        if number is not None and (candidate == phrase or len(words) == 1):
            return number
    raise DatelineError(f"{phrase!r} is not a month name in English, French or Arabic")


def _numeric_date(match: re.Match[str], order: str) -> tuple[date, bool]:
    a, b, c = (match[key] for key in "abc")
    if len(a) == 4:
        year, month, day, ambiguous = int(a), int(b), int(c), False
    elif len(c) == 4:
        first, second = int(a), int(b)
        ambiguous = first <= 12 and second <= 12 and first != second
        month_first = (order == "mdy" and first <= 12) or second > 12
        month, day = (first, second) if month_first else (second, first)
        year = int(c)
    else:
        raise DatelineError("write the year with four digits")
    try:
        return date(year, month, day), ambiguous
    except ValueError as error:
        raise DatelineError(f"not a real date: {error}") from None
