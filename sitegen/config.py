"""Reading and validating ``site.yml`` into one typed :class:`SiteConfig`.

Every option is declared once, as a field of :class:`SiteConfig` with its type,
default, checker and an example; the theme it names is checked here too.
Validation reports each unknown key or wrong value with the line it stands on
and what to write instead, all in one run.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import Problem, SiteError
from .yamlfile import key_lines, load

CONFIG_NAME = "site.yml"


@dataclass(frozen=True)
class MarkdownOptions:
    """How briefing bodies are turned into HTML."""

    html: bool = False
    typographer: bool = False
    heading_attributes: bool = True
    footnotes: bool = True
    task_lists: bool = True
    definition_lists: bool = True
    linkify: bool = True
    max_headings: int = 1000
    """Headings one body may have: a cap on what a single file can make a build do."""


@dataclass(frozen=True)
class ImportRules:
    """site.yml ``import:``: how raw articles are read (see sitegen/importers)."""

    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> masthead role labels
    date_order: str = "dmy"


# --- value checkers: each returns the cleaned value or raises ValueError(hint) ---


def _string(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("write a plain text value")
    return str(value)


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("write a whole number of 1 or more")
    return value


def check_bool(value: Any) -> bool:
    """Accept only true/false, so `draft: no` or `html: 0` is never silently read as a flag."""
    if not isinstance(value, bool):
        raise ValueError("write true or false")
    return value


def _timezone(value: Any) -> str:
    name = _string(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("write an IANA time zone name such as Africa/Cairo or UTC") from None
    return name


def _base_url(value: Any) -> str:
    url = _string(value).strip()
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise ValueError("write an http(s) URL such as https://example.org/briefings/ or a path such as /")
    if parts.scheme and not parts.netloc:
        raise ValueError("the URL has no host; write e.g. https://example.org/")
    if not parts.scheme and not url.startswith("/"):
        raise ValueError("write a full URL such as https://example.org/ or a path starting with /")
    return url if url.endswith("/") else url + "/"


def _theme(value: Any) -> str:
    """A folder name under themes/: never a path, so a site.yml cannot make the build read templates
    from elsewhere on the machine."""
    name = _string(value).strip()
    if not name or name in (".", "..") or any(sep in name for sep in "/\\") or name.startswith("~"):
        raise ValueError("write the name of a folder in themes/ (no / \\ or ..), or default")
    return name


def _output(value: Any) -> str:
    text = _string(value).strip()
    if not text or text in (".", "./"):
        raise ValueError("write a folder name such as public")
    return text


def _topics(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError("write a mapping of topic names to lists of words, e.g. Syria: [Syria, Syrian, Idlib]")
    topics: dict[str, list[str]] = {}
    for name, words in value.items():
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not all(isinstance(w, (str, int)) for w in words):
            raise ValueError(f"topic {name!r}: write a list of words, e.g. {name}: [word, other word]")
        topics[str(name)] = [str(w) for w in words]
    return topics


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError("write a size such as 5 MB or 500 KB")
    return int(float(match.group(1)) * _UNITS[match.group(2)[:1].lower()])


def _markdown(value: Any) -> MarkdownOptions:
    if not isinstance(value, dict):
        raise ValueError("write a mapping, e.g. markdown: {html: false}")
    known = [f.name for f in dataclasses.fields(MarkdownOptions)]
    unknown = set(map(str, value)) - set(known)
    if unknown:
        raise ValueError(f"unknown markdown option {sorted(unknown)[0]!r}; known: {', '.join(known)}")
    checked: dict[str, Any] = {str(k): _positive_int(v) if str(k).startswith("max_") else check_bool(v)
                               for k, v in value.items()}
    return MarkdownOptions(**checked)


def _import_rules(value: Any) -> ImportRules:
    if not isinstance(value, dict):
        raise ValueError("write a mapping, e.g. import: {date_order: mdy, roles: {editor: [Chefredakteur]}}")
    unknown = set(value) - {"roles", "date_order"}
    if unknown:
        raise ValueError(f"unknown import option {sorted(unknown)[0]!r}; known: roles, date_order")
    order = value.get("date_order", "dmy")
    if order not in ("dmy", "mdy"):
        raise ValueError("date_order is dmy (14/03/2020, the default) or mdy (03/14/2020, US wires)")
    roles = value.get("roles") or {}
    if not isinstance(roles, dict) or not all(isinstance(labels, (list, str)) for labels in roles.values()):
        raise ValueError("roles maps a front matter field to role labels, e.g. roles: {editor: [Chefredakteur]}")
    return ImportRules({str(name): tuple(str(label) for label in ([labels] if isinstance(labels, str) else labels))
                        for name, labels in roles.items()}, order)


def _slug_style(value: Any) -> str:
    if value not in ("unicode", "ascii"):
        raise ValueError("write unicode (letters of every script kept, the default) or ascii (transliterated)")
    return str(value)


def _topic_aliases(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not all(isinstance(v, (list, str)) for v in value.values()):
        raise ValueError("map each topic's name to its other spellings, e.g. topic_aliases: {Conservatives: [Tories]}")
    return {str(name): tuple(str(v) for v in ([variants] if isinstance(variants, str) else variants))
            for name, variants in value.items()}


def _language(value: Any) -> str:
    from .i18n import locale_of  # i18n reads catalogs through yamlfile and errors, never through this module

    code = _string(value).strip()
    locale_of(code)
    return code


def _languages(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError("write a list of language codes, the default first, e.g. languages: [en, ar]")
    codes = tuple(_language(code) for code in value)
    if len(set(codes)) != len(codes):
        raise ValueError("a language is listed twice; list each once")
    return codes


def _digits(value: Any) -> str:
    text = _string(value).strip()
    if text not in ("latn", "arab"):
        raise ValueError("write latn (0123456789) or arab (٠١٢٣٤٥٦٧٨٩)")
    return text


def _language_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("write a list of language codes, e.g. rtl_languages: [syr]")
    return tuple(_string(code).strip() for code in value)


def _messages(value: Any) -> dict[str, dict[str, Any]]:
    from .i18n import check_messages

    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("write per language a mapping of message keys to text, e.g. messages: {en: {older_briefing: Earlier}}")
    checked: dict[str, dict[str, Any]] = {}
    for code, entries in value.items():
        found, problems = check_messages(entries, CONFIG_NAME, {})
        if problems:
            raise ValueError(f"{code}: {problems[0].message}")
        checked[str(code)] = found
    return checked


@dataclass(frozen=True)
class Option:
    """How one site.yml option is checked, and an example to show when it is wrong."""

    check: Callable[[Any], Any]
    example: str
    key: str = ""
    """The name in site.yml when it differs from the field's (``import`` is a Python keyword)."""


def option(default: Any, check: Callable[[Any], Any], example: str, factory: Callable[[], Any] | None = None,
           key: str = "") -> Any:
    """A site.yml option, declared once as a field of :class:`SiteConfig`: its default, checker and example."""
    metadata = {"option": Option(check, example, key)}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class SiteConfig:
    """Everything ``site.yml`` says, with defaults filled in and values checked."""

    root: Path
    title: str = option("Briefing archive", _string, "title: My briefing archive")
    description: str = option("", _string, "description: Daily briefings on world affairs")
    base_url: str = option("/", _base_url, "base_url: https://example.org/briefings/")
    language: str = option("en", _language, "language: en")
    timezone: str = option("UTC", _timezone, "timezone: Africa/Cairo")
    theme: str = option("default", _theme, "theme: default")
    output: str = option("public", _output, "output: public")
    paginate: int = option(20, _positive_int, "paginate: 20")
    markdown: MarkdownOptions = option(None, _markdown, "markdown: {html: false, typographer: false}",  # noqa: RUF009
                                       factory=MarkdownOptions)  # option() returns a dataclasses.field
    topics: dict[str, list[str]] = option(None, _topics, "topics: {Syria: [Syria, Syrian, Idlib]}",  # noqa: RUF009
                                          factory=dict)
    max_tags: int = option(6, _positive_int, "max_tags: 6")
    link_topics: bool = option(False, check_bool, "link_topics: false")
    search: bool = option(True, check_bool, "search: true")
    max_file_size: int = option(5 * 1024 * 1024, _size, "max_file_size: 5 MB")
    max_topics: int = option(100, _positive_int, "max_topics: 100")
    """Topics (``tags:``) one briefing may have: each gets a page, so a cap on what one file can demand."""
    publisher: str = option("", _string, "publisher: The Briefing Desk")
    story_gap: int = option(14, _positive_int, "story_gap: 14")
    """Days without a briefing that end a detected story."""
    import_rules: ImportRules = option(None, _import_rules,  # noqa: RUF009
                                       "import: {date_order: dmy, roles: {editor: [Editor in Chief]}}",
                                       factory=ImportRules, key="import")
    topic_aliases: dict[str, tuple[str, ...]] = option(  # noqa: RUF009
        None, _topic_aliases, "topic_aliases: {Conservatives: [Tories, Tory], Tony Blair: [Blair]}", factory=dict)
    """One topic's other spellings, shown and linked under its name: ``{Conservatives: [Tories, Tory]}``."""
    topics_min_count: int = option(3, _positive_int, "topics_min_count: 3")
    """Topics on fewer briefings keep their page but stay off cards' chips and the topics hub."""
    follow_links: bool = option(False, check_bool, "follow_links: false")
    """Publish a static folder that is a symbolic link out of the site (with a warning naming it)."""
    slugs: str = option("unicode", _slug_style, "slugs: unicode")
    """``unicode`` keeps each script's letters in URLs; ``ascii`` transliterates them (مفاوضات → mfwdt)."""
    languages: tuple[str, ...] = option((), _languages, "languages: [en, ar]")
    """The site's editions, the default first; empty means one edition in ``language``."""
    digits: str = option("", _digits, "digits: latn")
    """``latn`` or ``arab`` for languages written in Arabic script; empty: each language's CLDR default."""
    rtl_languages: tuple[str, ...] = option((), _language_list, "rtl_languages: [syr]")
    """Languages to write right to left besides those CLDR knows as such (ar, fa, he, ur, ...)."""
    messages: dict[str, dict[str, Any]] = option(None, _messages,  # noqa: RUF009
                                                 "messages: {en: {older_briefing: Earlier briefing}}", factory=dict)
    """Per language, interface messages that replace the theme's (see sitegen/i18n.py)."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        return urlsplit(self.base_url).path or "/"

    @property
    def output_dir(self) -> Path:
        return (self.root / self.output).resolve()

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"


OPTIONS: dict[str, Option] = {f.metadata["option"].key or f.name: f.metadata["option"]
                              for f in dataclasses.fields(SiteConfig) if "option" in f.metadata}
"""Every site.yml option by its name there, read off :class:`SiteConfig`'s fields."""
FIELD_OF = {name: f.name for f in dataclasses.fields(SiteConfig) if (name := f.metadata.get("option", Option(str, "")).key)}
"""Options whose site.yml name is not their field's name."""


def load_config(root: Path) -> SiteConfig:
    """Read ``root/site.yml``; raise :class:`SiteError` listing every problem in it."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise SiteError([Problem(str(path), None, "no site.yml here",
                                 "run the command inside a site folder, pass --site DIR, or create one with `sitegen init DIR`")])
    text = path.read_text(encoding="utf-8-sig")
    data = load(text, CONFIG_NAME)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SiteError([Problem(CONFIG_NAME, 1, "site.yml must be a mapping of options",
                                 "write one `key: value` per line, e.g. `title: My archive`")])
    return _validate(root, data, key_lines(text))


def _validate(root: Path, data: dict, lines: dict[str, int]) -> SiteConfig:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, raw in data.items():
        name = str(key)
        option = OPTIONS.get(name)
        if option is None:
            close = difflib.get_close_matches(name, OPTIONS, n=1)
            hint = f"did you mean `{close[0]}`?" if close else "known options: " + ", ".join(OPTIONS)
            problems.append(Problem(CONFIG_NAME, lines.get(name), f"unknown option `{name}`", hint))
            continue
        try:
            values[FIELD_OF.get(name, name)] = option.check(raw)
        except ValueError as error:
            problems.append(Problem(CONFIG_NAME, lines.get(name), f"`{name}` is not valid: {error}",
                                    f"for example `{option.example}`"))
    theme = values.get("theme", "default")
    if theme != "default" and not (root / "themes" / theme).is_dir():
        problems.append(Problem(CONFIG_NAME, lines.get("theme"), f"theme `{theme}` not found in themes/",
                                f"create themes/{theme}/templates/, or write `theme: default`"))
    languages = values.get("languages")
    if languages and "language" in values and values["language"] != languages[0]:
        problems.append(Problem(CONFIG_NAME, lines.get("language"), f"`language: {values['language']}` is not the first "
                                "of `languages`", "remove `language:`; the first of `languages:` is the default"))
    if problems:
        raise SiteError(sorted(problems, key=lambda p: p.line or 0))
    if languages:
        values["language"] = languages[0]
    return SiteConfig(root=root, **values)
