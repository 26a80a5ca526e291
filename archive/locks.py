"""The crawl lock: one crawl of a profile into an output directory at a time.

Two crawls of one profile into one OUT would both decide what is new from the same catalog,
fetch the same pages twice and race on the same article files. A scheduled crawl, a manual
`newsarchive crawl` and a second scheduler can all start one, so the guard lives in the
archive itself: an exclusive ``flock`` on ``OUT/.locks/<profile>.lock``.

Why ``flock`` and not a pid file: the kernel releases the lock when the holder's file
descriptor closes, however the process ended (``kill -9``, the OOM killer, a power cut
reboots it away), so there is no stale lock to detect or clean up, and no pid reuse to be
fooled by. The file also holds the holder's pid, host and start time, written after the
lock is taken, but only so that `LockBusy` can say who holds it: the lock is the ``flock``,
never the file's contents. The file is never deleted: unlinking a lock file while another
process waits on it would let two processes hold "the" lock on two different files.

A ``flock`` belongs to the open file description: a child *forked* (not exec'd) while the
lock is held shares it and keeps it held after the parent dies. The descriptor is opened
close-on-exec, so ``subprocess`` children never inherit it.

This module imports neither Scrapy nor ``crawler``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.errors import ArchiveError

__all__ = [
    "LOCKS_DIR",
    "LOCK_BUSY_EXIT_STATUS",
    "LockBusy",
    "LockHolder",
    "crawl_lock",
    "is_locked",
    "lock_path",
]

#: Directory of the lock files, inside the output directory.
LOCKS_DIR = ".locks"
#: Exit status of a crawl that did not start because another one holds its lock
#: (``EX_TEMPFAIL`` of sysexits.h: "try again later"); the scheduler reads it as "skipped".
LOCK_BUSY_EXIT_STATUS = 75

#: Pauses between attempts at the lock (see `_take`).
PROBE_RETRY_DELAYS = (0.01, 0.04)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a crawl lock, as its lock file says."""

    pid: int | None
    host: str | None = None
    started_at: str | None = None  # ISO 8601, UTC

    def describe(self) -> str:
        if self.pid is None:
            return "a process that has not written its pid yet"
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        since = f", since {self.started_at}" if self.started_at else ""
        return f"pid {self.pid}{where}{since}"


class LockBusy(ArchiveError):
    """Another crawl of the same profile into the same output directory is running."""

    def __init__(self, out: Path, profile: str, holder: LockHolder) -> None:
        self.out = out
        self.profile = profile
        self.holder = holder
        super().__init__(
            f"another crawl of {profile} into {out} is running ({holder.describe()}); "
            "it holds the crawl lock"
        )


def _safe_name(profile: str) -> str:
    """A file name for `profile`: profile names are already file-safe; anything else (a
    path, a URL's host) has its other characters replaced, plus a hash of the original so
    that two names never map to one file."""
    if not profile:
        raise ValueError("a crawl lock needs a profile name")
    safe = _UNSAFE.sub("_", profile)
    if safe != profile or safe.startswith("."):
        digest = hashlib.sha1(profile.encode("utf-8")).hexdigest()[:10]
        safe = f"{safe.lstrip('.')}-{digest}"
    return safe


def lock_path(out: str | os.PathLike[str], profile: str) -> Path:
    """The lock file of `profile`'s crawls into `out`."""
    return Path(out) / LOCKS_DIR / f"{_safe_name(profile)}.lock"


def _read_holder(fd: int) -> LockHolder:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return LockHolder(
            pid=int(data["pid"]), host=data.get("host"), started_at=data.get("started_at")
        )
    except (OSError, ValueError, KeyError, TypeError):
        # Empty: the holder took the lock a moment ago and is about to write its details.
        return LockHolder(pid=None)


def _try_flock(fd: int, operation: int) -> bool:
    """Take the lock without waiting; False when another open file description has it."""
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _take(fd: int, operation: int = fcntl.LOCK_EX) -> bool:
    """The lock, tried a few times over ~50 ms: `is_locked` probes with a lock held for
    microseconds, and a crawl starting at that moment must not be turned away for it. A
    real holder keeps the lock for the whole crawl, far longer than this."""
    for delay in PROBE_RETRY_DELAYS:
        if _try_flock(fd, operation):
            return True
        time.sleep(delay)
    return _try_flock(fd, operation)


@contextlib.contextmanager
def crawl_lock(
    out: str | os.PathLike[str], profile: str, *, shared: bool = False
) -> Iterator[LockHolder]:
    """Hold the crawl lock of `profile` in `out` for the ``with`` block, or raise `LockBusy`
    at once (never waits: a crawl that finds its profile busy has nothing to do).

    `shared`: the workers of one shared crawl (`newsarchive crawl --frontier`) hold the lock
    together (a shared ``flock``): they coordinate through their frontier, and keep out a
    crawl of the profile that does not (which takes it exclusively).

    Yields this process's `LockHolder` (the details written into the lock file).
    """
    out = Path(out)
    path = lock_path(out, profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    # 0o666 less the umask, as any Unix tool: a group sharing the archive (umask 002) can
    # open it read-write to take the lock.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        if not _take(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX):
            raise LockBusy(out, profile, _read_holder(fd))
        holder = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            started_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
        record = json.dumps(
            {"pid": holder.pid, "host": holder.host, "started_at": holder.started_at}
        ).encode("utf-8")
        os.ftruncate(fd, 0)
        os.pwrite(fd, record + b"\n", 0)
        try:
            yield holder
        finally:
            # Emptied before the unlock: a reader must not take a finished crawl's pid for
            # a running one's. (After a crash the old details stay, but the lock is free.)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


def is_locked(out: str | os.PathLike[str], profile: str) -> bool:
    """Whether a crawl of `profile` into `out` holds its lock now (any process, this one
    included). Creates nothing: works on a read-only archive."""
    try:
        fd = os.open(lock_path(out, profile), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        # An exclusive lock conflicts with any holder's, exclusive or shared (the workers of
        # a shared crawl); taking it proves no one holds the lock, and closing the
        # descriptor gives it straight back.
        return not _try_flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)
