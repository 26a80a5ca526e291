"""Several crawl processes, one crawl: the shared frontier in Redis.

    newsarchive crawl PROFILE --out DIR --frontier redis://HOST:PORT/DB

Every process started with the same profile and frontier works on one crawl. Built on
scrapy-redis (its scheduler, queue and duplicate filter), with what a crawl of ours needs
on top of it, all under the keys `newsarchive:<profile>:*`, so that two profiles never
share a queue:

- `state.Frontier`: the workers (a heartbeat each), the requests each one took from the
  queue and has not finished (given back to the queue when the worker dies), when the crawl
  is finished (queue empty, every live worker idle), and what the workers share besides the
  queue: the seen canonical URLs, the page requisites claimed, robots.txt bodies, the next
  allowed request time per host;
- `scheduler.SharedScheduler`: scrapy-redis's scheduler taking requests with `Frontier.pop`
  and closing the spider only when the whole crawl is done;
- `middlewares`: robots.txt fetched by one worker and read by the others; a shared delay
  between requests to one host; a spider middleware marking a request done once its
  callback's output is handled.

Nothing here is imported unless `--frontier` (`NEWSARCHIVE_FRONTIER`) is set: `redis` and
`scrapy_redis` are the optional extra `[scale]`.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.frontier.state import Frontier

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")

#: Where the Frontier of a running crawl is kept on its `Crawler` (see `frontier_of`).
CRAWLER_ATTRIBUTE = "_newsarchive_frontier"


def crawl_prefix(profile: str) -> str:
    """The Redis key prefix of `profile`'s shared crawl: `newsarchive:<profile>:`. A name
    that is not key-safe (a URL's profile) gets a hash, so two names never share keys.
    (scrapy-redis formats its keys with `%`: none may appear.)"""
    safe = _UNSAFE.sub("_", profile)
    if safe != profile:
        safe = f"{safe}-{hashlib.sha1(profile.encode('utf-8')).hexdigest()[:10]}"
    return f"newsarchive:{safe}:"


def worker_id(host: str | None = None, pid: int | None = None) -> str:
    """This process's name among the workers: `HOST~PID` (its WARC files end `HOST_PID`)."""
    host = (host or socket.gethostname()).replace("-", "_") or "localhost"
    return f"{host}~{pid if pid is not None else os.getpid()}"


def frontier_settings(url: str) -> dict[str, Any]:
    """The Scrapy settings that make a crawl one worker of the shared crawl in the Redis at
    `url` (applied by `NewsSpider.update_settings` when `NEWSARCHIVE_FRONTIER` is set, so
    that `scrapy crawl news -s NEWSARCHIVE_FRONTIER=…` and Scrapyd work too). The keys are
    the profile's (`crawl_prefix`), set when the spider opens."""
    return {
        "REDIS_URL": url,
        "SCHEDULER": "crawler.frontier.scheduler.SharedScheduler",
        "DUPEFILTER_CLASS": "crawler.frontier.scheduler.SharedDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.scheduler.SharedQueue",
        # Kept when a worker closes: the others go on with it; the last one to finish
        # deletes the crawl's keys (`Frontier.leave`).
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat",
    }


def liveness(url: str, profile: str) -> Callable[[str | None, int | None], bool]:
    """Whether the worker that started a catalog run (its host and pid) is alive in the
    shared crawl of `profile` at `url` (for `crawler.session`). Connects at once: an
    unreachable Redis fails here, before the crawl starts."""
    from crawler.frontier.state import Frontier

    frontier = Frontier.from_url(url, profile)
    frontier.server.ping()
    return frontier.run_alive


def frontier_of(crawler: Any) -> Frontier | None:
    """The shared frontier a running crawl works on, if it has one."""
    return getattr(crawler, CRAWLER_ATTRIBUTE, None)


__all__ = ["crawl_prefix", "frontier_of", "frontier_settings", "liveness", "worker_id"]
