"""The article item and the capture pointer as the crawl hands them on.

An `ArticleDocument`'s `encoded` bytes are what the article store writes and the WARC
conversion record holds: after every step that changes the document they must still be the
document's encoding. A `Capture` in `request.meta` travels with a redirected or retried
request (Scrapy copies the meta) through the queues that serialise requests.
"""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.squeues import PickleFifoDiskQueue
from scrapy.utils.test import get_crawler

from archive.catalog import CaptureRow
from archive.layout import ArticleStore, encode_article, walk_article_files
from archive.warc.capture import Capture
from crawler.article_record import ArticleDocument
from crawler.items import CAPTURE_META_KEY
from crawler.pipelines.articlestore import ArticleStorePipeline
from crawler.pipelines.imagecaptures import ImageCapturesPipeline
from crawler.requisites.finder import Requisite
from crawler.session import ArchiveSession

PAGE = Capture("w.warc.gz", 0, 900, "<urn:uuid:page>", "2026-01-06T08:00:00Z", 200, "sha1:P")
LOGO = Capture("w.warc.gz", 900, 300, "<urn:uuid:logo>", "2026-01-06T08:00:01Z", 200, "sha1:L")
LOGO_URL = "http://news.example/logo.png"


def _document(body: str) -> ArticleDocument:
    return ArticleDocument(
        {
            "id": "0123456789abcdef",
            "url": "http://news.example/2026/01/05/story.html",
            "site": "example",
            "version": 1,
            "title": "Harbour bridge reopens",
            "body": body,
            "images": [
                {"url": LOGO_URL, "alt": "", "capture": None},
                {"url": "http://news.example/gone.png", "alt": "", "capture": None},
            ],
            "capture": PAGE.to_dict(),
        }
    )


class _Fetcher:
    """The spider's `RequisiteFetcher`: only the logo was archived."""

    async def fetch(self, requisites: list[Requisite], page_url: str) -> dict[str, Capture]:
        return {r.url: LOGO for r in requisites if r.url == LOGO_URL}


def test_encoded_is_the_documents_bytes_after_the_image_and_version_steps(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    store = ArticleStore(out)
    store.write(_document("The bridge reopened."))  # version 1, by an earlier crawl
    session = ArchiveSession.open(out, "example")
    try:
        session.catalog.add_capture(
            CaptureRow(
                record_id=PAGE.warc_record_id,
                url="http://news.example/2026/01/05/story.html",
                fetched_at=PAGE.fetched_at,
                status=200,
                record_type="response",
                payload_digest=PAGE.payload_digest,
                warc_file=PAGE.warc_file,
                warc_offset=PAGE.warc_offset,
                warc_length=PAGE.warc_length,
            )
        )
        crawler: Any = SimpleNamespace(spider=SimpleNamespace(requisites=_Fetcher()))
        extracted = pickle.loads(pickle.dumps(_document("The bridge reopened at dawn.")))
        assert extracted.encoded == encode_article(extracted)  # back from a worker process

        pictured = asyncio.run(ImageCapturesPipeline(crawler).process_item(extracted))
        assert [image["capture"] for image in pictured["images"]] == [LOGO.to_dict(), None]
        assert pictured.encoded == encode_article(pictured)

        pipeline = ArticleStorePipeline(store, get_crawler().stats, session)
        stored = asyncio.run(pipeline.process_item(pictured))
        assert stored["version"] == 2
        assert stored.encoded == encode_article(stored)
    finally:
        session.close()
    paths = [Path(path) for _, path in walk_article_files(out)]
    assert [path.read_bytes() for path in paths if path.name != "0123456789abcdef.json"] == [
        stored.encoded
    ]


def test_a_capture_in_request_meta_survives_the_request_queues(tmp_path: Path) -> None:
    archived = Request("http://news.example/old", meta={CAPTURE_META_KEY: PAGE})
    redirected = archived.replace(url="http://news.example/new")  # RedirectMiddleware's way
    queue = PickleFifoDiskQueue.from_crawler(get_crawler(), str(tmp_path / "queue"))  # JOBDIR
    queue.push(redirected)
    popped = queue.pop()
    queue.close()
    assert popped is not None and popped.meta[CAPTURE_META_KEY] == PAGE

    picklecompat = pytest.importorskip("scrapy_redis.picklecompat")  # the shared frontier's
    shared = picklecompat.loads(picklecompat.dumps(redirected.to_dict()))
    assert shared["meta"][CAPTURE_META_KEY] == PAGE
