"""Export stored articles as JSON Lines, CSV or Parquet, streaming.

One module per job:
- `selection`: which files are read, and which version of an article is written
  (`iter_selected`, `select_articles`, `ExportStats`);
- `filters`: `ArticleFilter` (site, published date, language) and `parse_timestamp`;
- `fields`: the known article fields and the column projection the writers share;
- `writers`: JSON Lines and CSV; `parquet`: Parquet;
- `errors`: `ExportError`;
- this package: `export_articles`, which runs a selection into one writer.

Selection walks `OUT/articles/<site>/<yyyy>/<mm>/` in name order, twice:

1. file names only: which article ids have more than one stored capture (an id is the hash
   of the canonical URL, so one id is one canonical URL);
2. the export itself: an article with one file is read and written at once; for one with
   several, all its files are read when the first is met and only the latest version (the
   highest `version`, else the latest `capture.fetched_at`) is written. With every version
   asked for, its files are written in capture order, except a file whose content
   (`archive.layout.content_hash`) is that of the previous one written: archives from
   before versions existed hold a file per capture, changed or not.

Memory holds the set of ids and the few duplicated ones, never the documents, so it stays
flat however many articles there are. Filters (site, published date, language) apply to
the capture that is exported.

Formats:
- JSON Lines: each document on one line, as stored (or only the chosen fields).
- CSV (RFC 4180): CRLF line ends, minimal quoting, newlines kept inside quoted cells, lists
  of plain values joined with "; ", objects and lists of objects as JSON; UTF-8. For
  spreadsheets (`excel=True`): a byte order mark, so that they detect UTF-8, and text that
  would start a formula (=, +, -, @) prefixed with an apostrophe.
- Parquet (needs pyarrow): a typed schema — dates as UTC timestamps, lists as lists,
  `images` as list<struct<url, caption, credit, capture>>, `capture` as a struct — written in row
  groups of at most 10,000 articles or 16 MB of input JSON, whichever comes first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO

from archive.export.errors import ExportError
from archive.export.fields import ARTICLE_FIELDS, default_columns, get_field
from archive.export.filters import ArticleFilter, parse_timestamp
from archive.export.parquet import ParquetWriter, arrow_types, field_type, import_pyarrow
from archive.export.selection import ExportStats, Selected, iter_selected, select_articles
from archive.export.writers import CsvWriter, JsonlWriter, csv_cell, defuse_formula

FORMATS = ("jsonl", "csv", "parquet")

__all__ = [
    "ARTICLE_FIELDS",
    "FORMATS",
    "ArticleFilter",
    "CsvWriter",
    "ExportError",
    "ExportStats",
    "JsonlWriter",
    "ParquetWriter",
    "Selected",
    "arrow_types",
    "csv_cell",
    "default_columns",
    "defuse_formula",
    "export_articles",
    "field_type",
    "get_field",
    "import_pyarrow",
    "iter_selected",
    "parse_timestamp",
    "select_articles",
]


def export_articles(
    directory: str | os.PathLike[str],
    out: IO[bytes],
    *,
    fmt: str = "jsonl",
    article_filter: ArticleFilter | None = None,
    fields: Sequence[str] | None = None,
    all_versions: bool = False,
    excel: bool = False,
    row_group_size: int = 10_000,
) -> ExportStats:
    """Write the selected articles of `directory` to the binary stream `out`."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "parquet":
        import_pyarrow()  # fail before reading anything
    stats = ExportStats()
    selection = iter_selected(
        directory,
        article_filter,
        all_versions=all_versions,
        stats=stats,
        parse=not (fmt == "jsonl" and not fields),
    )
    first = next(selection, None)
    columns = list(fields) if fields else default_columns(first and first.document)
    writer: JsonlWriter | CsvWriter | ParquetWriter
    if fmt == "jsonl":
        writer = JsonlWriter(out, fields)
    elif fmt == "csv":
        writer = CsvWriter(out, columns, excel=excel)
    else:
        writer = ParquetWriter(out, columns, row_group_size=row_group_size)
    if first is not None:
        writer.write(first.document, first.raw)  # type: ignore[arg-type]
        for selected in selection:
            writer.write(selected.document, selected.raw)  # type: ignore[arg-type]
    writer.close()
    return stats
