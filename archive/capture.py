"""Write an HTTP exchange as a request/response pair and describe where it landed.

The `Capture` is the pointer an article JSON keeps back into the WARC: one seek to
`warc_offset` in `warc_file` reads the exact raw response the article came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from archive.records import HttpExchange, build_request_record, build_response_record
from archive.warc_writer import RotatingWarcWriter


@dataclass(frozen=True)
class Capture:
    warc_file: str
    warc_offset: int
    warc_length: int
    warc_record_id: str
    fetched_at: str  # the response record's WARC-Date
    status: int
    payload_digest: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_exchange(writer: RotatingWarcWriter, exchange: HttpExchange) -> Capture:
    """Append the response record, then the request record that points at it."""
    response = build_response_record(writer.builder, exchange)
    headers = response.rec_headers
    response_id = headers.get_header("WARC-Record-ID")
    location = writer.write(response)
    writer.write(build_request_record(writer.builder, exchange, response_id))
    return Capture(
        warc_file=location.warc_file,
        warc_offset=location.offset,
        warc_length=location.length,
        warc_record_id=response_id,
        fetched_at=headers.get_header("WARC-Date"),
        status=exchange.status,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
    )
