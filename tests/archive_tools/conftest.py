"""Real archives for the index, show, wacz and export tests: crawls run once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.support import crawl, newsarchive


def demo_crawl(out: Path) -> None:
    """Crawl the bundled demo site (24 articles with authors, tags, images) into `out`."""
    result = newsarchive("demo", "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def site_archive(test_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test site crawled once: articles, redirects, a 404, robots.txt, gzip bodies."""
    out = tmp_path_factory.mktemp("site-archive")
    result = crawl(test_site.url("/"), out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out
