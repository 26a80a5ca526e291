"""Items the spider yields: an article page waiting for extraction.

Pipelines turn it into the article JSON document (`crawler.article_record.ArticleDocument`,
a plain dict to feed exports, see README.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.warc.capture import Capture
from crawler.extraction import ExtractionRules

# The request meta key under which the WARC extension leaves a response's `Capture` (where it
# was archived) for the spider, the requisites fetcher and the article pipelines.
CAPTURE_META_KEY = "newsarchive_capture"


@dataclass
class ArticlePage:
    url: str
    body: bytes
    http_charset: str | None
    site: str
    rules: ExtractionRules
    # The WARC pointer of the response this page came from; None when WARC capture is
    # switched off.
    capture: Capture | None
