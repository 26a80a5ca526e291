"""Scrapy's CloseSpider, with `CLOSESPIDER_PAGECOUNT` (`--max-pages`) counting pages only.

A page's requisites pass through the downloader as responses too, and so does the
robots.txt of every host they come from; counted, a `--max-pages 20` crawl would end after
three or four pages and their images.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.extensions.closespider import CloseSpider
from scrapy.http import Response

from crawler.requisites import REQUISITE_KEY


class PagesCloseSpider(CloseSpider):
    def page_count(self, response: Response, request: Request, spider: Spider) -> None:
        if REQUISITE_KEY in request.meta or request.meta.get("dont_obey_robotstxt"):
            return
        super().page_count(response, request, spider)
