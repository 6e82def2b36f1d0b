"""A generated briefing archive of a few hundred files, and what its content says.

The tests build it with the real build and compare the pages with
:class:`Expected`, which is computed here from the generated front matter
alone, not through ``sitegen.taxonomy``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sitegen.build import BuildOptions, build_site
from sitegen.config import load_config

from .helpers import write

BASE_URL = "https://example.org/briefings/"
BASE_PATH = "/briefings/"
PER_PAGE = 10
ZONE = ZoneInfo("Africa/Cairo")
# (spelling in front matter, topic slug, weight): a few common topics, a long tail of rare ones.
TOPICS = [("Syria", "syria", 30), ("Turkey", "turkey", 20), ("Russia", "russia", 16), ("Diplomacy", "diplomacy", 14),
          ("Iran", "iran", 10), ("Energy", "energy", 8), ("Refugees", "refugees", 6), ("Yemen", "yemen", 5),
          ("Elections", "elections", 4), ("Water", "water", 3), ("Idlib", "idlib", 3), ("Cyprus", "cyprus", 2),
          ("Sudan", "sudan", 2), ("Ocean shipping", "ocean-shipping", 1), ("Locusts", "locusts", 1)]
AUTHORS = ["Nawal Sayed", "Mohamed Wadie", "Elham AbolFateh", "Sara Khalil", "Omar Farouk", "Leila Haddad"]
HOSTILE_TITLE = 'Talks "resume" </script><script>alert(1)</script> & more'


@dataclass
class Expected:
    """Facts about the archive read straight from the generated front matter."""

    briefings: list[dict] = field(default_factory=list)  # newest first

    @property
    def topic_counts(self) -> Counter[str]:
        return Counter(slug for b in self.briefings for slug in b["topics"])

    @property
    def author_counts(self) -> Counter[str]:
        return Counter(b["author_slug"] for b in self.briefings if b["author_slug"])

    @property
    def month_counts(self) -> Counter[str]:
        return Counter(f"{b['date']:%Y/%m}" for b in self.briefings)

    def on_topic(self, slug: str) -> list[dict]:
        return [b for b in self.briefings if slug in b["topics"]]


@dataclass
class Archive:
    root: Path
    www: Path
    """The web server's root; the site itself is at ``www/briefings/``."""
    expected: Expected

    @property
    def output(self) -> Path:
        return self.www / BASE_PATH.strip("/")

    def page(self, url: str) -> str:
        """The HTML (or XML) at a site path such as ``/topics/syria/``."""
        path = self.output / url.lstrip("/")
        return (path / "index.html" if url.endswith("/") else path).read_text(encoding="utf-8")


def generate(root: Path, count: int = 300, seed: int = 4) -> Expected:
    """Write site.yml and ``count`` briefings (plus a draft, a future one and an about page)."""
    rng = random.Random(seed)
    write(root / "site.yml", f"""
        title: Test Briefings
        description: A generated archive for tests.
        base_url: {BASE_URL}
        timezone: Africa/Cairo
        paginate: {PER_PAGE}
        link_topics: true
        publisher: The Test Desk
        topics:
          United States: [Washington, White House]
    """)
    write(root / "content" / "pages" / "about.md", "---\ntitle: About\n---\n\nA generated archive.\n")
    expected = Expected()
    moment = datetime(2023, 11, 3, 8, 0, tzinfo=ZONE)
    names, weights = [t[0] for t in TOPICS], [t[2] for t in TOPICS]
    slug_of = {t[0]: t[1] for t in TOPICS}
    for number in range(count):
        moment += timedelta(hours=rng.choice([3, 9, 20, 30, 52]))
        tags = list(dict.fromkeys(rng.choices(names, weights, k=rng.randint(1, 4))))
        if number % 7 == 0:  # two spellings, one topic page
            tags.append("U.S." if number % 2 else "US")
            slug_of.setdefault("U.S.", "us")
            slug_of.setdefault("US", "us")
        author = "" if number % 11 == 0 else rng.choice(AUTHORS)
        if author == "Sara Khalil" and number % 2:
            author = "sara khalil"  # same author, same page
        title = HOSTILE_TITLE if number == count - 3 else f"Briefing {number}: {tags[0]} update"
        slug = f"briefing-{number}"
        body = (f"## {tags[0]} in brief\n\nNews about {tags[0]} and [a link about {tags[0]}](https://example.com/).\n\n"
                f"More on {' and '.join(tags)} with `code {tags[0]}`.\n")
        write(root / "content" / "briefings" / f"{slug}.md",
              _front_matter(title, slug, moment, author, tags) + body)
        expected.briefings.append({"title": title, "slug": slug, "date": moment, "author": author,
                                   "author_slug": author.lower().replace(" ", "-"),
                                   "topics": list(dict.fromkeys(slug_of[t] for t in tags)),
                                   "url": f"/briefings/{moment:%Y/%m}/{slug}/"})
    write(root / "content" / "briefings" / "draft.md",
          _front_matter("An unfinished draft", "draft", moment, "Omar Farouk", ["Syria"], "draft: true"))
    write(root / "content" / "briefings" / "future.md",
          _front_matter("News from the future", "future", datetime(2999, 1, 1, tzinfo=ZONE), "", ["Syria"]))
    expected.briefings.reverse()
    return expected


def _front_matter(title: str, slug: str, moment: datetime, author: str, tags: list[str], *extra: str) -> str:
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    lines = [f'title: "{quoted}"', f"slug: {slug}", f"date: {moment.isoformat()}",
             f"tags: [{', '.join(repr(t) for t in tags)}]", *extra]
    if author:
        lines.append(f"author: {author}")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


_BUILT: dict[str, Archive] = {}


def built_archive(tmp_path_factory) -> Archive:
    """The archive, generated and built once per test session."""
    if "archive" not in _BUILT:
        root = tmp_path_factory.mktemp("archive")
        expected = generate(root / "site")
        www = root / "www"
        build_site(load_config(root / "site"), BuildOptions(output=www / BASE_PATH.strip("/"), search=False))
        _BUILT["archive"] = Archive(root / "site", www, expected)
    return _BUILT["archive"]
