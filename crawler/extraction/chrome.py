"""The site's frame around an article: the headline of the page, and its chrome (masthead,
menus, a "today" clock) whose dates and names are the site's, not the story's.

Dates and bylines are both read relative to the headline: a dateline is near it, a byline
follows it, and what sits in the chrome is never the article's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from crawler.extraction.metasources import Page, class_and_id, elsewhere
from crawler.extraction.text import is_ancestor

# Site chrome above or around the article: its dates are today's (a clock widget), not the story's.
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:top-?bar|topbar|masthead|site-?header|global-?header|header-?(?:top|bar|date)|"
    r"nav-?bar|navbar|site-?nav|menu|ticker|clock|today|todays-?date|date-?now|current-?date|weather)",
    re.I,
)


def in_article(element: etree._Element) -> bool:
    """Inside an <article>, <main> or the itemprop="articleBody" block."""
    return any(
        a.tag in ("article", "main") or a.get("itemprop") == "articleBody"
        for a in element.iterancestors()
    )


def article_headline(page: Page) -> etree._Element | None:
    """The article's <h1>: of the page's first three that are neither in another block nor in
    the site's chrome (a logo as <h1> in the site header), the first outside the page's own
    <header> (engadget's logo, in a <header> of no chrome name), else the first; else the
    page's only <h1> outside the chrome, whatever its block's class says."""
    headings = page.elements["h1"]
    candidates = [h for h in headings[:3] if not elsewhere(h) and not _in_site_chrome(h)]
    for heading in candidates:  # first, one outside the page's own <header> (its logo's)
        if not _in_page_header(heading):
            return heading
    if candidates:
        return candidates[0]
    if len(headings) == 1 and not _in_site_chrome(headings[0]):
        return headings[0]
    return None


def _in_site_chrome(heading: etree._Element) -> bool:
    """Whether `heading` is in the site's chrome (a logo as <h1> in the masthead); the blocks
    of an <article> that hold it are the article's own, whatever their names."""
    nodes = list(_up_to_body(heading))
    own = _below_article(nodes)
    return any(_site_chrome(node, own) for node in nodes)


def _in_page_header(heading: etree._Element) -> bool:
    """Whether `heading` is in a <header> that is not an <article>'s or <main>'s."""
    return any(node.tag == "header" for node in _up_to_body(heading)) and not in_article(
        heading
    )


def _below_article(nodes: list[etree._Element]) -> bool:
    """Whether the walk `_up_to_body` gave stopped at an <article>."""
    top = nodes[-1].getparent() if nodes else None
    return top is not None and top.tag == "article"


def headline_blocks(headline: etree._Element | None) -> frozenset[etree._Element]:
    """The blocks holding the headline: the page's frame, not a sidebar or comments block."""
    return frozenset(headline.iterancestors()) if headline is not None else frozenset()


def _up_to_body(element: etree._Element) -> Iterator[etree._Element]:
    """`element` and its ancestors, up to the <body>, an <article> or <main> (excluded)."""
    node: etree._Element | None = element
    while node is not None and node.tag not in ("body", "article", "main"):
        yield node
        node = node.getparent()


def _site_chrome(node: etree._Element, articles_own: bool = False) -> bool:
    """A top bar, masthead, menu or clock widget by its class or id, or a <header> with the
    site's navigation (a breadcrumb trail above the headline, or the share buttons beside it,
    are the article's own). `articles_own`: `node` is a block of an <article> that holds its
    headline, and its names are the article's (TownNews BLOX's "asset-masthead" holds the
    story's headline and dateline); a clock beside it is still chrome."""
    if not articles_own and _chrome_names(node.get("class"), node.get("id"))[0]:
        return True
    return node.tag == "header" and any(not _article_nav(nav) for nav in node.iter("nav"))


_ARTICLE_NAV = re.compile(r"breadcrumb|share|social")


def _article_nav(nav: etree._Element) -> bool:
    """A <nav> of the article's own: its breadcrumb trail or its share buttons."""
    return bool(_ARTICLE_NAV.search(f"{class_and_id(nav)} {nav.get('aria-label', '')}".lower()))


def in_chrome(element: etree._Element, headline: etree._Element | None) -> bool:
    """In the page's chrome: `_site_chrome`, or a <header>/<nav> (or a block with the id or class
    "header") outside the article that does not hold the headline. The article's own <header>
    is the article's."""
    nodes = list(_up_to_body(element))
    below_article = _below_article(nodes)
    for node in nodes:
        own = below_article and headline is not None and contains(node, headline)
        if _site_chrome(node, own):
            return True
        named_header = _chrome_names(node.get("class"), node.get("id"))[1]
        weak = node.tag == "nav" or (not below_article and (node.tag == "header" or named_header))
        if weak and (headline is None or not contains(node, headline)):
            return True
    return False


def contains(ancestor: etree._Element, element: etree._Element) -> bool:
    """`element` is `ancestor` or below it."""
    return element is ancestor or is_ancestor(ancestor, element)


def page_chrome(node: etree._Element) -> bool:
    """`in_chrome` for one element, in a copy of the page: the site's chrome, a <nav>, or a
    header that holds no <h1> outside an <article>. (Asked of every element: most have neither
    a class nor an id, and the verdict on a class and id is cached.)"""
    tag = node.tag
    if tag == "nav":
        return True
    cls, ident = node.get("class"), node.get("id")
    if tag != "header" and cls is None and ident is None:
        return False
    named_chrome, named_header = _chrome_names(cls, ident)
    if not (named_chrome or named_header or tag == "header"):
        return False
    inside_article = any(a.tag == "article" for a in node.iterancestors())
    # (a block of the article that holds its headline is the article's: see `_site_chrome`)
    own = inside_article and node.find(".//h1") is not None
    if (named_chrome and not own) or (tag == "header" and _site_chrome(node, own)):
        return True
    if tag != "header" and not named_header:
        return False
    return node.find(".//h1") is None and not inside_article


@lru_cache(maxsize=4096)
def _chrome_names(cls: str | None, ident: str | None) -> tuple[bool, bool]:
    """Whether a class and id name the site's chrome (`_CHROME`), and a header. Cached: the
    ancestors of every date looked at are asked, and a page repeats its classes."""
    marker = f"{cls or ''} {ident or ''}"
    return bool(marker.strip() and _CHROME.search(marker)), "header" in marker.lower().split()
