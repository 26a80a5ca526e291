"""Stage 3 — page metadata from the whole (uncleaned) tree: <meta>, JSON-LD, <link>, <title>,
and the visible byline, dateline and breadcrumb.

Runs before the body is cleaned and never changes the tree. Each field is read from several
sources in a fixed order of trust:

- title: the <h1> when another source agrees with it, else og:title, JSON-LD headline,
  twitter:title, <title>; " | Site" suffixes and "Site - " prefixes removed when they name the
  site (og:site_name, JSON-LD publisher, the domain);
- authors: JSON-LD author, else author metas (author, article:author, dc.creator, parsely-author
  ...), else the visible byline; "By", roles, handles and widget text removed;
- published / modified: JSON-LD and date metas, checked against the visible page (<time>,
  dateline text, the site's `date_format`) and the URL; the visible page wins when they disagree
  on the day (CMS metas are often the crawl, update or template date);
- breadcrumbs: JSON-LD BreadcrumbList, nav[aria-label=breadcrumb], class/id "breadcrumb";
  section: the most specific breadcrumb that is neither a generic root nor the page title, else
  article:section, else JSON-LD articleSection;
- language: the declared one unless the text's script contradicts it, else a guess.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extraction.article import Image
from crawler.extraction.authors import dedupe, split_names
from crawler.extraction.dates import ParsedDate, parse_date, url_date
from crawler.extraction.jsonld import ARTICLE_TYPES, PERSON_TYPES, JsonLd, read_jsonld, type_names
from crawler.extraction.language import (
    declared_plausible,
    detect_language,
    normalize_language,
)
from crawler.extraction.rules import ExtractionRules

logger = logging.getLogger(__name__)
T = TypeVar("T")

# --- sources, in order of trust -------------------------------------------------------------
TITLE_METAS = ("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title")
SITE_NAME_METAS = ("og:site_name", "application-name", "apple-mobile-web-app-title")
AUTHOR_METAS = (
    "author", "article:author", "og:article:author", "dc.creator", "dcterms.creator",
    "parsely-author", "sailthru.author", "byl", "citation_author", "cxenseparse:author",
)  # fmt: skip
PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "published_time",
    "article:published", "ptime", "pdate",
    "article.published", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate",
    "publish-date", "publish_date", "pub_date", "dc.date.issued", "dcterms.issued",
    "citation_publication_date", "cxenseparse:recs:publishtime", "originalpublicationdate",
    "article_date_original", "dc.date", "dcterms.created", "dc.date.created", "date",
    "og:pubdate", "rnews:datepublished",
)  # fmt: skip
MODIFIED_METAS = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "article:modified",
    "modified_time", "article.updated", "dcterms.modified", "dc.date.modified", "last-modified",
    "lastmod", "revised",
)  # fmt: skip
SECTION_METAS = ("article:section", "og:article:section", "parsely-section", "section",
                 "cxenseparse:recs:articlesection", "category")  # fmt: skip
TAG_METAS = ("article:tag", "og:article:tag")
KEYWORD_METAS = ("news_keywords", "keywords")
DESCRIPTION_METAS = ("og:description", "description", "twitter:description", "dc.description")
LANGUAGE_METAS = ("content-language", "language", "dc.language", "og:locale")
IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
               "twitter:image:src", "image", "thumbnail")  # fmt: skip

# Breadcrumb items that name the site's root rather than a section (compared case-folded).
GENERIC_SECTIONS = frozenset(
    (
        "home homepage start startseite accueil inicio portada portal index main news latest "
        "articles article nachrichten noticias notizie notícias actualités actualites nieuws "
        "новости главная الرئيسية الأخبار اخبار 首页 新闻 ホーム ニュース 홈 뉴스"
    ).split()
) | {"home page", "top stories", "all news", "front page", "latest news", "news home"}

# Containers whose dates and names belong to other articles or to readers.
_ELSEWHERE = re.compile(
    r"(?:^|[\s_-])(?:related|recommend|sidebar|widget|popular|most-?read|most-?viewed|trending|"
    r"comment|teaser|promo|more-?from|more-?on|story-?more|alsos?-|also-?read|read-?more|rail|"
    r"newsletter|footer|outbrain|taboola|follow-?(?:list|us))",
    re.I,
)
_ELSEWHERE_TAGS = frozenset({"aside", "footer", "nav"})
_NOT_BREADCRUMB_TAGS = frozenset({"aside", "footer"})

# Lookups by class/id run only when the cheaper sources gave nothing: on a 100 KB page each
# costs about a millisecond. No translate()/normalize-space(): they double that.
_X = etree.XPath
# One walk for the microdata and rel= markers: itemprop dates and authors, rel=author, rel=tag.
_MARKERS = _X(
    "//@itemprop[. = 'datePublished' or . = 'dateModified' or . = 'author' or . = 'creator']"
    " | //@rel[contains(., 'author') or contains(., 'tag')]"
)
# Class/id searches select the attributes, not the elements: half the cost of //*[contains()].
_BYLINE = _X(
    "//@class[contains(., 'byline') or contains(., 'by-line') or contains(., 'author')"
    " or contains(., 'Author') or contains(., 'Byline')] | //@id[contains(., 'byline')]"
)
_DATELINE_ATTRIBUTES = (
    "@class[contains(., 'date') or contains(., 'Date') or contains(., 'time')"
    " or contains(., 'Time') or contains(., 'publish') or contains(., 'posted')"
    " or contains(., 'stamp') or contains(., 'byline') or contains(., 'meta')"
    " or contains(., 'info')] | {0}@id[contains(., 'date') or contains(., 'publish')]"
)
_DATELINE = _X("//" + _DATELINE_ATTRIBUTES.format("//"))
_DATELINE_IN = _X(".//" + _DATELINE_ATTRIBUTES.format(".//"))
_DATELINE_TAGS = frozenset(
    {"div", "span", "p", "li", "small", "em", "strong", "header", "section", "dd", "time"}
)
_BREADCRUMB_CONTAINERS = _X(
    "//@class[contains(., 'readcrumb') or contains(., 'readCrumb')]"
    " | //@id[contains(., 'readcrumb')] | //@aria-label[contains(., 'readcrumb')]"
)
_BREADCRUMB_MICRODATA = _X("//@itemtype[contains(., 'BreadcrumbList')]")


def _owners(attributes: list[Any], tags: frozenset[str] | None = None) -> list[etree._Element]:
    """The elements carrying `attributes` (XPath attribute results), in order, each once."""
    owners: dict[etree._Element, None] = {}
    for attribute in attributes:
        element = attribute.getparent()
        if element is not None and (tags is None or element.tag in tags):
            owners.setdefault(element, None)
    return list(owners)


_GLUED_PREFIX = re.compile(r"^([^\s\-–—:|]{3,30})\s?[-–—:|]\s?(\S.*)$")
_TITLE_SEPARATOR = re.compile(r"(\s+[|\-–—»·•:/]{1,2}\s+|\s*\|\s*)")
_BREADCRUMB_SEPARATORS = "/>»›|→•·:\\-–—›‹<«"
_UPDATED = re.compile(
    r"(?:updated|modified|last\s+updated|edited|aktualisiert|mis\s+à\s+jour|actualizado|"
    r"aggiornato|atualizado|更新|تحديث)\W{0,3}(?:on|at|am|le|el|il|em)?\W{0,3}$",
    re.I,
)
_SPACES = re.compile(r"\s+")
# CMS-internal tags: "@hp-top-stories", "_no-apple-news", "&quot", "/article", URLs.
_NOT_A_TAG = re.compile(r"^[@_&/#]|://|^[\W_]+$")
_MAX_DATELINE_CHARS = 250
_MAX_BYLINE_CHARS = 200
_MAX_TAG_CHARS = 80
_MAX_TAGS = 50
_MAX_CANDIDATES = 40
_MAX_BREADCRUMB_CHARS = 400
_WIDGET_WORDS = frozenset(
    {"facebook", "twitter", "email", "email me", "share", "print", "whatsapp", "linkedin"}
)


@dataclass
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601; with time and offset when the page gives them
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    section: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None  # ISO 639-1 primary subtag ("en", "ar", "zh")
    description: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    lead_image: Image | None = None
    # Page-kind signals for the is-it-an-article decision.
    og_type: str | None = None
    # Every JSON-LD @type of the page's entities: top level, inside @graph and mainEntity.
    schema_types: tuple[str, ...] = ()
    # Where `published` came from: "jsonld", "meta", "visible", "url" (for debugging rules).
    published_source: str | None = None


# --- small helpers ----------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _text(element: etree._Element) -> str:
    try:
        return _clean(element.text_content())
    except (ValueError, AttributeError):  # comments and processing instructions
        return _clean(getattr(element, "text", "") or "")


def _norm(text: str) -> str:
    """Comparison key: case, spacing, punctuation and quote style ignored."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _guard(label: str, default: T, fn: Callable[..., T], *args: Any) -> T:
    """Run one field's extraction; a failure costs that field only (and is logged)."""
    try:
        return fn(*args)
    except Exception:
        logger.warning("metadata: %s extraction failed", label, exc_info=True)
        return default


def _elsewhere(element: etree._Element, tags: frozenset[str] = _ELSEWHERE_TAGS) -> bool:
    """Inside an aside, footer, nav (`tags`) or a related/comments/sidebar block."""
    for ancestor in element.iterancestors():
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if tag == "body":
            return False  # its classes describe the page layout ("sidebar-left"), not a block
        if tag in tags:
            return True
        marker = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if marker.strip() and _ELSEWHERE.search(marker):
            return True
    return False


def _absolute(base: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("data:", "javascript:")):
        return None
    try:
        absolute = urljoin(base, href)
    except ValueError:
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def _strings(value: Any, key: str = "name") -> Iterator[str]:
    """Strings inside a JSON-LD value: a string, a list, or objects carrying `key`."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, dict):
        yield from _strings(value.get(key), key)


class _Metas:
    """All <meta> values of the page by lower-cased name/property/itemprop/http-equiv."""

    def __init__(self, metas: Iterable[etree._Element]) -> None:
        self.values: dict[str, list[str]] = defaultdict(list)
        for meta in metas:
            content = meta.get("content")
            if content is None:
                continue
            content = _clean(content)
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


class _Elements:
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
class _Page:
    root: etree._Element
    url: str
    rules: ExtractionRules | None
    elements: _Elements
    metas: _Metas
    ld: JsonLd
    article: dict[str, Any] | None  # the JSON-LD article (or WebPage) node

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

    def marked(self, kind: str) -> list[etree._Element]:
        """Elements with itemprop dates ("date"), itemprop/rel author ("author"), rel=tag links."""
        return self._marked[kind]


# --- site name and title ------------------------------------------------------------------------


def _site_names(page: _Page) -> list[str]:
    names = [page.metas.first(*SITE_NAME_METAS)]
    if page.article:
        names.extend(_strings(page.ld.resolve(page.article.get("publisher"))))
    for node in page.ld.of_types(frozenset({"WebSite", "Organization", "NewsMediaOrganization"})):
        names.extend(_strings(node.get("name")))
    cleaned = [_clean(n) for n in names if n]
    # Some sites put their URL or Twitter handle there; neither is a name.
    return [n for n in cleaned if n and "://" not in n and not n.startswith(("@", "www."))]


def _domain_labels(url: str) -> list[str]:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = [label for label in host.split(".") if label]
    # "presstv.ir" → "presstv"; "bbc.co.uk" → "bbc"; keep the whole host too ("presstv.ir").
    main = [label for label in labels[:-1] if label not in ("co", "com", "org", "net", "ac")]
    return [_norm(host), *(_norm(label) for label in main if len(label) > 2)]


def _names_site(part: str, site_keys: list[str], domain_keys: list[str]) -> bool:
    key = _norm(part)
    if not key or len(part.split()) > 6:
        return False
    if key in site_keys or key in domain_keys:
        return True
    # "BBC News" on bbc.co.uk, "The Guardian" on theguardian.com
    return any(key.startswith(d) or d.startswith(key) for d in domain_keys if len(key) >= 3)


def _strip_site(title: str, site_keys: list[str], domain_keys: list[str]) -> tuple[str, str | None]:
    """ "Headline | Site" → ("Headline", "Site"): only a whole side that names the site goes."""
    parts = _TITLE_SEPARATOR.split(title)
    removed = None
    while len(parts) >= 3 and _names_site(parts[-1], site_keys, domain_keys):
        removed = parts[-1].strip()
        parts = parts[:-2]
    while len(parts) >= 3 and _names_site(parts[0], site_keys, domain_keys):
        removed = removed or parts[0].strip()
        parts = parts[2:]
    stripped = _clean("".join(parts))
    # "PressTV-Headline": a site name glued to the headline by a dash or colon.
    glued = _GLUED_PREFIX.match(stripped)
    if glued and glued.group(2)[0].isupper() and _names_site(glued[1], site_keys, domain_keys):
        return glued.group(2), removed or glued.group(1)
    return stripped, removed


def _headings(page: _Page) -> list[str]:
    h1s = [h for h in page.elements["h1"][:6] if not _elsewhere(h)]

    # A headline marked as such first; then h1s inside <article>/<main>; then the rest.
    def rank(h: etree._Element) -> int:
        marker = f"{h.get('itemprop', '')} {h.get('class', '')}".lower()
        if "headline" in marker or "title" in marker:
            return 0
        if any(a.tag in ("article", "main") for a in h.iterancestors()):
            return 1
        return 2

    return [t for t in (_text(h) for h in sorted(h1s, key=rank)) if t]


def _title(
    page: _Page, site_names: list[str], sections: list[str]
) -> tuple[str | None, str | None]:
    """The headline, and the site name found in a title suffix (a fallback for site_name)."""
    site_keys = [_norm(n) for n in site_names]
    domain_keys = _domain_labels(page.url)
    raw: list[str] = []
    og = page.metas.first("og:title")
    if og:
        raw.append(og)
    if page.article:
        raw.extend(s for s in _strings(page.article.get("headline")) if s.strip())
    raw.extend(v for v in (page.metas.first(*TITLE_METAS[1:]),) if v)
    titles = page.elements["title"]
    if titles:
        raw.append(_text(titles[0]))
    candidates, suffix_site = [], None
    for text in raw:
        stripped, removed = _strip_site(_clean(text), site_keys, domain_keys)
        suffix_site = suffix_site or removed
        if stripped:
            candidates.append(stripped)
    headings = _headings(page)
    keys = [_norm(c) for c in candidates]
    for heading in headings:
        key = _norm(heading)
        if not key:
            continue
        # The h1 agrees with a title, or is the headline part of one ("Headline - World").
        if any(key == k or (key in k and len(key) * 2 >= len(k)) for k in keys):
            return heading, suffix_site
    section_keys = {_norm(s) for s in sections} | {_norm(s) for s in GENERIC_SECTIONS}
    for candidate in candidates:
        parts = _TITLE_SEPARATOR.split(candidate)
        # "Headline - Politics" once the site is gone: a trailing section name goes too.
        while len(parts) >= 3 and _norm(parts[-1]) in section_keys:
            parts = parts[:-2]
        return _clean("".join(parts)), suffix_site
    return (headings[0] if headings else None), suffix_site


# --- authors --------------------------------------------------------------------------------------


def _jsonld_authors(page: _Page) -> list[str]:
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
                names = [n for n in _strings(item.get("name")) if not n.startswith("http")]
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
            people.extend(n for s in _strings(node.get("name")) for n in split_names(s))
    return people or organisations


def _meta_authors(page: _Page) -> list[str]:
    names = []
    for value in page.metas.all(*AUTHOR_METAS):
        if "://" in value or value.startswith("www.") or value.startswith("@"):
            continue  # article:author is often a profile URL; twitter handles are no names
        names.extend(split_names(value))
    return names


def _byline_authors(page: _Page) -> list[str]:
    names: list[str] = []
    precise = [e for e in page.marked("author")[:_MAX_CANDIDATES] if not _elsewhere(e)]
    for element in precise:
        inner = element.xpath(".//*[@itemprop='name']")
        text = _text(inner[0]) if inner else (element.get("content") or _text(element))
        if len(text) <= _MAX_BYLINE_CHARS:
            names.extend(split_names(_until_date(text)))
    if names:
        return names
    bylines = [e for e in _owners(_BYLINE(page.root))[:_MAX_CANDIDATES] if not _elsewhere(e)]
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


def _authors(page: _Page, site_names: list[str]) -> list[str]:
    for source in (_jsonld_authors, _meta_authors, _byline_authors):
        names = dedupe(_guard(source.__name__, [], source, page), exclude=site_names)
        if names:
            return names
    return []


# --- dates ----------------------------------------------------------------------------------------


def _dayfirst(page: _Page) -> bool | None:
    """Order of day and month in numeric dates, from the page's locale."""
    locale = (
        (page.root.get("lang") or page.metas.first("og:locale", "content-language") or "")
        .lower()
        .replace("_", "-")
    )
    if locale.startswith("en-us") or locale in ("en-ca", "en-ph"):
        return False
    language = normalize_language(locale)
    if language is None or language == "en":
        return None
    return language not in ("zh", "ja", "ko", "hu", "lt")  # year-month-day locales aside


def _structured_dates(page: _Page, dayfirst: bool | None) -> dict[str, tuple[ParsedDate, str]]:
    found: dict[str, tuple[ParsedDate, str]] = {}
    fmt = page.date_format
    for kind, ld_keys, meta_keys in (
        ("published", ("datePublished", "dateCreated", "uploadDate"), PUBLISHED_METAS),
        ("modified", ("dateModified",), MODIFIED_METAS),
    ):
        values: list[tuple[str, str]] = []
        if page.article:
            values.extend((v, "jsonld") for key in ld_keys for v in _strings(page.article.get(key)))
        values.extend((v, "meta") for v in page.metas.all(*meta_keys))
        for value, source in values:
            parsed = parse_date(value, None, dayfirst=dayfirst) or (
                parse_date(value, fmt, dayfirst=dayfirst) if fmt else None
            )
            if parsed:
                found[kind] = (parsed, source)
                break
    return found


def _dated_text(
    text: str, fmt: str | None, dayfirst: bool | None
) -> Iterator[tuple[str, ParsedDate]]:
    """("published" | "modified", date) for each date in a dateline such as
    "Published March 1, 2024 · Updated March 3, 2024 10:30 a.m."."""
    # Split before each date-like keyword so each piece holds one date.
    pieces = re.split(
        r"(?i)(?=\b(?:updated|modified|last updated|edited|aktualisiert|mis à jour|actualizado|"
        r"published|posted|veröffentlicht|publié|publicado|pubblicato)\b)|\||·|•",
        text,
    )
    for piece in pieces:
        parsed = parse_date(piece, fmt, dayfirst=dayfirst)
        if parsed is None:
            continue
        kind = (
            "modified"
            if re.match(
                r"\s*(?:last\s+)?(?:updated|modified|edited|aktualisiert|mis à jour|actualizado|"
                r"aggiornato|atualizado)",
                piece,
                re.I,
            )
            else "published"
        )
        yield kind, parsed


@dataclass(frozen=True)
class _Visible:
    date: ParsedDate
    # Inside the article (or the page marks no article region): such a date overrules the
    # metas. A date elsewhere (a header clock, a sidebar) only fills in when they are missing.
    trusted: bool


def _visible_dates(
    page: _Page, dayfirst: bool | None, need_outside: bool = True
) -> dict[str, _Visible]:
    """Dates the reader sees — <time>, itemprop dates, dateline text — the first of each kind,
    in this order: <time> in the article, datelines in the article, then the same outside
    (only when `need_outside`: outside dates cannot overrule the metas)."""
    fmt = page.date_format
    regions = [
        e
        for e in page.elements["article"] + page.elements["main"]
        if not any(a.tag in ("article", "main") for a in e.iterancestors())
    ]
    marked = [e for e in page.marked("date")[:_MAX_CANDIDATES] if e.tag != "meta"]
    times = marked + page.elements["time"][:_MAX_CANDIDATES]
    inside = [e for e in times if _in_article(e)]
    found: dict[str, _Visible] = {}
    _visible_in(inside, True, found, fmt, dayfirst)
    if "published" in found:
        return found
    # Dateline text: a class search, run on the article region alone when there is one.
    inside_datelines = [
        e for r in regions for e in _owners(_DATELINE_IN(r), _DATELINE_TAGS)[:_MAX_CANDIDATES]
    ]
    _visible_in(inside_datelines, True, found, fmt, dayfirst)
    if regions and ("published" in found or not need_outside):
        return found
    in_regions = set(inside_datelines)
    datelines = [
        e
        for e in _owners(_DATELINE(page.root), _DATELINE_TAGS)[:_MAX_CANDIDATES]
        if e not in in_regions
    ]
    outside = [e for e in times if e not in inside] + datelines
    _visible_in(outside, not regions, found, fmt, dayfirst)
    return found


def _visible_in(
    elements: list[etree._Element],
    trusted: bool,
    found: dict[str, _Visible],
    fmt: str | None,
    dayfirst: bool | None,
) -> None:
    """Add to `found` the first date of each kind that `elements` show."""
    for element in elements:
        if "published" in found and "modified" in found:
            return
        if _elsewhere(element):
            continue
        itemprop = element.get("itemprop")
        if element.tag == "time" or itemprop in ("datePublished", "dateModified"):
            parsed = _time_element(element, fmt, dayfirst)
            if parsed is None:
                continue
            kind = {"datePublished": "published", "dateModified": "modified"}.get(
                itemprop or "", ""
            ) or _time_kind(element)
            found.setdefault(kind, _Visible(parsed, trusted))
        else:
            text = _text(element)
            if not text or len(text) > _MAX_DATELINE_CHARS:
                continue
            for kind, parsed in _dated_text(text, fmt, dayfirst):
                found.setdefault(kind, _Visible(parsed, trusted))


def _in_article(element: etree._Element) -> bool:
    return any(
        a.tag in ("article", "main") or a.get("itemprop") == "articleBody"
        for a in element.iterancestors()
    )


def _time_kind(element: etree._Element) -> str:
    marker = f"{element.get('class', '')} {element.get('itemprop', '')} {element.get('id', '')}"
    before = ""
    parent = element.getparent()
    if parent is not None:
        before = (parent.text or "") + "".join(
            (_text(s) + (s.tail or "")) for s in element.itersiblings(preceding=True)
        )
        marker += f" {parent.get('class', '')}"
    if re.search(r"updat|modif|edit", marker, re.I) or _UPDATED.search(before.strip()[-40:]):
        return "modified"
    return "published"


def _time_element(
    element: etree._Element, fmt: str | None, dayfirst: bool | None
) -> ParsedDate | None:
    machine = element.get("datetime") or element.get("content")
    shown = _text(element)
    parsed_machine = parse_date(machine, None, dayfirst=dayfirst) if machine else None
    parsed_shown = parse_date(shown, fmt, dayfirst=dayfirst) if shown else None
    if parsed_machine and parsed_shown and not _same_day(parsed_machine, parsed_shown):
        return parsed_shown  # what the reader sees wins over the attribute
    return parsed_machine or parsed_shown


def _same_day(structured: ParsedDate, visible: ParsedDate) -> bool:
    """Whether two dates name the same day, allowing for a UTC value shown in local time."""
    if structured.has_tz and visible.has_tz:
        return structured.value.astimezone(visible.value.tzinfo).date() == visible.day
    if structured.day == visible.day:
        return True
    offset = structured.value.utcoffset() if structured.has_tz else None
    return offset is not None and not offset and abs((structured.day - visible.day).days) == 1


def _choose(
    structured: tuple[ParsedDate, str] | None,
    seen: _Visible | None,
    from_url: ParsedDate | None,
) -> tuple[ParsedDate, str] | None:
    """The visible page wins when it disagrees on the day; else the more precise value."""
    if seen is not None and (structured is None or seen.trusted):
        visible = seen.date
        if structured is None or not _same_day(structured[0], visible):
            return visible, "visible"
        if visible.precision > structured[0].precision:
            return visible, "visible"
        return structured
    if from_url is not None and (structured is None or not _same_day(structured[0], from_url)):
        return from_url, "url"
    return structured


def _dates(page: _Page) -> dict[str, tuple[ParsedDate, str]]:
    dayfirst = _dayfirst(page)
    structured = _guard("structured dates", {}, _structured_dates, page, dayfirst)
    visible = _guard(
        "visible dates", {}, _visible_dates, page, dayfirst, "published" not in structured
    )
    from_url = url_date(page.url)
    chosen: dict[str, tuple[ParsedDate, str]] = {}
    published = _choose(structured.get("published"), visible.get("published"), from_url)
    if published:
        chosen["published"] = published
    modified = _choose(structured.get("modified"), visible.get("modified"), None)
    if modified:
        if published and modified[0].day < published[0].day:
            modified = None  # an "updated" date before publication is a template's
        elif published and modified[0].raw == published[0].raw:
            modified = None
    if modified:
        chosen["modified"] = modified
    return chosen


# --- breadcrumbs, section, tags -----------------------------------------------------------------


def _jsonld_breadcrumbs(page: _Page) -> list[str]:
    lists = list(page.ld.of_types(frozenset({"BreadcrumbList"})))
    for node in page.ld.entities:
        crumb = page.ld.resolve(node.get("breadcrumb"))
        if isinstance(crumb, dict):
            lists.append(crumb)
    for crumbs in lists:
        items = crumbs.get("itemListElement")
        if not isinstance(items, list):
            continue
        named = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            target = page.ld.resolve(item.get("item"))
            name = item.get("name") or (target.get("name") if isinstance(target, dict) else None)
            position = item.get("position")
            try:
                order = float(position) if position is not None else float(index)
            except (TypeError, ValueError):
                order = float(index)
            if isinstance(name, str) and _clean(name):
                named.append((order, index, _clean(name)))
        if named:
            return [name for _, _, name in sorted(named)]
    return []


def _html_breadcrumbs(page: _Page) -> list[str]:
    containers = _owners(_BREADCRUMB_CONTAINERS(page.root)) or _owners(
        _BREADCRUMB_MICRODATA(page.root)
    )
    for container in containers[:_MAX_CANDIDATES]:
        # The first, outermost, that reads as a trail: short text, no share widget.
        if _elsewhere(container, _NOT_BREADCRUMB_TAGS) or len(_text(container)) > (
            _MAX_BREADCRUMB_CHARS
        ):
            continue
        crumbs = _crumbs_in(container)
        if crumbs and not any(c.casefold() in _WIDGET_WORDS for c in crumbs):
            return crumbs
    return []


def _crumbs_in(container: etree._Element) -> list[str]:
    named = container.xpath(".//*[@itemprop='itemListElement']//*[@itemprop='name']")
    if named:
        items = [(e.get("content") or _text(e)) for e in named]
    else:
        leaves = [li for li in container.iter("li") if not li.xpath(".//li")]
        items = [_text(li) for li in leaves] if leaves else _inline_crumbs(container)
    crumbs = [_clean(i.strip(_BREADCRUMB_SEPARATORS + " \u00a0")) for i in items]
    return [c for c in crumbs if c][:12]


def _inline_crumbs(container: etree._Element) -> list[str]:
    """Crumbs written as links and spans with separators between them, or as plain text."""
    children = [c for c in container.iter("a", "span", "strong", "b", "em") if c is not container]
    leaves = [c for c in children if not any(d in children for d in c.iterdescendants())]
    texts = [_text(c) for c in leaves]
    texts = [t for t in texts if t.strip(_BREADCRUMB_SEPARATORS + " \u00a0")]
    if texts:
        return texts
    return re.split(r"\s+[/>»›|→]\s+|\s*[»›→]\s*", _text(container))


def _section(
    page: _Page, breadcrumbs: list[str], title: str | None, site_names: list[str]
) -> str | None:
    title_key = _norm(title or "")
    for crumb in reversed(breadcrumbs):
        key = _norm(crumb)
        if not key or crumb.casefold() in GENERIC_SECTIONS or key == title_key:
            continue
        if title_key and len(crumb) > 40 and (title_key.startswith(key) or key in title_key):
            continue  # a shortened title as the last crumb
        return crumb
    site_keys = {_norm(n) for n in site_names} | set(_domain_labels(page.url))
    candidates = page.metas.all(*SECTION_METAS)
    if page.article:
        candidates.extend(_strings(page.article.get("articleSection")))
    for candidate in candidates:
        section = _clean(candidate)
        if (
            section
            and section.casefold() not in GENERIC_SECTIONS
            and _norm(section) not in (site_keys)
        ):
            return section
    return None


def _split_keywords(value: str) -> list[str]:
    return [_clean(v) for v in re.split(r"[,;]", value)]


def _tags(page: _Page) -> list[str]:
    tags = [t for value in page.metas.all(*TAG_METAS) for t in _split_keywords(value)]
    if page.article:
        for value in _strings(page.article.get("keywords")):
            tags.extend(_split_keywords(value))
    tags.extend(_text(a) for a in page.marked("tag")[:_MAX_TAGS] if not _elsewhere(a))
    if not tags:
        for value in page.metas.all(*KEYWORD_METAS):
            tags.extend(_split_keywords(value))
    kept = [
        t
        for t in (_clean(t) for t in tags)
        if t and len(t) <= _MAX_TAG_CHARS and not _NOT_A_TAG.search(t)
    ]
    return dedupe(kept)[:_MAX_TAGS]


# --- language, links, image -----------------------------------------------------------------------


def _sample_text(page: _Page, title: str | None, description: str | None) -> str:
    parts = [title or "", description or ""]
    size = 0
    for p in page.elements["p"]:
        text = _text(p)
        if len(text) > 15:
            parts.append(text)
            size += len(text)
            if size > 1500:
                break
    return " ".join(parts)


def _language(page: _Page, sample: str) -> str | None:
    declared = (
        normalize_language(page.root.get("lang"))
        or normalize_language(page.root.get("{http://www.w3.org/XML/1998/namespace}lang"))
        or normalize_language(page.metas.first(*LANGUAGE_METAS))
        or normalize_language(next(_strings((page.article or {}).get("inLanguage")), None))
    )
    if declared and declared_plausible(declared, sample):
        return declared
    return detect_language(sample) or declared


def _canonical(page: _Page) -> str | None:
    for href in page.elements.links("canonical"):
        absolute = _absolute(page.url, href)
        if absolute:
            return absolute
    return _absolute(page.url, page.metas.first("og:url"))


def _lead_image(page: _Page) -> Image | None:
    caption = credit = None
    ld_url = None
    if page.article:
        value = page.ld.resolve(page.article.get("image"))
        first = value[0] if isinstance(value, list) and value else value
        first = page.ld.resolve(first)
        if isinstance(first, str):
            ld_url = first
        elif isinstance(first, dict):
            ld_url = next(_strings(first.get("url") or first.get("contentUrl")), None)
            caption = next(_strings(first.get("caption")), None)
            credit = next(
                _strings(first.get("creditText") or first.get("copyrightHolder")
                         or first.get("author")),
                None,
            )  # fmt: skip
    url = _absolute(page.url, page.metas.first(*IMAGE_METAS))
    ld_absolute = _absolute(page.url, ld_url)
    if url is None:
        url = ld_absolute
    elif ld_absolute != url:
        caption = credit = None  # the JSON-LD caption describes another picture
    if url is None:
        hrefs = page.elements.links("image_src")
        url = _absolute(page.url, hrefs[0]) if hrefs else None
    if url is None:
        return None
    return Image(url=url, caption=_clean(caption) or None, credit=_clean(credit) or None)


# --- entry point ----------------------------------------------------------------------------------


def extract_metadata(
    root: etree._Element, url: str, rules: ExtractionRules | None = None
) -> Metadata:
    """Metadata of the page whose parsed tree is `root` (the whole page, not yet cleaned).

    Never raises and never changes the tree: a field whose sources are broken is left empty.
    """
    try:
        elements = _Elements(root)
        metas = _Metas(elements["meta"])
        ld = _guard("json-ld", JsonLd(), read_jsonld, root, elements["script"])
        page = _Page(root, url, rules, elements, metas, ld, ld.article())
    except Exception:
        logger.warning("metadata: cannot read page %s", url, exc_info=True)
        return Metadata()

    site_names = _guard("site name", [], _site_names, page)
    breadcrumbs = _guard("breadcrumbs", [], lambda: _jsonld_breadcrumbs(page) or
                         _html_breadcrumbs(page))  # fmt: skip
    title, suffix_site = _guard("title", (None, None), _title, page, site_names, breadcrumbs)
    site_name = site_names[0] if site_names else suffix_site
    description = metas.first(*DESCRIPTION_METAS)
    if not description and page.article:
        description = next(_strings(page.article.get("description")), None)
    dates = _guard("dates", {}, _dates, page)
    published, published_source = dates.get("published", (None, None))
    modified, _ = dates.get("modified", (None, None))
    sample = _guard("text sample", "", _sample_text, page, title, description)
    return Metadata(
        title=title,
        authors=_guard("authors", [], _authors, page, [*site_names, *filter(None, [suffix_site])]),
        published=published.iso() if published else None,
        published_raw=published.raw if published else None,
        modified=modified.iso() if modified else None,
        modified_raw=modified.raw if modified else None,
        section=_guard("section", None, _section, page, breadcrumbs, title, site_names),
        breadcrumbs=breadcrumbs,
        tags=_guard("tags", [], _tags, page),
        language=_guard("language", None, _language, page, sample),
        description=_clean(description) or None,
        canonical_url=_guard("canonical", None, _canonical, page),
        site_name=site_name,
        lead_image=_guard("lead image", None, _lead_image, page),
        og_type=metas.first("og:type"),
        schema_types=ld.types,
        published_source=published_source,
    )


__all__ = ["Metadata", "extract_metadata"]
