"""--max-pages, --max-depth and settings given with -s reach the crawl."""

from __future__ import annotations

from pathlib import Path

from crawler.demo.server import SiteServer
from tests.support import all_records, crawl, newsarchive


def _fetched(server: SiteServer, before: int) -> list[str]:
    return server.requested[before:]


def test_max_depth_limits_link_following(test_site: SiteServer, tmp_path: Path):
    before = len(test_site.requested)
    result = crawl(
        test_site.url("/"),
        tmp_path,
        "--max-depth",
        "1",
        "-s",
        "WARC_OPERATOR=Test Operator <ops@example.org>",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    fetched = _fetched(test_site, before)
    assert "/news/2026/01/05/harbour-bridge.html" in fetched  # depth 1
    assert "/about.html" not in fetched  # only linked from depth-1 pages
    info = all_records(tmp_path)[0]
    assert b"operator: Test Operator <ops@example.org>" in info.raw_payload


def test_max_pages_stops_the_crawl(test_site: SiteServer, tmp_path: Path):
    result = crawl(test_site.url("/"), tmp_path, "--max-pages", "3", "-s", "CONCURRENT_REQUESTS=1")
    assert "finished (closespider_pagecount)" in result.stdout
    responses = [r for r in all_records(tmp_path) if r.type == "response"]
    assert 3 <= len(responses) < 8


def test_limits_must_be_positive(tmp_path: Path):
    for flag in ("--max-pages", "--max-depth"):
        result = newsarchive("crawl", "demo", "--out", tmp_path, flag, "0")
        assert result.returncode == 2 and f"{flag} must be at least 1" in result.stderr


def test_without_robots_rules_sitemaps_still_come_from_robots_txt(
    test_site: SiteServer, tmp_path: Path
):
    before = len(test_site.requested)
    result = crawl(test_site.url("/"), tmp_path, "-s", "ROBOTSTXT_OBEY=False")
    assert result.returncode == 0, result.stderr[-2000:]
    fetched = _fetched(test_site, before)
    assert "/private/secret.html" in fetched  # robots.txt rules are off, as asked
    assert fetched.count("/robots.txt") == 1 and "/sitemap.xml" in fetched
    info = all_records(tmp_path)[0]
    assert b"robots: ignore" in info.raw_payload
