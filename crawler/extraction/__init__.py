"""Article extraction: a pure function from HTML to `Article` (no Scrapy in this package)."""

from __future__ import annotations

from crawler.extraction.article import Article, ExtractionError, Image
from crawler.extraction.core import extract
from crawler.extraction.rules import ExtractionRules

__all__ = ["Article", "ExtractionError", "ExtractionRules", "Image", "extract"]
