"""`newsarchive check DIR|WARC... [--repair]`: is an archive whole? One line per defect."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from archive.check import check
from archive.layout import ARCHIVE_SUFFIXES, ARTICLES_DIR, WARC_DIR
from archive.warc.cdxj import warc_directory
from archive.warc.recovery import (
    CLOSED,
    OPEN_SUFFIX,
    REMOVED,
    RecoveryReport,
    is_open_warc,
    recover,
    recover_open_file,
    recover_open_files,
)
from crawler.cli import fail, say, stdout_closed
from crawler.cli._remote import RemoteArchiveError, archive_arg, local_copy


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="verify WARC files and article capture pointers; --repair closes unfinished WARCs",
        description=(
            "Verify an archive (a crawl's --out DIR, a folder of WARCs, or WARC or ARC files from "
            "any tool, gzip or not): every gzip member complete, every record whole with its "
            "block and payload digests right (in an ARC file, its header line and length), "
            "requests paired with responses, revisits resolving to "
            "their original, and every article's capture pointer leading to its record. "
            "Prints one line per defect (FILE:OFFSET: what) and a summary; exit status 0 when "
            "clean, 1 on any defect."
        ),
    )
    parser.add_argument("paths", nargs="+", type=archive_arg, metavar="DIR|WARC|s3://BUCKET/PREFIX")
    parser.add_argument(
        "--repair",
        action="store_true",
        help="first close the *.open WARC files an interrupted crawl left (cut to their last "
        "complete record) and set aside the articles whose record was cut off (*.json.orphan)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    remote = [path for path in args.paths if isinstance(path, str)]
    if remote and args.repair:
        return fail(
            "check",
            f"--repair works on local files; {remote[0]} holds finished files only (a crawl "
            "repairs its own spool directory when it starts)",
            2,
        )
    try:
        args.paths = [local_copy("check", path) for path in args.paths]
    except RemoteArchiveError as exc:
        return fail("check", str(exc), exc.code)
    missing = [path for path in args.paths if not path.exists()]
    if missing:
        return fail("check", f"{missing[0]}: no such file or directory", 2)
    for path in args.paths:
        if path.is_dir() and not _has_anything(path):
            return fail("check", f"{path}: no WARC files and no articles in this directory", 2)
    paths = list(args.paths)
    try:
        if args.repair:
            paths = _repair(paths)
        report = check(paths)
        for live in report.live:
            say("check", f"skipping {live}: a live crawl is writing it")
        for defect in report.defects:
            print(defect.line())
        print(report.summary())
        sys.stdout.flush()
    except BrokenPipeError:
        return stdout_closed()
    return 0 if report.ok else 1


def _has_anything(directory: Path) -> bool:
    folder = warc_directory(directory)
    return (directory / ARTICLES_DIR).is_dir() or any(
        entry.is_file() and (entry.name.endswith(ARCHIVE_SUFFIXES) or is_open_warc(entry.name))
        for entry in folder.iterdir()
    )


def _repair(paths: list[Path]) -> list[Path]:
    """Recover what `paths` hold; print what was done; the paths to check afterwards."""
    logging.getLogger("archive.warc.recovery").setLevel(logging.ERROR)  # the report says it all
    report = RecoveryReport()
    checked = []
    for path in paths:
        if path.is_dir():
            if (path / WARC_DIR).is_dir():
                part = recover(path)
                report.files += part.files
                report.quarantined += part.quarantined
            else:
                report.files += recover_open_files(path)
            checked.append(path)
        elif is_open_warc(path.name):
            result = recover_open_file(path)
            if result is None:  # gone meanwhile: its writer finished it
                final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
                checked += [final] if final.exists() else []
                continue
            report.files.append(result)
            if result.action == CLOSED:
                checked.append(path.with_name(result.name))
            elif result.action != REMOVED:
                checked.append(path)
        else:
            checked.append(path)
    lines = report.lines() or ["nothing to repair: no unfinished WARC files"]
    for line in lines:
        print(f"repair: {line}")
    return checked
