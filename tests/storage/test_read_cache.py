"""`archive.storage.cache.trim`: least recently used files go first, down to the cap, and
a read directory another process uses is left alone."""

from __future__ import annotations

import os
from pathlib import Path

from archive.storage.cache import InUse, trim


def _file(path: Path, size: int, used: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (used, 1_000_000))  # access time: last use; mtime: the bucket's
    return path


def test_least_recently_used_first_down_to_the_cap(tmp_path: Path) -> None:
    a = tmp_path / "s3" / "bucket" / "a-1" / "read"
    b = tmp_path / "s3" / "bucket" / "b-2" / "read"
    oldest = _file(a / "warc" / "1.warc.gz", 100, used=1000)
    newest = _file(a / "warc" / "2.warc.gz", 100, used=4000)
    middle = _file(b / "articles" / "s" / "x.json", 100, used=2000)
    recent = _file(b / "catalog.sqlite", 100, used=3000)
    spool = _file(tmp_path / "s3" / "bucket" / "a-1" / "spool" / "warc" / "3.warc.gz", 500, 0)

    done = trim(250, root=tmp_path)
    assert (done.removed, done.removed_bytes, done.total) == (2, 200, 200)
    assert not oldest.exists() and not middle.exists()
    assert recent.exists() and newest.exists()
    assert spool.exists()  # what a crawl has not uploaded is never the cache's to remove

    assert trim(0, root=tmp_path).total == 0
    assert not recent.exists() and not newest.exists()


def test_a_directory_in_use_is_not_trimmed(tmp_path: Path) -> None:
    a = tmp_path / "s3" / "bucket" / "a-1" / "read"
    b = tmp_path / "s3" / "bucket" / "b-2" / "read"
    held_file = _file(a / "warc" / "1.warc.gz", 100, used=1000)
    free_file = _file(b / "warc" / "2.warc.gz", 100, used=2000)
    held = InUse(a)  # another command reading archive a (its own open file description)
    try:
        done = trim(0, root=tmp_path)
        assert held_file.exists() and not free_file.exists()
        assert (done.held, done.total) == (100, 100)
    finally:
        held.release()
    trim(0, root=tmp_path)
    assert not held_file.exists()
