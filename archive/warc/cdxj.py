"""CDXJ indexes of WARC files, as pywb and ReplayWeb.page read them.

One line per capture, sorted as bytes:

    urlkey timestamp {"url": ..., "mime": ..., "status": ..., "digest": ..., "length": ...,
                      "offset": ..., "filename": ...}

`urlkey` is the SURT form of the URL (`surt.surt`, the canonicaliser pywb looks URLs up
with), `timestamp` the 14-digit WARC-Date. The record types and fields are those of
`cdxj-indexer` (what pywb's `wb-manager` and py-wacz write): response, revisit, resource and
metadata records; not request records (pywb reads them only to key POST requests, and
uses none here), not warcinfo or `application/warc-fields` metadata, and not our
`conversion` records (the article JSON), which would otherwise compete with the page
itself for its URL in replay. `offset` and `length` delimit the record's gzip member.
ARC files are indexed as cdxj-indexer indexes them (warcio's arc2warc headers; the payload
digest, which ARC does not store, computed: `payload_sha1`).

Sorting holds at most `chunk_lines` lines in memory and merges sorted runs spilled to
temporary files, so indexing any number of WARCs takes bounded memory.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import heapq
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp

from archive.atomic import replacing
from archive.errors import ArchiveError, WarcReadError
from archive.layout import ARCHIVE_SUFFIXES, WARC_DIR, WARC_SUFFIXES
from archive.warc.arc import ArchiveRecords
from archive.warc.reader import read_errors

INDEXED_TYPES = frozenset({"response", "revisit", "resource", "metadata"})
INDEXED_SUFFIXES = ARCHIVE_SUFFIXES  # index_warc reads ARC files too
DEFAULT_INDEX_NAME = "index.cdxj"
OPEN_SUFFIX = ".open"  # a WARC file being written (archive.warc.writer)

_MIME_END = re.compile(r"[;\s]")


class CdxjError(ArchiveError):
    """An index could not be written or read."""


@dataclass(frozen=True)
class CdxjEntry:
    urlkey: str
    timestamp: str
    fields: dict[str, str]

    @property
    def url(self) -> str:
        return self.fields["url"]

    @property
    def filename(self) -> str:
        return self.fields["filename"]

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])

    @property
    def status(self) -> str | None:
        return self.fields.get("status")

    def line(self) -> str:
        return f"{self.urlkey} {self.timestamp} {json.dumps(self.fields)}\n"

    @classmethod
    def parse(cls, line: str) -> CdxjEntry:
        urlkey, timestamp, data = line.rstrip("\n").split(" ", 2)
        return cls(urlkey, timestamp, json.loads(data))


@functools.cache
def _surt() -> Callable[[str], str]:
    # Imported on first use: every `newsarchive` command imports this module, and only
    # indexing needs surt.
    try:
        from surt import surt
    except ImportError as exc:
        raise CdxjError("CDXJ indexing needs the surt package: pip install surt") from exc
    return surt


def url_key(url: str) -> str:
    """The SURT key pywb looks `url` up by (the URL itself when it cannot be parsed)."""
    to_surt = _surt()
    try:
        return to_surt(url)
    except Exception:  # surt raises assorted errors on odd URLs, as cdxj-indexer tolerates
        return url


def warc_directory(directory: str | os.PathLike[str]) -> Path:
    """`DIR/warc` for an output directory of ours, else `DIR` itself."""
    directory = Path(directory)
    nested = directory / WARC_DIR
    return nested if nested.is_dir() else directory


def list_warcs(folder: Path, suffixes: tuple[str, ...] = INDEXED_SUFFIXES) -> list[Path]:
    """The files of `folder` named `*<suffix>`, sorted by name: finished files only, as one
    being written is named `*.open`."""
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffixes) and p.is_file())


def unfinished_warcs(folder: str | os.PathLike[str], recursive: bool = False) -> list[Path]:
    """The `*.warc[.gz].open` files of `folder` (and below it, when `recursive`), sorted:
    WARCs a crawl is writing, or left unfinished when it was interrupted. Commands that read
    finished files only skip them, and name each (`unfinished_message`)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    candidates = folder.rglob(f"*{OPEN_SUFFIX}") if recursive else folder.glob(f"*{OPEN_SUFFIX}")
    return sorted(
        p
        for p in candidates
        if p.name.removesuffix(OPEN_SUFFIX).endswith(WARC_SUFFIXES) and p.is_file()
    )


def unfinished_message(path: Path) -> str:
    """Why `path` (an unfinished WARC) is skipped, and the command that closes it."""
    directory = path.parent.parent if path.parent.name == WARC_DIR else path.parent
    return (
        f"skipping {path}: unfinished WARC (a crawl was interrupted or is still running); "
        f"`newsarchive check {directory} --repair` closes it"
    )


def find_warcs(directory: str | os.PathLike[str]) -> list[Path]:
    """The finished WARC/ARC files of `directory` (or of its `warc/`), sorted by name."""
    folder = warc_directory(directory)
    if not folder.is_dir():
        raise CdxjError(f"{directory} is not a directory")
    return list_warcs(folder)


def _mime(record: ArcWarcRecord) -> str | None:
    if record.rec_type == "revisit":
        return "warc/revisit"
    if record.rec_type in ("response", "request"):
        value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    else:
        value = record.rec_headers.get_header("Content-Type")
    return _MIME_END.split(value, 1)[0].strip() if value else value


def payload_sha1(record: ArcWarcRecord) -> str:
    """The payload digest of a record that declares none (other tools' resources), read
    from its stream as warcio computes WARC-Payload-Digest."""
    digest = hashlib.sha1()
    while chunk := record.raw_stream.read(65536):
        digest.update(chunk)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


def _wanted(record: ArcWarcRecord) -> bool:
    if record.rec_type not in INDEXED_TYPES:
        return False
    return not (
        record.rec_type in ("resource", "metadata")
        and record.rec_headers.get_header("Content-Type") == "application/warc-fields"
    )


def index_warc(path: str | os.PathLike[str], filename: str | None = None) -> Iterator[CdxjEntry]:
    """The index entries of one WARC or ARC file, in file order.

    `filename` is what the entries name the file by (default: its base name, which is what
    pywb resolves against its archive paths and a WACZ against `archive/`).
    """
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            yield from index_stream(stream, filename or path.name, path)
    except OSError as exc:
        raise WarcReadError(f"cannot read {path}: {exc}") from exc


def index_stream(stream: BinaryIO, name: str, display: object) -> Iterator[CdxjEntry]:
    """`index_warc` of a file already open (a file in a bucket, read as it streams):
    entries name it `name`, errors `display`."""
    with read_errors(display):
        iterator = ArchiveRecords(stream, display)
        for record in iterator:
            if not _wanted(record):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if not url:
                continue
            fields: dict[str, str] = {"url": url}
            mime = _mime(record)
            if mime is not None:
                fields["mime"] = mime
            if record.rec_type in ("response", "revisit") and record.http_headers:
                fields["status"] = record.http_headers.get_statuscode()
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            fields["digest"] = digest or payload_sha1(record)
            offset = iterator.get_record_offset()
            fields["length"] = str(iterator.get_record_length())
            fields["offset"] = str(offset)
            fields["filename"] = name
            timestamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
            yield CdxjEntry(url_key(url), timestamp, fields)


def _spill(lines: list[str]) -> str:
    lines.sort()
    fd, name = tempfile.mkstemp(prefix="newsarchive-cdxj-", suffix=".run")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as run:
        run.writelines(lines)
    return name


def sorted_lines(lines: Iterable[str], chunk_lines: int = 200_000) -> Iterator[str]:
    """`lines` sorted and without duplicates, in bounded memory (external merge sort)."""
    runs: list[str] = []
    buffer: list[str] = []
    try:
        for line in lines:
            buffer.append(line)
            if len(buffer) >= chunk_lines:
                runs.append(_spill(buffer))
                buffer = []
        buffer.sort()
        handles: list[IO[str]] = [open(run, encoding="utf-8", newline="\n") for run in runs]  # noqa: SIM115
        try:
            previous = None
            for line in heapq.merge(buffer, *handles):
                if line != previous:
                    yield line
                previous = line
        finally:
            for handle in handles:
                handle.close()
    finally:
        for run in runs:
            os.unlink(run)


def index_lines(
    warcs: Iterable[str | os.PathLike[str]], *, chunk_lines: int = 200_000
) -> Iterator[str]:
    """The CDXJ lines of every record of `warcs` worth indexing, sorted, each once."""
    lines = (entry.line() for path in warcs for entry in index_warc(path))
    return sorted_lines(lines, chunk_lines)


def write_index(
    warcs: Iterable[str | os.PathLike[str]], out: IO[str], *, chunk_lines: int = 200_000
) -> int:
    """Index `warcs` into `out` (sorted CDXJ); returns the number of lines written."""
    count = 0
    for line in index_lines(warcs, chunk_lines=chunk_lines):
        out.write(line)
        count += 1
    return count


def write_index_file(
    warcs: Iterable[str | os.PathLike[str]], target: str | os.PathLike[str]
) -> int:
    """Write the index to `target` atomically (a reader never sees a half-written index)."""
    with replacing(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as out:
        return write_index(warcs, out)


def _seek_line_start(handle: IO[bytes], position: int) -> None:
    """Move to the first line that starts at or after `position`."""
    if position == 0:
        handle.seek(0)
    else:
        handle.seek(position - 1)
        handle.readline()


def lookup(index: str | os.PathLike[str], url: str) -> list[CdxjEntry]:
    """Every entry of the sorted CDXJ file `index` for `url` (binary search, no full read)."""
    key = url_key(url)
    prefix = (key + " ").encode("utf-8")
    with open(index, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        low, high = 0, handle.tell()
        # Bisect on byte positions m: the first line starting at or after m is below the
        # key for every m before the answer and not below it from there on.
        while low < high:
            middle = (low + high) // 2
            _seek_line_start(handle, middle)
            line = handle.readline()
            if line and line < prefix:
                low = middle + 1
            else:
                high = middle
        _seek_line_start(handle, low)
        entries = []
        for raw in handle:
            if raw.startswith(prefix):
                entries.append(CdxjEntry.parse(raw.decode("utf-8")))
            elif raw > prefix:
                break
    return entries


def scan(warcs: Iterable[str | os.PathLike[str]], url: str) -> list[CdxjEntry]:
    """Every capture of `url` found by reading `warcs` through (no index needed)."""
    key = url_key(url)
    return [entry for path in warcs for entry in index_warc(path) if entry.urlkey == key]
