"""`newsarchive show ARTICLE_ID|URL [--raw [--decode]] [--dir DIR]`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from archive.errors import ArchiveError
from archive.lookup import (
    Ambiguous,
    LookupFailed,
    StoredArticle,
    article_by_id,
    article_by_url,
    captures_of,
    warc_path,
)
from archive.reader import record_at
from crawler.urls import strip_tracking

_SHOWN_CANDIDATES = 10


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show",
        help="print an archived article, or its raw HTTP response from the WARC",
        description=(
            "Print the article JSON of ARTICLE_ID (or a unique prefix of it) or URL, its "
            "latest capture. With --raw, print the archived HTTP response instead (status "
            "line, headers, body as stored), read from the WARC at the capture's offset; "
            "--raw also works for any captured URL that is no article (through DIR/index.cdxj "
            "when it is up to date, else by reading the WARCs)."
        ),
    )
    parser.add_argument("target", metavar="ARTICLE_ID|URL")
    parser.add_argument("--dir", type=Path, default=Path("data"), help="archive (default: data)")
    parser.add_argument("--raw", action="store_true", help="print the archived HTTP response")
    parser.add_argument(
        "--warc-dir",
        type=Path,
        default=None,
        help="where the WARCs are when not in DIR/warc (articles of a replay point into "
        "the source WARCs)",
    )
    parser.add_argument(
        "--decode",
        action="store_true",
        help="with --raw: undo Content-Encoding (gzip, deflate) and chunking of the body",
    )
    parser.set_defaults(run=run)


def _fail(message: str, code: int = 1) -> int:
    print(f"newsarchive show: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        return _fail(f"{args.dir} is not a directory (give the archive with --dir)", 2)
    if args.decode and not args.raw:
        return _fail("--decode goes with --raw", 2)
    try:
        if "://" in args.target:
            return _show_url(args)
        found = article_by_id(args.dir, args.target)
        return _show_article(args, found)
    except BrokenPipeError:  # the reader (head, less) went away: fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Ambiguous as exc:
        listed = "\n  ".join(exc.candidates[:_SHOWN_CANDIDATES])
        more = len(exc.candidates) - _SHOWN_CANDIDATES
        tail = f"\n  ... and {more} more" if more > 0 else ""
        return _fail(f"{exc}; give more of the id:\n  {listed}{tail}")
    except LookupFailed as exc:
        return _fail(str(exc))
    except ArchiveError as exc:
        return _fail(str(exc))


def _show_article(args: argparse.Namespace, found: StoredArticle) -> int:
    if not args.raw:
        sys.stdout.write(found.path.read_text("utf-8"))
        sys.stdout.flush()
        return 0
    capture = found.document.get("capture") or {}
    try:
        warc_file, offset = capture["warc_file"], int(capture["warc_offset"])
    except (KeyError, TypeError, ValueError):
        return _fail(f"{found.path} has no capture pointer into a WARC")
    path = _warc(args, warc_file)
    if not path.is_file():
        return _fail(
            f"the WARC of this capture, {warc_file}, is not in {path.parent} "
            "(for articles of a replay, give the source WARCs' folder with --warc-dir)"
        )
    return _print_record(path, offset, decode=args.decode)


def _warc(args: argparse.Namespace, filename: str) -> Path:
    if args.warc_dir is not None:
        return args.warc_dir / filename
    return warc_path(args.dir, filename)


def _show_url(args: argparse.Namespace) -> int:
    url = args.target
    candidates = list(dict.fromkeys([url, strip_tracking(url)]))
    found = article_by_url(args.dir, candidates)
    if found is not None:
        return _show_article(args, found)
    entries = []
    for candidate in candidates:
        entries = captures_of(args.warc_dir or args.dir, candidate)
        if entries:
            break
    if not entries:
        return _fail(f"{url} is not in the archive {args.dir}")
    last = entries[-1]
    if not args.raw:
        return _fail(
            f"{url} was captured ({len(entries)} time(s), latest {last.timestamp}, status "
            f"{last.status or '-'}) but gave no article; add --raw to see the response"
        )
    if len(entries) > 1:
        print(
            f"newsarchive show: {len(entries)} captures of {url}; showing the latest "
            f"({last.timestamp})",
            file=sys.stderr,
        )
    return _print_record(_warc(args, last.filename), last.offset, decode=args.decode)


def _print_record(path: Path, offset: int, *, decode: bool) -> int:
    out: BinaryIO = sys.stdout.buffer
    with record_at(path, offset) as record:
        if record.http_headers is not None and record.rec_type in ("response", "revisit"):
            headers = record.http_headers
            out.write(headers.to_bytes(encoding="latin-1"))
            encoding = headers.get_header("Content-Encoding")
            if encoding and not decode and out.isatty():
                print(
                    f"newsarchive show: the body is {encoding}-encoded; add --decode to read it",
                    file=sys.stderr,
                )
                out.flush()
                return 0
        if record.rec_type == "revisit":
            target = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or "?"
            date = record.rec_headers.get_header("WARC-Refers-To-Date") or "?"
            print(
                f"newsarchive show: a revisit record: the body is that of {target} at {date}",
                file=sys.stderr,
            )
        stream = record.content_stream() if decode else record.raw_stream
        while chunk := stream.read(65536):
            out.write(chunk)
    out.flush()
    return 0
