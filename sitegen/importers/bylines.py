"""Bylines and masthead lines: who wrote an article, who edits the paper, in any script.

A byline is ``By``/``Par``/``بقلم`` (or nothing) and one or more names joined by
``and``, ``et``, ``&``, ``و`` or commas; a trailing role (``Nawal Sayed, Cairo
correspondent``) is not a name and is dropped. A name is one to six words of
letters in any script; in a script with capitals each word starts with one,
particles (``al``, ``de``, ``van``) aside.

A masthead line is a role label and a name: the labels of English, French and
Arabic newspapers are built in, and a site adds its own in site.yml
(``import: {roles: {editor: [...], supervisor: [...]}}``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from .datelines import fold

NAME_PARTICLES = frozenset({
    "al", "el", "bin", "bint", "ibn", "abu", "de", "del", "della", "der", "den", "van", "von", "da", "di", "du",
    "la", "le", "dos", "das", "d'", "ben"})
PREFIXED_NAME = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ibn|bin|abu|d)[-'’][^\W\d_]")
BYLINE_PREFIXES = ("by", "par", "بقلم", "كتب", "كتبت")
MAX_NAME_WORDS = 6
MAX_BYLINE = 160

# Roles whose holder goes to a front matter field of its own; other roles go to `masthead:`.
BUILT_IN_ROLES: dict[str, tuple[str, ...]] = {
    "supervisor": ("Supervisor", "General Supervisor", "Directrice de la publication", "Directeur de la publication",
                   "Directrice de publication", "Directeur de publication", "المشرف العام", "المشرفة العامة"),
    "editor": ("Editor in Chief", "Editor-in-Chief", "Chief Editor", "Rédacteur en chef", "Rédactrice en chef",
               "رئيس التحرير", "رئيسة التحرير"),
    "masthead": ("Managing Editor", "Deputy Editor", "Deputy Editor in Chief", "Executive Editor", "Publisher",
                 "Editor", "Senior Editor", "News Editor", "Editorial Director", "Directeur de la rédaction",
                 "Directrice de la rédaction", "Rédacteur en chef adjoint", "Rédactrice en chef adjointe",
                 "Secrétaire de rédaction", "Éditeur", "مدير التحرير", "مديرة التحرير", "نائب رئيس التحرير",
                 "المدير العام", "المديرة العامة", "رئيس مجلس الإدارة", "الناشر"),
}
# Words that make a comma-separated part of a byline a role, not a name ("Cairo correspondent").
_ROLE_WORDS = frozenset(fold(word) for word in (
    "correspondent", "reporter", "staff", "writer", "editor", "reporting", "contributor", "bureau", "chief",
    "correspondant", "correspondante", "envoyé", "envoyée", "spécial", "spéciale", "journaliste", "rédaction",
    "مراسل", "مراسلة", "مراسلا", "مراسلو", "مراسلون", "مراسلتا",
    "محرر", "محررة", "صحفي", "صحفية", "مندوب", "مندوبة", "كاتب", "كاتبة"))
# Arabic given names that start with و, so a leading و is not "and" in them.
_WAW_NAMES = frozenset(fold(name) for name in (
    "وليد", "وائل", "وفاء", "وداد", "وسام", "وجدي", "وحيد", "وهبة", "وعد", "ولاء", "وئام", "وديع", "وصفي", "وردة",
    "وفيق", "وضاح", "وهيب", "وجيه", "وسيم", "وصال", "ود", "وحيدة", "ولید", "وداعة", "والي", "وهدان", "وزير"))
_JOINERS = re.compile(r"\s*(?:,|;|،|\s&\s|\band\b|\bet\b|\bو\s)\s*", re.IGNORECASE)


def is_name(words: Sequence[str]) -> bool:
    """A person's name: one to six words of letters, capitalised where the script has capitals."""
    if not 1 <= len(words) <= MAX_NAME_WORDS or words[-1][-1] in ".,;:!?":
        return False
    return all(_name_word(word) for word in words)


def _name_word(word: str) -> bool:
    letters = word.replace("-", "").replace("'", "").replace("’", "").replace(".", "")
    if not letters or not all(char.isalpha() or char.isspace() for char in letters):
        return False
    if word.lower() in NAME_PARTICLES or PREFIXED_NAME.match(word):
        return True
    first = word[0]
    return first.isupper() or not first.islower()  # no case in Arabic, Hebrew, CJK…


def strip_prefix(line: str) -> tuple[bool, str]:
    """(whether the line starts with By/Par/بقلم, the rest of it)."""
    for prefix in BYLINE_PREFIXES:
        match = re.match(rf"^{re.escape(prefix)}\b\s*:?\s*", line, re.IGNORECASE)
        if match and match.end() < len(line):
            return True, line[match.end():]
    return False, line


def parse_byline(line: str) -> list[str] | None:
    """The names in a byline, in order, without roles; None when the line is not a byline."""
    text = " ".join(line.split())
    if not text or len(text) > MAX_BYLINE:
        return None
    _, text = strip_prefix(text)
    names: list[str] = []
    parts = [part for part in _JOINERS.split(_split_waw(text)) if part.strip()]
    for index, part in enumerate(parts):
        words = part.split()
        if index > 0 and names and _is_role(words):
            continue  # "Nawal Sayed, Cairo correspondent": the role after a name
        if not is_name(words):
            return None
        names.append(" ".join(words))
    return names or None


def _is_role(words: Sequence[str]) -> bool:
    return any(fold(word) in _ROLE_WORDS for word in words) or any(word[:1].islower() and word.lower()
                                                                      not in NAME_PARTICLES for word in words)


def _split_waw(text: str) -> str:
    """``نوال سيد ومحمد علي`` → ``نوال سيد و محمد علي``: a و glued to a name after a full name is "and"."""
    words = text.split(" ")
    out: list[str] = []
    since_break = 0
    for index, word in enumerate(words):
        glued = (len(word) > 3 and word[0] == "و" and since_break >= 2 and index + 1 < len(words)
                 and fold(word) not in _WAW_NAMES and fold(word[1:]) not in _ROLE_WORDS)
        if glued:
            out.extend(["و", word[1:]])
            since_break = 1
        else:
            out.append(word)
            since_break = 0 if word in (",", "،", "&", "و") or word.endswith((",", "،")) else since_break + 1
    return " ".join(out)


def role_labels(site_roles: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(folded label, field) for every built-in and site role, longest label first so it wins."""
    labels: dict[str, str] = {}
    for field, names in (*BUILT_IN_ROLES.items(), *site_roles.items()):
        for label in names:
            labels[fold(label)] = field
    return sorted(labels.items(), key=lambda item: -len(item[0]))


@functools.lru_cache(maxsize=16)
def _field_of(labels: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The labels as a lookup table (the import's labels are one tuple, so this is built once)."""
    return dict(labels)


@functools.lru_cache(maxsize=16)
def _first_words(labels: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The first word of every label: a line starting with any other word is no masthead line."""
    return frozenset(label.split(" ", 1)[0] for label, _ in labels)


def split_role(line: str, labels: Sequence[tuple[str, str]]) -> tuple[str, str, str] | None:
    """(role as written, field, name) for a masthead line such as ``Rédacteur en chef Jean Dupont``."""
    words = line.split()
    if not words or fold(words[0].rstrip(":")) not in _first_words(labels):
        return None
    for count in range(min(len(words) - 1, 6), 0, -1):
        role = " ".join(words[:count]).rstrip(":")
        folded = fold(role)
        field = _field_of(labels).get(folded)
        if field is None:
            continue
        name = [word for word in words[count:] if word != ":"]
        if name and is_name(name):
            return role, field, " ".join(name)
        return None
    return None
