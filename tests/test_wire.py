"""A newsroom's wire in English, French and Arabic (issue 11): mastheads, datelines, bylines, language.

Every dateline and byline form the importer promises is imported here through the
real ``sitegen import`` path (files in seeds/, front matter read back), and the
dateline and byline parsers are fuzzed: any text gives a date or a clear refusal.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.content import split_front_matter
from sitegen.importers import ImportOptions, ImportReport, import_articles
from sitegen.importers.bylines import parse_byline
from sitegen.importers.datelines import DatelineError, parse_dateline

from .helpers import run_sitegen, write

WIRE = Path(__file__).parent / "fixtures" / "wire"
CAIRO = ZoneInfo("Africa/Cairo")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write(tmp_path / "site.yml", "title: Wire desk\ntimezone: Africa/Cairo\nlanguage: en\n")
    return tmp_path


def run_import(site: Path, *paths: Path, **options: object) -> ImportReport:
    return import_articles(load_config(site), list(paths), ImportOptions(**options))


def fields(site: Path) -> list[dict]:
    found = []
    for path in sorted((site / "content").rglob("*.md")):
        front, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        found.append({**yaml.safe_load(front), "_body": body.strip(), "_path": path})
    return found


def seed(site: Path, name: str, text: str) -> Path:
    path = site / "seeds" / name
    write(path, text)
    return path


# --- the three mastheads -------------------------------------------------------------------------------------


def import_fixture(site: Path, name: str) -> dict:
    """One wire fixture imported from seeds/, as `make build` would; its front matter (and body, path)."""
    (site / "seeds").mkdir(exist_ok=True)
    shutil.copy(WIRE / name, site / "seeds" / name)
    report = run_import(site)
    assert report.ok, report.problems
    [item] = fields(site)
    return item


MASTHEADS = [
    ("en-masthead.txt", "Cairo Metro Line Three Opens Its Final Stretch to Passengers", "2026-11-12T09:15:00+02:00",
     ("Elham AbolFateh", "Mohamed Wadie"), ["Kori Schulman", "Christian Wolmar"], None, "The last section of Cairo Metro"),
    ("fr-masthead.txt", "Le Parlement adopte la réforme des retraites après un long débat", "2020-03-14T14:53:00+02:00",
     ("Élise Martin", "Jean Dupont"), ["Claire Moreau", "Julien Petit"], "fr", "Les députés ont adopté"),
    ("ar-masthead.txt", "مفاوضات عسكرية روسية تركية حول إدلب", "2020-03-14T14:53:00+02:00",
     ("إلهام أبو الفتوح", "محمد وديع"), ["نوال سيد"], "ar", "اعتبرت وزارة الدفاع"),
]


@pytest.mark.parametrize(("name", "title", "date", "masthead", "authors", "lang", "summary"), MASTHEADS,
                         ids=[case[0] for case in MASTHEADS])
def test_each_masthead_is_read_not_published_as_the_title(site, name, title, date, masthead, authors, lang, summary):
    item = import_fixture(site, name)
    assert item["title"] == title and item["date"].isoformat() == date
    assert (item["supervisor"], item["editor"]) == masthead
    assert item["authors"] == authors
    assert item.get("lang") == lang
    assert item["summary"].startswith(summary)


def test_an_arabic_title_gives_an_arabic_file_name(site):
    assert import_fixture(site, "ar-masthead.txt")["_path"].name == "مفاوضات-عسكرية-روسية-تركية-حول-إدلب.md"


def test_site_roles_extend_the_masthead_labels(site):
    write(site / "site.yml", "timezone: Africa/Cairo\nimport:\n  roles:\n    editor: [Chefredakteurin]\n"
          "    publisher: [Herausgeber]\n")
    seed(site, "de.txt", "Herausgeber Anna Schmidt\nChefredakteurin Lena Vogel\n\nTitel der Meldung\n\n"
         "14.03.2020 14:53\n\nDer Text der Meldung.\n")
    report = run_import(site)
    assert report.ok, report.problems
    [item] = fields(site)
    assert item["editor"] == "Lena Vogel" and item["masthead"] == {"Herausgeber": "Anna Schmidt"}
    assert item["title"] == "Titel der Meldung"


def test_a_masthead_opened_by_an_unknown_role_is_refused_naming_the_role(site):
    write(site / "site.yml", "timezone: Africa/Cairo\nimport:\n  roles:\n    editor: [Chefredakteurin]\n")
    seed(site, "de.txt", "Herausgeber Anna Schmidt\nChefredakteurin Lena Vogel\n\nTitel der Meldung\n\n"
         "14.03.2020 14:53\n\nDer Text der Meldung.\n")
    report = run_import(site)
    [problem] = report.problems
    assert (problem.path, problem.line) == ("seeds/de.txt", 1)
    assert "'Herausgeber Anna Schmidt' opens a masthead" in problem.message and "roles" in problem.hint
    assert fields(site) == []


# --- one import per dateline form -------------------------------------------------------------------------------

DATELINES = [
    ("Sat 14 Mar 2020 | 02:53 PM", "2020-03-14T14:53:00+02:00"),
    ("2020-03-14T14:53:00+01:00", "2020-03-14T14:53:00+01:00"),
    ("2020-03-14 14:53", "2020-03-14T14:53:00+02:00"),
    ("2020-03-14T14:53:07", "2020-03-14T14:53:07+02:00"),
    ("2020-03-14 14:53+0100", "2020-03-14T14:53:00+01:00"),
    ("2020-03-14", "2020-03-14T00:00:00+02:00"),
    ("14/03/2020 14:53", "2020-03-14T14:53:00+02:00"),
    ("14.03.2020", "2020-03-14T00:00:00+02:00"),
    ("14-03-2020 - 14:53", "2020-03-14T14:53:00+02:00"),
    ("03/14/2020", "2020-03-14T00:00:00+02:00"),
    ("Saturday 14 March 2020, 2:53 pm", "2020-03-14T14:53:00+02:00"),
    ("March 14, 2020 at 9:05 a.m.", "2020-03-14T09:05:00+02:00"),
    ("Thurs, Sept 3rd 2020", "2020-09-03T00:00:00+02:00"),
    ("14 March 2020 14:53 GMT", "2020-03-14T14:53:00+00:00"),
    ("samedi 14 mars 2020 à 14h53", "2020-03-14T14:53:00+02:00"),
    ("sam. 14 févr. 2020, 9h", "2020-02-14T09:00:00+02:00"),
    ("le 1er mars 2020", "2020-03-01T00:00:00+02:00"),
    ("Publié le 14 mars 2020 à 9 h 05", "2020-03-14T09:05:00+02:00"),
    ("Updated: 14 March 2020 14:53", "2020-03-14T14:53:00+02:00"),
    ("آخر تحديث: 14 مارس 2020", "2020-03-14T00:00:00+02:00"),
    ("السبت 14 مارس 2020 - 02:53 م", "2020-03-14T14:53:00+02:00"),
    ("الأحد ١٥ آذار ٢٠٢٠ الساعة ٠٩:٣٠ ص", "2020-03-15T09:30:00+02:00"),
    ("14 كانون الثاني 2020", "2020-01-14T00:00:00+02:00"),
    ("14 مارس/آذار 2020", "2020-03-14T00:00:00+02:00"),
    ("١٤/٠٣/٢٠٢٠", "2020-03-14T00:00:00+02:00"),
    ("۱۴/۰۳/۲۰۲۰ ۱۴:۵۳", "2020-03-14T14:53:00+02:00"),
]


@pytest.mark.parametrize(("dateline", "expected"), DATELINES, ids=[d for d, _ in DATELINES])
def test_every_dateline_form_imports_with_its_date(site, dateline, expected):
    seed(site, "a.txt", f"Ministers meet on water sharing\n\n{dateline}\n\nThe ministers met in Cairo on Saturday.\n")
    report = run_import(site)
    assert report.ok and not report.skipped, report.problems
    [item] = fields(site)
    assert item["date"].isoformat() == expected
    assert item["summary"] == "The ministers met in Cairo on Saturday."


def test_ambiguous_numeric_dates_follow_the_setting_and_are_counted(site):
    seed(site, "a.txt", "First\n\n03/04/2020\n\nText one.\n")
    seed(site, "b.txt", "Second\n\n03/14/2020\n\nText two.\n")
    report = run_import(site)
    assert report.ambiguous_dates == ["seeds/a.txt"]
    assert "1 with a numeric date that reads both ways" in report.summary()
    assert [item["date"].date().isoformat() for item in fields(site)] == ["2020-03-14", "2020-04-03"]

    write(site / "site.yml", "timezone: Africa/Cairo\nimport: {date_order: mdy}\n")
    shutil.rmtree(site / "content")
    run_import(site)
    assert sorted(item["date"].date().isoformat() for item in fields(site)) == ["2020-03-04", "2020-03-14"]


# --- one import per byline form -----------------------------------------------------------------------------------

BYLINES = [
    ("Nawal Sayed", ["Nawal Sayed"]),
    ("By Kori Schulman and Christian Wolmar", ["Kori Schulman", "Christian Wolmar"]),
    ("By Nawal Sayed, Cairo correspondent", ["Nawal Sayed"]),
    ("By Ana Lima, Omar Said & Lee Chan", ["Ana Lima", "Omar Said", "Lee Chan"]),
    ("Par Claire Moreau et Julien Petit", ["Claire Moreau", "Julien Petit"]),
    ("Par Élise Martin, envoyée spéciale à Beyrouth", ["Élise Martin"]),
    ("بقلم نوال سيد", ["نوال سيد"]),
    ("نوال سيد ومحمد علي", ["نوال سيد", "محمد علي"]),
    ("بقلم نوال سيد و محمد علي، مراسلا القاهرة", ["نوال سيد", "محمد علي"]),
    ("Bashar al-Assad", ["Bashar al-Assad"]),
]


@pytest.mark.parametrize(("byline", "expected"), BYLINES, ids=[b for b, _ in BYLINES])
def test_every_byline_form_imports_as_an_authors_list(site, byline, expected):
    seed(site, "a.txt", f"Ministers meet on water sharing\n\n14 March 2020\n{byline}\n\n"
         "The ministers met in Cairo on Saturday.\n")
    report = run_import(site)
    assert report.ok, report.problems
    [item] = fields(site)
    assert item["authors"] == expected
    assert item["summary"] == "The ministers met in Cairo on Saturday."


@pytest.mark.parametrize(("byline", "expected"), BYLINES, ids=[b for b, _ in BYLINES])
def test_a_byline_may_stand_after_a_blank_line(site, byline, expected):
    """With By or bare: a one-line paragraph of names under the dateline is never the summary."""
    seed(site, "a.txt", f"Ministers meet\n\n14 March 2020\n\n{byline}\n\nThe ministers met.\n")
    run_import(site)
    [item] = fields(site)
    assert item["authors"] == expected and item["summary"] == "The ministers met."


def test_an_import_without_a_byline_credits_the_author_option(site):
    seed(site, "a.txt", "Ministers meet\n\n14 March 2020\n\nThe ministers met.\n")
    run_import(site, author="Desk staff")
    [item] = fields(site)
    assert item["authors"] == ["Desk staff"]


# --- never silently wrong --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "message"), [
    ("Title\n\n14 Marz 2020\n\nText.\n", 3, "'Marz' is not a month name"),
    ("Title\n\n31/02/2020\n\nText.\n", 3, "not a real date"),
    ("Title\n\n14 March 2020 | 25:10\n\nText.\n", 3, "not a time of day"),
    ("Title\n\n14 March 20\n\nText.\n", 3, "cannot read the dateline"),
    ("Title\n\nText without a dateline.\n", 3, "no dateline under the title: found 'Text without a dateline.'"),
    ("Title\n\n14 March 2020\n\nBy 12 angry men\n\nText.\n", 5, "cannot read the byline"),
    ("Title\n\n14 March 2020\n\n14 March 2020\n\nText.\n", 5, "a dateline stands where the text should start"),
])
def test_unreadable_parts_are_refused_with_the_line_and_the_accepted_forms(site, text, line, message):
    seed(site, "a.txt", text)
    report = run_import(site)
    [problem] = report.skipped
    assert (problem.path, problem.line) == ("seeds/a.txt", line)
    assert message in problem.message
    assert problem.hint
    assert not (site / "content").exists() or not list((site / "content").rglob("*.md"))


@pytest.mark.parametrize(("title", "dateline", "expected"), [
    ("On the campaign trail in the USA, May 2020", "2020-06-02", "2020-06-02"),
    ("Météo du 19 août 2012 : alerte à la canicule sur la Belgique", "19 août 2012", "2012-08-19"),
    ("Kateri Tekakwitha sera canonisée le 21 octobre 2012", "Mardi 25 septembre 2012", "2012-09-25"),
])
def test_a_title_that_ends_like_a_dateline_is_the_title_when_the_dateline_follows(site, title, dateline, expected):
    seed(site, "a.txt", f"{title}\n\n{dateline}\n\nThe text.\n")
    report = run_import(site)
    assert report.ok and not report.skipped
    [item] = fields(site)
    assert item["title"] == title and item["date"].date().isoformat() == expected and item["summary"] == "The text."


def test_a_closing_source_line_becomes_the_briefings_source_link(site):
    url = "https://en.wikinews.org/wiki/Escape_room_fire_kills_five_teen_girls_in_Koszalin,_Poland"
    seed(site, "a.txt", f"Escape room fire\n\n2019-01-05\n\nFive died.\n\nThe rest.\n\nSource: Wikinews, {url}\n")
    seed(site, "b.txt", "Plain\n\n2019-01-06\n\nText.\n\nSource : https://fr.wikinews.org/wiki/X\n")
    seed(site, "c.txt", "Not a link\n\n2019-01-07\n\nText.\n\nSource: javascript:alert(1)\n")
    assert run_import(site).ok
    first, second, third = sorted(fields(site), key=lambda item: item["date"])
    assert first["source"]["url"] == url and first["source"]["name"] == "Wikinews"
    assert first["_body"] == "Five died.\n\nThe rest." and first["summary"] == "Five died."
    assert second["source"]["url"] == "https://fr.wikinews.org/wiki/X" and "name" not in second["source"]
    assert "url" not in third["source"] and third["_body"].endswith("Source: javascript:alert(1)")
    assert run_sitegen("build", "--site", site, "--no-search").returncode == 0
    page = (site / "public/briefings/2019/01/escape-room-fire/index.html").read_text(encoding="utf-8")
    assert f'<p class="source-credit" data-pagefind-ignore>Source: <a href="{url}" rel="external">Wikinews</a></p>' in page
    plain = (site / "public/briefings/2019/01/plain/index.html").read_text(encoding="utf-8")
    assert '>fr.wikinews.org</a>' in plain


def test_a_dateline_above_a_dateline_is_still_refused_as_a_title(site):
    seed(site, "a.txt", "14 March 2020\n\n15 March 2020\n\nThe text.\n")
    [problem] = run_import(site).skipped
    assert problem.line == 1 and "expected the title, found a dateline: '14 March 2020'" in problem.message


def test_date_option_rescues_an_unreadable_dateline_with_a_warning(site):
    seed(site, "a.txt", "Rédacteur en chef Jean Dupont\n\nTitre\n\n14 Marz 2020\n\nLe texte.\n")
    report = run_import(site, date=datetime(2020, 3, 14, 9, 0))
    assert report.ok
    [warning] = report.problems
    assert warning.severity == "warning" and warning.line == 5
    [item] = fields(site)
    assert item["date"].isoformat() == "2020-03-14T09:00:00+02:00"
    assert item["summary"] == "Le texte." and item["editor"] == "Jean Dupont"


def test_a_headline_that_starts_with_a_role_word_is_a_title(site):
    seed(site, "a.txt", "Editor in Chief Resigns Over Leak\n\nThe editor resigned on Monday.\n")
    run_import(site, date=datetime(2020, 3, 14))
    [item] = fields(site)
    assert item["title"] == "Editor in Chief Resigns Over Leak" and "editor" not in item


def test_the_cli_names_the_file_line_and_forms_without_a_traceback(site):
    seed(site, "a.txt", "Title\n\n14 Marz 2020\n\nText.\n")
    result = run_sitegen("import", "--site", site)
    assert result.returncode == 1
    assert "seeds/a.txt:3: cannot read the dateline '14 Marz 2020'" in result.stderr
    assert "samedi 14 mars 2020 à 14h53" in result.stderr and "Traceback" not in result.stderr


# --- language, entities, re-import --------------------------------------------------------------------------------------


def test_lang_option_wins_over_detection(site):
    seed(site, "a.txt", "Ministers meet\n\n14 March 2020\n\nThe ministers met in Cairo.\n")
    run_import(site, lang="fr")
    [item] = fields(site)
    assert item["lang"] == "fr"


def test_html_entities_are_decoded_and_the_slug_comes_from_the_decoded_title(site):
    seed(site, "a.txt", "Shares rise to &#163;1.8m &amp; more\n\n14 March 2020\n\nIt cost &pound;5, AT&T said.\n")
    run_import(site)
    [item] = fields(site)
    assert item["title"] == "Shares rise to £1.8m & more"
    assert item["_path"].name == "shares-rise-to-1-8m-more.md"
    assert item["summary"] == "It cost £5, AT&T said."


def test_reimport_is_idempotent_and_an_authors_edit_wins(site):
    item = import_fixture(site, "fr-masthead.txt")
    again = run_import(site)
    assert len(again.unchanged) == 1 and not again.imported and not again.updated
    path = item["_path"]
    path.write_text(path.read_text(encoding="utf-8").replace("- Julien Petit", "- Julien Petit-Roux"), encoding="utf-8")
    (site / "seeds" / "fr-masthead.txt").write_text((WIRE / "fr-masthead.txt").read_text(encoding="utf-8") + "\nUn ajout.\n",
                                           encoding="utf-8")
    report = run_import(site)
    assert len(report.conflicts) == 1
    assert "Julien Petit-Roux" in path.read_text(encoding="utf-8")


# --- symbolic links in seeds/ ---------------------------------------------------------------------------------------------


def test_a_link_in_seeds_to_a_file_outside_the_site_is_not_read(tmp_path):
    site = tmp_path / "site"
    write(site / "site.yml", "timezone: Africa/Cairo\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("Private notes\n\n14 March 2020\n\nThe password is swordfish.\n", encoding="utf-8")
    (site / "seeds").mkdir()
    os.symlink(secret, site / "seeds" / "passwd.txt")
    report = run_import(site)
    [warning] = report.problems
    assert warning.path == "seeds/passwd.txt" and "outside" in warning.message and warning.severity == "warning"
    assert not (site / "content").exists() or not list((site / "content").rglob("*.md"))
    # as the preview does: the changed file named explicitly
    report = run_import(site, site / "seeds" / "passwd.txt")
    assert not report.imported and "outside" in report.problems[0].message
    # the owner may opt in, and is told
    report = run_import(site, follow_links=True)
    assert len(report.imported) == 1 and "--follow-links" in report.problems[0].message


# --- the parsers, fuzzed ---------------------------------------------------------------------------------------------

DATELINE_TEXT = st.one_of(
    st.text(max_size=90),
    st.builds(" ".join, st.lists(st.sampled_from(
        ["Sat", "14", "Mar", "2020", "|", "02:53", "PM", "mars", "à", "14h53", "مارس", "آذار", "١٤", "٢٠٢٠", "م",
         "/", "-", ".", ",", "GMT", "+01:00", "2020-03-14T14:53", "31", "13", "12", "00:00", "am", "le", "1er"]),
        max_size=9)))


@settings(max_examples=400, deadline=None)
@given(line=DATELINE_TEXT, order=st.sampled_from(["dmy", "mdy"]))
def test_any_text_is_a_date_or_a_clear_refusal(line, order):
    try:
        reading = parse_dateline(line, CAIRO, order)
    except DatelineError as error:
        assert str(error)
    else:
        assert isinstance(reading.moment, datetime) and reading.moment.tzinfo is not None


@settings(max_examples=400, deadline=None)
@given(line=st.one_of(st.text(max_size=200), st.builds(" ".join, st.lists(st.sampled_from(
    ["By", "Par", "بقلم", "Nawal", "Sayed", "and", "et", "و", "&", ",", "،", "correspondent", "Omar", "ومحمد",
     "al-Assad", "de", "the", "2020"]), max_size=10))))
def test_any_byline_text_is_names_or_none(line):
    names = parse_byline(line)
    assert names is None or (names and all(name.strip() and name == " ".join(name.split()) for name in names))
