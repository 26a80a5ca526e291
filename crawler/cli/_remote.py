"""`s3://BUCKET/PREFIX` where the read commands take an archive directory.

What a command needs as local files is mirrored into the read cache
(`archive.storage.cache_dir(…, "read")`: only files that are new or of another size are
downloaded) and the command reads that; the cache is trimmed to `NEWSARCHIVE_CACHE_MAX`
when the command ends (`archive.storage.cache`). `index` and `serve` stream the WARC files
instead, and `show` reads WARC records with ranged GETs.
"""

from __future__ import annotations

import atexit
from pathlib import Path

from archive.storage import ObjectStore, StorageError, cache_dir, is_remote, open_store
from archive.storage.cache import CACHE_MAX_ENV, InUse, cache_max, trim
from archive.storage.sync import materialise
from crawler.cli import human_bytes, say

_in_use: dict[Path, InUse] = {}


def archive_arg(text: str) -> Path | str:
    """argparse type of an archive argument: a Path, or an `s3://` URL kept as text
    (a Path would fold its `//`)."""
    return text if is_remote(text) else Path(text)


class RemoteArchiveError(Exception):
    """The archive in a bucket cannot be read; `code` is the exit status to give."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def connect(given: str) -> ObjectStore:
    try:
        store = open_store(given)
        cache_max()  # a bad NEWSARCHIVE_CACHE_MAX is a bad argument, said before any work
    except StorageError as exc:
        raise RemoteArchiveError(str(exc), 2) from exc
    try:
        store.check()
    except StorageError as exc:
        raise RemoteArchiveError(str(exc), 1) from exc
    return store


def local_copy(
    command: str,
    given: Path | str,
    *,
    warcs: bool = True,
    articles: bool = True,
    catalog: bool = False,
    store: ObjectStore | None = None,
) -> Path:
    """`given` itself when local; for an `s3://` URL, its mirror in the read cache, brought
    up to date (one line on stderr says what was downloaded). Raises RemoteArchiveError."""
    if not isinstance(given, str):
        return given
    store = store or connect(given)
    directory = read_cache(command, store)
    try:
        done = materialise(store, directory, warcs=warcs, articles=articles, catalog=catalog)
    except StorageError as exc:
        raise RemoteArchiveError(str(exc), 1) from exc
    held = [f"{done.warcs} WARC file(s)"] if warcs else []
    held += [f"{done.articles} article file(s)"] if articles else []
    say(
        command,
        f"{store.location.url}: {', '.join(held)}; {done.downloaded} file(s) "
        f"({human_bytes(done.downloaded_bytes)}) downloaded into the cache {directory}",
    )
    return directory


def read_cache(command: str, store: ObjectStore) -> Path:
    """The read cache directory of `store`'s archive, held in use by this process until it
    exits; then the cache is trimmed to its cap (one line on stderr when files went)."""
    directory = cache_dir(store.location, "read")
    if directory not in _in_use:
        if not _in_use:
            atexit.register(_release_and_trim, command)
        _in_use[directory] = InUse(directory)
    return directory


def _release_and_trim(command: str) -> None:
    for held in _in_use.values():
        held.release()
    _in_use.clear()
    limit = cache_max()
    done = trim(limit)
    if done.removed:
        say(
            command,
            f"read cache: {done.removed} least recently used file(s) "
            f"({human_bytes(done.removed_bytes)}) removed to keep it within "
            f"{CACHE_MAX_ENV} ({limit} bytes)",
        )
