"""Advertise in `Accept-Encoding` only the content codings this process can decode.

Scrapy's HttpCompressionMiddleware sends `gzip, deflate, br, zstd` whatever is installed
(`ACCEPTED_ENCODINGS`, a constant) and decodes br with whatever `import brotli` gives. With
pywb installed (the `[test]` and `[replay]` extras), that is brotlipy's package, which is also
named `brotli`, shadows Google's module, and lacks the `Decompressor.process` Scrapy calls:
every `br` page failed with "'Decompressor' object has no attribute 'process'".

So at crawl start (`ContentCodings`, an extension) each coding is checked by decoding a tiny
sample through Scrapy's own decoder; when br fails, Scrapy's decoder is given a module with
the streaming API it expects (`archive.replay.codings.streaming_brotli`: Google's `brotli`
when it is the one imported, else brotlicffi, a core dependency); a coding that still does
not decode is dropped from what Scrapy advertises and accepts, and named in a warning.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from archive.replay.codings import streaming_brotli

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_SAMPLE = b"<p>newsarchive</p>"
# The sample compressed by brotli and zstd (no compressor needed to check a decompressor).
_BR_SAMPLE = b"\x1b\x11\x00\xc8$y|\xe0R\x90B4\xa9Sm\x07\xa93"
_ZSTD_SAMPLE = b"(\xb5/\xfd \x12\x91\x00\x00" + _SAMPLE


def _scrapy_decoders() -> dict[bytes, Callable[[], bytes]]:
    """One real decode per coding, through the functions HttpCompressionMiddleware calls
    (looked up at call time, so that a repaired module is what gets checked)."""
    from scrapy.utils import _compression
    from scrapy.utils.gz import gunzip

    return {
        b"gzip": lambda: gunzip(gzip.compress(_SAMPLE)),
        b"deflate": lambda: _compression._inflate(zlib.compress(_SAMPLE)),
        b"br": lambda: _compression._unbrotli(_BR_SAMPLE),
        b"zstd": lambda: _compression._unzstd(_ZSTD_SAMPLE),
    }


def _decodes(check: Callable[[], bytes]) -> bool:
    try:
        return check() == _SAMPLE
    except Exception:
        return False


def decodable() -> list[bytes]:
    """The codings Scrapy's decoders undo in this process, in Scrapy's order of preference."""
    return [coding for coding, check in _scrapy_decoders().items() if _decodes(check)]


def repair_brotli() -> bool:
    """Give Scrapy's br decoder a module with the API it calls when the one it imported
    lacks it (brotlipy's, brought by pywb). True when br decodes afterwards."""
    from scrapy.utils import _compression

    decoders = _scrapy_decoders()
    if _decodes(decoders[b"br"]):
        return True
    module = streaming_brotli()
    if module is None:
        return False
    _compression.brotli = module  # type: ignore[attr-defined]
    return _decodes(decoders[b"br"])


def install() -> list[bytes]:
    """Repair br if needed, then make Scrapy advertise (and accept) exactly what decodes.
    Returns that list. `ACCEPTED_ENCODINGS` is changed in place: the middleware reads it for
    the `Accept-Encoding` it sets and for the codings it tries to undo."""
    from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS

    repair_brotli()
    working = decodable()
    dropped = [coding for coding in ACCEPTED_ENCODINGS if coding not in working]
    if dropped:
        logger.warning("content codings not decodable here, not advertised: %s",
                       b", ".join(dropped).decode())
    ACCEPTED_ENCODINGS[:] = working
    return working


class ContentCodings:
    """Extension: `install()` once, when the crawler is built, before any request."""

    def __init__(self, accepted: list[bytes]) -> None:
        self.accepted = accepted

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentCodings:
        accepted = install()
        logger.info("Accept-Encoding: %s", b", ".join(accepted).decode())
        return cls(accepted)
