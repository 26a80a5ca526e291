"""Log lines a person can read: one line per event, naming the URL, every value bounded.

Scrapy's `LogFormatter` puts the whole item into the lines of a dropped item (`dropped`, at the
drop's level) and a scraped one (`scraped`, DEBUG), and `repr(request)` into the others. Our
items carry the page (`ArticlePage.body`) or the article (`body`, `body_html`): a 10 MB page of
whitespace and NULs gave one log line of 22.5 MB. Here each message names the item by its URL
and the reason by its message, each value cut to `VALUE_MAX` characters and kept on one line
(line breaks and control characters escaped), so no page body ever reaches the log.

Enabled by `LOG_FORMATTER = "crawler.logformatter.ReadableLogFormatter"`.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter, LogFormatterResult
from scrapy.utils.request import referer_str

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure

VALUE_MAX = 300  # characters of one interpolated value: a long URL fits, a page body does not
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clip(value: object, limit: int = VALUE_MAX) -> str:
    """`value` as one bounded line: control characters escaped, cut with an ellipsis."""
    text = value if isinstance(value, str) else str(value)
    text = text[: limit * 2]  # never escape more than could be shown
    text = _CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def item_url(item: Any) -> str:
    """The URL an item is about: `ArticlePage.url` or an article document's `url`."""
    url = item.get("url") if isinstance(item, dict) else getattr(item, "url", None)
    if isinstance(url, str) and url:
        return clip(url)
    return f"<{type(item).__name__} without url>"


def _source(response: Response | Failure | None) -> str:
    if response is None:
        return "start"
    url = getattr(response, "url", None)
    if isinstance(url, str):
        return clip(url)
    return clip(response.getErrorMessage())  # a Failure


class ReadableLogFormatter(LogFormatter):
    """`LogFormatter` whose lines name URLs, never items' or requests' reprs."""

    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult:
        flags = f" {clip(response.flags)}" if response.flags else ""
        return {
            "level": logging.DEBUG,
            "msg": "crawled (%(status)s) %(url)s (referer: %(referer)s)%(flags)s",
            "args": {
                "status": response.status,
                "url": clip(request.url),
                "referer": clip(referer_str(request) or "none"),
                "flags": flags,
            },
        }

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return {
            "level": logging.DEBUG,
            "msg": "scraped %(url)s (from %(src)s)",
            "args": {"url": item_url(item), "src": _source(response)},
        }

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        # The level Scrapy would use: the DropItem's own, else DEFAULT_DROPITEM_LOG_LEVEL.
        level = super().dropped(item, exception, response, spider)["level"]
        return {
            "level": level,
            "msg": "dropped %(url)s: %(reason)s",
            "args": {"url": item_url(item), "reason": clip(exception)},
        }

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        return {
            "level": logging.ERROR,
            "msg": "error processing %(url)s: %(error)s",
            "args": {
                "url": item_url(item),
                "error": clip(f"{type(exception).__name__}: {exception}"),
            },
        }

    def spider_error(
        self,
        failure: Failure,
        request: Request,
        response: Response | Failure,
        spider: Spider,
    ) -> LogFormatterResult:
        return {
            "level": logging.ERROR,
            "msg": "spider error processing %(url)s (referer: %(referer)s): %(error)s",
            "args": {
                "url": clip(request.url),
                "referer": clip(referer_str(request) or "none"),
                "error": clip(failure.getErrorMessage()),
            },
        }

    def download_error(
        self,
        failure: Failure,
        request: Request,
        spider: Spider,
        errmsg: str | None = None,
    ) -> LogFormatterResult:
        return {
            "level": logging.ERROR,
            "msg": "error downloading %(url)s: %(error)s",
            "args": {"url": clip(request.url), "error": clip(errmsg or failure.getErrorMessage())},
        }
