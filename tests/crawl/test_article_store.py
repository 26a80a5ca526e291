"""The article store numbers versions by the files when the catalog is behind them.

A worker of a shared crawl (`--frontier`) can be killed after writing an article file and
before its catalog rows are committed; the worker that fetches the page again must not
write a second version 1 of the same content.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from archive.catalog import CaptureRow
from archive.layout import ArticleStore, walk_article_files
from crawler.article_record import ArticleDocument
from crawler.pipelines.articlestore import ArticleStorePipeline
from crawler.session import ArchiveSession


def _document(record_id: str, fetched_at: str, body: str) -> ArticleDocument:
    return ArticleDocument({
        "id": "0123456789abcdef",
        "url": "http://news.example/2026/01/05/story.html",
        "site": "example",
        "version": 1,
        "title": "Harbour bridge reopens",
        "published": "2026-01-05T09:00:00Z",
        "body": body,
        "images": [],
        "capture": {
            "warc_file": "w.warc.gz",
            "warc_offset": 0,
            "warc_length": 1,
            "warc_record_id": record_id,
            "fetched_at": fetched_at,
            "status": 200,
            "payload_digest": "sha1:X",
        },
    })


def _captured(session: ArchiveSession, document: ArticleDocument) -> ArticleDocument:
    """The capture row WarcCapture records before the article reaches the store."""
    capture = document["capture"]
    session.catalog.add_capture(
        CaptureRow(
            record_id=capture["warc_record_id"],
            url=document["url"],
            fetched_at=capture["fetched_at"],
            status=200,
            record_type="response",
            payload_digest="sha1:X",
            warc_file="w.warc.gz",
            warc_offset=0,
            warc_length=1,
        )
    )
    return document


def test_a_file_the_catalog_does_not_know_is_a_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    store = ArticleStore(out)
    # The killed worker's file: written, never recorded in the catalog.
    store.write(_document("<a>", "2026-01-05T10:00:00Z", "The bridge reopened."))
    session = ArchiveSession.open(out, "example")
    try:
        pipeline = ArticleStorePipeline(store, get_crawler().stats, session)
        same = _captured(session, _document("<b>", "2026-01-05T10:00:07Z", "The bridge reopened."))
        with pytest.raises(DropItem, match="unchanged since version 1"):
            asyncio.run(pipeline.process_item(same))
        assert session.catalog.latest_version("0123456789abcdef").version == 1  # healed

        edited = _captured(
            session, _document("<c>", "2026-01-06T08:00:00Z", "The bridge reopened at dawn.")
        )
        written = asyncio.run(pipeline.process_item(edited))
        assert written["version"] == 2
    finally:
        session.close()
    names = sorted(Path(path).name for _, path in walk_article_files(out))
    assert names == ["0123456789abcdef.20260106080000.json", "0123456789abcdef.json"]
