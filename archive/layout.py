"""The output directory layout, shared by crawl, replay and export.

    OUT/warc/*.warc.gz                                   raw captures (WARC 1.1)
    OUT/articles/<site>/<yyyy>/<mm>/<article-id>.json    one article, first capture
    OUT/articles/<site>/<yyyy>/<mm>/<article-id>.<yyyymmddhhmmss>.json   later captures

`yyyy/mm` come from the article's published date, else from the capture date. Files are
created exclusively (written to a temporary name, then hard-linked into place), so a later
crawl into the same OUT adds files and never overwrites or truncates what is there.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from archive.atomic import file_mode
from archive.errors import ArchiveError

WARC_DIR = "warc"
ARTICLES_DIR = "articles"
# Finished WARC files; one still being written is `*.open` (archive.warc.writer).
WARC_SUFFIXES = (".warc", ".warc.gz")
# ARC files (archive/warc/arc.py) other tools wrote: replay, index, show and check read them too.
ARC_SUFFIXES = (".arc", ".arc.gz")
ARCHIVE_SUFFIXES = (*WARC_SUFFIXES, *ARC_SUFFIXES)
OPEN_SUFFIX = ".open"

# `<id>.json`, `<id>.<stamp>.json`, `<id>.<stamp>-<n>.json`: group 1 is the article id.
ARTICLE_FILE_NAME = re.compile(r"^([0-9a-f]{16})(?:\.[0-9-]+)?\.json$")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})")
_NOT_DIGIT = re.compile(r"\D")


def timestamp14(date: str) -> str:
    """A WARC-Date's first 14 digits, the timestamp of replay URLs and article file names:
    `2026-11-28T17:25:28.52Z` -> `20261128172528` (fewer digits when the date has fewer)."""
    return _NOT_DIGIT.sub("", date)[:14]


def article_id(canonical_url: str) -> str:
    """Stable id of an article: the first 16 hex digits of SHA-256 of its canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


# What an article says, as opposed to when and how it was captured: two captures whose
# documents agree on these fields hold one version of the article. `modified` is left out
# on purpose: sites bump it without changing a word.
CONTENT_FIELDS = (
    "title",
    "authors",
    "published",
    "section",
    "tags",
    "language",
    "description",
    "body",
    "images",
)


def content_hash(document: dict[str, Any]) -> str:
    """`sha256:` of an article document's content fields (see `CONTENT_FIELDS`), images
    without their `capture` pointers."""
    content = {name: document.get(name) for name in CONTENT_FIELDS}
    images = content["images"]
    if isinstance(images, list):  # where an image was archived is no change of the article
        content["images"] = [
            {k: v for k, v in image.items() if k != "capture"} if isinstance(image, dict) else image
            for image in images
        ]
    return (
        "sha256:" + hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
    )


def safe_segment(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("._") or "_"


def fetched_at(document: dict[str, Any]) -> str:
    """The capture time of an article document (its response's WARC-Date), '' when unknown."""
    capture = document.get("capture")
    return str(capture.get("fetched_at") or "") if isinstance(capture, dict) else ""


def _year_month(record: dict[str, Any]) -> tuple[str, str]:
    for value in (record.get("published"), fetched_at(record)):
        match = _YEAR_MONTH.match(value or "")
        if match:
            return match.group(1), match.group(2)
    return "unknown", "unknown"


def _sorted_dirs(path: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return sorted((e for e in entries if e.is_dir()), key=lambda e: e.name)
    except FileNotFoundError:
        return []


def article_month_dirs(
    out: str | os.PathLike[str], site_dirs: frozenset[str] | None = None
) -> Iterator[str]:
    """`out/articles/<site>/<yyyy>/<mm>` folders, the only places article files are written,
    in site/year/month order; `site_dirs` limits the site folders read."""
    for site in _sorted_dirs(os.path.join(out, ARTICLES_DIR)):
        if site_dirs is not None and site.name not in site_dirs:
            continue
        for year in _sorted_dirs(site.path):
            for month in _sorted_dirs(year.path):
                yield month.path


def walk_article_files(
    out: str | os.PathLike[str], site_dirs: frozenset[str] | None = None
) -> Iterator[tuple[str, str]]:
    """(id, path) of every stored article file under `out/articles`, in site/year/month/name
    order (none when there is no such directory); `site_dirs` limits the site folders read."""
    for month in article_month_dirs(out, site_dirs):
        with os.scandir(month) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json"))
        for name in names:
            match = ARTICLE_FILE_NAME.match(name)
            if match:
                yield match.group(1), os.path.join(month, name)


def encode_article(record: dict[str, Any]) -> bytes:
    """The one byte encoding of an article document: the stored file and the WARC record.

    UTF-8 JSON indented by two spaces, the bytes of `json.dumps(ensure_ascii=False,
    indent=2)`, made by orjson: 0.004 ms an article against the json module's 0.1 (its
    indenting encoder is pure Python), on every article's path in crawl and replay. (Only
    floats written with an exponent differ, 1e-8 for 1e-08; an article's are rounded to
    3 places and never have one.)
    """
    return orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n"


def safe_warc_name(name: object, where: str = "") -> str:
    """`name` if it is a plain file name, to be joined with a WARC directory; else ArchiveError.

    WARC file names come from article JSON (`capture.warc_file`), CDXJ index lines and the
    catalog, all files anyone may have edited: a name such as `../../../etc/passwd` must
    never make a reader open a file outside the archive. Refused: anything but a string, an
    empty name, `.`/`..`, a path separator, an absolute path, a NUL. `where` (the article
    file, the index line) is named in the error; the name itself is shown bounded.
    """
    problem = None
    if not isinstance(name, str) or not name:
        problem = "is not a file name"
    elif "\0" in name:
        problem = "contains a NUL"
    elif "/" in name or "\\" in name or os.sep in name or (os.altsep and os.altsep in name):
        problem = "contains a path separator"
    elif name in (".", "..") or os.path.isabs(name):
        problem = "is not a file name"
    if problem is None:
        return str(name)
    shown = repr(name)[:120]
    prefix = f"{where}: " if where else ""
    raise ArchiveError(f"{prefix}WARC file name {shown} {problem}; refused (not opened)")


TEMP_ARTICLE_NAME = re.compile(r"^\.tmp-(\d+)-.*\.tmp$")


def temp_article_prefix() -> str:
    """The start of an article file's temporary name: `.tmp-<pid>-`.

    A hard kill between writing the temporary file and linking it into place leaves it
    behind; its writer's pid lets recovery tell such a leftover from a file a live crawl
    (of another profile, in the same OUT) is writing right now. It ends `.tmp`, so that
    no `*.json` glob (ours or a user's `jq`) takes it for an article.
    """
    return f".tmp-{os.getpid()}-"


def _stamp_order(name: str) -> tuple[str, int]:
    """`<id>.<stamp>-<n>.json` -> (stamp, n): the order later versions were written in."""
    middle = name.split(".", 1)[1].removesuffix(".json")
    stamp, _, serial = middle.partition("-")
    return stamp, int(serial) if serial.isdigit() else 0


class ArticleStore:
    """Writes article JSON documents under `OUT/articles` without ever overwriting one."""

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.root = Path(out) / ARTICLES_DIR

    def directory_for(self, record: dict[str, Any]) -> Path:
        year, month = _year_month(record)
        return self.root / safe_segment(record["site"]) / year / month

    def write(self, record: dict[str, Any], data: bytes | None = None) -> Path:
        """Store `record` (`data`: its `encode_article` bytes, when already made)."""
        directory = self.directory_for(record)
        directory.mkdir(parents=True, exist_ok=True)
        if data is None:
            data = encode_article(record)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=temp_article_prefix(), suffix=".tmp")
        try:
            os.fchmod(fd, file_mode())  # mkstemp's 0o600 would survive the link
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            for name in self._candidate_names(record):
                target = directory / name
                try:
                    os.link(tmp, target)
                    return target
                except FileExistsError:
                    continue
        finally:
            os.unlink(tmp)
        raise AssertionError("unreachable: candidate names are unbounded")

    def latest_stored(self, record: dict[str, Any]) -> tuple[int, str] | None:
        """(version, content hash) of the newest file stored for `record`'s article, None
        when there is none. What is on disk can be ahead of the catalog: another worker of
        a shared crawl killed after writing a file but before its catalog rows were
        committed. One stat when the article has no file yet (the common case)."""
        directory = self.directory_for(record)
        if not (directory / f"{record['id']}.json").exists():
            return None
        prefix = f"{record['id']}."
        try:
            with os.scandir(directory) as entries:
                names = [
                    e.name
                    for e in entries
                    if e.name.startswith(prefix) and ARTICLE_FILE_NAME.match(e.name)
                ]
        except FileNotFoundError:
            return None
        # `<id>.json` is the first version; `<id>.<stamp>[-n].json` later ones, in stamp order.
        newest = max(names, key=lambda n: (n != f"{record['id']}.json", _stamp_order(n)))
        try:
            with open(directory / newest, "rb") as handle:
                document = orjson.loads(handle.read())
            return int(document.get("version") or 1), content_hash(document)
        except (OSError, ValueError, TypeError, AttributeError):
            return None  # unreadable: `newsarchive check` reports it; write as the catalog says

    @staticmethod
    def _candidate_names(record: dict[str, Any]) -> Iterator[str]:
        yield f"{record['id']}.json"
        stamp = timestamp14(fetched_at(record))
        yield f"{record['id']}.{stamp}.json"
        serial = 1
        while True:
            yield f"{record['id']}.{stamp}-{serial}.json"
            serial += 1
