"""Redirect middlewares that say, at INFO, when a redirect chain was cut at the limit.

Scrapy's `RedirectMiddleware` and `MetaRefreshMiddleware` log "Discarding ...: max
redirections reached" at DEBUG and drop the request; the spider's errback sees an
`IgnoreRequest`, which it treats as a decision (robots.txt) and logs at DEBUG as well. A
redirect loop or a chain longer than `REDIRECT_MAX_TIMES` is a problem of the site someone
may want to know about: these subclasses, in the same places of `DOWNLOADER_MIDDLEWARES`, log
one INFO line naming the URL where the chain was cut and the one it started from, and count it
(`newsarchive/redirect_limit`). A loop (`/a` → `/b` → `/a`) never reaches the limit: Scrapy's
duplicate filter drops the repeated URL, silently; it gets one INFO line too
(`newsarchive/redirect_loop`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.exceptions import IgnoreRequest

from crawler.logformatter import clip

if TYPE_CHECKING:
    from scrapy.http import Request

logger = logging.getLogger(__name__)


class _LoggedLimit(BaseRedirectMiddleware):
    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        try:
            followed = super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            chain = request.meta.get("redirect_urls", [])
            self.crawler.stats.inc_value("newsarchive/redirect_limit")
            logger.info(
                "redirect limit reached at %s: %d redirects (REDIRECT_MAX_TIMES %d) from %s",
                clip(request.url),
                len(chain),
                self.max_redirect_times,
                clip(chain[0] if chain else request.url),
            )
            raise
        chain = followed.meta["redirect_urls"]
        if followed.url in chain and not followed.dont_filter:
            self.crawler.stats.inc_value("newsarchive/redirect_loop")
            logger.info(
                "redirect loop: %s redirects back to %s, %d redirects from %s",
                clip(request.url),
                clip(followed.url),
                len(chain),
                clip(chain[0]),
            )
        return followed


class LoggedRedirectMiddleware(_LoggedLimit, RedirectMiddleware):
    """Scrapy's HTTP redirects (3xx with Location), the limit logged at INFO."""


class LoggedMetaRefreshMiddleware(_LoggedLimit, MetaRefreshMiddleware):
    """Scrapy's `<meta http-equiv=refresh>` redirects, the limit logged at INFO."""
