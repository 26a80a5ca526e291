"""Request fingerprints that ignore tracking parameters.

`/story?utm_source=rss` and `/story` are one page: the duplicate filter should fetch it once.
The request itself keeps its URL as linked (that is what the archive records).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.utils.request import fingerprint

from crawler.urls import strip_tracking

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class TrackingFreeFingerprinter:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrackingFreeFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        if "?" not in request.url:  # no query, nothing to strip (most article URLs)
            return fingerprint(request)
        cleaned = strip_tracking(request.url)
        if cleaned != request.url:
            request = request.replace(url=cleaned)
        return fingerprint(request)
