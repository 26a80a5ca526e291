"""Build WARC records from plain HTTP exchanges.

The response record must describe exactly the bytes it stores, so that replay tools
(pywb, ReplayWeb.page) serve them correctly: the body stays as received (still compressed,
with its `Content-Encoding`), `Content-Length` is set to the stored length, and
`Transfer-Encoding` is dropped because the client already undid the chunking.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

# Hop-by-hop headers the HTTP client consumed: they describe a transfer we do not store.
_HOP_BY_HOP = frozenset({"transfer-encoding", "connection", "keep-alive", "te", "trailers"})
_DROPPED_RESPONSE_HEADERS = _HOP_BY_HOP | {"content-length"}

Headers = Sequence[tuple[str, str]]



@dataclass(frozen=True)
class HttpExchange:
    """One HTTP request and its response, as the crawler saw them."""

    url: str
    method: str
    request_headers: Headers
    request_body: bytes
    status: int
    reason: str
    response_headers: Headers
    response_body: bytes  # as received: still content-encoded, transfer-decoded
    http_version: str = "HTTP/1.1"
    ip_address: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    truncated: str | None = None  # WARC-Truncated reason when the body is incomplete
    # WARC-Resource-Type (Browsertrix's field, Chrome's names: stylesheet, script, image,
    # font) of an exchange made for a page's requisite; None for a page of the crawl.
    resource_type: str | None = None


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, always UTC."""
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def request_target(url: str) -> str:
    """The request-target of the request line: path and query, never the fragment."""
    parts = urlsplit(url)
    target = parts.path or "/"
    return f"{target}?{parts.query}" if parts.query else target


def _response_headers(exchange: HttpExchange) -> list[tuple[str, str]]:
    headers = [
        (name, value)
        for name, value in exchange.response_headers
        if name.lower() not in _DROPPED_RESPONSE_HEADERS
    ]
    headers.append(("Content-Length", str(len(exchange.response_body))))
    return headers


def _warc_headers(exchange: HttpExchange, **extra: str | None) -> dict[str, str]:
    """WARC headers both records of an exchange carry, plus `extra` (None values left out)."""
    headers = {
        "WARC-Date": warc_date(exchange.started_at),
        "WARC-IP-Address": exchange.ip_address,
        "WARC-Resource-Type": exchange.resource_type,
    }
    headers.update(extra)
    return {name: value for name, value in headers.items() if value}


def build_response_record(builder: RecordBuilder, exchange: HttpExchange) -> ArcWarcRecord:
    http_headers = StatusAndHeaders(
        f"{exchange.status} {exchange.reason}".rstrip(),
        _response_headers(exchange),
        protocol=exchange.http_version,
    )
    return builder.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.response_body),
        length=len(exchange.response_body),
        http_headers=http_headers,
        warc_headers_dict=_warc_headers(exchange, **{"WARC-Truncated": exchange.truncated}),
    )


IDENTICAL_PAYLOAD_DIGEST = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True)
class Original:
    """The earlier capture a revisit record refers to: the record that holds the payload."""

    record_id: str
    uri: str
    date: str  # its WARC-Date
    payload_digest: str


# Headers a 304 must not change in the stored response (RFC 9111 4.3.4 and 9110 15.4.5:
# they describe the stored representation, which the 304 does not carry).
_REPRESENTATION_HEADERS = frozenset(
    {"content-length", "content-encoding", "content-type", "content-range", "transfer-encoding"}
)


def freshened(exchange: HttpExchange, original: StatusAndHeaders) -> HttpExchange:
    """The response a cache holds after the 304 `exchange` (RFC 9111 4.3.4): the original's
    status line and headers, those the 304 sends replacing theirs.

    The block of a server-not-modified revisit is written this way, not as the bare 304:
    replay tools take a revisit's status line as the page's (pywb 2.10 answers a stored
    304 with an empty 304), so only the freshened response shows the page again. The
    record's WARC-Profile still says the server answered "not modified".
    """
    sent = {name.lower() for name, _ in exchange.response_headers}
    sent -= _REPRESENTATION_HEADERS
    headers = [(n, v) for n, v in original.headers if n.lower() not in sent]
    headers += [
        (n, v)
        for n, v in exchange.response_headers
        if n.lower() not in _REPRESENTATION_HEADERS
    ]
    status, _, reason = original.statusline.partition(" ")
    return replace(
        exchange,
        status=int(status),
        reason=reason,
        response_headers=headers,
        http_version=original.protocol or exchange.http_version,
    )


def build_revisit_record(
    builder: RecordBuilder, exchange: HttpExchange, original: Original, *, profile: str
) -> ArcWarcRecord:
    """A `revisit` record (WARC 1.1 section 6.7): the exchange's status line and headers,
    no body, and the three headers replay tools follow to the original's payload
    (`WARC-Refers-To`, `-Target-URI`, `-Date`: pywb needs the last two). For a 304, pass
    the `freshened` exchange: its `Content-Length` is the original payload's, which replay
    serves."""
    if profile == IDENTICAL_PAYLOAD_DIGEST:  # the body received is the original's
        headers = _response_headers(exchange)
    else:  # the freshened original's headers, its Content-Length included
        headers = [(n, v) for n, v in exchange.response_headers if n.lower() not in _HOP_BY_HOP]
    http_headers = StatusAndHeaders(
        f"{exchange.status} {exchange.reason}".rstrip(), headers, protocol=exchange.http_version
    )
    record = builder.create_warc_record(
        exchange.url,
        "revisit",
        http_headers=http_headers,
        warc_headers_dict=_warc_headers(
            exchange,
            **{
                "WARC-Profile": profile,
                "WARC-Refers-To": original.record_id,
                "WARC-Refers-To-Target-URI": original.uri,
                "WARC-Refers-To-Date": original.date,
                "WARC-Payload-Digest": original.payload_digest,
            },
        ),
    )
    return record


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for `body`: `sha1:` and base 32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def build_request_record(
    builder: RecordBuilder, exchange: HttpExchange, response_record_id: str
) -> ArcWarcRecord:
    http_headers = StatusAndHeaders(
        f"{exchange.method} {request_target(exchange.url)} {exchange.http_version}",
        list(exchange.request_headers),
        is_http_request=True,
    )
    return builder.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        http_headers=http_headers,
        warc_headers_dict=_warc_headers(exchange, **{"WARC-Concurrent-To": response_record_id}),
    )


def build_conversion_record(
    builder: RecordBuilder,
    url: str,
    payload: bytes,
    refers_to: str,
    *,
    created_at: datetime | None = None,
) -> ArcWarcRecord:
    """An article JSON document (`payload`) as a `conversion` record derived from the
    response it refers to."""
    return builder.create_warc_record(
        url,
        "conversion",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={
            "WARC-Date": warc_date(created_at or datetime.now(UTC)),
            "WARC-Refers-To": refers_to,
        },
    )


def header_pairs(
    items: Iterable[tuple[bytes | str, Iterable[bytes | str]]],
) -> list[tuple[str, str]]:
    """Flatten (name, [values]) pairs into (name, value) pairs, keeping every value."""

    def text(value: bytes | str) -> str:
        return value.decode("latin-1") if isinstance(value, bytes) else value

    return [(text(name), text(value)) for name, values in items for value in values]
