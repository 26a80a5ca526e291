"""When a known article is fetched again: the one rule the spider and the middleware share.

A URL whose latest capture holds an article is not fetched again unless

- a sitemap or feed dates a change after that capture (`changed_at`), on the site's own
  clock (`archive.catalog.sqlite.server_time`: the capture's Last-Modified, else Date),
- the profile's `refetch_after` has passed since it, or
- the crawl is a `--refresh`.

The spider asks before it even makes a request, so that a link met first on a hub (no
date) does not put the URL in Scrapy's duplicate filter ahead of the sitemap entry that
dates an edit; the downloader middleware asks again for what did not come through the
spider's links (start URLs, redirect targets). The known articles are read from the
catalog once, at the start: a dict lookup per link, no query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from crawler.urls import url_key


class RecrawlPolicy:
    def __init__(
        self,
        known_articles: dict[str, tuple[float, float]],
        *,
        refresh: bool = False,
        refetch_after: timedelta | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # URL key -> (capture time, capture time on the site's clock), in seconds
        self.known_articles = known_articles
        self.refresh = refresh
        self.refetch_after = refetch_after.total_seconds() if refetch_after else None
        self.clock = clock
        # URL keys of known articles not fetched (one URL is often linked many times)
        self.skipped: set[str] = set()
        self._wanted: set[str] = set()  # known articles let through in this run

    def skip(self, url: str, changed_at: datetime | None = None) -> bool:
        """Whether `url` is a known article with no reason to fetch it again."""
        if self.refresh or not self.known_articles:
            return False
        key = url_key(url)
        if key in self._wanted:  # already let through in this run (Scrapy dedups it)
            return False
        if self._fresh(key, changed_at):
            self.skipped.add(key)
            return True
        self._wanted.add(key)
        self.skipped.discard(key)  # skipped as linked, then fetched for a dated change
        return False

    def _fresh(self, key: str, changed_at: datetime | None) -> bool:
        known = self.known_articles.get(key)
        if known is None:
            return False
        captured, on_site_clock = known
        if changed_at is not None and changed_at.timestamp() > on_site_clock:
            return False
        return not (
            self.refetch_after is not None and self.clock() - captured >= self.refetch_after
        )
