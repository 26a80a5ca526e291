"""Authors of a page: JSON-LD author, else the author metas, else the visible byline.

Names are cleaned the same way whatever their source: no "By"/"Par"/"Von"/"بقلم", no roles
("Staff Writer", "Korrespondent"), no handles, e-mails or "Follow" buttons, "A and B" split, one
entry per person. Authors are people: the newsroom ("Staff", "Redaktion"), news agencies
("AFP", "dpa") and organisations are no one's name. The words of all this, per language, are
data in bylines.py.

The visible byline is looked for in this order: microdata and rel=author markers (the article's
own itemscope first), elements whose class names a byline ("byline", "author", "auteur" ...),
then the few elements after the headline: one whose text opens with a byline phrase, or links
to the site's author pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction import bylines as by
from crawler.extraction.chrome import article_headline, headline_blocks
from crawler.extraction.jsonld import ARTICLE_TYPES, PERSON_TYPES, type_names
from crawler.extraction.metasources import (
    MAX_CANDIDATES,
    Page,
    class_and_id,
    elsewhere,
    guard,
    named,
    strings,
)
from crawler.extraction.text import norm, text_of

MAX_NAME_WORDS = 5
MAX_NAME_CHARS = 60


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


# "By", "Written by", "Von", "Par", "Por", "Door", "Autor:", "بقلم", "文/" ... at the start.
# (after any marks before it: "// By Arun Sai Krishnan • Nov 11, 2020", "— Par Jeanne Dupont")
_INTRODUCER = re.compile(
    rf"^\W*(?:{_alternation(by.merged(by.INTRODUCERS))})(?:\s*[:：/／\-–—]\s*|\s+|$)", re.I
)
_CONJUNCTION = rf"(?:&|{_alternation(by.merged(by.CONJUNCTIONS))})"
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
_ROLE_WORDS = _alternation(by.ROLES)
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
        stripped = _INTRODUCER.sub("", name, count=1)
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


def _too_long(text: str) -> bool:
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


# --- sources on the page ---------------------------------------------------------------

AUTHOR_METAS = (
    "author", "article:author", "og:article:author", "dc.creator", "dcterms.creator",
    "parsely-author", "sailthru.author", "byl", "citation_author", "cxenseparse:author",
)  # fmt: skip
# Class/id values with any marker, its first letter left out so that "Author" is found with
# "author"; of them, those with a usual marker anywhere, then those with one of the rest where
# a class token starts (they hide inside other words: "confirmation"). Usual markers first.
_MARKERS = (*by.BYLINE_MARKERS, *by.BYLINE_TOKENS)
_BYLINE = re.compile("|".join(re.escape(m[1:]) for m in _MARKERS))
_BYLINE_MARKER = re.compile(_alternation(by.BYLINE_MARKERS), re.I)
_BYLINE_TOKEN = re.compile(
    rf"(?<![^\s_-])(?:{_alternation(by.BYLINE_TOKENS)})"
    rf"|(?-i:{_alternation(t.capitalize() for t in by.BYLINE_TOKENS)})",
    re.I,
)
_MAX_BYLINE_CHARS = 200
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "time", "button", "svg"})
_AUTHOR_PATHS = frozenset(by.AUTHOR_PATHS)
# Elements read after the headline for a byline phrase or author links.
_NEAR_HEADLINE = 80
# A picture's credit or caption is signed too, by someone else.
_NOT_BYLINE_CONTAINERS = re.compile(
    r"caption|copyright|breadcrumb|picture|photo|image|thumbnail|avatar", re.I
)


class Found(list[str]):
    """Names from one source; `people` are those the page itself types as persons."""

    def __init__(self, names: Iterable[str] = (), people: Iterable[str] = ()) -> None:
        super().__init__(names)
        self.people = {norm(p) for p in people}


def _jsonld_authors(page: Page) -> Found:
    if page.article is None:
        return Found()
    names: list[str] = []
    people: list[str] = []  # of them, those typed Person
    for key in ("author", "creator"):
        value = page.article.get(key)
        for item in value if isinstance(value, list) else [value]:
            item = page.ld.resolve(item)
            if isinstance(item, str):
                names.extend(split_names(item) if not item.startswith("http") else [])
            elif isinstance(item, dict):
                types = type_names(item)
                if types and "Person" not in types:
                    continue  # an Organization: the site or an agency, not a person
                for name in strings(item.get("name")):
                    found = split_names(name) if not name.startswith("http") else []
                    names.extend(found)
                    if types:
                        people.extend(found)
        if names:
            break
    if not names and set(type_names(page.article)) & ARTICLE_TYPES:
        # A Person somewhere on the page: the author, or only someone it mentions.
        for node in page.ld.of_types(PERSON_TYPES):
            names.extend(n for s in strings(node.get("name")) for n in split_names(s))
    return Found(names, people)


def _meta_authors(page: Page) -> Found:
    names = []
    for value in page.metas.all(*AUTHOR_METAS):
        if "://" in value or value.startswith("www.") or value.startswith("@"):
            continue  # article:author is often a profile URL; twitter handles are no names
        names.extend(split_names(value))
    return Found(names)


def _scope(element: etree._Element) -> etree._Element | None:
    """The microdata item an itemprop belongs to: the nearest itemscope above it."""
    for ancestor in element.iterancestors():
        if ancestor.get("itemscope") is not None:
            return ancestor
    return None


def _is_article_item(element: etree._Element | None) -> bool:
    if element is None:
        return False
    itemtype = element.get("itemtype") or ""
    return any(t.rstrip("/").rsplit("/", 1)[-1] in ARTICLE_TYPES for t in itemtype.split())


def _marked_tiers(page: Page) -> Iterator[list[etree._Element]]:
    """itemprop=author of the article's item (even in an <aside>), other itemprops, rel=author."""
    marked = page.marked("author")[:MAX_CANDIDATES]
    itemprops = [e for e in marked if e.get("itemprop") is not None]
    scopes = [(e, _scope(e)) for e in itemprops]
    first_article = next((s for _, s in scopes if _is_article_item(s)), None)
    if first_article is not None:
        yield [e for e, s in scopes if s is first_article]
    yield [e for e, s in scopes if (s is not first_article or s is None) and not elsewhere(e)]
    yield [e for e in marked if e.get("itemprop") is None and not elsewhere(e)]


def _marked_names(element: etree._Element) -> list[str]:
    inner = element.xpath(".//*[@itemprop='name']")
    if inner:
        text = inner[0].get("content") or text_of(inner[0])
    else:
        text = element.get("content") or text_of(element)
    return [] if _too_long(text) else split_names(_until_date(text))


def _is_person_item(element: etree._Element) -> bool:
    return "person" in (element.get("itemtype") or "").lower()


def _is_organisation_item(element: etree._Element) -> bool:
    return "organi" in (element.get("itemtype") or "").lower()


def _byline_authors(page: Page) -> Found:
    for tier in _marked_tiers(page):
        names: list[str] = []
        people: list[str] = []
        for element in tier:
            if _is_organisation_item(element):
                continue
            found = _marked_names(element)
            names.extend(found)
            if _is_person_item(element):
                people.extend(found)
        if names:
            return Found(names, people)
    candidates = named(page.names, _BYLINE, _BYLINE)
    marked = [
        (e, [v for v in (e.get("class"), e.get("id")) if v is not None and _BYLINE.search(v)])
        for e in candidates
    ]
    for pattern in (_BYLINE_MARKER, _BYLINE_TOKEN):
        names = _first_byline_block(
            [e for e, values in marked if any(pattern.search(v) for v in values)]
        )
        if names:
            return Found(names)
    return Found(_after_headline(page))


def _first_byline_block(elements: list[etree._Element]) -> list[str]:
    """Names of the first byline block that names someone."""
    for element in elements[:MAX_CANDIDATES]:
        if element.tag in ("img", "script", "style", "meta", "link", "body", "html"):
            continue
        if elsewhere(element) or _in_credit(element):
            continue
        text = _byline_text(element)
        if text and not _too_long(text):
            names = full_names(split_names(_until_date(text)))
            if names:
                return names
    return []


def _in_credit(element: etree._Element, levels: int = 3) -> bool:
    """In a picture's credit or caption, or a teaser's thumbnail: signed by someone else."""
    node: etree._Element | None = element
    for _ in range(levels + 1):
        if node is None:
            return False
        if _NOT_BYLINE_CONTAINERS.search(class_and_id(node)):
            return True
        node = node.getparent()
    return False


def _headline(page: Page) -> etree._Element | None:
    """The article's <h1> (`chrome.article_headline`), else its first <article>."""
    headline = article_headline(page)
    if headline is not None:
        return headline
    articles = page.elements["article"]
    return articles[0] if articles else None


def _following(start: etree._Element, limit: int) -> Iterator[etree._Element]:
    """Up to `limit` elements after `start` in document order, within its grandparent."""
    node, seen, levels = start, 0, 0
    while node is not None and levels < 3:
        for sibling in node.itersiblings():
            for element in sibling.iter():
                if not isinstance(element.tag, str):
                    continue
                yield element
                seen += 1
                if seen >= limit:
                    return
        node, levels = node.getparent(), levels + 1


def _is_author_link(element: etree._Element) -> bool:
    href = element.get("href")
    if not href:
        return False
    try:
        segments = [s for s in urlsplit(href).path.lower().split("/") if s]
    except ValueError:
        return False
    if len(segments) == 1 and len(segments[0]) > 1 and segments[0].startswith("@"):
        return True  # a profile by handle: Medium's "/@janedoe", Substack's, Mastodon's
    return any(s in _AUTHOR_PATHS for s in segments[:-1])


def _after_headline(page: Page) -> list[str]:
    """The byline just after the headline: an element opening with "By"/"Par"/"Von" ...
    (then everything it says), else the links to the site's author pages."""
    start = _headline(page)
    if start is None:
        return []
    # Near the headline, the walk up from a byline stops at the blocks holding the headline,
    # and a footer under them is the headline's own (see `elsewhere`).
    frame = headline_blocks(start)

    def apart(element: etree._Element) -> bool:
        return elsewhere(element, layout=frame, own_footers=True)

    links: list[str] = []
    link_parent = None
    for element in _following(start, _NEAR_HEADLINE):
        if element.tag in _SKIPPED_TAGS or element.tag in ("figure", "figcaption", "img"):
            continue
        if element.tag == "a" and _is_author_link(element) and not apart(element):
            names = split_names(text_of(element))
            if not names:
                continue  # the author's photo, linked to the same page as the name
            if link_parent is None:
                link_parent = element.getparent()
            if element.getparent() is link_parent:
                links.extend(names)
            continue
        if links or element.tag in ("h1", "h2", "h3"):
            if links:
                break
            continue
        head = (element.text or "").strip()
        if not head or not _INTRODUCER.match(head + " "):
            continue
        if _NOT_BYLINE_CONTAINERS.search(class_and_id(element)) or apart(element):
            continue  # a picture's credit, a related story's byline
        text = _byline_text(element)
        if not _too_long(text):
            names = full_names(split_names(_until_date(text)))
            if names:
                return names
    return full_names(links)


def _byline_text(element: etree._Element) -> str:
    """Text of a byline block in reading order, one line per block-level child, without
    scripts, images, comments or the dates of <time> (whose tails stay: "Par <a>A</a> et
    <a>B</a>" is two names)."""
    pieces: list[str] = []
    skipped = 0  # depth inside skipped elements
    for event, node in etree.iterwalk(element, events=("start", "end")):
        skip = not isinstance(node.tag, str) or node.tag in _SKIPPED_TAGS
        if event == "start":
            if skip:
                skipped += 1
            elif not skipped:
                if node.tag in ("br", "div", "p", "li") and pieces:
                    pieces.append("\n")
                if node.text:
                    pieces.append(node.text)
            continue
        if skip:
            skipped -= 1
        if node is not element and node.tail and not skipped:
            pieces.append(node.tail)
    return re.sub(r"[^\S\n]+", " ", "".join(pieces)).strip()


_DATE_WORDS = re.compile(
    r"\b(?:(?:last\s+)?(?:updated|published|posted|modified)\b(?!\s+by\b)|\d{1,2}:\d{2}|"
    r"(?:on\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|sept|oct|nov|dec)[a-z]*\.?\s+\d)).*$",
    re.I | re.M,
)


def _until_date(text: str) -> str:
    """ "By Jane Doe Updated March 15, 2024" → "By Jane Doe"."""
    return _DATE_WORDS.sub("", text)


_SOURCES: tuple[Callable[[Page], Found], ...] = (_jsonld_authors, _meta_authors, _byline_authors)


_DOMAIN_SUFFIX = re.compile(r"\.[a-z]{2,6}$", re.I)


def page_authors(page: Page, site_names: list[str]) -> list[str]:
    """The page's authors. A name that is also the site's goes (a newsroom signing as the
    site, "Le Monde" for "Le Monde.fr"), unless the page types it as a person and it reads as
    a person's full name: on a personal site the two are the same."""
    sites = [*site_names, *(_DOMAIN_SUFFIX.sub("", s) for s in site_names)]
    for source in _SOURCES:
        found = guard(source.__name__, Found(), source, page)
        exclude = [s for s in sites if norm(s) not in found.people or " " not in s.strip()]
        names = dedupe(found, exclude=exclude)
        if names:
            return names
    return []
