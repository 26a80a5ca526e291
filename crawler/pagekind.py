"""Which fetched pages are article pages — decided before extraction, from cheap signals.

Used by the spider on the tree Scrapy already parsed and by replay on its own parse, so a
live crawl and a replay of its WARC choose the same pages. Extraction can still veto a page
(soft 404s, stubs) through `Article.is_article`.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.siteprofile import SiteProfile
from crawler.urls import has_dated_path

ARTICLE_OG_TYPES = frozenset({"article", "news", "news.article", "newsarticle"})
_ARTICLE_SCHEMA = re.compile(
    r'"@type"\s*:\s*(?:\[[^\]]*)?"(?:News|Reportage|Analysis|Opinion|Report|Scholarly|Tech)?'
    r'(?:Article|BlogPosting|LiveBlogPosting)"'
)
_OG_TYPE = etree.XPath("//meta[@property='og:type']/@content")
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()")


def looks_like_article(url: str, root: etree._Element | None, profile: SiteProfile) -> bool:
    """Profile URL patterns first, then page signals: og:type, JSON-LD type, a dated URL."""
    if profile.is_article_url(url):
        return True
    if root is not None:
        if any(t.strip().lower() in ARTICLE_OG_TYPES for t in _OG_TYPE(root)):
            return True
        if any(_ARTICLE_SCHEMA.search(text) for text in _JSONLD(root)):
            return True
    return has_dated_path(url)
