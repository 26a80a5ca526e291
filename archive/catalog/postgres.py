"""The catalog on a PostgreSQL server, shared by the workers of a crawl on several machines.

    newsarchive crawl PROFILE --out DIR --frontier redis://… --catalog postgresql://USER@HOST/DB

The same tables and answers as `archive.catalog.sqlite` (one machine, the default); what
differs is what a server needs: a `seq` column where SQLite has its rowid, `DISTINCT ON`
where SQLite takes a max() row's other columns, the schema created under an advisory lock
(workers start together), and many writers at once (PostgreSQL's row locks, where SQLite
has one writer). One database, or one schema (`?options=-csearch_path%3Dharbour`), per
archive. Writes are grouped into transactions like SQLite's (`COMMIT_EVERY` rows or
`COMMIT_SECONDS`), and what a crash loses is recovered from the WARC files the same way.

Imported only when `--catalog postgresql://…` is given: psycopg 3 is the optional extra
`[scale]`. This module imports neither Scrapy nor `crawler`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, fields
from typing import Any

import psycopg

from archive.catalog.model import ArticleVersion, CaptureRow, RunRow
from archive.catalog.sqlite import (
    COMMIT_EVERY,
    COMMIT_SECONDS,
    SCHEMA_VERSION,
    CatalogError,
    epoch,
    server_time,
)

_CAPTURE_COLUMNS = tuple(f.name for f in fields(CaptureRow))
_SCHEMA_LOCK = 0x6E657773  # pg_advisory_xact_lock key: "news"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS captures (
    seq BIGSERIAL,
    record_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    record_type TEXT NOT NULL,
    payload_digest TEXT,
    warc_file TEXT NOT NULL,
    warc_offset BIGINT NOT NULL,
    warc_length BIGINT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    refers_to TEXT,
    run_id INTEGER,
    article_id TEXT,
    article_version INTEGER,
    content_hash TEXT,
    canonical_url TEXT,
    server_date TEXT,
    ts DOUBLE PRECISION NOT NULL,
    url_key TEXT NOT NULL,
    server_ts DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url_key, ts);
CREATE INDEX IF NOT EXISTS captures_by_article ON captures (article_id, article_version);
CREATE INDEX IF NOT EXISTS captures_by_run ON captures (run_id);
CREATE INDEX IF NOT EXISTS captures_by_file ON captures (warc_file, warc_offset);
CREATE TABLE IF NOT EXISTS runs (
    id SERIAL PRIMARY KEY,
    profile TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    state TEXT NOT NULL,
    pid INTEGER,
    host TEXT,
    resumes INTEGER NOT NULL DEFAULT 0,
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_by_profile ON runs (profile, id);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, run_id INTEGER);
"""

_SELECT_CAPTURE = f"SELECT {', '.join(_CAPTURE_COLUMNS)} FROM captures"
_INSERT_CAPTURE = (
    f"INSERT INTO captures ({', '.join(_CAPTURE_COLUMNS)}, ts, url_key, server_ts) "
    f"VALUES ({', '.join(['%s'] * (len(_CAPTURE_COLUMNS) + 3))}) "
    "ON CONFLICT (record_id) DO NOTHING"
)
_RUN_COLUMNS = "id, profile, started_at, state, ended_at, pid, host, resumes, stats"


def _run(row: tuple[Any, ...]) -> RunRow:
    *head, stats = row
    return RunRow(*head, stats=json.loads(stats or "{}"))


def _same(url: str) -> str:
    return url


class PostgresCatalog:
    """The catalog in a PostgreSQL database (see the module docstring); any number of
    writers, one connection each."""

    def __init__(self, url: str, *, url_key: Callable[[str], str] = _same) -> None:
        self.url_key = url_key
        self.location = _redacted(url)
        try:
            self._db = psycopg.connect(url, autocommit=False)
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                self._db.execute(_SCHEMA)
                self._db.execute(
                    "INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT DO NOTHING",
                    (str(SCHEMA_VERSION),),
                )
                row = self._db.execute(
                    "SELECT value FROM meta WHERE key='schema_version'"
                ).fetchone()
        except psycopg.Error as exc:
            raise CatalogError(f"{self.location}: cannot open the catalog: {exc}") from exc
        if row is None or int(row[0]) != SCHEMA_VERSION:
            raise CatalogError(
                f"{self.location}: catalog schema {row and row[0]}, expected {SCHEMA_VERSION}"
            )
        self._pending = 0
        self._since = time.monotonic()

    # -- writes ---------------------------------------------------------------------------

    def _write(self, sql: str, params: Iterable[Any] = ()) -> psycopg.Cursor[Any]:
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
            "UPDATE captures SET article_id=%s, article_version=%s, content_hash=%s, "
            "canonical_url=%s WHERE record_id=%s",
            (article_id, version, content_hash, canonical_url, record_id),
        )

    def drop_records_from(self, warc_file: str, offset: int) -> int:
        cursor = self._write(
            "DELETE FROM captures WHERE warc_file=%s AND warc_offset>=%s", (warc_file, offset)
        )
        return cursor.rowcount

    def start_run(self, profile: str, *, started_at: str, pid: int, host: str) -> RunRow:
        cursor = self._write(
            "INSERT INTO runs (profile, started_at, state, pid, host) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (profile, started_at, "running", pid, host),
        )
        run_id = int(cursor.fetchone()[0])
        self.commit()
        run = self.run(run_id)
        assert run is not None
        return run

    def resume_run(self, run_id: int, *, pid: int, host: str) -> RunRow:
        self._write(
            "UPDATE runs SET state='running', ended_at=NULL, pid=%s, host=%s, "
            "resumes=resumes+1 WHERE id=%s",
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
            "UPDATE runs SET state=%s, ended_at=%s, stats=%s WHERE id=%s",
            (state, ended_at, json.dumps(dict(stats), default=str, sort_keys=True), run_id),
        )
        self.commit()

    def set_run_state(self, run_id: int, state: str) -> None:
        self._write("UPDATE runs SET state=%s WHERE id=%s", (state, run_id))
        self.commit()

    def register_warc_file(self, name: str, run_id: int) -> None:
        self._write(
            "INSERT INTO warc_files VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET run_id=EXCLUDED.run_id",
            (name, run_id),
        )
        self.commit()

    def warc_files_of_run(self, run_id: int) -> list[str]:
        rows = self._db.execute("SELECT name FROM warc_files WHERE run_id=%s", (run_id,))
        return sorted(name for (name,) in rows)

    def commit(self) -> None:
        self._db.commit()
        self._pending = 0
        self._since = time.monotonic()

    def close(self) -> None:
        if self._db.closed:
            return
        try:
            self.commit()
        finally:
            self._db.close()

    def __enter__(self) -> PostgresCatalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reads ----------------------------------------------------------------------------

    def _one(self, sql: str, params: Iterable[Any]) -> CaptureRow | None:
        row = self._db.execute(sql, tuple(params)).fetchone()
        return None if row is None else CaptureRow(*row)

    def last_capture(self, url: str) -> CaptureRow | None:
        return self._one(
            f"{_SELECT_CAPTURE} WHERE url_key=%s ORDER BY ts DESC, seq DESC LIMIT 1",
            (self.url_key(url),),
        )

    def captures_of(self, url: str) -> list[CaptureRow]:
        rows = self._db.execute(
            f"{_SELECT_CAPTURE} WHERE url_key=%s ORDER BY ts, seq", (self.url_key(url),)
        ).fetchall()
        return [CaptureRow(*row) for row in rows]

    def capture(self, record_id: str) -> CaptureRow | None:
        return self._one(f"{_SELECT_CAPTURE} WHERE record_id=%s", (record_id,))

    def capture_at(self, url: str, fetched_at: str) -> CaptureRow | None:
        moment = epoch(fetched_at)
        return self._one(
            f"{_SELECT_CAPTURE} WHERE url_key=%s AND record_type='response' AND ts>=%s "
            "AND ts<%s ORDER BY ts LIMIT 1",
            (self.url_key(url), moment, moment + 1),
        )

    def latest_version(self, article_id: str) -> ArticleVersion | None:
        row = self._db.execute(
            "SELECT article_id, article_version, content_hash, record_id FROM captures "
            "WHERE article_id=%s AND article_version IS NOT NULL "
            "ORDER BY article_version DESC, ts DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        return None if row is None else ArticleVersion(*row)

    def captures_of_run(self, run_id: int) -> dict[str, CaptureRow]:
        rows = self._db.execute(
            f"{_SELECT_CAPTURE} WHERE run_id=%s ORDER BY ts, seq", (run_id,)
        ).fetchall()
        return {row.url: row for row in (CaptureRow(*r) for r in rows)}

    def known_articles(self) -> dict[str, tuple[float, float]]:
        rows = self._db.execute(
            "SELECT DISTINCT ON (url_key) url_key, ts, server_ts, article_id FROM captures "
            "ORDER BY url_key, ts DESC, seq DESC"
        )
        return {key: (ts, server) for key, ts, server, article in rows if article is not None}

    def warc_files(self) -> set[str]:
        rows = self._db.execute("SELECT DISTINCT warc_file FROM captures")
        return {name for (name,) in rows}

    def count_captures(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM captures").fetchone()[0])

    def count_articles(self) -> tuple[int, int]:
        row = self._db.execute(
            "SELECT count(DISTINCT article_id), count(DISTINCT article_id || ':' || "
            "article_version) FROM captures WHERE article_id IS NOT NULL"
        ).fetchone()
        return int(row[0]), int(row[1])

    def is_empty(self) -> bool:
        """No capture and no run yet: a new catalog (to be seeded from the files)."""
        row = self._db.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM captures) AND NOT EXISTS (SELECT 1 FROM runs)"
        ).fetchone()
        return bool(row[0])

    def run(self, run_id: int) -> RunRow | None:
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id=%s", (run_id,)
        ).fetchone()
        return None if row is None else _run(row)

    def runs(self, *, profile: str | None = None, limit: int = 20) -> list[RunRow]:
        where, params = ("WHERE profile=%s", (profile,)) if profile else ("", ())
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs {where} ORDER BY id DESC LIMIT %s",
            (*params, limit),
        )
        return [_run(row) for row in rows]

    def last_run(self, profile: str) -> RunRow | None:
        runs = self.runs(profile=profile, limit=1)
        return runs[0] if runs else None


def _redacted(url: str) -> str:
    """`url` without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.rpartition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"
