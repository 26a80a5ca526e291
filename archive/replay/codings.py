"""Undo the codings a stored HTTP body carries: chunked transfer and content encodings.

Pure functions over bytes (no WARC types), so that a page can travel to a worker process
still encoded — about a fifth of its decoded size — and be decoded there, in parallel.
What they keep of a damaged body is what Scrapy's HttpCompressionMiddleware keeps.

Every decoder streams and stops once its output passes a limit (`archive.limits.MAX_BODY`
unless told otherwise): a 5 MB gzip member of zeros would otherwise become 5 GB in memory.
A body over the limit raises `BodyTooLarge`; the page is then skipped, not cut and extracted.
"""

from __future__ import annotations

import gzip
import importlib
import io
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from isal import isal_zlib

from archive.limits import MAX_BODY

_CHUNK = 65536  # decompressed bytes per step: what the streaming loops hold beyond the output


def streaming_brotli() -> ModuleType | None:
    """A brotli module with Google's streaming API (`Decompressor().process(data,
    output_buffer_limit=)` and `is_finished()`), the one Scrapy's decoder calls.

    `import brotli` is not enough: pywb depends on brotlipy, whose package is also named
    `brotli` and shadows Google's `brotli.py` (a package wins over a module of the same name),
    but has only `decompress()`. brotlicffi ≥ 1.2 (a core dependency) has both APIs.
    """
    for name in ("brotli", "brotlicffi"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        decompressor = getattr(module, "Decompressor", None)
        if all(hasattr(decompressor, attr) for attr in ("process", "is_finished")):
            return module
    return None


def _zstd_module() -> ModuleType | None:
    """The zstd module Scrapy uses: the standard library's from 3.14, its backport before."""
    name = "compression.zstd" if sys.version_info >= (3, 14) else "backports.zstd"
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - installed with Scrapy
        return None


brotli = streaming_brotli()
zstd = _zstd_module()


class BodyDecodeError(ValueError):
    """A stored body cannot be decoded as its headers say (Scrapy would drop the response)."""


class BodyTooLarge(BodyDecodeError):
    """The decoded body would pass the limit: decoding stopped there. `partial` is its first
    `limit` bytes (for `show --decode`, which prints the start of such a body)."""

    def __init__(self, limit: int, partial: bytes = b"") -> None:
        super().__init__(f"decompressed body over {limit} bytes")
        self.limit = limit
        self.partial = partial


class _Output:
    """Collects decoded chunks and raises `BodyTooLarge` as soon as they pass `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = io.BytesIO()

    def write(self, chunk: bytes) -> None:
        room = self.limit - self.buffer.tell()
        if len(chunk) > room:
            self.buffer.write(chunk[:room])
            raise BodyTooLarge(self.limit, self.buffer.getvalue())
        self.buffer.write(chunk)

    def getvalue(self) -> bytes:
        return self.buffer.getvalue()

    def __len__(self) -> int:
        return self.buffer.tell()


def dechunk(data: bytes) -> bytes:
    """Undo chunked transfer coding; data that is not chunked comes back unchanged.

    Tolerant like browsers: a missing last chunk or trailer ends the body where the data ends.
    Never longer than `data`, so it needs no limit of its own.
    """
    out = io.BytesIO()
    position = 0
    while position < len(data):
        end = data.find(b"\r\n", position)
        if end < 0:
            break
        size_field = data[position:end].split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            if position == 0:
                return data  # never was chunked
            break
        if size == 0:
            break
        start = end + 2
        out.write(data[start : start + size])
        position = start + size + 2
    return out.getvalue() if position else data


def gunzip(data: bytes, limit: int = MAX_BODY) -> bytes:
    """scrapy.utils.gz.gunzip: every member, keeping what decompresses before damage."""
    # Fast path for the usual single intact member: one ISA-L call (0.13 ms for a 174 KB
    # page, zlib's 0.32; it is most of replay's reading time), told to stop one byte past the
    # limit. Anything else (several members, a CRC error, a cut-off stream) goes through
    # GzipFile, as Scrapy's does, a chunk at a time.
    decompressor = isal_zlib.decompressobj(31)
    try:
        body = decompressor.decompress(data, limit + 1)
    except isal_zlib.error:
        body = None
    if body is not None and len(body) > limit:
        raise BodyTooLarge(limit, body[:limit])
    if body is not None and decompressor.eof and not decompressor.unused_data:
        return body
    stream = gzip.GzipFile(fileobj=io.BytesIO(data))
    out = _Output(limit)
    while True:
        try:
            chunk = stream.read1(_CHUNK)
        except (OSError, EOFError, struct.error):
            if len(out):
                break
            raise
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes, limit: int = MAX_BODY) -> bytes:
    """zlib-wrapped deflate, or raw deflate as some servers send it."""
    try:
        body = zlib.decompressobj().decompress(data, limit + 1)
    except zlib.error:
        body = zlib.decompressobj(-15).decompress(data, limit + 1)
    if len(body) > limit:
        raise BodyTooLarge(limit, body[:limit])
    return body


def _unbrotli(data: bytes, limit: int = MAX_BODY) -> bytes:
    """Scrapy's `_unbrotli`: a chunk at a time, what decodes before damage or the end."""
    assert brotli is not None
    decompressor = brotli.Decompressor()
    out = _Output(limit)
    out.write(decompressor.process(data, output_buffer_limit=_CHUNK))
    while not decompressor.is_finished():
        chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _unzstd(data: bytes, limit: int = MAX_BODY) -> bytes:
    """Scrapy's `_unzstd`: every frame, a chunk at a time; a cut-off stream keeps its start."""
    assert zstd is not None
    reader = zstd.ZstdFile(io.BytesIO(data))
    out = _Output(limit)
    while True:
        try:
            chunk = reader.read(_CHUNK)
        except EOFError:
            break
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _decoder(coding: str) -> Callable[[bytes, int], bytes] | None:
    if coding in ("gzip", "x-gzip"):
        return gunzip
    if coding == "deflate":
        return _inflate
    if coding == "br" and brotli is not None:
        return _unbrotli
    if coding == "zstd" and zstd is not None:
        return _unzstd
    return None


def decodable_codings() -> tuple[str, ...]:
    """The content codings `Codings.undo` can undo in this process."""
    return tuple(c for c in ("gzip", "x-gzip", "deflate", "br", "zstd") if _decoder(c))


@dataclass(frozen=True)
class Codings:
    """How a stored body is coded: chunked or not, and its content codings as applied.

    `limit` travels with them (to the worker that decodes): the most bytes a decoded body
    may have.
    """

    chunked: bool = False
    content: tuple[str, ...] = ()  # lower-cased, in the order the server applied them
    limit: int = MAX_BODY

    def undo(self, stored: bytes) -> bytes:
        """The body a crawler's response object holds; `BodyDecodeError` if it cannot be,
        `BodyTooLarge` (one of those) when it would pass `limit`."""
        return self._undo(stored, keep_start=False)[0]

    def undo_start(self, stored: bytes) -> tuple[bytes, bool]:
        """At most `limit` bytes of the decoded body, and whether that is all of it: a person
        reading a body (`show --decode`) is better served by its start than by nothing."""
        return self._undo(stored, keep_start=True)

    def _undo(self, stored: bytes, *, keep_start: bool) -> tuple[bytes, bool]:
        raw = dechunk(stored) if self.chunked else stored
        codings = list(self.content)
        body, whole = raw, True
        while codings:
            decoder = _decoder(codings.pop())
            if decoder is None:
                break  # Scrapy keeps the body as it is from the first coding it cannot undo
            try:
                body = decoder(body, self.limit)
            except BodyTooLarge as exc:
                if not keep_start:
                    raise
                body, whole = exc.partial, False
            except Exception as exc:
                # Some tools store the decoded body but keep the header: take it as it is.
                if body is raw and body.lstrip()[:1] == b"<":
                    return raw, whole
                if not whole:  # the start of a cut-off coding: what decoded is all there is
                    return body, whole
                raise BodyDecodeError(f"cannot undo Content-Encoding: {exc}") from exc
        return body, whole


NO_CODINGS = Codings()
