"""Middlewares of a worker of a shared crawl (enabled by `--frontier` only).

- `TakenRequestsMiddleware` (spider): a request taken from the shared queue is done once
  its callback's output has been handled — the links it found are in the queue, its
  article through the pipelines into the store — and only then is it dropped from the
  worker's taken requests (until then a dead worker's request goes back to the queue).
  Errbacks say so through `NewsSpider.on_error`.
- `SharedRobotsTxtMiddleware` (downloader): Scrapy's robots.txt middleware, but each host's
  robots.txt is fetched (and archived) by one worker and read from Redis by the others.
- `SharedHostDelayMiddleware` (downloader): `FRONTIER_HOST_DELAY` seconds (default
  `DOWNLOAD_DELAY`) between two requests to one host, counted over all workers. Scrapy's own
  delay, concurrency per domain and AutoThrottle stay per process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.frontier import frontier_of

logger = logging.getLogger(__name__)

_ROBOTS_ERROR = b"error"
ROBOTS_WAIT = 30.0  # seconds a worker waits for another's robots.txt before fetching it


def request_done(crawler: Any, request: Request, response: Response | None = None) -> None:
    """Tell the frontier (if any) that `request` is handled, with the URLs of its redirect
    chain (each one was a taken request)."""
    frontier = frontier_of(crawler)
    if frontier is None:
        return
    meta = response.meta if response is not None else request.meta
    frontier.done(request.url, *meta.get("redirect_urls", ()))


class TakenRequestsMiddleware:
    """Marks a response's request done when its callback's output is exhausted and every
    item it yielded has left the item pipelines (scraped, dropped or failed): an article
    is in the store before its request stops being reclaimable."""

    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.get("NEWSARCHIVE_FRONTIER"):
            raise NotConfigured
        self.crawler = crawler
        # id(response) -> [response, items still in the pipelines, callback exhausted]
        self._pending: dict[int, list[Any]] = {}
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_left, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Any) -> TakenRequestsMiddleware:
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        entry = self._pending.setdefault(id(response), [response, 0, False])
        try:
            async for output in result:
                if not isinstance(output, Request):
                    entry[1] += 1
                yield output
        finally:
            entry[2] = True
            self._settle(id(response))

    def _item_left(self, item: Any, response: Response | None = None, **_: Any) -> None:
        entry = self._pending.get(id(response))
        if entry is not None:
            entry[1] -= 1
            self._settle(id(response))

    def _settle(self, key: int) -> None:
        entry = self._pending.get(key)
        if entry is not None and entry[2] and entry[1] <= 0:
            del self._pending[key]
            request_done(self.crawler, entry[0].request, entry[0])


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> Any:
        frontier = frontier_of(self.crawler)
        netloc = urlparse_cached(request).netloc
        if frontier is None or netloc in self._parsers:
            return await super().robot_parser(request)
        if not frontier.claim_robots(netloc):
            stored = await self._wait_for(frontier, netloc)
            if stored is not None and netloc not in self._parsers:
                return await self._from_store(stored, netloc, request)
        return await super().robot_parser(request)

    async def _wait_for(self, frontier: Any, netloc: str) -> bytes | None:
        deadline = time.monotonic() + ROBOTS_WAIT
        while time.monotonic() < deadline:
            stored = frontier.robots(netloc)
            if stored is not None:
                return stored
            await asyncio.sleep(0.05)
        logger.info("robots.txt of %s not shared in %ds: fetching it here", netloc, ROBOTS_WAIT)
        return None

    async def _from_store(self, stored: bytes, netloc: str, request: Request) -> Any:
        self._stats.inc_value("frontier/robots_shared")
        if stored == _ROBOTS_ERROR:
            self._parsers[netloc] = None
            return None
        status, _, body = stored.partition(b"\n")
        url = urlparse_cached(request)
        response = Response(f"{url.scheme}://{netloc}/robots.txt", status=int(status), body=body)
        self._parsers[netloc] = Deferred()
        # Parsed as if fetched here: the robots_parsed signal too (the spider reads the
        # Sitemap: lines; the shared duplicate filter drops those another worker queued).
        await super()._parse_robots(response, netloc, request)
        return self._parsers[netloc]

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        frontier = frontier_of(self.crawler)
        if frontier is not None:
            frontier.put_robots(netloc, b"%d\n%s" % (response.status, response.body))
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        frontier = frontier_of(self.crawler)
        if frontier is not None:
            frontier.put_robots(netloc, _ROBOTS_ERROR)
        super()._robots_error(exc, netloc)


class SharedHostDelayMiddleware:
    def __init__(self, crawler: Any, delay: float) -> None:
        self.crawler = crawler
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedHostDelayMiddleware:
        settings = crawler.settings
        if not settings.get("NEWSARCHIVE_FRONTIER"):
            raise NotConfigured
        delay = settings.getfloat("FRONTIER_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY"))
        if delay <= 0:
            raise NotConfigured
        return cls(crawler, delay)

    async def process_request(self, request: Request) -> None:
        frontier = frontier_of(self.crawler)
        if frontier is None:
            return
        wait = frontier.host_wait(urlparse_cached(request).netloc, self.delay)
        if wait > 0:
            self.crawler.stats.inc_value("frontier/host_delay_waits")
            await asyncio.sleep(wait)
