"""Scrapy settings of the newsarchive project (`scrapy crawl news` and `newsarchive crawl`).

Defaults are polite for real news sites; `-s NAME=VALUE` overrides any of them.
"""

from archive.limits import MAX_BODY
from crawler import __version__

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Where everything goes: OUT/warc/*.warc.gz and OUT/articles/... (see README.md).
NEWSARCHIVE_OUT = "data"

# -- politeness ------------------------------------------------------------------------------
USER_AGENT = f"newsarchive/{__version__} (+https://github.com/newsarchive/newsarchive)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Retry-After of a 429/503 is waited for (crawler/middlewares/retry.py), up to this many
# seconds: 5 minutes covers a server's maintenance window or rate-limit period; a longer wait
# would hold the crawl for a page it may never get, so that retry is given up instead.
RETRY_AFTER_MAX = 300
# A host answering 5xx again and again gets base * 2**(n-1) s between requests, up to the max.
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
COOKIES_ENABLED = True
# One limit on a page's body (bytes, raw and decompressed; 0 = none): a page over it is
# archived truncated, a compressed one that decompresses past it is not parsed. Scrapy's
# own limits equal it as a fallback; crawler/extensions/sizelimit.py says how it is applied.
NEWSARCHIVE_MAX_BODY = MAX_BODY
DOWNLOAD_MAXSIZE = MAX_BODY
DOWNLOAD_WARNSIZE = MAX_BODY

# -- crawl scope ------------------------------------------------------------------------------
DEPTH_LIMIT = 0  # --max-depth
CLOSESPIDER_PAGECOUNT = 0  # --max-pages (responses)
DEPTH_PRIORITY = 1  # breadth-first: front pages and fresh links before deep archives
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.TrackingFreeFingerprinter"

# -- archiving --------------------------------------------------------------------------------
WARC_ENABLED = True
WARC_PREFIX = "newsarchive"
WARC_MAX_SIZE = 1_000_000_000  # bytes; a new file starts once a file reaches this size
WARC_GZIP_LEVEL = 1  # zlib level of each record: 1 is twice as fast as 6, ~4% larger here
WARC_OPERATOR = ""
WARC_DESCRIPTION = ""
WARC_IS_PART_OF = ""

# -- keeping an archive over time (see crawler/session.py) --------------------------------
NEWSARCHIVE_INCREMENTAL = True  # known articles skipped, hubs requested conditionally
NEWSARCHIVE_REFRESH = False  # --refresh: every known URL re-requested (conditionally)
NEWSARCHIVE_RESUME = False  # --resume: continue the last interrupted run of the profile

# -- several workers, one crawl (crawler/frontier; `--frontier redis://HOST:PORT/DB`) -----
# Unset: the crawl keeps its queue in this process (Scrapy's scheduler). Set: every worker
# started with the same profile and frontier works on one crawl.
NEWSARCHIVE_FRONTIER = ""
FRONTIER_HEARTBEAT = 0.5  # seconds between a worker's heartbeats
FRONTIER_WAIT_POLL = 0.1  # seconds between a waiting worker's looks for work or the end
FRONTIER_WORKER_TTL = 30.0  # seconds without a heartbeat after which a worker counts as dead
FRONTIER_REQUISITE_WAIT = 5.0  # seconds to wait for another worker's capture of a requisite
# FRONTIER_HOST_DELAY: seconds between requests to one host over all workers (default
# DOWNLOAD_DELAY; 0 turns it off).
# NEWSARCHIVE_CATALOG: the catalog's URL (`--catalog`); unset: OUT/catalog.sqlite.
NEWSARCHIVE_CATALOG = ""

# -- page requisites (crawler/requisites) -----------------------------------------------
# Stylesheets, scripts, images, icons and fonts of every HTML page, from any host, each
# fetched once per crawl (and not again in later crawls while `refetch_after` has not
# passed), never followed further: what a replay needs to show the page as it looked.
NEWSARCHIVE_REQUISITES = True  # --no-requisites
NEWSARCHIVE_REQUISITES_PER_PAGE = 200  # a page listing more gets its first 200
NEWSARCHIVE_REQUISITES_MAX_SIZE = 0  # bytes of one requisite; 0: NEWSARCHIVE_MAX_BODY

# -- extraction -------------------------------------------------------------------------------
EXTRACTION_WORKERS = 1  # worker processes; 0 extracts inside the crawl process

DOWNLOADER_MIDDLEWARES = {
    # After every other process_request (robots.txt, redirects' final URLs), first to see a
    # response (a 304 becomes the archived page before decompression and redirects).
    "crawler.middlewares.incremental.IncrementalMiddleware": 950,
    # Scrapy's retry at its place (550), but waiting for Retry-After and backing off a host
    # that keeps answering 5xx.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.PoliteRetryMiddleware": 550,
    # Scrapy's redirects at their places, saying at INFO when a chain hits REDIRECT_MAX_TIMES.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.redirect.LoggedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.redirect.LoggedRedirectMiddleware": 600,
    # After Scrapy's offsite filter (50), before robots.txt (100): a refused URL is never
    # fetched, nor its robots.txt; redirect targets come back through it as new requests.
    "crawler.middlewares.addressguard.AddressGuardMiddleware": 60,
    # Scrapy's offsite filter, but a requisite host's robots.txt gets through (obeyed).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.offsite.RequisiteOffsiteMiddleware": 50,
    # Scrapy's robots.txt middleware at its place; with --frontier, one worker fetches each
    # host's robots.txt and the others read it from Redis (crawler/frontier/middlewares.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.frontier.middlewares.SharedRobotsTxtMiddleware": 100,
    # --frontier only: FRONTIER_HOST_DELAY between two requests to a host, over all workers.
    "crawler.frontier.middlewares.SharedHostDelayMiddleware": 110,
}
SPIDER_MIDDLEWARES = {
    # --frontier only: a request taken from the shared queue is done once its callback's
    # output is handled (until then a dead worker's request goes back to the queue).
    "crawler.frontier.middlewares.TakenRequestsMiddleware": 10,
}
EXTENSIONS = {
    # First: Accept-Encoding lists only the codings that decode here.
    "crawler.extensions.contentcodings.ContentCodings": 50,
    "crawler.extensions.sizelimit.SizeLimit": 90,
    "crawler.extensions.warccapture.WarcCapture": 100,
    # --max-pages counts pages, not the requisites fetched for them.
    "scrapy.extensions.closespider.CloseSpider": None,
    "crawler.extensions.closespider.PagesCloseSpider": 0,
}
ITEM_PIPELINES = {
    "crawler.pipelines.extraction.ExtractionPipeline": 300,
    "crawler.pipelines.imagecaptures.ImageCapturesPipeline": 400,
    "crawler.pipelines.articlestore.ArticleStorePipeline": 500,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# -- security (README "Security") ----------------------------------------------------------
# Scrapy's telnet console and remote-control endpoint run Python inside the crawl for
# whoever reaches the port: a crawler of untrusted sites has no use for them.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# No request to loopback, private, link-local, multicast or reserved addresses, checked on
# the resolved address at connection time; the start URLs' own addresses are allowed.
ADDRESS_GUARD_ENABLED = True
ADDRESS_GUARD_ALLOW: list[str] = []  # CIDR networks allowed anyway, e.g. ["10.1.0.0/16"]
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# Log lines name URLs, bounded, never an item's or a page's contents (crawler/logformatter.py).
LOG_FORMATTER = "crawler.logformatter.ReadableLogFormatter"
