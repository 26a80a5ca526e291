"""What the catalog knows, as plain values, and the interface every backend offers.

The catalog is an index of the archive, never the only copy of anything: every row can be
rebuilt from the WARC files and the article JSON files (`archive.catalog.rebuild`). It exists
so that a crawl can ask, in microseconds, what it already holds: the last capture of a URL
(its validators for a conditional request, its payload digest for a revisit record), the
latest version of an article, and what an interrupted run had captured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from archive.warc.capture import Capture

# Run states. A run is `running` from its start until it ends; one still `running` when
# nobody holds its crawl lock was killed (kill -9, power loss) and reads as crashed.
RUNNING = "running"
FINISHED = "finished"
INTERRUPTED = "interrupted"  # stopped cleanly before its end (Ctrl-C, SIGTERM): resumable
FAILED = "failed"
CRASHED = "crashed"
RESUMABLE_STATES = frozenset({RUNNING, INTERRUPTED, CRASHED})


@dataclass(frozen=True)
class CaptureRow:
    """One archived response or revisit record, and the article extracted from it."""

    record_id: str
    url: str
    fetched_at: str  # the record's WARC-Date, as written
    status: int | None
    record_type: str  # "response" | "revisit"
    payload_digest: str | None  # for a revisit, the digest of the payload it refers to
    warc_file: str
    warc_offset: int
    warc_length: int
    etag: str | None = None
    last_modified: str | None = None
    refers_to: str | None = None  # a revisit's original (the record holding the payload)
    run_id: int | None = None
    article_id: str | None = None
    article_version: int | None = None
    content_hash: str | None = None
    canonical_url: str | None = None
    server_date: str | None = None  # the response's Date header (the server's clock)

    @property
    def has_article(self) -> bool:
        return self.article_id is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def capture(self) -> Capture:
        """The pointer into the WARC this row describes, as article JSON carries it."""
        return Capture(
            warc_file=self.warc_file,
            warc_offset=self.warc_offset,
            warc_length=self.warc_length,
            warc_record_id=self.record_id,
            fetched_at=self.fetched_at,
            status=self.status or 0,
            payload_digest=self.payload_digest or "",
        )


@dataclass(frozen=True)
class ArticleVersion:
    article_id: str
    version: int
    content_hash: str
    record_id: str


@dataclass(frozen=True)
class RunRow:
    id: int
    profile: str
    started_at: str
    state: str
    ended_at: str | None = None
    pid: int | None = None
    host: str | None = None
    resumes: int = 0
    stats: Mapping[str, Any] = field(default_factory=dict)


class Catalog(Protocol):
    """The interface a catalog backend offers (`archive.catalog.sql`: SQLite, PostgreSQL).

    Writes may be buffered: `commit()` makes them durable, `close()` commits. A crash may
    lose the last uncommitted writes, which `archive.catalog.rebuild.sync` recovers from
    the WARC and article files.
    """

    location: str

    def add_capture(self, row: CaptureRow) -> None:
        """Record a capture; a record id already known is left as it is."""

    def set_article(
        self,
        record_id: str,
        *,
        article_id: str,
        version: int,
        content_hash: str,
        canonical_url: str | None,
    ) -> None:
        """Mark the capture `record_id` as holding `version` of the article `article_id`."""

    def last_capture(self, url: str) -> CaptureRow | None:
        """The most recent capture of `url` (as requested), or None."""

    def capture(self, record_id: str) -> CaptureRow | None: ...

    def captures_of(self, url: str) -> list[CaptureRow]:
        """Every capture of `url`, oldest first (which one an article's image points at)."""

    def capture_at(self, url: str, fetched_at: str) -> CaptureRow | None:
        """The response record of `url` at `fetched_at`, to the second (a revisit's original
        named by URI and date)."""

    def latest_version(self, article_id: str) -> ArticleVersion | None: ...

    def captures_of_run(self, run_id: int) -> dict[str, CaptureRow]:
        """URL -> its last capture in run `run_id` (what a resumed run must not fetch)."""

    def drop_records_from(self, warc_file: str, offset: int) -> int:
        """Forget the records of `warc_file` at or after `offset` (a truncated tail)."""

    def known_articles(self) -> dict[str, tuple[float, float]]:
        """URL key -> (capture time, capture time on the server's clock) of each URL whose
        latest capture holds an article."""

    def warc_files(self) -> set[str]: ...

    def register_warc_file(self, name: str, run_id: int) -> None:
        """Note that run `run_id` writes WARC file `name` (durably, at once)."""

    def warc_files_of_run(self, run_id: int) -> list[str]: ...

    def start_run(self, profile: str, *, started_at: str, pid: int, host: str) -> RunRow: ...

    def resume_run(self, run_id: int, *, pid: int, host: str) -> RunRow: ...

    def finish_run(self, run_id: int, *, state: str, ended_at: str, stats: Mapping) -> None: ...

    def set_run_state(self, run_id: int, state: str) -> None: ...

    def runs(self, *, profile: str | None = None, limit: int = 20) -> list[RunRow]:
        """The most recent runs first."""

    def last_run(self, profile: str) -> RunRow | None: ...

    def add_captures(self, rows: Iterable[CaptureRow]) -> None: ...

    def is_empty(self) -> bool:
        """No capture and no run yet: a new catalog (to be seeded from the files)."""

    def commit(self) -> None: ...

    def close(self) -> None: ...
