"""Front matter: every problem in every file, each with the file's own line number."""

from __future__ import annotations

from datetime import datetime

import pytest

from sitegen.config import load_config
from sitegen.content import dump_front_matter, parse_briefing, slugify
from sitegen.errors import SiteError
from sitegen.load import load_briefings

from .helpers import briefing, write


def load(site):
    return sorted(load_briefings(load_config(site)).briefings, key=lambda b: b.rel)


def errors_of(site):
    with pytest.raises(SiteError) as caught:
        load(site)
    return caught.value.problems


def test_fields_are_read_and_unknown_keys_kept_as_meta(site):
    write(site / "content/briefings/a.md", briefing(
        "Talks resume", author="Nawal Sayed", tags="Syria", region="Levant", body="First para.\n\nSecond."))
    [item] = load(site)
    assert item.title == "Talks resume" and item.author == "Nawal Sayed"
    assert item.tags == ("Syria",)
    assert item.meta == {"region": "Levant"}
    assert item.slug == "talks-resume"
    assert item.url == "/briefings/2024/05/talks-resume/"


def test_naive_dates_are_read_in_the_site_timezone(site):
    write(site / "content/briefings/a.md", briefing("A", date="2020-03-14T14:53:00"))
    write(site / "content/briefings/b.md", briefing("B", date="2020-03-14"))
    a, b = load(site)
    assert a.date.isoformat() == "2020-03-14T14:53:00+02:00"
    assert b.date.isoformat() == "2020-03-14T00:00:00+02:00"


def test_dates_with_offset_are_kept_as_the_same_instant(site):
    write(site / "content/briefings/a.md", briefing("A", date="2020-03-14T23:30:00+00:00"))
    [a] = load(site)
    assert a.date == datetime.fromisoformat("2020-03-14T23:30:00+00:00")
    assert a.url.startswith("/briefings/2020/03/")  # 01:30 on the 15th in Cairo is still March


def test_problems_in_two_files_are_all_reported_with_file_lines(site):
    write(site / "content/briefings/one.md", "---\ntitle: One\ndate: 2024-13-45\n---\nBody\n")
    write(site / "content/briefings/two.md", "---\ntitle: Two\ndate: 2024-05-01\ntags: {a: 1}\ndraft: maybe\n---\n")
    problems = errors_of(site)
    located = [(p.path, p.line) for p in problems]
    assert located == [("content/briefings/one.md", 3), ("content/briefings/two.md", 4),
                       ("content/briefings/two.md", 5)]
    assert all(p.hint for p in problems)


def test_malformed_yaml_reports_the_line_in_the_file(site):
    write(site / "content/briefings/bad.md", "---\ntitle: Fine\nauthor: [unclosed\nsummary: x\n---\nBody\n")
    [problem] = errors_of(site)
    assert problem.path == "content/briefings/bad.md"
    assert problem.line in (3, 4, 5)
    assert "YAML" in problem.message


def test_missing_title_and_date(site):
    write(site / "content/briefings/a.md", "---\nauthor: X\n---\nBody\n")
    messages = [p.message for p in errors_of(site)]
    assert "missing `title`" in messages and "missing `date`" in messages


def test_no_front_matter_and_unclosed_front_matter(site):
    write(site / "content/briefings/a.md", "Just text\n")
    write(site / "content/briefings/b.md", "---\ntitle: B\n")
    problems = errors_of(site)
    assert [p.message for p in problems] == ["no front matter", "front matter is not closed"]


def test_not_utf8_is_an_error_naming_the_line(site):
    path = site / "content/briefings/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"---\ntitle: Caf\xe9\ndate: 2024-01-01\n---\n")
    [problem] = errors_of(site)
    assert problem.line == 2 and "UTF-8" in problem.message


def test_bom_and_crlf_are_accepted(site):
    path = site / "content/briefings/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff---\r\ntitle: A\r\ndate: 2024-01-01\r\n---\r\nBody\r\n".encode())
    [item] = load(site)
    assert item.title == "A" and item.html.strip() == "<p>Body</p>"  # the body as read, rendered


def test_oversized_file_is_refused(site):
    write(site / "site.yml", "max_file_size: 1 KB\n")
    write(site / "content/briefings/a.md", briefing("A", body="x" * 2000))
    [problem] = errors_of(site)
    assert "limit" in problem.message


def test_hidden_and_editor_temp_files_are_ignored(site):
    write(site / "content/briefings/.#a.md", "junk")
    write(site / "content/.drafts/b.md", "junk")
    write(site / "content/briefings/c.md~", "junk")
    assert load(site) == []


def test_pages_folder_holds_standalone_pages_without_dates(site):
    write(site / "content/pages/about.md", "---\ntitle: About us\n---\nWho we are.\n")
    [page] = load(site)
    assert page.kind == "page" and page.url == "/about-us/"


def test_slugify_keeps_non_latin_letters_and_drops_accents():
    assert slugify("Café société: 2020!") == "cafe-societe-2020"
    assert slugify("مفاوضات إدلب") == "مفاوضات-إدلب"
    assert slugify("!!!") == ""


def test_dumped_front_matter_loads_back_identically(site):
    config = load_config(site)
    moment = datetime.fromisoformat("2020-03-14T14:53:00+02:00")
    data = {"title": "Quote: \"it's\" #1 - yes", "date": moment, "author": "@someone", "tags": ["a", "b: c"]}
    text = dump_front_matter(data, "Body")
    item = parse_briefing(site / "content/x.md", text, config)
    assert (item.title, item.date, item.author, item.tags) == (data["title"], moment, "@someone", ("a", "b: c"))
