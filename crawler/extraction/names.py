"""What a person's name is in a byline's text: "By Jane Doe and John Smith, Senior Writer" →
["Jane Doe", "John Smith"].

Names are cleaned the same way whatever their source: no "By"/"Par"/"Von"/"بقلم", no roles
("Staff Writer", "Korrespondent") nor the affiliation after one, no handles, e-mails or
"Follow" buttons, one entry per person. Authors are people: the newsroom ("Staff",
"Redaktion"), news agencies ("AFP", "dpa") and organisations are no one's name. The words of
all this, per language, are data in bylines.py; where on a page bylines are is authors.py's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from crawler.extraction import bylines as by
from crawler.extraction.text import norm

MAX_NAME_WORDS = 5
MAX_NAME_CHARS = 60


def alternation(words: Iterable[str]) -> str:
    """`words` as one regex alternation, longer first: "written by" is tried before "by"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


# "By", "Written by", "Von", "Par", "Por", "Door", "Autor:", "بقلم", "文/" ... at the start.
# (after any marks before it: "// By Arun Sai Krishnan • Nov 11, 2020", "— Par Jeanne Dupont")
INTRODUCER = re.compile(
    rf"^\W*(?:{alternation(by.merged(by.INTRODUCERS))})(?:\s*[:：/／\-–—]\s*|\s+|$)", re.I
)
_CONJUNCTION = rf"(?:&|{alternation(by.merged(by.CONJUNCTIONS))})"
# Between names: a comma (and the like), also before a conjunction ("A, B, and C"), a slash, a
# conjunction. The conjunction is captured: it starts a new name after a role's affiliation.
_SPLIT = re.compile(
    rf"\s*(?:[,;|\n،、，；](?:\s*({_CONJUNCTION})\s)?|\s/\s|(?<=\w)/(?=\w)|\s({_CONJUNCTION})\s)\s*",
    re.I,
)
_HANDLE = re.compile(r"@\w+")
# Words that stand alone after a comma but are no one: credentials, days, months.
_NOT_NAMES = frozenset(
    """phd md ms ma mba msc bsc ba rd rdn cpt jr sr esq
    monday tuesday wednesday thursday friday saturday sunday today yesterday
    january february march april may june july august september october november december""".split()
)
# Lower-case words that do belong in names.
_PARTICLES = frozenset(
    "van von der den de del della di da das dos du la le al el bin ibn ben ter ten zu y e".split()
)
# "Finian Cunningham. Sputnik International": a full stop after a word, not after an initial.
_SENTENCE_BREAK = re.compile(r"(?<=[^\W\d_]{3})\.\s+(?=[^\W\d_])")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_MAX_PARTS = 6
_DIGITS = re.compile(r"\d")
_NOISE_WORDS = frozenset(by.merged(by.NOT_PERSON_WORDS))
_ARTICLES = frozenset(by.ARTICLES)
# Whole entries that are no person even though they look like names.
_NOISE_ENTRIES = frozenset(
    [*by.merged(by.STAFF), *by.NEWS_AGENCIES, "follow", "more", "by"]
)
# Characters of a name besides letters and combining marks (Devanagari vowel signs are marks).
_NAME_PUNCTUATION = frozenset(" .'’-‐·・")
# CJK: a name is a few characters; a sentence of them is no one ("來稿請寄至").
_HAN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_MAX_HAN_NAME = 4
_TRAILING_TITLE = re.compile(r"\s*(?:기자|특파원|記者|记者|特派員|特派员|通讯员|通訊員)$")
_ROLE_WORDS = alternation(by.ROLES)
# A piece of a byline that is only a role: "Staff Writer", "Senior Staff Technologist".
_ROLE_PART = re.compile(rf"^\s*(?:[\w-]+\s+){{0,3}}(?:{_ROLE_WORDS})s?\s*$", re.I)
_TRAILING_ROLE = re.compile(
    r"\s*[,|–—-]\s*(?:senior|chief|staff|special|political|foreign|contributing|associate|"
    rf"business|sports|science|health|tech|technology|news|\w+)?\s*(?:{_ROLE_WORDS})\b.*$",
    re.I,
)


def _clean_one(name: str) -> str | None:
    name = _PARENS.sub(" ", name)
    name = _HANDLE.sub(" ", name)
    name = " ".join(name.split()).strip(" .,:;|-–—·•")
    while True:
        stripped = INTRODUCER.sub("", name, count=1)
        if stripped == name:
            break
        name = stripped
    name = name.strip(" .,:;|-–—·•")
    label, colon, rest = name.partition(":")
    if colon and rest.strip() and len(label.split()) == 1:
        name = rest.strip()  # "Текст: Венера Ерофеева", "Photos: Jane Doe"
    if not name or _DIGITS.search(name):
        return None
    if " " not in name and "." in name.strip("."):
        return None  # "humans.txt", "example.com"
    if name.lower() in _NOISE_ENTRIES:
        return None
    words = name.split()
    # Widget text around a name: "Follow John Smith", "John Smith Follow".
    while words and words[0].lower().strip(":") in ("follow", "more", "about", "contact"):
        words = words[1:]
    while words and words[-1].lower().strip(":") in ("follow", "email", "twitter"):
        words = words[:-1]
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    if any(w.lower().strip(".,:") in _NOISE_WORDS for w in words):
        return None
    if len(words) > 1 and words[0].lower() in _ARTICLES:
        return None  # "The Guardian", "Die Grünen"
    if len(words) == 1 and words[0].lower().strip(".") in _NOT_NAMES:
        return None
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return None  # "WASHINGTON", "CNN": a dateline or an organisation
    if any(w[0].islower() and w not in _PARTICLES for w in words if w[0].isalpha()):
        return None  # "the author of this article": a sentence, not a name
    if any(w.endswith(("'s", "’s")) for w in words[:-1]):
        return None  # "Patrick Allan’s Discussions": a widget about someone, not a name
    name = " ".join(words)
    if len(name) > MAX_NAME_CHARS or len(name) < 2 or not any(c.isalpha() for c in name):
        return None
    if name.lower() in _NOISE_ENTRIES or not _name_characters(name):
        return None
    if " " not in name and len(_HAN.findall(name)) > _MAX_HAN_NAME:
        return None
    if name.isupper() and len(name) > 3:
        name = name.title()  # "JOHN SMITH" → "John Smith"; short initials stay as they are
    elif len(name.split()) > 1:  # "Claire MARTIN", as French bylines write surnames
        name = " ".join(
            w.capitalize() if w.isalpha() and w.isupper() and len(w) > 2 else w
            for w in name.split()
        )
    return name


def _name_characters(name: str) -> bool:
    return all(
        ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM" for ch in name
    )


def too_long(text: str) -> bool:
    """Longer than a byline; a CJK character weighs as much as a short Latin word."""
    return len(text) + 2 * len(_HAN.findall(text)) > _MAX_BYLINE_CHARS


def split_names(text: str) -> list[str]:
    """ "By Jane Doe and John Smith, Senior Writer" → ["Jane Doe", "John Smith"]."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    # "Martin Untersinger (avec Damien Leloup et Morgane Tual)": more names; "Richard (R.J.)
    # Eskow", "John Smith (Reuters)": a nickname or a source, dropped.
    text = _PARENS.sub(_bracketed, text)
    text = re.sub(r"[^\S\n]+", " ", text).strip()
    if not text:
        return []
    names = []
    parts = []
    # "Jane Doe, Senior Staff Technologist, ACLU Speech, Privacy, and Technology Project": what
    # follows a role is the author's affiliation, up to a conjunction ("..., and John Smith").
    affiliation = False
    for part, joined in _parts(_SENTENCE_BREAK.sub("\n", text)):
        parts.append(part)
        if joined:
            affiliation = False
        if affiliation:
            continue
        if _ROLE_PART.match(part):
            affiliation = True
            continue
        name = _clean_one(_TRAILING_TITLE.sub("", _TRAILING_ROLE.sub("", part)))
        if name:
            names.append(name)
    if len(parts) > _MAX_PARTS and len(names) * 2 < len(parts):
        return []  # a list of things, a few of which look like names: not a byline
    if len(names) > 1 and any(" " in n for n in names):
        # "Hans Müller, Berlin", "Jane Doe, Reuters": beside a full name, one word is a
        # place, a credential or a desk.
        names = [n for n in names if " " in n]
    return names


def _parts(text: str) -> Iterator[tuple[str, bool]]:
    """The non-blank pieces of `text` between `_SPLIT`'s separators, each with whether a
    conjunction joined it to the piece before."""
    pieces = _SPLIT.split(text)  # text, conjunction after a comma, conjunction, text, ...
    joined = False
    for i in range(0, len(pieces), 3):
        if pieces[i].strip():
            yield pieces[i], joined
            joined = False
        if i + 2 < len(pieces):
            joined = joined or bool(pieces[i + 1] or pieces[i + 2])


def _bracketed(match: re.Match[str]) -> str:
    inside = match.group(0)[1:-1]
    return f"\n{inside}\n" if len(inside.split()) > 1 else " "


def full_names(names: list[str]) -> list[str]:
    """Names of at least two words (or in a script written without spaces): what a byline
    found by its looks must give, since one word there is a section, a place or a button."""
    return [n for n in names if " " in n or _HAN.search(n)]


def dedupe(names: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Keep the first spelling of each name, case- and space-insensitively; drop `exclude`."""
    seen = {norm(e) for e in exclude if e}
    kept = []
    for name in names:
        key = norm(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


_MAX_BYLINE_CHARS = 200


_DATE_WORDS = re.compile(
    r"\b(?:(?:last\s+)?(?:updated|published|posted|modified)\b(?!\s+by\b)|\d{1,2}:\d{2}|"
    r"(?:on\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|sept|oct|nov|dec)[a-z]*\.?\s+\d)).*$",
    re.I | re.M,
)


def until_date(text: str) -> str:
    """ "By Jane Doe Updated March 15, 2024" → "By Jane Doe"."""
    return _DATE_WORDS.sub("", text)
