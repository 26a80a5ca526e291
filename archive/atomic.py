"""Files a reader never sees half written: written under a temporary name, then renamed."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@functools.cache
def process_umask() -> int:
    """The process's umask, read once.

    Linux shows it in /proc/self/status; elsewhere it can only be read by setting it
    (`os.umask`) and putting it back, which another thread creating a file in between would
    see, so that is the fallback only, done once.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def file_mode() -> int:
    """The mode a new file gets from `open()` or any Unix tool: 0o666 less the umask.

    `tempfile.mkstemp` creates 0o600 whatever the umask, which is right for a temporary
    file but wrong for the archive's files once renamed into place: others who may read the
    WARC files (0o644 under umask 022) must be able to read the articles and indexes too.
    """
    return 0o666 & ~process_umask()


@contextmanager
def replacing(target: str | os.PathLike[str]) -> Iterator[str]:
    """Yield the path of a new temporary file beside `target` for the block to write.

    When the block ends, the file replaces `target` in one rename; when it fails, the file
    is removed and `target` stays as it was. The file's mode follows the umask (as a file
    `open()` creates), not mkstemp's 0o600.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())  # mkstemp's 0o600 would survive the rename
    finally:
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
