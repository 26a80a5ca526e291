"""Read single records back by the offset an index or an article's capture pointer gives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive.errors import WarcReadError


@contextmanager
def record_at(path: str | os.PathLike[str], offset: int) -> Iterator[ArcWarcRecord]:
    """Open `path`, seek to `offset` and yield the one record that starts there."""
    path = Path(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed in finally
    except OSError as exc:
        raise WarcReadError(f"cannot open {path}: {exc}") from exc
    try:
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream)))
        except StopIteration:
            raise WarcReadError(f"no WARC record at offset {offset} of {path}") from None
        except Exception as exc:
            raise WarcReadError(f"unreadable WARC record at {path}:{offset}: {exc}") from exc
        yield record
    finally:
        stream.close()
