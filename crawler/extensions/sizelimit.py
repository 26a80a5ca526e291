"""Scrapy extension: one size limit on a page's body, raw and decompressed; a page over it is
archived truncated instead of dropped.

`NEWSARCHIVE_MAX_BODY` (bytes; default `archive.limits.MAX_BODY`, 0 = no limit) is the most
of one body the crawl holds, decompresses, parses or hands to extraction. Scrapy has two
knobs that each do half of it, and both read the same per-request key, `download_maxsize`:

- the HTTP download handler, which *cancels* a download whose `Content-Length` or received
  bytes exceed it: the response never exists, so `response_downloaded` never fires and
  nothing is archived (the "page over DOWNLOAD_MAXSIZE leaves no trace" of issue 9);
- `HttpCompressionMiddleware`, which decompresses in 64 KiB steps and raises `IgnoreRequest`
  (with one warning line naming the URL) once the output exceeds it: a gzip bomb costs at
  most the limit in memory, and its compressed bytes are already archived.

So the limit goes to them separately, per request, through `request.meta`:

1. `request_reached_downloader` (after the downloader middlewares' `process_request`, just
   before the handler reads the meta): `download_maxsize`/`download_warnsize` = 0, the raw
   download is not Scrapy's to cancel;
2. `bytes_received`: once a request has received more than the limit, `StopDownload(fail=
   False)`: the handler ends the connection and makes a normal response of the bytes
   received so far (the limit plus at most one network read), flagged `download_stopped`;
   `response_downloaded` fires for it as for any response, so `WarcCapture` archives it,
   with `WARC-Truncated: length` (the flag);
3. `request_left_downloader` (after `response_downloaded`, before any `process_response`;
   also after a failed download, so a retry never carries the 0 on): both keys = the
   limit, which is then what decompression stops at.

A request's own `download_maxsize` meta, when set, is its limit instead of the setting's.
`DOWNLOAD_MAXSIZE`/`DOWNLOAD_WARNSIZE` (crawler/settings.py) equal the default limit only as
the fallback for responses that never reach the downloader (pages answered from the archive
by the incremental middleware) and for a crawl with this extension switched off; the spider
also refuses to extract from a body over the limit, whatever produced it.

A truncated page gets one warning line (URL, bytes kept) and the stat
`newsarchive/truncated`; the spider neither parses it nor makes an article of it. When its
body was compressed, the truncated stream usually decompresses past the limit too:
`HttpCompressionMiddleware`'s own warning about it would be a second line for one problem,
and is filtered out.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.exceptions import StopDownload
from scrapy.http import Response

from archive.limits import MAX_BODY

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: The flag Scrapy puts on a response whose download a `bytes_received` handler stopped.
STOPPED_FLAG = "download_stopped"
#: The request's limit, kept here while `download_maxsize` is switched off for the download.
LIMIT_META_KEY = "newsarchive_max_body"
_COMPRESSION_LOGGER = "scrapy.downloadermiddlewares.httpcompression"


def max_body(settings: BaseSettings) -> int:
    """`NEWSARCHIVE_MAX_BODY`: the limit in bytes, 0 for none."""
    return max(0, settings.getint("NEWSARCHIVE_MAX_BODY", MAX_BODY))


def is_truncated(response: Response) -> bool:
    """Was the body cut at the limit? (The only download this project stops is for size.)"""
    return STOPPED_FLAG in response.flags


class _AlreadyReported(logging.Filter):
    """Drops `HttpCompressionMiddleware`'s warning about a page already reported truncated."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for url in self.urls:
            if f" {url}>" in message:
                self.urls.discard(url)
                return False
        return True


class SizeLimit:
    def __init__(self, limit: int, stats: StatsCollector) -> None:
        self.limit = limit
        self.stats = stats
        self._received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()
        self._reported = _AlreadyReported()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeLimit:
        extension = cls(max_body(crawler.settings), crawler.stats)
        connect = crawler.signals.connect
        connect(extension.request_reached_downloader, signals.request_reached_downloader)
        connect(extension.bytes_received, signals.bytes_received)
        connect(extension.response_downloaded, signals.response_downloaded)
        connect(extension.request_left_downloader, signals.request_left_downloader)
        connect(extension.spider_opened, signals.spider_opened)
        connect(extension.spider_closed, signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        logging.getLogger(_COMPRESSION_LOGGER).addFilter(self._reported)

    def spider_closed(self, spider: Spider) -> None:
        logging.getLogger(_COMPRESSION_LOGGER).removeFilter(self._reported)

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        if LIMIT_META_KEY not in request.meta:
            request.meta[LIMIT_META_KEY] = request.meta.get("download_maxsize", self.limit)
        request.meta["download_maxsize"] = 0
        request.meta["download_warnsize"] = 0
        self._received[request] = 0

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        limit = request.meta.get(LIMIT_META_KEY, self.limit)
        received = self._received.get(request, 0) + len(data)
        self._received[request] = received
        if limit and received > limit:
            raise StopDownload(fail=False)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if not is_truncated(response):
            return
        self.stats.inc_value("newsarchive/truncated")
        self._reported.urls.add(response.url)
        logger.warning(
            "%s: over NEWSARCHIVE_MAX_BODY (%d bytes), archived truncated to its first %d "
            "bytes, not parsed",
            response.url,
            request.meta.get(LIMIT_META_KEY, self.limit),
            len(response.body),
        )

    def request_left_downloader(self, request: Request, spider: Spider) -> None:
        limit = request.meta.get(LIMIT_META_KEY, self.limit)
        request.meta["download_maxsize"] = limit
        request.meta["download_warnsize"] = limit
        self._received.pop(request, None)
