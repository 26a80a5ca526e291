"""`newsarchive index DIR [-o FILE|-]`: a sorted CDXJ index of every WARC (and ARC) in DIR."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from archive.atomic import replacing
from archive.errors import ArchiveError
from archive.layout import WARC_DIR
from archive.storage import ObjectStore, remote_warcs
from archive.storage.rangedfile import open_stream
from archive.warc.cdxj import (
    DEFAULT_INDEX_NAME,
    CdxjEntry,
    find_warcs,
    index_stream,
    sorted_lines,
    unfinished_message,
    unfinished_warcs,
    warc_directory,
    write_index,
    write_index_file,
)
from crawler.cli import fail, say, stdout_closed
from crawler.cli._remote import RemoteArchiveError, archive_arg, connect


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "index",
        help="write a CDXJ index (pywb-compatible) of the WARCs in DIR",
        description=(
            "Index every WARC or ARC file in DIR/warc (or in DIR itself) into one sorted CDXJ "
            "file, "
            "the index pywb and ReplayWeb.page read: SURT key, timestamp, and url, mime, "
            "status, digest, length, offset, filename of each response, revisit and "
            "resource record."
        ),
    )
    parser.add_argument("directory", type=archive_arg, metavar="DIR|s3://BUCKET/PREFIX")
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        help=f"where to write the index; '-' for stdout (default: DIR/{DEFAULT_INDEX_NAME})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if isinstance(args.directory, str):
        return _run_remote(args, args.directory)
    started = time.monotonic()
    try:
        warcs = find_warcs(args.directory)
        for unfinished in unfinished_warcs(warc_directory(args.directory)):
            say("index", unfinished_message(unfinished))
        if not warcs:
            return fail("index", f"no WARC files in {args.directory}", 1)
        if args.output == "-":
            try:
                write_index(warcs, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                return stdout_closed()
            return 0
        target = Path(args.output) if args.output else args.directory / DEFAULT_INDEX_NAME
        count = write_index_file(warcs, target)
    except (ArchiveError, OSError) as exc:
        return fail("index", str(exc), 1)
    elapsed = time.monotonic() - started
    say("index", f"{count} captures from {len(warcs)} WARC files -> {target} ({elapsed:.1f} s)")
    return 0


def _run_remote(args: argparse.Namespace, url: str) -> int:
    """The WARC files of a bucket, each read once as it streams (nothing downloaded: a
    one-pass reader needs no local copy); without -o, `index.cdxj` is uploaded beside them."""
    started = time.monotonic()
    try:
        store = connect(url)
    except RemoteArchiveError as exc:
        return fail("index", str(exc), exc.code)
    tmp = None
    try:
        warcs = remote_warcs(store)
        if not warcs:
            return fail("index", f"no WARC files in {store.location.url}/{WARC_DIR}", 1)
        lines = sorted_lines(
            entry.line()
            for item in warcs
            for entry in _stream_index(store, item.relative)
        )
        if args.output == "-":
            try:
                count = _write(lines, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                return stdout_closed()
            return 0
        if args.output:
            target, shown = Path(args.output), args.output
        else:
            fd, tmp = tempfile.mkstemp(prefix="newsarchive-index-", suffix=".cdxj")
            os.close(fd)
            target, shown = Path(tmp), f"{store.location.url}/{DEFAULT_INDEX_NAME}"
        with replacing(target) as part, open(part, "w", encoding="utf-8", newline="\n") as out:
            count = _write(lines, out)
        if tmp is not None:  # the index goes with the archive
            store.upload_file(target, DEFAULT_INDEX_NAME)
    except (ArchiveError, OSError) as exc:
        return fail("index", str(exc), 1)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    elapsed = time.monotonic() - started
    say("index", f"{count} captures from {len(warcs)} WARC files -> {shown} ({elapsed:.1f} s)")
    return 0


def _stream_index(store: ObjectStore, relative: str) -> Iterator[CdxjEntry]:
    name = relative.rsplit("/", 1)[-1]
    with open_stream(store, relative) as stream:
        yield from index_stream(stream, name, f"{store.location.url}/{relative}")


def _write(lines: Iterable[str], out: IO[str]) -> int:
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count
