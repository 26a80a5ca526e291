"""Authors of a page: JSON-LD author, else the author metas, else the visible byline; what is
a name in their text is names.py's.

The visible byline is looked for in this order: microdata and rel=author markers (the article's
own itemscope first), elements whose class names a byline ("byline", "author", "auteur" ...),
then the few elements after the headline: one whose text opens with a byline phrase, or links
to the site's author pages.
"""

from __future__ import annotations

import re
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
from crawler.extraction.names import (
    INTRODUCER,
    alternation,
    dedupe,
    full_names,
    split_names,
    too_long,
    until_date,
)
from crawler.extraction.text import norm, text_of

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
_BYLINE_MARKER = re.compile(alternation(by.BYLINE_MARKERS), re.I)
_BYLINE_TOKEN = re.compile(
    rf"(?<![^\s_-])(?:{alternation(by.BYLINE_TOKENS)})"
    rf"|(?-i:{alternation(t.capitalize() for t in by.BYLINE_TOKENS)})",
    re.I,
)
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
    return [] if too_long(text) else split_names(until_date(text))


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
        if text and not too_long(text):
            names = full_names(split_names(until_date(text)))
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
        if not head or not INTRODUCER.match(head + " "):
            continue
        if _NOT_BYLINE_CONTAINERS.search(class_and_id(element)) or apart(element):
            continue  # a picture's credit, a related story's byline
        text = _byline_text(element)
        if not too_long(text):
            names = full_names(split_names(until_date(text)))
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
