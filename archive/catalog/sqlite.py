"""The catalog in an embedded SQLite file, `OUT/catalog.sqlite` by default.

WAL journal: readers (`newsarchive runs`, a second command) never block the crawl that
writes, and a process killed mid-transaction leaves the file consistent. Writes are grouped
into transactions of up to `COMMIT_EVERY` rows or `COMMIT_SECONDS` seconds: a commit per
capture would cost a crawl more than its WARC writing, and what a crash loses is recovered
from the WARC files by `archive.catalog.rebuild.sync`.
"""

from __future__ import annotations

import email.utils
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.catalog.model import ArticleVersion, CaptureRow, RunRow
from archive.errors import ArchiveError

SCHEMA_VERSION = 1
COMMIT_EVERY = 500
COMMIT_SECONDS = 2.0

_CAPTURE_COLUMNS = tuple(f.name for f in fields(CaptureRow))

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS captures (
    record_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    record_type TEXT NOT NULL,
    payload_digest TEXT,
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    warc_length INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    refers_to TEXT,
    run_id INTEGER,
    article_id TEXT,
    article_version INTEGER,
    content_hash TEXT,
    canonical_url TEXT,
    server_date TEXT,
    ts REAL NOT NULL,  -- fetched_at as seconds: WARC-Dates of other tools sort badly as text
    url_key TEXT NOT NULL,  -- the URL as looked up (see SqliteCatalog's `url_key`)
    server_ts REAL NOT NULL  -- what the page's own dates are compared with: see server_time
);
CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url_key, ts);
CREATE INDEX IF NOT EXISTS captures_by_article ON captures (article_id, article_version);
CREATE INDEX IF NOT EXISTS captures_by_run ON captures (run_id);
CREATE INDEX IF NOT EXISTS captures_by_file ON captures (warc_file, warc_offset);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    state TEXT NOT NULL,
    pid INTEGER,
    host TEXT,
    resumes INTEGER NOT NULL DEFAULT 0,
    stats TEXT NOT NULL DEFAULT '{{}}'
);
CREATE INDEX IF NOT EXISTS runs_by_profile ON runs (profile, id);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, run_id INTEGER);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');
"""

_SELECT_CAPTURE = f"SELECT {', '.join(_CAPTURE_COLUMNS)} FROM captures"
_INSERT_CAPTURE = (
    f"INSERT OR IGNORE INTO captures ({', '.join(_CAPTURE_COLUMNS)}, ts, url_key, server_ts) "
    f"VALUES ({', '.join('?' * (len(_CAPTURE_COLUMNS) + 3))})"
)
_RUN_COLUMNS = "id, profile, started_at, state, ended_at, pid, host, resumes, stats"


class CatalogError(ArchiveError):
    """The catalog cannot be opened or is not one of ours."""


def epoch(warc_date: str) -> float:
    """Seconds since the epoch of a WARC-Date (any precision); 0.0 when unreadable."""
    text = warc_date.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def _http_date(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def server_time(row: CaptureRow) -> float:
    """When the capture was made, on the site's clock: its `Last-Modified`, else its `Date`,
    else our own WARC-Date. A sitemap's `lastmod` or a feed's date is compared with this,
    not with our clock: a site whose clock runs behind ours, or a CDN still serving the
    old page just after an edit, would otherwise hide the edit for good."""
    return _http_date(row.last_modified) or _http_date(row.server_date) or epoch(row.fetched_at)


def _capture(row: tuple[Any, ...]) -> CaptureRow:
    return CaptureRow(*row)


def _run(row: tuple[Any, ...]) -> RunRow:
    *head, stats = row
    return RunRow(*head, stats=json.loads(stats or "{}"))


def _same(url: str) -> str:
    return url


class SqliteCatalog:
    """The catalog of one output directory, in one SQLite file. One writer at a time (the
    crawl lock sees to it); any number of readers.

    `url_key` maps a URL to what it is looked up by: the crawler passes one that drops
    tracking parameters, so that `/story?utm_source=rss` finds the capture of `/story`.
    (This layer knows nothing of the crawler's URL rules.)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        url_key: Callable[[str], str] = _same,
    ) -> None:
        self.path = Path(path)
        self.url_key = url_key
        self.location = str(self.path)
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(_SCHEMA)
            self._db.execute("PRAGMA busy_timeout=10000")
            version = self._db.execute(
                "SELECT value FROM meta WHERE key='schema_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"{self.path}: not a readable catalog: {exc}") from exc
        if version is None or int(version[0]) != SCHEMA_VERSION:
            raise CatalogError(
                f"{self.path}: catalog schema {version and version[0]}, expected "
                f"{SCHEMA_VERSION}; rebuild it with `newsarchive catalog DIR --rebuild`"
            )
        self._pending = 0
        self._since = time.monotonic()

    # -- writes ---------------------------------------------------------------------------

    def _write(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
        cursor = self._db.execute(sql, tuple(params))
        self._pending += 1
        if self._pending >= COMMIT_EVERY or time.monotonic() - self._since >= COMMIT_SECONDS:
            self.commit()
        return cursor

    def add_capture(self, row: CaptureRow) -> None:
        self._write(
            _INSERT_CAPTURE,
            (*astuple(row), epoch(row.fetched_at), self.url_key(row.url), server_time(row)),
        )

    def add_captures(self, rows: Iterable[CaptureRow]) -> None:
        for row in rows:
            self.add_capture(row)

    def set_article(
        self,
        record_id: str,
        *,
        article_id: str,
        version: int,
        content_hash: str,
        canonical_url: str | None,
    ) -> None:
        self._write(
            "UPDATE captures SET article_id=?, article_version=?, content_hash=?, "
            "canonical_url=? WHERE record_id=?",
            (article_id, version, content_hash, canonical_url, record_id),
        )

    def drop_records_from(self, warc_file: str, offset: int) -> int:
        cursor = self._write(
            "DELETE FROM captures WHERE warc_file=? AND warc_offset>=?", (warc_file, offset)
        )
        return cursor.rowcount

    def start_run(self, profile: str, *, started_at: str, pid: int, host: str) -> RunRow:
        cursor = self._write(
            "INSERT INTO runs (profile, started_at, state, pid, host) VALUES (?, ?, ?, ?, ?)",
            (profile, started_at, "running", pid, host),
        )
        self.commit()
        run = self.run(int(cursor.lastrowid or 0))
        assert run is not None
        return run

    def resume_run(self, run_id: int, *, pid: int, host: str) -> RunRow:
        self._write(
            "UPDATE runs SET state='running', ended_at=NULL, pid=?, host=?, "
            "resumes=resumes+1 WHERE id=?",
            (pid, host, run_id),
        )
        self.commit()
        run = self.run(run_id)
        if run is None:
            raise CatalogError(f"no run {run_id} in {self.path}")
        return run

    def finish_run(
        self, run_id: int, *, state: str, ended_at: str, stats: Mapping[str, Any]
    ) -> None:
        self._write(
            "UPDATE runs SET state=?, ended_at=?, stats=? WHERE id=?",
            (state, ended_at, json.dumps(dict(stats), default=str, sort_keys=True), run_id),
        )
        self.commit()

    def set_run_state(self, run_id: int, state: str) -> None:
        self._write("UPDATE runs SET state=? WHERE id=?", (state, run_id))
        self.commit()

    def register_warc_file(self, name: str, run_id: int) -> None:
        """Note that run `run_id` writes `name`: after a crash, these are the files whose
        records its lost transaction may have left out of the catalog."""
        self._write("INSERT OR REPLACE INTO warc_files VALUES (?, ?)", (name, run_id))
        self.commit()

    def warc_files_of_run(self, run_id: int) -> list[str]:
        rows = self._db.execute("SELECT name FROM warc_files WHERE run_id=?", (run_id,))
        return sorted(name for (name,) in rows)

    def adopt_runs(self, old: str | os.PathLike[str]) -> None:
        """Copy the runs of the catalog file `old`, and each capture's run, into this one."""
        self.commit()
        try:
            self._db.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro",))
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"{old}: not a readable catalog: {exc}") from exc
        try:
            self._db.execute("BEGIN")
            self._db.execute("INSERT OR REPLACE INTO runs SELECT * FROM old.runs")
            self._db.execute("INSERT OR REPLACE INTO warc_files SELECT * FROM old.warc_files")
            self._db.execute(
                "UPDATE captures SET run_id = (SELECT o.run_id FROM old.captures o "
                "WHERE o.record_id = captures.record_id)"
            )
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._db.execute("ROLLBACK")
            raise CatalogError(f"{old}: cannot read its runs: {exc}") from exc
        finally:
            self._db.execute("DETACH DATABASE old")

    def commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0
        self._since = time.monotonic()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self._db.close()

    def __enter__(self) -> SqliteCatalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reads ----------------------------------------------------------------------------

    def last_capture(self, url: str) -> CaptureRow | None:
        row = self._db.execute(
            f"{_SELECT_CAPTURE} WHERE url_key=? ORDER BY ts DESC, rowid DESC LIMIT 1",
            (self.url_key(url),),
        ).fetchone()
        return None if row is None else _capture(row)

    def captures_of(self, url: str) -> list[CaptureRow]:
        rows = self._db.execute(
            f"{_SELECT_CAPTURE} WHERE url_key=? ORDER BY ts, rowid", (self.url_key(url),)
        ).fetchall()
        return [_capture(row) for row in rows]

    def capture(self, record_id: str) -> CaptureRow | None:
        row = self._db.execute(f"{_SELECT_CAPTURE} WHERE record_id=?", (record_id,)).fetchone()
        return None if row is None else _capture(row)

    def capture_at(self, url: str, fetched_at: str) -> CaptureRow | None:
        """The response record of `url` at `fetched_at` (to the second, as WARC-Refers-To-Date
        is often written): how a revisit without WARC-Refers-To finds its original."""
        moment = epoch(fetched_at)
        row = self._db.execute(
            f"{_SELECT_CAPTURE} WHERE url_key=? AND record_type='response' AND ts>=? AND ts<? "
            "ORDER BY ts LIMIT 1",
            (self.url_key(url), moment, moment + 1),
        ).fetchone()
        return None if row is None else _capture(row)

    def latest_version(self, article_id: str) -> ArticleVersion | None:
        row = self._db.execute(
            "SELECT article_id, article_version, content_hash, record_id FROM captures "
            "WHERE article_id=? AND article_version IS NOT NULL "
            "ORDER BY article_version DESC, ts DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        return None if row is None else ArticleVersion(*row)

    def captures_of_run(self, run_id: int) -> dict[str, CaptureRow]:
        rows = self._db.execute(f"{_SELECT_CAPTURE} WHERE run_id=? ORDER BY ts", (run_id,))
        return {row.url: row for row in map(_capture, rows)}

    def known_articles(self) -> dict[str, tuple[float, float]]:
        """URL key -> (capture time, `server_time`) of every URL whose latest capture holds
        an article: what an incremental crawl may skip, kept in memory to be asked per link."""
        # SQLite takes the other columns of a max() query from the row holding the max.
        rows = self._db.execute(
            "SELECT url_key, max(ts), server_ts, article_id FROM captures GROUP BY url_key"
        )
        return {key: (ts, server) for key, ts, server, article in rows if article is not None}

    def warc_files(self) -> set[str]:
        return {name for (name,) in self._db.execute("SELECT DISTINCT warc_file FROM captures")}

    def count_captures(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM captures").fetchone()[0])

    def count_articles(self) -> tuple[int, int]:
        """(articles, versions) the catalog knows."""
        row = self._db.execute(
            "SELECT count(DISTINCT article_id), count(DISTINCT article_id || ':' || "
            "article_version) FROM captures WHERE article_id IS NOT NULL"
        ).fetchone()
        return int(row[0]), int(row[1])

    def run(self, run_id: int) -> RunRow | None:
        row = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self, *, profile: str | None = None, limit: int = 20) -> list[RunRow]:
        where, params = ("WHERE profile=?", (profile,)) if profile else ("", ())
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs {where} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [_run(row) for row in rows]

    def last_run(self, profile: str) -> RunRow | None:
        runs = self.runs(profile=profile, limit=1)
        return runs[0] if runs else None
