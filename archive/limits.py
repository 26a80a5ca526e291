"""Size limits shared by every place a response body is decompressed: crawl, replay, `show`.

`MAX_BODY` bytes of decompressed body per page (10 MiB). How it was decided:

* Scrapy's `DOWNLOAD_MAXSIZE` defaults to 1 GiB, and Heritrix's `FetchHTTP.maxLengthBytes` to
  0 (no limit): both are generic fetchers, for videos and disk images too. A gzip bomb of a few
  megabytes gets a whole gigabyte of memory per concurrent request under the first and
  everything under the second.
* Common Crawl's news-crawl (StormCrawler) sets `http.content.limit: 1048576`, 1 MiB, and
  truncates past it: right for its own news pages, but a long live blog or a page with inline
  images and JSON state can pass 1 MiB, and the limit here is on the decoded body.
* Real news pages are far smaller: the 181 pages of the Zyte article set average 174 KB of
  HTML. 10 MiB is about sixty times that, ten times news-crawl's limit, and a hundredth of
  Scrapy's: no article is lost to it, and a hostile page costs at most 10 MiB per page in
  flight rather than gigabytes.

Overridable: the crawl's `NEWSARCHIVE_MAX_BODY` setting, replay's `--max-body BYTES`.
"""

from __future__ import annotations

MAX_BODY: int = 10 * 1024 * 1024
"""Bytes of decompressed body per page; a page over it gets no article (see above)."""

# The name the crawl side uses for the same number.
DEFAULT_MAX_BODY: int = MAX_BODY
