"""A raw article's lines, parsed into one :class:`Article`; anything unreadable refused with its line.

The layout newsrooms send (every part but the title and the text optional)::

    Supervisor Elham AbolFateh        masthead: "<role> <name>" lines (English, French,
    Editor in Chief Mohamed Wadie     Arabic, or the site's own labels; see .bylines)
                                      blank
    Russia-Turkey Military ...        title
                                      blank lines
    Sat 14 Mar 2020 | 02:53 PM        dateline (see .datelines)
    By Nawal Sayed and Omar Said      byline (see .bylines)
                                      blank
    The Russian Ministry ...          paragraphs
                                      blank
    Source: Wikinews, https://...     optional last line: where it was first published

``plain`` (``--format plain``) is a title and paragraphs only: no masthead, dateline
or byline is looked for, and a line that looks like one is refused rather than
published as text. ``auto`` and ``masthead`` read the layout above; ``masthead``
also takes a single role line before the title as a masthead. The importer never
switches from one format to another on its own, never invents a date (only
``--date``, or the date a re-imported file already has, stands in for a missing
or unreadable dateline), and a summary is never a dateline, byline or masthead line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from ..errors import Problem, SiteError
from .bylines import BYLINE_PREFIXES, parse_byline, role_labels, split_role, strip_prefix
from .datelines import EXAMPLES, DatelineError, looks_like_dateline, maybe_dateline, parse_dateline

FORMATS = ("auto", "masthead", "plain")
TITLE_LIMIT = 250
BARE_BYLINE_LIMIT = 80
_ROLE_FIELDS = ("supervisor", "editor")


@dataclass(frozen=True)
class Rules:
    """How one import run reads articles: its format, the site's clock, date order, languages and role labels."""

    tz: tzinfo
    fmt: str = "auto"
    date_order: str = "dmy"
    languages: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = tuple(role_labels({}))
    date_given: bool = False
    """A date stands in (``--date`` or a re-imported file's own), so a missing or unreadable dateline is not fatal."""


@dataclass
class Article:
    """What a raw file says, before any choice about where or how it is written."""

    title: str
    paragraphs: list[list[str]]
    date: datetime | None = None
    authors: list[str] = field(default_factory=list)
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # role as written -> (field, name)
    warnings: list[Problem] = field(default_factory=list)
    ambiguous_date: bool = False
    source_url: str = ""
    """From a closing ``Source: URL`` (or ``Source: Name, URL``) line: where the article was first published."""
    source_name: str = ""

    @property
    def author(self) -> str:
        return self.authors[0] if self.authors else ""

    @property
    def supervisor(self) -> str:
        return self._role_field("supervisor")

    @property
    def editor(self) -> str:
        return self._role_field("editor")

    @property
    def other_roles(self) -> dict[str, str]:
        """Roles with no front matter field of their own, e.g. ``Managing Editor``."""
        return {role: name for role, (kind, name) in self.roles.items() if kind not in _ROLE_FIELDS}

    def _role_field(self, name: str) -> str:
        return next((person for kind, person in self.roles.values() if kind == name), "")


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
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def next_filled(self, start: int) -> tuple[int, str]:
        """The index and text of the first non-blank line at or after ``start``."""
        while start < len(self.lines) and not self.lines[start]:
            start += 1
        return start, self.peek(start - self.index)

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


def parse_article(text: str, rel: str, fmt: str | Rules, tz: tzinfo | None = None) -> Article:
    """Parse one raw article by ``rules`` (or a format name and a time zone); raise SiteError at the line at fault."""
    rules = fmt if isinstance(fmt, Rules) else Rules(tz=tz or UTC, fmt=fmt)
    lines = _Lines(text)
    lines.skip_blank()
    roles = _masthead(lines, rules) if rules.fmt != "plain" else {}
    title = _title(lines, rel, rules)
    title_at = lines.index - 1
    article = Article(title=title, paragraphs=[], roles=roles)
    if rules.fmt != "plain":
        _dateline(lines, rel, rules, article)
    article.authors = _byline(lines, rel, right_under_dateline=article.date is not None)
    if article.date is None and not rules.date_given:
        at, found = lines.next_filled(lines.index)
        if at == title_at + 1 and split_role(found, rules.roles):
            raise _error(rel, title_at + 1, f"{title!r} opens a masthead, but its role is not one this site knows",
                         "add its role label to site.yml, e.g. import: {roles: {masthead: [Publisher]}} "
                         "(or editor: / supervisor:), then import again")
        lines.index = at
        raise _error(rel, lines.number, "no dateline under the title: " +
                     (f"found {found!r}" if found else "the file ends"),
                     "add a dateline under the title, e.g. " + "; ".join(EXAMPLES[:3]) +
                     "; or give the date with --date YYYY-MM-DD")
    first_line = lines.next_filled(lines.index)[0] + 1
    article.paragraphs = lines.paragraphs()
    if not article.paragraphs:
        raise _error(rel, lines.number, "no text after the title, dateline and byline",
                     "the article's paragraphs follow, after a blank line")
    _check_first_paragraph(article, first_line, rel, rules)
    _source_line(article)
    return article


_SOURCE_LINE = re.compile(r"(?:source|sources|المصدر)\s*:\s*(?:(?P<name>[^,:/]{1,80}),\s*)?(?P<url>https?://[^\s<>\"]+)",
                          re.IGNORECASE)


def _source_line(article: Article) -> None:
    """A last paragraph ``Source: https://…`` (``Source : Wikinews, https://…``) says where the article was first
    published: it becomes ``source.url`` (and ``source.name``) for the theme to link, not a line of text."""
    if len(article.paragraphs) < 2 or len(article.paragraphs[-1]) != 1:
        return
    match = _SOURCE_LINE.fullmatch(article.paragraphs[-1][0])
    if match:
        article.source_url, article.source_name = match["url"], (match["name"] or "").strip()
        article.paragraphs.pop()


def _masthead(lines: _Lines, rules: Rules) -> dict[str, tuple[str, str]]:
    """The role lines opening the file, consumed; none when the first block is the title.

    A single role-like line is a masthead only if a title and then a dateline follow it
    (or the format is ``masthead``): "Editor Quits Over Row" is a headline, not a role.
    """
    block = lines.block()
    roles: dict[str, tuple[str, str]] = {}
    for line in block:
        split = split_role(line, rules.roles)
        if split is None:
            return {}
        roles[split[0]] = (split[1], split[2])
    title_at, title = lines.next_filled(lines.index + 1)
    if len(block) == 1 and rules.fmt != "masthead" and title:
        _, after_title = lines.next_filled(title_at + 1)
        if not maybe_dateline(after_title, rules.languages):
            return {}
    lines.index += len(block)
    return roles


def _title(lines: _Lines, rel: str, rules: Rules) -> str:
    lines.skip_blank()
    title = " ".join(lines.peek().split())
    number = lines.number
    if not title:
        raise _error(rel, number, "no title: the file ends before it",
                     "put the article's title on a line of its own before the text")
    if looks_like_dateline(title, rules.languages) and not _dateline_follows(lines, rules):
        raise _error(rel, number, f"expected the title, found a dateline: {title!r}",
                     "put the title on its own line above the dateline")
    if len(title) > TITLE_LIMIT:
        raise _error(rel, number, f"no recognisable title: the line is {len(title)} characters long",
                     f"start the article with its title on one line (at most {TITLE_LIMIT} characters), "
                     "then a blank line")
    if not re.search(r"[^\W_]", title):
        raise _error(rel, number, f"no recognisable title: {title!r} has no letters or digits",
                     "start the article with its title on one line, then a blank line")
    lines.index += 1
    return title


def _dateline_follows(lines: _Lines, rules: Rules) -> bool:
    """Whether the line at the cursor is a title that merely ends like a dateline ("On the campaign trail, May 2020",
    "Météo du 19 août 2012 : …"): it cannot be read as a date, and a dateline follows it (an article has one)."""
    if rules.fmt == "plain":
        return False
    _, following = lines.next_filled(lines.index + 1)
    if not maybe_dateline(following, rules.languages):
        return False
    try:
        parse_dateline(lines.peek(), rules.tz, rules.date_order, rules.languages)
    except DatelineError:
        return True
    return False


def _dateline(lines: _Lines, rel: str, rules: Rules, article: Article) -> None:
    """Read the dateline under the title into ``article``; refuse one that cannot be read (unless a date stands in)."""
    lines.skip_blank()
    line = lines.peek()
    if not maybe_dateline(line, rules.languages):
        return
    number = lines.number
    try:
        reading = parse_dateline(line, rules.tz, rules.date_order, rules.languages)
    except DatelineError as error:
        if not rules.date_given:
            raise _error(rel, number, f"cannot read the dateline {line!r}: {error}",
                         "write it like one of: " + "; ".join(EXAMPLES) + "; or give the date with --date") from None
        article.warnings.append(Problem(rel, number, f"cannot read the dateline {line!r}: {error}; used --date instead",
                                        "fix the dateline to use the article's own date", severity="warning"))
    else:
        article.date, article.ambiguous_date = reading.moment, reading.ambiguous
        if reading.weekday_mismatch:
            article.warnings.append(Problem(rel, number, reading.weekday_mismatch,
                                            "check the date; the import used the date and ignored the day name",
                                            severity="warning"))
    lines.index += 1


def _byline(lines: _Lines, rel: str, right_under_dateline: bool) -> list[str]:
    """The authors: a line starting with By/Par/بقلم, or a bare line of names under the dateline.

    Wires put the bare byline right under the dateline or after a blank line; either way a
    one-line paragraph of names there is the byline, never the first paragraph (and summary).
    """
    start = lines.index
    lines.skip_blank()
    line = lines.peek()
    prefixed, _ = strip_prefix(line)
    if right_under_dateline and line and not prefixed and not lines.peek(1) and len(line) <= BARE_BYLINE_LIMIT:
        names = parse_byline(line)
        if names:
            lines.index += 1
            return names
    if not prefixed or lines.peek(1) or len(line) > BARE_BYLINE_LIMIT or line.endswith((".", "!", "?")):
        lines.index = start
        return []
    names = parse_byline(line)
    if names is None:
        raise _error(rel, lines.number, f"cannot read the byline {line!r}",
                     "write the authors' names after By, Par or بقلم, joined by and, et, و, & or commas, "
                     "e.g. `By Nawal Sayed and Omar Said, Cairo`")
    lines.index += 1
    return names


def _check_first_paragraph(article: Article, number: int, rel: str, rules: Rules) -> None:
    """Refuse a text whose first paragraph is really a dateline, byline or masthead line (it would be the summary)."""
    first = article.paragraphs[0]
    if len(first) != 1:
        return
    line = first[0]
    kind = ("dateline" if looks_like_dateline(line, rules.languages) and rules.fmt != "plain" else
            "byline" if strip_prefix(line)[0] and parse_byline(line) else
            "masthead line" if split_role(line, rules.roles) and rules.fmt != "plain" and len(line) < 60 else "")
    if kind:
        raise _error(rel, number, f"a {kind} stands where the text should start: {line!r}",
                     "the layout is: masthead lines, a blank line, the title, the dateline, the byline, "
                     f"a blank line, then the text (bylines start with {', '.join(BYLINE_PREFIXES[:3])})")
    if rules.fmt == "plain" and looks_like_dateline(line, rules.languages):
        raise _error(rel, number, f"this plain article's first paragraph is a dateline: {line!r}",
                     "import it without --format plain so the dateline is read as the date")


def _error(rel: str, line: int, message: str, hint: str) -> SiteError:
    return SiteError([Problem(rel, line, message, hint)])
