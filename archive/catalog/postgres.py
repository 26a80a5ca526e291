"""The catalog on a PostgreSQL server, shared by the workers of a crawl on several machines.

    newsarchive crawl PROFILE --out DIR --frontier redis://… --catalog postgresql://USER@HOST/DB

The same tables and answers as `archive.catalog.sqlite` (one machine, the default); what
differs is what a server needs: a `seq` column where SQLite has its rowid, `DISTINCT ON`
where SQLite takes a max() row's other columns, the schema created under an advisory lock
(workers start together), and many writers at once (PostgreSQL's row locks, where SQLite
has one writer). One database, or one schema (`?options=-csearch_path%3Dharbour`), per
archive. Writes are grouped into transactions like SQLite's (`COMMIT_EVERY` rows or
`COMMIT_SECONDS`), and what a crash loses is recovered from the WARC files the same way.
The tables, queries and methods are `archive.catalog.sql`'s, written once for both.

Imported only when `--catalog postgresql://…` is given: psycopg 3 is the optional extra
`[scale]`. This module imports neither Scrapy nor `crawler`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import psycopg

from archive.catalog.sql import (
    INSERT_CAPTURE_INTO,
    CatalogError,
    Cursor,
    SqlCatalog,
    same_url,
)

_SCHEMA_LOCK = 0x6E657773  # pg_advisory_xact_lock key: "news"


@functools.cache
def _placeholders(sql: str) -> str:
    """`sql`, written with SQLite's `?` placeholders, in psycopg's `%s` style (our queries
    hold no `?` of their own)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresCatalog(SqlCatalog):
    """The catalog in a PostgreSQL database (see the module docstring); any number of
    writers, one connection each. `url_key`: see `SqlCatalog`."""

    _TYPES: ClassVar = {
        "seq": "    seq BIGSERIAL,\n",
        "offset": "BIGINT",
        "seconds": "DOUBLE PRECISION",
        "run_id": "SERIAL",
    }
    _INSERT_CAPTURE = f"INSERT {INSERT_CAPTURE_INTO} ON CONFLICT (record_id) DO NOTHING"
    _SEQ = "seq"
    _LATEST_PER_URL = (
        "SELECT DISTINCT ON (url_key) url_key, ts, server_ts, article_id FROM captures "
        "ORDER BY url_key, ts DESC, seq DESC"
    )

    def __init__(self, url: str, *, url_key: Callable[[str], str] = same_url) -> None:
        self.url_key = url_key
        self.location = _redacted(url)
        try:
            self._db = psycopg.connect(url, autocommit=False)
            with self._db.transaction():
                self._execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
                self._db.execute(self.schema())
                version = self._schema_version()
        except psycopg.Error as exc:
            # libpq's message runs over lines (a hint on the second): one line, as all ours
            reason = " ".join(str(exc).split())
            raise CatalogError(f"{self.location}: cannot open the catalog: {reason}") from exc
        self._opened(version)

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> Cursor:
        return self._db.execute(_placeholders(sql), tuple(params))

    def _end(self) -> None:
        self._db.commit()

    def _insert_run(self, sql: str, params: Iterable[Any]) -> int:
        return int(self._write(f"{sql} RETURNING id", params).fetchone()[0])

    def close(self) -> None:
        if not self._db.closed:
            super().close()


def _redacted(url: str) -> str:
    """`url` without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.rpartition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"
