"""Themes are data, not code (issue 18 item 3): templates run in Jinja's immutable sandbox."""

from __future__ import annotations

import pytest

from .helpers import briefing, run_sitegen, write

ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ config.__class__.__init__.__globals__['os'].system('touch %s') }}",
    "{{ url.__globals__['__builtins__']['open']('%s', 'w').write('x') }}",
    "{% set x = lipsum.__globals__ %}{{ x.os.popen('touch %s') }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_theme_cannot_reach_python_internals(site, tmp_path, escape):
    marker = tmp_path / "pwned"
    payload = escape.replace("%s", str(marker))
    write(site / "site.yml", (site / "site.yml").read_text() + "theme: evil\n")
    write(site / "themes/evil/templates/briefing.html",
          '{% extends "base.html" %}\n{% block main %}\n' + payload + "\n{% endblock %}\n")
    write(site / "content/briefings/a.md", briefing("A"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert not marker.exists(), "the template ran a command"
    assert result.returncode == 1, result.stdout
    assert "themes/evil/templates/briefing.html:3: template error" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_theme_cannot_change_the_data_other_pages_render_from(site):
    write(site / "templates/_card.html", "{{ card.briefing.meta.update({'x': 1}) }}{{ card.briefing.title }}")
    write(site / "content/briefings/a.md", briefing("A", region="Levant"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert "templates/_card.html:1: template error" in result.stderr and "unsafe" in result.stderr
    assert "reach Python internals or change the data" in result.stderr


def test_the_default_theme_formats_and_loops_within_the_sandbox(site):
    write(site / "content/briefings/a.md", briefing("A", authors="[Nawal Sayed, Omar Said]", tags="[Syria, Iraq]"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr


# The build's environment remembers the sandbox's answer per type and attribute name (render.ThemeSandbox).
# These ask it the same question again after it has answered once, and compare with Jinja's own sandbox.

class Box:
    """An ordinary object with a method named like a list's; it may report another ``__class__``."""

    def __init__(self, pretend: type | None = None) -> None:
        self.pretend = pretend

    @property  # type: ignore[misc]
    def __class__(self):  # the point: it may report another class, as isinstance() then believes
        return self.pretend or type(self)

    def append(self, item: object) -> None:
        return None


def _environments(site):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from sitegen.config import load_config
    from sitegen.render import ThemeSandbox, UrlHelper, make_environment

    env = make_environment(load_config(site), UrlHelper("https://example.org/", "/"))
    assert isinstance(env, ThemeSandbox)
    return env, ImmutableSandboxedEnvironment()


def test_the_remembered_sandbox_refuses_what_jinjas_refuses_asked_twice(site):
    env, jinja = _environments(site)

    def function():
        return None

    objects = [[], {}, set(), (), "text", 3, function, str, type, Box(), Box(list), env.globals["url"],
               (x for x in ()), function.__code__]
    names = ["append", "pop", "update", "clear", "add", "index", "keys", "upper", "__class__", "__globals__",
             "__init__", "_private", "mro", "func_globals", "__code__", "gi_frame", "gi_code", "co_code", "real"]
    for _ in range(2):
        for obj in objects:
            for name in names:
                expected = jinja.is_safe_attribute(obj, name, None)
                assert env.is_safe_attribute(obj, name, None) is expected, (obj, name)
    assert not env.is_safe_attribute([], "append", None) and not env.is_safe_attribute(str, "mro", None)
    assert not env.is_safe_attribute(function, "__globals__", None) and env.is_safe_attribute([], "index", None)


def test_templates_still_cannot_escape_after_the_same_lookups_succeeded(site):
    from jinja2.sandbox import SecurityError

    env, _ = _environments(site)
    data = {"items": [1, 2], "meta": {"a": 1}, "box": Box(), "liar": Box(list)}
    assert env.from_string("{{ items.index(2) }} {{ meta.keys()|join(',') }} {{ box.append(1) }}").render(data) == \
        "1 a None"
    for unsafe in ["{{ items.append(3) }}", "{{ meta.update({'b': 2}) }}", "{{ liar.append(3) }}",
                   "{{ items.__class__(3) }}", "{{ kind.mro() }}", "{{ helper.__globals__.get('os') }}"]:
        for _ in range(2):  # an unsafe attribute is an undefined value that raises when used
            with pytest.raises(SecurityError):
                env.from_string(unsafe).render(data, kind=str, helper=_environments)
    assert data["items"] == [1, 2] and data["meta"] == {"a": 1}


def test_an_abstract_base_class_registered_later_is_seen(site):
    import collections.abc

    env, _ = _environments(site)

    class Stack:
        def append(self, item: object) -> None:
            return None

    assert env.is_safe_attribute(Stack(), "append", None)
    collections.abc.MutableSequence.register(Stack)
    assert not env.is_safe_attribute(Stack(), "append", None)


def test_reads_through_the_remembered_answer_still_sandbox_format_and_see_new_rules(site):
    """``env.getattr`` skips the sandbox's checks once a type's attribute is known safe, but a ``str.format``
    (or Markup's) is still wrapped, a liar about its class is still asked, and a new ABC registration counts."""
    import collections.abc

    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    env, _ = _environments(site)
    jinja = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.ChainableUndefined)
    data = {"a": 1, "b": "x", "m": Markup("<i>{0}</i>"), "leak": Markup("{0.__globals__}"), "f": _environments,
            "pair": "{0}-{1}", "kind": "{0.__class__}", "named": "{x.__globals__}", "mro": "{0.mro}"}
    sources = ["{{ pair.format(a, b) }} {{ m.format('<b>') }}", "{{ kind.format(1) }}",  # variables: no constant folding
               "{{ named.format_map({'x': f}) }}", "{{ leak.format(f) }}", "{{ mro.format(b) }}"]
    for text in ("", Markup("")):  # the sandbox wraps a format method before it asks whether it is safe: ask first
        assert env.is_safe_attribute(text, "format", None) and env.is_safe_attribute(text, "format_map", None)
    for _ in range(3):
        for source in sources:
            shown = env.from_string(source).render(data)
            assert shown == jinja.from_string(source).render(data) and "<class" not in shown and "os" not in shown
        assert env.from_string(sources[0]).render(data) == "1-x <i>&lt;b&gt;</i>"
        assert env.getattr(Box(), "append") is not None and isinstance(env.getattr(Box(list), "append"), jinja2.Undefined)

    class Stack:
        def append(self, item: object) -> None:
            return None

    assert callable(env.getattr(Stack(), "append")) and callable(env.getattr(Stack(), "append"))
    collections.abc.MutableSequence.register(Stack)
    assert isinstance(env.getattr(Stack(), "append"), jinja2.Undefined)


def test_callees_answer_as_in_jinjas_own_sandbox_on_every_call(site):
    """``ThemeSandbox.call`` learns a function's answers on its first call (may it be called, does it want the
    context): later calls must still refuse an unsafe one, pass the context with what a loop or block has set,
    and leave the other kinds (``pass_environment``, a ``__call__`` that wants the context) to Jinja."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError, unsafe

    env, _ = _environments(site)
    jinja = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.ChainableUndefined)

    def plain(value=1):
        return value * 2

    @jinja2.pass_context
    def seen(context, name):
        return context.get(name)

    @jinja2.pass_environment
    def environment_kind(environment):
        return type(environment).__name__.startswith(("Theme", "Immutable"))

    class Wants:
        @jinja2.pass_context
        def __call__(self, context):
            return context.get("x")

    def stops():
        raise StopIteration

    def altering():
        return "altered"

    def forbidden():
        return "called"

    altering.alters_data = True  # type: ignore[attr-defined]
    helpers = {"plain": plain, "seen": seen, "env_kind": environment_kind, "wants": Wants(), "stops": stops}
    source = ("{% macro twice(v) %}{{ plain(v) }}{% endmacro %}{{ plain() }} {{ twice(3) }} {{ env_kind() }} "
              "{% for x in [1, 2] %}{% set y = x * 10 %}{% set x = y + 1 %}{{ seen('y') }}/{{ wants() }} {% endfor %}"
              "{% block b %}{% set z = 5 %}{{ seen('z') }}{% endblock %} [{{ stops() }}]")
    for _ in range(3):
        expected = jinja.from_string(source).render(helpers)
        assert env.from_string(source).render(helpers) == expected == "2 6 True 10/11 20/21 5 []"
        for refused in (unsafe(forbidden), altering):
            for environment in (env, jinja):
                with pytest.raises(SecurityError):
                    environment.from_string("{{ f() }}").render(f=refused)
