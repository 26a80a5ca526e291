"""Item pipeline: write each article document to OUT/articles (see archive.layout).

ArticleStore.write is safe from several threads: names are claimed with atomic hard links.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from archive.layout import ArticleStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ArticleStorePipeline:
    def __init__(self, store: ArticleStore, stats: StatsCollector) -> None:
        self.store = store
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleStorePipeline:
        return cls(ArticleStore(crawler.settings.get("NEWSARCHIVE_OUT", "data")), crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, dict) and "capture" in item and "id" in item:
            # Creating files costs ~1 ms of blocking syscalls each: keep it off the reactor.
            encoded = getattr(item, "encoded", None) or None
            path = await asyncio.to_thread(self.store.write, item, encoded)
            self.stats.inc_value("newsarchive/articles")
            logger.debug("article %s -> %s", item["url"], path)
        return item
