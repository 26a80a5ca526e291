"""`newsarchive show ARTICLE_ID|URL [--raw [--decode]] [--dir DIR]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from warcio.recordloader import ArcWarcRecord

from archive.errors import ArchiveError, WarcReadError
from archive.layout import WARC_DIR, safe_warc_name
from archive.limits import MAX_BODY
from archive.lookup import (
    Ambiguous,
    StoredArticle,
    article_by_id,
    article_by_url,
    captures_of,
    index_is_fresh,
    revisit_original,
    warc_path,
)
from archive.replay.codings import BodyDecodeError
from archive.replay.source import codings_of
from archive.storage import StorageError
from archive.storage.rangedfile import open_ranged
from archive.warc.reader import record_at, record_in
from crawler.cli import fail, say, stdout_closed
from crawler.cli._remote import RemoteArchiveError, archive_arg, connect, local_copy
from crawler.urls import strip_tracking

_SHOWN_CANDIDATES = 10


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show",
        help="print an archived article, or its raw HTTP response from the WARC",
        description=(
            "Print the article JSON of ARTICLE_ID (or a unique prefix of it) or URL, its "
            "latest version. With --raw, print the archived HTTP response instead (status "
            "line, headers, body as stored), read from the WARC at the capture's offset (for "
            "a revisit record, with the payload of the capture it refers to); "
            "--raw also works for any captured URL that is no article (through DIR/index.cdxj "
            "when it is up to date, else by reading the WARCs)."
        ),
    )
    parser.add_argument("target", metavar="ARTICLE_ID|URL")
    parser.add_argument(
        "--dir",
        type=archive_arg,
        default=Path("data"),
        metavar="DIR|s3://BUCKET/PREFIX",
        help="archive (default: data); from a bucket, the article files are downloaded into "
        "the cache and WARC records read with ranged GETs",
    )
    parser.add_argument("--raw", action="store_true", help="print the archived HTTP response")
    parser.add_argument(
        "--warc-dir",
        type=Path,
        default=None,
        help="where the WARCs are when not in DIR/warc (articles of a replay point into "
        "the source WARC or ARC files)",
    )
    parser.add_argument(
        "--decode",
        action="store_true",
        help="with --raw: undo Content-Encoding (gzip, deflate, br, zstd) and chunking of the "
        f"body, printing at most {MAX_BODY} bytes of it (the crawl's limit)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    args.store = None
    if isinstance(args.dir, str):
        try:
            args.store = connect(args.dir)
            # Article files, index.cdxj and the catalog; WARC records by ranged GETs.
            args.dir = local_copy("show", args.dir, warcs=False, catalog=True, store=args.store)
        except RemoteArchiveError as exc:
            return fail("show", str(exc), exc.code)
    if not args.dir.is_dir():
        return fail("show", f"{args.dir} is not a directory (give the archive with --dir)", 2)
    if args.decode and not args.raw:
        return fail("show", "--decode goes with --raw", 2)
    try:
        if "://" in args.target:
            return _show_url(args)
        found = article_by_id(args.dir, args.target)
        return _show_article(args, found)
    except BrokenPipeError:
        return stdout_closed()
    except Ambiguous as exc:
        listed = "\n  ".join(exc.candidates[:_SHOWN_CANDIDATES])
        more = len(exc.candidates) - _SHOWN_CANDIDATES
        tail = f"\n  ... and {more} more" if more > 0 else ""
        return fail("show", f"{exc}; give more of the id:\n  {listed}{tail}", 1)
    except ArchiveError as exc:  # LookupFailed among them
        return fail("show", str(exc), 1)


def _show_article(args: argparse.Namespace, found: StoredArticle) -> int:
    if not args.raw:
        sys.stdout.write(found.path.read_text("utf-8"))
        sys.stdout.flush()
        return 0
    capture = found.document.get("capture") or {}
    try:
        warc_file, offset = capture["warc_file"], int(capture["warc_offset"])
    except (KeyError, TypeError, ValueError):
        return fail("show", f"{found.path} has no capture pointer into a WARC", 1)
    path = _warc(args, warc_file)
    if args.store is None and not path.is_file():
        return fail(
            "show",
            f"the WARC of this capture, {warc_file}, is not in {path.parent} "
            "(for articles of a replay, give the source WARCs' folder with --warc-dir)",
            1,
        )
    return _print_record(args, path, offset, decode=args.decode)


def _warc(args: argparse.Namespace, filename: str) -> Path:
    if args.warc_dir is not None:
        return args.warc_dir / safe_warc_name(filename)
    return warc_path(args.dir, filename)


def _show_url(args: argparse.Namespace) -> int:
    url = args.target
    candidates = list(dict.fromkeys([url, strip_tracking(url)]))
    found = article_by_url(args.dir, candidates)
    if found is not None:
        return _show_article(args, found)
    if args.store is not None and args.warc_dir is None and index_is_fresh(args.dir) is None:
        # No index in the bucket (`newsarchive index s3://…` makes one): read the WARCs.
        try:
            local_copy("show", args.store.location.url, articles=False, store=args.store)
        except RemoteArchiveError as exc:
            raise ArchiveError(str(exc)) from exc
    entries = []
    for candidate in candidates:
        entries = captures_of(args.warc_dir or args.dir, candidate)
        if entries:
            break
    if not entries:
        return fail("show", f"{url} is not in the archive {args.dir}", 1)
    last = entries[-1]
    if not args.raw:
        return fail(
            "show",
            f"{url} was captured ({len(entries)} time(s), latest {last.timestamp}, status "
            f"{last.status or '-'}) but gave no article; add --raw to see the response",
            1,
        )
    if len(entries) > 1:
        say("show", f"{len(entries)} captures of {url}; showing the latest ({last.timestamp})")
    return _print_record(args, _warc(args, last.filename), last.offset, decode=args.decode)


@contextmanager
def _record(args: argparse.Namespace, path: Path, offset: int) -> Iterator[ArcWarcRecord]:
    """The record at `offset` of the WARC `path`: from the bucket with ranged GETs when the
    archive is there and the file is not in the local cache."""
    if args.store is None or args.warc_dir is not None or path.is_file():
        with record_at(path, offset) as record:
            yield record
        return
    relative = f"{WARC_DIR}/{path.name}"
    try:
        stream = open_ranged(args.store, relative)
    except StorageError as exc:
        raise WarcReadError(str(exc)) from exc
    with stream:
        try:
            yield record_in(stream, offset, f"{args.store.location.url}/{relative}")
        except StorageError as exc:
            raise WarcReadError(str(exc)) from exc


def _print_record(args: argparse.Namespace, path: Path, offset: int, *, decode: bool) -> int:
    with _record(args, path, offset) as record:
        if record.rec_type != "revisit":
            return _write_response(record, record, decode=decode)
        warc = record.rec_headers
        uri = warc.get_header("WARC-Refers-To-Target-URI") or warc.get_header("WARC-Target-URI")
        date = warc.get_header("WARC-Refers-To-Date")
        found = revisit_original(
            args.dir,
            refers_to=warc.get_header("WARC-Refers-To"),
            uri=uri,
            date=date,
            url_key=strip_tracking,
            warc_directory=args.warc_dir,
        )
        if found is None:
            say(
                "show",
                f"a revisit record, whose body is that of {uri or '?'} at {date or '?'}: that "
                "capture is not in the archive, so there is no body to show",
            )
            return _write_response(record, record, decode=decode)
        with _record(args, _warc(args, found.warc_file), found.offset) as original:
            status = record.http_headers.get_statuscode() if record.http_headers else None
            say(
                "show",
                f"a revisit record ({status or 'no status'}, {warc.get_header('WARC-Date')}); "
                f"the body is that of the capture of "
                f"{original.rec_headers.get_header('WARC-Date')} ({found.warc_file})",
            )
            # A 304 says nothing of the payload: the original's headers describe it. Any
            # other revisit (an identical payload fetched again) keeps its own headers.
            head = record if status not in (None, "304") else original
            return _write_response(head, original, decode=decode)


def _write_response(head: ArcWarcRecord, body: ArcWarcRecord, *, decode: bool) -> int:
    """The status line and headers of `head`, then the payload of `body` (the same record,
    except for a revisit, whose payload is its original's)."""
    out: BinaryIO = sys.stdout.buffer
    if head.http_headers is not None and head.rec_type in ("response", "revisit"):
        headers = head.http_headers
        out.write(headers.to_bytes(encoding="latin-1"))
        encoding = headers.get_header("Content-Encoding")
        if encoding and not decode and out.isatty():
            say("show", f"the body is {encoding}-encoded; add --decode to read it")
            out.flush()
            return 0
    if decode and body.http_headers is not None:
        return _write_decoded(body, out)
    while chunk := body.raw_stream.read(65536):
        out.write(chunk)
    out.flush()
    return 0


def _write_decoded(body: ArcWarcRecord, out: BinaryIO) -> int:
    """The payload with its codings undone as replay undoes them (every coding Scrapy
    decodes, several in a row, chunking), at most `MAX_BODY` bytes of it: a 5 MB gzip bomb
    must neither fill memory nor the terminal. Says so when it stopped."""
    stored = body.raw_stream.read(MAX_BODY + 1)
    stored_whole = len(stored) <= MAX_BODY  # else decode the start of it, no more
    stored = stored[:MAX_BODY]
    codings = codings_of(body.http_headers, MAX_BODY)
    try:
        decoded, whole = codings.undo_start(stored)
    except BodyDecodeError as exc:
        say("show", f"cannot decode the body: {exc}")
        return 1
    out.write(decoded)
    out.flush()
    if not (whole and stored_whole):
        say("show", f"stopped after {len(decoded)} bytes: the body is over the limit of "
                    f"{MAX_BODY} bytes")
    return 0
