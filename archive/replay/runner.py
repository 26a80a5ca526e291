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
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from archive.errors import WarcReadError
from archive.layout import ArticleStore
from archive.lifeline import pool_kwargs
from archive.limits import MAX_BODY
from archive.replay.imagecaptures import ImageCaptures
from archive.replay.inputs import crawl_starts
from archive.replay.pages import Outcome, Page, process_batch, process_page
from archive.replay.profiles import ProfileChooser
from archive.replay.progress import Progress
from archive.replay.sink import ArticleSink, ReplaySummary
from archive.replay.source import (
    DigestMap,
    FileStats,
    OriginalReader,
    PendingRevisit,
    WarcPages,
)
from crawler.siteprofile import SiteProfile

logger = logging.getLogger(__name__)

BATCH_PAGES = 16
BATCH_BYTES = 2_000_000
WINDOW_FACTOR = 4  # batches in flight per worker: keeps workers busy past a slow batch


@dataclass(frozen=True)
class ReplayOptions:
    out: Path | None
    profile: SiteProfile | None = None  # None: chosen per host
    jobs: int = 1
    extract: bool = True
    progress: TextIO | None = None  # where to draw live progress (a terminal), or None
    max_body: int = MAX_BODY  # bytes a page's body may have, stored or decoded (--max-body)


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

