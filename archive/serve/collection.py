"""A pywb collection over an archive directory, indexed with pywb's own indexer.

The collection lives in a state directory, `OUT/.pywb/` (a temporary directory when OUT is
read-only), laid out as pywb expects so that `wayback` could serve it too:

    OUT/.pywb/config.yaml                     the configuration `newsarchive serve` runs with
    OUT/.pywb/indexes/<warc name>.cdxj        one sorted CDXJ per WARC file
    OUT/.pywb/indexes/manifest.json           size and mtime of each WARC when it was indexed
    OUT/.pywb/index.cdxj                      all of them merged: the collection's index

The WARC files are not copied or linked: the collection's `archive_paths` is `OUT/warc/`.
A WARC is indexed again only when its size or mtime changed, so restarting the server on a
large archive costs a stat per file; the merge streams (heapq), memory stays flat.

An archive in a bucket (`prepare_remote`) is served without downloading its WARC files:
each is indexed as it streams (one GET; again only when its size or ETag changed), and
`archive_paths` is the bucket's `s3://BUCKET/PREFIX/warc/`, which pywb's S3 loader reads
with a ranged GET per record replayed (boto3, so the same AWS_* settings). The state
directory and the article files are in the archive's read cache.
"""

from __future__ import annotations

import functools
import heapq
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from archive.layout import ARCHIVE_SUFFIXES, WARC_DIR
from archive.serve.errors import NoWarcFilesError, ReplayNotInstalledError, ServeError
from archive.storage import ObjectStore, StorageError, remote_warcs
from archive.storage.rangedfile import open_stream
from archive.warc.cdxj import list_warcs

logger = logging.getLogger(__name__)

STATE_DIR = ".pywb"
COLLECTION = "archive"

# pywb's own options for `wb-manager add` (pywb/manager/manager.py).
_INDEX_OPTIONS = {"cdxj": True, "sort": True, "append_post": True}
# Record types that are not a capture to replay (WARC 1.1: derived content, annotations).
NOT_CAPTURES = frozenset({"conversion", "metadata"})


@dataclass(frozen=True)
class Collection:
    """A ready pywb collection: its name, files and the pywb configuration serving it."""

    name: str
    out: Path
    state_dir: Path
    index: Path
    warc_files: tuple[Path, ...]
    temporary: bool  # state_dir is a temporary directory, to remove when done
    archive_paths: str = ""  # where pywb reads the WARC files; default OUT/warc/
    title: str = ""  # what the start page calls the archive; default OUT's name

    def pywb_config(self) -> dict[str, Any]:
        """pywb configuration: this one collection, nothing from the live web.

        No automatic collections (they would serve whatever `collections/` the working
        directory holds), no proxy, no recorder, no live index: only the archive answers.
        Replay is unframed, so the page a browser shows is the archived page itself.
        """
        return {
            "collections": {
                self.name: {
                    "index_paths": str(self.index),
                    "archive_paths": self.archive_paths or str(self.out / WARC_DIR) + os.sep,
                }
            },
            "collections_root": str(self.state_dir / "collections"),
            "enable_auto_colls": False,
            "framed_replay": False,
            "debug": False,
        }

    def cleanup(self) -> None:
        if self.temporary:
            shutil.rmtree(self.state_dir, ignore_errors=True)


def warc_files(out: Path) -> list[Path]:
    directory = out / WARC_DIR
    return list_warcs(directory, ARCHIVE_SUFFIXES) if directory.is_dir() else []


def prepare(out: Path, name: str = COLLECTION) -> Collection:
    """Index the WARC files of `out` (those that changed) and return the collection."""
    out = out.resolve()
    if not out.is_dir():
        raise ServeError(f"{out} is not a directory")
    warcs = warc_files(out)
    collection = _collection(name, out, str(out), tuple(warcs))
    sources = [_Source(w.name, _stamp(w), functools.partial(open, w, "rb"), str(w)) for w in warcs]
    return _ready(collection, sources)


def prepare_remote(store: ObjectStore, directory: Path, name: str = COLLECTION) -> Collection:
    """The collection of the archive in `store`'s bucket; `directory` (its read cache)
    holds the state directory and the mirrored article files."""
    warcs = remote_warcs(store)
    url = store.location.url
    collection = _collection(
        name,
        directory,
        url,
        tuple(Path(item.relative) for item in warcs),
        archive_paths=f"{url}/{WARC_DIR}/",
        title=store.location.prefix.rsplit("/", 1)[-1] or store.location.bucket,
    )
    sources = [
        _Source(
            item.relative.rsplit("/", 1)[-1],
            [item.size, item.etag],
            functools.partial(open_stream, store, item.relative, item.size),
            f"{url}/{item.relative}",
        )
        for item in warcs
    ]
    return _ready(collection, sources)


def _collection(
    name: str, directory: Path, where: str, warcs: tuple[Path, ...], **extra: Any
) -> Collection:
    """The collection of the archive at `where` (a DIR or an s3:// URL) whose state lives in
    `directory`; NoWarcFilesError when it has no WARC files to serve."""
    if not warcs:
        raise NoWarcFilesError(
            f"{where}/{WARC_DIR} holds no WARC or ARC files (*.warc[.gz], *.arc[.gz]) to serve: "
            f"crawl into it first (newsarchive crawl URL --out {where})"
        )
    state_dir, temporary = _state_dir(directory)
    return Collection(
        name=name,
        out=directory,
        state_dir=state_dir,
        index=state_dir / "index.cdxj",
        warc_files=warcs,
        temporary=temporary,
        **extra,
    )


@dataclass(frozen=True)
class _Source:
    """One WARC file to index: its name, what says it changed, how to read it."""

    name: str
    stamp: list[Any]
    open: Callable[[], BinaryIO]
    display: str


def _stamp(warc: Path) -> list[Any]:
    stat = warc.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _ready(collection: Collection, sources: list[_Source]) -> Collection:
    try:
        _update_index(collection, sources)
        config = collection.state_dir / "config.yaml"  # JSON is YAML: pywb reads it as such
        _write_atomic(config, json.dumps(collection.pywb_config(), indent=2).encode() + b"\n")
    except BaseException:
        collection.cleanup()
        raise
    return collection


def _state_dir(out: Path) -> tuple[Path, bool]:
    state = out / STATE_DIR
    try:
        (state / "indexes").mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=state, prefix=".probe-")  # noqa: SIM115
        probe.close()
        return state, False
    except OSError as exc:
        temporary = Path(tempfile.mkdtemp(prefix="newsarchive-serve-"))
        (temporary / "indexes").mkdir()
        logger.info("cannot write %s (%s): indexing into %s", state, exc, temporary)
        return temporary, True


def _update_index(collection: Collection, sources: list[_Source]) -> None:
    indexes = collection.state_dir / "indexes"
    manifest_path = indexes / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, ValueError):
        manifest = {}
    current = {}
    changed = not collection.index.exists()
    for source in sources:
        current[source.name] = source.stamp
        cdxj = indexes / f"{source.name}.cdxj"
        if manifest.get(source.name) == source.stamp and cdxj.exists():
            continue
        logger.info("indexing %s", source.name)
        _index_warc(source, cdxj)
        changed = True
    for gone in set(manifest) - set(current):
        (indexes / f"{gone}.cdxj").unlink(missing_ok=True)
        changed = True
    if changed:
        _merge([indexes / f"{name}.cdxj" for name in current], collection.index)
    _write_atomic(manifest_path, json.dumps(current, indent=1).encode())


def _index_warc(warc: _Source, cdxj: Path) -> None:
    """Write the sorted CDXJ of one WARC with pywb's indexer (filenames relative to OUT/warc)."""
    try:
        from pywb.indexer.archiveindexer import DefaultRecordParser
        from pywb.indexer.cdxindexer import get_cdx_writer_cls
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError as exc:
        raise ReplayNotInstalledError(str(exc)) from exc

    class CaptureRecordParser(DefaultRecordParser):
        """pywb's parser, skipping records that are not captures of what a server sent.

        pywb indexes a `conversion` record (our article JSON) under its page's URL as if it
        were a capture; when its WARC-Date is the closest, the browser is shown the JSON
        instead of the page.
        """

        def parse_warc_record(self, record: Any) -> Any:
            if record.rec_type in NOT_CAPTURES:
                return None  # not indexed
            return super().parse_warc_record(record)

    tmp = cdxj.with_name(f".{cdxj.name}.{os.getpid()}.tmp")
    writer_cls = get_cdx_writer_cls(dict(_INDEX_OPTIONS))
    try:
        with warc.open() as infile, open(tmp, "wb") as outfile, writer_cls(outfile) as writer:
            for entry in CaptureRecordParser(**_INDEX_OPTIONS)(infile):
                writer.write(entry, warc.name)
    except (ArchiveLoadFailed, OSError, EOFError, StorageError) as exc:
        tmp.unlink(missing_ok=True)
        # One unreadable file should not keep the rest of the archive offline.
        logger.error("cannot index %s, its captures will not replay: %s", warc.display, exc)
        cdxj.write_bytes(b"")
        return
    os.replace(tmp, cdxj)


def _merge(parts: list[Path], target: Path) -> None:
    """Merge sorted CDXJ files into one sorted file, streaming."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, "rb")) for p in parts if p.exists()]
        with open(tmp, "wb") as out:
            out.writelines(heapq.merge(*(_lines(f) for f in files)))
    os.replace(tmp, target)


def _lines(handle: Any) -> Iterator[bytes]:
    for line in handle:
        yield line if line.endswith(b"\n") else line + b"\n"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
