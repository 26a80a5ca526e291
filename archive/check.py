"""Is an archive whole? What `newsarchive check` verifies, returning the defects as data.

For each WARC or ARC file (ours or another tool's, gzip or not), in one streaming pass:

1. every gzip member decompresses completely: none cut short, no trailing bytes after the
   last one (`archive.warc.recovery.read_members`);
2. every record is complete (headers, `Content-Length` bytes of block, `\\r\\n\\r\\n`) and
   its `WARC-Block-Digest` and `WARC-Payload-Digest` match (`RecordParser(digests=True)`;
   a revisit record has no payload to check), with a unique `WARC-Record-ID`; an ARC file
   (`archive.warc.arcstream`: no digests) opens with a version 1 `filedesc://` record and every
   header line has its five fields and a right `Archive-length`;

then, over all the files checked together (a pair may straddle a rotation):

3. request/response pairing: each request is linked by `WARC-Concurrent-To` (in either
   direction: wget puts it on the response) to a record of the set, and each response of a
   file that holds request records has a request linked to it;
4. each revisit resolves to its original: `WARC-Refers-To`, else `WARC-Refers-To-Target-URI`
   + `WARC-Refers-To-Date` (to the second), else same URI and payload digest;

and for an output directory, its articles:

5. every article JSON's `capture`: the WARC file exists, a response (or revisit) record with
   that `warc_record_id` starts at `warc_offset`, and `warc_length` is its gzip member's
   length.

A leftover `*.open` file is a defect (an interrupted crawl; `--repair` closes it) unless a
live writer holds its lock: then it is named and skipped, though its complete records are
still read so that pairs and captures reaching into it resolve.

Record ids and URI keys are kept as 12-byte BLAKE2 digests: memory grows by some 60 bytes a
record, never with record sizes.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from archive.errors import ArchiveError
from archive.layout import (
    ARC_SUFFIXES,
    ARCHIVE_SUFFIXES,
    ARTICLES_DIR,
    OPEN_SUFFIX,
    safe_warc_name,
    walk_article_files,
)
from archive.warc.arc import looks_like_arc, peek
from archive.warc.arcstream import ArcRecordParser
from archive.warc.cdxj import list_warcs, warc_directory
from archive.warc.recovery import is_held, is_open_warc, open_warcs
from archive.warc.stream import ParsedRecord, RecordParser, is_gzip, read_members

READ_SIZE = 1 << 20
_NOT_DIGITS = re.compile(r"\D")
_POINTED_TYPES = ("response", "revisit")


@dataclass(frozen=True)
class Defect:
    """One thing wrong: where (a file, and an offset in it when there is one) and what."""

    path: str
    offset: int | None
    message: str

    def line(self) -> str:
        where = self.path if self.offset is None else f"{self.path}:{self.offset}"
        return f"{where}: {self.message}"


@dataclass
class CheckReport:
    warc_files: int = 0
    arc_files: int = 0
    records: int = 0
    articles: int = 0
    defects: list[Defect] = field(default_factory=list)
    live: list[Path] = field(default_factory=list)  # `.open` files a live writer holds

    @property
    def ok(self) -> bool:
        return not self.defects

    def summary(self) -> str:
        arcs = f"{self.arc_files} ARC file(s), " if self.arc_files else ""
        return (
            f"newsarchive check: {self.warc_files} WARC file(s), {arcs}{self.records} records, "
            f"{self.articles} article(s): {len(self.defects)} defect(s)"
        )


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _second(date: str) -> str:
    return _NOT_DIGITS.sub("", date)[:14]


def _ids(value: str | None) -> str:
    return (value or "").strip()


# The headers a record awaiting judgement keeps (the rest is dropped to save memory).
_KEPT_HEADERS = frozenset(
    name.lower()
    for name in (
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Target-URI",
        "WARC-Concurrent-To",
        "WARC-Refers-To",
        "WARC-Refers-To-Target-URI",
        "WARC-Refers-To-Date",
        "WARC-Payload-Digest",
    )
)


@dataclass(slots=True)
class _Pending:
    """A record whose links are judged once every file has been read."""

    path: str
    offset: int
    record: ParsedRecord

    @property
    def what(self) -> str:
        return _what(self.record)


@dataclass(slots=True)
class _Link:
    """A request or response awaiting its pairing: keys only (there is one per record);
    the headers of the few found wanting are read again for their message."""

    path: str
    offset: int
    id_key: bytes
    named: tuple[bytes, ...]  # keys of its WARC-Concurrent-To values


def _what(record: ParsedRecord) -> str:
    uri = record.get("WARC-Target-URI")
    return f"{record.type} record {record.record_id}" + (f" for {uri}" if uri else "")


def is_arc(stream: BinaryIO, name: str) -> bool:
    """Whether the file is to be read as ARC: its content begins like one, or it is named
    like one (and a missing `filedesc://` record is then its first defect)."""
    return looks_like_arc(peek(stream, 64)) or name.endswith(ARC_SUFFIXES)


def headers_at(path: str | os.PathLike[str], offset: int) -> ParsedRecord:
    """The WARC headers of the record at `offset` of `path` (the first 64 KB looked at)."""
    with open(path, "rb") as stream:
        gzipped = is_gzip(stream)
        stream.seek(offset)
        data = stream.read(1 << 16)
    if gzipped:
        try:
            data = zlib.decompressobj(wbits=31).decompress(data, 1 << 16)
        except zlib.error:
            data = b""
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")[1:]
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in head)]
    return ParsedRecord(offset, offset, offset, headers)


class ArchiveChecker:
    """Checks WARC files and article files, gathering one `CheckReport`.

    `add_warc` each file, `add_articles` each articles tree, then `finish` (the checks that
    need every record: pairing, revisits, capture pointers).
    """

    def __init__(self) -> None:
        self.report = CheckReport()
        self._ids: set[bytes] = set()
        self._request_ids: set[bytes] = set()
        self._named_by_requests: set[bytes] = set()
        self._named_by_responses: set[bytes] = set()
        self._uri_dates: set[bytes] = set()
        self._uri_digests: set[bytes] = set()
        self._requests: list[_Link] = []
        self._responses: list[_Link] = []
        self._revisits: list[_Pending] = []
        self._articles: list[tuple[Path, Path]] = []  # (article file, its WARC folder)

    # -- WARC files -------------------------------------------------------------------------

    def add_warc(self, path: Path, *, quiet: bool = False) -> None:
        """Read `path` through. `quiet`: a file a live writer is appending to; only its
        complete records are learnt, nothing of it is reported or counted."""
        display = str(path)
        defects: list[Defect] = []
        responses: list[_Link] = []
        holds_requests = False
        arc = path.name.endswith(ARC_SUFFIXES)  # until its first bytes say
        try:
            with open(path, "rb") as stream:
                arc = is_arc(stream, path.name)
                parser: RecordParser | ArcRecordParser = (
                    ArcRecordParser() if arc else RecordParser(digests=not quiet)
                )
                if is_gzip(stream):
                    records = self._read_gzip(stream, parser, display, defects)
                else:
                    records = self._read_plain(stream, parser, display, defects)
                for record in records:
                    holds_requests |= self._add_record(record, display, defects, responses, quiet)
                if isinstance(parser, ArcRecordParser) and parser.never_began:
                    message = "not an ARC file: empty, no filedesc:// header record"
                    defects.append(Defect(display, None, message))
        except OSError as exc:
            defects.append(Defect(display, None, f"cannot read: {exc}"))
        if quiet:
            return
        if arc:
            self.report.arc_files += 1
        else:
            self.report.warc_files += 1
        self.report.defects.extend(defects)
        if holds_requests:
            self._responses.extend(responses)

    def _read_gzip(
        self, stream, parser: RecordParser | ArcRecordParser, display: str, defects: list[Defect]
    ) -> Iterable[ParsedRecord]:
        parser.tag = 0
        for member in read_members(stream, parser.feed):
            if not member.complete:
                parser.take()  # what came out of a broken member is not to be trusted
                error = member.error or ""
                if error.startswith("corrupt"):
                    error += "; the rest of the file was not read"
                defects.append(Defect(display, member.offset, error))
                return
            yield from parser.take()
            if parser.error is not None:
                if parser.fatal:
                    message = f"{parser.error}; the rest of the file was not read"
                    defects.append(Defect(display, member.offset, message))
                    return
                defects.append(Defect(display, member.offset, parser.error))
                parser.restart()
            parser.tag = member.end
        if not parser.at_boundary:
            defects.append(Defect(display, parser.tag, "the last record is incomplete (cut short)"))

    def _read_plain(
        self, stream, parser: RecordParser | ArcRecordParser, display: str, defects: list[Defect]
    ) -> Iterable[ParsedRecord]:
        stream.seek(0)
        while chunk := stream.read(READ_SIZE):
            parser.feed(chunk)
            yield from parser.take()
            if parser.error is not None:
                message = f"{parser.error}; the rest of the file was not read"
                defects.append(Defect(display, parser.failed_at, message))
                return
        if not parser.at_boundary:
            message = "the last record is incomplete (cut short)"
            defects.append(Defect(display, parser.failed_at, message))

    def _add_record(
        self,
        record: ParsedRecord,
        display: str,
        defects: list[Defect],
        responses: list[_Link],
        quiet: bool,
    ) -> bool:
        """Learn one record; True when it is a request."""
        if not quiet:
            self.report.records += 1
        what = _what(record)
        kind = record.type
        record_id = record.record_id
        if not record_id:
            defects.append(Defect(display, record.offset, f"{kind} record without WARC-Record-ID"))
        else:
            key = _key(record_id)
            if key in self._ids:
                defects.append(
                    Defect(display, record.offset, f"duplicate WARC-Record-ID {record_id}")
                )
            self._ids.add(key)
        wrong = [
            name
            for name, ok in (
                ("WARC-Block-Digest", record.block_ok),
                ("WARC-Payload-Digest", record.payload_ok),
            )
            if ok is False
        ]
        if wrong:
            verb = "does" if len(wrong) == 1 else "do"
            message = f"{what}: {' and '.join(wrong)} {verb} not match its content"
            defects.append(Defect(display, record.offset, message))
        uri = _ids(record.get("WARC-Target-URI"))
        concurrent = [_key(_ids(v)) for v in record.get_all("WARC-Concurrent-To") if _ids(v)]
        if kind in ("response", "revisit", "resource"):
            self._uri_dates.add(_key(f"{uri} {_second(record.get('WARC-Date') or '')}"))
            digest = _ids(record.get("WARC-Payload-Digest"))
            if digest and kind != "revisit":
                self._uri_digests.add(_key(f"{uri} {digest}"))
        link = _Link(display, record.offset, _key(record_id), tuple(concurrent))
        if kind == "request":
            if record_id:
                self._request_ids.add(link.id_key)
            self._named_by_requests.update(concurrent)
            if not quiet:
                self._requests.append(link)
            return True
        if kind == "response":
            self._named_by_responses.update(concurrent)
            if not quiet:
                responses.append(link)
        elif kind == "revisit" and not quiet:
            kept = [(k, v) for k, v in record.headers if k.lower() in _KEPT_HEADERS]
            self._revisits.append(_Pending(display, record.offset, ParsedRecord(0, 0, None, kept)))
        return False

    # -- articles ---------------------------------------------------------------------------

    def add_articles(self, directory: Path, warc_folder: Path) -> None:
        """Queue the article files of `directory/articles` (their WARCs in `warc_folder`)."""
        for _id, article in walk_article_files(directory):
            self._articles.append((Path(article), warc_folder))

    def _check_article(self, article: Path, folder: Path) -> None:
        self.report.articles += 1
        display = str(article)
        try:
            document = orjson.loads(article.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            self.report.defects.append(Defect(display, None, f"unreadable article JSON: {exc}"))
            return
        capture = document.get("capture") if isinstance(document, dict) else None
        try:
            name = str(capture["warc_file"])
            offset = int(capture["warc_offset"])
            length = int(capture["warc_length"])
            record_id = str(capture["warc_record_id"])
        except (TypeError, KeyError, ValueError):
            self.report.defects.append(Defect(display, None, "no valid capture pointer"))
            return
        try:
            name = safe_warc_name(name)
        except ArchiveError as exc:  # `../../etc/passwd`: never looked at
            self.report.defects.append(Defect(display, None, f"capture pointer: {exc}"))
            return
        warc = folder / name
        if not warc.is_file():
            unfinished = folder / (name + OPEN_SUFFIX)
            if unfinished.is_file():
                if is_held(unfinished):
                    return  # a live crawl is writing it: not to judge yet
                warc = unfinished  # reported as unfinished already
            else:
                message = f"capture {name}:{offset}: no such WARC file in {folder}"
                self.report.defects.append(Defect(display, None, message))
                return
        problem = pointer_problem(warc, offset, length, record_id)
        if problem:
            self.report.defects.append(Defect(display, None, f"capture {name}:{offset}: {problem}"))

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> CheckReport:
        """Judge the links between records and the capture pointers; return the report."""
        defects: list[Defect] = []
        for request in self._requests:
            if any(key in self._ids for key in request.named):
                continue
            if not request.named and request.id_key in self._named_by_responses:
                continue
            record = headers_at(request.path, request.offset)
            if request.named:
                first = _ids(record.get("WARC-Concurrent-To"))
                message = f"{_what(record)}: WARC-Concurrent-To {first} names no record here"
            else:
                message = f"{_what(record)}: no response is linked to it (WARC-Concurrent-To)"
            defects.append(Defect(request.path, request.offset, message))
        for response in self._responses:
            if response.id_key in self._named_by_requests:
                continue
            if any(key in self._request_ids for key in response.named):
                continue
            record = headers_at(response.path, response.offset)
            message = f"{_what(record)}: no request record names it (WARC-Concurrent-To)"
            defects.append(Defect(response.path, response.offset, message))
        for revisit in self._revisits:
            message = self._unresolved(revisit.record)
            if message:
                defects.append(Defect(revisit.path, revisit.offset, f"{revisit.what}: {message}"))
        defects.sort(key=lambda d: (d.path, d.offset or 0))
        self.report.defects.extend(defects)
        for article, folder in self._articles:
            self._check_article(article, folder)
        return self.report

    def _unresolved(self, record: ParsedRecord) -> str | None:
        """None when the revisit's original is among the records read, else what is missing."""
        refers_to = _ids(record.get("WARC-Refers-To"))
        target = _ids(record.get("WARC-Refers-To-Target-URI"))
        date = _ids(record.get("WARC-Refers-To-Date"))
        uri = _ids(record.get("WARC-Target-URI"))
        digest = _ids(record.get("WARC-Payload-Digest"))
        if refers_to and _key(refers_to) in self._ids:
            return None
        if target and date and _key(f"{target} {_second(date)}") in self._uri_dates:
            return None
        if digest and _key(f"{target or uri} {digest}") in self._uri_digests:
            return None
        named = [f"WARC-Refers-To {refers_to}"] if refers_to else []
        if target and date:
            named.append(f"{target} at {date}")
        if not named:
            return "names no original (no WARC-Refers-To, no WARC-Refers-To-Target-URI/Date)"
        return f"its original ({'; '.join(named)}) is not in the checked WARC files"


def pointer_problem(warc: Path, offset: int, length: int, record_id: str) -> str | None:
    """What is wrong with a capture pointer into `warc` (None: it is right): a response or
    revisit record `record_id` starts at `offset`, in a gzip member `length` bytes long (the
    record itself, `length` bytes, in an uncompressed file). In an ARC file the record's id
    is the one `archive.warc.arc` gives it."""
    try:
        size = warc.stat().st_size
        if not 0 <= offset < size:
            return f"offset beyond the end of the file ({size} bytes)"
        with open(warc, "rb") as stream:
            gzipped = is_gzip(stream)
            arc = is_arc(stream, warc.name)
            parser: RecordParser | ArcRecordParser = (
                ArcRecordParser(expect_filedesc=False) if arc else RecordParser()
            )
            if arc:
                parser.restart(offset)  # where the record is, a part of its id
            if gzipped:
                stream.seek(offset)
                if stream.read(3) != b"\x1f\x8b\x08":
                    return "no gzip member starts there"
                member = next(read_members(stream, parser.feed, start=offset))
                if not member.complete:
                    return f"the gzip member there is broken: {member.error}"
                actual = member.length
            else:
                stream.seek(offset)
                while not parser.records and parser.error is None:
                    chunk = stream.read(READ_SIZE)
                    if not chunk:
                        break
                    parser.feed(chunk)
                # As warcio and CDX count it: a WARC record without its closing \r\n\r\n
                # (an ARC record's `end` leaves its closing newline out already).
                closing = 0 if arc else len(b"\r\n\r\n")
                first = parser.records[0] if parser.records else None
                actual = first.end - first.start - closing if first else 0
    except OSError as exc:
        return f"cannot read {warc}: {exc}"
    kind = "ARC" if arc else "WARC"
    if parser.error is not None and not parser.records:
        return f"no {kind} record starts there: {parser.error}"
    if not parser.records:
        return f"no complete {kind} record there"
    record = parser.records[0]
    if record.record_id != record_id:
        return f"the record there is {record.record_id or 'without id'}, not {record_id}"
    if record.type not in _POINTED_TYPES:
        return f"the record there is a {record.type} record, not a response"
    if actual != length:
        unit = "gzip member" if gzipped else "record"
        return f"warc_length is {length}, but the {unit} there is {actual} bytes"
    return None


# -- what to check ------------------------------------------------------------------------------


def unfinished_defect(path: Path, repair_target: str) -> Defect:
    return Defect(
        str(path),
        None,
        "unfinished WARC: a crawl was interrupted (or died) while writing it; "
        f"run `newsarchive check {repair_target} --repair`",
    )


def check(paths: Iterable[str | os.PathLike[str]]) -> CheckReport:
    """Check output directories (their WARC folder and articles; or a folder of WARCs) and
    WARC files, all together: pairs and revisits may resolve across any of them."""
    checker = ArchiveChecker()
    for given in map(Path, paths):
        if given.is_dir():
            folder = warc_directory(given)
            for warc in list_warcs(folder, ARCHIVE_SUFFIXES):
                checker.add_warc(warc)
            for unfinished in open_warcs(folder):
                _add_unfinished(checker, unfinished, str(given))
            if (given / ARTICLES_DIR).is_dir():
                checker.add_articles(given, folder)
        elif is_open_warc(given.name):
            _add_unfinished(checker, given, str(given))
        else:
            checker.add_warc(given)
    return checker.finish()


def _add_unfinished(checker: ArchiveChecker, path: Path, repair_target: str) -> None:
    if is_held(path):
        checker.report.live.append(path)
        checker.add_warc(path, quiet=True)
        return
    checker.report.defects.append(unfinished_defect(path, repair_target))
    checker.add_warc(path)
