"""The interface language: catalogs, CLDR plurals, dates and digits, overrides, direction, through real sites."""

from __future__ import annotations

import re
from pathlib import Path

import babel
import pytest
import yaml

from sitegen.build import BuildOptions, build_site
from sitegen.config import load_config
from sitegen.errors import SiteError
from sitegen.i18n import PLURAL_CATEGORIES, is_rtl, load_interface
from sitegen.themes import builtin_theme_dir, theme_dirs

from .helpers import briefing, write

LOCALES = builtin_theme_dir() / "locales"


def interface(site: Path, **options: str):
    text = "".join(f"{key}: {value}\n" for key, value in options.items())
    write(site / "site.yml", "title: Test archive\ntimezone: Africa/Cairo\n" + text)
    config = load_config(site)
    return load_interface(config, theme_dirs(config))


def build(site: Path) -> Path:
    build_site(load_config(site), BuildOptions(output=site / "public", search=False))
    return site / "public"


def test_arabic_has_six_plural_forms_chosen_by_cldr(site):
    arabic = interface(site, language="ar").get("ar")
    words = {n: str(arabic.tn("briefings_count", n)) for n in (0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111)}
    assert words[0] == "لا موجزات" and words[1] == "موجز واحد" and words[2] == "موجزان"
    assert words[3] == "3 موجزات" and words[10] == "10 موجزات" and words[103] == "103 موجزات"  # few
    assert words[11] == "11 موجزًا" and words[99] == "99 موجزًا" and words[111] == "111 موجزًا"  # many
    assert words[100] == "100 موجز" and words[101] == "101 موجز" and words[102] == "102 موجز"  # other
    assert len(set(words.values()) - {words[n] for n in (3, 10, 11, 99, 100, 101, 102, 103, 111)}) == 3


def test_english_and_french_plurals(site):
    languages = interface(site, languages="[en, fr]")
    english, french = languages.get("en"), languages.get("fr")
    assert [str(english.tn("briefings_count", n)) for n in (1, 2, 1000)] == ["1 briefing", "2 briefings", "1,000 briefings"]
    assert [str(french.tn("briefings_count", n)) for n in (0, 1, 2)] == ["0 brève", "1 brève", "2 brèves"]
    assert str(french.tn("briefings_count", 1_000_000)) == "1\u202f000\u202f000 de brèves"


def test_dates_and_numbers_in_the_language_with_the_chosen_digits(site):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2020, 3, 14, 14, 53, tzinfo=ZoneInfo("Africa/Cairo"))
    assert interface(site, language="ar", digits="arab").get("ar").date(moment, False) == "١٤ مارس ٢٠٢٠"
    arabic = interface(site, language="ar", digits="latn").get("ar")
    assert arabic.date(moment, False) == "14 مارس 2020" and arabic.date(moment) == "14 مارس 2020، 14:53"
    assert interface(site, language="ar", digits="arab").get("ar").number(1234) == "١٬٢٣٤"
    french = interface(site, language="fr").get("fr")
    assert french.date(moment) == "14 mars 2020 à 14:53" and french.month(2020, 3) == "mars 2020"
    english = interface(site).get("en")
    assert english.date(moment) == "14 March 2020, 14:53" and english.date(moment.replace(hour=0, minute=0)) == "14 March 2020"
    assert interface(site, languages="[en, ar]", digits="arab").get("en").number(1234) == "1,234"  # digits: Arabic script only


def test_every_catalog_has_every_english_message_with_the_plural_forms_its_language_uses():
    english = yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8"))
    for path in sorted(LOCALES.glob("*.yml")):
        catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert sorted(catalog) == sorted(english), f"{path.name}: missing {set(english) - set(catalog)}"
        needed = set(babel.Locale.parse(path.stem).plural_form.tags) | {"other"}
        for key, value in catalog.items():
            if isinstance(english[key], dict):
                assert isinstance(value, dict) and needed <= set(value) <= set(PLURAL_CATEGORIES), (path.name, key)
            placeholders = set(re.findall(r"\{(\w+)\}", str(english[key])))
            assert set(re.findall(r"\{(\w+)\}", str(value))) <= placeholders | {"count"}, (path.name, key)


def test_site_overrides_win_site_yml_over_site_catalog_over_theme(site):
    write(site / "locales" / "ar.yml", "older_briefing: الموجز الأقدم\nnewer_briefing: الموجز الأحدث\n")
    write(site / "site.yml", """
        title: Test
        language: ar
        messages:
          ar: {newer_briefing: "الأحدث <b>"}
    """)
    config = load_config(site)
    arabic = load_interface(config, theme_dirs(config)).get("ar")
    assert arabic.t("older_briefing") == "الموجز الأقدم"
    assert arabic.t("newer_briefing") == "الأحدث &lt;b&gt;"  # text, escaped
    assert arabic.t("search") == "بحث"


def test_a_language_without_a_catalog_falls_back_to_english_words_with_its_own_dates(site):
    german = interface(site, language="de").get("de")
    assert german.t("older_briefing") == "Older briefing" and german.month(2020, 3) == "März 2020"


def test_placeholders_are_plain_names_and_values_are_escaped(site):
    write(site / "locales" / "en.yml", "by_author: 'By {name} {name.__class__} {0}'\n")
    english = interface(site).get("en")
    assert english.t("by_author", name="<script>") == "By &lt;script&gt; {name.__class__} {0}"


def test_a_broken_catalog_is_reported_with_its_file_and_line(site):
    write(site / "locales" / "ar.yml", "search: بحث\nbriefings_count:\n  one: x\n  several: y\n  other: z\nbad: [1, 2]\n")
    with pytest.raises(SiteError) as caught:
        interface(site, language="ar")
    text = str(caught.value)
    assert "locales/ar.yml:2: `briefings_count` has unknown plural form `several`" in text
    assert "locales/ar.yml:6: `bad` must be text" in text


def test_wrong_language_options_name_their_line(site):
    write(site / "site.yml", "title: T\nlanguages: [en, xx-nope]\ndigits: roman\n")
    with pytest.raises(SiteError) as caught:
        load_config(site)
    text = str(caught.value)
    assert "site.yml:2: `languages` is not valid: `xx-nope` is not a language code" in text
    assert "site.yml:3: `digits` is not valid: write latn" in text


def test_right_to_left_languages():
    assert all(is_rtl(code) for code in ("ar", "fa", "he", "ur", "ps", "ar-EG"))
    assert not any(is_rtl(code) for code in ("en", "fr", "tr"))
    assert is_rtl("syr", extra=["syr"])


def test_an_unknown_message_key_is_a_build_error_naming_it(site):
    write(site / "templates" / "404.html", "{{ t('no_such_key') }}")
    write(site / "content/briefings/a.md", briefing("A"))
    with pytest.raises(SiteError, match="no_such_key"):
        build(site)


def test_editing_a_catalog_re_renders_the_pages(site):
    write(site / "content/briefings/a.md", briefing("A", author="Nawal Sayed"))
    page = build(site) / "briefings/2024/05/a/index.html"
    assert "By <bdi>" in page.read_text(encoding="utf-8")
    write(site / "locales" / "en.yml", "by_author: 'Written by {name}'\n")
    assert "Written by <bdi>" in (build(site) / "briefings/2024/05/a/index.html").read_text(encoding="utf-8")
