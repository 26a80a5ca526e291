"""Bad input to replay: a clear message naming the file, the other files still replayed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from archive.replay.codings import dechunk
from archive.replay.inputs import crawl_starts, find_warcs
from tests.replay.helpers import Warc, article_html, article_tree, replay

URL = "http://news.example/news/2026/01/05/bridge.html"
HTML = [("Content-Type", "text/html; charset=utf-8")]


def _good(path: Path, url: str = URL) -> Path:
    with Warc(path) as warc:
        warc.response(url, article_html(), HTML)
    return path


def _truncated(path: Path, keep: float) -> Path:
    with Warc(path) as warc:
        for n in range(5):
            warc.response(f"http://news.example/news/2026/01/05/{n}.html",
                          gzip.compress(article_html(f"Story {n}") * 5),
                          [*HTML, ("Content-Encoding", "gzip")])
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


@pytest.mark.parametrize("keep", [0.6, 0.95])  # at a gzip member's start, inside one
def test_bad_files_are_named_and_the_good_ones_replayed(tmp_path: Path, keep: float):
    good = _good(tmp_path / "good.warc.gz")
    not_warc = tmp_path / "notes.warc.gz"
    not_warc.write_text("this is not a WARC file\n")
    truncated = _truncated(tmp_path / "cut.warc.gz", keep)
    missing = tmp_path / "missing.warc.gz"
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = replay(missing, not_warc, truncated, empty, good, "--out", out, "--jobs", jobs)
        assert result.returncode == 1
        assert f"{missing}: no such file or directory" in result.stderr
        assert f"{not_warc}: not a WARC file" in result.stderr
        assert f"{truncated}: unreadable after" in result.stderr
        assert f"{empty}: not a WARC file (no records in it)" in result.stderr
        assert "Traceback" not in result.stderr
        urls = {d["url"] for d in article_tree(out).values()}
        assert URL in urls  # the good file
        assert "http://news.example/news/2026/01/05/0.html" in urls  # before the cut
        assert "3 file(s) failed" in result.stdout


def test_directory_without_warcs_and_bad_profile(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    result = replay(tmp_path / "empty", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "no *.warc or *.warc.gz files" in result.stderr
    result = replay(tmp_path / "empty", "--out", tmp_path / "out", "--profile", "nosuch")
    assert result.returncode == 2 and "no profile named 'nosuch'" in result.stderr
    result = replay(tmp_path / "empty")
    assert result.returncode == 2 and "--out DIR is required" in result.stderr


def test_no_extract_reads_and_writes_nothing(tmp_path: Path):
    good = _good(tmp_path / "good.warc.gz")
    result = replay(good, "--no-extract")
    assert result.returncode == 0, result.stderr
    assert "1 HTML pages" in result.stdout and "articles" not in result.stdout


def test_find_warcs_walks_directories_in_name_order(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    for name in ("b.warc.gz", "a.warc", "sub/c.warc.gz", "x.warc.gz.open", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    files, errors = find_warcs([tmp_path, tmp_path / "a.warc"])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "a.warc", "b.warc.gz", "sub/c.warc.gz"
    ]
    assert errors == []


def test_crawl_starts_follow_serials_of_rotated_files():
    names = [
        "newsarchive-20260105090000000-00000-host.warc.gz",
        "newsarchive-20260105090500000-00001-host.warc.gz",
        "newsarchive-20260106090000000-00000-host.warc.gz",  # a second crawl
        "newsarchive-20260106090500000-00002-host.warc.gz",  # a gap: not the same crawl
        "wget.warc.gz",
        "other.warc",
    ]
    assert crawl_starts([Path(n) for n in names]) == [True, False, True, True, True, True]


def test_dechunk_leaves_unchunked_data_alone():
    assert dechunk(b"<html>not chunked</html>") == b"<html>not chunked</html>"
    assert dechunk(b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n") == b"hello world"
    assert dechunk(b"5\r\nhello\r\n6\r\n wor") == b"hello wor"  # cut short: keep what is there


def test_a_body_that_cannot_be_decoded_is_named_and_the_rest_replayed(tmp_path: Path):
    # Decoding happens in the worker that extracts the page; the message still names the
    # page, the WARC file and the record's offset, and the other pages are written.
    broken = "http://news.example/news/2026/01/05/broken.html"
    path = tmp_path / "mixed.warc.gz"
    with Warc(path) as warc:
        warc.response(broken, b"\x1f\x8b\x08\x00" + b"\xff" * 300,
                      [*HTML, ("Content-Encoding", "gzip")])
        warc.response(URL, gzip.compress(article_html()), [*HTML, ("Content-Encoding", "gzip")])
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = replay(path, "--out", out, "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        assert f"{broken}: cannot undo Content-Encoding" in result.stderr
        assert "record at offset " in result.stderr and "of mixed.warc.gz" in result.stderr
        assert "1 articles written" in result.stdout and "1 errors" in result.stdout
        assert {d["url"] for d in article_tree(out).values()} == {URL}
    checked = replay(path, "--no-extract")
    assert checked.returncode == 0, checked.stderr
    assert f"{broken} at offset 0: cannot undo Content-Encoding" in checked.stderr
    assert "1 HTML pages" in checked.stdout
