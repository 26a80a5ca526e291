"""Selection: which stored article files an export reads, and which versions of an article
it passes on (the latest, or every distinct one), one document at a time."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.export.errors import ExportError
from archive.export.filters import ArticleFilter
from archive.layout import ARTICLES_DIR, content_hash, fetched_at, walk_article_files
from archive.lookup import version_order

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16


@dataclass
class ExportStats:
    files: int = 0  # article files seen
    read: int = 0  # files parsed
    written: int = 0  # rows written
    older_versions: int = 0  # captures left out because a later one exists
    unchanged: int = 0  # all versions: captures left out, same content as the one before
    unreadable: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Selected:
    """One document to export, with the bytes it was read from.

    `document` is None when the caller asked for the bytes only (`parse=False`).
    """

    document: dict[str, Any] | None
    raw: bytes
    path: str = ""


def _read_bytes(path: str) -> bytes:
    """The file's bytes; plain `os.read` costs half of `open().read()` on small files."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(fd, _CHUNK)]
        while len(chunks[-1]) == _CHUNK:
            chunks.append(os.read(fd, _CHUNK))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _read(path: str, stats: ExportStats, *, parse: bool = True) -> Selected | None:
    stats.read += 1
    try:
        raw = _read_bytes(path)
        if not parse:
            # Unparsed, a file is still checked to hold one whole object: what a
            # truncated or foreign file fails.
            stripped = raw.strip()
            if stripped[:1] != b"{" or stripped[-1:] != b"}":
                raise ValueError("not one JSON object")
            return Selected(None, raw, path)
        document = json.loads(raw)
    except (OSError, ValueError) as exc:
        logger.warning("skipping unreadable article %s: %s", path, exc)
        stats.unreadable.append(path)
        return None
    if not isinstance(document, dict):
        logger.warning("skipping %s: not a JSON object", path)
        stats.unreadable.append(path)
        return None
    return Selected(document, raw, path)


def _by_canonical_url(paths: list[str], stats: ExportStats) -> dict[str, list[Selected]]:
    """The readable files of one id, grouped by canonical URL (an id is a hash of it)."""
    groups: dict[str, list[Selected]] = {}
    for path in paths:
        selected = _read(path, stats)
        if selected is None:
            continue
        document = selected.document
        assert document is not None
        canonical = str(document.get("canonical_url") or document.get("url") or path)
        groups.setdefault(canonical, []).append(selected)
    return groups


def _latest_versions(paths: list[str], stats: ExportStats) -> list[Selected]:
    """The latest version (`archive.lookup.version_order`) per canonical URL among the files
    of one id: what `newsarchive show` shows."""
    groups = _by_canonical_url(paths, stats)
    latest = [
        max(group, key=lambda s: version_order(s.document or {}, s.path))
        for group in groups.values()
    ]
    stats.older_versions += sum(map(len, groups.values())) - len(latest)
    return latest


def _distinct_versions(paths: list[str], stats: ExportStats) -> list[Selected]:
    """Per canonical URL among the files of one id, its files in capture order less those
    whose content equals the previous kept one's (a capture that changed nothing)."""
    kept: list[Selected] = []
    for group in _by_canonical_url(paths, stats).values():
        group.sort(key=lambda s: (fetched_at(s.document or {}), s.path))
        previous = None
        for selected in group:
            digest = content_hash(selected.document or {})
            if digest == previous:
                stats.unchanged += 1
                continue
            previous = digest
            kept.append(selected)
    return kept


def iter_selected(
    directory: str | os.PathLike[str],
    article_filter: ArticleFilter | None = None,
    *,
    all_versions: bool = False,
    stats: ExportStats | None = None,
    parse: bool = True,
) -> Iterator[Selected]:
    """The documents to export, one at a time (see the `archive.export` docstring).

    With `parse=False` and no filter, a document stored once is passed on as bytes, not
    parsed (the fast path of a plain JSONL export).
    """
    article_filter = article_filter or ArticleFilter()
    stats = stats if stats is not None else ExportStats()
    site_dirs = article_filter.site_directories()
    parse = parse or not article_filter.is_empty
    if not (Path(directory) / ARTICLES_DIR).is_dir():
        raise ExportError(f"{directory} has no {ARTICLES_DIR}/ directory")
    # Pass 1, names only: for an id stored more than once, the paths after its first.
    later_paths: dict[str, list[str] | None] = {}
    seen: set[str] = set()
    for article, path in walk_article_files(directory, site_dirs):
        if article in seen:
            paths = later_paths.setdefault(article, [])
            assert paths is not None
            paths.append(path)
        else:
            seen.add(article)
    del seen
    versions = _distinct_versions if all_versions else _latest_versions
    # Pass 2, in the same order: the first path of such an id is met before the others.
    for article, path in walk_article_files(directory, site_dirs):
        stats.files += 1
        if article in later_paths:
            rest = later_paths[article]
            if rest is None:  # done when its first file was met
                continue
            later_paths[article] = None
            candidates = versions([path, *rest], stats)
        else:
            selected = _read(path, stats, parse=parse)
            candidates = [selected] if selected is not None else []
        for selected in candidates:
            if selected.document is None or article_filter.accepts(selected.document):
                stats.written += 1
                yield selected


def select_articles(
    directory: str | os.PathLike[str],
    article_filter: ArticleFilter | None = None,
    *,
    all_versions: bool = False,
    stats: ExportStats | None = None,
) -> Iterator[dict[str, Any]]:
    """The article documents to export, one at a time."""
    for selected in iter_selected(
        directory, article_filter, all_versions=all_versions, stats=stats
    ):
        assert selected.document is not None
        yield selected.document
