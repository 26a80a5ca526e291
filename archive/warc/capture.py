"""Write an HTTP exchange as a request/response pair and describe where it landed.

The `Capture` is the pointer an article JSON keeps back into the WARC: one seek to
`warc_offset` in `warc_file` reads the exact raw response the article came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from archive.warc.records import (
    HttpExchange,
    Original,
    build_request_record,
    build_response_record,
    build_revisit_record,
)
from archive.warc.writer import RotatingWarcWriter


@dataclass(frozen=True)
class Capture:
    """Where one response (or revisit) record is, and what it answered.

    Travels as this object from the record's writer (or reader, in replay) to the article
    document, which holds `to_dict()`: the JSON form, in the field order below. In
    `request.meta` it goes along with a redirected or retried request (Scrapy copies the
    meta) into the request queues, which pickle: Scrapy's disk queues (JOBDIR) and the shared
    frontier's. A frozen dataclass of plain values pickles as it is; it is no JSON value.
    """

    warc_file: str
    warc_offset: int
    warc_length: int
    warc_record_id: str
    fetched_at: str  # the response record's WARC-Date
    status: int
    # None only in replay, for another tool's WARC record without a WARC-Payload-Digest.
    payload_digest: str | None

    def to_dict(self) -> dict[str, Any]:
        """The pointer as the article JSON carries it."""
        return asdict(self)


def write_exchange(
    writer: RotatingWarcWriter,
    exchange: HttpExchange,
    *,
    revisit_of: Original | None = None,
    revisit_profile: str | None = None,
) -> Capture:
    """Append the response record and the request record that points at it, in one write
    (never one without the other, however the process dies).

    With `revisit_of`, the response is stored as a `revisit` record of `revisit_profile`
    referring to that original (its payload is not stored again) and the capture's
    `payload_digest` is the original's.
    """
    if revisit_of is not None:
        assert revisit_profile is not None
        response = build_revisit_record(
            writer.builder, exchange, revisit_of, profile=revisit_profile
        )
    else:
        response = build_response_record(writer.builder, exchange)
    headers = response.rec_headers
    response_id = headers.get_header("WARC-Record-ID")
    request = build_request_record(writer.builder, exchange, response_id)
    location, _ = writer.write_group([response, request])
    return Capture(
        warc_file=location.warc_file,
        warc_offset=location.offset,
        warc_length=location.length,
        warc_record_id=response_id,
        fetched_at=headers.get_header("WARC-Date"),
        status=exchange.status,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
    )
