"""scrapy-redis's scheduler, queue and duplicate filter, made one worker of a shared crawl.

- `SharedDupeFilter`: scrapy-redis's filter, but keyed on the crawl's own request
  fingerprints (`REQUEST_FINGERPRINTER_CLASS`: ours drops tracking parameters); scrapy-redis
  0.9 computes its own, which would let `/a?utm_source=x` and `/a` both through.
- `SharedQueue`: scrapy-redis's priority queue; a pop moves the request to this worker's
  taken requests in the same Lua script (`Frontier.pop`), so a killed worker loses none.
- `SharedScheduler`: joins the crawl on open (heartbeat every `FRONTIER_HEARTBEAT` seconds),
  keeps the spider open while the crawl is not finished (`spider_idle`), and while it waits
  looks every `FRONTIER_WAIT_POLL` seconds whether requests arrived or the crawl finished,
  waking the engine then (Scrapy itself looks again only every 5 s: a worker that ran dry
  for a moment at the start of a crawl, when the queue holds a handful of URLs, would sit
  out 5 s of it, and every crawl would end up to 5 s late); leaves the crawl on close.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.frontier import CRAWLER_ATTRIBUTE, crawl_prefix
from crawler.frontier.state import Frontier

logger = logging.getLogger(__name__)

# Finish reasons after which the crawl is done for every worker.
_FINISHED = ("finished",)


class SharedDupeFilter(RFPDupeFilter):
    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Any) -> SharedDupeFilter:
        dupefilter = super().from_spider(spider)
        dupefilter.key = crawl_prefix(spider.profile.name) + "dupefilter"
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Any) -> str:
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()


class SharedQueue(PriorityQueue):
    frontier: Frontier | None = None

    def pop(self, timeout: int = 0) -> Any:
        assert self.frontier is not None, "SharedQueue works with SharedScheduler only"
        data = self.frontier.pop()
        if data is None:
            return None
        request = self._decode_request(data)
        self.frontier.taken(request.url, data)
        return request


class SharedScheduler(Scheduler):
    frontier: Frontier
    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.heartbeat = settings.getfloat("FRONTIER_HEARTBEAT", 1.0)
        scheduler.wait_poll = settings.getfloat("FRONTIER_WAIT_POLL", 0.1)
        scheduler.frontier = Frontier(
            scheduler.server,
            crawler.spider.profile.name,
            ttl=settings.getfloat("FRONTIER_WORKER_TTL", 30.0),
        )
        # The profile's keys, so that two profiles never share a queue (scrapy-redis keys
        # on the spider's name, which is `news` for every profile).
        scheduler.queue_key = scheduler.frontier.key("requests")
        scheduler.resume = settings.getbool("NEWSARCHIVE_RESUME")
        scheduler._beat: task.LoopingCall | None = None
        scheduler._poll: task.LoopingCall | None = None
        scheduler._poll_failing = False
        scheduler._waiting = False
        setattr(crawler, CRAWLER_ATTRIBUTE, scheduler.frontier)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        assert isinstance(self.queue, SharedQueue), "SCHEDULER_QUEUE_CLASS must be SharedQueue"
        self.queue.frontier = self.frontier
        self.frontier.join(resume=self.resume)
        self.frontier.reclaim()
        self._beat = task.LoopingCall(self._on_beat)
        self._beat.start(self.heartbeat, now=False)

    def close(self, reason: str) -> None:
        for loop in (self._beat, self._poll):
            if loop is not None and loop.running:
                loop.stop()
        try:
            last = self.frontier.leave(finished=reason in _FINISHED)
        except Exception:
            logger.error("could not leave the shared frontier", exc_info=True)
            return
        if last:
            logger.info("frontier %s: crawl finished, its keys deleted", self.frontier.prefix)

    def enqueue_request(self, request: Any) -> bool:
        added = super().enqueue_request(request)
        if added and request.dont_filter:
            # A retry (or any request put back): safe in the queue again, so no longer one
            # of this worker's taken requests.
            self.frontier.done(request.url)
        return added

    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None:
            self._stop_waiting()
        return request

    # -- the end of the crawl -------------------------------------------------------------

    def spider_idle(self, spider: Any) -> None:
        """Nothing left here: close only when the whole crawl is done."""
        self.frontier.set_idle()
        self.frontier.reclaim()
        if not self.frontier.finished():
            self._start_waiting()
            raise DontCloseSpider
        self._stop_waiting()

    def _start_waiting(self) -> None:
        self._waiting = True
        if self._poll is None or not self._poll.running:
            self._poll = task.LoopingCall(self._on_poll)
            self._poll.start(self.wait_poll, now=False)

    def _stop_waiting(self) -> None:
        self._waiting = False
        if self._poll is not None and self._poll.running:
            self._poll.stop()

    def _on_poll(self) -> None:
        """While waiting: requests arrived (take them now) or the crawl finished (close
        now): either way the engine looks again, and `spider_idle` decides."""
        try:
            if self._waiting and (self.frontier.queued() or self.frontier.finished()):
                self._wake()
            self._poll_failing = False
        except Exception:
            if not self._poll_failing:  # once, not ten times a second while Redis is away
                logger.warning("frontier poll failed", exc_info=True)
            self._poll_failing = True

    def _on_beat(self) -> None:
        try:
            self.frontier.beat()
        except Exception:
            logger.warning("frontier heartbeat failed", exc_info=True)

    def _wake(self) -> None:
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()
