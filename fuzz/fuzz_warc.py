"""Fuzz the WARC readers: any bytes as a WARC file give records or documented errors.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python fuzz/fuzz_warc.py -max_total_time=300 fuzz/corpus/warc

Exercises what reads WARC files we did not write: the streaming readers of recovery and
`check` (archive.warc.stream, archive.check), the catalog's indexer (archive.catalog.rebuild)
and the record-at-offset reader of `show` (archive.warc.reader). Anything but `WarcReadError` is a
finding.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from archive.catalog.rebuild import capture_rows
    from archive.check import check
    from archive.errors import WarcReadError
    from archive.warc.reader import record_in
    from archive.warc.stream import complete_prefix

_DIRECTORY = tempfile.mkdtemp(prefix="fuzz-warc-")
_PATH = Path(_DIRECTORY) / "fuzzed.warc.gz"


def test_one_input(data: bytes) -> None:
    complete_prefix(io.BytesIO(data))
    with contextlib.suppress(WarcReadError):
        record_in(io.BytesIO(data), 0, "fuzzed")
    _PATH.write_bytes(data)
    with contextlib.suppress(WarcReadError):
        list(capture_rows(_PATH))
    check([_PATH])


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    try:
        atheris.Fuzz()
    finally:
        _PATH.unlink(missing_ok=True)
        os.rmdir(_DIRECTORY)


if __name__ == "__main__":
    main()
