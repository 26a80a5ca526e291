"""ARC files written by hand, as the Internet Archive and Heritrix 1 wrote them (ARC v1).

    filedesc://NAME IP DATE text/plain LENGTH\\n            the file header record:
    1 0 ORIGIN\\n                                           version line
    URL IP-address Archive-date Content-type Archive-length\\n   field names
    \\n
    URL IP DATE CONTENT-TYPE LENGTH\\n                      one record a capture:
    HTTP/1.0 200 OK\\r\\n...\\r\\n\\r\\nBODY                    LENGTH bytes, the HTTP response
    \\n

`LENGTH` counts the bytes after the header line's `\\n` and before the record's closing
`\\n`. In a `.arc.gz` every record is one gzip member (closing `\\n` included), as in the
Internet Archive's files. No library writes ARC any more, so the bytes are made here:
what the readers under test (warcio, cdxj-indexer, ours) make of them is what is tested.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

FIELDS_LINE = b"URL IP-address Archive-date Content-type Archive-length\n"


@dataclass(frozen=True)
class ArcRecord:
    """Where a written record is: its offset in the file and the bytes it spans there."""

    url: str
    offset: int
    length: int  # the gzip member, or the record without its closing newline
    header_line: bytes


def http_block(
    payload: bytes, headers: list[tuple[str, str]], status: str = "200 OK",
    protocol: str = "HTTP/1.0",
) -> bytes:
    head = f"{protocol} {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1") + payload


class Arc:
    """Write an ARC v1 file record by record (`gzip`: one member a record)."""

    def __init__(
        self,
        path: Path,
        *,
        gzip: bool = True,
        version: str = "1 0",
        origin: str = "InternetArchive",
        date: str = "20080105090000",
        filedesc: bool = True,
    ) -> None:
        self.path = path
        self.gzip = gzip
        self.stream = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.records: list[ArcRecord] = []
        if filedesc:
            block = f"{version} {origin}\n".encode() + FIELDS_LINE
            name = path.name.removesuffix(".gz")
            self.raw(f"filedesc://{name} 0.0.0.0 {date} text/plain {len(block)}\n".encode(), block)

    def raw(self, header_line: bytes, block: bytes, *, closing: bytes = b"\n") -> ArcRecord:
        """Append a record as given (a wrong length, a header line of any form)."""
        data = header_line + block + closing
        offset = self.stream.tell()
        if self.gzip:
            data = gzip.compress(data, mtime=0)
            length = len(data)
        else:
            length = len(header_line) + len(block)
        self.stream.write(data)
        record = ArcRecord(header_line.split(b" ", 1)[0].decode(), offset, length, header_line)
        self.records.append(record)
        return record

    def response(
        self,
        url: str,
        payload: bytes,
        headers: list[tuple[str, str]],
        *,
        status: str = "200 OK",
        date: str = "20080105090000",
        ip: str = "192.0.2.7",
        content_type: str | None = None,
    ) -> ArcRecord:
        """An HTTP response record; the header line's content type is the response's."""
        block = http_block(payload, headers, status)
        if content_type is None:
            declared = [v for k, v in headers if k.lower() == "content-type"]
            content_type = declared[0].split(";")[0].strip() if declared else "no-type"
        line = f"{url} {ip} {date} {content_type} {len(block)}\n".encode()
        return self.raw(line, block)

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> Arc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
