"""The Parquet writer: pyarrow (an optional extra, imported only when asked for), the typed
schema of the article fields, and row groups bounded in rows and in bytes."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import IO, Any

from archive.export.errors import ExportError
from archive.export.fields import ARTICLE_FIELDS, get_field
from archive.export.filters import parse_timestamp


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
