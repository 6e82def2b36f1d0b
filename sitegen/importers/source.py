"""Raw article bytes to text: encodings, line ends, and files that are not text at all.

Newsrooms send whatever their tools write: UTF-8 with or without a byte order
mark, UTF-16 from Windows editors, Windows-1252 from older systems, CRLF or bare
CR line ends, HTML entities from text copied out of web pages. Everything readable
becomes one ``str`` with ``\\n`` line ends and entities decoded;
everything else is a :class:`~sitegen.errors.Problem` that names the file.
"""

from __future__ import annotations

import codecs
import html
import re

from ..errors import Problem, SiteError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LINE_END = re.compile(rb"\r\n|\r|\n")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL_LIMIT = 0.01  # share of control characters above which a file is taken for binary


def decode(data: bytes, rel: str) -> tuple[str, list[Problem]]:
    """The file's text with ``\\n`` line ends, plus warnings; raise SiteError if it is not text."""
    warnings: list[Problem] = []
    if data.startswith(_UTF16_BOMS):
        text = _decode_or_binary(data, "utf-16", rel)
    elif b"\x00" in data:
        raise _binary(rel)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            text = _decode_or_binary(data, "cp1252", rel)
            line = len(_LINE_END.split(data[: error.start]))
            warnings.append(Problem(
                rel, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); read as Windows-1252",
                "check the quotes and dashes on that line, and save the file as UTF-8 to silence this",
                severity="warning"))
    if not text.strip():
        raise SiteError([Problem(rel, None, "file is empty", "remove it, or put the article's text in it")])
    if _looks_binary(text):
        raise _binary(rel)
    return decode_entities(text.replace("\r\n", "\n").replace("\r", "\n")), warnings


def decode_entities(text: str) -> str:
    """``&#163;``, ``&pound;`` and ``&#xA3;`` as ``£``: raw text copied out of web pages carries them.

    Only complete references (ending in ``;``) are decoded, so "AT&T" and
    "&para" in a URL stay as typed; one that would decode to a control
    character or a line break is kept as written.
    """
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    decoded = html.unescape(match.group())
    return match.group() if any(char < " " or char in "\x7f\u2028\u2029" for char in decoded) else decoded


def _decode_or_binary(data: bytes, encoding: str, rel: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _binary(rel) from None


def _looks_binary(text: str) -> bool:
    controls = sum(1 for char in text if char < " " and char not in "\t\n\r\f\v")
    return "\x00" in text or controls > len(text) * _CONTROL_LIMIT


def _binary(rel: str) -> SiteError:
    return SiteError([Problem(rel, None, "this is not a text file (it looks binary)",
                              "import plain-text articles only (.txt, saved as UTF-8)")])
