"""Run a replay: WARC or ARC files in, article documents out, in the order a crawl wrote them.

Two ways to use the cores, chosen by the number of files:

* several files and `jobs` > 1 — one worker process per file reads and extracts it and spools
  its outcomes (pickles, in file order) to a temporary file under OUT; the parent merges the
  spools in input order;
* one file (or `jobs` == 1) — the parent streams the records and a pool of `jobs` workers
  decides and extracts batches of pages; the parent takes the results back in order.

Either way the parent alone writes, in archive order, so the article store names files as the
crawl did (the first capture `ID.json`, later ones `ID.<stamp>.json`) and the canonical-URL
deduplication sees pages in the order the spider saw them. Its scope is one crawl, as the
spider's `seen_canonicals` is: a run of our rotated files (same prefix and host, serials
00000, 00001, ... in name order) is one crawl; any other file is a crawl of its own.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from archive.errors import WarcReadError
from archive.layout import ARCHIVE_SUFFIXES, ArticleStore, content_hash, encode_article
from archive.lifeline import pool_kwargs
from archive.limits import MAX_BODY
from archive.replay.imagecaptures import ImageCaptures
from archive.replay.pages import Outcome, Page, process_batch, process_page
from archive.replay.source import (
    DigestMap,
    FileStats,
    OriginalReader,
    PendingRevisit,
    WarcPages,
)
from crawler.siteprofile import (
    BUNDLED_DIR,
    ProfileError,
    SiteProfile,
    bundled_profiles,
    load_profile,
    profile_for_url,
)
from crawler.urls import host_of, in_domains

logger = logging.getLogger(__name__)

BATCH_PAGES = 16
BATCH_BYTES = 2_000_000
WINDOW_FACTOR = 4  # batches in flight per worker: keeps workers busy past a slow batch
_OUR_NAME = re.compile(
    r"^(?P<prefix>.+)-(?P<stamp>\d{14,17})-(?P<serial>\d{5})-(?P<host>[^-]+)\.warc(?:\.gz)?$"
)


@dataclass(frozen=True)
class ReplayOptions:
    out: Path | None
    profile: SiteProfile | None = None  # None: chosen per host
    jobs: int = 1
    extract: bool = True
    progress: TextIO | None = None  # where to draw live progress (a terminal), or None
    max_body: int = MAX_BODY  # bytes a page's body may have, stored or decoded (--max-body)


@dataclass
class ReplaySummary:
    files: int = 0
    failed: list[str] = field(default_factory=list)  # one message per file that failed
    records: int = 0
    bytes_read: int = 0
    html_pages: int = 0
    article_pages: int = 0  # pages the spider would have handed to extraction
    articles: int = 0  # documents written
    duplicates: int = 0
    unchanged: int = 0  # articles whose content equals their latest version: no new file
    not_articles: int = 0
    extraction_errors: int = 0
    unresolved_revisits: int = 0
    seconds: float = 0.0

    def add_file(self, stats: FileStats) -> None:
        self.records += stats.records
        self.bytes_read += stats.bytes_read
        self.html_pages += stats.html_pages
        self.unresolved_revisits += stats.revisits_unresolved
        if stats.error:
            self.failed.append(stats.error)

    def render(self, extract: bool) -> str:
        seconds = max(self.seconds, 1e-9)
        mb = self.bytes_read / 1e6
        line = (
            f"newsarchive replay: {self.files} file(s), {self.records:,} records, {mb:,.1f} MB, "
            f"{self.html_pages:,} HTML pages"
        )
        if extract:
            line += (
                f", {self.articles:,} articles written ({self.duplicates} duplicate, "
                + (f"{self.unchanged} unchanged, " if self.unchanged else "")
                + f"{self.not_articles} not articles, {self.extraction_errors} errors)"
            )
        if self.unresolved_revisits:
            line += f", {self.unresolved_revisits} revisits without original"
        line += (
            f" in {self.seconds:.1f} s ({self.records / seconds:,.0f} records/s, "
            f"{mb / seconds:,.1f} MB/s)"
        )
        if self.failed:
            line += f"; {len(self.failed)} file(s) failed"
        return line


# -- inputs -------------------------------------------------------------------------------


def find_warcs(inputs: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Files to replay (directories searched for *.warc, *.warc.gz, *.arc and *.arc.gz) and
    input errors."""
    files: list[Path] = []
    errors: list[str] = []
    seen: set[Path] = set()
    for given in map(Path, inputs):
        if given.is_dir():
            found = sorted(
                p
                for p in given.rglob("*")
                if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES) and not p.name.startswith(".")
            )
            if not found:
                errors.append(
                    f"{given}: no *.warc or *.warc.gz files (nor *.arc, *.arc.gz) in this directory"
                )
        elif given.exists():
            found = [given]
        else:
            errors.append(f"{given}: no such file or directory")
            found = []
        for path in found:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append(path)
    return files, errors


def crawl_starts(files: list[Path]) -> list[bool]:
    """For each file, whether it begins a new crawl (the scope of canonical deduplication)."""
    starts = []
    previous: tuple[Any, int] | None = None
    for path in files:
        match = _OUR_NAME.match(path.name)
        if match is None:
            starts.append(True)
            previous = None
            continue
        key = (path.parent, match["prefix"], match["host"])
        serial = int(match["serial"])
        starts.append(previous is None or previous[0] != key or serial != previous[1] + 1)
        previous = (key, serial)
    return starts


class ProfileChooser:
    """`--profile` when given; else the bundled profile for the host; else a URL profile."""

    def __init__(self, forced: SiteProfile | None) -> None:
        self.forced = forced
        self._by_host: dict[str, SiteProfile | None] = {}
        self._bundled: list[SiteProfile] | None = None

    def __call__(self, url: str) -> SiteProfile | None:
        if self.forced is not None:
            return self.forced
        host = host_of(url)
        if host not in self._by_host:
            self._by_host[host] = self._choose(url)
        return self._by_host[host]

    def _choose(self, url: str) -> SiteProfile | None:
        if self._bundled is None:
            self._bundled = [load_profile(BUNDLED_DIR / f"{n}.toml") for n in bundled_profiles()]
        for profile in self._bundled:
            if in_domains(url, profile.allowed_domains):
                return profile
        try:
            return profile_for_url(url)
        except ProfileError:
            return None


# -- writing, in order ----------------------------------------------------------------------


class ArticleSink:
    """Takes outcomes in archive order: canonical dedup per crawl, then the article store,
    which gets a new version of an article only when its content changed (as in a crawl:
    crawler.pipelines.articlestore)."""

    def __init__(
        self,
        store: ArticleStore | None,
        summary: ReplaySummary,
        images: ImageCaptures | None = None,
    ) -> None:
        self.store = store
        self.summary = summary
        self.images = images  # fills images[i].capture as the crawl did
        self.seen: set[str] = set()
        self.versions: dict[str, tuple[int, str]] = {}  # id -> latest (version, content hash)

    def new_crawl(self) -> None:
        self.seen.clear()

    def take(self, outcome: Outcome) -> None:
        if outcome.canonical is None:
            if outcome.error:
                self.summary.extraction_errors += 1
                logger.warning("%s: %s", outcome.url, outcome.error)
            return
        if outcome.canonical in self.seen:  # NewsSpider._article_page
            self.summary.duplicates += 1
            return
        self.seen.add(outcome.canonical)
        self.summary.article_pages += 1
        if outcome.error:
            self.summary.extraction_errors += 1
            logger.warning("%s: %s", outcome.url, outcome.error)
        elif outcome.record is None:
            self.summary.not_articles += 1
        elif self.store is not None:
            self._store(outcome.record)

    def _store(self, record: dict[str, Any]) -> None:
        assert self.store is not None
        if self.images is not None and record.get("images"):
            record = self.images.fill(record)  # a plain dict: the store encodes it again
        digest = content_hash(record)
        latest = self.versions.get(record["id"])
        if latest is not None and latest[1] == digest:
            self.summary.unchanged += 1
            return
        version = latest[0] + 1 if latest is not None else 1
        data = getattr(record, "encoded", None)
        if record.get("version") != version:
            record = {**record, "version": version}
            data = encode_article(record)
        self.versions[record["id"]] = (version, digest)
        self.store.write(record, data)
        self.summary.articles += 1


# -- progress -------------------------------------------------------------------------------


class Progress:
    """A one-line live counter on a terminal; does nothing when there is none."""

    INTERVAL = 0.5

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self._last = 0.0
        self.records = self.bytes_read = self.pages = self.articles = 0

    def add(self, records: int = 0, bytes_read: int = 0, pages: int = 0, articles: int = 0):
        self.records += records
        self.bytes_read += bytes_read
        self.pages += pages
        self.articles += articles

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.stream is None or (not force and now - self._last < self.INTERVAL):
            return
        self._last = now
        seconds = max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{self.records:,} records  {self.bytes_read / 1e6:,.1f} MB  "
            f"{self.pages:,} pages  {self.articles:,} articles  "
            f"{self.records / seconds:,.0f} rec/s  {self.bytes_read / 1e6 / seconds:,.1f} MB/s "
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.draw(force=True)
            self.stream.write("\n")
            self.stream.flush()


# -- mode 1: the parent streams, a pool extracts -------------------------------------------


def _page_tasks(
    pages: WarcPages, chooser: ProfileChooser | None, progress: Progress
) -> Iterator[tuple[Page, SiteProfile | None] | PendingRevisit]:
    last_records = last_bytes = 0
    for item in pages:
        stats = pages.stats
        progress.add(stats.records - last_records, stats.bytes_read - last_bytes)
        last_records, last_bytes = stats.records, stats.bytes_read
        if isinstance(item, PendingRevisit):
            yield item
            continue
        progress.add(pages=1)
        progress.draw()
        if chooser is None:  # not extracting
            continue
        profile = chooser(item.url)
        if profile is not None:
            yield item, profile
    stats = pages.stats
    progress.add(stats.records - last_records, stats.bytes_read - last_bytes)


def _stream_mode(
    files: list[Path], options: ReplayOptions, sink: ArticleSink, progress: Progress
) -> None:
    chooser = ProfileChooser(options.profile)
    digests: DigestMap = {}
    pool = None
    if options.extract and options.jobs > 1:
        pool = ProcessPoolExecutor(options.jobs, **pool_kwargs())  # workers die with us
    pending: deque[Future[list[Outcome]] | list[Outcome] | None] = deque()
    window = WINDOW_FACTOR * options.jobs

    def drain(keep: int) -> None:
        while len(pending) > keep:
            entry = pending.popleft()
            if entry is None:
                sink.new_crawl()
                continue
            outcomes = entry if isinstance(entry, list) else entry.result()
            for outcome in outcomes:
                progress.add(articles=outcome.record is not None)
                sink.take(outcome)

    def submit(batch: list[tuple[Page, SiteProfile]]) -> None:
        if pool is None:
            pending.append(process_batch(batch))
        else:
            pending.append(pool.submit(process_batch, batch))
        drain(window)

    try:
        for path, starts in zip(files, crawl_starts(files), strict=True):
            if starts:
                pending.append(None)
            pages = WarcPages(
                path, digests, decode=not options.extract, max_body=options.max_body
            )
            batch: list[tuple[Page, SiteProfile]] = []
            size = 0
            try:
                for task in _page_tasks(pages, chooser if options.extract else None, progress):
                    if isinstance(task, PendingRevisit):
                        continue  # no file read so far holds its original
                    batch.append(task)
                    size += len(task[0].stored)
                    if len(batch) >= BATCH_PAGES or size >= BATCH_BYTES:
                        submit(batch)
                        batch, size = [], 0
            except WarcReadError as exc:
                pages.stats.error = str(exc)
            if batch:
                submit(batch)
            sink.summary.add_file(pages.stats)
        drain(0)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# -- mode 2: one process per file ------------------------------------------------------------

_progress_queue: Any = None


def _init_worker(progress_queue: Any) -> None:
    global _progress_queue
    _progress_queue = progress_queue


@dataclass
class FileResult:
    stats: FileStats
    spool: str | None
    digests: DigestMap


def _replay_file(path: Path, options: ReplayOptions, spool_dir: str | None) -> FileResult:
    """Worker: read one file, decide and extract inline, spool the outcomes in order."""
    chooser = ProfileChooser(options.profile)
    pages = WarcPages(path, decode=not options.extract, max_body=options.max_body)
    spool_path = None
    reported = [0, 0, 0, 0]
    last_report = time.monotonic()
    counts = [0, 0, 0, 0]  # records, bytes, pages, articles

    def report(force: bool = False) -> None:
        nonlocal last_report
        if _progress_queue is None or (not force and time.monotonic() - last_report < 0.3):
            return
        last_report = time.monotonic()
        counts[0], counts[1] = pages.stats.records, pages.stats.bytes_read
        _progress_queue.put([now - before for now, before in zip(counts, reported, strict=True)])
        reported[:] = counts

    spool = None
    if spool_dir is not None and options.extract:
        fd, spool_path = tempfile.mkstemp(dir=spool_dir, suffix=".pickle")
        spool = os.fdopen(fd, "wb")
    try:
        for item in pages:
            if isinstance(item, Page):
                counts[2] += 1
            if spool is not None:
                if isinstance(item, Page):
                    profile = chooser(item.url)
                    if profile is None:
                        continue
                    outcome = process_page(item, profile)
                    counts[3] += outcome.record is not None
                    pickle.dump(outcome, spool, protocol=pickle.HIGHEST_PROTOCOL)
                else:
                    pickle.dump(item, spool, protocol=pickle.HIGHEST_PROTOCOL)
            report()
    except WarcReadError as exc:
        pages.stats.error = str(exc)
    finally:
        if spool is not None:
            spool.close()
        report(force=True)
    return FileResult(pages.stats, spool_path, pages.digests if options.extract else {})


def _read_spool(path: str) -> Iterator[Outcome | PendingRevisit]:
    with open(path, "rb") as spool:
        while True:
            try:
                yield pickle.load(spool)
            except EOFError:
                return


def _file_mode(
    files: list[Path], options: ReplayOptions, sink: ArticleSink, progress: Progress
) -> None:
    context = multiprocessing.get_context()
    progress_queue = context.Queue() if progress.stream is not None else None
    spool_dir = None
    if options.extract and options.out is not None:
        options.out.mkdir(parents=True, exist_ok=True)
        spool_dir = tempfile.mkdtemp(prefix=".replay-", dir=options.out)
    chooser = ProfileChooser(options.profile)
    originals = OriginalReader(options.max_body)
    digests: DigestMap = {}

    def pump(future: Future[FileResult]) -> None:
        while progress_queue is not None and not future.done():
            with contextlib.suppress(queue.Empty):
                progress.add(*progress_queue.get(timeout=0.1))
            progress.draw()

    pool = ProcessPoolExecutor(
        min(options.jobs, len(files)),
        mp_context=context,
        **pool_kwargs(_init_worker, (progress_queue,)),  # workers die with us, even on kill -9
    )
    try:
        worker_options = replace(options, progress=None)  # a terminal does not pickle
        futures = [pool.submit(_replay_file, path, worker_options, spool_dir) for path in files]
        for path, starts, future in zip(files, crawl_starts(files), futures, strict=True):
            pump(future)
            try:
                result = future.result()
            except Exception as exc:  # a worker crashed: report the file, go on
                logger.debug("worker failed on %s", path, exc_info=True)
                sink.summary.failed.append(f"{path}: replay failed: {exc!r}")
                continue
            if starts:
                sink.new_crawl()
            if result.spool is not None:
                for item in _read_spool(result.spool):
                    if isinstance(item, PendingRevisit):
                        item = _resolve_late(item, digests, originals, chooser, result.stats)
                        if item is None:
                            continue
                    sink.take(item)
                os.unlink(result.spool)
            digests.update({k: v for k, v in result.digests.items() if k not in digests})
            sink.summary.add_file(result.stats)
        while progress_queue is not None:
            try:
                progress.add(*progress_queue.get(timeout=0.05))
            except queue.Empty:
                break
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        originals.close()
        if spool_dir is not None:
            shutil.rmtree(spool_dir, ignore_errors=True)


def _resolve_late(
    revisit: PendingRevisit,
    digests: DigestMap,
    originals: OriginalReader,
    chooser: ProfileChooser,
    stats: FileStats,
) -> Outcome | None:
    """A revisit whose original is in an earlier file: extract it here, in order."""
    location = digests.get(revisit.digest)
    page = originals.page(location, revisit.url, revisit.capture) if location else None
    profile = chooser(revisit.url) if page is not None else None
    if page is None or profile is None:
        return None
    stats.revisits_unresolved -= 1
    stats.revisits_resolved += 1
    stats.html_pages += 1
    return process_page(page, profile)


# -- entry point ----------------------------------------------------------------------------


def replay(
    files: list[Path], options: ReplayOptions, *, clock: Callable[[], float] = time.monotonic
) -> ReplaySummary:
    """Replay `files` in order into `options.out` (see the module docstring)."""
    started = clock()
    summary = ReplaySummary(files=len(files))
    store = ArticleStore(options.out) if options.extract and options.out is not None else None
    images = ImageCaptures(files) if store is not None else None
    sink = ArticleSink(store, summary, images)
    progress = Progress(options.progress)
    try:
        if len(files) > 1 and options.jobs > 1:
            _file_mode(files, options, sink, progress)
        else:
            _stream_mode(files, options, sink, progress)
    finally:
        if images is not None:
            images.close()
    progress.finish()
    summary.seconds = clock() - started
    return summary


def stderr_if_terminal() -> TextIO | None:
    return sys.stderr if sys.stderr.isatty() else None
