"""The catalog: an index of what an archive holds, for incremental and resumed crawls.

    from archive.catalog import open_catalog
    with open_catalog(out) as catalog:          # OUT/catalog.sqlite
        catalog.last_capture(url)

`model` defines the rows and the interface, `sql` the tables, queries and methods of
every SQL backend: `sqlite` the default (one machine), `postgres` a server shared by the
workers of a crawl (imported only when configured: `crawler.session.open_catalog_url`).
`rebuild` remakes a catalog from the WARC and article files it indexes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from archive.catalog.model import (
    CRASHED,
    FAILED,
    FINISHED,
    INTERRUPTED,
    RESUMABLE_STATES,
    RUNNING,
    ArticleVersion,
    CaptureRow,
    Catalog,
    RunRow,
)
from archive.catalog.sqlite import CatalogError, SqliteCatalog

CATALOG_FILE = "catalog.sqlite"

__all__ = [
    "CATALOG_FILE",
    "CRASHED",
    "FAILED",
    "FINISHED",
    "INTERRUPTED",
    "RESUMABLE_STATES",
    "RUNNING",
    "ArticleVersion",
    "CaptureRow",
    "Catalog",
    "CatalogError",
    "RunRow",
    "SqliteCatalog",
    "catalog_path",
    "open_catalog",
]


def catalog_path(out: str | os.PathLike[str]) -> Path:
    return Path(out) / CATALOG_FILE


def open_catalog(
    out: str | os.PathLike[str],
    *,
    readonly: bool = False,
    url_key: Callable[[str], str] | None = None,
) -> SqliteCatalog:
    """The catalog of the output directory `out` (created when missing, unless `readonly`);
    `url_key`: see `SqliteCatalog`."""
    path = catalog_path(out)
    if readonly and not path.exists():
        raise CatalogError(f"{out} has no catalog ({CATALOG_FILE})")
    if url_key is None:
        return SqliteCatalog(path, readonly=readonly)
    return SqliteCatalog(path, readonly=readonly, url_key=url_key)
