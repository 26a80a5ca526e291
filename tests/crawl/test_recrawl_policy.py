"""When a known article is fetched again (crawler.recrawl), with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.recrawl import RecrawlPolicy

CAPTURED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()
# The site's clock runs a day behind ours: its Last-Modified said so at the capture.
ON_SITE_CLOCK = CAPTURED - 86_400
URL = "https://news.example/2026/12/06/story.html"


def policy(**options: object) -> RecrawlPolicy:
    return RecrawlPolicy({URL: (CAPTURED, ON_SITE_CLOCK)}, **options)  # type: ignore[arg-type]


def test_a_known_article_without_a_sign_of_change_is_skipped_once_counted() -> None:
    rule = policy(clock=lambda: CAPTURED + 60)
    assert rule.skip(URL)
    assert rule.skip(URL + "?utm_source=rss")  # the same page, tracking parameters aside
    assert rule.skipped == {URL}
    assert not rule.skip("https://news.example/2026/12/06/new.html")
    # Linked first, then dated after its capture by a sitemap: fetched, not counted.
    assert not rule.skip(URL, datetime.fromtimestamp(ON_SITE_CLOCK + 60, UTC))
    assert rule.skipped == set()
    assert not rule.skip(URL)  # linked again later: the request exists, Scrapy dedups it
    assert rule.skipped == set()


def test_change_dates_are_read_on_the_sites_clock() -> None:
    rule = policy(clock=lambda: CAPTURED + 60)
    edited_on_site = datetime.fromtimestamp(ON_SITE_CLOCK + 3600, UTC)  # before CAPTURED
    assert not rule.skip(URL, edited_on_site)
    older = policy(clock=lambda: CAPTURED + 60)
    assert older.skip(URL, datetime.fromtimestamp(ON_SITE_CLOCK - 3600, UTC))


def test_refetch_after_counts_on_our_clock() -> None:
    week = timedelta(days=7)
    assert policy(refetch_after=week, clock=lambda: CAPTURED + 6 * 86_400).skip(URL)
    assert not policy(refetch_after=week, clock=lambda: CAPTURED + 7 * 86_400).skip(URL)


def test_refresh_skips_nothing() -> None:
    assert not policy(refresh=True).skip(URL)
