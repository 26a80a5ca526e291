"""Authors of a page: JSON-LD author, else the author metas, else the visible byline.

Names are cleaned the same way whatever their source: no "By", no roles ("Staff Writer"), no
handles, e-mails or "Follow" buttons, "A and B" split, one entry per person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from crawler.extraction.jsonld import ARTICLE_TYPES, PERSON_TYPES, type_names
from crawler.extraction.metasources import (
    MAX_CANDIDATES,
    Page,
    elsewhere,
    guard,
    norm,
    owners,
    strings,
)
from crawler.extraction.text import text_of

MAX_NAME_WORDS = 5
MAX_NAME_CHARS = 60

# "By", "Written by", "Von", "Par", "Por", "Di", "Door", "Av", "Autor:" ... at the start.
_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|posted|words|text|story|reporting|photos?)\s+(?:and\s+\w+\s+)?"
    r"by|by|von|par|por|di|door|av|autor(?:in)?|author|auteur|texto|text|words|redacción|"
    r"redaction|rédaction|reporter|posted)\s*[:\-–—]?\s+",
    re.I,
)
_SPLIT = re.compile(r"\s*(?:,|;|\|| and | & | und | et | y | e | och | og |\n| / | with )\s*", re.I)
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
_DIGITS = re.compile(r"\d")
# A name part that is a role, a widget label or an organisation word, not a person.
_NOISE_WORDS = frozenset(
    """
    follow following unfollow share tweet email e-mail twitter facebook linkedin instagram
    contact articles posts stories view all profile bio updated published
    staff admin administrator editor editors editorial team newsroom desk correspondent
    reporter writer contributor contributing columnist journalist producer photographer
    senior chief associate political business sports digital news agency agencies wires wire
    guest subscribe sign read comments comment
    """.split()
)
# Whole entries that are noise even though they look like names.
_NOISE_ENTRIES = frozenset(
    {
        "staff", "staff writer", "staff reporter", "admin", "administrator", "editor", "editors",
        "editorial", "editorial staff", "editorial board", "web desk", "news desk", "newsdesk",
        "anonymous", "unknown", "guest", "guest author", "contributor", "redaktion", "rédaction",
        "redacción", "the associated press", "follow", "more", "by",
    }
)  # fmt: skip
_TRAILING_ROLE = re.compile(
    r"\s*[,|–—-]\s*(?:senior|chief|staff|special|political|foreign|contributing|associate|"
    r"business|sports|science|health|tech|technology|news|\w+)?\s*"
    r"(?:correspondent|reporter|writer|editor|columnist|contributor|journalist|producer|"
    r"analyst|photographer)\b.*$",
    re.I,
)


def _clean_one(name: str) -> str | None:
    name = _URL.sub(" ", _EMAIL.sub(" ", _PARENS.sub(" ", name)))
    name = _HANDLE.sub(" ", name)
    name = " ".join(name.split()).strip(" .,:;|-–—·•")
    while True:
        stripped = _PREFIX.sub("", name, count=1)
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
    lowered = name.lower()
    if lowered in _NOISE_ENTRIES:
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
    if len(words) == 1 and words[0].lower().strip(".") in _NOT_NAMES:
        return None
    if any(w[0].islower() and w not in _PARTICLES for w in words if w[0].isalpha()):
        return None  # "the author of this article": a sentence, not a name
    name = " ".join(words)
    if len(name) > MAX_NAME_CHARS or len(name) < 2 or not any(c.isalpha() for c in name):
        return None
    if name.isupper() and len(name) > 3:
        name = name.title()  # "JOHN SMITH" → "John Smith"; short initials stay as they are
    elif len(name.split()) > 1:  # "Claire MARTIN", as French bylines write surnames
        name = " ".join(
            w.capitalize() if w.isalpha() and w.isupper() and len(w) > 2 else w
            for w in name.split()
        )
    return name


def split_names(text: str) -> list[str]:
    """ "By Jane Doe and John Smith, Senior Writer" → ["Jane Doe", "John Smith"]."""
    text = re.sub(r"[^\S\n]+", " ", text).strip()
    if not text:
        return []
    names = []
    for part in _SPLIT.split(_SENTENCE_BREAK.sub("\n", text)):
        name = _clean_one(_TRAILING_ROLE.sub("", part))
        if name:
            names.append(name)
    return names


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


# --- sources on the page ---------------------------------------------------------------

AUTHOR_METAS = (
    "author", "article:author", "og:article:author", "dc.creator", "dcterms.creator",
    "parsely-author", "sailthru.author", "byl", "citation_author", "cxenseparse:author",
)  # fmt: skip
# Class/id searches select the attributes, not the elements: half the cost of //*[contains()].
_BYLINE = etree.XPath(
    "//@class[contains(., 'byline') or contains(., 'by-line') or contains(., 'author')"
    " or contains(., 'Author') or contains(., 'Byline')] | //@id[contains(., 'byline')]"
)
_MAX_BYLINE_CHARS = 200


def _jsonld_authors(page: Page) -> list[str]:
    if page.article is None:
        return []
    people, organisations = [], []
    for key in ("author", "creator"):
        value = page.article.get(key)
        for item in value if isinstance(value, list) else [value]:
            item = page.ld.resolve(item)
            if isinstance(item, str):
                people.extend(split_names(item) if not item.startswith("http") else [])
            elif isinstance(item, dict):
                names = [n for n in strings(item.get("name")) if not n.startswith("http")]
                target = (
                    people
                    if not type_names(item) or "Person" in type_names(item)
                    else (organisations)
                )
                for name in names:
                    target.extend(split_names(name))
        if people:
            break
    if not people and not organisations and set(type_names(page.article)) & ARTICLE_TYPES:
        for node in page.ld.of_types(PERSON_TYPES):
            people.extend(n for s in strings(node.get("name")) for n in split_names(s))
    return people or organisations


def _meta_authors(page: Page) -> list[str]:
    names = []
    for value in page.metas.all(*AUTHOR_METAS):
        if "://" in value or value.startswith("www.") or value.startswith("@"):
            continue  # article:author is often a profile URL; twitter handles are no names
        names.extend(split_names(value))
    return names


def _byline_authors(page: Page) -> list[str]:
    names: list[str] = []
    precise = [e for e in page.marked("author")[:MAX_CANDIDATES] if not elsewhere(e)]
    for element in precise:
        inner = element.xpath(".//*[@itemprop='name']")
        text = text_of(inner[0]) if inner else (element.get("content") or text_of(element))
        if len(text) <= _MAX_BYLINE_CHARS:
            names.extend(split_names(_until_date(text)))
    if names:
        return names
    bylines = [e for e in owners(_BYLINE(page.root))[:MAX_CANDIDATES] if not elsewhere(e)]
    for element in bylines:
        if element.tag in ("img", "script", "style", "meta", "link"):
            continue
        text = _byline_text(element)
        if text and len(text) <= _MAX_BYLINE_CHARS:
            names.extend(split_names(_until_date(text)))
        if names:
            break  # the first byline block that names someone
    return names


def _byline_text(element: etree._Element) -> str:
    """Text of a byline block, one line per block-level child, without scripts and images."""
    pieces = []
    for node in element.iter():
        if node.tag in ("script", "style", "noscript", "time", "button", "svg"):
            continue
        if node.tag in ("br", "div", "p", "li") and pieces:
            pieces.append("\n")
        if node.text and node is not element and _skipped_parent(node, element):
            continue
        if node.text:
            pieces.append(node.text)
        if node is not element and node.tail:
            pieces.append(node.tail)
    return re.sub(r"[^\S\n]+", " ", "".join(pieces)).strip()


def _skipped_parent(node: etree._Element, stop: etree._Element) -> bool:
    for ancestor in node.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in ("script", "style", "noscript", "time", "button", "svg"):
            return True
    return False


_DATE_WORDS = re.compile(
    r"\b(?:(?:last\s+)?(?:updated|published|posted|modified)\b(?!\s+by\b)|\d{1,2}:\d{2}|"
    r"(?:on\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|sept|oct|nov|dec)[a-z]*\.?\s+\d)).*$",
    re.I | re.M,
)


def _until_date(text: str) -> str:
    """ "By Jane Doe Updated March 15, 2024" → "By Jane Doe"."""
    return _DATE_WORDS.sub("", text)


def page_authors(page: Page, site_names: list[str]) -> list[str]:
    for source in (_jsonld_authors, _meta_authors, _byline_authors):
        names = dedupe(guard(source.__name__, [], source, page), exclude=site_names)
        if names:
            return names
    return []
