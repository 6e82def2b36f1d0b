"""The Jinja environment: template lookup, URL helpers and date filters.

Templates are looked up in the folders :mod:`sitegen.themes` lists, first match
wins, file by file, so a site can override a single template without copying
the theme.
"""

from __future__ import annotations

import abc
import functools
import json
import traceback
import types
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
import markupsafe
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import _PassArg

from .config import SiteConfig
from .errors import Problem, display_path
from .fragments import Fragments
from .i18n import Interface, Language, load_interface
from .themes import template_dirs, theme_dirs
from .topics import site_link


class UrlHelper:
    """Turns site paths like ``/topics/syria/`` into links that respect ``base_url``."""

    def __init__(self, base_url: str, base_path: str) -> None:
        self.base_url = base_url
        self.base_path = base_path
        # the same few thousand paths are linked from every page; quoting them once is the profile's advice
        self.url = functools.lru_cache(maxsize=65536)(self._url)  # type: ignore[method-assign]
        self.absolute = functools.lru_cache(maxsize=65536)(self._absolute)  # type: ignore[method-assign]

    def _url(self, path: str) -> str:
        return site_link(self.base_path, path)

    def _absolute(self, path: str) -> str:
        link = self.url(path)
        return urljoin(self.base_url, link) if "://" in self.base_url else link


def iso_date(value: datetime | None) -> str:
    return value.isoformat() if value else ""


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def jsonld(value: Any) -> markupsafe.Markup:
    """JSON for a ``<script type="application/ld+json">`` element.

    ``<``, ``>`` and ``&`` become JSON escapes, which parse back to the same
    text, so nothing in a title or summary (``</script>``, ``<!--``) can end
    the element early. Only after that is the result marked safe.
    """
    return markupsafe.Markup(json.dumps(value, ensure_ascii=False).translate(_SCRIPT_SAFE))  # noqa: S704 - escaped above


def people(links: Any, absolute: Any) -> list[dict[str, str]]:
    """schema.org ``Person`` objects for named links (a briefing's authors), for JSON-LD."""
    return [{"@type": "Person", "name": link.name, "url": absolute(link.url)} for link in links]
def _language(context: Any) -> Language:
    """The language of the page being rendered: its ``lang`` (an edition, a briefing), else the site's default."""
    interface: Interface = context.environment.interface
    return interface.get(context.get("lang"))


@jinja2.pass_context
def translate(context: Any, key: str, **values: Any) -> markupsafe.Markup:
    """``{{ t('older_briefing') }}``, ``{{ t('by_author', name=...) }}``: a message in the page's language."""
    return _language(context).t(key, **values)


@jinja2.pass_context
def translate_plural(context: Any, key: str, count: int, **values: Any) -> markupsafe.Markup:
    """``{{ tn('briefings_count', n) }}``: the plural form CLDR chooses for ``n`` in the page's language."""
    return _language(context).tn(key, count, **values)


@jinja2.pass_context
def human_date(context: Any, value: datetime | None, with_time: bool = True) -> str:
    """A date in the page's language and digits: "14 March 2020, 14:53", "١٤ مارس ٢٠٢٠"."""
    return _language(context).date(value, with_time)


@jinja2.pass_context
def month_name(context: Any, value: Any, pattern: str = "month_year") -> str:
    """A month and year ("March 2020", "مارس 2020") from anything with ``year`` and ``month``;
    ``month_name('month_short')`` the month alone, abbreviated ("Mar", "mars")."""
    return _language(context).month(value.year, value.month, pattern)


@jinja2.pass_context
def number(context: Any, value: int | float) -> str:
    return _language(context).number(value)


@jinja2.pass_context
def digits(context: Any, value: Any) -> str:
    """Digits of a year or an ID in the page language's digits, without the grouping a number gets."""
    return _language(context).localise_digits(str(value))


@jinja2.pass_context
def list_separator(context: Any, index: int, length: int) -> str:
    """What goes before item ``index`` of ``length`` in a list such as "A, B and C" ("A وB وC", "A, B et C")."""
    return _language(context).list_separator(index, length)


@jinja2.pass_context
def edition_url(context: Any, path: str) -> str:
    """``edition_url('/archive/')``: a section of the page's own language edition (``/ar/archive/``), as ``url()``."""
    return context.environment.globals["url"](context.get("prefix", "") + path)


@jinja2.pass_context
def messages_json(context: Any, *keys: str) -> str:
    """``{{ messages_json('search_none', ...) }}``: messages of the page's language as JSON for a script, plural ones
    as their CLDR forms, so the script shows no word of its own (it picks a form with ``Intl.PluralRules``)."""
    found = _language(context)
    return json.dumps({key: found.message(key) for key in keys}, ensure_ascii=False, sort_keys=True)


@jinja2.pass_context
def language(context: Any, code: str | None = None) -> Language:
    """``language()`` is the page's language (``.dir``, ``.name``, ``.code``); ``language('ar')`` another one."""
    return context.environment.interface.get(code) if code else _language(context)


class ThemeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, deciding once per type and attribute name instead of on every lookup.

    The sandbox asks whether ``obj.attr`` is safe on each attribute a template
    reads, half a million times in a 1,000-briefing build, and its answer
    (``is_internal_attribute``, ``modifies_known_mutable``) depends only on the
    attribute's name and on ``isinstance`` tests of the object. Those tests see
    only the object's type, unless the object reports another ``__class__``
    (then it is asked afresh every time) or an abstract base class gains a
    registered subclass (``abc.get_cache_token()`` changes: every answer is
    forgotten). So the memo refuses exactly what the sandbox refuses.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}
        self._abc_token = abc.get_cache_token()
        self._calls: dict[int, tuple[Any, bool]] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        kind = type(obj)
        if type(attr) is not str or obj.__class__ is not kind:
            return super().is_safe_attribute(obj, attr, value)
        if self._abc_token != abc.get_cache_token():
            self._safe.clear()
            self._abc_token = abc.get_cache_token()
        key = (kind, attr)
        known = self._safe.get(key)
        if known is None:
            known = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` read as the sandbox reads it, in one step where this type's attribute is already
        known to be safe: a method value still goes through ``wrap_str_format`` (a ``str.format`` is wrapped
        so its fields are sandboxed too), anything else is returned as it is."""
        kind = type(obj)
        if self._safe.get((kind, attribute)) and obj.__class__ is kind and self._abc_token == abc.get_cache_token():
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass  # the sandbox then tries obj[attribute]
            else:
                if not isinstance(value, _METHODS):
                    return value
                wrapped = self.wrap_str_format(value)
                return value if wrapped is None else wrapped
        return super().getattr(obj, attribute)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from a template, some ninety per page (``t()``, ``url()``, the theme's macros, ``card_once``),
        without asking the callee again what it answered on its first call.

        Jinja asks each callee, on every call, whether the sandbox allows it
        (``unsafe_callable``, ``alters_data``) and whether it wants the context
        passed in (``pass_context``): a tenth of a page's rendering. A macro's
        answers are its class's: no and no. A function, a partial, a memo of
        rendered pieces keeps its answers while it lives, since templates cannot
        set attributes: they are learnt on its first call and kept with the
        object, so its ``id`` cannot pass to another. Objects made for one page
        (bound methods, Jinja's block references) are not learnt: kept, they
        would keep their pages alive. Only the two plain answers are taken
        here; any other (``pass_environment``, a ``__call__`` that wants the
        context) goes the sandbox's own way.
        """
        if type(__obj) is Macro:
            wants_context = False
        else:
            known = __self._calls.get(id(__obj))
            if known is None or known[0] is not __obj:
                known = __self._learn_call(__obj)
                if known is None:
                    return super().call(__context, __obj, *args, **kwargs)
            wants_context = known[1]
        loop_vars, block_vars = kwargs.pop("_loop_vars", None), kwargs.pop("_block_vars", None)
        if wants_context:  # what a loop or block has set counts for the callee, as in Jinja's own call
            if loop_vars:
                __context = __context.derived(loop_vars)
            if block_vars:
                __context = __context.derived(block_vars)
            args = (__context, *args)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __context.environment.undefined("value was undefined because a callable raised a"
                                                   " StopIteration exception")

    def _learn_call(self, obj: Any) -> tuple[Any, bool] | None:
        if type(obj) not in _LEARNT_KINDS or not self.is_safe_callable(obj):
            return None
        if _PassArg.from_obj(obj.__call__) is not None:
            return None
        passed = _PassArg.from_obj(obj)
        if passed not in (None, _PassArg.context):
            return None
        if len(self._calls) >= _LEARNT_CALLS:
            self._calls.clear()  # a closure made per page must not pile up
        known = self._calls[id(obj)] = (obj, passed is _PassArg.context)
        return known


_LEARNT_KINDS = frozenset({types.FunctionType, functools.partial, type(functools.lru_cache(print)), Fragments})
"""The kinds of callee the build hands to templates (``lru_cache(print)``: the type of ``url`` and ``absolute_url``)."""
_LEARNT_CALLS = 4096
"""Callees whose answers are kept at once; far more than the build's helpers and the site's fragment memos."""
_METHODS = (types.MethodType, types.BuiltinMethodType)


def make_environment(config: SiteConfig, urls: UrlHelper) -> jinja2.Environment:
    """The one Jinja environment of a build; autoescape is always on.

    Templates run in Jinja's immutable sandbox: a theme can read values, loop,
    format and call the helpers given here, but it cannot reach Python's
    internals (``__globals__``, ``__class__``, ``mro``), so a third-party theme
    cannot run commands or read files, and it cannot change the site's data
    (``list.append``, ``dict.update``) that other pages are rendered from.
    """
    cache_dir = config.root / ".sitegen" / "jinja"
    cache_dir.mkdir(parents=True, exist_ok=True)
    env = ThemeSandbox(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(config) if p.is_dir()]),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache_dir)),
        auto_reload=False,
    )
    interface = load_interface(config, theme_dirs(config))
    env.interface = interface  # type: ignore[attr-defined]
    env.globals.update(url=urls.url, absolute_url=urls.absolute, t=translate, tn=translate_plural, language=language,
                       lang=interface.default, list_separator=list_separator, edition_url=edition_url,
                       messages_json=messages_json)
    env.filters.update(human_date=human_date, month_name=month_name, number=number, digits=digits,
                       iso_date=iso_date, jsonld=jsonld, people=functools.partial(people, absolute=urls.absolute))
    return env


def template_problem(error: Exception, config: SiteConfig) -> Problem:
    """Locate a template error in the template file, not in our Python."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        path = Path(error.filename) if error.filename else None
        where = display_path(path, config.root) if path else str(error.name)
        return Problem(where, error.lineno, f"template syntax error: {error.message}",
                       "check the {% %} and {{ }} tags on that line")
    if isinstance(error, jinja2.TemplateNotFound):
        return Problem(str(error.name), None, "template not found",
                       "add it to templates/ or to the theme's templates/ folder")
    sandboxed = isinstance(error, SecurityError) or "__" in str(error)
    hint = ("templates may format and loop over the site's data but not reach Python internals or change "
            "the data; remove that expression" if sandboxed else "check the variable names used on that line")
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            return Problem(display_path(Path(frame.filename), config.root), frame.lineno,
                           f"template error: {error}", hint)
    return Problem("templates", None, f"template error: {error}")
