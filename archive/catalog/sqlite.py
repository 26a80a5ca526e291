"""The catalog in an embedded SQLite file, `OUT/catalog.sqlite` by default.

WAL journal: readers (`newsarchive runs`, a second command) never block the crawl that
writes, and a process killed mid-transaction leaves the file consistent. Writes are grouped
into transactions of up to `COMMIT_EVERY` rows or `COMMIT_SECONDS` seconds: a commit per
capture would cost a crawl more than its WARC writing, and what a crash loses is recovered
from the WARC files by `archive.catalog.rebuild.sync`.

The tables, queries and methods are `archive.catalog.sql`'s, shared with the PostgreSQL
backend; this module opens the file and says what SQLite does differently.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from archive.catalog.sql import (
    COMMIT_EVERY,
    COMMIT_SECONDS,
    INSERT_CAPTURE_INTO,
    SCHEMA_VERSION,
    CatalogError,
    SqlCatalog,
    epoch,
    same_url,
    server_time,
)

__all__ = [
    "COMMIT_EVERY",
    "COMMIT_SECONDS",
    "SCHEMA_VERSION",
    "CatalogError",
    "SqliteCatalog",
    "epoch",
    "server_time",
]


class SqliteCatalog(SqlCatalog):
    """The catalog of one output directory, in one SQLite file. One writer at a time (the
    crawl lock sees to it); any number of readers. `url_key`: see `SqlCatalog`."""

    _TYPES: ClassVar = {"seq": "", "offset": "INTEGER", "seconds": "REAL", "run_id": "INTEGER"}
    _INSERT_CAPTURE = f"INSERT OR IGNORE {INSERT_CAPTURE_INTO}"
    _SEQ = "rowid"
    # SQLite takes the other columns of a max() query from the row holding the max.
    # The latest capture of each URL, the last recorded of two at the same time, as
    # `last_capture` and PostgreSQL's DISTINCT ON take it (max()'s bare columns took the
    # first recorded).
    _LATEST_PER_URL = (
        "SELECT url_key, ts, server_ts, article_id FROM (SELECT url_key, ts, server_ts, "
        "article_id, row_number() OVER (PARTITION BY url_key ORDER BY ts DESC, rowid DESC) "
        "AS n FROM captures) WHERE n = 1"
    )
    _SCHEMA_ADVICE = "; rebuild it with `newsarchive catalog DIR --rebuild`"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        url_key: Callable[[str], str] = same_url,
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
                self._db.executescript(self.schema())
            self._db.execute("PRAGMA busy_timeout=10000")
            version = self._schema_version()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"{self.path}: not a readable catalog: {exc}") from exc
        self._opened(version)

    def _begin(self) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")

    def _end(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def _insert_run(self, sql: str, params: Iterable[Any]) -> int:
        return int(self._write(sql, params).lastrowid or 0)

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
