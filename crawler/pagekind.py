"""Which fetched pages are article pages — decided before extraction, from cheap signals.

Used by the spider on the tree Scrapy already parsed and by replay on its own parse, so a
live crawl and a replay of its WARC choose the same pages. Extraction can still veto a page
(soft 404s, stubs) through `Article.is_article`.

The tree is read with `iter(tag)`, not `//tag[...]` XPaths: the same nodes in the same order,
found about nine times faster (0.02 against 0.18 ms on a 170 KB page), which matters because
every fetched page is asked. tests/replay/test_pages_like_scrapy.py holds them to the XPaths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import etree

from crawler.siteprofile import SiteProfile
from crawler.urls import has_dated_path, strip_tracking

ARTICLE_OG_TYPES = frozenset({"article", "news", "news.article", "newsarticle"})
_ARTICLE_SCHEMA = re.compile(
    r'"@type"\s*:\s*(?:\[[^\]]*)?"(?:News|Reportage|Analysis|Opinion|Report|Scholarly|Tech)?'
    r'(?:Article|BlogPosting|LiveBlogPosting)"'
)
_TEXT_NODES = etree.XPath("text()")


def _document_iter(root: etree._Element, tag: str) -> Iterator[etree._Element]:
    """`//tag`: libxml2 puts what follows `</html>` beside the root element, not in it."""
    for top in (*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()):
        yield from top.iter(tag)


def _attribute_values(
    root: etree._Element, tag: str, key: str, value: str, wanted: str
) -> Iterator[str]:
    """`//tag[@key='value']/@wanted`, in document order."""
    for element in _document_iter(root, tag):
        if element.get(key) == value:
            found = element.get(wanted)
            if found is not None:
                yield found


def declared_canonical(root: etree._Element) -> str | None:
    """The first `//link[@rel='canonical']/@href`: the spider's canonical URL, unresolved."""
    return next(_attribute_values(root, "link", "rel", "canonical", "href"), None)


def http_charset(content_type: str) -> str | None:
    """The `charset` parameter of a Content-Type value (the last one the response carries)."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def is_html(content_type: str, body: bytes) -> bool:
    """Whether a text response is parsed as a page: its Content-Type says html or, with no
    Content-Type, `<html` is in its first 2 KB. Whether Scrapy made a text response of it at
    all (not an `XmlResponse`) is the caller's to know: the spider has the response class,
    replay guesses it as Scrapy does."""
    if content_type:
        return "html" in content_type.lower()
    return b"<html" in body[:2048].lower()


def dedup_canonical(declared: str | None, base_url: str, url: str) -> str:
    """The key a crawl dedups article pages by: the declared canonical URL joined with the
    page's base URL, else the page's URL, without tracking parameters. The spider and replay
    both call this. A canonical that cannot be joined (`http://[`) counts as none."""
    if declared:
        try:
            return strip_tracking(urljoin(base_url, declared))
        except ValueError:
            pass
    return strip_tracking(url)


def _og_types(root: etree._Element) -> Iterator[str]:
    """`//meta[@property='og:type']/@content`."""
    return _attribute_values(root, "meta", "property", "og:type", "content")


def _jsonld_texts(root: etree._Element) -> Iterator[str]:
    """`//script[@type='application/ld+json']/text()`."""
    for script in _document_iter(root, "script"):
        if script.get("type") == "application/ld+json":
            yield from _TEXT_NODES(script)


def looks_like_article(url: str, root: etree._Element | None, profile: SiteProfile) -> bool:
    """Any of: a profile URL pattern, a dated URL, og:type, a JSON-LD article type.

    The URL signals are tried first: they cost nothing, while each page signal is a walk of
    the whole tree.
    """
    if profile.is_article_url(url) or has_dated_path(url):
        return True
    if root is None:
        return False
    if any(t.strip().lower() in ARTICLE_OG_TYPES for t in _og_types(root)):
        return True
    return any(_ARTICLE_SCHEMA.search(text) for text in _jsonld_texts(root))
