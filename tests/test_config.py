"""site.yml validation: every mistake named with its line and what to write instead."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sitegen.config import FIELD_OF, OPTIONS, SiteConfig, load_config
from sitegen.errors import SiteError

from .helpers import write


def problems_of(root: Path) -> list:
    with pytest.raises(SiteError) as caught:
        load_config(root)
    return caught.value.problems


def test_defaults_fill_in_missing_keys(tmp_path):
    write(tmp_path / "site.yml", "title: Only a title\n")
    config = load_config(tmp_path)
    assert config.title == "Only a title"
    assert config.paginate == 20
    assert config.markdown.html is False
    assert config.base_path == "/"
    assert config.output_dir == (tmp_path / "public").resolve()


def test_empty_site_yml_is_valid(tmp_path):
    write(tmp_path / "site.yml", "# nothing yet\n")
    assert load_config(tmp_path).theme == "default"


def test_unknown_key_names_line_and_suggests_the_right_one(tmp_path):
    write(tmp_path / "site.yml", "title: A\n\ntitel: B\n")
    [problem] = problems_of(tmp_path)
    assert (problem.path, problem.line) == ("site.yml", 3)
    assert "titel" in problem.message
    assert "title" in problem.hint


def test_every_wrong_value_is_reported_in_one_run(tmp_path):
    write(tmp_path / "site.yml", """
        paginate: zero
        timezone: Mars/Olympus
        markdown:
          html: maybe
        base_url: ftp://example.org/
    """)
    problems = problems_of(tmp_path)
    assert [p.line for p in problems] == [1, 2, 3, 5]
    assert "whole number" in problems[0].message
    assert "IANA" in problems[1].message
    assert all(p.hint.startswith("for example") for p in problems)


def test_base_url_with_sub_path_keeps_its_path(tmp_path):
    write(tmp_path / "site.yml", "base_url: https://example.org/briefings\n")
    config = load_config(tmp_path)
    assert config.base_url == "https://example.org/briefings/"
    assert config.base_path == "/briefings/"


def test_malformed_yaml_names_the_line(tmp_path):
    write(tmp_path / "site.yml", "title: A\npaginate: [1\n")
    [problem] = problems_of(tmp_path)
    assert problem.line is not None and problem.line >= 2
    assert "invalid YAML" in problem.message


def test_missing_site_yml_says_how_to_start(tmp_path):
    [problem] = problems_of(tmp_path)
    assert "sitegen init" in problem.hint


def test_size_limit_accepts_human_units(tmp_path):
    write(tmp_path / "site.yml", "max_file_size: 2 MB\n")
    assert load_config(tmp_path).max_file_size == 2 * 1024 * 1024


def test_a_missing_theme_is_reported_when_site_yml_loads_with_its_line(tmp_path):
    write(tmp_path / "site.yml", "title: T\ntheme: nowhere\n")
    [problem] = problems_of(tmp_path)
    assert (problem.path, problem.line) == ("site.yml", 2) and "theme `nowhere` not found" in problem.message
    (tmp_path / "themes" / "nowhere").mkdir(parents=True)
    assert load_config(tmp_path).theme == "nowhere"


def test_every_option_is_one_declaration_whose_example_is_valid(tmp_path):
    """Default, checker and example live together on SiteConfig's fields; each example passes its checker."""
    names = [f.name for f in dataclasses.fields(SiteConfig) if f.name != "root"]
    assert [FIELD_OF.get(name, name) for name in OPTIONS] == names
    for name, option in OPTIONS.items():
        write(tmp_path / "site.yml", option.example + "\n")
        (tmp_path / "themes" / "default").mkdir(parents=True, exist_ok=True)
        assert getattr(load_config(tmp_path), FIELD_OF.get(name, name)) is not None, name
        with pytest.raises(ValueError):
            option.check(object())
