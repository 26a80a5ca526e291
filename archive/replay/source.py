"""Stream the HTML pages out of one WARC or ARC file, whoever wrote it.

Every record is read once, in file order, with warcio's `ArchiveIterator`; only the payloads
of HTML responses are read into memory, one at a time. For each page we rebuild what a live
crawl's spider received from Scrapy:

* status 2xx only (Scrapy's HttpErrorMiddleware hands nothing else to a callback);
* the body freed of `Transfer-Encoding: chunked` (foreign tools store it as sent) and of every
  `Content-Encoding` Scrapy's HttpCompressionMiddleware decodes (gzip, x-gzip, deflate, br when
  brotli is installed, zstd when a zstd module is), last coding first, stopping at an unknown
  one (codings.py) — done where the page is used (`Page.body`), usually a worker process;
* no body over `max_body` bytes (`archive.limits.MAX_BODY`), stored or decoded: such a page is
  named in one warning line (URL, WARC file, offset) and skipped, and memory stays bounded
  whatever the record holds (stored bodies are read at most `max_body` + 1 bytes at a time);
* HTML by the spider's rule (`crawler.pagekind.is_html`): the `Content-Type` says html, or
  there is none and `<html` is in the first 2 KB (then the body is decoded here).

An ARC file's records are read as WARC records (`archive.warc.arc.ArchiveRecords`): a capture
pointer into an ARC names the file and the record's offset (its gzip member's, in a
`.arc.gz`), its `warc_record_id` is the stable id `archive.warc.arc` gives ARC records, its
`fetched_at` the ARC archive date, and its `payload_digest` the SHA-1 of the payload (ARC
stores none; cdxj-indexer computes the same).

A `revisit` record (identical payload digest) stands for an earlier response with the same
payload: its page is that original's payload, read back by offset, with the revisit's own
capture pointer. Originals are found in a map payload digest -> (file, offset) of the HTML
responses seen so far; when the original is not in the map the revisit is handed on as a
`PendingRevisit` for the caller to resolve against other files.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders

from archive.errors import WarcReadError
from archive.limits import MAX_BODY
from archive.replay.codings import NO_CODINGS, BodyDecodeError, BodyTooLarge, Codings
from archive.replay.pages import Page
from archive.warc.arc import ArchiveRecords
from archive.warc.capture import Capture
from archive.warc.reader import record_in
from crawler.pagekind import is_html as page_is_html

logger = logging.getLogger(__name__)

_XML_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml",
                        "application/atom+xml", "image/svg+xml"})
# payload digest -> (WARC path, offset of the original response record)
DigestMap = dict[str, tuple[str, int]]


@dataclass(frozen=True)
class PendingRevisit:
    """A revisit whose original is in no file read so far."""

    url: str
    digest: str
    capture: Capture


@dataclass
class FileStats:
    path: str
    records: int = 0
    bytes_read: int = 0
    html_pages: int = 0
    revisits_resolved: int = 0
    revisits_unresolved: int = 0
    error: str | None = None


# -- headers and bodies -----------------------------------------------------------------


def header_values(http: StatusAndHeaders, name: str) -> list[str]:
    name = name.lower()
    return [value for key, value in http.headers if key.lower() == name]


def last_header(http: StatusAndHeaders, name: str) -> str:
    """The last value, as Scrapy's `Headers.get` returns it."""
    values = header_values(http, name)
    return values[-1].strip() if values else ""


def codings_of(http: StatusAndHeaders, limit: int = MAX_BODY) -> Codings:
    """What stands between the stored body and the one Scrapy would have decoded, and the
    most bytes the decoded body may have."""
    content = tuple(
        coding.strip().lower()
        for value in header_values(http, "Content-Encoding")
        for coding in value.split(",")
        if coding.strip()
    )
    chunked = "chunked" in last_header(http, "Transfer-Encoding").lower()
    if not (chunked or content) and limit == MAX_BODY:
        return NO_CODINGS
    return Codings(chunked, content, limit)


def read_stored(record: Any, limit: int) -> bytes | None:
    """A record's stored payload, or None when it is over `limit` bytes (then drained a MB at
    a time, so that a record of any size costs `limit` bytes of memory at most)."""
    body = record.raw_stream.read(limit + 1)
    if len(body) <= limit:
        return body
    while record.raw_stream.read(1 << 20):
        pass
    return None


def decoded_body(record: Any, limit: int = MAX_BODY) -> bytes:
    """A response record's body as a browser or Scrapy would see it: chunking and every
    content coding undone (`br` and `zstd` too, in every install, where warcio's
    `content_stream()` depends on which `brotli` module is installed and knows no `zstd`).

    Raises `BodyTooLarge` when the body, stored or decoded, passes `limit` bytes (memory
    stays bounded by it), `BodyDecodeError` when a coding cannot be undone.
    """
    stored = read_stored(record, limit)
    if stored is None:
        raise BodyTooLarge(limit)
    if record.http_headers is None:
        return stored
    return codings_of(record.http_headers, limit).undo(stored)


def is_page_record(headers: StatusAndHeaders) -> bool:
    """Whether a record may hold a page: not when its crawler marked it as something a page
    loaded (`WARC-Resource-Type` other than `document`, as Browsertrix writes it and our
    crawl does for requisites). A crawl never takes a requisite for an article, nor may
    replay: an HTML page fetched as some page's icon is not one of the crawl's pages."""
    kind = headers.get_header("WARC-Resource-Type")
    return kind is None or kind.strip().lower() == "document"


def is_html(content_type: str, body: bytes | None, url: str) -> bool | None:
    """The spider's test (`crawler.pagekind.is_html`) on a record, with Scrapy's choice of an
    `XmlResponse` (which the spider never parses as a page) guessed from the URL; None when
    the answer needs a `body` that was not given."""
    if content_type:
        return page_is_html(content_type, b"")
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    if guessed in _XML_TYPES:
        return False
    if body is None:
        return None
    return page_is_html(content_type, body)


def target_uri(headers: StatusAndHeaders) -> str:
    """WARC-Target-URI, without the <...> some WARC 1.0 writers put around it."""
    uri = (headers.get_header("WARC-Target-URI") or "").strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri


def _owed(record: Any) -> bool:
    """Whether a record read to its end still lacks bytes its Content-Length promised."""
    return getattr(record.raw_stream, "limit", 0) > 0


def _status(http: StatusAndHeaders | None) -> int:
    try:
        return int(http.get_statuscode()) if http is not None else 0
    except (TypeError, ValueError):
        return 0


# -- the reader ---------------------------------------------------------------------------


class WarcPages:
    """Iterate the pages of one WARC file: `Page` and `PendingRevisit` items, in file order.

    `digests` is shared with the caller so that revisits can find originals in files read
    earlier; `stats` counts what was read and is safe to sample while iterating. Pages come
    with their bodies still coded (`Page.body` decodes) unless `decode` is set: then a body
    that cannot be decoded is logged and skipped here, as it is when it has no Content-Type.
    A body over `max_body` bytes, stored or decoded, is never handed on (see the module).
    """

    def __init__(
        self, path: str | os.PathLike[str], digests: DigestMap | None = None, *,
        decode: bool = False, max_body: int = MAX_BODY,
    ) -> None:
        self.path = Path(path)
        self.decode = decode
        self.max_body = max_body
        self.name = self.path.name
        self.digests: DigestMap = {} if digests is None else digests
        self.stats = FileStats(str(self.path))
        self._originals = OriginalReader(max_body)

    def __iter__(self) -> Iterator[Page | PendingRevisit]:
        try:
            stream = open(self.path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise WarcReadError(f"{self.path}: cannot open: {exc.strerror or exc}") from exc
        try:
            yield from self._records(stream)
        finally:
            stream.close()
            self._originals.close()

    def _records(self, stream: BinaryIO) -> Iterator[Page | PendingRevisit]:
        iterator = ArchiveRecords(stream, self.path)
        records = iter(iterator)
        previous = None
        end = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                record = None
            except WarcReadError:
                raise  # says what and where already (archive.warc.arc)
            except Exception as exc:
                raise WarcReadError(self._describe_failure(exc)) from exc
            # warcio drains each record before the next; data missing at the end of a file
            # (a truncated gzip member or plain file) shows as a record still owed bytes.
            if previous is not None and _owed(previous):
                raise WarcReadError(self._describe_failure(EOFError("a record is cut short")))
            if record is None:
                if previous is None:
                    raise WarcReadError(f"{self.path}: not a WARC file (no records in it)")
                self._check_end(stream, end)
                return
            previous = record
            self.stats.records += 1
            try:
                item = self._item(record, iterator)
            except (OSError, EOFError, zlib.error) as exc:
                raise WarcReadError(self._describe_failure(exc)) from exc
            end = iterator.get_record_offset() + iterator.get_record_length()
            self.stats.bytes_read = stream.tell()
            if item is not None:
                yield item

    def _check_end(self, stream: BinaryIO, end: int) -> None:
        """warcio stops quietly at a cut-off gzip member: bytes after the last record."""
        size = os.fstat(stream.fileno()).st_size
        stream.seek(end)
        rest = stream.read(65)
        if rest.strip(b"\r\n"):
            problem = EOFError(f"{size - end} bytes after the last complete record")
            raise WarcReadError(self._describe_failure(problem))

    def _describe_failure(self, exc: Exception) -> str:
        where = f" after {self.stats.records} records" if self.stats.records else ""
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not self.stats.records and "Unknown archive format" in str(exc):
            return f"{self.path}: not a WARC file ({reason})"
        return f"{self.path}: unreadable{where} (truncated or corrupt?): {reason}"

    def _capture(
        self, record: Any, iterator: ArchiveRecords, status: int, payload: bytes | None = None
    ) -> Capture:
        """The `Capture` of this record. `payload`: the stored payload, whose SHA-1 is the
        digest of an ARC record."""
        headers = record.rec_headers
        digest = headers.get_header("WARC-Payload-Digest")
        if digest is None and record.format == "arc" and payload is not None:
            digest = "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")
        return Capture(
            warc_file=self.name,
            warc_offset=iterator.get_record_offset(),
            warc_length=iterator.get_record_length(),
            warc_record_id=headers.get_header("WARC-Record-ID"),
            fetched_at=headers.get_header("WARC-Date"),
            status=status,
            payload_digest=digest,
        )

    def _item(self, record: Any, iterator: ArchiveRecords) -> Page | PendingRevisit | None:
        if not is_page_record(record.rec_headers):
            return None
        if record.rec_type == "response":
            return self._response(record, iterator)
        if record.rec_type == "revisit":
            return self._revisit(record, iterator)
        return None

    def _response(self, record: Any, iterator: ArchiveRecords) -> Page | None:
        http = record.http_headers
        status = _status(http)
        if not 200 <= status < 300:
            return None
        url = target_uri(record.rec_headers)
        content_type = last_header(http, "Content-Type")
        if is_html(content_type, None, url) is False:
            return None
        raw = read_stored(record, self.max_body)
        if _owed(record):
            raise EOFError(f"the record of {url} is cut short")
        capture = self._capture(record, iterator, status, raw)
        if raw is None:
            logger.warning("%s: %s at offset %d: stored body over %d bytes", self.path, url,
                           capture.warc_offset, self.max_body)
            return None
        page = Page(url, raw, content_type, capture, codings_of(http, self.max_body))
        if self.decode or not content_type:  # without a type, '<html' in the body decides
            try:
                body = page.body
            except BodyDecodeError as exc:
                logger.warning("%s: %s at offset %d: %s", self.path, url, capture.warc_offset,
                               exc)
                return None
            if not is_html(content_type, body, url):
                return None
            page = Page(url, body, content_type, capture)  # travels decoded, and once
        digest = capture.payload_digest
        if digest:
            self.digests.setdefault(digest, (str(self.path), capture.warc_offset))
        self.stats.html_pages += 1
        return page

    def _revisit(self, record: Any, iterator: ArchiveRecords) -> Page | PendingRevisit | None:
        headers = record.rec_headers
        digest = headers.get_header("WARC-Payload-Digest")
        profile = headers.get_header("WARC-Profile") or ""
        http = record.http_headers
        record.raw_stream.read()
        if not digest or "server-not-modified" in profile:
            return None  # nothing to resolve by payload (a 304 is never parsed anyway)
        own_status = _status(http)
        if http is not None and own_status and not 200 <= own_status < 300:
            return None
        own_type = last_header(http, "Content-Type") if http is not None else ""
        url = target_uri(headers)
        if own_type and "html" not in own_type.lower():
            return None
        capture = self._capture(record, iterator, own_status)
        location = self.digests.get(digest)
        if location is None:
            self.stats.revisits_unresolved += 1
            return PendingRevisit(url, digest, capture)
        page = self._originals.page(location, url, capture)
        if page is not None:
            self.stats.revisits_resolved += 1
            self.stats.html_pages += 1
        return page


class OriginalReader:
    """Reads original responses by offset, keeping one open handle per file."""

    def __init__(self, max_body: int = MAX_BODY) -> None:
        self.max_body = max_body
        self._handles: dict[str, BinaryIO] = {}

    def page(
        self, location: tuple[str, int], url: str, capture: Capture
    ) -> Page | None:
        """The revisit's page: the original's body and type, the revisit's URL and pointer."""
        path, offset = location
        handle = self._handles.get(path)
        if handle is None:
            handle = self._handles[path] = open(path, "rb")  # noqa: SIM115 - closed in close()
        try:
            record = record_in(handle, offset, path)
            raw = read_stored(record, self.max_body)
        except Exception as exc:
            logger.warning("%s: cannot read the original of revisit %s at %s:%d: %s",
                           capture.warc_file, url, path, offset, exc)
            return None
        if raw is None:
            logger.warning("%s: %s at offset %d: stored body over %d bytes",
                           capture.warc_file, url, capture.warc_offset, self.max_body)
            return None
        http = record.http_headers
        if not capture.status:
            capture = replace(capture, status=_status(http))
        codings = codings_of(http, self.max_body)
        return Page(url, raw, last_header(http, "Content-Type"), capture, codings)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
