"""A crawl session whose archive is in object storage (`crawl --out s3://BUCKET/PREFIX`).

The crawl writes into a local spool directory (`archive.storage.cache_dir(..., "spool")`):
the lock, crash recovery and the SQLite catalog work there as for a local archive. WARC
files leave the spool once uploaded, so a capture the crawl needs to read back (the
original of a 304, a page of the run being resumed) is fetched from the bucket with one
ranged GET of its gzip member when its file is no longer local.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import CaptureRow
from archive.errors import WarcReadError
from archive.layout import WARC_DIR
from archive.storage import ObjectStore, StorageError
from archive.storage.sync import (
    UploadReport,
    fetch_catalog,
    upload_articles,
    upload_catalog,
    upload_finished_warcs,
)
from archive.warc.reader import record_in
from crawler.session import ArchiveSession, StoredResponse


@dataclass
class RemoteArchiveSession(ArchiveSession):
    store: ObjectStore | None = None

    def stored_response(self, row: CaptureRow) -> StoredResponse:
        if self.store is None or (self.out / WARC_DIR / row.warc_file).exists():
            return super().stored_response(row)
        if self._last_read is not None and self._last_read[0] == row.record_id:
            return self._last_read[1]
        name = f"{self.store.location.url}/{WARC_DIR}/{row.warc_file}"
        try:
            member = self.store.read_range(
                f"{WARC_DIR}/{row.warc_file}", row.warc_offset, row.warc_length
            )
        except StorageError as exc:
            raise WarcReadError(str(exc)) from exc
        record = record_in(io.BytesIO(member), 0, name)
        if record.http_headers is None:
            raise WarcReadError(f"{name}:{row.warc_offset} holds no HTTP response")
        stored = StoredResponse(record.http_headers, record.raw_stream.read())
        self._last_read = (row.record_id, stored)
        return stored


def prepare_spool(store: ObjectStore, spool: Path) -> bool:
    """Make the spool directory; fetch the bucket's catalog snapshot into it when it has
    none (another machine's last crawl): True when fetched."""
    spool.mkdir(parents=True, exist_ok=True)
    return fetch_catalog(store, spool)


def upload_spool(
    store: ObjectStore, spool: Path, *, warcs: bool = True, catalog: bool = True
) -> UploadReport:
    """Upload what the spool holds: finished WARC files (unless `warcs` is False), article
    files not uploaded yet, then (unless `catalog` is False) the catalog snapshot."""
    report = upload_finished_warcs(store, spool) if warcs else UploadReport()
    report.merge(upload_articles(store, spool))
    if catalog:
        try:
            upload_catalog(store, spool)
        except StorageError as exc:
            report.failed.append((str(spool / "catalog.sqlite"), str(exc)))
    return report
