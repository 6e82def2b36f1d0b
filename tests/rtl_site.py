"""A one-language Arabic site (and its French twin) for the right-to-left tests: Arabic briefings by Arabic
authors on Arabic topics, with a Latin name, a Latin acronym and numbers mixed into the text.

The facts the tests compare with (dates, the briefing that holds a rare word, which Latin words are
content) are written down here as the files are generated, never read back through ``sitegen``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from .helpers import REPO, run_sitegen, write

ZONE = ZoneInfo("Africa/Cairo")
AUTHORS = ["نوال سيد", "محمد وديع", "John Smith"]
TOPICS = ["سوريا", "الطاقة", "اللاجئون", "الأمم المتحدة"]
CONTENT_LATIN = {"john", "smith", "opec"}
"""Latin words the briefings themselves contain: content, never interface."""
RARE_WORD = "الزيتون"
"""Found in exactly one briefing's body, an old one, so it lives in another search shard than the newest."""
DESCRIPTION = {"ar": "أرشيف موجزات إخبارية يومية", "fr": "Les dépêches du jour, archivées", "en": "Daily briefings"}
LOCALES = REPO / "themes" / "default" / "locales"
SITE_TITLE = {"ar": "موجز الشرق", "fr": "Le Point du Levant", "en": "The Levant Briefing"}


@dataclass
class Written:
    """What the generated site holds, from the generator's own bookkeeping."""

    root: Path
    public: Path
    dates: dict[str, datetime] = field(default_factory=dict)
    """Briefing title -> its date."""
    rare_title: str = ""


def _briefing(number: int, moment: datetime, rare: bool) -> tuple[str, str]:
    topics = [TOPICS[number % len(TOPICS)], TOPICS[(number + 1) % len(TOPICS)]]
    authors = [AUTHORS[number % len(AUTHORS)]] + ([AUTHORS[2]] if number % 3 == 1 else [])
    title = f"محادثات {topics[0]} في جنيف، الجولة {number + 1}"
    body = (f"ارتفع سعر النفط إلى {80 + number} دولارًا بعد اجتماع OPEC في فيينا، "
            f"وقال John Smith إن {number + 3} وفود ستعود الأسبوع المقبل.\n\n"
            + (f"تأخر حصاد {RARE_WORD} في إدلب هذا العام بسبب الجفاف.\n" if rare else "وتستمر المفاوضات.\n"))
    text = (f"---\ntitle: \"{title}\"\ndate: {moment.isoformat()}\nauthors: [{', '.join(authors)}]\n"
            f"tags: [{', '.join(topics)}]\n" + ("story: مفاوضات جنيف\n" if number % 2 else "") + f"---\n\n{body}")
    return title, text


def generate(root: Path, language: str = "ar", count: int = 12, digits: str = "arab") -> Written:
    """Write site.yml and ``count`` briefings, from December 2025 to March 2026 (two search shards)."""
    write(root / "site.yml", f"""
        title: {SITE_TITLE[language]}
        description: {DESCRIPTION[language]}
        base_url: https://example.org/
        language: {language}
        timezone: Africa/Cairo
        paginate: 5
        digits: {digits}
    """)
    written = Written(root, root / "public")
    for number in range(count):
        moment = (datetime(2025, 12, 20, 14, 53, tzinfo=ZONE) if number == 0 else
                  datetime(2026, 1 + (number - 1) // 4, 3 + 6 * ((number - 1) % 4), 9 + number, 5 * number, tzinfo=ZONE))
        title, text = _briefing(number, moment, rare=number == 0)
        (root / "content" / "briefings").mkdir(parents=True, exist_ok=True)
        (root / "content" / "briefings" / f"b{number:02}.md").write_text(text, encoding="utf-8")
        written.dates[title] = moment
        if number == 0:
            written.rare_title = title
    return written


def build(written: Written) -> Written:
    result = run_sitegen("build", "--site", written.root, "--out", written.public, timeout=300)
    assert result.returncode == 0, result.stderr
    return written


def catalog_words(language: str) -> set[str]:
    """The Latin-script words of a theme catalog's messages (placeholders and date patterns left out)."""
    data = yaml.safe_load((LOCALES / f"{language}.yml").read_text(encoding="utf-8"))
    texts: list[str] = []
    for key, value in data.items():
        if key in ("date", "date_time", "month_year"):
            continue
        texts.extend(value.values() if isinstance(value, dict) else [str(value)])
    return {word.lower() for text in texts for word in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", text))}


def english_words_shown(shown: str, language: str) -> set[str]:
    """Words of the English catalog on a page of ``language``, leaving out content and words the language's own
    catalog uses too (a name such as "Atom" is the same in every language)."""
    latin = {word.lower() for word in re.findall(r"[A-Za-z]{2,}", shown)} - CONTENT_LATIN
    return (latin & catalog_words("en")) - catalog_words(language)


SHOWN_TEXT = """() => {
    const parts = [document.title, document.body.innerText];
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]'))
        for (const name of ['placeholder', 'aria-label', 'title', 'alt']) parts.push(el.getAttribute(name) || '');
    return parts.join('\\n');
}"""
"""Everything a reader sees or hears on a page: the visible text, the tab title, and the labels of controls."""
