"""Property tests: whatever bytes an author or a newsroom feed hands us, we answer, never crash.

The front matter loader and the importer each either succeed or raise
:class:`SiteError` naming the file; any other exception is a bug. An imported
article, loaded back and rendered, shows exactly the raw text.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.content import Briefing, load_file
from sitegen.errors import SiteError, display_path, relative_names
from sitegen.importers import FORMATS, ImportOptions, import_articles
from sitegen.importers.formats import TITLE_LIMIT, parse_article
from sitegen.importers.source import decode, decode_entities
from sitegen.markdown import BodyRenderer

from .helpers import write

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that YAML, our validation and the front matter splitter treat specially.
FRONT_TOKENS = ["title:", "date:", "tags:", "author:", "slug:", "draft:", "summary:", "source:", "unknown:",
                " ", "\n", "\n  ", "\t", "- ", "[", "]", "{", "}", ",", ": ", "'", '"', "&a ", "*a", "<<: *a",
                "!!python/object/apply:os.system ['true']", "!!binary aGk=", "!!set", "? ", "|", ">-", "#", "%YAML 1.1\n",
                "---", "...", "2024-05-01", "2024-13-45T25:61:00", "2024-05-01T09:30:00+02:00", "true", "null", "~",
                "1e400", "0x1F", ".nan", "é", "\u2028", "\\", "\x00", "\ufeff", "\x85", "\r", "<script>"]
FRONT = st.lists(st.one_of(st.sampled_from(FRONT_TOKENS), st.text(max_size=6)), max_size=40).map("".join)
DOCUMENTS = st.builds(lambda front, body: f"---\n{front}\n---\n{body}", FRONT, st.text(max_size=60))
NEAR_VALID = st.builds(lambda title, front, body: f"---\ntitle: {json.dumps(title)}\ndate: 2024-05-01\n{front}\n---\n{body}",
                       st.text(max_size=20), FRONT, st.text(max_size=60))
ANY_FILE = st.one_of(st.binary(max_size=400), DOCUMENTS.map(str.encode), NEAR_VALID.map(str.encode))

# Pieces of raw articles: mastheads, datelines (good and impossible), bylines, encodings' marks, line ends.
RAW_TOKENS = ["Supervisor Elham AbolFateh\n", "Editor in Chief Mohamed Wadie\n", "Managing Editor Sara Ali\n",
              "Sat 14 Mar 2020 | 02:53 PM\n", "Mon 31 Feb 2020 | 13:99 PM\n", "Nawal Sayed\n", "Talks resume\n",
              "\n", "\n\n", "1. ", "# ", "<script>", "*", "\ufeff", "\r\n", "\r", "  ", "é", "\x00", "\t", "---\n"]
RAW = st.lists(st.one_of(st.sampled_from(RAW_TOKENS), st.text(max_size=12)), max_size=30).map("".join)
ANY_RAW = st.one_of(st.binary(max_size=400), RAW.map(str.encode), RAW.map(lambda text: text.encode("utf-16")))


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """One site for all examples (hypothesis reruns a test body, not its function-scoped fixtures)."""
    site = tmp_path_factory.mktemp("site")
    write(site / "site.yml", "title: Properties\ntimezone: Africa/Cairo\n")
    (site / "content").mkdir()
    return site


def fresh_folder(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@PROPERTY
@given(data=ANY_FILE)
def test_the_front_matter_loader_answers_any_bytes(root, data):
    path = fresh_folder(root / "content" / "briefings") / "any.md"
    path.write_bytes(data)
    config = load_config(root)
    try:
        item = load_file(path, config)
    except SiteError as error:
        assert error.problems and {p.path for p in error.problems} == {"content/briefings/any.md"}
    else:
        assert isinstance(item, Briefing) and item.title and item.date is not None


@PROPERTY
@given(data=ANY_RAW, fmt=st.sampled_from(FORMATS))
def test_the_article_parser_answers_any_bytes(root, data, fmt):
    config = load_config(root)
    try:
        text, _warnings = decode(data, "seeds/any.txt")
        article = parse_article(text, "seeds/any.txt", fmt, config.tz)
    except SiteError as error:
        assert error.problems and all(p.path == "seeds/any.txt" for p in error.problems)
    else:
        assert article.title and article.paragraphs


@settings(PROPERTY, max_examples=60)
@given(data=ANY_RAW)
def test_an_import_of_any_bytes_reports_or_writes_a_file_that_loads(root, data):
    seeds, content = fresh_folder(root / "seeds"), fresh_folder(root / "content")
    (seeds / "any.txt").write_bytes(data)
    config = load_config(root)
    report = import_articles(config, [seeds / "any.txt"], ImportOptions(author="Desk", date=datetime(2020, 1, 1)))
    written = [p for p in content.rglob("*.md")]
    assert len(written) <= 1
    if not written:
        assert any(p.severity == "error" for p in report.problems), report.problems
    for path in written:
        assert load_file(path, config).title


# --- import then build preserves the text ---

TEXT_CHARS = st.one_of(st.sampled_from(list("*_`[]()<>|\\#!-+=.:~&;{}%'\"1 \t0aéع日")),
                       st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")))
LINE = st.text(TEXT_CHARS, min_size=1, max_size=30).filter(lambda line: line.strip())
TITLE = st.text(TEXT_CHARS, min_size=1, max_size=60).filter(lambda title: any(c.isalnum() for c in title))
PARAGRAPHS = st.lists(st.lists(LINE, min_size=1, max_size=3), min_size=1, max_size=4)


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.found.append("")
            self._open += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._open -= 1

    def handle_data(self, data: str) -> None:
        if self._open:
            self.found[-1] += data


def paragraphs_of(html: str) -> list[str]:
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    return [normalise(text) for text in parser.found]


def normalise(text: str) -> str:
    return " ".join(text.split())


@settings(PROPERTY, max_examples=60)
@given(title=TITLE, paragraphs=PARAGRAPHS)
def test_import_then_render_shows_exactly_the_raw_text(root, title, paragraphs):
    seeds, content = fresh_folder(root / "seeds"), fresh_folder(root / "content")
    raw = title + "\n\n" + "\n\n".join("\n".join(lines) for lines in paragraphs) + "\n"
    (seeds / "article.txt").write_text(raw, encoding="utf-8")
    config = load_config(root)
    report = import_articles(config, [seeds / "article.txt"],
                             ImportOptions(format="plain", author="Desk", date=datetime(2020, 1, 1)))
    if len(normalise(title)) > TITLE_LIMIT:
        return
    written = list(content.rglob("*.md"))
    assert len(written) == 1, report.problems
    item = load_file(written[0], config)
    assert item.title == normalise(decode_entities(title))
    rendered = BodyRenderer(config.markdown).render(item.body).html
    assert paragraphs_of(rendered) == [normalise(decode_entities(" ".join(lines))) for lines in paragraphs]


PATH_PARTS = st.lists(st.sampled_from(["content", "2024", "05", "a.md", "..", ".", "é ü", "x" * 3, "site2"]), max_size=6)


@PROPERTY
@given(root_parts=PATH_PARTS, parts=PATH_PARTS)
def test_relative_names_agree_with_display_path(tmp_path_factory, root_parts, parts):
    """The string cut that names every content file must name each exactly as ``display_path`` would, for paths
    inside the root, outside it and through ``..``, with a real folder (and a link to it) as the root."""
    base = tmp_path_factory.getbasetemp() / "names"
    (base / "site").mkdir(parents=True, exist_ok=True)
    link = base / "link"
    if not link.is_symlink():
        link.symlink_to(base / "site")
    for root in (base / "site", link, Path(base, "site", *root_parts)):
        paths = [Path(root, *parts), Path(base, *parts), base / "site" / Path(*parts) if parts else base / "site"]
        assert relative_names(paths, root) == [display_path(path, root) for path in paths]
