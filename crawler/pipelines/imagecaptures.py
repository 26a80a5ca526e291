"""Item pipeline: point each article image at its capture in the WARC files.

Between extraction (which lists `images[]` from the page) and the article store. Each image
URL is asked of the crawl's `RequisiteFetcher`: fetched now if the page's requisites did
not include it (extraction may take a `data-src` or an `og:image` the browser would not
load), or its earlier capture found. `images[i].capture` is then the pointer of the record
holding the image (as the article's own `capture`), or null when it was not archived
(refused by robots.txt, an error, not an image answer, requisites switched off and never
captured before).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from archive.warc.capture import Capture
from crawler.article_record import ArticleDocument
from crawler.requisites.fetcher import RequisiteFetcher
from crawler.requisites.finder import IMAGE, Requisite
from crawler.session import session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ImageCapturesPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImageCapturesPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleDocument) or not item.get("images"):
            return item
        urls = item.image_urls()
        fetcher: RequisiteFetcher | None = getattr(self.crawler.spider, "requisites", None)
        pointers: Mapping[str, Capture | None]
        if fetcher is not None and urls:
            pointers = await fetcher.fetch([Requisite(url, IMAGE) for url in urls], item["url"])
        else:
            pointers = {url: self._archived(url) for url in urls}
        return item.with_image_captures(pointers.get)

    def _archived(self, url: str) -> Capture | None:
        """The image's last 2xx capture in the archive, when requisites are not fetched."""
        session = session_of(self.crawler)
        row = session.catalog.last_capture(url) if session is not None else None
        if row is None or not 200 <= (row.status or 0) < 300:
            return None
        original = session.original_of(row) if session is not None else None
        return original.capture() if original is not None else None
