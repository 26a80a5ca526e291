"""newsarchive: crawl news sites into WARC 1.1 and clean article JSON.

This package must stay importable without Scrapy being imported: `archive/` and the
extraction code import from it. Scrapy is imported only by the modules that need it
(spiders, middlewares, pipelines, the crawl command).
"""

from __future__ import annotations

__version__ = "0.1.0"
