"""Items the spider yields: an article page waiting for extraction.

Pipelines turn it into the article JSON document (a plain dict, see README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.extraction import ExtractionRules


@dataclass
class ArticlePage:
    url: str
    body: bytes
    http_charset: str | None
    site: str
    rules: ExtractionRules
    # The WARC pointer of the response this page came from (archive.capture.Capture as dict);
    # None when WARC capture is switched off.
    capture: dict[str, Any] | None
