"""Downloader middleware: fetch only what is new or may have changed since the last crawl.

For every request, the catalog's last capture of its URL decides (Heritrix's fetch history):

- a URL never captured is fetched as usual;
- a URL the resumed run already captured is answered from the archive (no fetch, nothing
  written again): the response is read back from its WARC record;
- a known article is not fetched again (`IgnoreRequest`), unless the request carries a
  change signal newer than the capture (a sitemap `lastmod`, a news sitemap or feed date:
  `request.meta["newsarchive_changed_at"]`), the profile's `refetch_after` has passed since,
  or the crawl is a `--refresh` (`crawler.recrawl`, which the spider asks first);
- anything else known (start URLs, section fronts, feeds, sitemaps, redirects) is requested
  conditionally, with `If-None-Match` / `If-Modified-Since` from the last capture.

The record holding the last capture's payload travels on in
`request.meta["newsarchive_original"]` so that the WARC extension can store an unchanged
answer as a revisit record of it. A `304 Not Modified` is then
replaced, for the spider, by the archived original, so that links are still followed from
an unchanged hub page exactly as from a fetched one.

Runs in `process_request` after every other middleware (it sees the final URL of a
redirect, and a request robots.txt forbids never reaches it) and first in
`process_response`, before decompression and redirects.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.catalog import CaptureRow
from archive.errors import WarcReadError
from crawler.items import CAPTURE_META_KEY
from crawler.recrawl import RecrawlPolicy
from crawler.session import ArchiveSession, session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

CHANGED_AT_KEY = "newsarchive_changed_at"  # aware datetime: a sitemap's/feed's date of a change
ORIGINAL_KEY = "newsarchive_original"  # CaptureRow: the record holding its payload
ARTICLE_KNOWN_KEY = "newsarchive_article_known"  # the response's payload is a stored article
ARCHIVED_FLAG = "archived"  # Response.flags of an answer read from the archive

_VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


class IncrementalMiddleware:
    def __init__(
        self,
        session: ArchiveSession,
        stats: StatsCollector,
        policy: RecrawlPolicy | None,
    ) -> None:
        self.session = session
        self.catalog = session.catalog
        self.stats = stats
        self.policy = policy  # None: not incremental (every URL fetched whole)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        session = session_of(crawler)
        if session is None:
            raise NotConfigured("no archive session (WARC capture is off)")
        return cls(session, crawler.stats, getattr(crawler.spider, "recrawl", None))

    # -- requests -------------------------------------------------------------------------

    def process_request(self, request: Request) -> Response | None:
        url = request.url
        resumed = self.session.resumed_capture(url)
        if resumed is not None:
            answer = self._from_archive(request, resumed)
            if answer is not None:
                request.meta[CAPTURE_META_KEY] = resumed.capture()
                request.meta[ARTICLE_KNOWN_KEY] = resumed.has_article
                self.stats.inc_value("incremental/resumed_from_archive")
                return answer
        if self.policy is None or _is_robots_txt(url):
            # robots.txt is always fetched whole: Scrapy's middleware must parse a body.
            return None
        if self.policy.skip(url, request.meta.get(CHANGED_AT_KEY)):
            raise IgnoreRequest("known article, no sign of a change since its capture")
        previous = self.catalog.last_capture(url)
        if previous is None:
            return None
        original = self.session.original_of(previous)
        if original is not None:
            request.meta[ORIGINAL_KEY] = original
        for name in _VALIDATORS:
            request.headers.pop(name, None)
        etag = previous.etag or (original.etag if original else None)
        modified = previous.last_modified or (original.last_modified if original else None)
        if etag:
            request.headers[b"If-None-Match"] = etag
        if modified:
            request.headers[b"If-Modified-Since"] = modified
        if etag or modified:
            self.stats.inc_value("incremental/conditional")
        return None

    # -- responses ------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Response:
        original: CaptureRow | None = request.meta.get(ORIGINAL_KEY)
        if response.status != 304 or original is None or ARCHIVED_FLAG in response.flags:
            return response
        self.stats.inc_value("incremental/not_modified")
        answer = self._from_archive(request, original)
        return answer if answer is not None else response

    def _from_archive(self, request: Request, row: CaptureRow) -> Response | None:
        """The archived response of `row` (its original's, for a revisit) as Scrapy's
        response to `request`; None when it cannot be read (the URL is then fetched)."""
        original = self.session.original_of(row)
        if original is None:
            logger.warning(
                "%s: the original of revisit %s is not in the catalog", request.url, row.record_id
            )
            return None
        try:
            stored = self.session.stored_response(original)
            status = int(stored.http_headers.get_statuscode())
            headers = Headers(stored.http_headers.headers)
            body = stored.body
        except (WarcReadError, ValueError, TypeError) as exc:
            logger.warning("%s: cannot read its capture back (%s); fetching it", request.url, exc)
            return None
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(
            url=request.url,
            status=status,
            headers=headers,
            body=body,
            request=request,
            flags=[ARCHIVED_FLAG],
        )


def _is_robots_txt(url: str) -> bool:
    return url.split("?", 1)[0].endswith("/robots.txt")
