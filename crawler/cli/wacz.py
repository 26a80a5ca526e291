"""`newsarchive wacz DIR -o archive.wacz`: one file that ReplayWeb.page opens."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.wacz import write_wacz
from archive.warc.cdxj import unfinished_message, unfinished_warcs, warc_directory
from crawler import __version__
from crawler.cli import fail, say
from crawler.cli._remote import RemoteArchiveError, archive_arg, local_copy


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wacz",
        help="package the archive as a WACZ file (opens in ReplayWeb.page)",
        description=(
            "Package the WARCs of DIR, their CDXJ index and a page list of the archived "
            "articles (url, time, title) into one WACZ 1.1.1 file. ARC files are refused "
            "(a WACZ holds WARC files only), with the command that converts them."
        ),
    )
    parser.add_argument("directory", type=archive_arg, metavar="DIR|s3://BUCKET/PREFIX")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.wacz")
    parser.add_argument("--title", default=None, help="title shown by ReplayWeb.page")
    parser.add_argument("--description", default=None)
    parser.add_argument(
        "--text",
        action="store_true",
        help="put each article's text in the page list (full-text search in ReplayWeb.page)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    given = args.directory
    try:
        args.directory = local_copy("wacz", given)
    except RemoteArchiveError as exc:
        return fail("wacz", str(exc), exc.code)
    name = given.rstrip("/").rsplit("/", 1)[-1] if isinstance(given, str) else None
    if not args.directory.is_dir():
        return fail("wacz", f"{args.directory} is not a directory", 2)
    for unfinished in unfinished_warcs(warc_directory(args.directory)):
        say("wacz", unfinished_message(unfinished))
    try:
        summary = write_wacz(
            args.directory,
            args.output,
            title=args.title or f"newsarchive: {name or args.directory.resolve().name}",
            description=args.description,
            software=f"newsarchive/{__version__}",
            text=args.text,
        )
    except (ArchiveError, OSError) as exc:
        return fail("wacz", str(exc), 1)
    say(
        "wacz",
        f"{summary.warcs} WARC files, {summary.captures} captures, "
        f"{summary.pages} pages -> {summary.path} ({summary.bytes / 1e6:.1f} MB)",
    )
    return 0
