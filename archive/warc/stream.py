"""Streaming readers of WARC bytes, shared by crash recovery and `newsarchive check`.

gzip members are read one after the other with `zlib.decompressobj(wbits=31)` (`read_members`),
and WARC records parsed incrementally from the decompressed bytes (`RecordParser`: headers,
`Content-Length` bytes of block, then `\\r\\n\\r\\n`), optionally hashing blocks and
payloads, so memory stays flat whatever the file size. `last_complete_end` is where a file's
complete records end: what recovery keeps of a file a crash cut short.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
READ_SIZE = 1 << 20  # compressed bytes read at a time
OUT_SIZE = 1 << 20  # at most this many decompressed bytes per zlib call
MAX_HEADER = 1 << 20  # a WARC header block longer than this is not a WARC record
MAX_HTTP_HEAD = 1 << 20  # likewise the HTTP head inside a record block
HEAD_STEP = 1 << 14  # bytes searched at a time for the end of a header block


# -- reading gzip members -----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One gzip member as read: where it starts, how many compressed bytes it spans, and
    `error` (None when it decompressed completely)."""

    offset: int
    length: int
    error: str | None = None

    @property
    def end(self) -> int:
        return self.offset + self.length

    @property
    def complete(self) -> bool:
        return self.error is None


def is_gzip(stream: BinaryIO) -> bool:
    """Whether the file begins with a gzip member (the stream is left at offset 0)."""
    stream.seek(0)
    head = stream.read(2)
    stream.seek(0)
    return head == GZIP_MAGIC


def read_members(
    stream: BinaryIO, on_data: Callable[[bytes], None], start: int = 0
) -> Iterator[Member]:
    """The gzip members of `stream` from `start`, one after the other.

    Each member's decompressed bytes go to `on_data` as they come (never more than
    `OUT_SIZE` at once), then the `Member` is yielded. The first member that is not complete
    (cut short by the end of the file, corrupt, or not gzip at all: trailing bytes) is
    yielded with its `error` and ends the iteration.
    """
    stream.seek(start)
    offset = start
    pending = b""
    at_end = False

    def fill() -> None:
        nonlocal pending, at_end
        chunk = stream.read(READ_SIZE)
        if chunk:
            pending += chunk
        else:
            at_end = True

    while True:
        while len(pending) < 3 and not at_end:
            fill()
        if not pending:
            return
        if not pending.startswith(b"\x1f\x8b\x08"):
            rest = len(pending)
            while chunk := stream.read(READ_SIZE):
                rest += len(chunk)
            yield Member(offset, rest, f"{rest} byte(s) after the last gzip member are not gzip")
            return
        inflater = zlib.decompressobj(wbits=31)
        length = 0
        try:
            while True:
                if not pending:
                    fill()
                    if at_end:
                        yield Member(offset, length, "gzip member cut short by the end of the file")
                        return
                data, pending = pending, b""
                out = inflater.decompress(data, OUT_SIZE)
                if out:
                    on_data(out)
                while inflater.unconsumed_tail and not inflater.eof:
                    out = inflater.decompress(inflater.unconsumed_tail, OUT_SIZE)
                    if out:
                        on_data(out)
                if inflater.eof:
                    # All output is out once zlib reports the end of the stream. No flush():
                    # CPython keeps the bytes past the member in `unconsumed_tail` as well as
                    # in `unused_data`, and flush() would count them into `unused_data`
                    # twice (a member after a large one was then read twice).
                    pending = inflater.unused_data
                    length += len(data) - len(pending)
                    break
                length += len(data)
        except zlib.error as exc:
            yield Member(offset, length, f"corrupt gzip member: {exc}")
            return
        yield Member(offset, length)
        offset += length


# -- parsing WARC records -----------------------------------------------------------------


@dataclass
class ParsedRecord:
    """A complete WARC record: its headers and, when the parser hashed, whether the declared
    digests match (None: nothing declared, unknown algorithm, or not applicable)."""

    start: int  # offset of the record in the decompressed stream
    end: int  # just past its closing \r\n\r\n
    tag: int | None  # what `RecordParser.tag` was when the record began (a member offset)
    headers: list[tuple[str, str]]
    block_ok: bool | None = None
    payload_ok: bool | None = None

    def get(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key.lower() == name]

    @property
    def type(self) -> str:
        return (self.get("WARC-Type") or "").strip().lower()

    @property
    def record_id(self) -> str:
        return (self.get("WARC-Record-ID") or "").strip()

    @property
    def offset(self) -> int:
        """Where to find the record in the file: its member's offset, else its own."""
        return self.start if self.tag is None else self.tag


_HEAD, _BLOCK, _TRAILER = range(3)
_TRAILER_BYTES = b"\r\n\r\n"


def _hasher(declared: str | None) -> hashlib._Hash | None:
    if not declared or ":" not in declared:
        return None
    algorithm = declared.split(":", 1)[0].strip().lower().replace("-", "")
    try:
        return hashlib.new(algorithm)
    except ValueError:
        return None


def digest_matches(declared: str, digest: bytes) -> bool:
    """Whether `declared` (`algo:value`, value in base32, hex or base64) names `digest`."""
    value = declared.split(":", 1)[1].strip()
    return (
        value.upper().rstrip("=") == base64.b32encode(digest).decode("ascii").rstrip("=")
        or value.lower() == digest.hex()
        or value == base64.b64encode(digest).decode("ascii")
    )


class RecordParser:
    """Incremental WARC record parser: `feed` it the decompressed bytes of a file, in pieces
    of any size; complete records collect in `records` (`take` them).

    With `digests=True` it hashes each record's block and payload (the block after the HTTP
    head for `application/http` records; revisit records have none) and compares them with
    `WARC-Block-Digest` / `WARC-Payload-Digest`. Bytes that cannot begin a record set `error`;
    the parser then ignores what follows until `restart`.
    """

    def __init__(self, digests: bool = False) -> None:
        self.digests = digests
        self.tag: int | None = None  # set by the reader, e.g. to the current member's offset
        self.records: list[ParsedRecord] = []
        self.position = 0  # decompressed bytes fed so far
        self.boundary = 0  # position just past the last complete record
        self.error: str | None = None
        self.fatal = False  # an error after which no record of the file can be read (ARC's)
        self._reset()

    def _reset(self) -> None:
        self._state = _HEAD
        self._buffer = bytearray()
        self._started = False
        self._record_start = self.position
        self._record_tag: int | None = None
        self._headers: list[tuple[str, str]] = []
        self._remaining = 0
        self._block_hash: hashlib._Hash | None = None
        self._payload_hash: hashlib._Hash | None = None
        self._http_head: bytearray | None = None

    @property
    def at_boundary(self) -> bool:
        """No record begun and not finished (and no error)."""
        return self.error is None and self._state == _HEAD and not self._started

    @property
    def failed_at(self) -> int:
        """Where the record that failed or is unfinished begins (in the decompressed data)."""
        return self.boundary

    def restart(self, position: int | None = None) -> None:
        """Forget a partial record or an error: the next byte fed begins a record."""
        if position is not None:
            self.position = position
        self.error = None
        self._reset()

    def take(self) -> list[ParsedRecord]:
        records, self.records = self.records, []
        return records

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and self.error is None:
            if self._state == _HEAD:
                view = self._feed_head(view)
            elif self._state == _BLOCK:
                view = self._feed_block(view)
            else:
                view = self._feed_trailer(view)
        if self.error is not None:
            self.position += len(view)

    # -- states ---------------------------------------------------------------------------

    def _feed_head(self, view: memoryview) -> memoryview:
        if not self._started:
            # Blank lines between records are tolerated (some writers add them).
            skip = 0
            while skip < len(view) and view[skip] in (0x0D, 0x0A):
                skip += 1
            self.position += skip
            view = view[skip:]
            if not view:
                return view
            self._started = True
            self._record_start = self.position
            self._record_tag = self.tag
        # A step at a time: copying all of a large chunk for each of its many records
        # would make reading a file of small records quadratic.
        piece = view[:HEAD_STEP]
        searched = max(0, len(self._buffer) - 3)
        self._buffer += piece
        end = self._buffer.find(b"\r\n\r\n", searched)
        if end < 0:
            self.position += len(piece)
            if not b"WARC/".startswith(bytes(self._buffer[:5])):
                self._fail("no WARC record begins here (no WARC/ version line)")
            elif len(self._buffer) > MAX_HEADER:
                self._fail(f"WARC header block longer than {MAX_HEADER} bytes")
            return view[len(piece) :]
        head_length = end + 4
        used = head_length - (len(self._buffer) - len(piece))
        self.position += used
        self._start_block(bytes(self._buffer[:end]))
        self._buffer = bytearray()
        return view[used:]

    def _start_block(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"WARC/"):
            self._fail("no WARC record begins here (no WARC/ version line)")
            return
        headers: list[tuple[str, str]] = []
        for raw in lines[1:]:
            line = raw.decode("utf-8", "replace")
            if line[:1] in (" ", "\t") and headers:  # a continuation line
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {line.strip()}")
                continue
            name, sep, value = line.partition(":")
            if not sep:
                self._fail(f"malformed WARC header line {line[:60]!r}")
                return
            headers.append((name.strip(), value.strip()))
        self._headers = headers
        lengths = [v for k, v in headers if k.lower() == "content-length"]
        try:
            self._remaining = int(lengths[0])
            if self._remaining < 0:
                raise ValueError
        except (IndexError, ValueError):
            self._fail("WARC record without a valid Content-Length")
            return
        if self.digests:
            record = ParsedRecord(0, 0, None, headers)
            self._block_hash = _hasher(record.get("WARC-Block-Digest"))
            payload_declared = record.get("WARC-Payload-Digest")
            content_type = (record.get("Content-Type") or "").lower()
            if record.type == "revisit":
                pass  # no payload: it is the original's
            elif record.type in ("response", "request") and content_type.startswith(
                "application/http"
            ):
                if payload_declared:
                    self._http_head = bytearray()
                    self._payload_hash = _hasher(payload_declared)
            else:
                self._payload_hash = _hasher(payload_declared)
        self._state = _BLOCK
        if self._remaining == 0:
            self._state = _TRAILER

    def _feed_block(self, view: memoryview) -> memoryview:
        take = min(self._remaining, len(view))
        piece, view = view[:take], view[take:]
        self._remaining -= take
        self.position += take
        if self._block_hash is not None:
            self._block_hash.update(piece)
        if self._http_head is not None:
            self._feed_http_head(piece)
        elif self._payload_hash is not None:
            self._payload_hash.update(piece)
        if self._remaining == 0:
            self._state = _TRAILER
        return view

    def _feed_http_head(self, piece: memoryview) -> None:
        assert self._http_head is not None
        searched = max(0, len(self._http_head) - 3)
        self._http_head += piece
        found = (
            (self._http_head.find(b"\r\n\r\n", searched), 4),
            (self._http_head.find(b"\n\n", searched), 2),  # bare LF heads, as some tools write
        )
        ends = [at + length for at, length in found if at >= 0]
        if ends:
            end = min(ends)
            if self._payload_hash is not None:
                self._payload_hash.update(self._http_head[end:])
            self._http_head = None
        elif len(self._http_head) > MAX_HTTP_HEAD:
            self._http_head = None
            self._payload_hash = None  # no HTTP head found: the payload cannot be told

    def _feed_trailer(self, view: memoryview) -> memoryview:
        want = len(_TRAILER_BYTES) - len(self._buffer)
        piece, view = view[:want], view[want:]
        self._buffer += piece
        self.position += len(piece)
        if not _TRAILER_BYTES.startswith(bytes(self._buffer)):
            self._fail("record block not followed by \\r\\n\\r\\n (wrong Content-Length?)")
            return view
        if len(self._buffer) == len(_TRAILER_BYTES):
            self._finish_record()
        return view

    def _finish_record(self) -> None:
        record = ParsedRecord(self._record_start, self.position, self._record_tag, self._headers)
        if self.digests:
            if self._block_hash is not None:
                declared = record.get("WARC-Block-Digest") or ""
                record.block_ok = digest_matches(declared, self._block_hash.digest())
            if self._payload_hash is not None and self._http_head is None:
                declared = record.get("WARC-Payload-Digest") or ""
                record.payload_ok = digest_matches(declared, self._payload_hash.digest())
        self.records.append(record)
        self.boundary = self.position
        self._reset()

    def _fail(self, message: str) -> None:
        self.error = message
        self._state = _HEAD


# -- the complete part of a file ------------------------------------------------------------


def complete_prefix(stream: BinaryIO) -> tuple[int, int]:
    """(end, records) of the longest run of complete records from the start of `stream`."""
    parser = RecordParser()
    end = records = 0
    if is_gzip(stream):
        for member in read_members(stream, parser.feed):
            if not member.complete or parser.error is not None:
                break
            if parser.at_boundary:  # a record may span members: count it where it ends
                end = member.end
                records += len(parser.take())
        return end, records
    stream.seek(0)
    while chunk := stream.read(READ_SIZE):
        parser.feed(chunk)
        records += len(parser.take())
        if parser.error is not None:
            break
    return parser.boundary, records


def last_complete_end(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(offset, records): the end of the last complete record of the WARC file `path` and
    how many complete records come before it.

    A `.warc.gz` counts up to the end of the last gzip member that decompresses completely
    and leaves no record unfinished (WARC headers, `Content-Length` bytes of block, then
    `\\r\\n\\r\\n`); an uncompressed `.warc` up to the end of its last complete record.
    Reading stops at the first damage: what follows it is not counted.
    """
    with open(path, "rb") as stream:
        return complete_prefix(stream)
