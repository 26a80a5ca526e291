"""The read cache of archives in buckets, kept under a size cap, least recently used first.

Readers that need local files (`check`, `replay`, `wacz`, `export`, `show`'s articles,
`catalog --rebuild`) mirror what they need into `cache_dir(location, "read")`. Without a
bound that cache grows with every archive ever read, so:

- Each file a reader needs is marked used (its access time set to now; its modification
  time stays the bucket's, which `show` compares with `index.cdxj`'s).
- A process using a read directory holds a shared `flock` on its `.in-use` file for as
  long as it runs: a `serve` or a long `wacz` never has its files removed under it.
- When a command ends, `trim` removes files of the read directories nobody uses, oldest
  use first, until the whole cache root's read directories hold at most
  `$NEWSARCHIVE_CACHE_MAX` (default 10G). While a command runs, the cache may hold more
  than the cap by what that command needs at once.

The spool directories (what a crawl has not uploaded yet) are never trimmed.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from archive.storage import StorageError, cache_root, parse_size

logger = logging.getLogger(__name__)

CACHE_MAX_ENV = "NEWSARCHIVE_CACHE_MAX"
DEFAULT_CACHE_MAX = 10 * 1024**3
IN_USE = ".in-use"
_PARTIAL = ".download-"  # a download being written (`S3Store.download`)


def cache_max() -> int:
    """`$NEWSARCHIVE_CACHE_MAX` in bytes (`500M`, `20G`; 0 keeps nothing once a command
    ends), else 10 GiB; StorageError when it is not a size."""
    given = os.environ.get(CACHE_MAX_ENV, "").strip()
    if not given:
        return DEFAULT_CACHE_MAX
    try:
        return parse_size(given)
    except ValueError as exc:
        raise StorageError(f"{CACHE_MAX_ENV}: {exc}") from exc


def touch(path: Path) -> None:
    """Mark `path` used now: its access time, set explicitly (mounts with `noatime` or
    `relatime` do not keep it up to date by themselves); the modification time stays."""
    with contextlib.suppress(FileNotFoundError):
        os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))


class InUse:
    """A shared lock on a read directory for as long as this process uses it."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._fd: int | None = os.open(directory / IN_USE, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits only while a trim runs

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass
class Trimmed:
    removed: int = 0
    removed_bytes: int = 0
    held: int = 0  # bytes in read directories another process uses (not trimmed)
    total: int = 0  # bytes left in the read directories


def read_directories(root: Path | None = None) -> list[Path]:
    """Every read directory under the cache root (`SCHEME/BUCKET/NAME/read`)."""
    return sorted(p for p in (root or cache_root()).glob("*/*/*/read") if p.is_dir())


def _files(directory: Path) -> list[tuple[float, int, Path]]:
    found = []
    for dirpath, _, names in os.walk(directory):
        for name in names:
            if name == IN_USE or name.startswith(_PARTIAL):
                continue
            path = Path(dirpath) / name
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            found.append((stat.st_atime, stat.st_size, path))
    return found


def trim(limit: int, root: Path | None = None) -> Trimmed:
    """Remove the least recently used files of the read directories nobody uses until
    all of them hold at most `limit` bytes (what is in use counts, but stays)."""
    result = Trimmed()
    locks: list[int] = []
    candidates: list[tuple[float, int, Path]] = []
    try:
        for directory in read_directories(root):
            fd = os.open(directory / IN_USE, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                result.held += sum(size for _, size, _ in _files(directory))
                continue
            locks.append(fd)
            candidates += _files(directory)
        result.total = result.held + sum(size for _, size, _ in candidates)
        candidates.sort(key=lambda item: item[0])
        for _, size, path in candidates:
            if result.total <= limit:
                break
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            result.removed += 1
            result.removed_bytes += size
            result.total -= size
    finally:
        for fd in locks:
            os.close(fd)
    if result.removed:
        logger.info("read cache: removed %d file(s), %d bytes", result.removed,
                    result.removed_bytes)
    return result
