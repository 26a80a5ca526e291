"""`newsarchive crawl PROFILE|URL --out DIR|s3://BUCKET/PREFIX [--resume] [--refresh]
[--no-requisites] [--max-pages N] [--max-depth N] [-s NAME=VALUE ...]`

With `--out s3://…` the crawl writes into a local spool directory and uploads from there
(`crawler.remotesession`, `archive.storage`)."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.catalog import CatalogError
from archive.locks import LOCK_BUSY_EXIT_STATUS, LockBusy
from archive.storage import is_remote
from crawler.cli import fail, human_bytes, say
from crawler.session import ArchiveSession
from crawler.siteprofile import ProfileError, SiteProfile, resolve_profile

if TYPE_CHECKING:
    from archive.storage import ObjectStore


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
    upload_failures: int = 0
    location: str = ""  # the s3:// URL of an archive in object storage

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
            upload_failures=stats.get("storage/upload_failed", 0),
        )

    def render(self) -> str:
        where = self.location or str(self.out)
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
                f"  articles      : {self.articles} -> {where}/articles"
                + (f" (of them new versions: {self.new_versions})" if self.new_versions else ""),
                f"  WARC files    : {self.warc_files} ({human_bytes(self.warc_bytes)}) "
                f"-> {where}/warc",
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
    storage: ObjectStore | None = None,
    frontier: str = "",
    catalog: str = "",
) -> CrawlSummary:
    """Run one crawl in this process (Twisted's reactor cannot restart: once per process).

    With `storage`, `out` is the local spool of that bucket's archive: what an earlier
    crawl left there is uploaded once the session has recovered it, and WARC files are
    uploaded as they close. Raises `archive.locks.LockBusy` when another crawl of the
    profile writes into `out`.
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
    if storage is not None:
        settings.set("NEWSARCHIVE_STORAGE", storage.location.url, priority="cmdline")
    if frontier:  # one worker of a shared crawl: crawler.frontier
        settings.set("NEWSARCHIVE_FRONTIER", frontier, priority="cmdline")
    if catalog:
        settings.set("NEWSARCHIVE_CATALOG", catalog, priority="cmdline")

    session = None
    if settings.getbool("WARC_ENABLED", True):
        # Opened here rather than by the spider, so that a busy lock or a recovered crash
        # is reported before Scrapy starts.
        session = _open_session(
            out,
            profile.name,
            resume=resume,
            refresh=refresh,
            storage=storage,
            **_shared_crawl(frontier, catalog, profile.name),
        )
        if session.recovery is not None and session.recovery.recovered:
            say("crawl", "closed what an interrupted crawl left:\n" + session.recovery.render())
        if storage is not None:
            _upload_leftovers(storage, out)

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


class SharedCrawlError(Exception):
    """The frontier (Redis) cannot be reached."""


def _shared_crawl(frontier: str, catalog: str, profile: str) -> dict[str, Any]:
    """The session options of one worker of a shared crawl (`--frontier`, `--catalog`)."""
    options: dict[str, Any] = {}
    if frontier and not catalog:
        raise SharedCrawlError(
            "--frontier needs --catalog postgresql://…: the workers of a shared crawl share "
            "one catalog, and a SQLite file takes one writer at a time"
        )
    if frontier:
        from crawler.frontier import liveness

        try:
            options["alive"] = liveness(frontier, profile)
        except Exception as exc:  # redis-py's errors, or its import: say which
            raise SharedCrawlError(f"frontier {frontier}: {exc}") from exc
    if catalog:
        options["catalog_url"] = catalog
    return options


def _open_session(
    out: Path,
    profile: str,
    *,
    resume: bool,
    refresh: bool,
    storage: ObjectStore | None,
    **shared: Any,
) -> ArchiveSession:
    if storage is None:
        return ArchiveSession.open(out, profile, resume=resume, refresh=refresh, **shared)
    from crawler.remotesession import RemoteArchiveSession

    session = RemoteArchiveSession.open(out, profile, resume=resume, refresh=refresh, **shared)
    session.store = storage
    return session


def _upload_leftovers(storage: ObjectStore, spool: Path) -> None:
    """What an earlier crawl left in the spool (killed, or its uploads failed): uploaded
    now, after recovery closed its files and the catalog indexed them."""
    from crawler.remotesession import upload_spool

    report = upload_spool(storage, spool, catalog=False)
    if report.uploaded:
        say(
            "crawl",
            f"uploaded {len(report.uploaded)} file(s) an earlier crawl left in {spool} "
            f"to {storage.location.url}",
        )
    _say_failures(report.failed, spool)


def _say_failures(failed: list[tuple[str, str]], spool: Path) -> None:
    if failed:
        say(
            "crawl",
            f"{len(failed)} file(s) not uploaded, kept in {spool} for the next crawl to "
            f"upload: {failed[0][1]}",
        )


def _finish_upload(storage: ObjectStore, spool: Path, summary: CrawlSummary) -> CrawlSummary:
    """After the crawl: article files and the catalog snapshot to the bucket, and the WARC
    files still in the spool (unless their uploads just failed: they wait for the next
    crawl rather than for more retries now)."""
    from dataclasses import replace

    from crawler.remotesession import upload_spool

    report = upload_spool(storage, spool, warcs=not summary.upload_failures)
    failures = summary.upload_failures + len(report.failed)
    if summary.upload_failures and not report.failed:
        _say_failures([("", "see the errors above")] * summary.upload_failures, spool)
    else:
        _say_failures(report.failed, spool)
    return replace(summary, upload_failures=failures, location=storage.location.url)


def exit_code(summary: CrawlSummary) -> int:
    """0 when pages were crawled and archived; 1 when the crawl got nowhere or could not
    write or upload its files."""
    if summary.warc_write_errors or summary.upload_failures:
        return 1
    return 0 if summary.html_pages or summary.articles else 1


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl a site into OUT/warc and OUT/articles",
        description="Crawl a site (a bundled profile name, a profile .toml file, or a URL).",
    )
    parser.add_argument("target", metavar="PROFILE|URL")
    parser.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="DIR|s3://BUCKET/PREFIX",
        help="a local directory, or an archive in S3-compatible object storage (see README: "
        "Object storage)",
    )
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
    parser.add_argument(
        "--frontier",
        default="",
        metavar="redis://HOST:PORT/DB",
        help="one worker of a shared crawl: every crawl of the profile started with this "
        "frontier works on one queue (README: Beyond one machine)",
    )
    parser.add_argument(
        "--catalog",
        default="",
        metavar="URL",
        help="the catalog on a server shared by the workers (postgresql://USER@HOST/DB); "
        "default: DIR/catalog.sqlite",
    )
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
    out, storage = Path(args.out), None
    if is_remote(args.out):
        from archive.storage import StorageError, cache_dir, open_store
        from crawler.remotesession import prepare_spool

        try:
            storage = open_store(args.out)  # a bad URL, no boto3: bad arguments
        except StorageError as exc:
            return fail("crawl", str(exc), 2)
        try:
            storage.check()
            out = cache_dir(storage.location, "spool")
            if prepare_spool(storage, out):
                say("crawl", f"catalog fetched from {storage.location.url}/catalog.sqlite")
        except StorageError as exc:
            return fail("crawl", str(exc), 1)
    try:
        summary = run_crawl(
            profile,
            out,
            max_pages=args.max_pages,
            max_depth=args.max_depth,
            overrides=dict(args.settings),
            resume=args.resume,
            refresh=args.refresh,
            requisites=args.requisites,
            storage=storage,
            frontier=args.frontier,
            catalog=args.catalog,
        )
    except LockBusy as exc:
        return fail("crawl", str(exc), LOCK_BUSY_EXIT_STATUS)  # `schedule` reads it as skipped
    except (SharedCrawlError, CatalogError) as exc:
        return fail("crawl", str(exc), 1)
    if storage is not None:
        summary = _finish_upload(storage, out, summary)
    print(summary.render())
    code = exit_code(summary)
    if code and args.frontier and summary.reason == "finished" and not summary.warc_write_errors:
        code = 0  # the other workers crawled the pages: this one's part was done
    if summary.warc_write_errors:
        say(
            "crawl",
            "WARC files could not be written (see the error above); "
            "the crawl was stopped so that nothing is fetched without being archived",
        )
    elif summary.upload_failures:
        pass  # said by _finish_upload
    elif code:
        say(
            "crawl",
            "no page could be crawled (see the errors above); "
            "anything fetched is in the WARC files",
        )
    return code
