"""Reading what a built page or style sheet asks for: ids, links, assets, canonical URLs, redirects.

One pass of Python's forgiving HTML parser per page (html.parser recovers from
broken markup like a browser); style sheets, ``<style>`` elements and ``style``
attributes are read for ``url()`` and ``@import``. ``sitegen check`` then judges
what was found.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .workers import run_chunked

PARALLEL_MINIMUM = 800
"""Below this many pages, starting worker processes costs more than parsing in one."""

_ASSET_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "manifest", "preload", "modulepreload",
               "prefetch", "mask-icon"}
_ORIGIN_RELS = {"preconnect", "dns-prefetch"}
_LINK_ATTRS = {("a", "href"): "link", ("area", "href"): "link", ("iframe", "src"): "link",
               ("img", "src"): "asset", ("script", "src"): "asset", ("source", "src"): "asset",
               ("video", "src"): "asset", ("video", "poster"): "asset", ("audio", "src"): "asset",
               ("track", "src"): "asset", ("embed", "src"): "asset", ("input", "src"): "asset",
               ("object", "data"): "asset", ("form", "action"): "link", ("button", "formaction"): "link",
               ("input", "formaction"): "link"}
_SRCSET_TAGS = {"img", "source"}
UNSAFE_SCHEMES = {"javascript", "vbscript"}
C0_AND_SPACE = "".join(map(chr, range(0x21)))
"""Browsers strip these from both ends of a URL; urlsplit drops tabs and newlines inside it, as browsers do."""


@dataclass
class PageScan:
    """What one HTML page offers (ids) and asks for (links), read in one pass."""

    relpath: str
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)
    """(kind, URL) with kind "link" or "asset", in document order."""
    titled: bool = False
    canonicals: list[str] = field(default_factory=list)
    redirect: str | None = None
    """Where a ``<meta http-equiv="refresh">`` sends the reader (a moved URL's page), if anywhere."""


class _Scanner(HTMLParser):
    """Collects ids, links, canonical URLs and whether the document has a non-empty title."""

    def __init__(self, scan: PageScan) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = scan
        self._svg_depth = 0
        self._title: list[str] | None = None
        self._style: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.scan.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.scan.ids.add(values["name"])
        if tag == "svg":
            self._svg_depth += 1
        elif tag == "title" and not self._svg_depth:
            self._title = []
        elif tag == "link":
            self._link_element(values)
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self._refresh(values.get("content", ""))
        elif tag == "style":
            self._style = []
        if "style" in values:
            self.scan.links.extend(("asset", url) for url in css_urls(values["style"]))
        for name, value in values.items():
            kind = _LINK_ATTRS.get((tag, name))
            if kind:
                self.scan.links.append((kind, value))
            elif name == "srcset" and tag in _SRCSET_TAGS:
                self.scan.links.extend(("asset", url) for url in srcset_urls(value))

    def _link_element(self, values: dict[str, str]) -> None:
        rels = set(values.get("rel", "").lower().split())
        href = values.get("href")
        if href is None or rels & _ORIGIN_RELS:
            return
        if "canonical" in rels:
            self.scan.canonicals.append(href)
        self.scan.links.append(("asset" if rels & _ASSET_RELS else "link", href))

    def _refresh(self, content: str) -> None:
        match = _REFRESH_URL.match(content)
        if match:
            self.scan.redirect = match.group(1).strip("'\"")
            self.scan.links.append(("link", self.scan.redirect))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            self.scan.links.extend(("asset", url) for url in css_urls("".join(self._style)))
            self._style = None
        elif tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        elif tag == "title" and self._title is not None:
            self.scan.titled = self.scan.titled or bool("".join(self._title).strip())
            self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        elif self._style is not None:
            self._style.append(data)


_REFRESH_URL = re.compile(r"\s*\d+(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?(.+?)\s*$", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^'")\s]+))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""",
                      re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def css_urls(css: str) -> list[str]:
    """The URLs a style sheet loads: ``url(…)`` in any quoting and ``@import "…"``; ``data:`` URLs aside."""
    urls = (next(group for group in match.groups() if group is not None)
            for match in _CSS_URL.finditer(_CSS_COMMENT.sub("", css)))
    return [url for url in urls if url and not url.lower().startswith(("data:", "#"))]


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset``: each candidate is a URL, then optional descriptors, then a comma."""
    urls: list[str] = []
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = srcset.find(",", position)
            position = length if comma < 0 else comma + 1
        if url:
            urls.append(url)
    return urls


def scan_html(relpath: str, text: str) -> PageScan:
    """Parse one page; html.parser never raises on malformed markup, it recovers like a browser."""
    scan = PageScan(relpath)
    scanner = _Scanner(scan)
    scanner.feed(text)
    scanner.close()
    return scan


def scan_css(relpath: str, text: str) -> PageScan:
    """A style sheet asks for what its ``url()`` and ``@import`` name, relative to its own place."""
    return PageScan(relpath, links=[("asset", url) for url in css_urls(text)], titled=True)


def _scan_files(root: str, relpaths: Sequence[str]) -> list[PageScan]:
    return [(scan_css if rel.endswith(".css") else scan_html)(rel, Path(root, rel).read_bytes().decode("utf-8", "replace"))
            for rel in relpaths]


def scan_pages(root: Path, relpaths: Sequence[str]) -> list[PageScan]:
    """Scan every page, across processes when there are enough to pay for them."""
    parts = run_chunked(functools.partial(_scan_files, str(root)), relpaths, minimum=PARALLEL_MINIMUM)
    return [scan for part in parts for scan in part]
