"""The JSON Lines and CSV writers: each is given one selected document (and the bytes it
was read from) at a time and streams it to a binary output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import IO, Any

from archive.export.fields import get_field

_FORMULA_START = frozenset("=+-@\t\r")


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
