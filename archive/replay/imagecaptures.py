"""Replay's answer to "where was this article image archived?", the crawl's answer again.

A live crawl fills `images[i].capture` (crawler/pipelines/imagecaptures.py) with the record
holding the image: the capture made in the same run (fetched for this page, or for an
earlier page of the run), else — a requisite already archived is not fetched again — the
last capture before the run. Replay reads the same from a catalog of the replayed files:

1. a capture of the image URL in the run of the article's own capture: the first one; a
   2xx answer (its payload's record: a revisit's original) or null;
2. else the last capture before the article's: 2xx or null;
3. else (another tool's WARC, which knows no runs) the capture nearest in time, 2xx.

The catalog is the archive's own (`OUT/catalog.sqlite` beside `OUT/warc`) when the replayed
files are one output directory's; for other files it is made from them, in a temporary
file, the first time an article has images (one more read of the input).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from archive.catalog import CATALOG_FILE, CaptureRow, SqliteCatalog
from archive.catalog.rebuild import sync
from archive.catalog.sqlite import epoch
from archive.layout import WARC_DIR
from archive.warc.capture import Capture
from crawler.article_record import ArticleDocument
from crawler.urls import url_key

logger = logging.getLogger(__name__)


class ImageCaptures:
    """Fills `images[i].capture` of replayed article records; see the module docstring."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self._catalog: SqliteCatalog | None = None
        self._temporary: tempfile.TemporaryDirectory[str] | None = None

    def fill(self, record: ArticleDocument) -> ArticleDocument:
        """`record` with its images' pointers (a new document when it has images)."""
        images = record.get("images")
        if not images:
            return record
        catalog = self._open()
        capture = record.get("capture") or {}
        page = catalog.capture(capture.get("warc_record_id", "")) if capture else None
        return record.with_image_captures(lambda url: self._pointer(catalog, url, page))

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()
        if self._temporary is not None:
            self._temporary.cleanup()

    def _pointer(
        self, catalog: SqliteCatalog, url: str, page: CaptureRow | None
    ) -> Capture | None:
        rows = catalog.captures_of(url) if url else []
        if not rows or page is None:
            return None
        chosen: CaptureRow | None
        if page.run_id is not None:
            same_run = [row for row in rows if row.run_id == page.run_id]
            moment = epoch(page.fetched_at)
            before = [row for row in rows if epoch(row.fetched_at) <= moment]
            chosen = same_run[0] if same_run else (before[-1] if before else None)
        else:
            moment = epoch(page.fetched_at)
            good = [row for row in rows if _ok(row)]
            chosen = min(good, key=lambda r: abs(epoch(r.fetched_at) - moment), default=None)
        if chosen is None or not _ok(chosen):
            return None
        original = catalog.capture(chosen.refers_to) if chosen.refers_to else chosen
        return original.capture() if original is not None else None

    def _open(self) -> SqliteCatalog:
        if self._catalog is None:
            own = _archive_catalog(self.files)
            if own is not None:
                self._catalog = SqliteCatalog(own, readonly=True, url_key=url_key)
            else:
                self._temporary = tempfile.TemporaryDirectory(prefix="newsarchive-replay-")
                path = os.path.join(self._temporary.name, CATALOG_FILE)
                self._catalog = SqliteCatalog(path, url_key=url_key)
                logger.info("indexing %d file(s) for the captures of article images",
                            len(self.files))  # fmt: skip
                sync(self._catalog, self._temporary.name, warcs=self.files)
        return self._catalog


def _ok(row: CaptureRow) -> bool:
    return row.status is not None and 200 <= row.status < 300


def _archive_catalog(files: list[Path]) -> Path | None:
    """`OUT/catalog.sqlite` when every file is in the same `OUT/warc` and it exists."""
    folders = {path.resolve().parent for path in files}
    if len(folders) != 1:
        return None
    (folder,) = folders
    candidate = folder.parent / CATALOG_FILE
    return candidate if folder.name == WARC_DIR and candidate.is_file() else None
