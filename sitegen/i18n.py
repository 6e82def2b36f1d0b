"""The interface language: message catalogs, plural forms, dates and numbers, text direction.

Every word the theme prints comes from a catalog, one YAML file per language
(``themes/<theme>/locales/<lang>.yml``). YAML rather than gettext: the theme's
other settings and ``site.yml`` are already YAML, nothing needs compiling, and
an author can read and override one string without tools. A message is either
a string or, when it depends on a number, a mapping of CLDR plural categories
(``zero``, ``one``, ``two``, ``few``, ``many``, ``other``) to strings; Babel's
CLDR data picks the category, so Arabic's six forms need no code here.

Where a string comes from, most specific first: ``messages: {ar: {...}}`` in
site.yml, the site's own ``locales/<lang>.yml``, the site's theme, the built-in
theme; a language's missing message falls back to English, so a site in a
language without a catalog still builds (its dates and numbers are still in
its language, from CLDR).

Dates, month names and numbers are formatted by Babel for the language, with
the digits the site chooses (``digits: latn|arab``; by default the language's
own CLDR default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markupsafe

from .config import SiteConfig
from .errors import Problem, SiteError, display_path
from .yamlfile import key_lines, load

if TYPE_CHECKING:  # Babel is imported where a date, number or locale is first needed: a build with
    import babel  # nothing to render never needs one

Day = date
"""``date`` under a name the ``Language.date`` method cannot shadow in annotations."""
FALLBACK = "en"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
"""Always right-to-left; any other language is too when CLDR says so (ps, ckb, yi, ...) or the site lists it."""

DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

Message = str | dict[str, str]


def locale_of(code: str) -> babel.Locale:
    """The CLDR locale for a language code such as ``ar``, ``fr-CA`` or ``pt_BR``; ValueError when unknown."""
    import babel

    try:
        return babel.Locale.parse(code.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"`{code}` is not a language code CLDR knows; write one such as en, ar, fr or pt-BR") from None


def is_rtl(code: str, extra: Iterable[str] = ()) -> bool:
    """Whether a language is written right to left: the known four, CLDR's character order, or the site's list."""
    base = code.split("-")[0].split("_")[0].lower()
    if base in RTL_LANGUAGES or code in extra or base in extra:
        return True
    try:
        return locale_of(code).character_order == "right-to-left"
    except ValueError:
        return False


@dataclass
class Language:
    """One interface language: its messages and how it writes dates and numbers."""

    code: str
    locale: babel.Locale
    messages: dict[str, Message]
    fallback: dict[str, Message]
    rtl: bool
    digits: str
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def name(self) -> str:
        """The language's name in itself ("العربية", "français"), for a language switch."""
        return self.locale.get_display_name(self.locale) or self.code

    def message(self, key: str) -> Message:
        found = self.messages.get(key)
        if found is None:
            found = self.fallback.get(key)
        if found is None:
            raise KeyError(f"no interface message `{key}` in any catalog; add it to themes/default/locales/en.yml")
        return found

    def text(self, key: str) -> str:
        """A message as written in the catalog, unescaped: for date patterns, never for HTML."""
        found = self.message(key)
        return found.get("other", "") if isinstance(found, dict) else found

    def t(self, key: str, **values: Any) -> markupsafe.Markup:
        """The message ``key`` with ``{name}`` placeholders filled; the message is text, the values are escaped.
        A message without values is the same on every page: escaped once (a page asks for some twenty)."""
        if values:
            return fill(self.text(key), values)
        found = self._cache.get(("t", key))
        if found is None:
            found = self._cache[("t", key)] = fill(self.text(key), values)
        return found

    def tn(self, key: str, count: int, **values: Any) -> markupsafe.Markup:
        """The plural form of ``key`` for ``count`` (CLDR rules), with ``{count}`` written in the language's digits."""
        text = self.message(key)
        if isinstance(text, dict):
            category = self.locale.plural_form(abs(count))
            text = text.get(category) or text.get("other", "")
        return fill(text, {"count": self.number(count), **values})

    def number(self, value: int | float) -> str:
        key = ("n", value)
        found = self._cache.get(key)
        if found is None:
            # Babel gives the numbering system's separators (٬ ٫) but leaves the digits Latin
            import babel.numbers

            found = self._cache[key] = self.localise_digits(babel.numbers.format_decimal(
                value, locale=self.locale, numbering_system=self._numbering()))
        return found

    def _numbering(self) -> str:
        return self.digits if self.digits in self.locale.number_symbols else "latn"

    def date(self, value: datetime | date | None, with_time: bool = True) -> str:
        """A date as people write it in the language; with its time when it has one and ``with_time``."""
        if value is None:
            return ""
        key = ("d", value, with_time)
        found = self._cache.get(key)
        if found is None:
            timed = with_time and isinstance(value, datetime) and (value.hour or value.minute)
            pattern = self.text("date_time" if timed else "date")
            found = self._cache[key] = self.localise_digits(self._format(value, pattern))
        return found

    def month(self, year: int, month: int, pattern: str = "month_year") -> str:
        """A month's name with its year, as an archive heading ("March 2020", "مارس 2020", "mars 2020"); another
        catalog ``pattern`` gives other forms (``month_short``: "Mar", "mars", "مارس")."""
        key = ("m", year, month, pattern)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self.localise_digits(self._format(date(year, month, 1), self.text(pattern)))
        return found

    def list_separator(self, index: int, length: int) -> str:
        """The words between two items of an "and" list, from CLDR's list patterns; empty before the first item."""
        if index <= 0 or length < 2:
            return ""
        patterns = self.locale.list_patterns["standard"]
        kind = "2" if length == 2 else "end" if index == length - 1 else "start" if index == 1 else "middle"
        pattern = patterns[kind]
        return pattern[pattern.index("{0}") + 3:pattern.index("{1}")]

    def _format(self, value: datetime | Day, pattern: str) -> str:
        # the parsed pattern applied directly: a quarter faster than format_datetime, which re-checks the time zone
        import babel.dates

        return babel.dates.parse_pattern(pattern).apply(value, self.locale)

    def localise_digits(self, text: str) -> str:
        """Babel writes digits in Latin whatever the numbering system; this puts them in the chosen ones."""
        digits = DIGITS.get(self.digits)
        return text.translate(str.maketrans(DIGITS["latn"], digits)) if digits and self.digits != "latn" else text


def fill(text: str, values: Mapping[str, Any]) -> markupsafe.Markup:
    """Escape the message, then put each escaped value in its placeholder (Markup values stay markup).

    Only plain ``{name}`` placeholders are understood: no attribute or index
    access, so a catalog or a site.yml override can never reach into objects.
    """
    escaped = str(markupsafe.escape(text))

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(markupsafe.escape(values[name])) if name in values else match.group(0)

    return markupsafe.Markup(_PLACEHOLDER.sub(value_of, escaped))  # noqa: S704 - every part escaped above


# --- catalogs ------------------------------------------------------------------------------------


def _check_message(key: str, value: Any) -> Message:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        unknown = [str(k) for k in value if k not in PLURAL_CATEGORIES]
        if unknown:
            raise ValueError(f"`{key}` has unknown plural form `{unknown[0]}`; the forms are {', '.join(PLURAL_CATEGORIES)}")
        if "other" not in value:
            raise ValueError(f"`{key}` needs an `other` form, used for every number the other forms do not cover")
        return {str(k): str(v) for k, v in value.items()}
    raise ValueError(f"`{key}` must be text, or a mapping of plural forms such as {{one: '{{count}} item', "
                     "other: '{count} items'}")


def check_messages(data: Any, where: str, lines: Mapping[str, int], prefix: str = "") -> tuple[dict[str, Message], list[Problem]]:
    """Validate one catalog mapping; every bad entry becomes a Problem on its line."""
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(where, lines.get(prefix.rstrip(".")) or 1, "a catalog must be a mapping of message keys to text",
                            "write one `key: text` per line, e.g. `older_briefing: Older briefing`")]
    messages: dict[str, Message] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        try:
            messages[str(key)] = _check_message(str(key), value)
        except ValueError as error:
            problems.append(Problem(where, lines.get(f"{prefix}{key}"), str(error),
                                    "see themes/default/locales/en.yml for every key and its form"))
    return messages, problems


def read_catalog(path: Path, root: Path) -> tuple[dict[str, Message], list[Problem]]:
    where = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = load(text, where)
    except SiteError as error:
        return {}, error.problems
    except (OSError, UnicodeDecodeError) as error:
        return {}, [Problem(where, None, f"cannot read the catalog: {error}", "save it as UTF-8 text")]
    return check_messages(data, where, key_lines(text))


def catalog_dirs(config: SiteConfig, themes: Iterable[Path]) -> list[Path]:
    """Folders holding ``<lang>.yml`` catalogs, least specific first: the themes, then the site's own ``locales/``."""
    return [theme / "locales" for theme in reversed(list(themes))] + [config.root / "locales"]


@dataclass
class Interface:
    """Every language of a site, built once per build; the templates' ``t``/``tn`` and date filters use it."""

    languages: dict[str, Language]
    default: str

    def get(self, code: str | None) -> Language:
        return self.languages.get(code or self.default) or self.languages[self.default]


def load_interface(config: SiteConfig, themes: Iterable[Path], codes: Iterable[str] | None = None) -> Interface:
    """The catalogs for each of the site's languages, overrides applied; SiteError lists every bad entry."""
    folders = catalog_dirs(config, themes)
    codes = list(codes) if codes is not None else site_languages(config)
    problems: list[Problem] = []

    def merged(code: str) -> dict[str, Message]:
        messages: dict[str, Message] = {}
        for folder in folders:
            for name in _file_names(code):
                path = folder / f"{name}.yml"
                if path.is_file():
                    found, bad = read_catalog(path, config.root)
                    messages.update(found)
                    problems.extend(bad)
        overrides = config.messages.get(code) or config.messages.get(code.split("-")[0]) or {}
        messages.update(overrides)
        return messages

    english = merged(FALLBACK)
    languages: dict[str, Language] = {}
    for code in dict.fromkeys([*codes, FALLBACK]):
        messages = english if code == FALLBACK else merged(code)
        locale = locale_of(code)
        languages[code] = Language(code, locale, messages, english, is_rtl(code, config.rtl_languages),
                                   _digits_for(config.digits, locale))
    if problems:
        raise SiteError(problems)
    return Interface(languages, codes[0] if codes else FALLBACK)


def _file_names(code: str) -> list[str]:
    """``pt-BR`` reads ``pt.yml`` then ``pt-BR.yml``; the more specific file wins."""
    base = code.split("-")[0].split("_")[0]
    return [base] if base == code else [base, code]


def _digits_for(chosen: str, locale: babel.Locale) -> str:
    """The site's ``digits`` choice applies to languages written in Arabic script; others keep their own."""
    own = locale.default_numbering_system
    if not chosen:
        return own
    if chosen == "latn":
        return "latn"
    arabic_script = own in ("arab", "arabext") or locale.language in ("ar", "fa", "ur", "ps", "ckb", "sd", "ug")
    if not arabic_script:
        return own
    return "arabext" if chosen == "arab" and locale.language in ("fa", "ur") else chosen


def site_languages(config: SiteConfig) -> list[str]:
    """The site's languages, the default first: ``languages:`` when given, else ``[language]``."""
    return list(config.languages) or [config.language]


def catalog_files(config: SiteConfig, themes: Iterable[Path]) -> list[Path]:
    """Every catalog file a build may read: an edit to one changes the words on every page."""
    return [path for folder in catalog_dirs(config, themes) if folder.is_dir() for path in sorted(folder.glob("*.yml"))]

