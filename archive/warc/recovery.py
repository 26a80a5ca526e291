"""Recovery of the WARC files an interrupted crawl left unfinished (`*.open`).

A crawl killed hard (`kill -9`, power cut, OOM killer) leaves its current WARC file as
`NAME.warc.gz.open`, and its last gzip member may be cut short. `recover(out)` makes such an
archive whole again, in two stages:

1. `recover_open_files(out/warc)`: every `*.open` WARC file no live writer holds (the writer
   keeps an exclusive `flock` on it; a dead process holds none) is cut back to the end of its
   last complete record (`last_complete_end`), fsynced and renamed to its final name; a file
   without one complete record is removed. Files a live crawl is writing are left alone.
2. Article files whose capture pointer leads into a dropped tail (or into a removed file)
   are renamed `X.json.orphan` (never deleted; the article walkers ignore that name). After
   it, every article JSON points at a record that exists.
3. Temporary article files (`.tmp-<pid>-*.tmp`, see `archive.layout.ArticleStore`) that a
   killed writer left are removed: their content is whole in no other place only when the
   article was never linked, and then the resumed crawl writes it again.

Where a file's complete records end is read by `archive.warc.stream`, which `archive.check`
shares.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from archive.atomic import fsync_directory
from archive.layout import (
    ARTICLES_DIR,
    OPEN_SUFFIX,
    TEMP_ARTICLE_NAME,
    WARC_DIR,
    WARC_SUFFIXES,
    article_month_dirs,
    walk_article_files,
)
from archive.warc.stream import complete_prefix

logger = logging.getLogger(__name__)

ORPHAN_SUFFIX = ".orphan"
SHOWN_ARTICLES = 10  # quarantined articles named one by one in a report
# A temporary article file lives for the microseconds between its write and its link; one
# this old is a leftover even if its pid now names another, unrelated process.
STALE_TEMP_SECONDS = 3600


# -- recovering `.open` files ---------------------------------------------------------------

CLOSED = "closed"  # cut to its last complete record and renamed to its final name
REMOVED = "removed"  # held no complete record
IN_USE = "in use"  # a live writer holds it: left alone
FAILED = "failed"  # could not be recovered (see `error`)


@dataclass(frozen=True)
class RecoveredFile:
    """What recovery did with one `*.open` file."""

    name: str  # the file's final name, the one capture pointers and catalogs use
    action: str  # CLOSED, REMOVED, IN_USE or FAILED
    original_size: int
    kept_size: int
    records_kept: int
    error: str | None = None

    @property
    def open_name(self) -> str:
        """The name it had: `NAME.open`."""
        return self.name + OPEN_SUFFIX

    @property
    def bytes_dropped(self) -> int:
        return self.original_size - self.kept_size if self.action in (CLOSED, REMOVED) else 0

    def describe(self) -> str:
        if self.action == CLOSED:
            line = (
                f"closed {self.open_name} as {self.name}: kept {self.records_kept} record(s), "
                f"{self.kept_size:,} bytes"
            )
            if self.bytes_dropped:
                line += f"; dropped {self.bytes_dropped:,} bytes of an incomplete record"
            return line
        if self.action == REMOVED:
            return (
                f"removed {self.open_name}: not one complete record in it "
                f"({self.original_size:,} bytes)"
            )
        if self.action == IN_USE:
            return f"left {self.open_name} alone: a live crawl is writing it"
        return f"could not recover {self.open_name}: {self.error}"


def is_open_warc(name: str) -> bool:
    """Whether `name` is a WARC file being written (or abandoned): `NAME.warc[.gz].open`."""
    return name.endswith(OPEN_SUFFIX) and name.removesuffix(OPEN_SUFFIX).endswith(WARC_SUFFIXES)


def open_warcs(folder: str | os.PathLike[str]) -> list[Path]:
    """The `*.warc[.gz].open` files of `folder`, sorted by name (none if no such folder)."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if is_open_warc(e.name) and e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [Path(folder) / name for name in names]


def is_held(path: str | os.PathLike[str]) -> bool:
    """Whether a live process holds the `flock` on `path` (a writer at work)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases our probe's lock
    return False


def recover_open_file(path: str | os.PathLike[str]) -> RecoveredFile | None:
    """Recover one `*.open` WARC file (see `recover_open_files`); None when it went away
    meanwhile (its writer finished it, or another recovery took it)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            size = os.fstat(fd).st_size
            return RecoveredFile(_final_name(path), IN_USE, size, size, 0)
        # Locked now. Is it still the file of that name (not renamed while we waited)?
        try:
            if os.stat(path).st_ino != os.fstat(fd).st_ino:
                return None
        except FileNotFoundError:
            return None
        size = os.fstat(fd).st_size
        with open(os.dup(fd), "rb") as stream:
            kept, records = complete_prefix(stream)
        try:
            return _close_recovered(fd, path, size, kept, records)
        except OSError as exc:
            logger.error("could not recover %s: %s", path, exc, exc_info=True)
            return RecoveredFile(_final_name(path), FAILED, size, size, 0, str(exc))
    finally:
        os.close(fd)


def _close_recovered(fd: int, path: Path, size: int, kept: int, records: int) -> RecoveredFile:
    if records == 0:
        path.unlink()
        fsync_directory(path.parent)
        logger.warning("removed %s: no complete WARC record in it (%d bytes)", path, size)
        return RecoveredFile(_final_name(path), REMOVED, size, 0, 0)
    final = path.with_name(_final_name(path))
    if final.exists():
        message = f"{final.name} exists already; left as {path.name}"
        return RecoveredFile(final.name, FAILED, size, size, 0, message)
    if kept < size:
        os.ftruncate(fd, kept)
    os.fsync(fd)
    os.rename(path, final)  # still locked: no writer or other recovery takes it meanwhile
    fsync_directory(path.parent)
    logger.warning(
        "recovered %s as %s: %d record(s), %d bytes kept, %d dropped",
        path,
        final.name,
        records,
        kept,
        size - kept,
    )
    return RecoveredFile(final.name, CLOSED, size, kept, records)


def _final_name(path: Path) -> str:
    return path.name.removesuffix(OPEN_SUFFIX)


def recover_open_files(warc_dir: str | os.PathLike[str]) -> list[RecoveredFile]:
    """Recover every `*.open` WARC file of `warc_dir` that no live process holds.

    Each is cut back to the end of its last complete record (`last_complete_end`),
    fsynced and renamed to its final name (its name minus `.open`); a file without a
    complete record is removed. Files a live writer holds (its `flock`) are listed with
    action IN_USE and left untouched.
    """
    results = []
    for path in open_warcs(warc_dir):
        result = recover_open_file(path)
        if result is not None:
            results.append(result)
    return results


# -- articles that lost their record ----------------------------------------------------------


@dataclass(frozen=True)
class QuarantinedArticle:
    path: Path  # where it is now: `X.json.orphan`
    warc_file: str
    offset: int
    reason: str


@dataclass
class RecoveryReport:
    """What `recover` did: the `.open` files and the articles it set aside."""

    files: list[RecoveredFile] = field(default_factory=list)
    quarantined: list[QuarantinedArticle] = field(default_factory=list)
    temp_files_removed: int = 0

    @property
    def recovered(self) -> list[RecoveredFile]:
        return [f for f in self.files if f.action in (CLOSED, REMOVED)]

    @property
    def in_use(self) -> list[RecoveredFile]:
        return [f for f in self.files if f.action == IN_USE]

    @property
    def failed(self) -> list[RecoveredFile]:
        return [f for f in self.files if f.action == FAILED]

    @property
    def bytes_dropped(self) -> int:
        return sum(f.bytes_dropped for f in self.files)

    def lines(self) -> list[str]:
        """A few human lines: one per file, then the quarantined articles (the first few)."""
        lines = [f.describe() for f in self.files]
        for article in self.quarantined[:SHOWN_ARTICLES]:
            lines.append(f"set aside {article.path}: {article.reason}")
        if len(self.quarantined) > SHOWN_ARTICLES:
            more = len(self.quarantined) - SHOWN_ARTICLES
            lines.append(f"set aside {more} more article(s) (*.json{ORPHAN_SUFFIX})")
        return lines

    def render(self) -> str:
        return "\n".join(self.lines())


def recover(out_dir: str | os.PathLike[str]) -> RecoveryReport:
    """Make the archive in `out_dir` whole after an interrupted crawl (see the module
    docstring): recover `out_dir/warc/*.open`, then set aside the articles whose capture
    record was dropped. Cheap when there is nothing to do: articles are read only when a
    file lost records."""
    out = Path(out_dir)
    report = RecoveryReport(files=recover_open_files(out / WARC_DIR))
    # final name -> size kept (None: removed), for the files that lost something
    damaged = {
        f.name: (f.kept_size if f.action == CLOSED else None)
        for f in report.files
        if f.action in (CLOSED, REMOVED) and f.bytes_dropped
    }
    if damaged and (out / ARTICLES_DIR).is_dir():
        report.quarantined = quarantine_articles(out, damaged)
    report.temp_files_removed = remove_leftover_temp_articles(out)
    return report


def remove_leftover_temp_articles(out: str | os.PathLike[str], now: float | None = None) -> int:
    """Remove the temporary article files of writers that are gone; return how many.

    A file is a leftover when the pid in its name is no live process, or when it is older
    than `STALE_TEMP_SECONDS`. Files of a live crawl (another profile may be writing into
    the same OUT) are left alone.
    """
    now = time.time() if now is None else now
    removed = 0
    for month in article_month_dirs(out):
        try:
            entries = list(os.scandir(month))
        except OSError:
            continue
        for entry in entries:
            match = TEMP_ARTICLE_NAME.match(entry.name)
            if not match:
                continue
            try:
                old = now - entry.stat().st_mtime > STALE_TEMP_SECONDS
                if old or not _alive(int(match.group(1))):
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue  # its writer linked and removed it meanwhile
    if removed:
        logger.info("removed %d temporary article file(s) a killed crawl left", removed)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def quarantine_articles(
    out: str | os.PathLike[str], damaged: dict[str, int | None]
) -> list[QuarantinedArticle]:
    """Rename `X.json` to `X.json.orphan` for each article of `out/articles` whose capture
    is in a file of `damaged` (name -> bytes kept, None when the file was removed) and ends
    beyond what was kept."""
    quarantined = []
    for _id, article in walk_article_files(out):
        try:
            with open(article, "rb") as handle:
                capture = orjson.loads(handle.read()).get("capture")
        except (OSError, orjson.JSONDecodeError, AttributeError):
            continue  # not ours to judge here: `newsarchive check` reports it
        if not isinstance(capture, dict) or capture.get("warc_file") not in damaged:
            continue
        name = capture["warc_file"]
        kept = damaged[name]
        try:
            offset = int(capture.get("warc_offset", 0))
            end = offset + int(capture.get("warc_length", 0))
        except (TypeError, ValueError):
            continue
        if kept is None:
            reason = f"{name} held no complete record and was removed"
        elif end > kept:
            reason = f"its capture at {name}:{offset} was in the incomplete part, cut off"
        else:
            continue
        target = _orphan_name(Path(article))
        os.rename(article, target)
        logger.warning("set aside %s: %s", target, reason)
        quarantined.append(QuarantinedArticle(target, name, offset, reason))
    return quarantined


def _orphan_name(article: Path) -> Path:
    target = article.with_name(article.name + ORPHAN_SUFFIX)
    serial = 1
    while target.exists():
        target = article.with_name(f"{article.name}{ORPHAN_SUFFIX}.{serial}")
        serial += 1
    return target
