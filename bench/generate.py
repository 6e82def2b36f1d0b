"""A deterministic corpus of realistic briefings for the benchmark.

The same seed always gives the same briefings, so runs on different machines
and days compare like with like. Each briefing has about 450 words in 6-8
paragraphs, 3-5 topics drawn Zipf-like (a few topics are everywhere, most are
rare, as in a real archive), one of 40 authors and a date spread over seven
years. Words come from a fixed vocabulary so Markdown, search indexing and
summaries see text shaped like prose rather than random letters.

Two writers share the data: YAML front matter (read by sitegen and Hugo) and
Pelican's own ``Key: value`` metadata (Pelican reads YAML front matter only
through a third-party plugin, which would measure the plugin, not Pelican).

    python bench/generate.py --count 1000 --out /tmp/corpus [--format pelican]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

OFFSET = timezone(timedelta(hours=2))
"""Every date carries this offset; the benchmark sites use the matching zone (Etc/GMT-2)."""

FIRST_DATE = datetime(2019, 1, 1, tzinfo=OFFSET)
SPAN_DAYS = 7 * 365
WORDS_PER_BRIEFING = 450
ZIPF_EXPONENT = 1.0
SENTENCE_WORDS = 18
"""About the mean sentence length; paragraphs stop half a sentence short of their share so the mean lands near it."""

def words(text: str) -> list[str]:
    """The vocabulary below is written as blocks of words, easier to read and extend than lists of strings."""
    return text.split()


PLACES = words("""Afghanistan Algeria Amman Ankara Argentina Armenia Athens Australia Azerbaijan Baghdad Bahrain Beirut
Belarus Berlin Brazil Brussels Cairo Canada Chad Chile China Colombia Cyprus Damascus Doha Egypt Eritrea Ethiopia
France Gaza Georgia Germany Ghana Greece Idlib India Indonesia Iran Iraq Israel Italy Japan Jordan Kazakhstan Kenya
Khartoum Kuwait Lebanon Libya London Mali Mexico Morocco Moscow Mosul Niger Nigeria Oman Pakistan Paris Poland Qatar
Riyadh Russia Rwanda Saudi-Arabia Senegal Serbia Somalia Spain Sudan Sweden Syria Taiwan Tehran Tripoli Tunisia
Turkey Uganda Ukraine Washington Yemen Zambia""")

THEMES = words("""agriculture aid arms banking borders budget ceasefire censorship climate corruption courts currency
cybersecurity debt defence diplomacy drought education elections energy espionage exports famine fisheries floods
gas health housing human-rights inflation infrastructure investment journalism labour land migration mining
minorities oil pensions pipelines ports privatisation protests railways reconstruction refugees sanctions shipping
smuggling space subsidies taxation telecoms terrorism tourism trade transport unemployment water wheat""")

ORGANISATIONS = words("""African-Union Arab-League ASEAN BRICS European-Union G20 Gulf-Cooperation-Council IMF Interpol
NATO OPEC Red-Crescent UN-Security-Council UNHCR UNICEF WHO World-Bank WTO""")

NOUNS = words("""minister government parliament delegation talks agreement deal report statement spokesman official
ministry council committee army forces militia rebels opposition coalition president prime-minister ambassador
envoy summit conference meeting negotiations ceasefire offensive border province capital region city village
economy market prices currency budget deficit loan reserves exports imports companies investors workers farmers
students families residents refugees crossing convoy shipment pipeline refinery port airport railway highway dam
harvest drought flood election campaign ballot vote court ruling law decree reform plan proposal project programme
sanctions embargo tariffs aid package fund grant treaty alliance partnership dispute crisis tension clashes attack
strike protest demonstration police prison journalists newspaper channel network analysts observers experts""")

VERBS = words("""announced confirmed denied rejected accepted approved signed proposed discussed reviewed criticised praised
warned urged demanded requested promised pledged expected reported revealed disclosed suspended resumed extended
postponed cancelled launched opened closed blocked restored raised cut increased reduced doubled halved financed
backed opposed questioned defended welcomed condemned""")

ADJECTIVES = words("""new major senior former local regional national international foreign domestic military civilian
economic political diplomatic financial humanitarian official unofficial public private joint temporary permanent
sudden gradual sharp modest significant limited broad narrow recent previous upcoming annual monthly weekly
strategic contested fragile stable rising falling""")

CONNECTIVES = ("However,", "Meanwhile,", "In addition,", "At the same time,", "According to officials,",
               "Earlier this week,", "Last month,", "By contrast,", "As a result,", "In response,", "Separately,")

SUBHEADINGS = ("Background", "What happens next", "Reactions", "The numbers", "Context")

FIRST_NAMES = words("""Nawal Mohamed Amira Omar Layla Karim Salma Youssef Huda Tarek Rania Samir Dina Hassan Mona Khaled Farah
Adel Noor Walid Jamila Sami Leila Ziad Hana Bassem Reem Fadi Yasmin Majid Aisha Nabil Soraya Imad Ghada Rami Lina
Hisham Maya Anwar""")

LAST_NAMES = words("""Sayed Wadie Haddad Mansour Khalil Nasser Farouk Aziz Rahman Saleh Hamdan Qasim Barakat Daher Younes
Karam Tamimi Shaker Najjar Halabi Jaber Masri Habib Sabbagh Khoury Darwish Zaki Ibrahim Suleiman Osman Rashid Fayed
Hariri Amin Badawi Ghanem Hakim Issa Morsi Nassar""")


@dataclass(frozen=True)
class Briefing:
    """One generated briefing, independent of any generator's file format."""

    slug: str
    title: str
    date: datetime
    author: str
    topics: tuple[str, ...]
    summary: str | None
    body: str

    @property
    def relpath(self) -> str:
        """Folders by year and month keep directory listings short, as a real archive would."""
        return f"briefings/{self.date:%Y}/{self.date:%m}/{self.slug}.md"


def topic_names() -> list[str]:
    """A few hundred topics: places, themes, organisations and place-theme pairs."""
    pairs = [f"{place} {theme}" for place in PLACES[:40] for theme in THEMES[:3]]
    return [name.replace("-", " ") for name in PLACES + THEMES + ORGANISATIONS + pairs]


def zipf_topics(rng: random.Random, ranked: list[str], weights: list[float], count: int) -> tuple[str, ...]:
    """Distinct topics drawn with Zipf weights; repeats are redrawn so every briefing has `count` topics."""
    chosen: list[str] = []
    while len(chosen) < count:
        topic = rng.choices(ranked, weights)[0]
        if topic not in chosen:
            chosen.append(topic)
    return tuple(chosen)


def sentence(rng: random.Random, topics: tuple[str, ...]) -> str:
    """One newsy sentence of 10-25 words that now and then names one of the briefing's topics."""
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the", rng.choice(ADJECTIVES),
             rng.choice(NOUNS), rng.choice(("in", "near", "with", "for", "over")),
             rng.choice(topics) if rng.random() < 0.5 else rng.choice(PLACES).replace("-", " ")]
    while len(words) < rng.randint(10, 25):
        words += [rng.choice(("and", "after", "while", "as", "before")), "the", rng.choice(NOUNS), rng.choice(VERBS)]
    text = " ".join(words).replace("-", " ")
    if rng.random() < 0.2:
        text = f"{rng.choice(CONNECTIVES)} {text}"
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, topics: tuple[str, ...], words: int) -> str:
    """Sentences until the paragraph reaches its share of the briefing's words; some get light Markdown."""
    sentences: list[str] = []
    total = 0
    while total < words - SENTENCE_WORDS // 2:
        sentences.append(sentence(rng, topics))
        total += len(sentences[-1].split())
    if rng.random() < 0.15:
        sentences[0] = f"**{sentences[0]}**"
    if rng.random() < 0.1:
        sentences[-1] = sentences[-1][:-1] + f" ([report](https://example.org/reports/{rng.randint(1000, 9999)}))."
    return " ".join(sentences)


def body(rng: random.Random, topics: tuple[str, ...]) -> str:
    """6-8 paragraphs of about 450 words in all, sometimes with a subheading or a short list."""
    count = rng.randint(6, 8)
    blocks = [paragraph(rng, topics, WORDS_PER_BRIEFING // count) for _ in range(count)]
    if rng.random() < 0.3:
        blocks.insert(count // 2, f"## {rng.choice(SUBHEADINGS)}")
    if rng.random() < 0.2:
        items = [f"- {sentence(rng, topics)}" for _ in range(3)]
        blocks.insert(len(blocks) - 1, "\n".join(items))
    return "\n\n".join(blocks)


def slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def make_corpus(count: int, seed: int = 7) -> list[Briefing]:
    """The first `count` briefings for this seed: a smaller corpus is a prefix of a larger one."""
    rng = random.Random(seed)
    ranked = topic_names()
    rng.shuffle(ranked)
    weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(ranked))]
    authors = [f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES, strict=True)]
    corpus: list[Briefing] = []
    for index in range(count):
        topics = zipf_topics(rng, ranked, weights, rng.randint(3, 5))
        title = f"{topics[0]} {rng.choice(NOUNS)} {rng.choice(VERBS)} {rng.choice(('as', 'after', 'amid'))} " \
                f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}".replace("-", " ")
        title = title[0].upper() + title[1:]
        moment = FIRST_DATE + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        text = body(rng, topics)
        summary = sentence(rng, topics) if rng.random() < 0.3 else None
        corpus.append(Briefing(slug=f"{slugify(title)}-{index}", title=title, date=moment,
                               author=rng.choice(authors), topics=topics, summary=summary, body=text))
    return corpus


def yaml_file(item: Briefing) -> str:
    """YAML front matter; JSON strings and lists are valid YAML, so nothing needs escaping by hand."""
    lines = ["---", f"title: {json.dumps(item.title)}", f"date: {item.date.isoformat()}",
             f"author: {json.dumps(item.author)}", f"tags: {json.dumps(list(item.topics))}", f"slug: {item.slug}"]
    if item.summary:
        lines.append(f"summary: {json.dumps(item.summary)}")
    return "\n".join([*lines, "---", "", item.body, ""])


def pelican_file(item: Briefing) -> str:
    """Pelican's Markdown metadata: one ``Key: value`` line each, tags comma-separated."""
    lines = [f"Title: {item.title}", f"Date: {item.date.isoformat()}", f"Author: {item.author}",
             f"Tags: {', '.join(item.topics)}", f"Slug: {item.slug}"]
    if item.summary:
        lines.append(f"Summary: {item.summary}")
    return "\n".join([*lines, "", item.body, ""])


WRITERS = {"yaml": yaml_file, "pelican": pelican_file}


IMAGE_NAME = "chart.jpg"
IMAGE_SIZE = (1200, 800)


def write_corpus(corpus: list[Briefing], content_dir: Path, fmt: str = "yaml", bundles: bool = False) -> None:
    """Write every briefing under `content_dir` in the given format.

    With ``bundles`` each briefing is a folder (``<slug>/index.md``) whose body
    ends with an image beside it, as Hugo's page bundles are laid out; write
    the images themselves with :func:`write_images`.
    """
    render = WRITERS[fmt]
    for item in corpus:
        path = content_dir / (item.relpath[:-3] + "/index.md" if bundles else item.relpath)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = render(item)
        if bundles:
            text += f"\n![A chart of {item.topics[0].replace('-', ' ')} figures]({IMAGE_NAME})\n"
        path.write_text(text, encoding="utf-8")


def write_images(corpus: list[Briefing], content_dir: Path) -> None:
    """One JPEG bar chart per bundled briefing, different for each (colours and bars from its index)."""
    from PIL import Image, ImageDraw

    for index, item in enumerate(corpus):
        rng = random.Random(index)
        image = Image.new("RGB", IMAGE_SIZE, (245, 245, 240))
        draw = ImageDraw.Draw(image)
        colour = (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200))
        bars = rng.randint(5, 12)
        width = IMAGE_SIZE[0] // bars
        for bar in range(bars):
            height = rng.randrange(80, IMAGE_SIZE[1] - 40)
            draw.rectangle((bar * width + 10, IMAGE_SIZE[1] - height, (bar + 1) * width - 10, IMAGE_SIZE[1]), fill=colour)
        image.save(content_dir / item.relpath[:-3] / IMAGE_NAME, quality=85)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="how many briefings (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--format", choices=sorted(WRITERS), default="yaml", help="front matter style")
    parser.add_argument("--out", type=Path, required=True, help="the content folder to write into")
    parser.add_argument("--images", action="store_true",
                        help="each briefing a folder (<slug>/index.md) with one JPEG chart beside it, shown in its body")
    args = parser.parse_args()
    corpus = make_corpus(args.count, args.seed)
    write_corpus(corpus, args.out, args.format, bundles=args.images)
    if args.images:
        write_images(corpus, args.out)
    print(f"Wrote {args.count} briefings into {args.out}")


if __name__ == "__main__":
    main()
