"""WARC files other tools wrote: wget's, plain .warc, revisits, bodies stored chunked/encoded."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import zlib
from pathlib import Path

import brotli
import pytest

from archive.warc.reader import record_at
from crawler.demo.server import SiteServer
from tests.replay.helpers import ARTICLE_BODY, Warc, article_html, article_tree, replay
from tests.support import TEST_SITE

BASE = "http://news.example/news/2026/01/05/"
HTML = [("Content-Type", "text/html; charset=utf-8")]


def _articles(out: Path) -> dict[str, dict]:
    return {d["url"]: d for d in article_tree(out).values()}


def test_wget_warc_is_replayed(tmp_path: Path):
    assert shutil.which("wget"), "Debian's wget is not installed (make test installs it)"
    with SiteServer(TEST_SITE) as server:
        subprocess.run(
            [
                "wget", "--warc-file", str(tmp_path / "site"), "--recursive", "--level=3",
                "--no-verbose", "-e", "robots=off", "--domains=127.0.0.1",
                "-P", str(tmp_path / "mirror"), server.url("/"),
            ],
            capture_output=True, timeout=120, check=False,
        )  # exit 8: the test site has a 404 on purpose
        warc = tmp_path / "site.warc.gz"
        assert warc.exists()
        out = tmp_path / "out"
        result = replay(warc, "--out", out, "--profile", server.url("/"))
    assert result.returncode == 0, result.stderr
    found = _articles(out)
    paths = {url.split("/", 3)[3] for url in found}
    assert {"news/2026/01/05/harbour-bridge.html", "news/2026/01/06/school-roof.html"} <= paths
    for url, doc in found.items():
        capture = doc["capture"]
        assert capture["warc_file"] == "site.warc.gz" and capture["status"] == 200
        with record_at(warc, capture["warc_offset"]) as record:
            assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert doc["title"] and doc["word_count"] > 10


def test_plain_warc_offsets_are_of_the_record(tmp_path: Path):
    path = tmp_path / "plain.warc"
    with Warc(path, gzip=False) as warc:
        warc.response("http://news.example/robots.txt", b"User-agent: *\n",
                      [("Content-Type", "text/plain")])
        record = warc.response(BASE + "bridge.html", article_html(), HTML)
    result = replay(path, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (doc,) = _articles(tmp_path / "out").values()
    capture = doc["capture"]
    assert capture["warc_record_id"] == record.rec_headers.get_header("WARC-Record-ID")
    data = path.read_bytes()[capture["warc_offset"] :]
    assert data.startswith(b"WARC/1.1\r\n")
    # warcio's (and CDX's) length of an uncompressed record leaves out the closing CRLFCRLF
    assert data[capture["warc_length"] :] == b"\r\n\r\n"
    assert doc["site"] == "news.example"  # a URL profile: no bundled profile has the host


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("same_file", [True, False])
def test_revisit_takes_its_originals_payload(tmp_path: Path, jobs: str, same_file: bool):
    first, second = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    with Warc(first) as warc_a:
        original = warc_a.response(BASE + "bridge.html", gzip.compress(article_html()),
                                   [*HTML, ("Content-Encoding", "gzip")])
        if same_file:
            revisit = warc_a.revisit(BASE + "bridge-again.html", original)
    if not same_file:
        with Warc(second) as warc_b:
            revisit = warc_b.revisit(BASE + "bridge-again.html", original)
    inputs = [first] if same_file else [first, second]
    result = replay(*inputs, "--out", tmp_path / "out", "--jobs", jobs)
    assert result.returncode == 0, result.stderr
    found = _articles(tmp_path / "out")
    assert set(found) == {BASE + "bridge.html", BASE + "bridge-again.html"}
    again = found[BASE + "bridge-again.html"]
    assert again["capture"]["warc_record_id"] == revisit.rec_headers.get_header("WARC-Record-ID")
    assert again["capture"]["warc_file"] == (first if same_file else second).name
    assert again["capture"]["fetched_at"] == "2026-01-06T09:00:00Z"
    assert again["body"] == found[BASE + "bridge.html"]["body"]
    assert "revisits without original" not in result.stdout


def test_revisit_without_original_is_counted(tmp_path: Path):
    with Warc(tmp_path / "a.warc.gz") as warc_a:
        original = warc_a.response(BASE + "bridge.html", article_html(), HTML)
    with Warc(tmp_path / "b.warc.gz") as warc_b:
        warc_b.revisit(BASE + "bridge-again.html", original)
    result = replay(tmp_path / "b.warc.gz", "--out", tmp_path / "out")
    assert result.returncode == 0
    assert "1 revisits without original" in result.stdout


def _chunked(data: bytes, size: int = 100) -> bytes:
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-15)
    return compressor.compress(data) + compressor.flush()


PAGE = article_html()
STORED = {
    "chunked+gzip": (_chunked(gzip.compress(PAGE)),
                     [*HTML, ("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
    "chunked": (_chunked(PAGE), [*HTML, ("Transfer-Encoding", "chunked")]),
    "x-gzip": (gzip.compress(PAGE), [*HTML, ("Content-Encoding", "x-gzip")]),
    "deflate": (zlib.compress(PAGE), [*HTML, ("Content-Encoding", "deflate")]),
    "raw deflate": (_raw_deflate(PAGE), [*HTML, ("Content-Encoding", "deflate")]),
    "br": (brotli.compress(PAGE), [*HTML, ("Content-Encoding", "br")]),
    "gzip then br": (brotli.compress(gzip.compress(PAGE)),
                     [*HTML, ("Content-Encoding", "gzip, br")]),
    "decoded, header kept": (PAGE, [*HTML, ("Content-Encoding", "gzip")]),
    "no Content-Type": (PAGE, []),
}


@pytest.mark.parametrize("how", STORED)
def test_stored_encodings_are_undone(tmp_path: Path, how: str):
    payload, headers = STORED[how]
    with Warc(tmp_path / "x.warc.gz") as warc:
        warc.response(BASE + "bridge.html", payload, headers)
    result = replay(tmp_path / "x.warc.gz", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (doc,) = _articles(tmp_path / "out").values()
    assert doc["title"] == "Harbour bridge reopens after repairs"
    assert "six weeks of repairs" in doc["body"] and "packed up their tools" in doc["body"]
    assert ARTICLE_BODY.count("<p>") == doc["body"].count("\n\n") + 1


def test_only_successful_html_responses_are_pages(tmp_path: Path):
    with Warc(tmp_path / "x.warc.gz") as warc:
        warc.response(BASE + "gone.html", article_html("Gone"), HTML, status="404 Not Found")
        warc.response(BASE + "moved.html", article_html("Moved"), HTML,
                      status="301 Moved Permanently")
        warc.response(BASE + "data.json", json.dumps({"a": 1}).encode(),
                      [("Content-Type", "application/json")])
        warc.response(BASE + "feed.xml", article_html("Feed"), [])  # an XML URL, no type
        warc.response(BASE + "ok.html", article_html("Ok"), HTML)
    result = replay(tmp_path / "x.warc.gz", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert set(_articles(tmp_path / "out")) == {BASE + "ok.html"}
    assert "1 HTML pages" in result.stdout
