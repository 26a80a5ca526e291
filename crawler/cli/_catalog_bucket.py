"""`newsarchive catalog s3://BUCKET/PREFIX`: the catalog of an archive in a bucket.

Nothing in a bucket is changed in place. The summary reads the bucket's catalog snapshot;
`--rebuild` indexes the bucket's files (mirrored into the read cache) into a new snapshot,
`--import` uploads WARC files (never over other bytes under the same name) and indexes them
into one; either snapshot is uploaded only while the bucket still holds the one it was made
from (`replace_snapshot`). With `--catalog URL` both work on the server catalog instead.
Imported only for an `s3://` argument, like every object-storage path.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import CATALOG_FILE, catalog_path, open_catalog
from archive.catalog.rebuild import rebuild, sync
from archive.errors import ArchiveError
from archive.layout import WARC_DIR
from archive.storage import ObjectStore, RemoteObject, StorageError, remote_warcs
from archive.storage.sync import fetch_snapshot, materialise, replace_snapshot
from crawler.cli import fail, human_bytes, say
from crawler.cli._remote import RemoteArchiveError, connect, read_cache
from crawler.cli.catalog import COMMAND, index_into, open_writable, plan_imports, summarise_catalog
from crawler.urls import strip_tracking


def _in_bucket(store: ObjectStore) -> Callable[[Path], bool | None]:
    def present(source: Path) -> bool | None:
        there = store.exists(f"{WARC_DIR}/{source.name}")
        return None if there is None else store.holds(source, there)

    return present


def _import_remote(
    store: ObjectStore,
    directory: Path,
    sources: list[Path],
    *,
    rebuilding: bool,
    catalog_url: str,
    snapshot: RemoteObject | None,
) -> int:
    url = f"{store.location.url}/{WARC_DIR}"
    try:
        to_upload, already = plan_imports(sources, _in_bucket(store), lambda s: f"{url}/{s.name}")
    except ArchiveError as exc:
        return fail(COMMAND, f"{exc}; nothing was imported", 1)
    for source in already:
        say(COMMAND, f"{source.name} is already in {url} (same bytes): not uploaded again")
    for count, source in enumerate(to_upload):
        try:
            store.upload_file(source, f"{WARC_DIR}/{source.name}", if_absent=True)
        except StorageError as exc:
            done = f"{count} of {len(to_upload)} uploaded" if count else "nothing was imported"
            return fail(COMMAND, f"{exc}; {done} (run again: those are skipped)", 1)
        say(COMMAND, f"uploaded {source.name} to {url}")
    if rebuilding:
        return 0
    with open_writable(directory, catalog_url) as catalog:
        if catalog.is_empty():  # as locally: a new catalog indexes the whole archive
            _mirror(store, directory, warcs=True)
            report = sync(catalog, directory)
        else:
            with tempfile.TemporaryDirectory(prefix="newsarchive-import-") as nothing:
                report = sync(catalog, nothing, warcs=[*to_upload, *already])
    say(COMMAND, f"indexed: {report.render()}")
    if not catalog_url:
        replace_snapshot(store, directory, snapshot)
        say(COMMAND, f"uploaded the new snapshot {store.location.url}/{CATALOG_FILE}")
    return 1 if report.unreadable else 0


def _mirror(store: ObjectStore, directory: Path, *, warcs: bool) -> None:
    done = materialise(store, directory, warcs=warcs, articles=True)
    say(
        COMMAND,
        f"{store.location.url}: {done.warcs} WARC file(s), {done.articles} article file(s); "
        f"{done.downloaded} file(s) ({human_bytes(done.downloaded_bytes)}) downloaded into "
        f"the cache {directory}",
    )


def run_bucket(args: argparse.Namespace, given: str) -> int:
    """`newsarchive catalog s3://BUCKET/PREFIX …`: the summary, `--import` and `--rebuild`
    of an archive in a bucket (see the module docstring)."""
    try:
        store = connect(given)
    except RemoteArchiveError as exc:
        return fail(COMMAND, str(exc), exc.code)
    url = store.location.url
    directory = read_cache(COMMAND, store)
    status = 0
    try:
        snapshot = None if args.catalog else fetch_snapshot(store, directory)
        if args.imports:
            status = _import_remote(
                store,
                directory,
                args.imports,
                rebuilding=args.rebuild,
                catalog_url=args.catalog,
                snapshot=snapshot,
            )
            if status:
                return status
        if args.rebuild:
            _mirror(store, directory, warcs=True)
            if args.catalog:
                report = index_into(directory, args.catalog, label=url)
            else:
                report = rebuild(directory, catalog_path(directory), url_key=strip_tracking)
                replace_snapshot(store, directory, snapshot)
                say(COMMAND, f"rebuilt {url}/{CATALOG_FILE} (a new snapshot): {report.render()}")
            if report.unreadable:
                status = fail(COMMAND, "unreadable WARC files are not indexed", 1)
        if args.catalog:
            with open_writable(directory, args.catalog) as catalog:
                summary, location = summarise_catalog(catalog), catalog.location
        else:
            snapshot = fetch_snapshot(store, directory)
            if snapshot is None:
                return fail(
                    COMMAND,
                    f"{url} has no catalog snapshot ({CATALOG_FILE}): no crawl has ended into "
                    f"it; `newsarchive catalog {url} --rebuild` makes one from its files",
                    1,
                )
            with open_catalog(directory, readonly=True, url_key=strip_tracking) as catalog:
                summary = summarise_catalog(catalog)
            when = datetime.fromtimestamp(snapshot.modified, UTC).strftime("%Y-%m-%d %H:%M UTC")
            location = f"{url}/{CATALOG_FILE} (the snapshot uploaded {when})"
        summary.present = {item.relative.rsplit("/", 1)[-1] for item in remote_warcs(store)}
        print(summary.render(url, location, args.catalog))
    except (ArchiveError, OSError) as exc:
        return fail(COMMAND, str(exc), 1)
    return status
