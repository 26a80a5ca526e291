"""`newsarchive runs DIR|s3://BUCKET/PREFIX [--profile P] [--limit N] [--json] [--catalog URL]`

What the crawls into an archive did, newest first, from its catalog: the question a
scheduled archive raises every morning ("did last night's crawls run, and what did they
bring?") answered without reading logs. For an archive in a bucket, from the catalog
snapshot its crawls upload when they end (`PREFIX/catalog.sqlite`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.catalog import (
    CATALOG_FILE,
    CRASHED,
    RUNNING,
    CatalogError,
    RunRow,
    catalog_path,
    open_catalog,
)
from archive.locks import is_locked
from archive.storage import StorageError
from archive.storage.sync import fetch_snapshot
from crawler.cli import fail, human_bytes, say, stdout_closed
from crawler.cli._remote import RemoteArchiveError, archive_arg, connect, read_cache
from crawler.durations import human_duration

# Column -> the run stat it shows.
STATS = {
    "requests": "downloader/request_count",
    "responses": "downloader/response_count",
    "revisits": "warc/revisits",
    "articles": "newsarchive/articles",
    "article_versions": "newsarchive/article_versions",
    "skipped": "incremental/skipped",
    "warc_bytes": "warc/bytes",
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list the recent crawls into DIR",
        description="The recent crawl runs recorded in DIR's catalog, newest first. A run "
        "still marked running whose crawl lock is free reads 'crashed'.",
    )
    parser.add_argument("dir", type=archive_arg, metavar="DIR|s3://BUCKET/PREFIX")
    parser.add_argument("--profile", metavar="P", help="only the runs of profile P")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="default: 20")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--catalog",
        default="",
        metavar="URL",
        help="the server catalog the crawls used (postgresql://…), instead of DIR's own",
    )
    parser.set_defaults(run=run)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def effective_state(run: RunRow, out: Path | None) -> str:
    """The run's state, except that a `running` run nobody holds the lock of was killed
    (kill -9, a power cut) and never got to say so: it reads `crashed`. With `out` None
    (an archive in a bucket: its crawls' locks are on the machines that ran them), the
    recorded state."""
    if out is not None and run.state == RUNNING and not is_locked(out, run.profile):
        return CRASHED
    return run.state


def duration_seconds(run: RunRow, state: str, now: datetime) -> float | None:
    """From start to end; a running run counts up to now; a crashed one has no known end."""
    start = _time(run.started_at)
    end = _time(run.ended_at) or (now if state == RUNNING else None)
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)




def _stat(stats: Mapping[str, Any], column: str) -> int | None:
    """The figure, 0 when the run recorded stats but never counted it (Scrapy leaves a
    counter out until it is first incremented); None for a run with no stats at all."""
    if not stats:
        return None
    return int(stats.get(STATS[column]) or 0)


def as_json(run: RunRow, out: Path | None, now: datetime) -> dict[str, Any]:
    state = effective_state(run, out)
    return {
        "id": run.id,
        "profile": run.profile,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "duration_seconds": duration_seconds(run, state, now),
        "state": state,
        "recorded_state": run.state,
        "pid": run.pid,
        "host": run.host,
        "resumes": run.resumes,
        **{column: _stat(run.stats, column) for column in STATS},
        "stats": dict(run.stats),
    }


HEADER = ("ID", "PROFILE", "STARTED (UTC)", "TOOK", "STATE", "REQUESTS", "RESPONSES",
          "REVISITS", "ARTICLES (NEW VERSIONS)", "SKIPPED", "WARC")  # fmt: skip
_RIGHT = {0, 3, 5, 6, 7, 8, 9, 10}  # numeric columns, aligned right


def as_row(run: RunRow, out: Path | None, now: datetime) -> tuple[str, ...]:
    state = effective_state(run, out)
    start = _time(run.started_at)

    def number(column: str) -> str:
        value = _stat(run.stats, column)
        return "-" if value is None else str(value)

    articles = number("articles")
    versions = _stat(run.stats, "article_versions")
    if versions is not None and articles != "-":
        articles += f" ({versions})"
    return (
        str(run.id),
        run.profile,
        start.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if start else run.started_at,
        human_duration(duration_seconds(run, state, now)),
        state + (f" (resumed {run.resumes}x)" if run.resumes else ""),
        number("requests"),
        number("responses"),
        number("revisits"),
        articles,
        number("skipped"),
        human_bytes(_stat(run.stats, "warc_bytes")),
    )


def render_table(rows: list[tuple[str, ...]]) -> str:
    table = [HEADER, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = []
    for row in table:
        cells = [
            cell.rjust(width) if i in _RIGHT else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _snapshot(url: str) -> Path:
    """The read cache directory holding the bucket's catalog snapshot, brought up to date
    (one line on stderr says which); RemoteArchiveError."""
    store = connect(url)
    directory = read_cache("runs", store)
    try:
        there = fetch_snapshot(store, directory)
    except StorageError as exc:
        raise RemoteArchiveError(str(exc), 1) from exc
    if there is None:
        raise RemoteArchiveError(
            f"{store.location.url} has no catalog snapshot ({CATALOG_FILE}): no crawl has "
            "ended into it (crawls with --catalog URL: give it here too)",
            1,
        )
    when = datetime.fromtimestamp(there.modified, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    say("runs", f"{store.location.url}/{CATALOG_FILE}: the snapshot uploaded {when}")
    return directory


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        return fail("runs", "--limit must be at least 1", 2)
    given: Path | str = args.dir
    lock_dir: Path | None = given if isinstance(given, Path) else None
    try:
        if isinstance(given, str) and args.catalog:
            connect(given)  # the bucket must be there; its runs are the server's
            out = Path()
        elif isinstance(given, str):
            out = _snapshot(given)
        else:
            out = given
    except RemoteArchiveError as exc:
        return fail("runs", str(exc), exc.code)
    if not args.catalog and not catalog_path(out).exists():
        return fail(
            "runs",
            f"{out} has no catalog ({catalog_path(out).name}): no crawl has run into it "
            "(or it is not an archive directory; crawls with --catalog URL: give it here too)",
            1,
        )
    try:
        if args.catalog:
            from crawler.session import open_catalog_url  # a server backend, when asked

            catalog = open_catalog_url(args.catalog, out)
        else:
            catalog = open_catalog(out, readonly=True)
        with catalog:
            runs = catalog.runs(profile=args.profile, limit=args.limit)
    except CatalogError as exc:
        return fail("runs", str(exc), 1)
    now = datetime.now(UTC)
    try:
        if args.json:
            for one in runs:
                sys.stdout.write(json.dumps(as_json(one, lock_dir, now), sort_keys=False) + "\n")
        elif runs:
            print(render_table([as_row(one, lock_dir, now) for one in runs]))
        else:
            which = f" of profile {args.profile}" if args.profile else ""
            print(f"no runs{which} in {given}", file=sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:
        return stdout_closed()
    return 0
