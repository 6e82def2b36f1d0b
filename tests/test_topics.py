"""Slugs and topic names (sitegen/topics.py): distinct where names differ, one where only spelling does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.content import load_file
from sitegen.errors import SiteError
from sitegen.fields import is_slug
from sitegen.pages import make_site
from sitegen.taxonomy import Taxonomy
from sitegen.topics import SLUG_BYTES, cap_slug, name_key, slugify, topic_slug

from .helpers import run_sitegen, write


def test_programming_languages_get_distinct_topic_slugs():
    slugs = {name: topic_slug(name) for name in ("C#", "C++", "C", "F#", "Go", "Gö")}
    assert slugs == {"C#": "c-sharp", "C++": "c-plus-plus", "C": "c", "F#": "f-sharp", "Go": "go", "Gö": "gö"}


def test_spellings_of_one_name_share_a_key_and_a_slug():
    assert name_key("U.S.") == name_key("us") == name_key("US")
    assert topic_slug("U.S.") == topic_slug("US") == "us"
    assert name_key("Tony  Blair") == name_key("tony blair")
    assert name_key("C#") != name_key("C++")


def test_arabic_slugs_drop_vowel_marks_and_tatweel_and_keep_words_whole():
    assert slugify("يُعلن الرئيسُ") == "يعلن-الرئيس"
    assert slugify("الحـــرب في سوريا") == "الحرب-في-سوريا"
    assert topic_slug("الحـــرب") == "الحرب"


def test_combining_marks_of_other_scripts_stay_inside_their_word():
    assert slugify("नमस्ते दुनिया") == "नमस्ते-दुनिया"
    assert is_slug("नमस्ते-दुनिया") and is_slug("0\u093a")  # a slug written by hand in front matter is accepted too
    assert not is_slug("-a") and not is_slug("\u093a0") and not is_slug("a b") and not is_slug("")


def test_long_slugs_are_cut_by_bytes_at_a_word_boundary():
    title = " ".join(["مفاوضات"] * 40)
    slug = slugify(title)
    assert len(slug.encode()) <= SLUG_BYTES
    assert all(word == "مفاوضات" for word in slug.split("-"))
    assert cap_slug("a" * 300) == "a" * SLUG_BYTES


@given(st.text())
def test_any_text_gives_a_slug_within_the_byte_cap(text):
    for slug in (slugify(text), topic_slug(text)):
        assert len(slug.encode("utf-8")) <= SLUG_BYTES
        assert not slug.startswith("-") and not slug.endswith("-")
        assert "--" not in slug
        assert slug == "" or is_slug(slug), "a slug the content check would refuse"


def test_a_word_never_begins_with_a_mark():
    """NFKD splits Thai SARA AM into a mark and a vowel; a stray mark may also open a title."""
    assert slugify("ำ") == "า" and slugify("\u0301abc def") == "abc-def"


# --- topics in the model: one name per subject, clashes named, minor topics off cards -------------------------


def site_with(tmp_path, files: dict[str, str], options: str = "") -> Path:
    write(tmp_path / "site.yml", "title: Topics\ntimezone: UTC\n" + options)
    for number, (name, tags) in enumerate(files.items()):
        write(tmp_path / "content" / "briefings" / f"{name}.md",
              f"---\ntitle: {name}\ndate: 2024-05-{number + 1:02d}T09:00:00+00:00\ntags: {tags}\n---\n\nText.\n")
    return tmp_path


def taxonomy_of(site: Path) -> Taxonomy:
    config = load_config(site)
    items = [load_file(path, config) for path in sorted((site / "content").rglob("*.md"))]
    return make_site(config, items, datetime(2030, 1, 1, tzinfo=UTC)).taxonomy


def test_case_only_spellings_merge_under_the_most_common_one(tmp_path):
    site = site_with(tmp_path, {"a": "[Syria]", "b": "[syria]", "c": "[Syria]"}, "topics_min_count: 1\n")
    [topic] = taxonomy_of(site).topics.values()
    assert (topic.name, topic.count) == ("Syria", 3)


def test_plural_and_surname_forms_join_one_topic_and_site_aliases_the_rest(tmp_path):
    site = site_with(tmp_path, {"a": "[Tony Blair, Conservatives]", "b": "[Blair, Conservative]",
                                "c": "[Tony Blair, Tories]"},
                     "topics_min_count: 1\ntopic_aliases: {Conservatives: [Tories]}\n")
    topics = taxonomy_of(site).topics
    assert {slug: topic.count for slug, topic in topics.items()} == {"tony-blair": 3, "conservatives": 3}


def test_two_names_sharing_a_slug_are_an_error_naming_both_files(tmp_path):
    site = site_with(tmp_path, {"a": "[Go Web]", "b": "['Go, Web']"})
    with pytest.raises(SiteError) as caught:
        taxonomy_of(site)
    [problem] = caught.value.problems
    named = f"{problem.path} {problem.message}"
    assert "content/briefings/a.md" in named and "content/briefings/b.md" in named
    assert "/topics/go-web/" in problem.message


def test_a_comma_separated_tags_text_is_split_with_a_warning(tmp_path):
    site = site_with(tmp_path, {"a": "Go, Web, Security"}, "topics_min_count: 1\n")
    config = load_config(site)
    item = load_file(site / "content" / "briefings" / "a.md", config)
    assert item.tags == ("Go", "Web", "Security")
    [warning] = item.warnings
    assert (warning.line, warning.severity) == (4, "warning") and "tags: [Go, Web, Security]" in warning.hint


def test_minor_topics_keep_their_pages_but_leave_cards_and_the_hub(tmp_path):
    files = {f"b{n}": "[Syria, Turkey, Russia, Iran]" for n in range(3)}
    files["rare"] = "[Syria, Locusts, Turkey, Russia, Iran]"
    site = site_with(tmp_path, files)
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    public = site / "public"
    assert (public / "topics" / "locusts" / "index.html").is_file()
    hub = (public / "topics" / "index.html").read_text(encoding="utf-8")
    assert "/topics/locusts/" not in hub and "/topics/syria/" in hub
    home = (public / "index.html").read_text(encoding="utf-8")
    assert "/topics/locusts/" not in home
    assert "/topics/iran/" not in home  # the fourth topic: at most three chips per card


def test_a_site_may_choose_transliterated_slugs(tmp_path):
    assert slugify("مفاوضات إدلب", ascii=True) == "mfwdt-dlb"
    assert topic_slug("Gö", ascii=True) == "go" and topic_slug("C#", ascii=True) == "c-sharp"
    site = site_with(tmp_path, {"a": "[سوريا, Syria]", "b": "[سوريا, Syria]", "c": "[سوريا, Syria]"},
                     "slugs: ascii\n")
    (tmp_path / "content" / "briefings" / "a.md").write_text(
        "---\ntitle: مفاوضات عسكرية حول إدلب\ndate: 2024-05-01T09:00:00+00:00\ntags: [سوريا]\n---\n\nنص.\n",
        encoding="utf-8")
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 0, result.stderr
    assert (site / "public" / "briefings" / "2024" / "05" / "mfwdt-skryh-hwl-dlb" / "index.html").is_file()
    assert (site / "public" / "topics" / "swry" / "index.html").is_file()
