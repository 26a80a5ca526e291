"""Rotating WARC 1.1 writer: one open handle per file, one gzip member per record.

Files are named `PREFIX-YYYYMMDDhhmmssfff-SERIAL-HOST_PID.warc.gz` (WARC 1.1 Annex C; the
process id as Heritrix adds it, so that the names of several crawlers on one host, writing
into one bucket, never meet; `_`, not Heritrix's `~`, which a WACZ's datapackage.json
refuses in a resource name), written as
`NAME.open` and renamed when closed, so a reader never mistakes a file being written for a
finished one (as Heritrix does). Every file opens with a `warcinfo` record. Each record is
serialised with warcio and compressed as its own gzip member (Annex D) so that an index can
point at it by offset and length; the writer returns that location for every record.

Crash safety:

- While a `.open` file is written, the writer holds an exclusive `flock` on it. A crash
  (even `kill -9`) releases it, so `archive.warc.recovery` tells an abandoned file (lock free)
  from one a live crawl is writing (lock held).
- Writes are unbuffered: each record, one whole gzip member, goes to the kernel in one go,
  so a crash can cut short at most the last member, which recovery drops.
- A failed write (disk full, I/O error, file size limit) truncates the file back to where
  that record started, then finishes the file as `close` does and raises `WarcWriteError`:
  a finished file never ends in a cut-short member.
- `close` fsyncs the file before renaming it, and the directory after.
"""

from __future__ import annotations

import errno
import fcntl
import io
import logging
import os
import socket
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from archive.atomic import fsync_directory
from archive.errors import WarcWriteError
from archive.layout import OPEN_SUFFIX

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
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
        on_close: Callable[[Path], None] | None = None,
    ) -> None:
        """`hostname`: the name's last field (default: this host's name and process id);
        `on_close`: called with each finished file's path once it is renamed (an upload)."""
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        if hostname is None:
            hostname = f"{socket.gethostname().replace('-', '_') or 'localhost'}_{os.getpid()}"
        self.hostname = hostname.replace("-", "_") or "localhost"
        self.on_close = on_close
        self.compress_level = compress_level
        self.builder = warc_record_builder()
        self.files_written: list[str] = []
        self.bytes_written = 0
        self._serial = 0
        self._file: io.FileIO | None = None
        self._name = ""
        self._size = 0

    # -- public API ---------------------------------------------------------------------

    def write(self, record: ArcWarcRecord) -> RecordLocation:
        """Append one record (rotating first when the current file is full)."""
        if self._file is None or self._size >= self.max_size:
            self._rotate()
        return self._append(record)

    def write_group(self, records: Sequence[ArcWarcRecord]) -> list[RecordLocation]:
        """Append records that belong together (a response and its request) with one
        write: a process killed at any moment leaves all of them in the file or none, so
        that no response is ever found without its request. A failed write cuts the file
        back to where the group began."""
        if self._file is None or self._size >= self.max_size:
            self._rotate()
        assert self._file is not None
        start = self._size
        members = [self._member(record) for record in records]
        try:
            _write_all(self._file, b"".join(members))
        except OSError as exc:
            self._fail_at(start, exc)  # raises
        locations = []
        for record, member in zip(records, members, strict=True):
            locations.append(self._location(record, self._size, len(member)))
            self._size += len(member)
            self.bytes_written += len(member)
        return locations

    def close(self) -> None:
        """Finish the current file: fsync it, rename it from `*.open` to its final name."""
        if self._file is None:
            return
        file, self._file = self._file, None
        self._finish(file)

    def __enter__(self) -> RotatingWarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------

    def _member(self, record: ArcWarcRecord) -> bytes:
        """The record as its own gzip member (WARC Annex D: one record, one member)."""
        compressor = zlib.compressobj(self.compress_level, zlib.DEFLATED, 31)
        return compressor.compress(_serialise(record)) + compressor.flush()

    def _location(self, record: ArcWarcRecord, offset: int, length: int) -> RecordLocation:
        return RecordLocation(
            warc_file=self._name,
            offset=offset,
            length=length,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )

    def _append(self, record: ArcWarcRecord) -> RecordLocation:
        assert self._file is not None
        member = self._member(record)
        offset = self._size
        try:
            _write_all(self._file, member)
        except OSError as exc:
            self._fail_at(offset, exc)  # raises
        self._size += len(member)
        self.bytes_written += len(member)
        return self._location(record, offset, len(member))

    def _fail_at(self, offset: int, exc: OSError) -> None:
        """A write failed: cut the file back to `offset`, where the record began, finish
        it and raise `WarcWriteError`. The writer is then closed."""
        assert self._file is not None
        file, self._file = self._file, None
        name = self._name + OPEN_SUFFIX
        try:
            os.ftruncate(file.fileno(), offset)
        except OSError as truncate_exc:
            # Left as `.open`: recovery cuts it to its last complete record.
            file.close()
            raise WarcWriteError(
                f"cannot write to {self.directory / name}: {_describe(exc)}; cutting the "
                f"partial record failed too ({_describe(truncate_exc)}): the file stays as "
                f"{name} for `newsarchive check --repair`"
            ) from exc
        self._size = offset
        try:
            self._finish(file)
        except WarcWriteError as finish_exc:
            raise WarcWriteError(
                f"cannot write to {self.directory / name}: {_describe(exc)}; {finish_exc}"
            ) from exc
        done = (
            f"the partial record was cut off and the file closed as {self._name}"
            if offset
            else "the file held no whole record and was removed"
        )
        raise WarcWriteError(
            f"cannot write to {self.directory / name}: {_describe(exc)}; {done}"
        ) from exc

    def _finish(self, file: io.FileIO) -> None:
        """fsync `file`, rename it to its final name (still locked, so that recovery never
        takes a file being closed), fsync the directory, release the lock. A file that
        holds nothing is removed instead. On failure the file stays `.open`."""
        opened = self.directory / (self._name + OPEN_SUFFIX)
        final = self.directory / self._name
        try:
            if self._size == 0:
                opened.unlink()
                if self._name in self.files_written:
                    self.files_written.remove(self._name)
                return
            os.fsync(file.fileno())
            os.replace(opened, final)
            fsync_directory(self.directory)
        except OSError as exc:
            raise WarcWriteError(
                f"cannot finish {opened}: {_describe(exc)}; it stays as {opened.name} for "
                f"`newsarchive check --repair`"
            ) from exc
        finally:
            file.close()
        logger.info("closed WARC %s (%d bytes)", final, self._size)
        if self.on_close is not None:
            self.on_close(final)

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
                self._file = _create_locked(self.directory / (name + OPEN_SUFFIX))
                if self._file is not None:
                    break
        except OSError as exc:
            raise WarcWriteError(f"cannot create a WARC file in {self.directory}: {exc}") from exc
        self._name = name
        self._size = 0
        self.files_written.append(name)
        info = self.builder.create_warcinfo_record(name, self.warcinfo)
        self._append(info)
        logger.info("opened WARC %s", self.directory / (name + OPEN_SUFFIX))


def _create_locked(path: Path) -> io.FileIO | None:
    """Create `path` exclusively, unbuffered, and hold an exclusive `flock` on it; None when
    the name is taken (or the file was taken away by recovery before the lock was held)."""
    try:
        # Exclusive create: a second crawl into the same directory never truncates a file
        # another writer owns.
        file = open(path, "xb", buffering=0)  # noqa: SIM115 - owned by the writer
    except FileExistsError:
        return None
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        # Between the create and the lock, recovery could have found the empty file
        # unlocked and removed it: then write to a new name, not to an unlinked inode.
        if os.fstat(file.fileno()).st_nlink == 0:
            file.close()
            return None
    except BaseException:
        file.close()
        raise
    return file


def _write_all(file: io.FileIO, data: bytes) -> None:
    """Write all of `data` (a raw write may take only part of it, as at a size limit)."""
    view = memoryview(data)
    while view:
        written = file.write(view)
        if not written:  # None (non-blocking) or 0: never for a regular file
            raise OSError(errno.EIO, "write made no progress")
        view = view[written:]



def _describe(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0)
    return f"{exc.strerror or exc} ({name})" if name else str(exc)
