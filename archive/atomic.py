"""Files a reader never sees half written: written under a temporary name, then renamed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: str | os.PathLike[str]) -> Iterator[str]:
    """Yield the path of a new temporary file beside `target` for the block to write.

    When the block ends, the file replaces `target` in one rename; when it fails, the file
    is removed and `target` stays as it was.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def fsync_directory(directory: str | os.PathLike[str]) -> None:
    """Make a rename or an unlink in `directory` durable (a file's own fsync does not)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
