"""Package an archive as WACZ 1.1.1, the single file ReplayWeb.page opens.

    archive/<name>.warc.gz      the WARC files, as they are
    indexes/index.cdx.gz        the CDXJ index in gzip blocks of `BLOCK_LINES` lines
    indexes/index.idx           one line per block: its first key, offset, length, sha256
    pages/pages.jsonl           the entry points: one line per article (url, ts, title)
    datapackage.json            every file above with its size and sha256
    datapackage-digest.json     the sha256 of datapackage.json

The WARCs and the block-compressed index are stored uncompressed in the ZIP ("stored"), as
the spec requires, so that a reader fetches one record or one index block by byte range
without inflating the whole file. The compressed index (ZipNum, `cdxj-gzip-1.0`) is what
py-wacz writes and lets ReplayWeb.page load only the blocks a lookup needs. Written to a
temporary file and renamed, so a failed run leaves no half archive.

ARC files are refused, with the command that converts them: WACZ 1.1.1 says "The `archive`
directory MUST contain one or more files in the WARC format", `.warc` or `.warc.gz`, and
py-wacz's `wacz validate` looks for those names only. pywb replays ARC, but a WACZ is read
by ReplayWeb.page, whose 2.5.3 bundle has no ARC reader. warcio (installed with us) writes
the WARC: `warcio recompress X.arc.gz X.warc.gz`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from archive.atomic import replacing
from archive.errors import ArchiveError
from archive.export import select_articles
from archive.layout import ARC_SUFFIXES, ARTICLES_DIR, fetched_at
from archive.warc.cdxj import find_warcs, index_lines

WACZ_VERSION = "1.1.1"
BLOCK_LINES = 3000
_COPY = 1 << 20


class WaczError(ArchiveError):
    """A WACZ file could not be written."""


@dataclass(frozen=True)
class WaczSummary:
    path: Path
    warcs: int
    captures: int
    pages: int
    bytes: int


class _Hashing:
    """Wraps a writable stream, counting and hashing what goes through."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def resource(self, path: str) -> dict[str, Any]:
        return {
            "name": path.rsplit("/", 1)[-1].lower(),
            "path": path,
            "hash": "sha256:" + self.sha256.hexdigest(),
            "bytes": self.size,
        }


def _entry(name: str, *, stored: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _iso_ts(fetched_at: str) -> str:
    """WARC-Date as the page list's `ts`, to the second (what the CDXJ timestamp keeps)."""
    return fetched_at[:19] + "Z" if len(fetched_at) >= 19 else fetched_at


def page_lines(
    directory: str | os.PathLike[str], warc_names: set[str], *, text: bool = False
) -> Iterator[dict[str, Any]]:
    """One page per article (its latest capture) whose response is in `warc_names`."""
    if not (Path(directory) / ARTICLES_DIR).is_dir():
        return  # WARCs only (another tool's): no article pages to list
    for document in select_articles(directory):
        capture = document.get("capture") or {}
        if capture.get("warc_file") not in warc_names or not document.get("url"):
            continue
        page: dict[str, Any] = {
            "id": document.get("id"),
            "url": document["url"],
            "ts": _iso_ts(fetched_at(document)),
            "title": document.get("title") or document["url"],
        }
        if text and document.get("body"):
            page["text"] = document["body"]
        yield page


def _add_stored(zf: zipfile.ZipFile, name: str, source: IO[bytes], size: int) -> dict[str, Any]:
    """Copy `size` bytes of `source` into the ZIP uncompressed; returns the resource entry.

    The size is given up front so that zipfile writes ZIP64 headers only for members that
    need them (over 4 GB): ReplayWeb.page 2.5.3 cannot read a small member that has them.
    """
    info = _entry(name, stored=True)
    info.file_size = size
    with zf.open(info, "w") as raw:
        sink = _Hashing(raw)
        while chunk := source.read(_COPY):
            sink.write(chunk)
    return sink.resource(name)


def _write_index(zf: zipfile.ZipFile, lines: Iterable[str]) -> tuple[list[dict[str, Any]], int]:
    """Write indexes/index.cdx.gz and indexes/index.idx; the resources and line count."""
    idx = io.StringIO()
    idx.write('!meta 0 {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}\n')
    count = 0
    with tempfile.TemporaryFile(prefix="newsarchive-cdx-") as blocks:
        block: list[str] = []

        def flush() -> None:
            member = gzip.compress("".join(block).encode("utf-8"), mtime=0)
            prefix = block[0].split(" {", 1)[0]
            entry = {
                "offset": blocks.tell(),
                "length": len(member),
                "digest": "sha256:" + hashlib.sha256(member).hexdigest(),
            }
            idx.write(f"{prefix} {json.dumps(entry)}\n")
            blocks.write(member)
            block.clear()

        for line in lines:
            block.append(line)
            count += 1
            if len(block) >= BLOCK_LINES:
                flush()
        if block:
            flush()
        size = blocks.tell()
        blocks.seek(0)
        cdx = _add_stored(zf, "indexes/index.cdx.gz", blocks, size)
    idx_bytes = idx.getvalue().encode("utf-8")
    zf.writestr(_entry("indexes/index.idx", stored=False), idx_bytes)
    idx_hash = _Hashing(io.BytesIO())
    idx_hash.write(idx_bytes)
    return [cdx, idx_hash.resource("indexes/index.idx")], count


def arc_refusal(arcs: list[Path]) -> str:
    """Why ARC files cannot go into a WACZ, and what to do (one line)."""
    first = arcs[0]
    more = f" and {len(arcs) - 1} more" if len(arcs) > 1 else ""
    warc = first.name.removesuffix(".gz").removesuffix(".arc") + ".warc.gz"
    return (
        f"{first}{more}: ARC files cannot go into a WACZ (WACZ 1.1.1 allows WARC files only "
        f"in archive/); convert each to WARC with "
        f"`warcio recompress {first} {first.parent / warc}`, move the ARC files out of "
        f"{first.parent} and run wacz again"
    )


def write_wacz(
    directory: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    title: str | None = None,
    description: str | None = None,
    software: str = "newsarchive",
    text: bool = False,
) -> WaczSummary:
    """Package the WARCs and articles of `directory` into the WACZ file `target`."""
    target = Path(target)
    warcs = find_warcs(directory)
    if not warcs:
        raise WaczError(f"no WARC files in {directory}")
    arcs = [w for w in warcs if w.name.endswith(ARC_SUFFIXES)]
    if arcs:
        raise WaczError(arc_refusal(arcs))
    names = [w.name for w in warcs]
    if len(set(names)) != len(names):
        raise WaczError("two WARC files share a name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as tmp:
        resources: list[dict[str, Any]] = []
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for warc in warcs:
                with open(warc, "rb") as source:
                    size = os.fstat(source.fileno()).st_size
                    resources.append(_add_stored(zf, f"archive/{warc.name}", source, size))

            index_resources, captures = _write_index(zf, index_lines(warcs))
            resources += index_resources

            pages = 0
            with zf.open(_entry("pages/pages.jsonl", stored=False), "w") as raw:
                sink = _Hashing(raw)
                header: dict[str, Any] = {"format": "json-pages-1.0", "id": "pages"}
                header["title"] = "Articles"
                if text:
                    header["hasText"] = True
                sink.write((json.dumps(header) + "\n").encode("utf-8"))
                for page in page_lines(directory, set(names), text=text):
                    sink.write((json.dumps(page, ensure_ascii=False) + "\n").encode("utf-8"))
                    pages += 1
            resources.append(sink.resource("pages/pages.jsonl"))

            package: dict[str, Any] = {"profile": "data-package", "resources": resources}
            if title:
                package["title"] = title
            if description:
                package["description"] = description
            package["created"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            package["wacz_version"] = WACZ_VERSION
            package["software"] = software
            package_bytes = json.dumps(package, indent=2).encode("utf-8")
            zf.writestr(_entry("datapackage.json", stored=False), package_bytes)
            digest = {
                "path": "datapackage.json",
                "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
            }
            zf.writestr(
                _entry("datapackage-digest.json", stored=False),
                json.dumps(digest, indent=2).encode("utf-8"),
            )
    return WaczSummary(target, len(warcs), captures, pages, target.stat().st_size)
