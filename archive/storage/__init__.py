"""Archives in object storage: `s3://BUCKET/PREFIX` as well as a local directory.

An archive in a bucket has the local layout under its prefix (`archive.layout`):

    PREFIX/warc/NAME.warc.gz                 finished WARC files, uploaded when closed
    PREFIX/articles/<site>/<yyyy>/<mm>/...   article files, created only if absent
    PREFIX/catalog.sqlite                    a snapshot of the last crawl's catalog
    PREFIX/index.cdxj                        written by `newsarchive index`

Nothing is written in place: a crawl writes into a local spool directory and uploads
(`archive.storage.sync`); the readers download into a local cache (`cache_dir`).

`ObjectStore` is the small interface a backend gives; `open_store` picks the backend by the
URL's scheme and imports it only then (boto3 is the optional extra `[s3]`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from archive.errors import ArchiveError
from archive.layout import ARCHIVE_SUFFIXES, WARC_DIR

SCHEMES = ("s3",)
# What environment variable names the cache root; else $XDG_CACHE_HOME/newsarchive.
CACHE_ENV = "NEWSARCHIVE_CACHE"

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class StorageError(ArchiveError):
    """An object store could not be reached, read or written; the message is one line."""


class NameTaken(StorageError):
    """An upload that must not replace an object found the name taken by other bytes."""


@dataclass(frozen=True)
class RemoteLocation:
    """Where an archive lives in a bucket: `s3://bucket/prefix` (prefix without slashes at
    either end, possibly empty)."""

    scheme: str
    bucket: str
    prefix: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.bucket}/{self.prefix}".rstrip("/")

    def key(self, relative: str) -> str:
        """The object key of `relative` (`warc/NAME`, `articles/...`) under the prefix."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def relative(self, key: str) -> str:
        """The inverse of `key`."""
        return key[len(self.prefix) + 1 :] if self.prefix else key

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class RemoteObject:
    relative: str  # path under the archive's prefix, `/`-separated
    size: int
    etag: str  # without quotes
    modified: float = 0.0  # seconds since the epoch; 0 when unknown
    # The MD5 of the whole object (hex) when a HEAD showed it: a multipart upload's ETag
    # is not one, so our multipart uploads also note it in their metadata.
    md5: str = ""


def file_md5(path: str | os.PathLike[str]) -> bytes:
    """MD5 of a file: what `Content-MD5` carries and a single-part upload's ETag is."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.digest()


def parse_size(text: str) -> int:
    """`64M`, `10GiB`, `500k`, `1048576` as bytes (powers of 1024); ValueError otherwise."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size (e.g. 64M, 10G, 1048576)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


def is_remote(text: str | os.PathLike[str]) -> bool:
    """Whether an `--out`/DIR argument names object storage rather than a local path."""
    return isinstance(text, str) and text.split("://", 1)[0].lower() in SCHEMES and "://" in text


def parse_location(text: str) -> RemoteLocation:
    """`s3://BUCKET/PREFIX` as a `RemoteLocation`; a bad one raises StorageError."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise StorageError(f"{text!r} is not an s3://BUCKET/PREFIX URL")
    bucket, _, prefix = rest.partition("/")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise StorageError(
            f"{text!r}: {bucket!r} is not a bucket name (3-63 lowercase letters, digits, "
            "dots and hyphens)"
        )
    prefix = prefix.strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise StorageError(f"{text!r}: the prefix may not hold empty, '.' or '..' segments")
    return RemoteLocation(scheme.lower(), bucket, prefix)


class ObjectStore(Protocol):
    """What the archive needs of a bucket. Every method raises StorageError on failure."""

    location: RemoteLocation

    def check(self) -> None:
        """Raise StorageError unless the bucket can be reached with the credentials."""

    def list(self, relative_dir: str) -> Iterator[RemoteObject]:
        """Every object under `PREFIX/relative_dir/`, in key order."""

    def exists(self, relative: str) -> RemoteObject | None: ...

    def read_range(self, relative: str, offset: int, length: int) -> bytes:
        """`length` bytes of the object from `offset` (one ranged GET)."""

    def read(self, relative: str) -> bytes: ...

    def stream(self, relative: str, offset: int = 0) -> BinaryIO:
        """The object from `offset` to its end as one response being read (one GET): for
        reading a file through once without storing it."""

    def download(self, relative: str, path: Path) -> None:
        """The object into `path`, written under a temporary name and renamed."""

    def upload_file(self, path: Path, relative: str, *, if_absent: bool = False) -> None:
        """Upload `path`, retried; verified: the store's size and checksum equal the file's.
        `if_absent`: never replace an object of other bytes there (NameTaken); one of the
        same bytes (an earlier attempt's) counts as uploaded."""

    def holds(self, path: Path, there: RemoteObject) -> bool:
        """Whether the object `there` (from `exists`) has the bytes of the file `path`."""

    def create_if_absent(self, relative: str, data: bytes) -> bool:
        """Create the object unless it exists (`If-None-Match: *`): True when created."""


def listed(
    store: ObjectStore, relative_dir: str, suffixes: tuple[str, ...]
) -> Iterator[RemoteObject]:
    """The objects of the bucket's `relative_dir` named `*<suffix>`, hidden names left out
    (a name or folder beginning with a dot is state, never an archive file)."""
    for item in store.list(relative_dir):
        if item.relative.endswith(suffixes) and "/." not in "/" + item.relative:
            yield item


def remote_warcs(store: ObjectStore) -> list[RemoteObject]:
    """The finished WARC and ARC files in the bucket's `warc/`, by name."""
    return list(listed(store, WARC_DIR, ARCHIVE_SUFFIXES))


def open_store(url: str) -> ObjectStore:
    """The store of an `s3://BUCKET/PREFIX` URL (not yet contacted: see `check`)."""
    location = parse_location(url)
    try:
        from archive.storage.s3 import S3Store, multipart_threshold
    except ImportError as exc:
        raise StorageError(
            f"{url}: object storage needs boto3: pip install 'newsarchive[s3]' ({exc})"
        ) from exc
    return S3Store(location, multipart_threshold=multipart_threshold())


def cache_root() -> Path:
    """`$NEWSARCHIVE_CACHE`, else `$XDG_CACHE_HOME/newsarchive`, else
    `~/.cache/newsarchive`."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "newsarchive"


def cache_dir(location: RemoteLocation, kind: str) -> Path:
    """The local directory of one archive in a bucket: `kind` is `spool` (what a crawl
    writes before uploading, and its catalog) or `read` (what the readers downloaded).

    `CACHE_ROOT/s3/BUCKET/PREFIX-HASH/KIND`: the hash of the whole URL keeps two prefixes
    that map to one folder name apart.
    """
    digest = hashlib.sha256(location.url.encode()).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", location.prefix) or "_"
    return cache_root() / location.scheme / location.bucket / f"{name}-{digest}" / kind
