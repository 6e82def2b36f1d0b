"""Checking a built site the way readers and crawlers will meet it.

``sitegen check`` reads the output folder, not the content, so it catches
mistakes made by templates and themes as well as by authors: links and assets
that lead nowhere, ``#anchors`` missing on their page, one page reachable under
two URLs, pages without a ``<title>``, and (with ``--external``) links to other
sites that fail. Every HTML page is parsed exactly once, in parallel for large
sites; every lookup after that is a set lookup, never a file system call.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from . import __version__
from .errors import Problem
from .scan import C0_AND_SPACE, UNSAFE_SCHEMES, PageScan, css_urls, scan_pages, srcset_urls  # noqa: F401 - re-exported

EXTERNAL_WORKERS = 8
PER_HOST = 2
"""At most this many requests to one host at a time, so a link-heavy site never floods a server."""

HINTS = {
    "link": "fix the link in the template or Markdown, or build the page it points to",
    "asset": "add the file to static/ (or the theme's static/), or fix the path",
    "anchor": "link to an id that exists on that page; headings get ids made from their text",
    "outside": "build links with url() in templates so they start with base_url's path",
    "unsafe": "remove the script link; links must lead to pages, not run code",
    "title": "give the template a <title>, e.g. {% block title %}{{ page.title }}{% endblock %}",
    "duplicate": "keep one; some servers treat these as one URL and some as two, so readers and crawlers split",
    "canonical": "each page's <link rel=canonical> must name the page's own URL",
    "external": "update or remove the link; the other site may have moved the page",
}

@dataclass(frozen=True)
class Target:
    """Where a link leads: inside the output (``relpath``) or elsewhere (``kind``)."""

    kind: str  # "internal", "external", "outside", "unsafe" or "skip"
    relpath: str = ""
    fragment: str = ""
    url: str = ""


class Layout:
    """The output folder as a URL space: which URLs exist under the site's base URL."""

    def __init__(self, files: set[str], base_url: str) -> None:
        self.files = files
        self.dirs = {parent for rel in files for parent in _parents(rel)}
        base = urlsplit(base_url)
        self.host = base.netloc.lower()
        self.base_path = base.path if base.path.endswith("/") else base.path + "/"
        self._known: dict[tuple[str, str], Target] = {}

    def page_url(self, relpath: str) -> str:
        return self.base_path + quote(relpath)

    def classify(self, page: str, link: str) -> Target:
        """Resolve ``link`` as found on ``page`` the way a browser would.

        Most links repeat across pages (navigation, topics), so each is resolved
        once per context: the page for ``#x`` and ``?q``, its folder for relative
        paths, nothing for absolute ones.
        """
        link = link.strip(C0_AND_SPACE)
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or parts.path.startswith("/"):
            context = ""
        elif not parts.path:
            context = page
        else:
            context = page.rpartition("/")[0]
        key = (context, link)
        if key not in self._known:
            self._known[key] = self._resolve(page, link, parts)
        return self._known[key]

    def _resolve(self, page: str, link: str, parts: SplitResult) -> Target:
        scheme = parts.scheme.lower()
        if scheme in UNSAFE_SCHEMES:
            return Target("unsafe", url=link)
        if scheme and scheme not in ("http", "https"):
            return Target("skip")
        if parts.netloc:
            if not (self.host and parts.netloc.lower() == self.host and parts.path.startswith(self.base_path)):
                return Target("external", url=link if scheme else "https:" + link)
            parts = urlsplit(parts._replace(scheme="", netloc="").geturl())
        joined = urlsplit(urljoin(self.page_url(page), parts.geturl()))
        if not joined.path.startswith(self.base_path):
            return Target("outside", url=joined.path)
        rel = unquote(joined.path[len(self.base_path):])
        return Target("internal", relpath=self.find(rel) or "", fragment=unquote(joined.fragment), url=joined.path)

    def find(self, rel: str) -> str | None:
        """The file a static server would send for this path, if any."""
        if rel in self.files:
            return rel
        if rel == "" or rel.endswith("/"):
            candidate = rel + "index.html"
        elif rel in self.dirs:
            candidate = rel + "/index.html"
        else:
            return None
        return candidate if candidate in self.files else None


def _parents(rel: str) -> Iterable[str]:
    parts = rel.split("/")[:-1]
    return ("/".join(parts[:i]) for i in range(1, len(parts) + 1))


def list_files(root: Path) -> set[str]:
    """Every file under the output, as POSIX paths relative to it."""
    found: set[str] = set()
    for folder, _dirs, names in os.walk(root):
        prefix = Path(folder).relative_to(root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        found.update(prefix + name for name in names)
    return found


@dataclass
class Finding:
    """One kind of problem (message and hint) and every page it occurs on."""

    message: str
    hint: str
    pages: list[str] = field(default_factory=list)


class Findings:
    """Groups identical problems, so one template mistake is one entry, not one per page."""

    def __init__(self) -> None:
        self._by_message: dict[str, Finding] = {}

    def add(self, page: str, message: str, hint_key: str) -> None:
        finding = self._by_message.setdefault(message, Finding(message, HINTS[hint_key]))
        if not finding.pages or finding.pages[-1] != page:
            finding.pages.append(page)

    def problems(self, label: str) -> list[Problem]:
        problems: list[Problem] = []
        for finding in self._by_message.values():
            pages = sorted(set(finding.pages))
            more = len(pages) - 1
            message = finding.message + (f" (also on {more:,} other page{'s' if more > 1 else ''})" if more else "")
            problems.append(Problem(f"{label}/{pages[0]}", None, message, finding.hint))
        return sorted(problems, key=lambda p: (p.path, p.message))


def check_links(scans: Sequence[PageScan], layout: Layout, findings: Findings) -> dict[str, list[str]]:
    """Report broken internal links and anchors; return external URLs with the pages that use them."""
    ids = {scan.relpath: scan.ids for scan in scans}
    external: dict[str, list[str]] = defaultdict(list)
    for scan in scans:
        for kind, link in scan.links:
            target = layout.classify(scan.relpath, link)
            if target.kind == "external":
                external[target.url.split("#", 1)[0]].append(scan.relpath)
            elif target.kind == "unsafe":
                findings.add(scan.relpath, f"script link {target.url[:60]!r}", "unsafe")
            elif target.kind == "outside":
                findings.add(scan.relpath, f"link to {target.url} lies outside the site's base path "
                                           f"{layout.base_path}", "outside")
            elif target.kind == "internal" and not target.relpath:
                noun = "missing asset" if kind == "asset" else "broken link to"
                findings.add(scan.relpath, f"{noun} {target.url}", kind)
            elif target.kind == "internal" and _anchor_missing(target, ids):
                findings.add(scan.relpath, f"missing anchor #{target.fragment} on {target.url}", "anchor")
    return external


def _anchor_missing(target: Target, ids: dict[str, set[str]]) -> bool:
    fragment = target.fragment
    if not fragment or fragment.lower() == "top" or fragment.startswith(":~:") or target.relpath not in ids:
        return False
    return fragment not in ids[target.relpath]


def url_key(rel: str) -> str:
    """The URL as a case-insensitive server would see it, with ``index.html`` and ``.html`` dropped."""
    key = rel.lower()
    for suffix in ("index.html", ".html"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    return key.rstrip("/")


def check_duplicates(files: Iterable[str], scans: Sequence[PageScan], findings: Findings) -> None:
    """Two files behind one URL, or two pages claiming one canonical URL."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(files):
        by_key[url_key(rel)].append(rel)
    for rels in by_key.values():
        if len(rels) > 1:
            findings.add(rels[0], f"same URL as {_names(rels[1:])} apart from letter case or index.html", "duplicate")
    by_canonical: dict[str, list[str]] = defaultdict(list)
    for scan in scans:
        if scan.redirect is not None:  # a moved URL's page names the new page as canonical, as it should
            continue
        for url in dict.fromkeys(scan.canonicals):
            by_canonical[url.split("#", 1)[0]].append(scan.relpath)
    for url, rels in by_canonical.items():
        if len(rels) > 1:
            findings.add(rels[0], f"canonical URL {url} is also claimed by {_names(rels[1:])}", "canonical")


def check_redirects(scans: Sequence[PageScan], layout: Layout, findings: Findings) -> None:
    """A moved URL's page must send readers and crawlers to the same page: its refresh and its canonical."""
    for scan in scans:
        if scan.redirect is None:
            continue
        target = layout.classify(scan.relpath, scan.redirect)
        for canonical in scan.canonicals:
            named = layout.classify(scan.relpath, canonical)
            if (named.relpath or named.url) != (target.relpath or target.url):
                findings.add(scan.relpath, f"redirects to {scan.redirect} but names {canonical} as canonical",
                             "canonical")


def _names(rels: Sequence[str], shown: int = 3) -> str:
    more = len(rels) - shown
    return ", ".join(rels[:shown]) + (f" and {more:,} more" if more > 0 else "")


class _KeepMethod(HTTPRedirectHandler):
    """Follow redirects with the same method, so a HEAD probe never downloads a page."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


_opener = build_opener(_KeepMethod)


def probe(url: str, timeout: float) -> str | None:
    """None when the URL answers; else why not. HEAD first, GET where servers refuse HEAD."""
    reason = None
    for method in ("HEAD", "GET"):
        request = Request(url, method=method, headers={"User-Agent": f"sitegen-check/{__version__}"})  # noqa: S310
        try:
            with _opener.open(request, timeout=timeout):
                return None
        except HTTPError as error:
            reason = f"answered {error.code} {error.reason}"
            if error.code not in (403, 405, 501):
                return reason
        except (URLError, HTTPException, OSError, ValueError) as error:
            cause = getattr(error, "reason", None) or error
            return f"failed: {cause}"
    return reason


def check_external(urls: dict[str, list[str]], findings: Findings, timeout: float,
                   workers: int = EXTERNAL_WORKERS) -> None:
    """Probe every distinct external URL once, a bounded number at a time overall and per host."""
    hosts = {host: threading.BoundedSemaphore(PER_HOST) for host in {urlsplit(url).netloc.lower() for url in urls}}

    def polite_probe(url: str) -> str | None:
        with hosts[urlsplit(url).netloc.lower()]:
            return probe(url, timeout)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls)))) as pool:
        for url, reason in zip(urls, pool.map(polite_probe, urls), strict=True):
            if reason:
                for page in urls[url]:
                    findings.add(page, f"external link {url} {reason}", "external")


@dataclass
class CheckReport:
    pages: int
    files: int
    links: int
    external: int
    seconds: float
    problems: list[Problem]

    def summary(self, label: str) -> str:
        external = f", {self.external:,} external links probed" if self.external else ""
        return (f"Checked {self.pages:,} pages, {self.links:,} links and {self.files:,} files in {label}"
                f"{external}: no problems ({self.seconds:.2f} s)")


def check_output(output: Path, base_url: str = "/", *, external: bool = False, timeout: float = 10.0,
                 label: str | None = None) -> CheckReport:
    """Check a built site folder; problems are named ``<label>/<file>`` (label: the folder's name)."""
    started = time.perf_counter()
    files = list_files(output)
    pages = sorted(rel for rel in files if rel.endswith((".html", ".htm")))
    scans = scan_pages(output, pages + sorted(rel for rel in files if rel.endswith(".css")))
    layout = Layout(files, base_url)
    findings = Findings()
    external_urls = check_links(scans, layout, findings)
    check_duplicates(files, scans, findings)
    check_redirects(scans, layout, findings)
    for scan in scans:
        if not scan.titled:
            findings.add(scan.relpath, "page has no <title>", "title")
    if external and external_urls:
        check_external(external_urls, findings, timeout)
    return CheckReport(pages=len(pages), files=len(files), links=sum(len(s.links) for s in scans),
                       external=len(external_urls) if external else 0, seconds=time.perf_counter() - started,
                       problems=findings.problems(label or output.name))
