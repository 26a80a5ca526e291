"""Which files a replay reads, and where one crawl starts among them.

A replay's inputs are files and directories; `find_warcs` turns them into the archive files to
read, in order. `crawl_starts` marks where a crawl begins in that list, because the canonical-URL
deduplication is per crawl, as the spider's `seen_canonicals` is: a run of our rotated files
(same prefix and host, serials 00000, 00001, ... in name order) is one crawl; any other file is a
crawl of its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archive.layout import ARCHIVE_SUFFIXES

_OUR_NAME = re.compile(
    r"^(?P<prefix>.+)-(?P<stamp>\d{14,17})-(?P<serial>\d{5})-(?P<host>[^-]+)\.warc(?:\.gz)?$"
)


def find_warcs(inputs: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Files to replay (directories searched for *.warc, *.warc.gz, *.arc and *.arc.gz) and
    input errors."""
    files: list[Path] = []
    errors: list[str] = []
    seen: set[Path] = set()
    for given in map(Path, inputs):
        if given.is_dir():
            found = sorted(
                p
                for p in given.rglob("*")
                if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES) and not p.name.startswith(".")
            )
            if not found:
                errors.append(
                    f"{given}: no *.warc or *.warc.gz files (nor *.arc, *.arc.gz) in this directory"
                )
        elif given.exists():
            found = [given]
        else:
            errors.append(f"{given}: no such file or directory")
            found = []
        for path in found:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append(path)
    return files, errors


def crawl_starts(files: list[Path]) -> list[bool]:
    """For each file, whether it begins a new crawl (the scope of canonical deduplication)."""
    starts = []
    previous: tuple[Any, int] | None = None
    for path in files:
        match = _OUR_NAME.match(path.name)
        if match is None:
            starts.append(True)
            previous = None
            continue
        key = (path.parent, match["prefix"], match["host"])
        serial = int(match["serial"])
        starts.append(previous is None or previous[0] != key or serial != previous[1] + 1)
        previous = (key, serial)
    return starts
