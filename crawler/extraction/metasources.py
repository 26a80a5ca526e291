"""The page as the metadata stage reads it: its <meta> values, JSON-LD, a few tag lists from
one walk of the tree, and the helpers every metadata field shares."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.jsonld import JsonLd
from crawler.extraction.rules import ExtractionRules
from crawler.extraction.text import clean, norm

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Containers whose dates and names belong to other articles or to readers.
_OTHER_BLOCK_WORDS = (
    r"related|recommend|sidebar|widget|popular|most-?read|most-?viewed|trending|"
    r"comment|teaser|promo|more-?from|more-?on|story-?more|alsos?-|also-?read|read-?more|rail|"
    r"newsletter|outbrain|taboola|follow-?(?:list|us)"
)
_ELSEWHERE = re.compile(rf"(?:^|[\s_-])(?:{_OTHER_BLOCK_WORDS}|footer)", re.I)
_ELSEWHERE_BUT_FOOTER = re.compile(rf"(?:^|[\s_-])(?:{_OTHER_BLOCK_WORDS})", re.I)
ELSEWHERE_TAGS = frozenset({"aside", "footer", "nav"})
MAX_CANDIDATES = 40

_X = etree.XPath
# One walk for the microdata and rel= markers: itemprop dates and authors, rel=author, rel=tag.
_MARKERS = _X(
    "//@itemprop[. = 'datePublished' or . = 'dateModified' or . = 'author' or . = 'creator']"
    " | //@rel[contains(., 'author') or contains(., 'tag')]"
)


def owners(attributes: list[Any], tags: frozenset[str] | None = None) -> list[etree._Element]:
    """The elements carrying `attributes` (XPath attribute results), in order, each once."""
    found: dict[etree._Element, None] = {}
    for attribute in attributes:
        element = attribute.getparent()
        if element is not None and (tags is None or element.tag in tags):
            found.setdefault(element, None)
    return list(found)


# (element, class, id, aria-label): an element and the attributes that name it.
Named = tuple[etree._Element, str | None, str | None, str | None]


def naming(elements: Iterable[etree._Element]) -> list[Named]:
    """Each of `elements` that has a class, id or aria-label, with their values.

    The class/id searches of the dateline, byline and breadcrumb run on this list as Python
    substring tests: an XPath `//@class[contains(., 'date') or ...]` costs five times as much,
    as libxml2 copies the attribute's value for every contains().
    """
    found = []
    for element in elements:
        get = element.get
        cls, ident, label = get("class"), get("id"), get("aria-label")
        if cls is not None or ident is not None or label is not None:
            found.append((element, cls, ident, label))
    return found


# An element and its class and id ("" for none): what the cleaner judges it by.
Classed = tuple[etree._Element, str, str]


def attributed(root: etree._Element) -> tuple[list[Named], list[Classed]]:
    """One walk of the page for two stages: `naming`'s list (metadata's class/id searches) and
    the elements with a class, id, role or itemprop, with their class and id (the cleaner's
    candidates, which `cleaning.prune_page` would otherwise find in a walk of its own, and
    whose attributes it would read again: 0.25 ms a page each)."""
    names: list[Named] = []
    classed: list[Classed] = []
    for element in root.iter(etree.Element):
        get = element.get
        cls, ident, label = get("class"), get("id"), get("aria-label")
        if cls is not None or ident is not None:
            names.append((element, cls, ident, label))
            classed.append((element, cls or "", ident or ""))
            continue
        if label is not None:
            names.append((element, cls, ident, label))
        if get("role") is not None or get("itemprop") is not None:
            classed.append((element, "", ""))
    return names, classed


def named(
    elements: list[Named],
    in_class: re.Pattern[str],
    in_id: re.Pattern[str],
    in_label: re.Pattern[str] | None = None,
) -> list[etree._Element]:
    """The elements whose class, id (or aria-label) has a match of these patterns, in order."""
    return [
        element
        for element, cls, ident, label in elements
        if (cls is not None and in_class.search(cls))
        or (ident is not None and in_id.search(ident))
        or (in_label is not None and label is not None and in_label.search(label))
    ]


def guard(label: str, default: T, fn: Callable[..., T], *args: Any) -> T:
    """Run one field's extraction; a failure costs that field only (and is logged)."""
    try:
        return fn(*args)
    except Exception:
        logger.warning("metadata: %s extraction failed", label, exc_info=True)
        return default


def class_and_id(element: etree._Element) -> str:
    """The element's class and id, space-separated: what its page calls it."""
    return f"{element.get('class', '')} {element.get('id', '')}"


def elsewhere(
    element: etree._Element,
    tags: frozenset[str] = ELSEWHERE_TAGS,
    layout: Container[etree._Element] = (),
    *,
    own_footers: bool = False,
) -> bool:
    """Inside an aside, footer, nav (`tags`) or a related/comments/sidebar block. The blocks in
    `layout` (those holding the article's headline) are the page's frame whatever their class
    says ("mainwrap sidebar", an opinion page's "commentHeader"): the walk stops there.

    `own_footers`, for an element found beside the headline: a footer below a `layout` block
    is that block's own (the New York Times's "story-meta-footer" under the headline holds the
    byline and dateline), not the page's."""
    for ancestor in element.iterancestors():
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if tag == "body" or ancestor in layout:
            return False  # its classes describe the page layout ("sidebar-left"), not a block
        cls, ident = ancestor.get("class"), ancestor.get("id")
        if own_footers:
            if (tag in tags and tag != "footer") or _names_other_block(cls, ident):
                return True
        elif tag in tags or _names_elsewhere(cls, ident):
            return True
    return False


@lru_cache(maxsize=8192)
def _names_elsewhere(cls: str | None, ident: str | None) -> bool:
    """Whether a class and id name a related/comments/sidebar block or a footer. Cached: the
    same values come up for every date, tag and name looked at on a page, and across a site's
    pages."""
    marker = f"{cls or ''} {ident or ''}"
    return bool(marker.strip() and _ELSEWHERE.search(marker))


def _names_other_block(cls: str | None, ident: str | None) -> bool:
    """`_names_elsewhere`, a footer aside."""
    marker = f"{cls or ''} {ident or ''}"
    return bool(marker.strip() and _ELSEWHERE_BUT_FOOTER.search(marker))


def strings(value: Any, key: str = "name") -> Iterator[str]:
    """Strings inside a JSON-LD value: a string, a list, or objects carrying `key`."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)
    elif isinstance(value, dict):
        yield from strings(value.get(key), key)


class Metas:
    """All <meta> values of the page by lower-cased name/property/itemprop/http-equiv."""

    def __init__(self, metas: Iterable[etree._Element]) -> None:
        self.values: dict[str, list[str]] = defaultdict(list)
        for meta in metas:
            content = meta.get("content")
            if content is None:
                continue
            content = clean(content)
            if not content:
                continue
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                # itemprop="datePublished dateCreated" names two properties
                for key in (meta.get(attribute) or "").lower().split():
                    self.values[key].append(content)

    def first(self, *keys: str) -> str | None:
        for key in keys:
            if self.values.get(key):
                return self.values[key][0]
        return None

    def all(self, *keys: str) -> list[str]:
        return [value for key in keys for value in self.values.get(key, ())]


class Elements:
    """The page's elements of the few tags metadata reads, from one walk of the tree."""

    TAGS = ("title", "h1", "time", "link", "p", "script", "meta", "article", "main")
    MAX_PARAGRAPHS = 40

    def __init__(self, root: etree._Element) -> None:
        self.by_tag: dict[str, list[etree._Element]] = {tag: [] for tag in self.TAGS}
        paragraphs = self.by_tag["p"]
        for element in root.iter(*self.TAGS):
            if element.tag == "p" and len(paragraphs) >= self.MAX_PARAGRAPHS:
                continue
            self.by_tag[element.tag].append(element)

    def __getitem__(self, tag: str) -> list[etree._Element]:
        return self.by_tag[tag]

    def links(self, rel: str) -> list[str]:
        return [
            link.get("href") or ""
            for link in self.by_tag["link"]
            if rel in (link.get("rel") or "").lower().split()
        ]


@dataclass
class Page:
    root: etree._Element
    url: str
    rules: ExtractionRules | None
    elements: Elements
    metas: Metas
    ld: JsonLd
    article: dict[str, Any] | None  # the JSON-LD article (or WebPage) node
    known_names: list[Named] | None = None  # `names`, when the caller walked the page already

    @property
    def date_format(self) -> str | None:
        return self.rules.date_format if self.rules else None

    @cached_property
    def _marked(self) -> dict[str, list[etree._Element]]:
        marked: dict[str, list[etree._Element]] = {"date": [], "author": [], "tag": []}
        for value in _MARKERS(self.root):
            element = value.getparent()
            if value.attrname == "itemprop":
                kind = "date" if value.startswith("date") else "author"
            elif "author" in value.lower().split():
                kind = "author"
            elif "tag" in value.lower().split() and element.tag == "a":
                kind = "tag"
            else:
                continue
            marked[kind].append(element)
        return marked

    @cached_property
    def names(self) -> list[Named]:
        """Every element of the page with a class, id or aria-label (`naming`), in order."""
        if self.known_names is not None:
            return self.known_names
        return naming(self.root.iter(etree.Element))

    def marked(self, kind: str) -> list[etree._Element]:
        """Elements with itemprop dates ("date"), itemprop/rel author ("author"), rel=tag links."""
        return self._marked[kind]


def domain_keys(url: str) -> list[str]:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = [label for label in host.split(".") if label]
    # "presstv.ir" → "presstv"; "bbc.co.uk" → "bbc"; keep the whole host too ("presstv.ir").
    main = [label for label in labels[:-1] if label not in ("co", "com", "org", "net", "ac")]
    return [norm(host), *(norm(label) for label in main if len(label) > 2)]
