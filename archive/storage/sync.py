"""Moving an archive's files between a local directory and its bucket.

- `upload_warc`: a finished WARC file to `PREFIX/warc/`, verified, then removed locally. A
  name already taken in the bucket by other bytes is never overwritten.
- `WarcUploader`: the same in a background thread, for files a crawl closes as it goes.
- `upload_finished_warcs`, `upload_articles`, `upload_catalog`: what a crawl leaves in its
  spool directory, at its end and at the start of the next crawl (after a crash).
- `materialise`: a bucket's `warc/` and `articles/` into a local cache, for the readers
  (each file marked used, for `archive.storage.cache.trim`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from archive.catalog import CATALOG_FILE
from archive.layout import (
    ARCHIVE_SUFFIXES,
    ARTICLES_DIR,
    WARC_DIR,
    WARC_SUFFIXES,
    ArticleStore,
    walk_article_files,
)
from archive.storage import NameTaken, ObjectStore, RemoteObject, StorageError, listed
from archive.storage.cache import touch

logger = logging.getLogger(__name__)

# Article files of the spool already in the bucket: `LOCAL\tREMOTE` relative paths a line.
UPLOADED_ARTICLES = ".uploaded-articles"
INDEX_FILE = "index.cdxj"
_MAX_RENAMES = 1000


@dataclass
class UploadReport:
    uploaded: list[str] = field(default_factory=list)  # relative paths
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # article (local, remote)

    def merge(self, other: UploadReport) -> None:
        self.uploaded += other.uploaded
        self.failed += other.failed
        self.renamed += other.renamed


def finished_warcs(directory: Path) -> list[Path]:
    """The finished WARC files of `directory` (never a `.open` one), by name."""
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    return [directory / n for n in names if n.endswith(WARC_SUFFIXES) and not n.startswith(".")]


def upload_warc(store: ObjectStore, path: Path) -> None:
    """Upload the finished WARC `path` to `PREFIX/warc/NAME`, verify it, remove it locally.

    When the bucket already holds that name with the same size and MD5 (a crash came
    between upload and removal), only the local file goes. Other bytes under the name: a
    StorageError, and nothing is overwritten.
    """
    relative = f"{WARC_DIR}/{path.name}"
    there = store.exists(relative)
    if there is None:
        store.upload_file(path, relative, if_absent=True)  # a racing writer: NameTaken
    elif not store.holds(path, there):
        raise NameTaken(
            f"{store.location.url}/{relative} exists with other bytes: {path} is kept, "
            "not uploaded over it"
        )
    path.unlink()


def upload_finished_warcs(store: ObjectStore, out: Path) -> UploadReport:
    """Every finished WARC of `out`; after a failure the rest are not tried (the store is
    most likely unreachable) and count as failed with the same reason."""
    report = UploadReport()
    reason = ""
    for path in finished_warcs(out / WARC_DIR):
        if reason:
            report.failed.append((str(path), reason))
            continue
        try:
            upload_warc(store, path)
            report.uploaded.append(f"{WARC_DIR}/{path.name}")
        except StorageError as exc:
            reason = str(exc)
            report.failed.append((str(path), reason))
    return report


class WarcUploader:
    """Uploads WARC files in one background thread as a crawl closes them."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-upload")
        self._pending: list[tuple[Path, Future[None]]] = []

    def submit(self, path: Path) -> None:
        self._pending.append((path, self._pool.submit(upload_warc, self.store, path)))

    def finish(self) -> UploadReport:
        """Wait for every upload; what each gave."""
        report = UploadReport()
        for path, future in self._pending:
            try:
                future.result()
                report.uploaded.append(f"{WARC_DIR}/{path.name}")
            except StorageError as exc:
                report.failed.append((str(path), str(exc)))
            except Exception as exc:  # a bug or an OSError: the file stays, say why
                logger.error("upload of %s failed", path, exc_info=True)
                report.failed.append((str(path), f"{type(exc).__name__}: {exc}"))
        self._pending.clear()
        self._pool.shutdown(wait=True)
        return report


def _uploaded_articles(out: Path) -> dict[str, str]:
    try:
        text = (out / UPLOADED_ARTICLES).read_text("utf-8")
    except FileNotFoundError:
        return {}
    pairs = (line.split("\t", 1) for line in text.splitlines() if "\t" in line)
    return {local: remote for local, remote in pairs}


def upload_articles(store: ObjectStore, out: Path) -> UploadReport:
    """Create in the bucket each article file of `out` not uploaded yet, only if absent.

    A name the bucket holds with the same bytes counts as uploaded. With other bytes (a
    version another machine wrote under the same name), the article goes to the next free
    name the local store would have chosen (`<id>.<stamp>.json`, then `-1`, `-2` …), also
    created only if absent; the pair is noted in `UPLOADED_ARTICLES`.
    """
    report = UploadReport()
    done = _uploaded_articles(out)
    reason = ""
    with open(out / UPLOADED_ARTICLES, "a", encoding="utf-8") as ledger:
        for _, path in walk_article_files(out):
            local = Path(path).relative_to(out).as_posix()
            if local in done:
                continue
            if reason:  # after a failure, the rest wait for the next crawl
                report.failed.append((path, reason))
                continue
            try:
                remote = _create_article(store, Path(path), local)
            except (StorageError, OSError, orjson.JSONDecodeError) as exc:
                reason = str(exc)
                report.failed.append((path, reason))
                continue
            ledger.write(f"{local}\t{remote}\n")
            ledger.flush()
            report.uploaded.append(remote)
            if remote != local:
                report.renamed.append((local, remote))
    return report


def _create_article(store: ObjectStore, path: Path, local: str) -> str:
    data = path.read_bytes()
    if store.create_if_absent(local, data) or store.read(local) == data:
        return local
    document = orjson.loads(data)
    folder = local.rsplit("/", 1)[0]
    for count, name in enumerate(ArticleStore._candidate_names(document)):
        if count > _MAX_RENAMES:
            break
        remote = f"{folder}/{name}"
        if remote == local:
            continue
        if store.create_if_absent(remote, data) or store.read(remote) == data:
            return remote
    raise StorageError(f"no free name for {local} in {store.location.url}")


class SnapshotChanged(StorageError):
    """The bucket's catalog snapshot is no longer the one a new snapshot was made from."""


def replace_snapshot(store: ObjectStore, out: Path, based_on: RemoteObject | None) -> None:
    """`upload_catalog`, unless the bucket's snapshot is no longer `based_on` (the one
    `out`'s catalog was made from; None: there was none): then SnapshotChanged and nothing
    is uploaded, so that a crawl's newer snapshot is not replaced by one without its run.
    (A crawl that ends between this look and the upload still loses: the last upload wins.)
    """
    now = store.exists(CATALOG_FILE)
    if (now is None) != (based_on is None) or (now and based_on and now.etag != based_on.etag):
        raise SnapshotChanged(
            f"{store.location.url}/{CATALOG_FILE} changed meanwhile (a crawl ended?): the "
            "new snapshot was not uploaded; run the command again"
        )
    upload_catalog(store, out)


def upload_catalog(store: ObjectStore, out: Path) -> None:
    """A consistent copy of `out/catalog.sqlite` (SQLite's backup API) to the bucket."""
    source = out / CATALOG_FILE
    if not source.exists():
        return
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".catalog-", suffix=".tmp")
    os.close(fd)
    try:
        with sqlite3.connect(source) as live, sqlite3.connect(tmp) as copy:
            live.backup(copy)
        copy.close()
        live.close()
        store.upload_file(Path(tmp), CATALOG_FILE)
    finally:
        os.unlink(tmp)


def fetch_snapshot(store: ObjectStore, directory: Path) -> RemoteObject | None:
    """The bucket's catalog snapshot into `directory` (downloaded when it is not there
    already); its object, or None when the bucket has none (a copy there is removed)."""
    there = store.exists(CATALOG_FILE)
    target = directory / CATALOG_FILE
    if there is None:
        target.unlink(missing_ok=True)
        return None
    stat = target.stat() if target.is_file() else None
    if stat is not None and stat.st_size == there.size and stat.st_mtime == there.modified:
        touch(target)
    else:
        for suffix in ("-wal", "-shm"):  # of a catalog rebuilt here before: not this one's
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        _download(store, there, target)
    return there


def fetch_catalog(store: ObjectStore, out: Path) -> bool:
    """The bucket's catalog snapshot into `out` when `out` has none: True if fetched."""
    target = out / CATALOG_FILE
    if target.exists() or store.exists(CATALOG_FILE) is None:
        return False
    store.download(CATALOG_FILE, target)
    return True


@dataclass
class Materialised:
    directory: Path
    warcs: int = 0
    articles: int = 0
    downloaded: int = 0
    downloaded_bytes: int = 0


def materialise(
    store: ObjectStore,
    directory: Path,
    *,
    warcs: bool = True,
    articles: bool = True,
    catalog: bool = False,
) -> Materialised:
    """Mirror the bucket's `warc/` and `articles/` (and `index.cdxj`, and with `catalog`
    its catalog snapshot) into `directory`.

    Files already there with the bucket's size are kept (WARC and article files never
    change once written); files the bucket no longer has are removed, so the cache reads as
    the bucket does.
    """
    result = Materialised(directory)
    parts = [(WARC_DIR, ARCHIVE_SUFFIXES)] if warcs else []
    if articles:
        parts.append((ARTICLES_DIR, (".json",)))
    for part, suffixes in parts:
        wanted: set[str] = set()
        for item in listed(store, part, suffixes):
            target = directory / item.relative
            wanted.add(item.relative)
            if part == WARC_DIR:
                result.warcs += 1
            else:
                result.articles += 1
            if target.is_file() and target.stat().st_size == item.size:
                touch(target)
                continue
            _download(store, item, target)
            result.downloaded += 1
            result.downloaded_bytes += item.size
        _remove_stale(directory / part, directory, wanted)
    for name in (INDEX_FILE, CATALOG_FILE) if catalog else (INDEX_FILE,):
        there = store.exists(name)
        target = directory / name
        if there is None:
            target.unlink(missing_ok=True)
        elif not (
            target.is_file()
            and target.stat().st_size == there.size
            and target.stat().st_mtime == there.modified
        ):
            _download(store, there, target)
            result.downloaded += 1
            result.downloaded_bytes += there.size
        else:
            touch(target)
    directory.mkdir(parents=True, exist_ok=True)
    return result


def _download(store: ObjectStore, item: RemoteObject, target: Path) -> None:
    """Download, keeping the bucket's modification time (`show` trusts `index.cdxj` only
    when it is newer than every WARC file); the access time says it was used now (the
    read cache is trimmed least recently used first: `archive.storage.cache`)."""
    store.download(item.relative, target)
    if item.modified:
        os.utime(target, (time.time(), item.modified))


def _remove_stale(folder: Path, root: Path, wanted: set[str]) -> None:
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            if path.relative_to(root).as_posix() not in wanted:
                path.unlink()
