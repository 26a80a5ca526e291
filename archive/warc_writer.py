"""Rotating WARC 1.1 writer: one open handle per file, one gzip member per record.

Files are named `PREFIX-YYYYMMDDhhmmssfff-SERIAL-HOST.warc.gz` (WARC 1.1 Annex C), written as
`NAME.open` and renamed when closed, so a reader never mistakes a file being written for a
finished one (as Heritrix does). Every file opens with a `warcinfo` record. Each record is
serialised with warcio and compressed as its own gzip member (Annex D) so that an index can
point at it by offset and length; the writer returns that location for every record.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from archive.errors import WarcWriteError

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
DEFAULT_MAX_SIZE = 1_000_000_000


@dataclass(frozen=True)
class RecordLocation:
    """Where a record landed: enough to read it back with one seek."""

    warc_file: str  # file name inside the WARC directory (the final name, never `.open`)
    offset: int
    length: int  # compressed length of the record's gzip member
    record_id: str


def warc_record_builder() -> RecordBuilder:
    """The warcio record factory every WARC 1.1 record of ours is made with."""
    return RecordBuilder(warc_version=WARC_VERSION)


def _serialise(record: ArcWarcRecord) -> bytes:
    buffer = io.BytesIO()
    WARCWriter(buffer, gzip=False, warc_version=WARC_VERSION).write_record(record)
    return buffer.getvalue()


class RotatingWarcWriter:
    """Appends records to size-capped WARC files in one directory.

    Not thread-safe: one writer per crawl, used from one thread (Scrapy's reactor thread).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        prefix: str = "newsarchive",
        max_size: int = DEFAULT_MAX_SIZE,
        warcinfo: Mapping[str, str] | None = None,
        hostname: str | None = None,
        compress_level: int = 6,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.hostname = (hostname or socket.gethostname()).replace("-", "_") or "localhost"
        self.compress_level = compress_level
        self.builder = warc_record_builder()
        self.files_written: list[str] = []
        self.bytes_written = 0
        self._serial = 0
        self._file: io.BufferedWriter | None = None
        self._name = ""
        self._size = 0

    # -- public API ---------------------------------------------------------------------

    def write(self, record: ArcWarcRecord) -> RecordLocation:
        """Append one record (rotating first when the current file is full)."""
        if self._file is None or self._size >= self.max_size:
            self._rotate()
        return self._append(record)

    def close(self) -> None:
        """Finish the current file and rename it from `*.open` to its final name."""
        if self._file is None:
            return
        file, self._file = self._file, None
        file.close()
        final = self.directory / self._name
        os.replace(self.directory / (self._name + OPEN_SUFFIX), final)
        logger.info("closed WARC %s (%d bytes)", final, self._size)

    def __enter__(self) -> RotatingWarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------

    def _append(self, record: ArcWarcRecord) -> RecordLocation:
        assert self._file is not None
        compressor = zlib.compressobj(self.compress_level, zlib.DEFLATED, 31)
        member = compressor.compress(_serialise(record)) + compressor.flush()
        offset = self._size
        try:
            self._file.write(member)
            self._file.flush()
        except OSError as exc:
            raise WarcWriteError(f"cannot write to {self._name}{OPEN_SUFFIX}: {exc}") from exc
        self._size += len(member)
        self.bytes_written += len(member)
        return RecordLocation(
            warc_file=self._name,
            offset=offset,
            length=len(member),
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )

    def _next_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
        while True:
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.hostname}.warc.gz"
            self._serial += 1
            if not (self.directory / name).exists():
                return name

    def _rotate(self) -> None:
        self.close()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            while True:
                name = self._next_name()
                try:
                    # Exclusive create: a second crawl into the same directory never
                    # truncates a file another writer owns.
                    self._file = open(self.directory / (name + OPEN_SUFFIX), "xb")  # noqa: SIM115
                    break
                except FileExistsError:
                    continue
        except OSError as exc:
            raise WarcWriteError(f"cannot create a WARC file in {self.directory}: {exc}") from exc
        self._name = name
        self._size = 0
        self.files_written.append(name)
        info = self.builder.create_warcinfo_record(name, self.warcinfo)
        self._append(info)
        logger.info("opened WARC %s", self.directory / (name + OPEN_SUFFIX))
