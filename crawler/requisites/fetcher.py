"""Fetch a page's requisites through the crawl's own downloader, once per crawl each.

`RequisiteFetcher.fetch(requisites, page_url)` downloads what `crawler.requisites.finder`
found with `engine.download_async`: every downloader middleware applies (robots.txt per
host, the address guard, retries, redirects, the size limit, the incremental middleware's
conditional requests and answers from the archive) and `WarcCapture` archives each exchange
as it archives a page's; the spider middlewares do not (no depth, no offsite filter: a
requisite comes from any host, `allow_offsite`), nor does the scheduler's duplicate filter:
the fetcher keeps its own memo, URL -> the capture of its payload, shared by all pages.

A requisite is never followed further (no links, no article); a stylesheet's own
`@import`s and `url()`s are requisites of the same page. A known requisite (a 2xx capture
in the catalog) is not fetched again in a later crawl — a logo is fetched once, not once a
run — unless the crawl is a `--refresh` or the profile's `refetch_after` has passed since;
then it is requested conditionally, like any known URL.

The fetch of one page's requisites ends when each has been fetched or given up, so a page's
callback (and an article's images) can wait for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from archive.catalog.sqlite import epoch
from archive.warc.capture import Capture
from crawler.extensions.sizelimit import is_truncated
from crawler.frontier import frontier_of
from crawler.items import CAPTURE_META_KEY
from crawler.middlewares.incremental import ARCHIVED_FLAG, ORIGINAL_KEY
from crawler.requisites import REQUISITE_KEY
from crawler.requisites.finder import FONT, IMAGE, SCRIPT, STYLESHEET, Requisite, css_requisites
from crawler.session import ArchiveSession, session_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archive.catalog import CaptureRow

logger = logging.getLogger(__name__)

# What a browser sends for each kind (Chromium's values), so that a server that negotiates
# the format gives the archive what a browser replaying it can show.
_ACCEPT = {
    STYLESHEET: "text/css,*/*;q=0.1",
    SCRIPT: "*/*",
    IMAGE: "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    FONT: "*/*",
}
_CSS_DEPTH = 4  # @import chains deeper than this are not followed


class RequisiteFetcher:
    def __init__(
        self,
        crawler: Crawler,
        *,
        per_page: int,
        max_size: int,
        session: ArchiveSession | None,
        refresh: bool = False,
        refetch_after: float | None = None,
    ) -> None:
        self.crawler = crawler
        self.per_page = per_page
        self.max_size = max_size
        self.session = session
        self.refresh = refresh
        self.refetch_after = refetch_after  # seconds; None: a known requisite is kept
        self._memo: dict[str, asyncio.Future[Capture | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, spider: Any) -> RequisiteFetcher | None:
        """None when `NEWSARCHIVE_REQUISITES` is off (`--no-requisites`)."""
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_REQUISITES", True):
            return None
        session = session_of(crawler) or getattr(spider, "archive_session", None)
        incremental = settings.getbool("NEWSARCHIVE_INCREMENTAL", True)
        refetch = spider.profile.refetch_after
        fetcher = cls(
            crawler,
            per_page=settings.getint("NEWSARCHIVE_REQUISITES_PER_PAGE", 200),
            max_size=settings.getint("NEWSARCHIVE_REQUISITES_MAX_SIZE", 0),
            session=session,
            refresh=not incremental or bool(session and session.refresh),
            refetch_after=refetch.total_seconds() if refetch else None,
        )
        crawler.signals.connect(fetcher.response_received, signals.response_received)
        return fetcher

    def response_received(self, response: Response, request: Request, spider: Any) -> None:
        """Counts the responses (redirect hops too) that were requisites, for the summary."""
        if REQUISITE_KEY in request.meta and ARCHIVED_FLAG not in response.flags:
            self.crawler.stats.inc_value("requisites/responses")

    async def fetch(self, requisites: Iterable[Requisite], page_url: str) -> dict[str, Capture]:
        """Fetch `requisites` of the page at `page_url` (at most `per_page` of them) and
        wait for them; URL -> the capture holding the payload of each one archived with a
        2xx answer."""
        return await self._fetch(list(requisites), page_url, depth=0)

    async def _fetch(
        self, requisites: list[Requisite], page_url: str, *, depth: int
    ) -> dict[str, Capture]:
        if len(requisites) > self.per_page:
            over = len(requisites) - self.per_page
            self.crawler.stats.inc_value("requisites/over_page_limit", over)
            logger.info(
                "%s: %d requisites, the first %d fetched (NEWSARCHIVE_REQUISITES_PER_PAGE)",
                page_url,
                len(requisites),
                self.per_page,
            )
            requisites = requisites[: self.per_page]
        waits: dict[str, asyncio.Future[Capture | None]] = {}
        for requisite in requisites:
            future = self._memo.get(requisite.url)
            if future is None:
                future = asyncio.ensure_future(self._one(requisite, page_url, depth))
                self._memo[requisite.url] = future
                waits[requisite.url] = future
            elif depth == 0:
                # Another page's fetch of it: waited for too. (Not from a stylesheet: an
                # @import cycle would wait for itself.)
                waits[requisite.url] = future
        results = await asyncio.gather(*waits.values(), return_exceptions=True)
        return {
            url: result
            for url, result in zip(waits, results, strict=True)
            if isinstance(result, Capture)
        }

    async def _one(self, requisite: Requisite, page_url: str, depth: int) -> Capture | None:
        known = self._known(requisite.url)
        if known is not None:
            self.crawler.stats.inc_value("requisites/known")
            return known
        frontier = frontier_of(self.crawler)
        if frontier is not None and not frontier.claim_requisite(requisite.url):
            # Another worker of the shared crawl fetches it: its capture, once in the
            # catalog, is this page's pointer too.
            self.crawler.stats.inc_value("requisites/fetched_elsewhere")
            return await self._captured_elsewhere(requisite.url)
        try:
            request = Request(
                requisite.url,
                headers={"Referer": page_url, "Accept": _ACCEPT.get(requisite.kind, "*/*")},
                meta={
                    "allow_offsite": True,
                    REQUISITE_KEY: requisite.kind,
                    **({"download_maxsize": self.max_size} if self.max_size else {}),
                },
            )
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            self.crawler.stats.inc_value("requisites/not_fetched")
            logger.debug("requisite not fetched: %s (%s)", requisite.url, exc)
            return None
        except Exception as exc:
            self.crawler.stats.inc_value("requisites/failed")
            logger.info("could not fetch requisite %s of %s: %s", requisite.url, page_url, exc)
            return None
        status = response.status
        self.crawler.stats.inc_value("requisites/fetched")
        if not 200 <= status < 300:
            self.crawler.stats.inc_value(f"requisites/status/{status}")
            return None
        # A requisite over the size limit is archived truncated (WARC-Truncated: length),
        # pointed at as it is; a cut stylesheet is not read for more.
        readable = depth < _CSS_DEPTH and not is_truncated(response)
        if readable and _is_stylesheet(response, requisite):
            nested = css_requisites(response.text, response.url)
            if nested:
                await self._fetch(nested, page_url, depth=depth + 1)
        return _pointer(response)

    async def _captured_elsewhere(self, url: str) -> Capture | None:
        """The pointer of another worker's capture of `url` in this crawl, waited for up to
        `FRONTIER_REQUISITE_WAIT` seconds (its catalog writes are committed every few
        seconds); None if it does not show (the requisite is still archived, by the other
        worker: only this page's pointer to it is missing)."""
        if self.session is None:
            return None
        started = self.session.run.started_at
        wait = self.crawler.settings.getfloat("FRONTIER_REQUISITE_WAIT", 5.0)
        deadline = time.monotonic() + wait
        while True:
            row = self.session.catalog.last_capture(url)
            if row is not None and epoch(row.fetched_at) >= epoch(started) - 1:
                if not 200 <= (row.status or 0) < 300:
                    return None
                original = self.session.original_of(row)
                return original.capture() if original is not None else None
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.25)

    def _known(self, url: str) -> Capture | None:
        """The pointer of `url`'s last 2xx capture when it need not be fetched again."""
        if self.session is None or self.refresh:
            return None
        row = self.session.catalog.last_capture(url)
        if row is None or not 200 <= (row.status or 0) < 300:
            return None
        if self.refetch_after is not None and time.time() - epoch(row.fetched_at) >= (
            self.refetch_after
        ):
            return None
        original = self.session.original_of(row)
        return original.capture() if original is not None else None


def _is_stylesheet(response: Response, requisite: Requisite) -> bool:
    if not isinstance(response, TextResponse):
        return False
    content_type = response.headers.get(b"Content-Type", b"").lower()
    return b"text/css" in content_type or (
        requisite.kind == STYLESHEET and not content_type.startswith(b"text/html")
    )


def _pointer(response: Response) -> Capture | None:
    """The record holding the payload: the capture just written, or for a revisit (a 304,
    an identical payload) the original it refers to."""
    capture: Capture | None = response.meta.get(CAPTURE_META_KEY)
    original: CaptureRow | None = response.meta.get(ORIGINAL_KEY)
    if original is not None and capture is not None:
        same = capture.payload_digest == original.payload_digest
        if same or ARCHIVED_FLAG in response.flags:
            return original.capture()
    return capture


__all__ = ["REQUISITE_KEY", "RequisiteFetcher"]
