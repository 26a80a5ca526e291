"""`newsarchive crawl PROFILE|URL --out DIR [--resume] [--refresh] [--no-requisites]
[--max-pages N] [--max-depth N] [-s NAME=VALUE ...]`"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.locks import LOCK_BUSY_EXIT_STATUS, LockBusy
from crawler.cli import fail, human_bytes, say
from crawler.session import ArchiveSession
from crawler.siteprofile import ProfileError, SiteProfile, resolve_profile


@dataclass(frozen=True)
class CrawlSummary:
    site: str
    out: Path
    reason: str
    pages: int
    html_pages: int
    articles: int
    warc_files: int
    warc_bytes: int
    warc_write_errors: int
    errors: int
    revisits: int = 0
    from_archive: int = 0
    skipped: int = 0
    new_versions: int = 0
    unchanged: int = 0
    requisites: int = 0

    @classmethod
    def from_stats(cls, site: str, out: Path, stats: dict[str, Any]) -> CrawlSummary:
        errors = sum(
            value
            for key, value in stats.items()
            if key.startswith(("newsarchive/http_errors/", "warc/write_errors"))
            or key in ("newsarchive/fetch_errors", "newsarchive/extraction_errors")
        )
        from_archive = stats.get("incremental/resumed_from_archive", 0)
        requisites = stats.get("requisites/responses", 0)
        return cls(
            site=site,
            out=out,
            reason=str(stats.get("finish_reason", "unknown")),
            # Pages a resumed run answers from the archive pass through Scrapy as responses
            # too, but were not fetched again.
            pages=stats.get("downloader/response_count", 0) - from_archive - requisites,
            requisites=requisites,
            from_archive=from_archive,
            html_pages=stats.get("newsarchive/html_pages", 0),
            articles=stats.get("newsarchive/articles", 0),
            warc_files=stats.get("warc/files", 0),
            warc_bytes=stats.get("warc/bytes", 0),
            warc_write_errors=stats.get("warc/write_errors", 0),
            errors=errors,
            revisits=stats.get("warc/revisits", 0),
            skipped=stats.get("incremental/skipped", 0),
            new_versions=stats.get("newsarchive/article_versions", 0),
            unchanged=stats.get("newsarchive/unchanged_articles", 0),
        )

    def render(self) -> str:
        return "\n".join(
            [
                f"newsarchive: crawl of {self.site} finished ({self.reason})",
                (
                    f"  pages fetched : {self.pages}, and {self.from_archive} read back from "
                    f"the archive (resumed run); HTML pages parsed: {self.html_pages}"
                    if self.from_archive
                    else f"  pages fetched : {self.pages} (of them HTML: {self.html_pages})"
                ),
                f"  requisites    : {self.requisites} fetched (stylesheets, scripts, images, "
                "fonts)",
                f"  articles      : {self.articles} -> {self.out / 'articles'}"
                + (f" (of them new versions: {self.new_versions})" if self.new_versions else ""),
                f"  WARC files    : {self.warc_files} ({human_bytes(self.warc_bytes)}) "
                f"-> {self.out / 'warc'}",
                f"  errors        : {self.errors}",
            ]
            + (
                [
                    f"  unchanged     : {self.skipped} known articles not fetched, "
                    f"{self.revisits} revisit records, {self.unchanged} articles without "
                    "a new version"
                ]
                if self.skipped or self.revisits or self.unchanged
                else []
            )
        )



def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _drop_traceback(record: logging.LogRecord) -> bool:
    """Network failures are expected events: their message says it all, no traceback."""
    record.exc_info = None
    record.exc_text = None
    return True


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    """`-s NAME=VALUE`, repeatable, as in `scrapy crawl`."""
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        type=parse_setting,
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting (repeatable)",
    )


def run_crawl(
    profile: SiteProfile,
    out: Path,
    *,
    max_pages: int | None = None,
    max_depth: int | None = None,
    overrides: dict[str, str] | None = None,
    defaults: dict[str, Any] | None = None,
    resume: bool = False,
    refresh: bool = False,
    requisites: bool = True,
) -> CrawlSummary:
    """Run one crawl in this process (Twisted's reactor cannot restart: once per process).

    Raises `archive.locks.LockBusy` when another crawl of the profile writes into `out`.
    """
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler.logredact import install_log_redaction
    from crawler.spiders.news import NewsSpider

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (defaults or {}).items():
        settings.set(name, value, priority="spider")
    settings.set("NEWSARCHIVE_OUT", str(out), priority="cmdline")
    if max_pages is not None:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    if max_depth is not None:
        settings.set("DEPTH_LIMIT", max_depth, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    settings.set("NEWSARCHIVE_RESUME", resume, priority="cmdline")
    settings.set("NEWSARCHIVE_REFRESH", refresh, priority="cmdline")
    if not requisites:
        settings.set("NEWSARCHIVE_REQUISITES", False, priority="cmdline")

    session = None
    if settings.getbool("WARC_ENABLED", True):
        # Opened here rather than by the spider, so that a busy lock or a recovered crash
        # is reported before Scrapy starts.
        session = ArchiveSession.open(out, profile.name, resume=resume, refresh=refresh)
        if session.recovery is not None and session.recovery.recovered:
            say("crawl", "closed what an interrupted crawl left:\n" + session.recovery.render())

    # Scrapy's robots.txt middleware logs an unreachable host with a full traceback.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_drop_traceback)
    install_log_redaction(settings)  # -s SOME_TOKEN=…, proxy passwords: never logged
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    try:
        process.crawl(crawler, site=profile.name, profile=profile, archive_session=session)
        process.start()
    finally:
        if session is not None:  # normally closed by the spider already; idempotent
            session.close("failed")
    return CrawlSummary.from_stats(profile.name, out, crawler.stats.get_stats())


def exit_code(summary: CrawlSummary) -> int:
    """0 when pages were crawled and archived; 1 when the crawl got nowhere or could not
    write its WARC files."""
    if summary.warc_write_errors:
        return 1
    return 0 if summary.html_pages or summary.articles else 1


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl a site into OUT/warc and OUT/articles",
        description="Crawl a site (a bundled profile name, a profile .toml file, or a URL).",
    )
    parser.add_argument("target", metavar="PROFILE|URL")
    parser.add_argument("--out", "-o", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the last interrupted crawl of the profile into DIR (after Ctrl-C, "
        "SIGTERM or kill -9); with nothing to resume, a normal crawl",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="re-request every known URL (conditionally), not only hubs and changed articles",
    )
    parser.add_argument(
        "--no-requisites",
        dest="requisites",
        action="store_false",
        help="archive the pages only, not their stylesheets, scripts, images and fonts",
    )
    parser.add_argument(
        "--max-pages", type=int, metavar="N", help="stop after N pages (requisites not counted)"
    )
    parser.add_argument("--max-depth", type=int, metavar="N", help="follow links N deep")
    add_settings_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        profile = resolve_profile(args.target)
    except ProfileError as exc:
        return fail("crawl", str(exc), 2)
    for flag in ("max_pages", "max_depth"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            # Scrapy reads 0 as "no limit"; refuse it rather than crawl without one.
            option = "--" + flag.replace("_", "-")
            return fail("crawl", f"{option} must be at least 1", 2)
    try:
        summary = run_crawl(
            profile,
            args.out,
            max_pages=args.max_pages,
            max_depth=args.max_depth,
            overrides=dict(args.settings),
            resume=args.resume,
            refresh=args.refresh,
            requisites=args.requisites,
        )
    except LockBusy as exc:
        return fail("crawl", str(exc), LOCK_BUSY_EXIT_STATUS)  # `schedule` reads it as skipped
    print(summary.render())
    code = exit_code(summary)
    if summary.warc_write_errors:
        say(
            "crawl",
            "WARC files could not be written (see the error above); "
            "the crawl was stopped so that nothing is fetched without being archived",
        )
    elif code:
        say(
            "crawl",
            "no page could be crawled (see the errors above); "
            "anything fetched is in the WARC files",
        )
    return code
