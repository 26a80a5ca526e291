"""newsarchive: crawl news sites into WARC 1.1 and clean article JSON.

This package must stay importable without Scrapy being imported: `archive/` and the
extraction code import from it. Scrapy is imported only by the modules that need it
(spiders, middlewares, pipelines, the crawl command).
"""

from __future__ import annotations

import os

__version__ = "0.1.0"

# Scrapy's cookie middleware uses tldextract, which downloads the Public Suffix List from
# GitHub on first use. A crawl must contact only the sites it crawls: use the snapshot that
# tldextract ships. Set the variable yourself to use a fresher list.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
