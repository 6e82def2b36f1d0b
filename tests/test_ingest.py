"""``sitegen import``: raw articles in seeds/ become briefings, safely and faithfully."""

from __future__ import annotations

import html.parser
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import MarkdownOptions, load_config
from sitegen.content import Briefing, parse_briefing, split_front_matter
from sitegen.files import write_atomically
from sitegen.importers import ImportOptions, ImportReport, import_articles
from sitegen.importers.datelines import parse_dateline
from sitegen.importers.tags import TagPicker, load_names
from sitegen.importers.writer import escape_markdown, markdown_body
from sitegen.markdown import make_parser

from .helpers import CORPUS, REPO, briefing, run_sitegen, run_sitegen_on_terminal, write

SEED = REPO / "seeds" / "000_66980ba76a757afa.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "import"
CAIRO_MARCH = "+02:00"

ARTICLE = """\
Supervisor Elham AbolFateh
Editor in Chief Mohamed Wadie

{title}

{dateline}
Nawal Sayed

Turkish and Russian officials met in Ankara on Friday.

The talks on Idlib went on into the night.
"""


def raw(site: Path, name: str, content: str | bytes) -> Path:
    """A raw article in the site's seeds/ folder."""
    path = site / "seeds" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def article(title: str = "Talks on Idlib resume", dateline: str = "Sat 14 Mar 2020 | 02:53 PM") -> str:
    return ARTICLE.format(title=title, dateline=dateline)


def run_import(site: Path, *paths: Path, **options: object) -> ImportReport:
    return import_articles(load_config(site), list(paths), ImportOptions(**options))


def imported(site: Path) -> list[Path]:
    return sorted((site / "content" / "briefings").rglob("*.md"))


def parsed(site: Path) -> list[Briefing]:
    """The imported briefings, read back the way the build reads them."""
    config = load_config(site)
    return [parse_briefing(path, path.read_text(encoding="utf-8"), config) for path in imported(site)]


def front_matter(path: Path) -> dict:
    front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return yaml.safe_load(front)


def body_of(path: Path) -> str:
    return split_front_matter(path.read_text(encoding="utf-8"), path.name)[1].strip()


def snapshot(site: Path) -> dict[Path, tuple[bytes, int]]:
    return {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (site / "content").rglob("*")
            if path.is_file()}


# --- the seed -----------------------------------------------------------------------------------------------


def test_seed_imports_with_the_exact_fields(tmp_path):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    shutil.copy(SEED, site / "seeds" / SEED.name)
    shutil.copy(REPO / "site.yml", site / "site.yml")

    result = run_sitegen("import", "--site", site)

    assert result.returncode == 0, result.stderr
    [path] = imported(site)
    assert path.relative_to(site).as_posix() == \
        "content/briefings/2020/03/russia-turkey-military-negotiations-on-idlib-revealed.md"
    item = parse_briefing(path, path.read_text(encoding="utf-8"), load_config(site))
    assert item.title == "Russia-Turkey Military Negotiations on Idlib Revealed"
    assert item.date.isoformat() == "2020-03-14T14:53:00" + CAIRO_MARCH
    assert (item.author, item.editor, item.supervisor) == ("Nawal Sayed", "Mohamed Wadie", "Elham AbolFateh")
    assert {"Russia", "Turkey", "Syria", "Idlib"} <= set(item.tags)
    assert len(item.tags) <= 6
    assert item.summary.startswith("The Russian Ministry of Defense considered")
    assert item.slug == "russia-turkey-military-negotiations-on-idlib-revealed"
    assert item.source["path"] == "seeds/000_66980ba76a757afa.txt"
    assert len(item.source["sha256"]) == 64
    assert "imported seeds/000_66980ba76a757afa.txt" in result.stdout
    assert "1 imported" in result.stdout


def test_sample_content_holds_the_seeds_as_sitegen_import_writes_them(tmp_path):
    """The sample site's content/ is exactly what importing its seeds/ writes (the seed and the Wikinews
    articles), so a fresh clone's `make serve` imports nothing new and builds at once."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "seeds", site / "seeds")
    shutil.copy(REPO / "site.yml", site / "site.yml")
    run_import(site)
    written = {path.relative_to(site): path.read_bytes() for path in imported(site)}
    committed = {path.relative_to(REPO): path.read_bytes() for path in imported(REPO)}
    assert len(written) == len(list((site / "seeds").rglob("*.txt")))
    assert sorted(committed) == sorted(written), "re-run `sitegen import` and commit content/"
    changed = [str(path) for path, data in written.items() if committed[path] != data]
    assert changed == [], "re-run `sitegen import --force` and commit content/"


def test_front_matter_loads_back_with_identical_values(site):
    title = 'Breaking: "Yes" — #1 in 2020 [update] & more: null'
    raw(site, "a.txt", "Managing Editor Jane O'Brien\n\n" + title + "\n\n2020-03-14 09:05\nBy Ahmed al-Masri\n\n"
        "- no: a list?\n\nروسيا وتركيا تتفاوضان حول إدلب.\n")
    report = run_import(site, tags=("yes", "2020", "Syria: north"))
    assert report.ok, report.problems
    [path] = imported(site)
    item = parse_briefing(path, path.read_text(encoding="utf-8"), load_config(site))
    assert item.title == title
    assert item.author == "Ahmed al-Masri"
    assert item.date.isoformat() == "2020-03-14T09:05:00" + CAIRO_MARCH
    assert item.meta["masthead"] == {"Managing Editor": "Jane O'Brien"}
    assert item.summary == "- no: a list?"
    assert item.tags == ("yes", "2020", "Syria: north")


# --- masthead format ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dateline", "expected"), [
    ("Sat 14 Mar 2020 | 02:53 PM", "2020-03-14T14:53:00"),
    ("Saturday 14 March 2020 | 14:53", "2020-03-14T14:53:00"),
    ("Sat, 14 Mar 2020, 12:05 a.m.", "2020-03-14T00:05:00"),
    ("14 March 2020", "2020-03-14T00:00:00"),
    ("Sat 14 Mar 2020", "2020-03-14T00:00:00"),
    ("March 14, 2020 2:53 pm", "2020-03-14T14:53:00"),
    ("Saturday, March 14, 2020 at 09:30", "2020-03-14T09:30:00"),
    ("14th Mar 2020 | 12:00 PM", "2020-03-14T12:00:00"),
    ("2020-03-14 14:53", "2020-03-14T14:53:00"),
])
def test_dateline_variants(dateline, expected):
    reading = parse_dateline(dateline, ZoneInfo("Africa/Cairo"))
    assert reading.moment.isoformat() == expected + CAIRO_MARCH
    assert not reading.weekday_mismatch and not reading.ambiguous


def test_dateline_with_the_wrong_day_name_imports_with_a_warning(site):
    raw(site, "a.txt", article(dateline="Fri 14 Mar 2020 | 02:53 PM"))
    report = run_import(site)
    assert report.ok and len(report.imported) == 1
    [warning] = report.problems
    assert (warning.path, warning.line, warning.severity) == ("seeds/a.txt", 6, "warning")
    assert "Saturday" in warning.message


def test_author_line_is_optional(site):
    raw(site, "a.txt", "Talks resume\n\nSat 14 Mar 2020\nThe talks on Idlib resumed in Ankara on Saturday.\n\nMore.\n")
    run_import(site)
    [path] = imported(site)
    assert "author" not in front_matter(path)
    assert body_of(path).startswith("The talks on Idlib resumed")


def test_masthead_roles_are_kept(site):
    raw(site, "a.txt", "Supervisor Elham AbolFateh\nEditor in Chief Mohamed Wadie\nManaging Editor Sara Kamal\n\n"
        "Talks resume\n\nSat 14 Mar 2020 | 02:53 PM\n\nThe talks resumed.\n")
    run_import(site)
    [path] = imported(site)
    fields = front_matter(path)
    assert (fields["supervisor"], fields["editor"]) == ("Elham AbolFateh", "Mohamed Wadie")
    assert fields["masthead"] == {"Managing Editor": "Sara Kamal"}


# --- plain format and options ----------------------------------------------------------------------------------


def test_plain_article_takes_date_author_and_tags_from_the_options(site):
    raw(site, "wire/a.txt", "Oil prices rise\n\nOil prices rose on Monday.\n")
    report = run_import(site, format="plain", author="Desk staff", date=datetime(2005, 3, 1, 9, 30),
                        tags=("Energy",), tag_from_folder=True)
    assert report.ok
    [path] = imported(site)
    fields = front_matter(path)
    assert path.relative_to(site).as_posix() == "content/briefings/2005/03/oil-prices-rise.md"
    assert fields["date"].isoformat() == "2005-03-01T09:30:00+02:00"
    assert fields["authors"] == ["Desk staff"]
    assert fields["tags"][:2] == ["Energy", "Wire"]


def test_plain_article_without_a_date_is_refused_and_never_takes_the_files_mtime(site):
    path = raw(site, "a.txt", "Oil prices rise\n\nOil prices rose on Monday.\n")
    os.utime(path, (1_100_000_000, 1_100_000_000))  # 2004-11-09
    report = run_import(site)
    [problem] = report.skipped
    assert (problem.path, problem.line) == ("seeds/a.txt", 3)
    assert "no dateline under the title: found 'Oil prices rose on Monday.'" in problem.message
    assert "--date" in problem.hint
    assert imported(site) == []


def test_plain_article_keeps_its_first_date_when_it_changes(site):
    path = raw(site, "a.txt", "Oil prices rise\n\nOil prices rose on Monday.\n")
    run_import(site, date=datetime(2004, 11, 9))
    [first] = imported(site)
    assert first.relative_to(site).as_posix() == "content/briefings/2004/11/oil-prices-rise.md"
    path.write_text("Oil prices rise\n\nOil prices rose sharply on Monday.\n", encoding="utf-8")
    report = run_import(site)
    assert len(report.updated) == 1
    assert imported(site) == [first]
    assert "sharply" in body_of(first)


def test_format_option_overrides_detection(site):
    raw(site, "a.txt", article())
    run_import(site, format="plain", date=datetime(2020, 1, 1))
    [path] = imported(site)
    assert front_matter(path)["title"] == "Supervisor Elham AbolFateh"


# --- bad input ---------------------------------------------------------------------------------------------------

BAD_FILES = [
    ("empty.txt", b"", None, "file is empty"),
    ("blank.txt", b"\xef\xbb\xbf \n\n\t\n", None, "file is empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", None, "not a text file"),
    ("controls.txt", bytes(range(1, 32)) * 4, None, "not a text file"),
    ("long-title.txt", b"x" * 300 + b"\n\nBody.\n", 1, "no recognisable title"),
    ("punctuation.txt", b"\n\n* * *\n\nBody.\n", 3, "no recognisable title"),
    ("title-only.txt", b"Just a title\n", 2, "no dateline under the title: the file ends"),
    ("bad-day.txt", article(dateline="Sat 32 Mar 2020 | 02:53 PM").encode(), 6, "cannot read the dateline"),
    ("bad-hour.txt", article(dateline="Sat 14 Mar 2020 | 13:53 PM").encode(), 6, "12-hour clock"),
    ("bad-month.txt", article(dateline="Sat 14 Marz 2020 | 02:53 PM").encode(), 6, "'Marz' is not a month"),
    ("no-dateline.txt", article(dateline="").encode(), 7, "no dateline under the title: found 'Nawal Sayed'"),
    ("masthead-only.txt", b"Supervisor Elham AbolFateh\n\n", 3, "no title"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_reported_with_its_line_and_skipped_while_the_rest_import(site, name, content, line, message):
    raw(site, "good.txt", article())
    raw(site, name, content)
    report = run_import(site)
    [problem] = report.skipped
    assert (problem.path, problem.line) == (f"seeds/{name}", line)
    assert message in problem.message
    assert problem.hint
    assert [change.source for change in report.imported] == ["seeds/good.txt"]
    assert not report.ok


def test_cli_reports_every_bad_file_imports_the_rest_and_exits_1(site):
    raw(site, "a-good.txt", article())
    raw(site, "b-empty.txt", b"")
    raw(site, "c-bad-date.txt", article(dateline="Sat 32 Mar 2020 | 02:53 PM"))
    result = run_sitegen("import", "--site", site)
    assert result.returncode == 1
    assert "seeds/b-empty.txt: file is empty" in result.stderr
    assert "seeds/c-bad-date.txt:6: cannot read the dateline" in result.stderr
    assert "Traceback" not in result.stderr
    assert "1 imported" in result.stdout and "2 skipped" in result.stdout
    assert len(imported(site)) == 1


def test_a_progress_bar_shows_on_a_terminal_only(site):
    for number in range(60):
        raw(site, f"{number:02}.txt", f"Briefing number {number}\n\nText of briefing {number}.\n")
    returncode, shown = run_sitegen_on_terminal("import", "--site", site, "--date", "2020-01-01")
    assert returncode == 0
    assert b"Importing [" in shown and b"60/60" in shown
    piped = run_sitegen("import", "--site", site, "--force", "--date", "2020-01-01")
    assert "Importing [" not in piped.stderr


def test_usage_errors_exit_2(site):
    result = run_sitegen("import", "--site", site, "--date", "14/03/2020")
    assert result.returncode == 2
    assert "not a date" in result.stderr
    assert run_sitegen("import", "--site", site, "--format", "docx").returncode == 2


def test_missing_path_is_reported(site):
    report = run_import(site, site / "nowhere.txt")
    [problem] = report.skipped
    assert "no such file or folder" in problem.message


@pytest.mark.parametrize(("name", "encode"), [
    ("bom.txt", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8")),
    ("crlf.txt", lambda text: text.replace("\n", "\r\n").encode("utf-8")),
    ("cr.txt", lambda text: text.replace("\n", "\r").encode("utf-8")),
    ("utf16.txt", lambda text: text.encode("utf-16")),
])
def test_encodings_and_line_ends_read_the_same(site, name, encode):
    raw(site, name, encode(article(title="Talks on Idlib — «resume»")))
    report = run_import(site)
    assert report.ok and not report.problems
    [path] = imported(site)
    fields = front_matter(path)
    assert fields["title"] == "Talks on Idlib — «resume»"
    assert fields["authors"] == ["Nawal Sayed"]
    assert "\r" not in path.read_text(encoding="utf-8")


def test_windows_1252_file_imports_with_a_warning_naming_it(site):
    raw(site, "old.txt", "Price rises\n\nIt costs \u00a35 \u2013 \u201cfor now\u201d.\n".encode("cp1252"))
    report = run_import(site, date=datetime(2005, 1, 1))
    assert report.ok
    [warning] = report.problems
    assert (warning.path, warning.line, warning.severity) == ("seeds/old.txt", 3, "warning")
    assert "Windows-1252" in warning.message
    [path] = imported(site)
    assert body_of(path) == "It costs \u00a35 \u2013 \u201cfor now\u201d."


# --- importing again -----------------------------------------------------------------------------------------------


def test_reimporting_an_unchanged_file_is_a_byte_identical_no_op(site):
    raw(site, "a.txt", article())
    run_import(site)
    before = snapshot(site)
    result = run_sitegen("import", "--site", site)
    assert result.returncode == 0
    assert "0 imported, 0 updated, 1 unchanged" in result.stdout
    assert snapshot(site) == before


def test_changed_raw_file_refreshes_a_briefing_nobody_edited(site):
    path = raw(site, "a.txt", article())
    run_import(site)
    path.write_text(article().replace("into the night", "until dawn"), encoding="utf-8")
    report = run_import(site)
    assert [c.source for c in report.updated] == ["seeds/a.txt"]
    [briefing_path] = imported(site)
    assert "until dawn" in body_of(briefing_path)


def test_an_authors_edit_survives_and_a_changed_raw_file_is_a_conflict(site):
    path = raw(site, "a.txt", article())
    run_import(site)
    [briefing_path] = imported(site)
    edited = briefing_path.read_text(encoding="utf-8").replace("into the night", "into the night (updated)")
    briefing_path.write_text(edited, encoding="utf-8")

    assert len(run_import(site).unchanged) == 1  # same raw file: nothing to do
    assert briefing_path.read_text(encoding="utf-8") == edited

    path.write_text(article().replace("into the night", "until dawn"), encoding="utf-8")
    result = run_sitegen("import", "--site", site)
    assert result.returncode == 1
    assert "1 in conflict" in result.stdout
    assert "content/briefings/2020/03/talks-on-idlib-resume.md: edited since it was imported" in result.stderr
    assert "--force" in result.stderr
    assert briefing_path.read_text(encoding="utf-8") == edited


def test_force_leaves_an_edited_briefing_alone(site):
    path = raw(site, "a.txt", article())
    run_import(site)
    [briefing_path] = imported(site)
    edited = briefing_path.read_text(encoding="utf-8").replace("Talks on Idlib resume", "Idlib talks, my title") + "\nMy note.\n"
    briefing_path.write_text(edited, encoding="utf-8")
    path.write_text(article().replace("into the night", "until dawn"), encoding="utf-8")
    report = run_import(site, force=True)
    [conflict] = report.conflicts
    assert "--overwrite-edited" in conflict.hint
    assert briefing_path.read_text(encoding="utf-8") == edited
    assert not report.updated


def test_overwrite_edited_replaces_an_edited_briefing_after_backing_it_up(site):
    path = raw(site, "a.txt", article())
    run_import(site)
    [briefing_path] = imported(site)
    edited = briefing_path.read_text(encoding="utf-8") + "\nMy note.\n"
    briefing_path.write_text(edited, encoding="utf-8")
    path.write_text(article().replace("into the night", "until dawn"), encoding="utf-8")
    result = run_sitegen("import", "--site", site, "--force", "--overwrite-edited")
    assert result.returncode == 0, result.stderr
    assert "My note." not in briefing_path.read_text(encoding="utf-8")
    assert "until dawn" in body_of(briefing_path)
    [backup] = (site / "backups" / "import").rglob("*.md")
    assert backup.read_text(encoding="utf-8") == edited
    assert "1 edited briefings backed up under backups/import/" in result.stdout


def test_force_refreshes_an_untouched_briefing(site):
    path = raw(site, "a.txt", article())
    run_import(site)
    [briefing_path] = imported(site)
    path.write_text(article().replace("into the night", "until dawn"), encoding="utf-8")
    report = run_import(site, force=True)
    assert len(report.updated) == 1 and report.ok
    assert "until dawn" in body_of(briefing_path)
    assert not (site / "backups").exists()


def test_a_new_title_moves_the_briefing_and_removes_the_old_file(site):
    path = raw(site, "a.txt", article())
    run_import(site)
    path.write_text(article(title="Talks on Idlib end"), encoding="utf-8")
    run_import(site)
    assert [p.name for p in imported(site)] == ["talks-on-idlib-end.md"]


def test_two_articles_with_the_same_slug_both_survive(site):
    raw(site, "a.txt", article())
    raw(site, "b.txt", article().replace("into the night", "for an hour"))
    report = run_import(site)
    assert sorted(c.target.rsplit("/", 1)[1] for c in report.imported) == \
        ["talks-on-idlib-resume-2.md", "talks-on-idlib-resume.md"]
    assert len({item.url for item in parsed(site)}) == 2
    assert len(run_import(site).unchanged) == 2


def test_a_hand_written_briefing_is_never_overwritten(site):
    mine = write(site / "content/briefings/2020/03/talks-on-idlib-resume.md",
                 briefing("Talks on Idlib resume", date="2020-03-14T10:00:00+02:00", body="My own text."))
    elsewhere = write(site / "content/briefings/other.md",
                      briefing("Other", date="2020-03-01T10:00:00+02:00", slug="talks-on-idlib-resume-2"))
    original = mine.read_bytes(), elsewhere.read_bytes()
    raw(site, "a.txt", article())
    for options in ({}, {"force": True}):
        report = run_import(site, **options)
        assert report.ok
        assert (mine.read_bytes(), elsewhere.read_bytes()) == original
    assert [c.target for c in report.unchanged] == ["content/briefings/2020/03/talks-on-idlib-resume-3.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "a.md"
    target.write_text("old", encoding="utf-8")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_write_that_fails_during_an_import_is_reported_not_counted(site, monkeypatch):
    raw(site, "a.txt", article())

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    report = run_import(site)
    assert report.imported == [] and not report.ok
    [problem] = report.skipped
    assert (problem.path, problem.message) == ("seeds/a.txt", "cannot read or write: No space left on device")
    assert not [p for p in (site / "content").rglob("*") if p.is_file()]


# --- tags ------------------------------------------------------------------------------------------------------------


def test_topic_words_match_whole_words_and_respect_capitals():
    picker = TagPicker({"Turkey": ["Turkey"], "Energy": ["oil"]}, 6)
    assert picker.pick("Prices rise", ["A turkey costs more. Oil and OIL prices rose; oily rags."]) == ["Energy"]
    assert picker.pick("Turkey votes", ["Voters in Turkey went to the polls."]) == ["Turkey"]


def test_key_terms_keep_whole_names_fold_demonyms_and_skip_sentence_initial_words():
    text = ["Turkish Defense Minister Hulusi Akar met Syrian officials. Akar said the Syrian army pulled back.",
            "However, fighters of Tahrir al-Sham stayed. Tahrir al-Sham is known as HTS.",
            "Meanwhile the talks went on."]
    tags = TagPicker({}, 10).pick("Akar meets Syrian envoy", text)
    assert tags[:2] == ["Hulusi Akar", "Syria"]
    assert "Tahrir al-Sham" in tags and "Turkey" not in tags  # Turkey is mentioned once, not in the title
    assert not {"However", "Meanwhile", "Syrian", "Akar", "Defense", "Minister"} & set(tags)


def test_explicit_tags_come_first_and_max_tags_caps_the_rest():
    text = ["Russia, Turkey, Syria, Iran, Iraq and Egypt met. Russia, Turkey, Syria, Iran, Iraq and Egypt agreed."]
    tags = TagPicker({}, 3).pick("Six countries meet", text, explicit=["Diplomacy"])
    assert tags == ["Diplomacy", "Russia", "Turkey"]


def test_alias_table_ships_as_package_data():
    names = load_names()
    assert names.aliases["Syrian"] == "Syria" and names.aliases["US"] == "United States"
    assert "the" in names.never


# --- faithful text ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "markdown"), [
    ("# hashtag", r"\# hashtag"),
    ("1. first", r"1\. first"),
    ("2005) a year", r"2005\) a year"),
    ("> arrow", r"\> arrow"),
    ("- dash", r"\- dash"),
    ("*stars* and _under_", r"\*stars\* and \_under\_"),
    ("[link](x) <b> a|b `c` ~~d~~", r"\[link\](x) \<b> a\|b \`c\` \~\~d\~\~"),
    ("trailing \\", "trailing \\\\"),
    ("AT&T &amp; &#169;", r"AT&T \&amp; \&#169;"),
    ("“Quotes” — dashes and روسيا", "“Quotes” — dashes and روسيا"),
])
def test_markdown_escaping_examples(text, markdown):
    assert escape_markdown(text) == markdown


class _VisibleText(html.parser.HTMLParser):
    """The words a reader sees: text content, entities decoded, tags dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(markup: str) -> str:
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return normalise("".join(parser.parts))


def normalise(text: str) -> str:
    return " ".join(text.split())


_RENDERER = make_parser(MarkdownOptions())
_CHARS = st.one_of(st.sampled_from(list("*_`[]()<>|\\#!-+=.:~&;1 \t0aé")),
                   st.characters(exclude_categories=("Cs", "Cc")))
_LINES = st.lists(st.text(_CHARS, min_size=1, max_size=40).filter(str.strip), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(_LINES)
def test_escaped_markdown_renders_to_the_source_text(lines):
    rendered = _RENDERER.render(markdown_body([lines]))
    assert visible(rendered) == normalise(" ".join(lines))


_VOID = {"br", "hr", "img", "wbr", "input", "meta", "link"}


class _Body(html.parser.HTMLParser):
    """The title and the paragraphs of a built briefing page's body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.paragraphs: list[str] = []
        self._depth = 0  # inside <div class="body">: how many open tags deep
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth and tag not in _VOID:
            self._depth += 1
            if tag == "p":
                self.paragraphs.append("")
        elif tag == "div" and "body" in (dict(attrs).get("class") or "").split():
            self._depth = 1
        self._in_title = tag == "h1" and not self.title

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag not in _VOID:
            self._depth -= 1
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self._depth and self.paragraphs:
            self.paragraphs[-1] += data


def page_text(page: Path) -> tuple[str, list[str]]:
    parser = _Body()
    parser.feed(page.read_text(encoding="utf-8"))
    return normalise(parser.title), [normalise(p) for p in parser.paragraphs]


def plain_source(path: Path) -> tuple[str, list[str]]:
    """Title and paragraphs of a plain raw file, read independently of the importer."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    text = html.unescape(text)  # entities such as &#163; are decoded on import (any in the corpus are complete)
    blocks = [normalise(block) for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return blocks[0], blocks[1:]


def built_page(site: Path, item: Briefing) -> Path:
    return site / "public" / item.url.strip("/") / "index.html"


def test_markdown_significant_text_builds_to_exactly_the_source_words(site):
    source = FIXTURES / "markdown-significant.txt"
    assert run_sitegen("import", source, "--site", site, "--date", "2020-03-14").returncode == 0
    build = run_sitegen("build", "--no-search", "--site", site)
    assert build.returncode == 0, build.stderr
    [item] = parsed(site)
    assert page_text(built_page(site, item)) == plain_source(source)


@pytest.mark.slow
def test_the_whole_corpus_and_the_seed_import_and_build_with_every_paragraph_intact(tmp_path):
    corpus = CORPUS / "bbc"
    if not corpus.is_dir():
        pytest.skip(f"shared corpus not found at {corpus}; set SITEGEN_CORPUS to the folder holding bbc/")
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    shutil.copy(SEED, site / "seeds" / SEED.name)
    write(site / "site.yml", "timezone: Africa/Cairo\n")

    seed_import = run_sitegen("import", "--site", site)
    corpus_import = run_sitegen("import", corpus, "--tag-from-folder", "--date", "2005-01-01", "--site", site)
    assert seed_import.returncode == 0, seed_import.stderr
    assert corpus_import.returncode == 0, corpus_import.stderr
    assert "2225 imported" in corpus_import.stdout
    assert "sport/199.txt:5: not valid UTF-8" in corpus_import.stderr
    build = run_sitegen("build", "--no-search", "--site", site, timeout=300)
    assert build.returncode == 0, build.stderr

    items = parsed(site)
    assert len(items) == 2226
    seed_item = next(item for item in items if item.source["path"] == "seeds/000_66980ba76a757afa.txt")
    mismatches = []
    for item in items:
        if item is seed_item:
            continue
        raw_path = site / item.source["path"]
        if page_text(built_page(site, item)) != plain_source(raw_path):
            mismatches.append(item.source["path"])
        elif item.source["path"].split("/")[-2].capitalize() not in item.tags:  # capitalised like other topics
            mismatches.append(f"{item.source['path']}: no folder tag")
    assert mismatches == []
    blocks = [block for block in re.split(r"\n\s*\n", SEED.read_text(encoding="utf-8")) if block.strip()]
    expected = [normalise(block) for block in blocks[3:]]  # after masthead, title, dateline and author
    assert page_text(built_page(site, seed_item)) == (seed_item.title, expected)
