"""Real archives for the index, show, wacz and export tests: crawls run once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.demo import DEMO_SITE_DIR
from crawler.demo.server import SiteServer
from tests.support import crawl


def demo_crawls(out: Path, times: int = 1) -> None:
    """Crawl the bundled demo site (24 articles with authors, tags, images) into `out`.

    One server for all the crawls: its port is in every URL, so a second crawl is an
    incremental recrawl of the same site (revisit records of its hubs, no new versions).
    """
    with SiteServer(DEMO_SITE_DIR) as server:
        for _ in range(times):
            result = crawl(server.url("/"), out)
            assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def site_archive(test_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test site crawled once: articles, redirects, a 404, robots.txt, gzip bodies."""
    out = tmp_path_factory.mktemp("site-archive")
    result = crawl(test_site.url("/"), out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out
