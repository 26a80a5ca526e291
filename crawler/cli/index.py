"""`newsarchive index DIR [-o FILE|-]`: a sorted CDXJ index of every WARC (and ARC) in DIR."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from archive.cdxj import (
    DEFAULT_INDEX_NAME,
    find_warcs,
    unfinished_message,
    unfinished_warcs,
    warc_directory,
    write_index,
    write_index_file,
)
from archive.errors import ArchiveError
from crawler.cli import fail, say, stdout_closed
from crawler.cli._remote import RemoteArchiveError, archive_arg, connect, local_copy


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
    started = time.monotonic()
    store = None
    remote = args.directory if isinstance(args.directory, str) else None
    try:
        if remote is not None:
            store = connect(remote)
            args.directory = local_copy("index", remote, articles=False, store=store)
    except RemoteArchiveError as exc:
        return fail("index", str(exc), exc.code)
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
        shown = str(target)
        count = write_index_file(warcs, target)
        if store is not None and not args.output:  # the index goes with the archive
            store.upload_file(target, DEFAULT_INDEX_NAME)
            shown = f"{store.location.url}/{DEFAULT_INDEX_NAME}"
    except (ArchiveError, OSError) as exc:
        return fail("index", str(exc), 1)
    elapsed = time.monotonic() - started
    say("index", f"{count} captures from {len(warcs)} WARC files -> {shown} ({elapsed:.1f} s)")
    return 0
