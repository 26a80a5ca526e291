"""`newsarchive export DIR --format jsonl|csv|parquet [-o FILE] [filters]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from archive.atomic import replacing
from archive.errors import ArchiveError
from archive.export import FORMATS, ArticleFilter, ExportStats, export_articles
from crawler.cli import fail, say, stdout_closed
from crawler.cli._remote import RemoteArchiveError, archive_arg, local_copy


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export the archived articles as JSON Lines, CSV or Parquet",
        description=(
            "Write the articles of DIR, one row per canonical URL (its latest version), "
            "to FILE or to stdout; with --all-versions, one row per version. Streams: "
            "memory stays flat however many articles."
        ),
    )
    parser.add_argument("directory", type=archive_arg, metavar="DIR|s3://BUCKET/PREFIX")
    parser.add_argument("--format", "-f", choices=FORMATS, default="jsonl")
    parser.add_argument("-o", "--output", type=Path, default=None, help="default: stdout")
    parser.add_argument(
        "--site", action="append", default=[], help="only this site (repeat or comma-separate)"
    )
    parser.add_argument("--since", help="published on or after (ISO date or date-time)")
    parser.add_argument("--until", help="published on or before (ISO date or date-time)")
    parser.add_argument(
        "--language", action="append", default=[], help="only this language (en matches en-GB)"
    )
    parser.add_argument(
        "--fields",
        type=_csv_list,
        default=None,
        help="columns to write, comma-separated; dotted names reach into capture "
        "(e.g. id,title,published,capture.fetched_at)",
    )
    parser.add_argument(
        "--all-versions",
        action="store_true",
        help="every version of each article, oldest first, not only the latest (a stored "
        "capture whose content equals the previous one's is left out)",
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        help="CSV for spreadsheets: a UTF-8 byte order mark, and text that would start a "
        "formula (=, +, -, @) prefixed with an apostrophe",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        args.directory = local_copy("export", args.directory, warcs=False)
    except RemoteArchiveError as exc:
        return fail("export", str(exc), exc.code)
    if not args.directory.is_dir():
        return fail("export", f"{args.directory} is not a directory", 2)
    try:
        article_filter = ArticleFilter.build(
            sites=[s for value in args.site for s in _csv_list(value)],
            since=args.since,
            until=args.until,
            languages=[s for value in args.language for s in _csv_list(value)],
        )
    except ArchiveError as exc:
        return fail("export", str(exc), 2)
    if args.excel and args.format != "csv":
        return fail("export", "--excel goes with --format csv", 2)
    options = dict(
        fmt=args.format,
        article_filter=article_filter,
        fields=args.fields,
        all_versions=args.all_versions,
        excel=args.excel,
    )
    started = time.monotonic()
    try:
        if args.output is None:
            if args.format == "parquet" and sys.stdout.isatty():
                return fail("export", "Parquet is binary: give -o FILE or redirect stdout", 2)
            stats = export_articles(args.directory, sys.stdout.buffer, **options)
            sys.stdout.flush()
        else:
            stats = _export_to_file(args.directory, args.output, options)
    except BrokenPipeError:
        return stdout_closed()
    except (ArchiveError, OSError) as exc:
        return fail("export", str(exc), 1)
    _report(args, stats, time.monotonic() - started)
    return 1 if stats.unreadable else 0


def _export_to_file(directory: Path, output: Path, options: dict[str, Any]) -> ExportStats:
    """Write to a temporary file beside OUTPUT, renamed at the end: never a half file."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with replacing(output) as tmp, open(tmp, "wb") as out:
        return export_articles(directory, out, **options)


def _report(args: argparse.Namespace, stats: ExportStats, elapsed: float) -> None:
    for path in stats.unreadable[:20]:
        say("export", f"skipped unreadable {path}")
    if len(stats.unreadable) > 20:
        say("export", f"... {len(stats.unreadable) - 20} more")
    if args.output is None and not sys.stderr.isatty():
        return
    target = args.output or "stdout"
    rate = stats.written / elapsed if elapsed > 0 else 0.0
    left_out = (
        f"{stats.unchanged} unchanged captures left out"
        if args.all_versions
        else f"{stats.older_versions} older captures left out"
    )
    say(
        "export",
        f"{stats.written} articles -> {target} ({args.format}; "
        f"{stats.files} files, {left_out}; {elapsed:.1f} s, {rate:,.0f}/s)",
    )
