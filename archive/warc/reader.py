"""Read single records back by the offset an index or an article's capture pointer gives.

WARC or ARC: an ARC record comes with the WARC headers `archive.warc.arc` gives it (its
`WARC-Record-ID` the one replay wrote into the capture pointer)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord

from archive.errors import WarcReadError
from archive.warc.arc import ArchiveRecords


@contextmanager
def read_errors(name: object) -> Iterator[None]:
    """Any failure to read the WARC or ARC file `name` as a `WarcReadError` that names it:
    warcio raises plain exceptions on damaged files, and the commands report only ours."""
    try:
        yield
    except WarcReadError:
        raise
    except OSError as exc:
        raise WarcReadError(f"cannot read {name}: {exc}") from exc
    except Exception as exc:
        raise WarcReadError(f"{name}: not a readable WARC file: {exc}") from exc


def record_in(stream: BinaryIO, offset: int, name: object) -> ArcWarcRecord:
    """The record that starts at `offset` of the open WARC or ARC `stream` (`name` it in
    errors).

    Its payload is read from `stream`: read it before the stream is moved or closed.
    """
    stream.seek(offset)
    try:
        return next(iter(ArchiveRecords(stream, name, whole_file=False)))
    except StopIteration:
        raise WarcReadError(f"no WARC record at offset {offset} of {name}") from None
    except Exception as exc:
        raise WarcReadError(f"unreadable WARC record at {name}:{offset}: {exc}") from exc


@contextmanager
def record_at(path: str | os.PathLike[str], offset: int) -> Iterator[ArcWarcRecord]:
    """Open `path`, seek to `offset` and yield the one record that starts there."""
    path = Path(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed in finally
    except OSError as exc:
        raise WarcReadError(f"cannot open {path}: {exc}") from exc
    try:
        yield record_in(stream, offset, path)
    finally:
        stream.close()
