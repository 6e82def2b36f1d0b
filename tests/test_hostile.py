"""Hostile content: script payloads in every field come out as text in every output, never as markup.

The site is built twice from the same briefings: once with the payloads, once
with each payload replaced by plain words. The hostile build may not contain a
single element or attribute shape the plain build lacks, so a payload that
turns into markup anywhere (pages, topic and author pages, feeds, search
metadata) fails the test whatever template it slipped through. The checks
walk whatever files the output holds, so they cover page types added later.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .helpers import run_sitegen, write

# From the OWASP XSS Filter Evasion cheat sheet, PortSwigger's XSS cheat sheet and template-injection probes.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "\"><svg/onload=alert(1)>",
    "'><svg onload=alert(1)//",
    "</script><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "{{7*7}}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(9) %}{{x}}{% endfor %}",
    "${7*7} <%= 7*7 %> #{7*7}",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<x onclick=alert(1)>click me",
    "\"onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "＜script＞alert(1)＜/script＞",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "<!--<script>alert(1)//-->",
    "]]><script>alert(1)</script><![CDATA[",
    "<![CDATA[<script>alert(1)</script>]]>",
    "\"; alert(1); //",
    "</script ><script>alert(1)</script>",
    "</SCRIPT/x><script>alert(1)</script>",
    "line\u2028separator\u2029</script>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]

UNSAFE_MARKDOWN = """\
Unsafe links that must be dropped:
[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:msgbox(1))
[d](data:text/html;base64,PHNjcmlwdD4=) ![e](javascript:alert(1)) [f](jav&#x09;ascript:alert(1))
[g](&#106;avascript:alert(1)) [h][ref] <javascript:alert(1)> [i](file:///etc/passwd)
![j](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) [k]( javascript:alert(1) "title")

[ref]: javascript:alert(1)

Safe links that must stay: [safe](https://example.org/ok) ![pixel](data:image/png;base64,iVBORw0KGgo=)
"""

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "srcdoc"}
SAFE_DATA = re.compile(r"^data:image/(png|gif|jpeg|webp);", re.IGNORECASE)
FORMATTING = {(tag, frozenset()) for tag in ("em", "strong", "code", "s", "del")}
"""Markdown in a body payload (``__class__`` is bold) may format text; it may not add anything else."""


def yaml_text(value: str) -> str:
    """A YAML double-quoted scalar: JSON strings are valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def briefing_file(index: int, texts: list[str]) -> str:
    def pick(offset: int) -> str:
        return texts[(index + offset) % len(texts)]

    front = {"title": pick(0), "author": pick(1), "editor": pick(2), "supervisor": pick(3), "summary": pick(4),
             "subtitle": pick(5), "credit": pick(6), "source": pick(7), "description": pick(8)}
    lines = [f"{key}: {yaml_text(value)}" for key, value in front.items()]
    tags = ", ".join(yaml_text(pick(offset)) for offset in (9, 10, 11))
    day = 1 + index % 28
    lines += [f"slug: b{index:02d}", f"date: 2024-{1 + index // 28:02d}-{day:02d}T09:00:00+00:00", f"tags: [{tags}]"]
    body = f"{pick(12)}\n\n## {pick(13)}\n\n- {pick(14)}\n\n> {pick(15)}\n\n{UNSAFE_MARKDOWN}"
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def make_site(root: Path, texts: list[str]) -> Path:
    write(root / "site.yml", f"""
        title: {yaml_text(texts[0])}
        description: {yaml_text(texts[6])}
        base_url: https://example.org/news/
        timezone: UTC
    """)
    for index in range(len(texts)):
        write(root / "content" / "briefings" / f"b{index:02d}.md", briefing_file(index, texts))
    write(root / "content" / "pages" / "about.md", f"---\ntitle: {yaml_text(texts[3])}\n---\n\n{texts[4]}\n")
    return root


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """(hostile output, plain output) built from the same briefings."""
    outputs = []
    plain = [f"Plain words {index}" for index in range(len(PAYLOADS))]
    for name, texts in (("hostile", PAYLOADS), ("plain", plain)):
        root = make_site(tmp_path_factory.mktemp(name), texts)
        result = run_sitegen("build", "--site", root, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(root / "public")
    return outputs[0], outputs[1]


# --- reading the output -------------------------------------------------------------------------


@dataclass
class Audit:
    """What an HTML document really contains once a browser-like parser has read it."""

    shapes: set[tuple[str, frozenset[str]]] = field(default_factory=set)
    urls: list[tuple[str, str, str]] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)
    title: str = ""
    search_meta: list[str] = field(default_factory=list)


class _Auditor(HTMLParser):
    def __init__(self, audit: Audit) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = audit
        self._capture: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.audit.shapes.add((tag, frozenset(values)))
        for name, value in values.items():
            if name.startswith("on"):
                self.audit.events.append((tag, name))
            if name in URL_ATTRIBUTES or name == "srcset":
                self.audit.urls.append((tag, name, value))
            if name.startswith("data-pagefind"):  # `key:value`, or `key[value]` with the value in value=""
                key, bracket, _ = value.partition("[value]")  # which Pagefind decodes once more
                self.audit.search_meta.append(f"{key}:{html.unescape(values.get('value', ''))}" if bracket else value)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.audit.urls.append((tag, "content", values.get("content", "").partition("url=")[2]))
        if tag in ("script", "title") and self._capture is None:
            self._capture, self._text = tag, []
            self._attrs = values

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capture:
            text = "".join(self._text)
            if tag == "script":
                self.audit.scripts.append((self._attrs, text))
            elif not self.audit.title:
                self.audit.title = text
            self._capture = None


def audit_html(text: str) -> Audit:
    audit = Audit()
    auditor = _Auditor(audit)
    auditor.feed(text)
    auditor.close()
    return audit


def files(output: Path, *suffixes: str) -> Iterator[Path]:
    for path in sorted(output.rglob("*")):
        if path.is_file() and path.suffix in suffixes and "pagefind" not in path.relative_to(output).parts:
            yield path


def html_in_xml(path: Path) -> Iterator[str]:
    """Text of feed elements that readers render as HTML (Atom type="html", RSS description, content)."""
    for element in ET.parse(path).iter():
        local = element.tag.rsplit("}", 1)[-1]
        if element.text and (element.get("type") in ("html", "xhtml") or local in ("description", "encoded")):
            yield element.text


def audits(output: Path) -> Iterator[tuple[Path, Audit]]:
    for path in files(output, ".html", ".htm"):
        yield path, audit_html(path.read_text(encoding="utf-8"))
    for path in files(output, ".xml"):
        for fragment in html_in_xml(path):
            yield path, audit_html(fragment)


def is_unsafe_url(value: str) -> bool:
    """As browsers read it: ends stripped of spaces and controls, tabs and newlines inside removed."""
    url = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21))))).lower()
    if url.startswith("data:"):
        return not SAFE_DATA.match(url)
    return url.startswith(("javascript:", "vbscript:", "file:"))


def own_script(attrs: dict[str, str]) -> bool:
    """The site's own script files, by path under the base URL (a payload can only point elsewhere)."""
    src = attrs.get("src", "")
    return src.startswith("/news/") and not set(src) & set("<>\"' ")


# --- the guarantees -----------------------------------------------------------------------------


def test_payloads_add_no_element_or_attribute_anywhere(builds):
    hostile, plain = builds
    plain_shapes = FORMATTING.union(*(audit.shapes for _, audit in audits(plain)))
    for path, audit in audits(hostile):
        extra = audit.shapes - plain_shapes
        assert not extra, f"{path.relative_to(hostile)}: markup from a payload: {sorted(extra, key=str)[:5]}"


def test_no_event_handlers_script_urls_or_foreign_scripts(builds):
    hostile, _ = builds
    count = 0
    for path, audit in audits(hostile):
        count += 1
        where = path.relative_to(hostile)
        assert not audit.events, f"{where}: event handler attributes {audit.events}"
        unsafe = [(tag, name, value) for tag, name, value in audit.urls if is_unsafe_url(value)]
        assert not unsafe, f"{where}: unsafe URLs {unsafe}"
        for attrs, _text in audit.scripts:
            assert own_script(attrs) or attrs.get("type") == "application/ld+json", f"{where}: foreign script {attrs}"
    assert count > len(PAYLOADS)


def test_every_payload_reads_back_as_the_exact_text(builds):
    hostile, _ = builds
    for index, payload in enumerate(PAYLOADS):
        pages = list((hostile / "briefings" / "2024").glob(f"*/b{index:02d}/index.html"))
        assert len(pages) == 1, f"b{index:02d} not built"
        audit = audit_html(pages[0].read_text(encoding="utf-8"))
        assert payload in audit.title, f"title of b{index:02d} reads {audit.title!r}"
        titles = [value.removeprefix("title:") for value in audit.search_meta if value.startswith("title:")]
        assert titles in ([], [payload]), f"search metadata of b{index:02d}: {titles!r}"
        for attrs, text in audit.scripts:
            if attrs.get("type") == "application/ld+json":
                assert payload in json_strings(json.loads(text)), f"JSON-LD of b{index:02d} lost the title"


def json_strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return set().union(*(json_strings(item) for item in items))


def test_json_ld_is_json_and_cannot_close_its_script(builds):
    hostile, _ = builds
    for path, audit in audits(hostile):
        for attrs, text in audit.scripts:
            if attrs.get("type") == "application/ld+json":
                assert "</script" not in text.lower() and "<!--" not in text, path
                json.loads(text)
    for path in files(hostile, ".html"):
        raw = path.read_text(encoding="utf-8")
        for block in re.findall(r"<script[^>]*ld\+json[^>]*>(.*?)</script", raw, flags=re.DOTALL | re.IGNORECASE):
            data = json.loads(block)
            assert "<" not in block, f"{path}: a raw < in JSON-LD; write it as \\u003c"
            assert data


def test_feeds_sitemaps_and_json_files_parse_and_hold_text_not_markup(builds):
    hostile, _ = builds
    markup = {"script", "img", "svg", "iframe", "object", "embed", "body", "style", "meta", "base", "a", "input"}
    for path in files(hostile, ".xml"):
        tree = ET.parse(path)
        names = {element.tag.rsplit("}", 1)[-1].lower() for element in tree.iter()}
        assert not names & markup, f"{path.relative_to(hostile)}: elements {names & markup}"
        for element in tree.iter():
            if element.tag.rsplit("}", 1)[-1] == "loc":
                assert urlsplit(element.text or "").scheme in ("http", "https"), f"{path}: loc {element.text!r}"
    for path in files(hostile, ".json"):
        json.loads(path.read_text(encoding="utf-8"))
    feed = hostile / "feed.xml"
    if feed.exists():
        texts = {element.text for element in ET.parse(feed).iter()}
        assert texts & set(PAYLOADS), "the feed holds no briefing title as text"


def test_unsafe_markdown_links_are_dropped_and_safe_ones_kept(builds):
    hostile, _ = builds
    page = next((hostile / "briefings").rglob("b00/index.html"))
    audit = audit_html(page.read_text(encoding="utf-8"))
    urls = [value for _tag, _name, value in audit.urls]
    assert "https://example.org/ok" in urls
    assert any(value.startswith("data:image/png;base64,") for value in urls)
    assert not [value for value in urls if is_unsafe_url(value)]


def test_the_hostile_site_passes_check_but_for_the_defused_link(builds):
    """Every topic and author URL made from a payload works. The one complaint: markdown-it turns
    ``jav&#x09;ascript:`` into the relative link ``jav%09ascript:``, harmless and rightly broken."""
    hostile, _ = builds
    result = run_sitegen("check", "--site", hostile.parent)
    problems = [line for line in result.stderr.splitlines() if line.startswith("  public/")]
    assert problems, result.stderr
    assert all(line.endswith("/jav%09ascript:alert(1)") and "broken link" in line for line in problems), problems
