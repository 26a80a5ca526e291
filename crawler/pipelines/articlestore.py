"""Item pipeline: write each article document to OUT/articles (see archive.layout), as a
new version only when its content changed.

The catalog knows the latest version of every article and a hash of its content
(`archive.layout.content_hash`). A document whose content hash equals the latest version's
is not written again: its capture is recorded in the catalog as holding that version, and
the item is dropped (so no conversion record repeats it in the WARC either). Otherwise it is
written as version N+1 (`<id>.json` for the first, `<id>.<stamp>.json` for later ones).

ArticleStore.write is safe from several threads: names are claimed with atomic hard links.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from archive.layout import ArticleStore, content_hash
from crawler.article_record import ArticleDocument
from crawler.session import ArchiveSession, session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ArticleStorePipeline:
    def __init__(
        self, store: ArticleStore, stats: StatsCollector, session: ArchiveSession | None = None
    ) -> None:
        self.store = store
        self.stats = stats
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleStorePipeline:
        store = ArticleStore(crawler.settings.get("NEWSARCHIVE_OUT", "data"))
        return cls(store, crawler.stats, session_of(crawler))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleDocument):
            return item
        digest = content_hash(item)
        if self.session is not None:
            item = self._versioned(item, digest)
        # Creating files costs ~1 ms of blocking syscalls each: keep it off the reactor.
        path = await asyncio.to_thread(self.store.write, item, item.encoded)
        self.stats.inc_value("newsarchive/articles")
        if self.session is not None:
            self._record(item, digest)
        logger.debug("article %s -> %s", item["url"], path)
        return item

    def _versioned(self, item: ArticleDocument, digest: str) -> ArticleDocument:
        """`item` numbered as the article's next version; DropItem when it is no new one."""
        assert self.session is not None
        catalog = self.session.catalog
        latest = catalog.latest_version(item["id"])
        record_id = item["capture"]["warc_record_id"]
        known = (latest.version, latest.content_hash) if latest is not None else None
        if latest is not None and latest.record_id == record_id:
            known_same = True
        else:
            # The files may be ahead of the catalog (a worker of a shared crawl killed
            # between writing an article and committing its rows): they decide then.
            stored = self.store.latest_stored(item)
            if stored is not None and (known is None or stored[0] >= known[0]):
                known = stored
            known_same = known is not None and known[1] == digest
        if known is not None and known_same:
            catalog.set_article(
                record_id,
                article_id=item["id"],
                version=known[0],
                content_hash=known[1],
                canonical_url=item.get("canonical_url"),
            )
            self.stats.inc_value("newsarchive/unchanged_articles")
            raise DropItem(f"{item['url']}: unchanged since version {known[0]}", "DEBUG")
        version = known[0] + 1 if known is not None else 1
        if item.get("version") != version:
            item = item.with_fields(version=version)
        if version > 1:
            self.stats.inc_value("newsarchive/article_versions")
        return item

    def _record(self, item: ArticleDocument, digest: str) -> None:
        assert self.session is not None
        self.session.catalog.set_article(
            item["capture"]["warc_record_id"],
            article_id=item["id"],
            version=item["version"],
            content_hash=digest,
            canonical_url=item.get("canonical_url"),
        )
