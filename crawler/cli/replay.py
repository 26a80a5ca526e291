"""`newsarchive replay WARC_OR_DIR... --out DIR [--profile NAME] [--jobs N] [--no-extract]
[--max-body BYTES]`"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import Any

from archive.limits import MAX_BODY
from archive.warc.cdxj import unfinished_message, unfinished_warcs
from crawler.cli import fail, say
from crawler.cli._remote import RemoteArchiveError, archive_arg, local_copy
from crawler.siteprofile import ProfileError, resolve_profile


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="re-extract articles from WARC or ARC files (ours or other tools') into OUT/articles",
        description=(
            "Stream WARC or ARC files (.warc, .warc.gz, .arc, .arc.gz; directories are "
            "searched), take their HTML "
            "responses, resolve revisit records, and write the article JSON a live crawl "
            "would have written, with capture pointers into the source files."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", type=archive_arg, metavar="WARC_OR_DIR|s3://BUCKET/PREFIX"
    )
    parser.add_argument("--out", "-o", type=Path, metavar="DIR", help="writes DIR/articles")
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="site profile (name, .toml path or URL, as for crawl); default: the bundled "
        "profile whose allowed_domains hold the page's host, else one made from the URL",
    )
    parser.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
        help="worker processes (default: the number of CPUs)",
    )
    parser.add_argument(
        "--no-extract", dest="extract", action="store_false",
        help="only read and decode the HTML pages (a measure of the WARC side); write nothing",
    )
    parser.add_argument(
        "--max-body", type=int, default=MAX_BODY, metavar="BYTES",
        help=f"skip (and name) a page whose body, stored or decompressed, is over BYTES "
        f"(default: {MAX_BODY}, as in a crawl)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from archive.replay import ReplayOptions, find_warcs, replay
    from archive.replay.progress import stderr_if_terminal

    logging.basicConfig(level=logging.WARNING, format="newsarchive replay: %(message)s")
    if args.extract and args.out is None:
        return fail("replay", "--out DIR is required (or use --no-extract)", 2)
    if args.jobs < 1:
        return fail("replay", "--jobs must be >= 1", 2)
    if args.max_body < 1:
        return fail("replay", "--max-body must be >= 1", 2)
    profile = None
    if args.profile:
        try:
            profile = resolve_profile(args.profile)
        except ProfileError as exc:
            return fail("replay", str(exc), 2)
    try:
        args.inputs = [local_copy("replay", given, articles=False) for given in args.inputs]
    except RemoteArchiveError as exc:
        return fail("replay", str(exc), exc.code)
    files, errors = find_warcs(args.inputs)
    for given in args.inputs:
        for unfinished in unfinished_warcs(given, recursive=True):
            say("replay", unfinished_message(unfinished))
    for message in errors:
        say("replay", message)
    options = ReplayOptions(
        out=args.out,
        profile=profile,
        jobs=args.jobs,
        extract=args.extract,
        progress=stderr_if_terminal(),
        max_body=args.max_body,
    )
    summary = replay(files, options)
    for message in summary.failed:
        say("replay", message)
    print(summary.render(args.extract))
    return 1 if errors or summary.failed else 0
