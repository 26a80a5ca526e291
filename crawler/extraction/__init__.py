"""Article extraction: a pure function from HTML to `Article` (no Scrapy in this package)."""

from __future__ import annotations

from crawler.extraction.article import Article, ExtractionError, Image
from crawler.extraction.core import extract, extract_parsed
from crawler.extraction.parse import ParsedPage, parse_page
from crawler.extraction.rules import ExtractionRules

__all__ = [
    "Article",
    "ExtractionError",
    "ExtractionRules",
    "Image",
    "ParsedPage",
    "extract",
    "extract_parsed",
    "parse_page",
]
