"""Remake the catalog from what it indexes: the WARC files and the article JSON files.

Used three ways: `newsarchive catalog DIR --rebuild` (a lost or damaged catalog, or an
archive written before the catalog existed); seeding an incremental crawl from WARCs of
other tools (wget, Heritrix: their responses become known URLs with validators and
digests); and after a crash, `sync` limited to the files the crashed run touched, which
brings back the rows its last uncommitted transaction lost. Every write is idempotent
(record ids are keys), so syncing a file twice changes nothing — ARC files too, whose
records get the same id on every read (`archive.warc.arc`; warcio's arc2warc makes a random one).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
from warcio.recordloader import ArcWarcRecord

from archive.catalog.model import CaptureRow
from archive.catalog.sqlite import CatalogError, SqliteCatalog
from archive.errors import WarcReadError
from archive.layout import content_hash, walk_article_files
from archive.warc.arc import ArchiveRecords
from archive.warc.cdxj import list_warcs, payload_sha1, warc_directory
from archive.warc.reader import read_errors

logger = logging.getLogger(__name__)

CAPTURE_TYPES = ("response", "revisit")


@dataclass
class SyncReport:
    warc_files: int = 0
    captures: int = 0
    articles: int = 0
    unreadable: list[str] | None = None

    def render(self) -> str:
        text = (
            f"{self.warc_files} WARC file(s), {self.captures} capture(s), "
            f"{self.articles} article file(s) indexed"
        )
        if self.unreadable:
            text += f"; unreadable: {', '.join(self.unreadable)}"
        return text


def _header(record: ArcWarcRecord, name: str) -> str | None:
    if record.http_headers is None:
        return None
    return record.http_headers.get_header(name)


def _status(record: ArcWarcRecord) -> int | None:
    if record.http_headers is None:
        return None
    try:
        return int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None



def capture_rows(path: str | os.PathLike[str], name: str | None = None) -> Iterator[CaptureRow]:
    """The response and revisit records of one WARC file (ours or another tool's) as rows.

    A revisit's `refers_to` is its `WARC-Refers-To` when given; when not, `sync` resolves it
    from `WARC-Refers-To-Target-URI` and `-Date` once the whole set is indexed.
    """
    path = Path(path)
    name = name or path.name
    with read_errors(path), open(path, "rb") as stream:
        iterator = ArchiveRecords(stream, path)
        for record in iterator:
            if record.rec_type not in CAPTURE_TYPES:
                continue
            headers = record.rec_headers
            url = headers.get_header("WARC-Target-URI")
            if not url or not url.startswith(("http://", "https://")):
                continue
            digest = headers.get_header("WARC-Payload-Digest")
            if record.rec_type == "response" and not digest:
                digest = payload_sha1(record)
            refers_to = None
            if record.rec_type == "revisit":
                refers_to = headers.get_header("WARC-Refers-To") or (
                    "uri:"
                    + (headers.get_header("WARC-Refers-To-Target-URI") or url)
                    + " "
                    + (headers.get_header("WARC-Refers-To-Date") or "")
                )
            row = CaptureRow(
                record_id=headers.get_header("WARC-Record-ID"),
                url=url,
                fetched_at=headers.get_header("WARC-Date") or "",
                status=_status(record),
                record_type=record.rec_type,
                payload_digest=digest,
                warc_file=name,
                warc_offset=iterator.get_record_offset(),
                warc_length=0,
                etag=_header(record, "ETag"),
                last_modified=_header(record, "Last-Modified"),
                refers_to=refers_to,
                server_date=_header(record, "Date"),
            )
            record.raw_stream.read()  # to the record's end, so its length is known
            yield replace(row, warc_length=iterator.get_record_length())


def _resolve_revisits(catalog: SqliteCatalog, rows: list[CaptureRow]) -> Iterator[CaptureRow]:
    """Rows whose `refers_to` names the original by URI and date get its record id; a
    revisit's digest is its original's when the revisit did not say."""
    for row in rows:
        if row.refers_to and row.refers_to.startswith("uri:"):
            uri, _, date = row.refers_to[4:].partition(" ")
            original = catalog.capture_at(uri, date) if date else catalog.last_capture(uri)
            row = replace(row, refers_to=original.record_id if original else None)
        yield row


def _article_files(out: Path, since: float | None) -> Iterator[dict[str, Any]]:
    for _, path in walk_article_files(out):
        if since is not None and os.stat(path).st_mtime < since:
            continue
        try:
            with open(path, "rb") as handle:
                document = orjson.loads(handle.read())
        except (OSError, orjson.JSONDecodeError) as exc:
            logger.warning("skipping unreadable article file %s: %s", path, exc)
            continue
        if isinstance(document, dict):
            yield document


def index_articles(catalog: SqliteCatalog, documents: Iterable[dict[str, Any]]) -> int:
    """Mark each document's capture with its article; versions missing from files written
    before versions existed are numbered by capture time."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        capture = document.get("capture") or {}
        if document.get("id") and capture.get("warc_record_id"):
            by_article.setdefault(document["id"], []).append(document)
    count = 0
    for article_id, versions in by_article.items():
        versions.sort(key=lambda d: (d.get("version") or 0, d["capture"].get("fetched_at", "")))
        known = catalog.latest_version(article_id)
        number = known.version if known else 0
        last_hash = known.content_hash if known else None
        for document in versions:
            digest = content_hash(document)
            if document.get("version"):
                number = int(document["version"])
            elif digest != last_hash:
                number += 1
            last_hash = digest
            catalog.set_article(
                document["capture"]["warc_record_id"],
                article_id=article_id,
                version=number,
                content_hash=digest,
                canonical_url=document.get("canonical_url"),
            )
            count += 1
    return count


def sync(
    catalog: SqliteCatalog,
    out: str | os.PathLike[str],
    *,
    warcs: Iterable[Path] | None = None,
    since: float | None = None,
    run_id: int | None = None,
) -> SyncReport:
    """Index into `catalog` the WARC files `warcs` (default: every finished WARC of `out`,
    or those modified at or after `since`, seconds) and the article files of `out`
    (those modified at or after `since`); new rows get `run_id`. Unreadable WARC files are
    reported and skipped: what they hold is not lost, only not indexed."""
    out = Path(out)
    report = SyncReport(unreadable=[])
    if warcs is None:
        folder = warc_directory(out)
        warcs = list_warcs(folder) if folder.is_dir() else []
        if since is not None:
            warcs = [w for w in warcs if w.stat().st_mtime >= since]
    pending: list[CaptureRow] = []
    for path in warcs:
        try:
            rows = list(capture_rows(path))
        except WarcReadError as exc:
            logger.warning("%s", exc)
            assert report.unreadable is not None
            report.unreadable.append(path.name)
            continue
        report.warc_files += 1
        report.captures += len(rows)
        for row in rows:
            if run_id is not None:
                row = replace(row, run_id=run_id)
            if row.refers_to and row.refers_to.startswith("uri:"):
                pending.append(row)
            else:
                catalog.add_capture(row)
    catalog.commit()
    catalog.add_captures(_resolve_revisits(catalog, pending))
    report.articles = index_articles(catalog, _article_files(out, since))
    catalog.commit()
    return report


def rebuild(
    out: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    url_key: Callable[[str], str] | None = None,
) -> SyncReport:
    """A new catalog at `path` from everything in `out`, replacing the old one only once
    it is complete (a failed rebuild leaves the old catalog as it was). The runs of the old
    catalog, which no file records, are kept when it is readable."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.rebuild")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    catalog = SqliteCatalog(tmp, url_key=url_key) if url_key else SqliteCatalog(tmp)
    try:
        report = sync(catalog, out)
        if path.exists():
            try:
                catalog.adopt_runs(path)
            except CatalogError as exc:
                logger.warning("the old catalog's runs are lost: %s", exc)
    finally:
        catalog.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, path)
    return report
