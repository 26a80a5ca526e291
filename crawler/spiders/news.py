"""The `news` spider: visit a site the way its profile says, hand article pages on.

    scrapy crawl news -a site=PROFILE|PATH.toml|URL       (from the repository root)
    newsarchive crawl PROFILE|URL --out DIR               (the same spider)

It reads feeds (RSS/Atom), sitemaps (index, plain and Google News; also those robots.txt
names), follows links within the allowed domains, and yields an `ArticlePage` for each page
that looks like an article (profile URL patterns, then page signals), and fetches each
HTML page's requisites (stylesheets, scripts, images, fonts: `crawler.requisites`) so that
the archive replays the page as it looked. What to keep from a page is extraction's
business, not the spider's.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.response import get_base_url
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.extensions.sizelimit import is_truncated, max_body
from crawler.feeds import read_feed
from crawler.frontier import frontier_of, frontier_settings, liveness
from crawler.frontier.middlewares import request_done
from crawler.items import CAPTURE_META_KEY, ArticlePage
from crawler.links import page_links
from crawler.middlewares.incremental import ARTICLE_KNOWN_KEY, CHANGED_AT_KEY
from crawler.pagekind import (
    declared_canonical,
    dedup_canonical,
    http_charset,
    is_html,
    looks_like_article,
)
from crawler.recrawl import RecrawlPolicy
from crawler.requisites.fetcher import RequisiteFetcher
from crawler.requisites.finder import page_requisites
from crawler.session import ArchiveSession
from crawler.sitemaps import read_sitemap
from crawler.siteprofile import SiteProfile, resolve_profile
from crawler.urls import in_domains

logger = logging.getLogger(__name__)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_FEED_LINKS = (
    "//link[@rel='alternate'][@type='application/rss+xml' or @type='application/atom+xml']/@href"
)


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, site: str | None = None, *args: Any, **kwargs: Any) -> None:
        profile = kwargs.pop("profile", None)
        # The archive this crawl adds to (lock, catalog, run): given by `newsarchive crawl`,
        # opened in `from_crawler` for a plain `scrapy crawl news`.
        self.archive_session: ArchiveSession | None = kwargs.pop("archive_session", None)
        self.recrawl: RecrawlPolicy | None = None  # set in from_crawler
        self.max_body = 0  # set in from_crawler
        self.requisites: RequisiteFetcher | None = None  # set in from_crawler
        super().__init__(*args, **kwargs)
        if not site:
            raise ValueError("the news spider needs -a site=PROFILE|PATH.toml|URL")
        self.profile: SiteProfile = profile if profile is not None else resolve_profile(site)
        self.allowed_domains = list(self.profile.allowed_domains)
        self.seen_canonicals: set[str] = set()
        # URLs this spider already made a request for: a news page links to the same few
        # dozen URLs as every other page, and each repeat would cost the checks below, a
        # Request and a fingerprint before the duplicate filter drops it (a fifth of the
        # crawl process's time on a 2,000-page site). Exact URLs: the filter still
        # catches the same page behind tracking parameters.
        self.requested: set[str] = set()
        self.start_urls = list(self.profile.start_urls)

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        url = settings.get("NEWSARCHIVE_FRONTIER")
        if url:  # one worker of a shared crawl (crawler.frontier), however it is started
            settings.setdict(frontier_settings(url), priority="cmdline")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.archive_session is None and settings.getbool("WARC_ENABLED", True):
            frontier = settings.get("NEWSARCHIVE_FRONTIER")
            spider.archive_session = ArchiveSession.open(
                settings.get("NEWSARCHIVE_OUT", "data"),
                spider.profile.name,
                resume=settings.getbool("NEWSARCHIVE_RESUME"),
                refresh=settings.getbool("NEWSARCHIVE_REFRESH"),
                catalog_url=settings.get("NEWSARCHIVE_CATALOG", ""),
                alive=liveness(frontier, spider.profile.name) if frontier else None,
            )
        spider.max_body = max_body(settings)  # NEWSARCHIVE_MAX_BODY, read once
        spider.requisites = RequisiteFetcher.from_crawler(crawler, spider)
        spider.recrawl = None
        if spider.archive_session is not None and settings.getbool("NEWSARCHIVE_INCREMENTAL", True):
            known = spider.archive_session.catalog.known_articles()
            for key in spider.archive_session.resumed:
                # What the resumed run captured is answered from the archive instead, so
                # that the links of its pages are followed as in an uninterrupted run.
                known.pop(key, None)
            spider.recrawl = RecrawlPolicy(
                known,
                refresh=spider.archive_session.refresh,
                refetch_after=spider.profile.refetch_after,
            )
        # On engine_stopped, once every component has closed and set its stats.
        crawler.signals.connect(spider.end_run, signal=signals.engine_stopped)
        if crawler.settings.getbool("ROBOTSTXT_OBEY"):
            # Read the Sitemap: lines from the robots.txt Scrapy fetches anyway, rather than
            # fetching (and archiving) it a second time.
            crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def closed(self, reason: str) -> None:
        """On spider_closed, before Scrapy prints its stats: the figures only we know."""
        if self.recrawl is not None and self.recrawl.skipped:
            self.crawler.stats.set_value("incremental/skipped", len(self.recrawl.skipped))

    def end_run(self) -> None:
        """Record the run's end and figures in the catalog, and release the crawl lock."""
        if self.archive_session is not None:
            stats = self.crawler.stats.get_stats()
            self.archive_session.close(str(stats.get("finish_reason", "finished")), stats)

    # -- entry points ---------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_requests_for_profile():
            yield request

    def start_requests_for_profile(self) -> Iterator[scrapy.Request]:
        meta = {"start_url": True}
        for url in self.profile.start_urls:
            yield scrapy.Request(url, self.parse_page, errback=self.on_error, meta=meta)
        for url in self.profile.feeds:
            yield scrapy.Request(url, self.parse_feed, errback=self.on_error, meta=meta)
        for url in self.profile.sitemaps:
            yield scrapy.Request(url, self.parse_sitemap, errback=self.on_error, meta=meta)
        if self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            return  # sitemaps come from `robots_parsed`
        origins = {urljoin(u, "/robots.txt") for u in self.profile.start_urls}
        for url in sorted(origins):
            yield scrapy.Request(url, self.parse_robots, errback=self.on_error, priority=-1)

    # -- callbacks ------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """An HTML page: its article (if it is one), the links to follow, then its
        requisites, waited for, so that the page is archived whole when its callback ends."""
        if is_truncated(response):
            return  # archived as far as NEWSARCHIVE_MAX_BODY; SizeLimit logged it
        html = isinstance(response, TextResponse) and not isinstance(response, XmlResponse)
        if not html or not is_html(_content_type(response), response.body):
            for output in self._not_html(response):
                yield output
            return
        self.crawler.stats.inc_value("newsarchive/html_pages")
        root = response.selector.root
        if looks_like_article(response.url, root, self.profile):
            page = self._article_page(response, declared_canonical(root))
            if page is not None:
                yield page  # extraction says it if the page is too deep to read whole
        elif _too_deep(root):
            self.crawler.stats.inc_value("newsarchive/too_deep")
            logger.warning(
                "%s: nested deeper than the HTML parser reads (2,048 levels): links in the "
                "deeper part are not followed",
                response.url,
            )
        for href in response.xpath(_FEED_LINKS).getall():
            for request in self._follow(_join(response, href), self.parse_feed):
                yield request
        # crawler.links, not Scrapy's LinkExtractor: the same links at a third of the cost.
        # Domains (on the host alone: LinkExtractor's allow_domains compares host:port) and
        # the profile's deny patterns are `_follow`'s to check.
        for url in page_links(root, get_base_url(response), response.encoding):
            for request in self._follow(url, self.parse_page):
                yield request
        if self.requisites is not None:
            await self.requisites.fetch(
                page_requisites(root, get_base_url(response)), response.url
            )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS 2.0, RSS 1.0 and Atom: every entry link is a page to visit, with the entry's
        date as a change signal for a page already in the archive."""
        if is_truncated(response):
            # Archived as far as NEWSARCHIVE_MAX_BODY, and SizeLimit logged it: the entries
            # of a cut feed would be a guess.
            self.crawler.stats.inc_value("newsarchive/bad_feeds")
            return
        try:
            entries = read_feed(response.text, response.url)
        except (AttributeError, ValueError):
            entries = None
        if entries is None:
            logger.warning("not a readable feed: %s", response.url)
            self.crawler.stats.inc_value("newsarchive/bad_feeds")
            return
        self.crawler.stats.inc_value("newsarchive/feeds")
        for entry in entries:
            yield from self._follow(entry.url, self.parse_page, changed_at=entry.changed_at)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if is_truncated(response):
            # Archived as far as NEWSARCHIVE_MAX_BODY, and SizeLimit logged it.
            self.crawler.stats.inc_value("newsarchive/bad_sitemaps")
            return
        limit = self.max_body
        try:
            body = _sitemap_body(response, limit)
        except SitemapOverLimit:
            logger.warning(
                "%s: gunzipped sitemap over NEWSARCHIVE_MAX_BODY (%d bytes), not parsed",
                response.url,
                limit,
            )
            self.crawler.stats.inc_value("newsarchive/bad_sitemaps")
            return
        sitemap = read_sitemap(body) if body is not None else None
        if sitemap is None:
            logger.warning("not a readable sitemap: %s", response.url)
            self.crawler.stats.inc_value("newsarchive/bad_sitemaps")
            return
        self.crawler.stats.inc_value("newsarchive/sitemaps")
        if sitemap.lastmod_ignored:
            self.crawler.stats.inc_value("newsarchive/sitemaps_lastmod_ignored")
        callback = self.parse_sitemap if sitemap.kind == "sitemapindex" else self.parse_page
        for entry in sitemap.entries:
            yield from self._follow(
                _join(response, entry.loc), callback, changed_at=entry.changed_at
            )

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            return
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield from self._follow(url, self.parse_sitemap)

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Signal handler: schedule the sitemaps a robots.txt Scrapy parsed names."""
        for url in _robots_sitemaps(robotparser):
            for sitemap_request in self._follow(url, self.parse_sitemap):
                self.crawler.engine.crawl(sitemap_request)

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        request_done(self.crawler, request)  # a shared frontier's request: handled
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt forbids it, or a limit was reached: a decision, not an error.
            logger.debug("not fetched: %s (%s)", request.url, failure.getErrorMessage())
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            message = f"{request.url} answered HTTP {status}"
            self.crawler.stats.inc_value(f"newsarchive/http_errors/{status}")
        else:
            message = f"could not fetch {request.url}: {failure.getErrorMessage()}"
            self.crawler.stats.inc_value("newsarchive/fetch_errors")
        if request.meta.get("start_url"):
            logger.error("start URL failed: %s", message)
            self.crawler.stats.inc_value("newsarchive/start_url_errors")
        else:
            logger.warning(message)

    # -- helpers --------------------------------------------------------------------------

    def _follow(
        self, url: str, callback: Any, *, changed_at: datetime | None = None
    ) -> Iterator[scrapy.Request]:
        if url in self.requested or not url.startswith(("http://", "https://")):
            return
        if not in_domains(url, self.profile.allowed_domains) or self.profile.is_denied(url):
            return
        if self.recrawl is not None and self.recrawl.skip(url, changed_at):
            return
        meta = {CHANGED_AT_KEY: changed_at} if changed_at is not None else None
        self.requested.add(url)
        yield scrapy.Request(url, callback, errback=self.on_error, meta=meta)

    def _article_page(self, response: TextResponse, declared: str | None) -> ArticlePage | None:
        limit = self.max_body
        if limit and len(response.body) > limit:
            # Never reached through the downloader (SizeLimit stops or Scrapy refuses such a
            # body); a page answered from an older archive can be. Extraction's input is
            # bounded whatever produced it.
            logger.warning(
                "%s: body of %d bytes over NEWSARCHIVE_MAX_BODY (%d), not extracted",
                response.url,
                len(response.body),
                limit,
            )
            return None
        canonical = dedup_canonical(declared, get_base_url(response), response.url)
        if not self._first_canonical(canonical, response.url):
            self.crawler.stats.inc_value("newsarchive/duplicate_canonical")
            return None
        if response.meta.get(ARTICLE_KNOWN_KEY):
            # The payload is one whose article is already stored: nothing to extract.
            self.crawler.stats.inc_value("newsarchive/unchanged_articles")
            return None
        return ArticlePage(
            url=response.url,
            body=response.body,
            http_charset=http_charset(_content_type(response)),
            site=self.profile.name,
            rules=self.profile.extraction,
            capture=response.meta.get(CAPTURE_META_KEY),
        )

    def _first_canonical(self, canonical: str, url: str) -> bool:
        """Whether `url` is the crawl's first page with this canonical URL: in this process,
        and with a shared frontier in every worker (`crawler.frontier`)."""
        if canonical in self.seen_canonicals:
            return False
        frontier = frontier_of(self.crawler)
        if frontier is not None and not frontier.claim_canonical(canonical, url):
            return False
        self.seen_canonicals.add(canonical)
        return True

    def _not_html(self, response: Response) -> Iterator[Any]:
        content_type = _content_type(response) or "unknown"
        if any(t in content_type for t in FEED_TYPES) or _looks_like_feed(response):
            yield from self.parse_feed(response)
            return
        self.crawler.stats.inc_value("newsarchive/non_html")
        level = logging.ERROR if response.meta.get("start_url") else logging.INFO
        logger.log(
            level,
            "%s is not HTML (Content-Type: %s): archived, not parsed",
            response.url,
            content_type,
        )


def _join(response: Response, href: str) -> str:
    """`href` made absolute against the page; '' for one that cannot be (`http://[`), which
    `_follow` then skips instead of the callback failing with the rest of the page."""
    try:
        return response.urljoin(href)
    except ValueError:
        return ""


def _robots_sitemaps(robotparser: Any) -> list[str]:
    """Sitemap URLs of a parsed robots.txt: Protego's parser (Scrapy's default) or the
    standard library's."""
    parser = getattr(robotparser, "rp", None)
    sitemaps = getattr(parser, "sitemaps", None)
    if sitemaps is None and hasattr(parser, "site_maps"):
        sitemaps = parser.site_maps()
    return list(sitemaps or [])


def _too_deep(root: Any) -> bool:
    """Whether libxml2 left out the part of the page nested deeper than it builds trees
    (2,048 levels, even with huge_tree): said only in the parser's error log."""
    parser = root.getroottree().parser
    return parser is not None and any(
        "Excessive depth" in entry.message for entry in parser.error_log
    )


def _looks_like_feed(response: Response) -> bool:
    head = response.body[:512].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)


def _content_type(response: Response) -> str:
    """The response's (last) Content-Type value, as replay reads it from the WARC record."""
    return response.headers.get(b"Content-Type", b"").decode("latin-1")


class SitemapOverLimit(Exception):
    """A gzipped sitemap decompresses past NEWSARCHIVE_MAX_BODY (a bomb, or just too big)."""


def _sitemap_body(response: Response, limit: int) -> bytes | None:
    """The XML of a sitemap, gunzipped when it is a `.xml.gz` file (served without
    `Content-Encoding`, so HttpCompressionMiddleware left it alone), or None when it is not
    one. Decompression streams and stops past `limit` bytes (0: none): a 3 MB file that
    gunzips to 3 GB costs `limit` of memory, not 3 GB."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=limit)
        except ValueError as exc:  # Scrapy's _DecompressionMaxSizeExceeded
            raise SitemapOverLimit(str(exc)) from None
        except (OSError, EOFError, zlib.error):
            return None
    head = body[:1024].lstrip()
    if b"<urlset" in body[:4096] or b"<sitemapindex" in body[:4096] or head.startswith(b"<?xml"):
        return body
    return None
