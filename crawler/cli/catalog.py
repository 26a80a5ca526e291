"""`newsarchive catalog DIR|s3://BUCKET/PREFIX [--rebuild] [--import WARC ...] [--catalog URL]`

The catalog (`DIR/catalog.sqlite`) is what makes crawls incremental, and it is an index
only: this command shows what it holds, remakes it from the WARC and article files when it
is lost, damaged or older than the archive (`--rebuild`), and brings in other tools' WARC
files (wget `--warc-file`, Heritrix; ARC files too) so that the next crawl of that site asks
the server only for what changed since they were made (`--import`).

The catalog is opened with the crawler's URL key (`crawler.urls.strip_tracking`): a catalog
written with another key would answer the crawl's lookups wrongly.

`--catalog postgresql://…` works on the server catalog of a shared crawl instead of
`DIR/catalog.sqlite`. The server catalog indexes the files of every worker, so `--rebuild`
adds what DIR's files hold to it (every write is idempotent) and never deletes rows.

An archive in a bucket (`s3://BUCKET/PREFIX`) has no catalog to change in place: its
`catalog.sqlite` is a snapshot the crawls upload when they end. The summary reads the
snapshot and lists the bucket's `warc/`; `--rebuild` makes a new snapshot from the bucket's
files (mirrored into the read cache) and `--import` uploads the files (never over other
bytes) and indexes them into a new snapshot; either is uploaded only if the bucket's
snapshot is still the one it was made from (a crawl that ended meanwhile wins: run again).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.atomic import file_mode
from archive.catalog import CatalogError, SqliteCatalog, catalog_path, open_catalog
from archive.catalog.rebuild import SyncReport, rebuild, sync
from archive.catalog.sql import SqlCatalog
from archive.errors import ArchiveError, WarcReadError
from archive.layout import WARC_DIR
from archive.locks import LOCKS_DIR, is_locked
from archive.warc.cdxj import INDEXED_SUFFIXES, list_warcs, unfinished_warcs
from archive.warc.reader import read_errors
from crawler.cli import fail, say
from crawler.cli._remote import archive_arg
from crawler.urls import strip_tracking

COMMAND = "catalog"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        COMMAND,
        help="show, rebuild or extend the catalog of DIR (what makes crawls incremental)",
        description=(
            "Without options, print what DIR's catalog holds: captures, URLs, articles and "
            "versions, runs, and the WARC files it indexes against those in DIR/warc. "
            "--rebuild remakes it from DIR/warc and DIR/articles (the runs are kept). "
            "--import copies WARC or ARC files of other tools (wget, Heritrix) into DIR/warc "
            "and indexes them, so that the next crawl sends conditional requests for the "
            "pages they hold."
        ),
    )
    parser.add_argument("directory", type=archive_arg, metavar="DIR|s3://BUCKET/PREFIX")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="remake the catalog from the WARC and article files (refused while a crawl "
        "into DIR runs)",
    )
    parser.add_argument(
        "--import",
        dest="imports",
        type=Path,
        nargs="+",
        default=[],
        metavar="WARC",
        help="copy these .warc, .warc.gz, .arc or .arc.gz files into DIR/warc (never "
        "overwriting one there) and index them",
    )
    parser.add_argument(
        "--catalog",
        default="",
        metavar="URL",
        help="the server catalog of a shared crawl (postgresql://…) instead of DIR's own: "
        "shown, or rebuilt and imported into (adding, never deleting)",
    )
    parser.set_defaults(run=run)


# -- the summary ---------------------------------------------------------------------------


@dataclass
class Summary:
    """What a catalog holds, and how it compares with the WARC files beside it."""

    captures: int = 0
    revisits: int = 0
    urls: int = 0
    articles: int = 0
    versions: int = 0
    runs: int = 0
    indexed: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)
    unfinished: list[str] = field(default_factory=list)

    @property
    def not_indexed(self) -> list[str]:
        return sorted(self.present - self.indexed)

    @property
    def missing(self) -> list[str]:
        return sorted(self.indexed - self.present)

    def render(self, out: Path | str, location: str = "", catalog_url: str = "") -> str:
        """`out`: the archive as given; `location`: where its catalog is (default: its
        SQLite file)."""
        folder = f"{out}/{WARC_DIR}"
        again = f" --catalog {catalog_url}" if catalog_url else ""
        lines = [
            f"catalog      : {location or catalog_path(out)}",
            f"captures     : {self.captures} ({self.revisits} revisits) of {self.urls} URLs",
            f"articles     : {self.articles} ({self.versions} versions)",
            f"runs         : {self.runs}",
            f"WARC files   : {len(self.indexed)} indexed, {len(self.present)} in {folder}",
        ]
        for name in self.not_indexed:
            lines.append(f"  not indexed: {name} (`newsarchive catalog {out} --rebuild{again}`)")
        for name in self.missing:
            lines.append(f"  indexed but missing: {name}")
        for name in self.unfinished:
            lines.append(f"  unfinished : {name} (being written, or `newsarchive check --repair`)")
        return "\n".join(lines)


def summarise(out: Path) -> Summary:
    """The summary of DIR's own catalog against DIR/warc."""
    with open_catalog(out, readonly=True, url_key=strip_tracking) as catalog:
        summary = summarise_catalog(catalog)
    folder = out / WARC_DIR
    if folder.is_dir():
        summary.present = {p.name for p in list_warcs(folder)}
        summary.unfinished = [p.name for p in unfinished_warcs(folder)]
    return summary


def summarise_catalog(catalog: SqlCatalog) -> Summary:
    """What `catalog` holds (the WARC files beside it are the caller's to add)."""
    try:
        articles, versions = catalog.count_articles()
        return Summary(
            captures=catalog.count_captures(),
            revisits=catalog.count_revisits(),
            urls=catalog.count_urls(),
            articles=articles,
            versions=versions,
            runs=len(catalog.runs(limit=1 << 62)),
            indexed=catalog.warc_files(),
        )
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"{catalog.location}: not a readable catalog: {exc}") from exc


# -- rebuild -------------------------------------------------------------------------------


def held_locks(out: Path) -> list[str]:
    """What holds a crawl lock of `out` now, one description per lock (empty: no crawl).

    A lock file's stem is always the name it was made from (`archive.locks.lock_path`
    maps a name to itself once it is file-safe), so `is_locked` can probe each one."""
    held = []
    for lock in sorted((out / LOCKS_DIR).glob("*.lock")):
        if not is_locked(out, lock.stem):
            continue
        try:
            holder = json.loads(lock.read_text("utf-8"))
            who = f", pid {int(holder['pid'])}"
        except (OSError, ValueError, KeyError, TypeError):
            who = ""
        held.append(f"{lock} ({lock.stem}{who})")
    return held


def _rebuild(out: Path) -> SyncReport:
    return rebuild(out, catalog_path(out), url_key=strip_tracking)


# -- import --------------------------------------------------------------------------------


def check_readable(path: Path) -> int:
    """The number of records of the WARC or ARC file `path`; `WarcReadError` when it is not
    one warcio can read to its end (nothing is copied from a file that fails)."""
    if not path.name.endswith(INDEXED_SUFFIXES):
        raise WarcReadError(
            f"{path}: not named like a WARC or ARC file ({', '.join(INDEXED_SUFFIXES)}); "
            "rename it (the archive's commands find files by these endings)"
        )
    records = 0
    with read_errors(path), open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            # warcio reads any line of five words as an ARC record header: a real ARC
            # file opens with its `filedesc://` record, a text file does not.
            if records == 0 and record.format == "arc" and record.rec_type != "arc_header":
                raise WarcReadError(
                    f"{path}: not a readable WARC file: it starts with neither a WARC "
                    "record nor an ARC file header"
                )
            while record.raw_stream.read(1 << 16):
                pass
            records += 1
    if records == 0:
        raise WarcReadError(f"{path}: holds no WARC records")
    return records


def plan_imports(
    sources: list[Path], present: Callable[[Path], bool | None], where: Callable[[Path], str]
) -> tuple[list[Path], list[Path]]:
    """(sources to copy, sources already in the archive with the same bytes), or
    `ArchiveError`. `present(source)`: None when its name is free in the archive, else
    whether the file there holds the same bytes; `where(source)`: that file, for messages.

    A name taken by other bytes is an error, never a renamed copy: the clash is almost
    always the same crawl imported twice under another tool's rotation, and a quiet `-1`
    suffix would index its responses twice."""
    to_copy: list[Path] = []
    already: list[Path] = []
    names: dict[str, Path] = {}
    for source in sources:
        if not source.is_file():
            raise ArchiveError(f"{source}: no such file")
        if source.name in names:
            raise ArchiveError(f"{names[source.name]} and {source} have the same name")
        names[source.name] = source
        check_readable(source)
        same = present(source)
        if same is None:
            to_copy.append(source)
        elif same:
            already.append(source)
        else:
            raise ArchiveError(
                f"{where(source)} exists and holds other bytes than {source}: rename "
                f"{source} (nothing was imported)"
            )
    return to_copy, already


def _in_folder(folder: Path) -> Callable[[Path], bool | None]:
    def present(source: Path) -> bool | None:
        target = folder / source.name
        return filecmp.cmp(source, target, shallow=False) if target.exists() else None

    return present


def copy_in(source: Path, folder: Path) -> Path:
    """Copy `source` into `folder` under its name, durably and without ever overwriting:
    a temporary file (named so that no command takes it for a WARC), fsynced, then a hard
    link to the final name, which fails if the name appeared meanwhile."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".import-", suffix=".part")
    os.fchmod(fd, file_mode())  # a WARC like the crawl's own: the umask decides, not mkstemp
    try:
        with os.fdopen(fd, "wb") as handle, open(source, "rb") as original:
            shutil.copyfileobj(original, handle, 1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
        target = folder / source.name
        os.link(tmp, target)
    finally:
        os.unlink(tmp)
    return target


def open_writable(out: Path, catalog_url: str) -> SqlCatalog:
    """DIR's own catalog, or the server catalog at `catalog_url` (imported only then)."""
    if catalog_url:
        from crawler.session import open_catalog_url

        catalog = open_catalog_url(catalog_url, out)
        assert isinstance(catalog, SqlCatalog)
        return catalog
    return SqliteCatalog(catalog_path(out), url_key=strip_tracking)


def index_into(out: Path, catalog_url: str, *, label: str) -> SyncReport:
    """`--rebuild --catalog URL`: DIR's files indexed into the server catalog, which keeps what
    other workers wrote (a rebuild from scratch would lose it); `label` names the archive."""
    with open_writable(out, catalog_url) as catalog:
        report = sync(catalog, out)
        where = catalog.location
    say(COMMAND, f"indexed the files of {label} into {where}: {report.render()}")
    return report


def _import(out: Path, sources: list[Path], *, rebuilding: bool, catalog_url: str = "") -> int:
    folder = out / WARC_DIR
    try:
        to_copy, same = plan_imports(sources, _in_folder(folder), lambda s: str(folder / s.name))
        already = [folder / source.name for source in same]
    except ArchiveError as exc:
        return fail(COMMAND, f"{exc}; nothing was imported", 1)
    copied: list[Path] = []
    try:
        for source in to_copy:
            copied.append(copy_in(source, folder))
    except OSError as exc:
        for target in copied:  # all or nothing: none of them is indexed yet
            target.unlink(missing_ok=True)
        return fail(COMMAND, f"cannot copy into {folder}: {exc}; nothing was imported", 1)
    for target in already:
        say(COMMAND, f"{target.name} is already in {folder} (same bytes): not copied again")
    for target in copied:
        say(COMMAND, f"copied {target.name} into {folder}")
    if rebuilding:
        return 0
    with open_writable(out, catalog_url) as catalog:
        # A new catalog indexes everything already in DIR, as a crawl's first session
        # would have: once it holds anything, no crawl seeds it again.
        new_catalog = catalog.is_empty()
        report = sync(catalog, out, warcs=None if new_catalog else [*copied, *already])
    say(COMMAND, f"indexed: {report.render()}")
    return 1 if report.unreadable else 0


# -- the command ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    if isinstance(args.directory, str):
        from crawler.cli._catalog_bucket import run_bucket  # boto3 only when a bucket is given

        return run_bucket(args, args.directory)
    out: Path = args.directory
    if not out.is_dir():
        return fail(COMMAND, f"{out} is not a directory", 2)
    status = 0
    try:
        if args.rebuild:
            held = held_locks(out)
            if held:
                return fail(
                    COMMAND,
                    "a crawl into this archive is running; rebuild once it ends. Held "
                    "crawl locks:\n  " + "\n  ".join(held),
                    1,
                )
        if args.imports:
            status = _import(out, args.imports, rebuilding=args.rebuild, catalog_url=args.catalog)
            if status:
                return status
        if args.rebuild:
            if args.catalog:
                report = index_into(out, args.catalog, label=str(out))
            else:
                report = _rebuild(out)
                say(COMMAND, f"rebuilt {catalog_path(out)}: {report.render()}")
            if report.unreadable:
                status = fail(COMMAND, "unreadable WARC files are not indexed", 1)
            held = held_locks(out)
            if held:
                say(
                    COMMAND,
                    "a crawl started during the rebuild and may have written to the old "
                    "catalog; rebuild again once it ends: " + ", ".join(held),
                )
        if args.catalog:
            with open_writable(out, args.catalog) as catalog:
                summary, location = summarise_catalog(catalog), catalog.location
            folder = out / WARC_DIR
            if folder.is_dir():
                summary.present = {p.name for p in list_warcs(folder)}
                summary.unfinished = [p.name for p in unfinished_warcs(folder)]
            print(summary.render(out, location, args.catalog))
            return status
        if not catalog_path(out).exists():
            return fail(
                COMMAND,
                f"{out} has no catalog ({catalog_path(out).name}): no crawl has run into it; "
                f"`newsarchive catalog {out} --rebuild` makes one from its files",
                1,
            )
        print(summarise(out).render(out))
    except (ArchiveError, OSError) as exc:
        return fail(COMMAND, str(exc), 1)
    return status
