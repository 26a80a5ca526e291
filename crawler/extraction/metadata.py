"""Stage 3 — page metadata from the whole (uncleaned) tree: <meta>, JSON-LD, <link>, <title>,
and the visible byline, dateline and breadcrumb.

Runs before the body is cleaned, never changes the tree and never raises: a field whose sources
are broken is left empty. The page is read once into `metasources.Page` (metas, JSON-LD, tag
lists); each field group has its module, with its sources in order of trust:

- title.py — the <h1> when another source agrees with it, else og:title, JSON-LD headline,
  twitter:title, <title>; a " | Site" suffix or "Site - " prefix goes when it names the site;
- authors.py — JSON-LD author, else author metas (author, article:author, dc.creator,
  parsely-author ...), else the visible byline; names.py removes "By", roles, handles and
  widget text;
- pagedates.py — JSON-LD and date metas checked against the visible page (<time>, dateline
  text, the site's `date_format`) and the URL; the visible article wins on the day; the
  headline and the site's chrome are chrome.py's, the order of day and month dayorder.py's;
- breadcrumbs.py — JSON-LD BreadcrumbList, nav[aria-label=breadcrumb], class/id "breadcrumb";
  the section is the most specific crumb that is neither a generic root nor the title, else
  article:section, else JSON-LD articleSection;
- here: tags, description, language (declared unless the text contradicts it, else guessed by
  language.py), canonical URL, site name and lead image.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.extraction.article import Image
from crawler.extraction.authors import page_authors
from crawler.extraction.breadcrumbs import find_breadcrumbs, find_section
from crawler.extraction.jsonld import JsonLd, read_jsonld
from crawler.extraction.language import declared_plausible, detect_language, normalize_language
from crawler.extraction.metasources import (
    Elements,
    Metas,
    Named,
    Page,
    elsewhere,
    guard,
    strings,
)
from crawler.extraction.names import dedupe
from crawler.extraction.pagedates import page_dates
from crawler.extraction.rules import ExtractionRules
from crawler.extraction.text import clean, text_of
from crawler.extraction.title import find_title, site_names
from crawler.urls import absolute

logger = logging.getLogger(__name__)

TAG_METAS = ("article:tag", "og:article:tag")
KEYWORD_METAS = ("news_keywords", "keywords")
DESCRIPTION_METAS = ("og:description", "description", "twitter:description", "dc.description")
LANGUAGE_METAS = ("content-language", "language", "dc.language", "og:locale")
IMAGE_METAS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
               "twitter:image:src", "image", "thumbnail")  # fmt: skip
# CMS-internal tags: "@hp-top-stories", "_no-apple-news", "&quot", "/article", URLs.
_NOT_A_TAG = re.compile(r"^[@_&/#]|://|^[\W_]+$")
_MAX_TAG_CHARS = 80
_MAX_TAGS = 50


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
    # Where `published` came from: "jsonld", "meta", "visible", "url", "htmldate" (for
    # debugging rules).
    published_source: str | None = None


def _split_keywords(value: str) -> list[str]:
    return [clean(v) for v in re.split(r"[,;]", value)]


def _tags(page: Page) -> list[str]:
    tags = [t for value in page.metas.all(*TAG_METAS) for t in _split_keywords(value)]
    if page.article:
        for value in strings(page.article.get("keywords")):
            tags.extend(_split_keywords(value))
    tags.extend(text_of(a) for a in page.marked("tag")[:_MAX_TAGS] if not elsewhere(a))
    if not tags:
        for value in page.metas.all(*KEYWORD_METAS):
            tags.extend(_split_keywords(value))
    kept = [
        t
        for t in (clean(t) for t in tags)
        if t and len(t) <= _MAX_TAG_CHARS and not _NOT_A_TAG.search(t)
    ]
    return dedupe(kept)[:_MAX_TAGS]


# --- language, links, image -----------------------------------------------------------------------


def _sample_text(page: Page, title: str | None, description: str | None) -> str:
    parts = [title or "", description or ""]
    size = 0
    for p in page.elements["p"]:
        text = text_of(p)
        if len(text) > 15:
            parts.append(text)
            size += len(text)
            if size > 1500:
                break
    return " ".join(parts)


def _language(page: Page, sample: str) -> str | None:
    declared = (
        normalize_language(page.root.get("lang"))
        or normalize_language(page.root.get("{http://www.w3.org/XML/1998/namespace}lang"))
        or normalize_language(page.metas.first(*LANGUAGE_METAS))
        or normalize_language(next(strings((page.article or {}).get("inLanguage")), None))
    )
    if declared and declared_plausible(declared, sample):
        return declared
    return detect_language(sample) or declared


def _canonical(page: Page) -> str | None:
    for href in page.elements.links("canonical"):
        resolved = absolute(href, page.url)
        if resolved:
            return resolved
    return absolute(page.metas.first("og:url"), page.url)


def _lead_image(page: Page) -> Image | None:
    caption = credit = None
    ld_url = None
    if page.article:
        value = page.ld.resolve(page.article.get("image"))
        first = value[0] if isinstance(value, list) and value else value
        first = page.ld.resolve(first)
        if isinstance(first, str):
            ld_url = first
        elif isinstance(first, dict):
            ld_url = next(strings(first.get("url") or first.get("contentUrl")), None)
            caption = next(strings(first.get("caption")), None)
            credit = next(
                strings(first.get("creditText") or first.get("copyrightHolder")
                         or first.get("author")),
                None,
            )  # fmt: skip
    url = absolute(page.metas.first(*IMAGE_METAS), page.url)
    ld_absolute = absolute(ld_url, page.url)
    if url is None:
        url = ld_absolute
    elif ld_absolute != url:
        caption = credit = None  # the JSON-LD caption describes another picture
    if url is None:
        hrefs = page.elements.links("image_src")
        url = absolute(hrefs[0], page.url) if hrefs else None
    if url is None:
        return None
    return Image(url=url, caption=clean(caption) or None, credit=clean(credit) or None)


# --- entry point ----------------------------------------------------------------------------------


def extract_metadata(
    root: etree._Element,
    url: str,
    rules: ExtractionRules | None = None,
    names: list[Named] | None = None,
) -> Metadata:
    """Metadata of the page whose parsed tree is `root` (the whole page, not yet cleaned).
    `names`: `metasources.naming` of the page, when the caller has it (`attributed`).

    Never raises and never changes the tree: a field whose sources are broken is left empty.
    """
    try:
        elements = Elements(root)
        metas = Metas(elements["meta"])
        ld = guard("json-ld", JsonLd(), read_jsonld, root, elements["script"])
        page = Page(root, url, rules, elements, metas, ld, ld.article(), names)
    except Exception:
        logger.warning("metadata: cannot read page %s", url, exc_info=True)
        return Metadata()

    sites = guard("site name", [], site_names, page)
    breadcrumbs = guard("breadcrumbs", [], find_breadcrumbs, page)
    title, suffix_site = guard("title", (None, None), find_title, page, sites, breadcrumbs)
    site_name = sites[0] if sites else suffix_site
    description = metas.first(*DESCRIPTION_METAS)
    if not description and page.article:
        description = next(strings(page.article.get("description")), None)
    dates = guard("dates", {}, page_dates, page)
    published, published_source = dates.get("published", (None, None))
    modified, _ = dates.get("modified", (None, None))
    sample = guard("text sample", "", _sample_text, page, title, description)
    return Metadata(
        title=title,
        authors=guard("authors", [], page_authors, page, [*sites, *filter(None, [suffix_site])]),
        published=published.iso() if published else None,
        published_raw=published.raw if published else None,
        modified=modified.iso() if modified else None,
        modified_raw=modified.raw if modified else None,
        section=guard("section", None, find_section, page, breadcrumbs, title, sites),
        breadcrumbs=breadcrumbs,
        tags=guard("tags", [], _tags, page),
        language=guard("language", None, _language, page, sample),
        description=clean(description) or None,
        canonical_url=guard("canonical", None, _canonical, page),
        site_name=site_name,
        lead_image=guard("lead image", None, _lead_image, page),
        og_type=metas.first("og:type"),
        schema_types=ld.types,
        published_source=published_source,
    )


__all__ = ["Metadata", "extract_metadata"]
