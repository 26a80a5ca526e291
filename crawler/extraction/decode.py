"""Stage 1 — bytes to text: pick the document's character encoding.

Order of trust: byte-order mark, HTTP charset, <meta charset>/http-equiv, then detection.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def _valid(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def detect_encoding(data: bytes, http_charset: str | None = None) -> str:
    """Return the Python codec name to decode `data` with."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    declared = _valid(http_charset)
    if declared:
        return declared
    match = _META_CHARSET.search(data[:4096])
    declared = _valid(match.group(1).decode("ascii", "replace")) if match else None
    return declared or "utf-8"


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode `data` to text; undecodable bytes become U+FFFD rather than an error."""
    return data.decode(detect_encoding(data, http_charset), errors="replace")
