"""`newsarchive catalog DIR [--rebuild] [--import WARC ...]`

The catalog (`DIR/catalog.sqlite`) is what makes crawls incremental, and it is an index
only: this command shows what it holds, remakes it from the WARC and article files when it
is lost, damaged or older than the archive (`--rebuild`), and brings in other tools' WARC
files (wget `--warc-file`, Heritrix; ARC files too) so that the next crawl of that site asks
the server only for what changed since they were made (`--import`).

The catalog is opened with the crawler's URL key (`crawler.urls.strip_tracking`): a catalog
written with another key would answer the crawl's lookups wrongly.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.atomic import file_mode
from archive.catalog import CatalogError, SqliteCatalog, catalog_path, open_catalog
from archive.catalog.rebuild import SyncReport, rebuild, sync
from archive.cdxj import INDEXED_SUFFIXES, list_warcs, unfinished_warcs
from archive.errors import ArchiveError, WarcReadError
from archive.layout import WARC_DIR
from archive.locks import LOCKS_DIR, is_locked
from crawler.cli import fail, say
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
    parser.add_argument("directory", type=Path, metavar="DIR")
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

    def render(self, out: Path) -> str:
        lines = [
            f"catalog      : {catalog_path(out)}",
            f"captures     : {self.captures} ({self.revisits} revisits) of {self.urls} URLs",
            f"articles     : {self.articles} ({self.versions} versions)",
            f"runs         : {self.runs}",
            f"WARC files   : {len(self.indexed)} indexed, {len(self.present)} in {out / WARC_DIR}",
        ]
        for name in self.not_indexed:
            lines.append(f"  not indexed: {name} (`newsarchive catalog {out} --rebuild`)")
        for name in self.missing:
            lines.append(f"  indexed but missing: {name}")
        for name in self.unfinished:
            lines.append(f"  unfinished : {name} (being written, or `newsarchive check --repair`)")
        return "\n".join(lines)


def _count(path: Path, sql: str) -> int:
    """One number the catalog interface has no method for, read on a connection of its own
    (read-only: a crawl may be writing)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute("PRAGMA busy_timeout=10000")
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


def summarise(out: Path) -> Summary:
    path = catalog_path(out)
    with open_catalog(out, readonly=True, url_key=strip_tracking) as catalog:
        articles, versions = catalog.count_articles()
        summary = Summary(
            captures=catalog.count_captures(),
            articles=articles,
            versions=versions,
            runs=len(catalog.runs(limit=1 << 62)),
            indexed=catalog.warc_files(),
        )
    try:
        summary.urls = _count(path, "SELECT count(DISTINCT url_key) FROM captures")
        summary.revisits = _count(path, "SELECT count(*) FROM captures WHERE record_type='revisit'")
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"{path}: not a readable catalog: {exc}") from exc
    folder = out / WARC_DIR
    if folder.is_dir():
        summary.present = {p.name for p in list_warcs(folder)}
        summary.unfinished = [p.name for p in unfinished_warcs(folder)]
    return summary


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
    try:
        with open(path, "rb") as stream:
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
    except WarcReadError:
        raise
    except OSError as exc:
        raise WarcReadError(f"cannot read {path}: {exc}") from exc
    except Exception as exc:  # warcio raises plain exceptions on damaged files
        raise WarcReadError(f"{path}: not a readable WARC file: {exc}") from exc
    if records == 0:
        raise WarcReadError(f"{path}: holds no WARC records")
    return records


def plan_imports(sources: list[Path], folder: Path) -> tuple[list[Path], list[Path]]:
    """(files to copy, files already in `folder` with the same bytes), or `ArchiveError`.

    A name taken in `folder` by other bytes is an error, never a renamed copy: the clash
    is almost always the same crawl imported twice under another tool's rotation, and a
    quiet `-1` suffix would index its responses twice."""
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
        target = folder / source.name
        if target.exists():
            if filecmp.cmp(source, target, shallow=False):
                already.append(target)
                continue
            raise ArchiveError(
                f"{target} exists and holds other bytes than {source}: rename {source} "
                "(nothing was imported)"
            )
        to_copy.append(source)
    return to_copy, already


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


def _import(out: Path, sources: list[Path], *, rebuilding: bool) -> int:
    folder = out / WARC_DIR
    try:
        to_copy, already = plan_imports(sources, folder)
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
    new_catalog = not catalog_path(out).exists()
    with SqliteCatalog(catalog_path(out), url_key=strip_tracking) as catalog:
        # A new catalog indexes everything already in DIR, as a crawl's first session
        # would have: once the file exists, no crawl seeds it again.
        report = sync(catalog, out, warcs=None if new_catalog else [*copied, *already])
    say(COMMAND, f"indexed: {report.render()}")
    return 1 if report.unreadable else 0


# -- the command ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
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
            status = _import(out, args.imports, rebuilding=args.rebuild)
            if status:
                return status
        if args.rebuild:
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
