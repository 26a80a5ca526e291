"""`newsarchive export DIR --format jsonl|csv|parquet [-o FILE] [filters]`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.export import FORMATS, ArticleFilter, ExportStats, export_articles


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export the archived articles as JSON Lines, CSV or Parquet",
        description=(
            "Write the articles of DIR, one row per canonical URL (its latest capture), "
            "to FILE or to stdout. Streams: memory stays flat however many articles."
        ),
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
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
        "--all-versions", action="store_true", help="every stored capture, not only the latest"
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        help="CSV for spreadsheets: a UTF-8 byte order mark, and text that would start a "
        "formula (=, +, -, @) prefixed with an apostrophe",
    )
    parser.set_defaults(run=run)


def _fail(message: str, code: int = 2) -> int:
    print(f"newsarchive export: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        return _fail(f"{args.directory} is not a directory")
    try:
        article_filter = ArticleFilter.build(
            sites=[s for value in args.site for s in _csv_list(value)],
            since=args.since,
            until=args.until,
            languages=[s for value in args.language for s in _csv_list(value)],
        )
    except ArchiveError as exc:
        return _fail(str(exc))
    if args.excel and args.format != "csv":
        return _fail("--excel goes with --format csv")
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
                return _fail("Parquet is binary: give -o FILE or redirect stdout")
            stats = export_articles(args.directory, sys.stdout.buffer, **options)
            sys.stdout.flush()
        else:
            stats = _export_to_file(args.directory, args.output, options)
    except BrokenPipeError:
        # The reader (head, jq ...) went away: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (ArchiveError, OSError) as exc:
        return _fail(str(exc), 1)
    _report(args, stats, time.monotonic() - started)
    return 1 if stats.unreadable else 0


def _export_to_file(directory: Path, output: Path, options: dict[str, Any]) -> ExportStats:
    """Write to a temporary file beside OUTPUT, renamed at the end: never a half file."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            stats = export_articles(directory, out, **options)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise
    return stats


def _report(args: argparse.Namespace, stats: ExportStats, elapsed: float) -> None:
    for path in stats.unreadable[:20]:
        print(f"newsarchive export: skipped unreadable {path}", file=sys.stderr)
    if len(stats.unreadable) > 20:
        print(f"newsarchive export: ... {len(stats.unreadable) - 20} more", file=sys.stderr)
    if args.output is None and not sys.stderr.isatty():
        return
    target = args.output or "stdout"
    rate = stats.written / elapsed if elapsed > 0 else 0.0
    print(
        f"newsarchive export: {stats.written} articles -> {target} ({args.format}; "
        f"{stats.files} files, {stats.older_versions} older captures left out; "
        f"{elapsed:.1f} s, {rate:,.0f}/s)",
        file=sys.stderr,
    )
