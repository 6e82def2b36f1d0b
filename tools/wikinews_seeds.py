"""The sample archive's Wikinews articles: ../shared/corpus/wikinews as raw seeds under seeds/wikinews/.

    python tools/wikinews_seeds.py            # (re)write seeds/wikinews/<lang>/*.txt from the corpus
    python tools/wikinews_seeds.py --lang en  # one language only

The seeds are committed, so a clone needs neither the corpus nor this script: `make serve` imports them.
Each seed is laid out as the importer reads a raw article (title, dateline, text) and closes with a
`Source: Wikinews, <URL>` line, which the importer keeps as the briefing's `source.url`; the theme links
every briefing to its original that way, and the site's footer (templates/_credits.html) names the
licence, CC BY 2.5, which asks for both. Safe to repeat: a seed that would not change is not rewritten.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "wikinews"
SEEDS = Path("seeds") / "wikinews"
LANGUAGES = ("en", "fr")
SEARCH = {"fr": "https://fr.wikinews.org/w/index.php?search="}
"""The French corpus gives a document id, not the article's URL: its source link searches fr.wikinews for the title."""


def corpus_rows(corpus: Path, languages: tuple[str, ...]) -> list[dict[str, str]]:
    with (corpus / "index.tsv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["lang"] in languages]


def source_url(row: dict[str, str]) -> str:
    if row["source"].startswith(("https://", "http://")):
        return row["source"]
    return SEARCH[row["lang"]] + quote(row["title"])


def raw_article(text: str, url: str) -> str:
    """The corpus layout (title, date, empty byline, blank, paragraphs) as a raw article: the title, a blank
    line, the dateline, a blank line, the paragraphs, and the closing source line."""
    lines = text.splitlines()
    title, date, byline = lines[0].strip(), lines[1].strip(), lines[2].strip()
    body = "\n".join(lines[3:]).strip()
    head = [title, "", date, *([byline] if byline else []), ""]
    return "\n".join(head) + "\n" + body + f"\n\nSource: Wikinews, {url}\n"


def write_seeds(root: Path, corpus: Path, languages: tuple[str, ...]) -> int:
    count = 0
    for row in corpus_rows(corpus, languages):
        target = root / SEEDS / row["file"]
        text = raw_article((corpus / row["file"]).read_text(encoding="utf-8"), source_url(row))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(target)
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the wikinews corpus folder (with index.tsv)")
    parser.add_argument("--site", type=Path, default=REPO, help="the site folder (default: the repository)")
    parser.add_argument("--lang", action="append", choices=LANGUAGES, help="only these languages (default: all)")
    args = parser.parse_args(argv)
    if not (args.corpus / "index.tsv").is_file():
        print(f"no Wikinews corpus at {args.corpus} (index.tsv missing); pass --corpus", file=sys.stderr)
        return 1
    written = write_seeds(args.site, args.corpus, tuple(args.lang or LANGUAGES))
    print(f"{written} seed files written under {SEEDS}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
