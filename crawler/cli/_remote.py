"""`s3://BUCKET/PREFIX` where the read commands take an archive directory.

The archive is mirrored into the local read cache (`archive.storage.cache_dir(…, "read")`:
only files that are new or of another size are downloaded) and the command reads that;
`show` downloads the article files only and reads WARC records with ranged GETs.
"""

from __future__ import annotations

from pathlib import Path

from archive.storage import ObjectStore, StorageError, cache_dir, is_remote, open_store
from archive.storage.sync import materialise
from crawler.cli import human_bytes, say


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
    directory = cache_dir(store.location, "read")
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
