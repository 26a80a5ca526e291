"""ARC files (the Internet Archive's format, Heritrix 1's), read as WARC records.

An ARC v1 file is a `filedesc://` header record, then one record per capture:

    URL IP-address Archive-date Content-type Archive-length\\n
    <Archive-length bytes: the HTTP response, status line and headers included>\\n

(in a `.arc.gz` each record is one gzip member). warcio reads them; `ArchiveRecords` gives
every ARC record the WARC headers warcio's own `arc2warc` conversion gives it —
`WARC-Type` response (warcinfo for the `filedesc://` record), `WARC-Target-URI`,
`WARC-IP-Address`, `WARC-Date`, `Content-Type: application/http;msgtype=response`,
`Content-Length` — with one difference: an ARC record has no id, and warcio makes a random
one on every read. Ours is a name-based UUID (`arc_record_id`) of the record's offset and
header line, the same on every read, so that a capture pointer's `warc_record_id` can be
checked against the record at its offset (`newsarchive check`) like a WARC record's.

ARC version 2 (ten fields a record, Alexa's) is refused with a clear error: warcio reads
version 1 only and would take a version 2 header line for a URL with spaces in it.
"""

from __future__ import annotations

import io
import uuid
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import timestamp_to_iso_date

from archive.errors import WarcReadError

ARC_FIELDS = ("uri", "ip-address", "archive-date", "content-type", "length")
V1_FIELD_NAMES = ("URL", "IP-address", "Archive-date", "Content-type", "Archive-length")
FILEDESC = "filedesc://"
ARC_RESPONSE_TYPE = "application/http;msgtype=response"
_PEEK = 1 << 14  # decompressed bytes read to see what a file is


class ArcFormatError(WarcReadError):
    """An ARC file that cannot be read as ARC version 1."""


def arc_record_id(offset: int, fields: Sequence[str]) -> str:
    """The id of the ARC record at `offset` whose header line has `fields` (URL, IP address,
    archive date, content type, length): `<urn:uuid:…>`, the UUID 5 (SHA-1, URL namespace)
    of `arc:OFFSET LINE`. Two records of one file never share it; copies of a file do, as
    copies of a WARC file share their record ids."""
    name = f"arc:{offset} " + " ".join(fields)
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}>"


def header_problem(fields: Sequence[str]) -> str | None:
    """What is wrong with the five `fields` of an ARC header line (None: nothing). A URL
    may hold spaces (old crawls wrote them unescaped); a version 2 line, read as five
    fields, has a first field of six words, the third of them a date."""
    uri, _ip, date, _content_type, length = fields
    words = uri.split(" ")
    if len(words) >= 6 and words[2].isdigit() and len(words[2]) >= 12:
        return "ARC header line of 10 fields (an ARC version 2 record); version 1 has 5"
    if ":" not in words[0]:
        return f"ARC header line: {uri[:60]!r} is not a URL"
    if not length.isdigit():
        return f"ARC header line: length {length[:20]!r} is not a number"
    if not date.isdigit() or not 4 <= len(date) <= 17:
        return f"ARC header line: archive date {date[:40]!r} is not a 14-digit date"
    return None


def warc_headers(offset: int, fields: Sequence[str]) -> StatusAndHeaders:
    """The WARC headers of the ARC record at `offset` with header line `fields` (as warcio's
    arc2warc writes them, and our stable id); `ArcFormatError` when the line is wrong."""
    problem = header_problem(fields)
    if problem:
        raise ArcFormatError(problem)
    uri, ip, date, content_type, length = fields
    filedesc = uri.startswith(FILEDESC)
    headers = [
        ("WARC-Type", "warcinfo" if filedesc else "response"),
        ("WARC-Record-ID", arc_record_id(offset, fields)),
        ("WARC-Filename", uri[len(FILEDESC) :]) if filedesc else ("WARC-Target-URI", uri),
        ("WARC-IP-Address", ip),
        ("WARC-Date", timestamp_to_iso_date(date)),
        ("Content-Type", content_type if filedesc else ARC_RESPONSE_TYPE),
        ("Content-Length", length),
    ]
    return StatusAndHeaders("", headers, protocol="WARC/1.0")


def _as_warc(record: ArcWarcRecord, offset: int) -> None:
    """Give the ARC `record` (read by warcio without arc2warc) its WARC headers, in place.
    `record.format` stays "arc": a reader can tell that it has no WARC digests."""
    fields = [record.rec_headers.get_header(name) or "" for name in ARC_FIELDS]
    record.rec_headers = warc_headers(offset, fields)
    record.rec_type = record.rec_headers.get_header("WARC-Type")


# -- what a file is ---------------------------------------------------------------------------


def peek(stream: BinaryIO, size: int = _PEEK) -> bytes:
    """The first `size` bytes of the file's content, gunzipped when it is gzip (the stream is
    left where it was). Empty when they cannot be read."""
    where = stream.tell()
    try:
        stream.seek(0)
        head = stream.read(size)
        if head.startswith(b"\x1f\x8b"):
            try:
                inflater = zlib.decompressobj(wbits=31)
                head = inflater.decompress(head, size)
            except zlib.error:
                return b""
        return head
    finally:
        stream.seek(where)


def looks_like_arc(head: bytes) -> bool:
    """Whether content beginning with `head` (see `peek`) is an ARC file."""
    return head.startswith(FILEDESC.encode("ascii"))


def file_header_problem(head: bytes) -> str | None:
    """What keeps an ARC file beginning with `head` from being read as ARC version 1 (None:
    nothing): the `filedesc://` line, the version line, the line naming the fields."""
    lines = head.split(b"\n", 3)
    if not looks_like_arc(head):
        return "not an ARC file: it does not begin with a filedesc:// header record"
    if len(lines) < 3:
        return "ARC file header record cut short (no version line)"
    fields = lines[0].rstrip(b"\r").split(b" ")
    if len(fields) != len(ARC_FIELDS):
        return (
            f"ARC file header line has {len(fields)} fields, not 5 "
            "(URL IP-address Archive-date Content-type Archive-length)"
        )
    if not fields[4].isdigit():
        return f"ARC file header line: length {fields[4][:20].decode('latin-1')!r} is not a number"
    version = lines[1].split(b" ")
    names = lines[2].rstrip(b"\r").split(b" ")
    major = version[0].decode("latin-1")
    if major == "2" or len(names) == 10:
        return (
            "ARC version 2 file (ten fields a record): newsarchive reads ARC version 1, the "
            "version of the Internet Archive's and Heritrix's files, as warcio and pywb do; "
            "convert it to WARC with another tool first"
        )
    if major != "1" or len(version) < 2 or not version[1].isdigit():
        shown = lines[1][:40].decode("latin-1")
        return f"ARC file header: {shown!r} is not an ARC version line (`1 0 ORIGIN`)"
    if len(names) != len(V1_FIELD_NAMES):
        shown = lines[2][:80].decode("latin-1")
        return f"ARC file header: {shown!r} does not name the five fields of ARC version 1"
    return None


# -- reading ----------------------------------------------------------------------------------


class ArchiveRecords:
    """warcio's `ArchiveIterator` over a WARC or an ARC file, ARC records with WARC headers.

    With `whole_file` (the stream at offset 0, read to its end) an ARC file must open with a
    good version 1 `filedesc://` record: else `ArcFormatError`, before any record. Records
    read as WARC pass through unchanged.
    """

    def __init__(self, stream: BinaryIO, name: object, *, whole_file: bool = True) -> None:
        self.name = name
        self.whole_file = whole_file
        self.is_arc = False
        if whole_file:
            head = peek(stream)
            if looks_like_arc(head):
                problem = file_header_problem(head)
                if problem:
                    raise ArcFormatError(f"{name}: {problem}")
                self.is_arc = True
        self.iterator = ArchiveIterator(stream)
        self._url = ""

    def __iter__(self) -> Iterator[ArcWarcRecord]:
        records = iter(self.iterator)
        first = True
        while True:
            with self._length_checked():
                record = next(records, None)
            if record is None:
                return
            if record.format == "arc":
                if first and self.whole_file and record.rec_type != "arc_header":
                    raise ArcFormatError(
                        f"{self.name}: not a WARC file, nor an ARC file (it begins with "
                        "neither a WARC record nor a filedesc:// header record)"
                    )
                # warcio's `offset` is the record's start until the record is read through
                offset = self.iterator.offset
                try:
                    _as_warc(record, offset)
                except ArcFormatError as exc:
                    raise ArcFormatError(f"{self.name}: record at offset {offset}: {exc}") from None
                self._url = record.rec_headers.get_header("WARC-Target-URI") or ""
            first = False
            yield record

    @contextmanager
    def _length_checked(self) -> Iterator[None]:
        """Around what makes warcio read to a record's end: in an ARC file, a record not
        followed by a newline (or the next record) has a wrong `Archive-length`. warcio
        says so in three lines on stderr and reads on from a wrong place: here it is an
        `ArcFormatError` naming the record, and warcio's lines are not printed."""
        if not self.is_arc:
            yield
            return
        before = self.iterator.err_count
        with redirect_stderr(io.StringIO()):
            yield
        if self.iterator.err_count > before:
            offset = self.iterator.member_info[0] if self.iterator.member_info else "?"
            raise ArcFormatError(
                f"{self.name}: record at offset {offset} ({self._url or 'no URL'}) is not "
                "followed by a newline: its Archive-length is wrong"
            )

    def get_record_offset(self) -> int:
        with self._length_checked():
            return self.iterator.get_record_offset()

    def get_record_length(self) -> int:
        with self._length_checked():
            return self.iterator.get_record_length()
