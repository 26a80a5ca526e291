"""Export stored articles as JSON Lines, CSV or Parquet, streaming.

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

import csv
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from archive.errors import ArchiveError
from archive.layout import (
    ARTICLES_DIR,
    content_hash,
    fetched_at,
    safe_segment,
    walk_article_files,
)
from archive.lookup import version_order

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "parquet")

# The article JSON's fields in their stored order (crawler/article_record.py): the default
# columns of CSV and Parquet. Fields a document has beyond these are added after them.
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "site",
    "version",
    "title",
    "authors",
    "published",
    "published_raw",
    "modified",
    "modified_raw",
    "section",
    "breadcrumbs",
    "tags",
    "language",
    "description",
    "site_name",
    "body",
    "body_html",
    "images",
    "word_count",
    "article_score",
    "capture",
    "extractor",
    "extracted_at",
)

_MISSING = object()
_CHUNK = 1 << 16
_FORMULA_START = frozenset("=+-@\t\r")


class ExportError(ArchiveError):
    """An export could not be set up or written."""


# -- dates ---------------------------------------------------------------------------------


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive ones are taken as UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _date_only(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()))


# -- selection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles to export. Date bounds apply to `published`; `until` is inclusive."""

    sites: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None  # exclusive bound (a date `until` ends after that day)
    languages: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        sites: Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        languages: Iterable[str] = (),
    ) -> ArticleFilter:
        lower = upper = None
        if since:
            lower = parse_timestamp(since.strip())
            if lower is None:
                raise ExportError(f"--since {since!r} is not an ISO date or date-time")
        if until:
            upper = parse_timestamp(until.strip())
            if upper is None:
                raise ExportError(f"--until {until!r} is not an ISO date or date-time")
            # Inclusive: a date means the whole day, a date-time that very microsecond.
            upper += timedelta(days=1) if _date_only(until) else timedelta(microseconds=1)
        return cls(
            sites=frozenset(s for s in sites if s),
            since=lower,
            until=upper,
            languages=tuple(lang.lower() for lang in languages if lang),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.sites or self.languages or self.dated)

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def site_directories(self) -> frozenset[str] | None:
        return frozenset(safe_segment(s) for s in self.sites) if self.sites else None

    def accepts(self, document: dict[str, Any]) -> bool:
        if self.sites and document.get("site") not in self.sites:
            return False
        if self.languages:
            language = str(document.get("language") or "").lower()
            if not any(language == w or language.startswith(w + "-") for w in self.languages):
                return False
        if self.dated:
            published = parse_timestamp(document.get("published"))
            if published is None:
                return False
            if self.since is not None and published < self.since:
                return False
            if self.until is not None and published >= self.until:
                return False
        return True


@dataclass
class ExportStats:
    files: int = 0  # article files seen
    read: int = 0  # files parsed
    written: int = 0  # rows written
    older_versions: int = 0  # captures left out because a later one exists
    unchanged: int = 0  # all versions: captures left out, same content as the one before
    unreadable: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Selected:
    """One document to export, with the bytes it was read from.

    `document` is None when the caller asked for the bytes only (`parse=False`).
    """

    document: dict[str, Any] | None
    raw: bytes
    path: str = ""


def _read_bytes(path: str) -> bytes:
    """The file's bytes; plain `os.read` costs half of `open().read()` on small files."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(fd, _CHUNK)]
        while len(chunks[-1]) == _CHUNK:
            chunks.append(os.read(fd, _CHUNK))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _read(path: str, stats: ExportStats, *, parse: bool = True) -> Selected | None:
    stats.read += 1
    try:
        raw = _read_bytes(path)
        if not parse:
            # Unparsed, a file is still checked to hold one whole object: what a
            # truncated or foreign file fails.
            stripped = raw.strip()
            if stripped[:1] != b"{" or stripped[-1:] != b"}":
                raise ValueError("not one JSON object")
            return Selected(None, raw, path)
        document = json.loads(raw)
    except (OSError, ValueError) as exc:
        logger.warning("skipping unreadable article %s: %s", path, exc)
        stats.unreadable.append(path)
        return None
    if not isinstance(document, dict):
        logger.warning("skipping %s: not a JSON object", path)
        stats.unreadable.append(path)
        return None
    return Selected(document, raw, path)


def _by_canonical_url(paths: list[str], stats: ExportStats) -> dict[str, list[Selected]]:
    """The readable files of one id, grouped by canonical URL (an id is a hash of it)."""
    groups: dict[str, list[Selected]] = {}
    for path in paths:
        selected = _read(path, stats)
        if selected is None:
            continue
        document = selected.document
        assert document is not None
        canonical = str(document.get("canonical_url") or document.get("url") or path)
        groups.setdefault(canonical, []).append(selected)
    return groups


def _latest_versions(paths: list[str], stats: ExportStats) -> list[Selected]:
    """The latest version (`archive.lookup.version_order`) per canonical URL among the files
    of one id: what `newsarchive show` shows."""
    groups = _by_canonical_url(paths, stats)
    latest = [
        max(group, key=lambda s: version_order(s.document or {}, s.path))
        for group in groups.values()
    ]
    stats.older_versions += sum(map(len, groups.values())) - len(latest)
    return latest


def _distinct_versions(paths: list[str], stats: ExportStats) -> list[Selected]:
    """Per canonical URL among the files of one id, its files in capture order less those
    whose content equals the previous kept one's (a capture that changed nothing)."""
    kept: list[Selected] = []
    for group in _by_canonical_url(paths, stats).values():
        group.sort(key=lambda s: (fetched_at(s.document or {}), s.path))
        previous = None
        for selected in group:
            digest = content_hash(selected.document or {})
            if digest == previous:
                stats.unchanged += 1
                continue
            previous = digest
            kept.append(selected)
    return kept


def iter_selected(
    directory: str | os.PathLike[str],
    article_filter: ArticleFilter | None = None,
    *,
    all_versions: bool = False,
    stats: ExportStats | None = None,
    parse: bool = True,
) -> Iterator[Selected]:
    """The documents to export, one at a time (see the module docstring).

    With `parse=False` and no filter, a document stored once is passed on as bytes, not
    parsed (the fast path of a plain JSONL export).
    """
    article_filter = article_filter or ArticleFilter()
    stats = stats if stats is not None else ExportStats()
    site_dirs = article_filter.site_directories()
    parse = parse or not article_filter.is_empty
    if not (Path(directory) / ARTICLES_DIR).is_dir():
        raise ExportError(f"{directory} has no {ARTICLES_DIR}/ directory")
    # Pass 1, names only: for an id stored more than once, the paths after its first.
    later_paths: dict[str, list[str] | None] = {}
    seen: set[str] = set()
    for article, path in walk_article_files(directory, site_dirs):
        if article in seen:
            paths = later_paths.setdefault(article, [])
            assert paths is not None
            paths.append(path)
        else:
            seen.add(article)
    del seen
    versions = _distinct_versions if all_versions else _latest_versions
    # Pass 2, in the same order: the first path of such an id is met before the others.
    for article, path in walk_article_files(directory, site_dirs):
        stats.files += 1
        if article in later_paths:
            rest = later_paths[article]
            if rest is None:  # done when its first file was met
                continue
            later_paths[article] = None
            candidates = versions([path, *rest], stats)
        else:
            selected = _read(path, stats, parse=parse)
            candidates = [selected] if selected is not None else []
        for selected in candidates:
            if selected.document is None or article_filter.accepts(selected.document):
                stats.written += 1
                yield selected


def select_articles(
    directory: str | os.PathLike[str],
    article_filter: ArticleFilter | None = None,
    *,
    all_versions: bool = False,
    stats: ExportStats | None = None,
) -> Iterator[dict[str, Any]]:
    """The article documents to export, one at a time."""
    for selected in iter_selected(
        directory, article_filter, all_versions=all_versions, stats=stats
    ):
        assert selected.document is not None
        yield selected.document


# -- projection ----------------------------------------------------------------------------


def get_field(document: dict[str, Any], name: str) -> Any:
    """`name` of `document`; a dotted name reaches into an object (`capture.fetched_at`)."""
    value = document.get(name, _MISSING)
    if value is not _MISSING or "." not in name:
        return None if value is _MISSING else value
    current: Any = document
    for part in name.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def default_columns(first: dict[str, Any] | None) -> list[str]:
    columns = list(ARTICLE_FIELDS)
    if first:
        columns += [key for key in first if key not in ARTICLE_FIELDS]
    return columns


# -- writers -------------------------------------------------------------------------------


class JsonlWriter:
    def __init__(self, out: IO[bytes], fields: Sequence[str] | None) -> None:
        self.out = out
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
        self.fields = list(fields) if fields else None

    def write(self, document: dict[str, Any] | None, raw: bytes | None = None) -> None:
        if self.fields is None and raw is not None:
            # The stored bytes on one line: a JSON string holds no raw newline, so each
            # line of the file is whole tokens and the whitespace around it is layout.
            # Saves decoding and re-encoding the document.
            self.text.flush()
            self.out.write(b"".join(map(bytes.strip, raw.split(b"\n"))) + b"\n")
            return
        assert document is not None
        if self.fields is not None:
            document = {name: get_field(document, name) for name in self.fields}
        self.text.write(json.dumps(document, ensure_ascii=False))
        self.text.write("\n")

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def csv_cell(value: Any) -> str:
    """One CSV cell: plain lists joined with "; ", objects as JSON, empty for null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        return "; ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False)


def defuse_formula(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula, made plain text with a leading `'`.

    Titles and bodies come from the web: "=HYPERLINK(...)" must not become a live formula
    (CSV injection). Only for `--excel`, the export meant for spreadsheet programs.
    """
    return "'" + cell if cell[:1] in _FORMULA_START else cell


class CsvWriter:
    def __init__(self, out: IO[bytes], columns: Sequence[str], *, excel: bool = False) -> None:
        encoding = "utf-8-sig" if excel else "utf-8"
        self.text = io.TextIOWrapper(out, encoding=encoding, newline="")
        self.columns = list(columns)
        self.excel = excel
        self.writer = csv.writer(self.text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.writer.writerow(self.columns)

    def write(self, document: dict[str, Any], raw: bytes | None = None) -> None:
        cells = [csv_cell(get_field(document, name)) for name in self.columns]
        if self.excel:
            cells = [defuse_formula(cell) for cell in cells]
        self.writer.writerow(cells)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


class _PositionTracking:
    """A write-only file for pyarrow that knows its position without seeking (pipes)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.position = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.flush()
        self.closed = True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


def import_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # the submodule is what writes
    except ImportError as exc:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'newsarchive[parquet]'"
        ) from exc
    return pyarrow


def arrow_types(pa: Any) -> dict[str, Any]:
    """The Parquet type of each known article field."""
    text = pa.string()
    moment = pa.timestamp("us", tz="UTC")
    texts = pa.list_(text)
    capture = pa.struct(
        [
            ("warc_file", text),
            ("warc_offset", pa.int64()),
            ("warc_length", pa.int64()),
            ("warc_record_id", text),
            ("fetched_at", moment),
            ("status", pa.int32()),
            ("payload_digest", text),
        ]
    )
    image = pa.struct([("url", text), ("caption", text), ("credit", text), ("capture", capture)])
    types = dict.fromkeys(ARTICLE_FIELDS, text)
    types.update(
        authors=texts,
        breadcrumbs=texts,
        tags=texts,
        published=moment,
        modified=moment,
        extracted_at=moment,
        images=pa.list_(image),
        word_count=pa.int64(),
        version=pa.int64(),
        article_score=pa.float64(),
        capture=capture,
    )
    return types


def field_type(pa: Any, name: str) -> Any:
    """The type of a column; a dotted name takes the type of the struct's child."""
    types = arrow_types(pa)
    if name in types:
        return types[name]
    head, _, rest = name.partition(".")
    parent = types.get(head)
    if rest and parent is not None and pa.types.is_struct(parent):
        index = parent.get_field_index(rest)
        if index >= 0:
            return parent.field(index).type
    return pa.string()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _converter(pa: Any, kind: Any) -> Callable[[Any], Any]:
    """A function turning a JSON value into a Python value of the Arrow type `kind`."""
    types = pa.types
    if types.is_timestamp(kind):
        return parse_timestamp
    if types.is_string(kind):
        return lambda v: v if isinstance(v, str) or v is None else json.dumps(v, ensure_ascii=False)
    if types.is_integer(kind):
        return lambda v: int(v) if _is_number(v) else None
    if types.is_floating(kind):
        return lambda v: float(v) if _is_number(v) else None
    if types.is_list(kind):
        item = _converter(pa, kind.value_type)
        return lambda v: [item(x) for x in v] if isinstance(v, list) else None
    if types.is_struct(kind):
        children = [
            (kind.field(i).name, _converter(pa, kind.field(i).type))
            for i in range(kind.num_fields)
        ]
        return lambda v: (
            {name: convert(v.get(name)) for name, convert in children}
            if isinstance(v, dict)
            else None
        )
    return lambda v: v


class ParquetWriter:
    def __init__(
        self,
        out: IO[bytes],
        columns: Sequence[str],
        *,
        row_group_size: int = 10_000,
        row_group_bytes: int = 16 << 20,
    ) -> None:
        pa = import_pyarrow()
        self.pa = pa
        self.columns = list(columns)
        kinds = [field_type(pa, name) for name in self.columns]
        self.schema = pa.schema([pa.field(n, k) for n, k in zip(self.columns, kinds, strict=True)])
        self.converters = [_converter(pa, k) for k in kinds]
        self.row_group_size = row_group_size
        self.row_group_bytes = row_group_bytes  # of input JSON: bounds memory per group
        self.batch_bytes = 0
        self.sink = _PositionTracking(out)
        self.writer = pa.parquet.ParquetWriter(self.sink, self.schema, compression="zstd")
        self.batch: list[list[Any]] = [[] for _ in self.columns]
        self.rows = 0

    def write(self, document: dict[str, Any], raw: bytes | None = None) -> None:
        for values, name, convert in zip(self.batch, self.columns, self.converters, strict=True):
            values.append(convert(get_field(document, name)))
        self.rows += 1
        self.batch_bytes += len(raw) if raw is not None else 4096
        if self.rows >= self.row_group_size or self.batch_bytes >= self.row_group_bytes:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        arrays = [
            self.pa.array(values, type=f.type)
            for values, f in zip(self.batch, self.schema, strict=True)
        ]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))
        self.batch = [[] for _ in self.columns]
        self.rows = 0
        self.batch_bytes = 0

    def close(self) -> None:
        self._flush()
        self.writer.close()
        self.sink.flush()


# -- the export ----------------------------------------------------------------------------


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
