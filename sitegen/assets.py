"""Files beside briefings: published where they lie, referenced safely, images made responsive.

Any file under ``content/`` that is not Markdown is published at the matching
path (``content/briefings/2024/05/story/chart.jpg`` → ``/briefings/2024/05/story/chart.jpg``),
so a briefing may be a folder (``story/index.md``) with its pictures beside it.
Relative references in a body (``![Chart](chart.jpg)``, ``[data](figures.csv)``)
are resolved against the Markdown file, the way the author's editor previews
them, and rewritten to site paths; one that names no file is an error at its
line. Images get their ``width``/``height``, ``loading="lazy"`` after the
first, and WebP variants at a few widths in a ``<picture>``, made with Pillow
once and kept in ``.sitegen/images/`` so a warm build makes none.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .config import SiteConfig
from .content import Document, ImageRef, front_matter_line
from .errors import Problem, SiteError

if TYPE_CHECKING:  # only Markdown parsing needs markdown-it; the build's inventory imports this module
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

RESIZABLE = (".jpg", ".jpeg", ".png", ".webp")
MEASURABLE = (*RESIZABLE, ".gif")
WIDTHS = (480, 960, 1600)
"""Variant widths, used where smaller than the original; the original width is always offered as WebP too."""
SIZES = "(min-width: 44rem) 40rem, 100vw"
"""The body column of the default theme (``--measure``): what the browser picks a variant for."""
WEBP_QUALITY = 80
WEBP_METHOD = 2
"""libwebp's effort (0-6): 2 encodes about twice as fast as the default 4 for a few per cent more bytes."""


# --- images: measuring and naming variants ----------------------------------------------------


@dataclass(frozen=True)
class ImageFacts:
    """An image's displayed size and the WebP variants (site-relative path, width) it is offered in."""

    width: int
    height: int
    variants: tuple[tuple[str, int], ...] = ()


def variant_widths(width: int) -> list[int]:
    return [w for w in WIDTHS if w < width] + [width]


def variant_path(rel: str, width: int) -> str:
    """``briefings/x/chart.jpg`` at 480 px → ``briefings/x/chart.jpg.480w.webp``: never an author's own name."""
    return f"{rel}.{width}w.webp"


@functools.lru_cache(maxsize=8192)
def _measure(path: str, mtime_ns: int, size: int) -> tuple[int, int] | None:
    """Width and height as displayed (EXIF rotation applied); reads the header only."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
                width, height = height, width
            return width, height
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def image_facts(path: Path, rel: str, known: dict[str, Any] | None = None) -> ImageFacts | None:
    """What a page needs to show this image well; None when it is not an image Pillow can read.

    ``known`` (path|size|mtime → [width, height] or None) saves opening images whose size was
    measured by an earlier build; new measurements are added to it.
    """
    if not rel.lower().endswith(MEASURABLE):
        return None
    stat = path.stat()
    key = f"{rel}|{stat.st_size}|{stat.st_mtime_ns}"
    if known is not None and key in known:
        size = known[key]
    else:
        size = _measure(str(path), stat.st_mtime_ns, stat.st_size)
        if known is not None:
            known[key] = size
    if size is None:
        return None
    variants = tuple((variant_path(rel, w), w) for w in variant_widths(size[0])) if rel.lower().endswith(RESIZABLE) else ()
    return ImageFacts(size[0], size[1], variants)


# --- making the variants, cached between builds ------------------------------------------------


def image_variants(config: SiteConfig, assets: dict[str, Path],
                   runner: Callable[[Callable[[Sequence[Any]], Any], Sequence[Any], str], list[Any]]) -> dict[str, Path]:
    """Every WebP variant of every image in ``assets``, as (site-relative path → cached file).

    A variant is made only when its cache file is missing: the cache key is the
    image's path, size and mtime, so a warm build opens no image at all.
    ``runner`` maps a function over chunks (the build's process pool).
    """
    cache = config.root / ".sitegen" / "images"
    sizes = _SizeIndex(cache / "sizes.json")
    present = {path.name for path in cache.iterdir()} if cache.is_dir() else set()
    wanted: dict[str, Path] = {}
    todo: dict[str, list[tuple[int, str]]] = {}
    for rel, path in assets.items():
        facts = image_facts(path, rel, sizes.known)
        if facts is None or not facts.variants:
            continue
        stat = path.stat()
        key = hashlib.blake2b(f"{rel}|{stat.st_size}|{stat.st_mtime_ns}".encode(), digest_size=12).hexdigest()
        for variant, width in facts.variants:
            target = cache / f"{key}-{width}.webp"
            wanted[variant] = target
            if target.name not in present:
                todo.setdefault(str(path), []).append((width, str(target)))
    if todo:
        cache.mkdir(parents=True, exist_ok=True)
        runner(_make_variants, sorted(todo.items()), "Images")
    _prune(cache, set(wanted.values()))
    sizes.save(assets)
    return wanted


class _SizeIndex:
    """Image sizes measured by earlier builds (``path|size|mtime`` → [width, height]), so a warm build
    opens no image even to read its header."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self._loaded = dict(self.known)

    def save(self, assets: dict[str, Path]) -> None:
        """Keep the entries of files still there, as they are now; write only when that changed."""
        current = {}
        for rel, path in assets.items():
            if rel.lower().endswith(MEASURABLE):
                stat = path.stat()
                key = f"{rel}|{stat.st_size}|{stat.st_mtime_ns}"
                if key in self.known:
                    current[key] = self.known[key]
        if current != self._loaded:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f"sizes.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(current, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.path)


def _prune(cache: Path, wanted: set[Path]) -> None:
    """Drop variants of images that were replaced or removed, so the cache does not grow with every edit."""
    if cache.is_dir():
        for path in cache.iterdir():
            if path.suffix == ".webp" and path not in wanted:
                path.unlink(missing_ok=True)


def _make_variants(jobs: Sequence[tuple[str, list[tuple[int, str]]]]) -> None:
    from PIL import Image, ImageOps

    for source, widths in jobs:
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened)
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
            for width, target in sorted(widths, reverse=True):
                height = max(1, round(image.height * width / image.width))
                sized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
                temporary = f"{target}.{os.getpid()}.tmp"
                sized.save(temporary, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
                os.replace(temporary, target)


# --- references in bodies ----------------------------------------------------------------------


@dataclass
class BodyAssets:
    """What one body's references found: problems at their lines, the files and images it uses."""

    source: Path
    content_dir: Path
    url: Callable[[str], str]
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    used: dict[str, Path] = field(default_factory=dict)
    images: list[tuple[str, str, ImageFacts | None]] = field(default_factory=list)
    """(site path, alt text, facts) of each image in the body, in order."""
    page_url: Callable[[Path], str] | None = None
    """The site URL of another content file, so ``[see](../other.md)`` links to its page as in the editor."""

    def resolve(self, reference: str, image: bool = True) -> tuple[str, Path] | None:
        """(site-relative path, file) of a reference to a file under content/, else None.

        Raises LookupError (the hint) when the reference is relative and names no file.
        """
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc or not parts.path or reference.startswith(("#", "//")):
            return None
        path = unquote(parts.path)
        if path.startswith("/"):
            rel = posixpath.normpath(path.lstrip("/"))
            file = self.content_dir / rel
            return (rel, file) if file.is_file() and not rel.startswith("..") else None
        if path.endswith("/") and not image:
            return None  # a page of the site, written as a relative link: sitegen check follows those
        here = self.source.parent.relative_to(self.content_dir).as_posix()
        rel = posixpath.normpath(posixpath.join(here, path))
        if rel.startswith("../") or rel == "..":
            raise LookupError("it leads outside content/; put the file beside the briefing")
        file = self.content_dir / rel
        linked_page = rel.endswith(".md") and not image and self.page_url is not None
        if (file.is_dir() or (rel.endswith((".md", ".html")) and not linked_page)
                or (not image and "." not in posixpath.basename(rel))):
            return None  # a page of the site, written as a relative link: sitegen check follows those
        if not file.is_file():
            raise LookupError(f"put {posixpath.basename(rel)} in content/{posixpath.dirname(rel) or '.'}/ "
                              "beside the Markdown file, or fix the path")
        return rel, file

    def site_url(self, rel: str, parts: str) -> str:
        """The URL of a file under content/: the file itself, or for another Markdown file, its page."""
        suffix = parts[parts.index("?"):] if "?" in parts else parts[parts.index("#"):] if "#" in parts else ""
        if rel.endswith(".md") and self.page_url is not None:
            try:
                return self.url(self.page_url(self.content_dir / rel)) + suffix
            except SiteError:
                return parts  # the linked file's own errors are reported when it is read
        return self.url("/" + rel) + suffix


def _line(inline: Token, text: str) -> int:
    start = inline.map[0] if inline.map else 0
    at = inline.content.find(text)
    return start + (inline.content.count("\n", 0, at) if at > 0 else 0)


def resolve_references(state: StateCore) -> None:
    """Core rule: rewrite relative image and link targets to site paths; measure images; note problems."""
    assets: BodyAssets | None = state.env.get("assets")
    if assets is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in _walk(block.children):
            name = "src" if token.type == "image" else "href" if token.type == "link_open" else None
            reference = str(token.attrGet(name) or "") if name else ""
            if name is None or not reference or token.attrGet("class") == "topic-link":
                continue
            try:
                found = assets.resolve(reference, image=token.type == "image")
            except LookupError as error:
                noun = "image" if token.type == "image" else "linked file"
                assets.problems.append((_line(block, reference), f"{noun} {reference} not found", str(error)))
                continue
            if found is None:
                continue
            rel, file = found
            assets.used[rel] = file
            token.attrSet(name, assets.site_url(rel, reference))
            if token.type == "image":
                _describe_image(token, rel, file, assets)


def _walk(tokens: list[Token]) -> list[Token]:
    return [t for token in tokens for t in (token, *_walk(token.children or []))]


def _describe_image(token: Token, rel: str, file: Path, assets: BodyAssets) -> None:
    facts = image_facts(file, rel)
    alt = "".join(child.content for child in token.children or [])
    assets.images.append(("/" + rel, alt, facts))
    if facts is not None:
        token.attrSet("width", str(facts.width))
        token.attrSet("height", str(facts.height))
        token.meta["variants"] = [(assets.url("/" + path), width) for path, width in facts.variants]
    if len(assets.images) > 1:
        token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")


def picture_renderer(default: Callable[..., str]) -> Callable[..., str]:
    """An image render rule: a ``<picture>`` with a WebP ``srcset`` around the original ``<img>``."""

    def render(self: Any, tokens: list[Token], index: int, options: Any, env: Any) -> str:
        html = default(tokens, index, options, env)
        variants = tokens[index].meta.get("variants")
        if not variants:
            return html
        srcset = ", ".join(f"{url} {width}w" for url, width in variants)
        return f'<picture><source type="image/webp" srcset="{_attr(srcset)}" sizes="{SIZES}">{html}</picture>'

    return render


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# --- the briefing's own picture ----------------------------------------------------------------


def choose_image(item: Document, assets: BodyAssets) -> tuple[ImageRef | None, list[Problem]]:
    """``image:`` (relative, a site path or a URL), else the body's first image; alt text is expected."""
    problems: list[Problem] = []
    if item.image_ref:
        try:
            found = assets.resolve(item.image_ref)
        except LookupError as error:
            return None, [Problem(item.rel, front_matter_line(item, "image"), f"image {item.image_ref} not found", str(error))]
        if found is None and not item.image_ref.startswith(("/", "https://", "http://")):
            return None, [Problem(item.rel, front_matter_line(item, "image"), f"`image` {item.image_ref} is not a "
                                  "file, a site path or an http(s) URL", "write e.g. `image: chart.jpg` for a file "
                                  "beside the briefing")]
        if found is None:
            ref = ImageRef(url=item.image_ref, alt=item.image_alt, thumb=item.image_ref)
        else:
            assets.used[found[0]] = found[1]
            ref = _ref("/" + found[0], item.image_alt, image_facts(found[1], found[0]))
        if not item.image_alt:
            problems.append(Problem(item.rel, front_matter_line(item, "image"), "`image` has no `image_alt`",
                                    "add `image_alt:` describing the picture for readers who cannot see it; "
                                    "it is the card's and link previews' alt text", severity="warning"))
        return ref, problems
    if not assets.images:
        return None, []
    url, alt, facts = assets.images[0]
    if not alt:
        problems.append(Problem(item.rel, None, f"the first image ({url.rsplit('/', 1)[1]}) has no alt text",
                                "write it between the brackets, ![what it shows](file.jpg): it becomes the "
                                "card's and link previews' picture", severity="warning"))
    return _ref(url, alt, facts), problems


def _ref(url: str, alt: str, facts: ImageFacts | None) -> ImageRef:
    if facts is None:
        return ImageRef(url=url, alt=alt, thumb=url)
    thumb = next((path for path, width in facts.variants if width >= WIDTHS[0]), None) or url.lstrip("/")
    return ImageRef(url=url, alt=alt, width=facts.width, height=facts.height, thumb="/" + thumb.lstrip("/"))


def stamps(files: dict[str, Path]) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in files.values():
        stat = path.stat()
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


def assets_unchanged(item: Document) -> bool:
    """True when every file the cached body refers to is as it was when the body was rendered."""
    for path, mtime_ns, size in item.asset_stamps:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if stat.st_mtime_ns != mtime_ns or stat.st_size != size:
            return False
    return True
