"""The two raw formats newsrooms send, parsed into one :class:`Article`.

*Masthead* (the seed)::

    Supervisor Elham AbolFateh        zero or more "<role> <name>" lines
    Editor in Chief Mohamed Wadie
                                      blank
    Russia-Turkey Military ...        title
                                      blank lines
    Sat 14 Mar 2020 | 02:53 PM        dateline
    Nawal Sayed                       author (optional)
                                      blank
    The Russian Ministry ...          paragraphs

*Plain* (the BBC corpus): the first non-empty line is the title, the rest are
paragraphs. ``auto`` tells them apart by the masthead lines or a dateline under
the title. Every problem names the line it stands on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..errors import Problem, SiteError

FORMATS = ("auto", "masthead", "plain")
TITLE_LIMIT = 250
DATELINE_EXAMPLES = ("Sat 14 Mar 2020 | 02:53 PM", "Saturday 14 March 2020 | 14:53", "14 March 2020",
                     "March 14, 2020 2:53 pm", "2020-03-14 14:53")

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), start=1) for name in names}
_WEEKDAYS = {name: number for number, names in enumerate((
    ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thur", "thurs"),
    ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"))) for name in names}

_DATELINE = re.compile(r"""
    ^(?:(?P<weekday>[^\W\d_]+)\.?,?\s+)?
    (?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[^\W\d_]+)\.?
      |(?P<month_first>[^\W\d_]+)\.?\s+(?P<day_second>\d{1,2})(?:st|nd|rd|th)?)
    ,?\s+(?P<year>\d{4})
    (?:\s*(?:[|,@–—-]|at)?\s*
       (?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?
       \s*(?P<ampm>[ap]\.?\s?m\.?)?)?
    $""", re.VERBOSE | re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\b")
_WORDS = re.compile(r"[^\W\d_]+")

# Masthead roles: the words a role is made of, and the ones that name the front matter fields.
_ROLE_HEADS = frozenset({
    "supervisor", "editor", "editors", "editor-in-chief", "chief", "director", "publisher", "chairman",
    "chairwoman", "chair", "president", "founder", "manager", "head"})
_ROLE_WORDS = _ROLE_HEADS | {
    "in", "of", "the", "managing", "deputy", "executive", "senior", "associate", "assistant", "news", "editorial",
    "general", "art", "copy", "desk", "digital", "web", "online", "photo", "production", "responsible", "board"}
_ROLE_FIELDS = {"supervisor": "supervisor", "editor in chief": "editor", "editor-in-chief": "editor",
                "chief editor": "editor"}
# Lower-case words inside personal names ("Bashar al-Assad", "Staffan de Mistura").
NAME_PARTICLES = frozenset({
    "al", "el", "bin", "bint", "ibn", "abu", "de", "del", "della", "der", "den", "van", "von", "da", "di", "du",
    "la", "le", "dos", "das"})
PREFIXED_NAME = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ibn|bin|abu)-[^\W\d_]")


@dataclass
class Article:
    """What a raw file says, before any choice about where or how it is written."""

    title: str
    paragraphs: list[list[str]]
    date: datetime | None = None
    author: str = ""
    roles: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def supervisor(self) -> str:
        return self._role_field("supervisor")

    @property
    def editor(self) -> str:
        return self._role_field("editor")

    @property
    def other_roles(self) -> dict[str, str]:
        """Roles with no front matter field of their own, e.g. ``Managing Editor``."""
        return {role: name for role, name in self.roles.items() if _role_key(role) not in _ROLE_FIELDS}

    def _role_field(self, name: str) -> str:
        return next((person for role, person in self.roles.items() if _ROLE_FIELDS.get(_role_key(role)) == name), "")


def _role_key(role: str) -> str:
    return " ".join(role.lower().split())


class _Lines:
    """The file's lines with 1-based numbers, and a cursor that skips blank ones."""

    def __init__(self, text: str) -> None:
        self.lines = [line.strip() for line in text.split("\n")]
        self.index = 0

    def skip_blank(self) -> None:
        while self.index < len(self.lines) and not self.lines[self.index]:
            self.index += 1

    def peek(self, offset: int = 0) -> str:
        index = self.index + offset
        return self.lines[index] if index < len(self.lines) else ""

    @property
    def number(self) -> int:
        return min(self.index, len(self.lines) - 1) + 1

    def block(self) -> list[str]:
        """The non-blank lines from the cursor to the next blank line."""
        end = self.index
        while end < len(self.lines) and self.lines[end]:
            end += 1
        return self.lines[self.index:end]

    def paragraphs(self) -> list[list[str]]:
        """The rest of the file as paragraphs: runs of non-blank lines."""
        found: list[list[str]] = []
        while True:
            self.skip_blank()
            block = self.block()
            if not block:
                return found
            found.append(block)
            self.index += len(block)


def parse_article(text: str, rel: str, fmt: str, tz: tzinfo) -> Article:
    """Parse one raw article; ``fmt`` is one of FORMATS. Raise SiteError with the line at fault."""
    lines = _Lines(text)
    lines.skip_blank()
    block = lines.block()
    roles = _masthead(block)
    if fmt == "masthead" or (fmt == "auto" and (roles is not None or _title_is_followed_by_dateline(lines))):
        if roles:
            lines.index += len(block)
        return _parse_masthead(lines, roles or {}, rel, tz)
    return _parse_plain(lines, rel)


def _title_is_followed_by_dateline(lines: _Lines) -> bool:
    after_title = lines.lines[lines.index + 1:]
    return looks_like_dateline(next((line for line in after_title if line), ""))


def _parse_plain(lines: _Lines, rel: str) -> Article:
    title = _title(lines, rel)
    paragraphs = lines.paragraphs()
    if not paragraphs:
        raise _error(rel, lines.number, "no text after the title",
                     "a raw article is its title on the first line, then its paragraphs")
    return Article(title=title, paragraphs=paragraphs)


def _parse_masthead(lines: _Lines, roles: dict[str, str], rel: str, tz: tzinfo) -> Article:
    lines.skip_blank()
    if looks_like_dateline(lines.peek()):
        raise _error(rel, lines.number, f"expected the title, found a dateline: {lines.peek()!r}",
                     "put the title on its own line between the masthead and the dateline")
    title = _title(lines, rel)
    lines.skip_blank()
    if not looks_like_dateline(lines.peek()):
        found = f"found {lines.peek()!r}" if lines.peek() else "the file ends"
        raise _error(rel, lines.number, f"no dateline under the title: {found}",
                     "add a line such as `Sat 14 Mar 2020 | 02:53 PM` under the title, "
                     "or import the file with --format plain")
    date, warnings = parse_dateline(lines.peek(), tz, rel, lines.number)
    lines.index += 1
    author = _author(lines)
    paragraphs = lines.paragraphs()
    if not paragraphs:
        raise _error(rel, lines.number, "no text after the dateline",
                     "the article's paragraphs follow the dateline and author, after a blank line")
    return Article(title=title, paragraphs=paragraphs, date=date, author=author, roles=roles, warnings=warnings)


def _title(lines: _Lines, rel: str) -> str:
    lines.skip_blank()
    title = " ".join(lines.peek().split())
    number = lines.number
    if not title:
        raise _error(rel, number, "no title: the file ends before it",
                     "put the article's title on a line of its own before the text")
    if len(title) > TITLE_LIMIT:
        raise _error(rel, number, f"no recognisable title: the line is {len(title)} characters long",
                     f"start the article with its title on one line (at most {TITLE_LIMIT} characters), "
                     "then a blank line")
    if not re.search(r"[^\W_]", title):
        raise _error(rel, number, f"no recognisable title: {title!r} has no letters or digits",
                     "start the article with its title on one line, then a blank line")
    lines.index += 1
    return title


def _masthead(block: list[str]) -> dict[str, str] | None:
    """Role → name for a block of masthead lines, or None when the block is something else."""
    roles: dict[str, str] = {}
    for line in block:
        split = _split_role(line)
        if split is None:
            return None
        roles[split[0]] = split[1]
    return roles or None


def _split_role(line: str) -> tuple[str, str] | None:
    words = line.split()
    count = 0
    while count < len(words) and words[count].lower() in _ROLE_WORDS:
        count += 1
    role, name = words[:count], words[count:]
    if not any(word.lower() in _ROLE_HEADS for word in role) or not _is_name(name):
        return None
    return " ".join(role), " ".join(name)


def _is_name(words: list[str]) -> bool:
    """A person's name: a few capitalised words, particles such as ``al`` or ``de`` allowed."""
    if not 1 <= len(words) <= 6 or words[-1][-1] in ".,;:!?":
        return False
    return all(word[0].isupper() or word.lower() in NAME_PARTICLES or word == "and" or PREFIXED_NAME.match(word)
               for word in words)


def _author(lines: _Lines) -> str:
    """The byline right under the dateline, if that line is a name and not the first paragraph."""
    line = lines.peek()
    words = line.split()
    if words and words[0].lower() == "by":
        words = words[1:]
    if line and len(line) <= 60 and not lines.peek(1) and _is_name(words):
        lines.index += 1
        return " ".join(words)
    return ""


def looks_like_dateline(line: str) -> bool:
    """Whether a line is meant as a dateline, even if it cannot be read as one."""
    if not line or len(line) > 60:
        return False
    if _ISO_DATE.match(line):
        return True
    if not re.search(r"\b\d{4}\b", line):
        return False
    words = {word.lower() for word in _WORDS.findall(line)}
    return "|" in line or bool(words & (_MONTHS.keys() | _WEEKDAYS.keys()))


def parse_dateline(line: str, tz: tzinfo, rel: str, number: int) -> tuple[datetime, list[Problem]]:
    """The dateline as an aware datetime in ``tz`` (unless it names an offset), plus warnings."""
    hint = "write it like one of: " + "; ".join(DATELINE_EXAMPLES)
    if _ISO_DATE.match(line):
        try:
            moment = datetime.fromisoformat(line)
        except ValueError as error:
            raise _error(rel, number, f"cannot read the dateline {line!r}: {error}", hint) from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=tz)), []
    match = _DATELINE.match(line)
    if not match:
        raise _error(rel, number, f"cannot read the dateline {line!r}", hint)
    try:
        moment = _moment(match, tz)
    except ValueError as error:
        raise _error(rel, number, f"cannot read the dateline {line!r}: {error}", hint) from None
    return moment, _weekday_warnings(match, moment, rel, number)


def _moment(match: re.Match[str], tz: tzinfo) -> datetime:
    month_name = match["month"] or match["month_first"]
    if month_name.lower() not in _MONTHS:
        raise ValueError(f"{month_name!r} is not a month name")
    if match["weekday"] and match["weekday"].lower() not in _WEEKDAYS:
        raise ValueError(f"{match['weekday']!r} is not a day name")
    hour, minute, second = (int(match[key] or 0) for key in ("hour", "minute", "second"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{hour} is not an hour on a 12-hour clock")
        hour = hour % 12 + (12 if match["ampm"].lower().startswith("p") else 0)
    day = int(match["day"] or match["day_second"])
    return datetime(int(match["year"]), _MONTHS[month_name.lower()], day, hour, minute, second, tzinfo=tz)


def _weekday_warnings(match: re.Match[str], moment: datetime, rel: str, number: int) -> list[Problem]:
    weekday = match["weekday"]
    if weekday and _WEEKDAYS[weekday.lower()] != moment.weekday():
        return [Problem(rel, number, f"the dateline says {weekday}, but {moment:%d %B %Y} was a {moment:%A}",
                        "check the date; the import used the date and ignored the day name", severity="warning")]
    return []


def _error(rel: str, line: int, message: str, hint: str) -> SiteError:
    return SiteError([Problem(rel, line, message, hint)])
