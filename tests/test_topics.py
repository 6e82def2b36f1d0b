"""Slugs and topic names (sitegen/topics.py): distinct where names differ, one where only spelling does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sitegen.topics import SLUG_BYTES, cap_slug, name_key, slugify, topic_slug


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
