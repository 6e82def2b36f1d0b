"""Mapping request paths to files of the preview folder, safely, and the types they are sent as."""

from __future__ import annotations

import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

MAX_SEGMENT_BYTES = 255
"""The longest file name the file systems we run on allow; a longer segment names nothing."""
MAX_TARGET_BYTES = 8192
"""A longer request target is answered 414 before anything else is looked at."""


class BadRequestPath(ValueError):
    """A request path that is malformed or could name something outside the preview folder."""


class TargetTooLong(BadRequestPath):
    """A request target longer than any page of a site needs."""


_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


def request_path(target: str) -> str:
    """The decoded path of a request target.

    Refuses rather than repairs: a preview never needs encoded slashes or
    backslashes, NUL bytes, double-encoded escapes, ``.`` or ``..`` segments, or
    absolute-form targets, and each is a classic way around a naive path join.
    """
    if len(target) > MAX_TARGET_BYTES:
        raise TargetTooLong(target[:80])
    raw = target.split("#", 1)[0].split("?", 1)[0]
    if not raw.startswith("/") or _ENCODED_SEPARATOR.search(raw):
        raise BadRequestPath(target)
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadRequestPath(target) from None
    segments = path.split("/")
    if "\\" in path or "\x00" in path or _PERCENT_ESCAPE.search(path) or "." in segments or ".." in segments:
        raise BadRequestPath(target)
    return path


@dataclass(frozen=True)
class Located:
    """Where a request path leads: a file, a redirect to the folder's URL, or nowhere (both None)."""

    file: Path | None = None
    redirect: str | None = None


def _inside(root: Path, candidate: Path) -> Path | None:
    """The real path of ``candidate`` if it stays inside ``root`` (a resolved path) once symlinks are followed."""
    real = candidate.resolve()
    return real if real.is_relative_to(root) else None


def locate(root: Path, path: str) -> Located:
    """The file a request path names under ``root``, with pretty URLs: a folder serves its index.html,
    and a folder asked for without its trailing slash redirects to it, so relative links resolve.

    A segment no file name can have (over 255 bytes) leads nowhere, as does
    any other name the operating system refuses to look up."""
    segments = [part for part in path.split("/") if part]
    if any(len(os.fsencode(part)) > MAX_SEGMENT_BYTES for part in segments):
        return Located()
    root = root.resolve()
    try:
        target = _inside(root, root.joinpath(*segments))
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return Located(redirect=quote(path + "/"))
            target = _inside(root, target / "index.html")
        return Located(file=target) if target is not None and target.is_file() else Located()
    except OSError:  # ENAMETOOLONG for a long whole path, ELOOP for a symlink loop
        return Located()


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}
HTML_TYPE = CONTENT_TYPES[".html"]
TEXT_TYPE = CONTENT_TYPES[".txt"]


def content_type(path: Path) -> str:
    """Fixed types for what sites are made of, since system MIME tables disagree on .js, .xml and fonts."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
