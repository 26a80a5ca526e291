"""One crawl's hold on its archive: the lock, the recovery of a crash, the catalog and the run.

Opening a session, before anything is fetched:

1. takes the crawl lock of (OUT, profile): never two crawls of one profile into one OUT;
2. closes what a killed crawl left: `*.open` WARC files truncated to their last complete
   record and renamed, article files pointing past that quarantined (`archive.warc.recovery`),
   and the catalog brought back in line with the files (rows of dropped records removed,
   rows the killed run had not committed re-read from its WARC and article files);
3. opens the catalog (`OUT/catalog.sqlite`), seeding it from the WARC and article files
   already in OUT when it is new (an archive older than the catalog, or WARCs of wget or
   Heritrix copied into `OUT/warc`);
4. starts a run, or with `resume` continues the last interrupted one of the profile: what
   that run captured is then answered from the archive instead of fetched again.

With a shared frontier (`newsarchive crawl --frontier`, `crawler.frontier`) several workers
open sessions on one crawl: each holds the crawl lock *shared* (they coordinate through the
frontier; a crawl without it is kept out, and keeps them out), each has its own run in the
catalog, and a run counts as killed only when its worker's heartbeat is gone from the
frontier (`alive`), not merely because we hold the lock. The catalog can be a server shared
by workers on several machines (`catalog_url`: `postgresql://…`, `archive.catalog.postgres`).

No Scrapy here: `crawler.middlewares.incremental`, the WARC extension and the pipelines
read the session through `session_of(crawler)`.
"""

from __future__ import annotations

import logging
import os
import socket
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from warcio.statusandheaders import StatusAndHeaders

from archive.catalog import (
    CRASHED,
    FAILED,
    FINISHED,
    INTERRUPTED,
    RESUMABLE_STATES,
    RUNNING,
    CaptureRow,
    Catalog,
    CatalogError,
    RunRow,
    catalog_path,
    open_catalog,
)
from archive.catalog.rebuild import SyncReport, sync
from archive.catalog.sqlite import epoch
from archive.errors import WarcReadError
from archive.layout import WARC_DIR
from archive.locks import crawl_lock
from archive.warc.reader import record_at
from archive.warc.recovery import RecoveryReport, recover
from crawler.urls import url_key

logger = logging.getLogger(__name__)

# Scrapy's finish reasons and the run state each leaves.
_STATES = {
    "finished": FINISHED,
    "closespider_pagecount": FINISHED,
    "closespider_itemcount": FINISHED,
    "closespider_timeout": FINISHED,
    "shutdown": INTERRUPTED,
    "cancelled": INTERRUPTED,
    "warc_write_error": FAILED,
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_state(finish_reason: str) -> str:
    return _STATES.get(finish_reason, FAILED if "error" in finish_reason else INTERRUPTED)


class Liveness(Protocol):
    """Whether the worker that started a run (its host and pid) is still crawling."""

    def __call__(self, host: str | None, pid: int | None) -> bool: ...


def open_catalog_url(url: str, out: Path) -> Catalog:
    """The catalog at `url` (`postgresql://…`: the server backend, imported only then), or
    OUT's own SQLite file when `url` is empty."""
    if not url:
        return open_catalog(out, url_key=url_key)
    if url.startswith(("postgresql://", "postgres://")):
        from archive.catalog.postgres import PostgresCatalog

        return PostgresCatalog(url, url_key=url_key)
    raise CatalogError(f"unsupported catalog URL {url!r}: postgresql://… (or none: SQLite)")


@dataclass(frozen=True)
class StoredResponse:
    http_headers: StatusAndHeaders  # status line and headers, as stored
    body: bytes  # as stored: still content-encoded


@dataclass
class ArchiveSession:
    out: Path
    profile: str
    catalog: Catalog
    run: RunRow
    refresh: bool = False
    # URL -> its capture in the run being resumed: answered from the archive, not fetched.
    resumed: dict[str, CaptureRow] = field(default_factory=dict)
    recovery: RecoveryReport | None = None
    seeded: SyncReport | None = None
    _stack: ExitStack | None = None
    _last_read: tuple[str, StoredResponse] | None = None

    @classmethod
    def open(
        cls,
        out: str | os.PathLike[str],
        profile: str,
        *,
        resume: bool = False,
        refresh: bool = False,
        catalog_url: str = "",
        alive: Liveness | None = None,
    ) -> ArchiveSession:
        """Lock, recover, open the catalog and start (or resume) a run; see the module
        docstring. Raises `archive.locks.LockBusy` when another crawl holds the lock.

        `alive`: this is one worker of a shared crawl (`crawler.frontier`); it says which
        runs' workers are still crawling. `catalog_url`: a server catalog instead of
        `OUT/catalog.sqlite`."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        stack = ExitStack()
        try:
            stack.enter_context(crawl_lock(out, profile, shared=alive is not None))
            catalog = None
            if catalog_url:
                catalog = open_catalog_url(catalog_url, out)
                new_catalog = catalog.is_empty()
            else:
                new_catalog = not catalog_path(out).exists()
            recovery = recover(out)
            if catalog is None:
                catalog = open_catalog(out, url_key=url_key)
            stack.callback(catalog.close)
            seeded = None
            if new_catalog:
                seeded = sync(catalog, out)
                if seeded.captures:
                    logger.info(
                        "catalog made from the files already in %s: %s", out, seeded.render()
                    )
            else:
                for item in recovery.recovered:
                    catalog.drop_records_from(item.name, item.kept_size)
                _sync_crashed_runs(catalog, out, profile, alive)
            run = _start_or_resume(catalog, profile, resume=resume, alive=alive)
            resumed = {}
            if run.resumes:
                for row in catalog.captures_of_run(run.id).values():
                    resumed[url_key(row.url)] = row
        except BaseException:
            stack.close()
            raise
        session = cls(
            out,
            profile,
            catalog,
            run,
            refresh=refresh,
            resumed=resumed,
            recovery=recovery,
            seeded=seeded,
            _stack=stack,
        )
        if resumed:
            logger.info(
                "resuming run %d of %s: %d captured URLs answered from the archive",
                run.id,
                profile,
                len(resumed),
            )
        return session

    def resumed_capture(self, url: str) -> CaptureRow | None:
        """The capture of `url` made by the run this one resumes, if any."""
        return self.resumed.get(url_key(url)) if self.resumed else None

    def original_of(self, row: CaptureRow) -> CaptureRow | None:
        """The capture holding `row`'s payload: itself, or the record a revisit refers to."""
        if row.record_type != "revisit":
            return row
        return self.catalog.capture(row.refers_to) if row.refers_to else None

    def stored_response(self, row: CaptureRow) -> StoredResponse:
        """The HTTP response `row`'s record holds, read back from its WARC file (raises
        `WarcReadError`). The last one read is kept: a 304 needs its original twice, for the
        revisit record's headers and for the page the spider reads."""
        if self._last_read is not None and self._last_read[0] == row.record_id:
            return self._last_read[1]
        path = self.out / WARC_DIR / row.warc_file
        if not path.exists() and (self.out / WARC_DIR / (row.warc_file + ".open")).exists():
            path = self.out / WARC_DIR / (row.warc_file + ".open")  # another worker writes it
        with record_at(path, row.warc_offset) as record:
            if record.http_headers is None:
                raise WarcReadError(f"{row.warc_file}:{row.warc_offset} holds no HTTP response")
            stored = StoredResponse(record.http_headers, record.raw_stream.read())
        self._last_read = (row.record_id, stored)
        return stored

    def close(self, finish_reason: str = "finished", stats: dict[str, Any] | None = None) -> None:
        """End the run with the state `finish_reason` means; release the catalog and lock."""
        if self._stack is None:
            return
        try:
            self.catalog.finish_run(
                self.run.id,
                state=run_state(finish_reason),
                ended_at=_now(),
                stats=_plain(stats or {}),
            )
        finally:
            stack, self._stack = self._stack, None
            stack.close()


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats as JSON values (Scrapy keeps datetimes in them)."""
    return {k: v if isinstance(v, int | float | str) else str(v) for k, v in stats.items()}


def _sync_crashed_runs(
    catalog: Catalog, out: Path, profile: str, alive: Liveness | None = None
) -> None:
    """Runs of `profile` still marked running were killed (we hold their lock now; with a
    shared frontier, their worker's heartbeat is gone): index the records and articles
    their last transaction may have lost, and mark them crashed."""
    for run in catalog.runs(profile=profile, limit=5):
        if run.state != RUNNING:
            continue
        if alive is not None and alive(run.host, run.pid):
            continue
        folder = out / WARC_DIR
        warcs = [folder / name for name in catalog.warc_files_of_run(run.id)]
        report = sync(
            catalog,
            out,
            warcs=[w for w in warcs if w.exists()],
            since=epoch(run.started_at) - 1,
            run_id=run.id,
        )
        catalog.set_run_state(run.id, CRASHED)
        logger.warning(
            "run %d of %s was killed; re-read from its files: %s", run.id, profile, report.render()
        )


def _start_or_resume(
    catalog: Catalog, profile: str, *, resume: bool, alive: Liveness | None = None
) -> RunRow:
    pid, host = os.getpid(), socket.gethostname()
    last = catalog.last_run(profile)
    if alive is not None:
        # Workers of a shared crawl each have a run: resume the last one whose worker is
        # gone (the runs of live workers are theirs).
        last = next(
            (
                run
                for run in catalog.runs(profile=profile, limit=20)
                if run.state in RESUMABLE_STATES and not alive(run.host, run.pid)
            ),
            None,
        )
    if resume and last is not None and last.state in RESUMABLE_STATES:
        return catalog.resume_run(last.id, pid=pid, host=host)
    if resume:
        logger.info("nothing to resume for %s: starting a new crawl", profile)
    return catalog.start_run(profile, started_at=_now(), pid=pid, host=host)


def session_of(crawler: Any) -> ArchiveSession | None:
    """The session of a running Scrapy crawl (kept by its spider), if it has one."""
    return getattr(getattr(crawler, "spider", None), "archive_session", None)
