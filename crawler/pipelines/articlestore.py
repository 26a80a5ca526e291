"""Item pipeline: write each article document to OUT/articles (see archive.layout)."""

from __future__ import annotations

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

    def process_item(self, item: Any) -> Any:
        if isinstance(item, dict) and "capture" in item and "id" in item:
            path = self.store.write(item, getattr(item, "encoded", None) or None)
            self.stats.inc_value("newsarchive/articles")
            logger.debug("article %s -> %s", item["url"], path)
        return item
