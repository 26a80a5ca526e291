"""Find stored articles and archived captures without reading the whole archive.

An article id is the hash of its canonical URL and names its files
(`articles/<site>/<yyyy>/<mm>/<id>[.<stamp>].json`), so an id — or a URL, hashed — is found
with one glob. A URL that is no article's canonical URL is looked for in the `url` of the
stored articles (a read of every file, reached only when the glob finds nothing). Raw
captures of any page are found through the CDXJ index when it is there and up to date,
else by reading the WARCs through. A revisit record stores no payload: its original is
found through the catalog (by `WARC-Refers-To`, else `-Target-URI` and `-Date`), else
through the index or the WARCs (by target URI and date).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.catalog import CatalogError, SqliteCatalog, catalog_path
from archive.errors import ArchiveError
from archive.layout import (
    ARTICLE_FILE_NAME,
    ARTICLES_DIR,
    article_id,
    fetched_at,
    safe_warc_name,
    timestamp14,
    walk_article_files,
)
from archive.warc.cdxj import (
    DEFAULT_INDEX_NAME,
    CdxjEntry,
    find_warcs,
    lookup,
    scan,
    warc_directory,
)

logger = logging.getLogger(__name__)

_ID_PREFIX = re.compile(r"^[0-9a-f]{1,16}$")


class LookupFailed(ArchiveError):
    """Nothing, or more than one thing, matches what was asked for."""


class NotFound(LookupFailed):
    pass


class Ambiguous(LookupFailed):
    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True)
class StoredArticle:
    path: Path
    document: dict[str, Any]
    captures: int  # how many stored captures this article has


def looks_like_id(text: str) -> bool:
    return bool(_ID_PREFIX.match(text))


def _capture_files(root: Path, pattern: str) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in root.glob(f"{ARTICLES_DIR}/*/*/*/{pattern}"):
        match = ARTICLE_FILE_NAME.match(path.name)
        if match:
            groups.setdefault(match.group(1), []).append(path)
    return groups


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"cannot read article {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ArchiveError(f"{path} is not an article JSON object")
    return document


def version_order(document: dict[str, Any], path: str | os.PathLike[str]) -> tuple[int, str, str]:
    """Sort key of one article's files, the latest version last: the highest `version`
    (what the crawl numbers), then the latest `capture.fetched_at` (files written before
    versions existed have no number), then the name (which holds the capture time)."""
    version = document.get("version")
    number = version if isinstance(version, int) and not isinstance(version, bool) else 0
    return number, fetched_at(document), str(path)


def latest(paths: list[Path]) -> StoredArticle:
    """The latest version (see `version_order`) among the files of one article."""
    documents = [(path, _read(path)) for path in paths]
    path, document = max(documents, key=lambda pair: version_order(pair[1], pair[0]))
    return StoredArticle(path, document, len(paths))


def article_by_id(directory: str | os.PathLike[str], prefix: str) -> StoredArticle:
    """The article whose id is or starts with `prefix`; its latest version wins."""
    prefix = prefix.lower()
    if not looks_like_id(prefix):
        raise NotFound(f"{prefix!r} is not an article id (1 to 16 hex digits)")
    groups = _capture_files(Path(directory), f"{prefix}*.json")
    if not groups:
        raise NotFound(f"no article with id {prefix} in {directory}")
    if len(groups) > 1:
        ids = sorted(groups)
        raise Ambiguous(f"id prefix {prefix} matches {len(ids)} articles", ids)
    return latest(next(iter(groups.values())))


def article_by_url(directory: str | os.PathLike[str], urls: list[str]) -> StoredArticle | None:
    """The article whose canonical URL or URL is one of `urls` (latest version), or None."""
    root = Path(directory)
    wanted = set(urls)
    for url in urls:  # fast path: the URL is the canonical URL, whose hash is the id
        groups = _capture_files(root, f"{article_id(url)}*.json")
        for paths in groups.values():
            found = latest(paths)
            if found.document.get("canonical_url") in wanted:
                return found
    # Slow path: a URL the page was fetched at (tracking parameters, redirects...).
    matches: dict[str, list[Path]] = {}
    needles = [url.encode("utf-8") for url in wanted]
    for _, name in walk_article_files(root):
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not any(needle in data for needle in needles):
            continue
        try:
            document = json.loads(data)
        except ValueError:
            continue
        if document.get("url") in wanted or document.get("canonical_url") in wanted:
            matches.setdefault(str(document.get("id")), []).append(path)
    if not matches:
        return None
    if len(matches) > 1:
        ids = sorted(matches)
        raise Ambiguous(f"{len(ids)} articles were fetched from that URL", ids)
    return latest(next(iter(matches.values())))


def index_is_fresh(directory: str | os.PathLike[str]) -> Path | None:
    """`DIR/index.cdxj` when it exists and is newer than every WARC, else None."""
    index = Path(directory) / DEFAULT_INDEX_NAME
    try:
        built = index.stat().st_mtime
    except OSError:
        return None
    for warc in find_warcs(directory):
        if warc.stat().st_mtime > built:
            logger.warning("%s is older than %s: reading the WARCs instead", index, warc.name)
            return None
    return index


def captures_of(directory: str | os.PathLike[str], url: str) -> list[CdxjEntry]:
    """Every archived capture of `url`, oldest first (CDXJ index if fresh, else a scan)."""
    index = index_is_fresh(directory)
    entries = lookup(index, url) if index is not None else scan(find_warcs(directory), url)
    return sorted(entries, key=lambda e: (e.timestamp, e.filename, e.offset))


def warc_path(directory: str | os.PathLike[str], filename: str, where: str = "") -> Path:
    """The WARC file `filename` of the archive `directory`.

    `filename` comes from an article's capture pointer or an index line: one that is not a
    plain file name (`../../etc/passwd`) raises ArchiveError naming `where`, never opened.
    """
    return warc_directory(directory) / safe_warc_name(filename, where)


@dataclass(frozen=True)
class RecordLocation:
    """Where a record starts: a WARC file's name and an offset in it."""

    warc_file: str
    offset: int


def revisit_original(
    directory: str | os.PathLike[str],
    *,
    refers_to: str | None,
    uri: str | None,
    date: str | None,
    url_key: Callable[[str], str] | None = None,
    warc_directory: str | os.PathLike[str] | None = None,
) -> RecordLocation | None:
    """Where the payload of a revisit record is: the response it refers to, by record id
    (`refers_to`, its `WARC-Refers-To`) or by `uri` and `date` (`-Target-URI`, `-Date`).

    The catalog of `directory` answers in one lookup (`url_key`: the key it was written
    with); without one, or when it does not know the record (WARCs of a replay, another
    tool's), the captures of `uri` at `date` in the CDXJ index or the WARCs of
    `warc_directory` (default `directory`) are read. None when the original is in neither.
    """
    if catalog_path(directory).exists():
        try:
            catalog = (
                SqliteCatalog(catalog_path(directory), readonly=True, url_key=url_key)
                if url_key is not None
                else SqliteCatalog(catalog_path(directory), readonly=True)
            )
            with catalog:
                row = catalog.capture(refers_to) if refers_to else None
                if (row is None or row.record_type != "response") and uri and date:
                    row = catalog.capture_at(uri, date)
            if row is not None and row.record_type == "response":
                return RecordLocation(row.warc_file, row.warc_offset)
        except CatalogError as exc:
            logger.warning("%s; looking for the original in the WARCs", exc)
    if not uri:
        return None
    stamp = timestamp14(date) if date else None
    entries = [
        entry
        for entry in captures_of(warc_directory or directory, uri)
        if entry.status is not None  # a response or revisit, not a metadata record
        and entry.fields.get("mime") != "warc/revisit"
        and (stamp is None or entry.timestamp == stamp)
    ]
    if not entries:
        return None
    last = entries[-1]  # without a date, the latest capture holding a payload
    return RecordLocation(last.filename, last.offset)
