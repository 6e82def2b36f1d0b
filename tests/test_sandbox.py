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
