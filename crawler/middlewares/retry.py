"""Retries that are polite to a struggling server: `Retry-After`, and back-off on repeated 5xx.

Scrapy's `RetryMiddleware` retries a 503 or 429 at once, whatever the server asked: a `503`
with `Retry-After: 120` was retried three times within 0.1 s. This subclass replaces it
(`DOWNLOADER_MIDDLEWARES`, same priority) and adds two things:

- **Retry-After** (RFC 9110 §10.2.3, delta-seconds or an HTTP date) on the statuses that carry
  it (429 and 503): the retry waits that long, in a non-blocking
  sleep of the reactor, so the rest of the crawl goes on meanwhile. A wait longer than
  `RETRY_AFTER_MAX` is not worth holding the crawl for: the retry is given up, with one
  warning line, and the response goes on as an answer like any other error status.
- **Per-host back-off**: after N 5xx responses in a row from one download slot (one host),
  the slot's delay becomes `RETRY_BACKOFF_BASE * 2**(N-1)` seconds, capped at
  `RETRY_BACKOFF_MAX` and never below its own delay; the first response below 500 restores
  the delay the slot had. Every request to that host waits, the retries included, so a
  failing server sees fewer and fewer requests instead of a burst.

Stats: `retry/retry_after_waits`, `retry/retry_after_given_up`, `retry/backoff/raised`,
`retry/backoff/restored`.
"""

from __future__ import annotations

import email.utils
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

_URL_MAX = 300  # characters of a URL in a log line
# The statuses RFC 9110 gives a Retry-After meaning (§15.6.4 503, RFC 6585 §4 429); on the
# other retried statuses (500, 502, 504 ...) the per-host back-off does the waiting.
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass
class _HostState:
    """Consecutive 5xx responses of one download slot, and the delay it had before them."""

    failures: int = 0
    normal_delay: float | None = None


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date.

    `None` when absent or unreadable (the retry then goes ahead as Scrapy's would); a date in
    the past gives 0.
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:  # RFC 9110 dates are GMT; a naive one is bogus
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _short(url: str) -> str:
    return url if len(url) <= _URL_MAX else url[: _URL_MAX - 1] + "…"


class PoliteRetryMiddleware(RetryMiddleware):
    """`RetryMiddleware` that honours `Retry-After` and backs off a host that keeps failing."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self._hosts: dict[str, _HostState] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        """Back-off bookkeeping for every response; then retry, after `Retry-After` if any."""
        self._track_host(request, response.status)
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        wait = None
        if response.status in RETRY_AFTER_STATUSES:
            wait = parse_retry_after(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            self.crawler.stats.inc_value("retry/retry_after_given_up")
            logger.warning(
                "not retrying %s: %d with Retry-After %.0f s, over RETRY_AFTER_MAX (%.0f s)",
                _short(request.url),
                response.status,
                wait,
                self.retry_after_max,
            )
            return response
        retry = self._retry(request, reason)
        if retry is None:
            return response
        if wait:
            self.crawler.stats.inc_value("retry/retry_after_waits")
            logger.info(
                "retrying %s in %.1f s: %d with Retry-After",
                _short(request.url),
                wait,
                response.status,
            )
            # A timer of the reactor, awaited: the crawl goes on while this request waits.
            # (The reactor imported here, not at module level: importing it installs one.)
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return retry

    # -- per-host back-off -----------------------------------------------------------------------

    def _track_host(self, request: Request, status: int) -> None:
        engine = self.crawler.engine
        if engine is None or self.backoff_base <= 0:
            return
        downloader = engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        state = self._hosts.get(key)
        if status >= 500:
            if state is None:
                state = self._hosts[key] = _HostState()
            if state.normal_delay is None:
                state.normal_delay = slot.delay
            state.failures += 1
            backoff = min(self.backoff_max, self.backoff_base * 2 ** (state.failures - 1))
            new_delay = max(state.normal_delay, backoff)
            if new_delay > slot.delay:
                self.crawler.stats.inc_value("retry/backoff/raised")
                if state.failures == 1 or new_delay >= self.backoff_max:
                    logger.info(
                        "%s: %d server errors in a row, %.1f s between requests",
                        key,
                        state.failures,
                        new_delay,
                    )
            slot.delay = max(slot.delay, new_delay)
        elif state is not None:
            if state.normal_delay is not None:
                slot.delay = state.normal_delay
                self.crawler.stats.inc_value("retry/backoff/restored")
                logger.info("%s: answering again, delay back to %.1f s", key, slot.delay)
            del self._hosts[key]
