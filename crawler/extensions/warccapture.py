"""Scrapy extension: write every HTTP exchange of a crawl to WARC 1.1.

Captures on `signals.response_downloaded`, which fires straight after the download handler
and before any downloader middleware: the body is still compressed, redirects and error
statuses are still there, robots.txt, feeds and sitemaps are included, and HTTP-cache hits
(which are not downloads) are not. The response's WARC location (an `archive.warc.capture.Capture`)
is left in `request.meta["newsarchive_capture"]` for the spider; article documents coming out
of the pipelines are added as `conversion` records referring to that response.

Settings: WARC_ENABLED, WARC_PREFIX, WARC_MAX_SIZE, WARC_GZIP_LEVEL, WARC_OPERATOR,
WARC_DESCRIPTION, WARC_IS_PART_OF, and NEWSARCHIVE_OUT (files go to NEWSARCHIVE_OUT/warc).
With NEWSARCHIVE_STORAGE (`s3://BUCKET/PREFIX`, set by `crawl --out s3://…`), each file
closed is uploaded there in a background thread and removed locally (`archive.storage`).
"""

from __future__ import annotations

import logging
import platform
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from archive.catalog import CaptureRow
from archive.errors import WarcReadError, WarcWriteError
from archive.layout import WARC_DIR
from archive.warc.capture import Capture, write_exchange
from archive.warc.records import (
    IDENTICAL_PAYLOAD_DIGEST,
    SERVER_NOT_MODIFIED,
    HttpExchange,
    Original,
    build_conversion_record,
    freshened,
    header_pairs,
    payload_digest,
)
from archive.warc.writer import RotatingWarcWriter
from crawler import __version__
from crawler.article_record import ArticleDocument
from crawler.items import CAPTURE_META_KEY
from crawler.logredact import url_userinfo_redacted
from crawler.middlewares.incremental import ARTICLE_KNOWN_KEY, ORIGINAL_KEY
from crawler.requisites import REQUISITE_KEY
from crawler.requisites.finder import RESOURCE_TYPES
from crawler.session import ArchiveSession, session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from archive.storage.sync import WarcUploader

logger = logging.getLogger(__name__)

WARC_1_1_SPEC = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def warcinfo_fields(settings: scrapy.settings.BaseSettings) -> dict[str, str]:
    """The warcinfo block (Heritrix's field names) describing how this crawl was made.

    No credentials: no proxy URL or secret setting is read, and URL passwords are masked.
    """
    hostname = socket.gethostname()
    try:
        ip = socket.gethostbyname(hostname)
    except OSError:
        ip = ""
    fields = {
        "software": (
            f"newsarchive/{__version__} (Scrapy/{scrapy.__version__}; warcio/"
            f"{version('warcio')}; Python/{platform.python_version()})"
        ),
        "hostname": hostname,
        "ip": ip,
        "format": "WARC File Format 1.1",
        "conformsTo": WARC_1_1_SPEC,
        "operator": settings.get("WARC_OPERATOR") or "",
        "isPartOf": settings.get("WARC_IS_PART_OF") or "",
        "description": settings.get("WARC_DESCRIPTION") or "",
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
    }
    # Only the operator's own texts go here, never a proxy or other setting; a URL with a
    # password pasted into one of them still loses the password (WARC files get published).
    return {name: url_userinfo_redacted(str(value)) for name, value in fields.items()}


def exchange_from_scrapy(request: Request, response: Response) -> HttpExchange:
    """The Scrapy ↔ WARC boundary: plain data from Scrapy's request and response objects."""
    # The proxy's credentials are ours, not part of the exchange with the site: never archived.
    request_headers = [
        (name, value)
        for name, value in header_pairs(request.headers.items())
        if name.lower() != "proxy-authorization"
    ]
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", urlsplit(request.url).netloc))
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    latency = request.meta.get("download_latency") or 0.0
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.body or b"",
        status=response.status,
        reason=reason,
        response_headers=header_pairs(response.headers.items()),
        response_body=response.body,
        http_version=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
        started_at=datetime.now(UTC) - timedelta(seconds=latency),
        truncated=_truncated(response),
        resource_type=RESOURCE_TYPES.get(request.meta.get(REQUISITE_KEY, "")),
    )


def _truncated(response: Response) -> str | None:
    """The WARC-Truncated reason of an incomplete body: "length" when the download was
    stopped at NEWSARCHIVE_MAX_BODY (crawler/extensions/sizelimit.py: the only download this
    project stops), "disconnect" when the connection broke off."""
    if "download_stopped" in response.flags:
        return "length"
    if "dataloss" in response.flags:
        return "disconnect"
    return None


def revisit_profile(status: int, body: bytes, original: CaptureRow | None) -> str | None:
    """The revisit profile an answer is stored with, or None to store it whole: a 304 is
    server-not-modified; a 200 whose payload is the original's byte for byte is
    identical-payload-digest (only the headers are stored again)."""
    if original is None or original.record_type != "response" or not original.payload_digest:
        return None
    if status == 304:
        return SERVER_NOT_MODIFIED
    if status == original.status == 200 and payload_digest(body) == original.payload_digest:
        return IDENTICAL_PAYLOAD_DIGEST
    return None


def _uploader(url: str | None) -> WarcUploader | None:
    """The background uploader of `NEWSARCHIVE_STORAGE`, if set (boto3 imported only then)."""
    if not url:
        return None
    from archive.storage import open_store
    from archive.storage.sync import WarcUploader

    return WarcUploader(open_store(url))


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class WarcCapture:
    def __init__(
        self,
        writer: RotatingWarcWriter,
        stats: StatsCollector,
        crawler: Crawler,
        session: ArchiveSession | None = None,
    ):
        self.writer = writer
        self.stats = stats
        self.crawler = crawler
        self.session = session
        self.failed = False
        self._registered: set[str] = set()
        self.uploader: WarcUploader | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        directory = Path(settings.get("NEWSARCHIVE_OUT", "data")) / WARC_DIR
        uploader = _uploader(settings.get("NEWSARCHIVE_STORAGE"))
        writer = RotatingWarcWriter(
            directory,
            prefix=settings.get("WARC_PREFIX", "newsarchive"),
            max_size=settings.getint("WARC_MAX_SIZE", 1_000_000_000),
            warcinfo=warcinfo_fields(settings),
            compress_level=settings.getint("WARC_GZIP_LEVEL", 1),
            on_close=uploader.submit if uploader else None,
        )
        extension = cls(writer, crawler.stats, crawler, session_of(crawler))
        extension.uploader = uploader
        crawler.signals.connect(extension.response_downloaded, signals.response_downloaded)
        crawler.signals.connect(extension.item_scraped, signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.failed:
            return
        original: CaptureRow | None = request.meta.get(ORIGINAL_KEY)
        profile = revisit_profile(response.status, response.body, original)
        revisit_of = None
        if profile is not None:
            assert original is not None
            revisit_of = Original(
                original.record_id,
                original.url,
                original.fetched_at,
                original.payload_digest or "",
            )
        exchange = exchange_from_scrapy(request, response)
        if profile == SERVER_NOT_MODIFIED:
            assert original is not None
            exchange = self._freshened(exchange, original)
            if exchange.status == 304:  # the original cannot be read: store the 304 whole
                profile = revisit_of = None
        try:
            capture = write_exchange(
                self.writer, exchange, revisit_of=revisit_of, revisit_profile=profile
            )
        except WarcWriteError as exc:
            self._fail(exc, spider)
            return
        request.meta[CAPTURE_META_KEY] = capture
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/revisits" if revisit_of else "warc/responses")
        if self.session is not None:
            self._catalog(capture, response, original if revisit_of else None)
            request.meta[ARTICLE_KNOWN_KEY] = bool(revisit_of and original.has_article)

    def _freshened(self, exchange: HttpExchange, original: CaptureRow) -> HttpExchange:
        """The 304 as the original response it confirms (see `archive.warc.records.freshened`)."""
        assert self.session is not None  # an original comes from the session's catalog
        try:
            return freshened(exchange, self.session.stored_response(original).http_headers)
        except (WarcReadError, ValueError) as exc:
            logger.warning("%s: cannot read its original capture (%s)", exchange.url, exc)
            return exchange

    def _catalog(self, capture: Capture, response: Response, original: CaptureRow | None) -> None:
        """Record the capture; a revisit inherits its original's article (same payload,
        same article) and, when the 304 left them out, its validators."""
        assert self.session is not None
        catalog = self.session.catalog
        if capture.warc_file not in self._registered:
            catalog.register_warc_file(capture.warc_file, self.session.run.id)
            self._registered.add(capture.warc_file)
        etag, modified = _header(response, b"ETag"), _header(response, b"Last-Modified")
        row = CaptureRow(
            record_id=capture.warc_record_id,
            url=response.url,
            fetched_at=capture.fetched_at,
            status=capture.status,
            record_type="revisit" if original else "response",
            payload_digest=capture.payload_digest,
            warc_file=capture.warc_file,
            warc_offset=capture.warc_offset,
            warc_length=capture.warc_length,
            etag=etag or (original.etag if original else None),
            last_modified=modified or (original.last_modified if original else None),
            refers_to=original.record_id if original else None,
            run_id=self.session.run.id,
            server_date=_header(response, b"Date"),
        )
        if original is not None and original.has_article:
            row = replace(
                row,
                article_id=original.article_id,
                article_version=original.article_version,
                content_hash=original.content_hash,
                canonical_url=original.canonical_url,
            )
        catalog.add_capture(row)

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        if self.failed or not isinstance(item, ArticleDocument):
            return
        record = build_conversion_record(
            self.writer.builder,
            item["url"],
            item.encoded,
            refers_to=item["capture"]["warc_record_id"],
        )
        try:
            self.writer.write(record)
        except WarcWriteError as exc:
            self._fail(exc, spider)
            return
        self.stats.inc_value("warc/records")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            self.writer.close()
        except OSError as exc:
            logger.error("could not close WARC file: %s", exc, exc_info=True)
        self.stats.set_value("warc/files", len(self.writer.files_written))
        self.stats.set_value("warc/bytes", self.writer.bytes_written)
        if self.uploader is not None:
            report = self.uploader.finish()
            self.stats.set_value("storage/uploaded", len(report.uploaded))
            for path, reason in report.failed:  # kept locally; the next crawl uploads it
                self.stats.inc_value("storage/upload_failed")
                logger.error("WARC upload failed, %s kept: %s", path, reason)

    def _fail(self, exc: Exception, spider: Spider) -> None:
        """Stop the crawl: fetching on without archiving would lose what it fetches."""
        self.failed = True
        self.stats.inc_value("warc/write_errors")
        logger.error("WARC writing failed, stopping the crawl: %s", exc, exc_info=True)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_write_error"))
