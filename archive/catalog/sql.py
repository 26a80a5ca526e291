"""The catalog's tables, queries and methods, once, for every SQL backend.

`SqlCatalog` holds them; a backend (`sqlite`, `postgres`) opens the connection (`_db`) and
says what its dialect does differently, in class attributes and a few hooks:

- `_execute`: one statement. Queries are written once, with SQLite's `?` placeholders;
  the PostgreSQL backend turns them into psycopg's `%s`.
- `_begin`, `_end`: open and commit a transaction (SQLite's explicit `BEGIN`; psycopg
  opens one by itself).
- `_insert_run`: the id of a new run (SQLite's `lastrowid`; PostgreSQL's `RETURNING id`).
- `_INSERT_CAPTURE`: a capture already known is ignored (`INSERT OR IGNORE`; `ON CONFLICT
  DO NOTHING`).
- `_SEQ`: the column that keeps the order of insertion (SQLite's `rowid`; a `seq` column).
- `_LATEST_PER_URL`: each URL key's latest capture (SQLite's bare columns of a max()
  query; PostgreSQL's `DISTINCT ON`).
- `_TYPES`: the column types (and `seq` column) of `schema()`.

This module imports neither Scrapy nor `crawler`, nor any database driver.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import astuple, fields
from datetime import datetime
from typing import Any, ClassVar, Protocol, Self

from archive.catalog.model import ArticleVersion, CaptureRow, RunRow
from archive.errors import ArchiveError

SCHEMA_VERSION = 1
COMMIT_EVERY = 500
COMMIT_SECONDS = 2.0

CAPTURE_COLUMNS = tuple(f.name for f in fields(CaptureRow))

# `{seq}`: a column before the others; the other fields: column types (see `schema`).
# SQLite keeps this text in its file, comments and all.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS captures (
{seq}    record_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    record_type TEXT NOT NULL,
    payload_digest TEXT,
    warc_file TEXT NOT NULL,
    warc_offset {offset} NOT NULL,
    warc_length {offset} NOT NULL,
    etag TEXT,
    last_modified TEXT,
    refers_to TEXT,
    run_id INTEGER,
    article_id TEXT,
    article_version INTEGER,
    content_hash TEXT,
    canonical_url TEXT,
    server_date TEXT,
    ts {seconds} NOT NULL,  -- fetched_at as seconds: WARC-Dates of other tools sort badly as text
    url_key TEXT NOT NULL,  -- the URL as looked up (see SqliteCatalog's `url_key`)
    server_ts {seconds} NOT NULL  -- what the page's own dates are compared with: see server_time
);
CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url_key, ts);
CREATE INDEX IF NOT EXISTS captures_by_article ON captures (article_id, article_version);
CREATE INDEX IF NOT EXISTS captures_by_run ON captures (run_id);
CREATE INDEX IF NOT EXISTS captures_by_file ON captures (warc_file, warc_offset);
CREATE TABLE IF NOT EXISTS runs (
    id {run_id} PRIMARY KEY,
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
INSERT INTO meta VALUES ('schema_version', '{version}') ON CONFLICT DO NOTHING;
"""

_SELECT_CAPTURE = f"SELECT {', '.join(CAPTURE_COLUMNS)} FROM captures"
# Completed by each backend into its `_INSERT_CAPTURE`.
INSERT_CAPTURE_INTO = (
    f"INTO captures ({', '.join(CAPTURE_COLUMNS)}, ts, url_key, server_ts) "
    f"VALUES ({', '.join('?' * (len(CAPTURE_COLUMNS) + 3))})"
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


def _run(row: tuple[Any, ...]) -> RunRow:
    *head, stats = row
    return RunRow(*head, stats=json.loads(stats or "{}"))


def same_url(url: str) -> str:
    return url


class Cursor(Protocol):
    """What the catalog uses of a DB-API cursor (sqlite3's and psycopg's alike)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class SqlCatalog:
    """The catalog's queries and methods (`archive.catalog.model.Catalog`, and more), on a
    connection a subclass opens; see the module docstring for what a subclass provides.

    `url_key` maps a URL to what it is looked up by: the crawler passes one that drops
    tracking parameters, so that `/story?utm_source=rss` finds the capture of `/story`.
    (This layer knows nothing of the crawler's URL rules.)
    """

    _TYPES: ClassVar[Mapping[str, str]]  # the fields of `schema()`
    _INSERT_CAPTURE: ClassVar[str]
    _SEQ: ClassVar[str]
    _LATEST_PER_URL: ClassVar[str]  # rows of (url_key, ts, server_ts, article_id)
    _SCHEMA_ADVICE: ClassVar[str] = ""  # what to do about a schema of another version

    location: str
    url_key: Callable[[str], str]
    _db: Any  # the DB-API connection the backend opens

    # -- what a backend provides ----------------------------------------------------------

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> Cursor:
        return self._db.execute(sql, tuple(params))

    def _begin(self) -> None:
        """Open a transaction, unless one is open."""

    def _end(self) -> None:
        """Commit the open transaction, if any."""
        raise NotImplementedError

    def _insert_run(self, sql: str, params: Iterable[Any]) -> int:
        """`_write` the INSERT `sql` into `runs`; the new row's id."""
        raise NotImplementedError

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def schema(cls) -> str:
        """The statements that create the tables where they are missing."""
        return _SCHEMA.format(version=SCHEMA_VERSION, **cls._TYPES)

    def _schema_version(self) -> str | None:
        row = self._execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return None if row is None else row[0]

    def _opened(self, version: str | None) -> None:
        """Raise CatalogError unless `version` (`_schema_version()`) is this code's schema;
        start counting the writes of the first transaction."""
        if version is None or int(version) != SCHEMA_VERSION:
            raise CatalogError(
                f"{self.location}: catalog schema {version}, expected "
                f"{SCHEMA_VERSION}{self._SCHEMA_ADVICE}"
            )
        self._pending = 0
        self._since = time.monotonic()

    # -- writes ---------------------------------------------------------------------------

    def _write(self, sql: str, params: Iterable[Any] = ()) -> Cursor:
        self._begin()
        cursor = self._execute(sql, params)
        self._pending += 1
        if self._pending >= COMMIT_EVERY or time.monotonic() - self._since >= COMMIT_SECONDS:
            self.commit()
        return cursor

    def add_capture(self, row: CaptureRow) -> None:
        self._write(
            self._INSERT_CAPTURE,
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
        run_id = self._insert_run(
            "INSERT INTO runs (profile, started_at, state, pid, host) VALUES (?, ?, ?, ?, ?)",
            (profile, started_at, "running", pid, host),
        )
        self.commit()
        run = self.run(run_id)
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
            raise CatalogError(f"no run {run_id} in {self.location}")
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
        self._write(
            "INSERT INTO warc_files VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET run_id=excluded.run_id",
            (name, run_id),
        )
        self.commit()

    def commit(self) -> None:
        self._end()
        self._pending = 0
        self._since = time.monotonic()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reads ----------------------------------------------------------------------------

    def _capture(self, sql: str, params: Iterable[Any]) -> CaptureRow | None:
        row = self._execute(sql, params).fetchone()
        return None if row is None else CaptureRow(*row)

    def _captures(self, sql: str, params: Iterable[Any]) -> list[CaptureRow]:
        return [CaptureRow(*row) for row in self._execute(sql, params).fetchall()]

    def last_capture(self, url: str) -> CaptureRow | None:
        return self._capture(
            f"{_SELECT_CAPTURE} WHERE url_key=? ORDER BY ts DESC, {self._SEQ} DESC LIMIT 1",
            (self.url_key(url),),
        )

    def captures_of(self, url: str) -> list[CaptureRow]:
        return self._captures(
            f"{_SELECT_CAPTURE} WHERE url_key=? ORDER BY ts, {self._SEQ}", (self.url_key(url),)
        )

    def capture(self, record_id: str) -> CaptureRow | None:
        return self._capture(f"{_SELECT_CAPTURE} WHERE record_id=?", (record_id,))

    def capture_at(self, url: str, fetched_at: str) -> CaptureRow | None:
        """The response record of `url` at `fetched_at` (to the second, as WARC-Refers-To-Date
        is often written): how a revisit without WARC-Refers-To finds its original."""
        moment = epoch(fetched_at)
        return self._capture(
            f"{_SELECT_CAPTURE} WHERE url_key=? AND record_type='response' AND ts>=? AND ts<? "
            "ORDER BY ts LIMIT 1",
            (self.url_key(url), moment, moment + 1),
        )

    def latest_version(self, article_id: str) -> ArticleVersion | None:
        row = self._execute(
            "SELECT article_id, article_version, content_hash, record_id FROM captures "
            "WHERE article_id=? AND article_version IS NOT NULL "
            "ORDER BY article_version DESC, ts DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        return None if row is None else ArticleVersion(*row)

    def captures_of_run(self, run_id: int) -> dict[str, CaptureRow]:
        rows = self._captures(
            f"{_SELECT_CAPTURE} WHERE run_id=? ORDER BY ts, {self._SEQ}", (run_id,)
        )
        return {row.url: row for row in rows}

    def known_articles(self) -> dict[str, tuple[float, float]]:
        """URL key -> (capture time, `server_time`) of every URL whose latest capture holds
        an article: what an incremental crawl may skip, kept in memory to be asked per link."""
        rows = self._execute(self._LATEST_PER_URL)
        return {key: (ts, server) for key, ts, server, article in rows if article is not None}

    def warc_files(self) -> set[str]:
        return {name for (name,) in self._execute("SELECT DISTINCT warc_file FROM captures")}

    def warc_files_of_run(self, run_id: int) -> list[str]:
        rows = self._execute("SELECT name FROM warc_files WHERE run_id=?", (run_id,))
        return sorted(name for (name,) in rows)

    def count_captures(self) -> int:
        return int(self._execute("SELECT count(*) FROM captures").fetchone()[0])

    def count_urls(self) -> int:
        """Distinct URLs (by `url_key`) captured."""
        return int(self._execute("SELECT count(DISTINCT url_key) FROM captures").fetchone()[0])

    def count_revisits(self) -> int:
        sql = "SELECT count(*) FROM captures WHERE record_type='revisit'"
        return int(self._execute(sql).fetchone()[0])

    def count_articles(self) -> tuple[int, int]:
        """(articles, versions) the catalog knows."""
        row = self._execute(
            "SELECT count(DISTINCT article_id), count(DISTINCT article_id || ':' || "
            "article_version) FROM captures WHERE article_id IS NOT NULL"
        ).fetchone()
        return int(row[0]), int(row[1])

    def is_empty(self) -> bool:
        """No capture and no run yet: a new catalog (to be seeded from the files)."""
        row = self._execute(
            "SELECT NOT EXISTS (SELECT 1 FROM captures) AND NOT EXISTS (SELECT 1 FROM runs)"
        ).fetchone()
        return bool(row[0])

    def run(self, run_id: int) -> RunRow | None:
        row = self._execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self, *, profile: str | None = None, limit: int = 20) -> list[RunRow]:
        """The most recent runs first."""
        where, params = ("WHERE profile=?", (profile,)) if profile else ("", ())
        rows = self._execute(
            f"SELECT {_RUN_COLUMNS} FROM runs {where} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [_run(row) for row in rows]

    def last_run(self, profile: str) -> RunRow | None:
        runs = self.runs(profile=profile, limit=1)
        return runs[0] if runs else None
