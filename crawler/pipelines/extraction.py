"""Item pipeline: turn an `ArticlePage` into the article JSON document.

Extraction is pure CPU work; in the reactor's process it would come straight out of crawl
throughput (one core is all Scrapy uses). With EXTRACTION_WORKERS >= 1 it runs in a pool of
worker processes, so it takes the machine's other cores; 0 runs it inline (debugging).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from archive.lifeline import pool_kwargs
from crawler.article_record import build_article_document
from crawler.extraction import ExtractionError
from crawler.items import ArticlePage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    def __init__(self, workers: int, stats: StatsCollector) -> None:
        self.workers = workers
        self.stats = stats
        self._pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        return cls(crawler.settings.getint("EXTRACTION_WORKERS", 1), crawler.stats)

    def open_spider(self) -> None:
        if self.workers > 0:
            # forkserver: never fork the reactor process itself (its threads and sockets).
            # pool_kwargs: workers end with this process, even when it is killed (kill -9).
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, **pool_kwargs())

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        if item.capture is None:
            raise DropItem(f"no WARC capture for {item.url}; article not stored", "INFO")
        kwargs = {
            "site": item.site,
            "capture": item.capture,
            "http_charset": item.http_charset,
            "rules": item.rules,
        }
        try:
            if self._pool is None:
                record = build_article_document(item.body, item.url, **kwargs)
            else:
                future = self._pool.submit(build_article_document, item.body, item.url, **kwargs)
                record = await asyncio.wrap_future(future)
        except ExtractionError as exc:
            self.stats.inc_value("newsarchive/extraction_errors")
            raise DropItem(f"cannot extract {item.url}: {exc}", "WARNING") from exc
        except Exception as exc:
            self.stats.inc_value("newsarchive/extraction_errors")
            logger.error("extractor crashed on %s", item.url, exc_info=True)
            raise DropItem(f"extractor crashed on {item.url}: {exc!r}", "ERROR") from exc
        if record is None:
            self.stats.inc_value("newsarchive/not_article")
            raise DropItem(f"{item.url} is not an article page", "DEBUG")
        return record
