"""Incremental parser of ARC v1 records, the ARC side of `archive.warc.stream`.

`ArcRecordParser` has `RecordParser`'s interface (`feed`, `take`, `error`, `restart`, `tag`,
`boundary`, `at_boundary`), so `newsarchive check` reads an ARC file, gzip or not, with the
same loops as a WARC file. Each complete record comes out as a `ParsedRecord` holding the
WARC headers `archive.warc.arc` gives ARC records (its stable `WARC-Record-ID` among them).

What it verifies, beyond what warcio needs to read the file:

* the file opens with a `filedesc://` record whose block names ARC version 1 and its five
  fields (version 2 is refused: `archive.warc.arc.file_header_problem`);
* every header line has five fields — a URL without spaces (more fields: a version 2
  record, or a line that is not a header at all), an IP address, a date of digits, a
  content type and a length of digits;
* `Archive-length` is right: the bytes after that many bytes of block are the record's
  closing newline, the next header line or the end of the data. A wrong length shows as a
  bad header line where the next record should begin, named as such.

A record's `end` is the end of its block, the closing newline left out, as warcio and CDX
indexes count the length of a record of an uncompressed ARC.
"""

from __future__ import annotations

from archive.warc.arc import (
    ARC_FIELDS,
    FILEDESC,
    file_header_problem,
    header_problem,
    warc_headers,
)
from archive.warc.stream import ParsedRecord

MAX_LINE = 1 << 16  # a header line longer than this is not one
MAX_FILEDESC = 1 << 20  # the filedesc block (version lines, Heritrix's XML) kept to check it

_HEAD, _BLOCK = range(2)


def _header_fields(line: bytes) -> tuple[list[str] | None, str | None]:
    """(the five fields, None) of an ARC header line, or (None, what is wrong with it)."""
    text = line.rstrip(b"\r").decode("utf-8", "replace")
    parts = text.rsplit(" ", len(ARC_FIELDS) - 1)
    if len(parts) != len(ARC_FIELDS) or not parts[0]:
        return None, f"not an ARC record header line (5 fields wanted): {text[:80]!r}"
    return parts, header_problem(parts)


class ArcRecordParser:
    """Incremental ARC v1 parser: `feed` it the decompressed bytes of a file; complete
    records collect in `records`. `expect_filedesc`: the data begins at the file's start,
    so its first record must be a good `filedesc://` record."""

    def __init__(self, *, expect_filedesc: bool = True) -> None:
        self.expect_filedesc = expect_filedesc
        self.tag: int | None = None
        self.records: list[ParsedRecord] = []
        self.position = 0
        self.boundary = 0
        self.error: str | None = None
        self.fatal = False  # the file header is wrong: no record of the file can be read
        self._first = expect_filedesc  # the next header line must be the filedesc record's
        self._after_record = False  # a wrong length shows at the next "header line"
        self._reset()

    def _reset(self) -> None:
        self._state = _HEAD
        self._line = bytearray()
        self._started = False
        self._record_start = self.position
        self._record_tag: int | None = None
        self._headers: list[tuple[str, str]] = []
        self._remaining = 0
        self._filedesc: bytearray | None = None

    @property
    def never_began(self) -> bool:
        """No byte of a record was seen: an empty file (which no ARC file is)."""
        return self._first and not self._started and self.error is None

    @property
    def failed_at(self) -> int:
        """Where the record that failed or is unfinished begins (past the newline that
        closes the record before it)."""
        return self._record_start if self._started else self.boundary

    @property
    def at_boundary(self) -> bool:
        return self.error is None and self._state == _HEAD and not self._started

    def restart(self, position: int | None = None) -> None:
        if position is not None:
            self.position = position
        self.error = None
        self._after_record = False
        self._reset()

    def take(self) -> list[ParsedRecord]:
        records, self.records = self.records, []
        return records

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and self.error is None:
            view = self._feed_head(view) if self._state == _HEAD else self._feed_block(view)
        if self.error is not None:
            self.position += len(view)

    def _feed_head(self, view: memoryview) -> memoryview:
        if not self._started:
            skip = 0  # the newline closing the record before, and any blank lines
            while skip < len(view) and view[skip] in (0x0D, 0x0A):
                skip += 1
            self.position += skip
            view = view[skip:]
            if not view:
                return view
            self._started = True
            self._record_start = self.position
            self._record_tag = self.tag
        newline = bytes(view[: MAX_LINE + 1]).find(b"\n")
        if newline < 0:
            self._line += view[:MAX_LINE]
            self.position += min(len(view), MAX_LINE)
            if len(self._line) > MAX_LINE:
                self._fail(f"no ARC record header line here (none ends within {MAX_LINE} bytes)")
            return view[MAX_LINE:]
        self._line += view[:newline]
        self.position += newline + 1
        self._start_block(bytes(self._line))
        self._line = bytearray()
        return view[newline + 1 :]

    def _start_block(self, line: bytes) -> None:
        first, self._first = self._first, False
        if first and not line.startswith(FILEDESC.encode("ascii")):
            self._fail("not an ARC file: it does not begin with a filedesc:// header record")
            self.fatal = True
            return
        fields, problem = _header_fields(line)
        if fields is None or problem:
            if self._after_record and fields is None:
                problem = f"{problem}; is the Archive-length of the record before it wrong?"
            self._fail(problem or "")
            return
        offset = self._record_start if self._record_tag is None else self._record_tag
        self._headers = warc_headers(offset, fields).headers
        self._remaining = int(fields[4])
        if first:
            self._filedesc = bytearray(line + b"\n")
        self._state = _BLOCK
        if self._remaining == 0:
            self._finish_record()

    def _feed_block(self, view: memoryview) -> memoryview:
        take = min(self._remaining, len(view))
        piece, view = view[:take], view[take:]
        self._remaining -= take
        self.position += take
        if self._filedesc is not None and len(self._filedesc) < MAX_FILEDESC:
            self._filedesc += piece
        if self._remaining == 0:
            self._finish_record()
        return view

    def _finish_record(self) -> None:
        if self._filedesc is not None:
            problem = file_header_problem(bytes(self._filedesc))
            if problem:
                self._fail(problem)
                self.fatal = True
                return
        self.records.append(
            ParsedRecord(self._record_start, self.position, self._record_tag, self._headers)
        )
        self.boundary = self.position
        self._reset()
        self._after_record = True

    def _fail(self, message: str) -> None:
        self.error = message
        self._state = _HEAD
