"""ARC files (Internet Archive, Heritrix 1), written by hand: replay reads them as it reads
WARC files, points into them, and names every broken one in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive.warc.reader import record_at
from tests.arcfiles import Arc, http_block
from tests.replay.helpers import ARTICLE_BODY, Warc, article_tree, replay
from tests.support import newsarchive

BASE = "http://news.example/news/2008/01/05/"
HTML = [("Content-Type", "text/html; charset=utf-8"), ("Server", "Apache/1.3.37")]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def page(title: str = "Harbour bridge reopens after repairs") -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{title} | Test Daily</title>\n"
        '<meta property="og:type" content="article">\n'
        '<meta property="article:published_time" content="2008-01-05T08:00:00+00:00">\n'
        f"</head><body><article><h1>{title}</h1>\n"
        '<p class="byline">By Ada Writer</p>\n' + ARTICLE_BODY + "</article></body></html>\n"
    ).encode()


def write_arc(path: Path, *, gzip: bool = True) -> Arc:
    """robots.txt, an image (no page), a DNS record (no HTTP at all), two articles."""
    with Arc(path, gzip=gzip) as arc:
        arc.raw(b"dns:news.example 192.0.2.1 20080105085959 text/dns 39\n",
                b"20080105085959\nnews.example.\tIN\tA\t1.2.3.4\n"[:39])
        arc.response("http://news.example/robots.txt", b"User-agent: *\nDisallow:\n",
                     [("Content-Type", "text/plain")])
        arc.response("http://news.example/logo.png", PNG, [("Content-Type", "image/png")])
        arc.response(BASE + "bridge.html", page(), HTML)
        arc.response(BASE + "school.html", page("School roof mended before the rain"), HTML,
                     date="20080105091500")
    return arc


def by_url(out: Path) -> dict[str, dict]:
    return {document["url"]: document for document in article_tree(out).values()}


def cdxj_indexer(path: Path) -> dict[str, dict]:
    """What Webrecorder's cdxj-indexer (the independent reader) says of each URL."""
    lines = subprocess.run(
        [str(Path(sys.executable).with_name("cdxj-indexer")), str(path)],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    return {entry["url"]: entry for entry in entries}


@pytest.mark.parametrize("name", ["old.arc.gz", "old.arc"])
def test_arc_pages_replay_with_pointers_into_the_arc(tmp_path: Path, name: str):
    arc = write_arc(tmp_path / name, gzip=name.endswith(".gz"))
    result = replay(tmp_path / name, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "6 records" in result.stdout and "2 HTML pages" in result.stdout
    found = by_url(tmp_path / "out")
    assert set(found) == {BASE + "bridge.html", BASE + "school.html"}
    assert found[BASE + "school.html"]["capture"]["fetched_at"] == "2008-01-05T09:15:00Z"
    indexed = cdxj_indexer(tmp_path / name)
    for record in arc.records:
        if record.url not in found:
            continue
        capture = found[record.url]["capture"]
        # The pointer is the record's: offset and length as written, and as cdxj-indexer has
        # them; the payload digest (which ARC does not store) as cdxj-indexer computes it.
        assert capture["warc_file"] == name
        assert (capture["warc_offset"], capture["warc_length"]) == (record.offset, record.length)
        entry = indexed[record.url]
        assert (str(record.offset), str(record.length)) == (entry["offset"], entry["length"])
        assert capture["payload_digest"] == entry["digest"]
        assert capture["status"] == 200
        with record_at(tmp_path / name, capture["warc_offset"]) as read:
            assert read.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
            assert read.rec_headers.get_header("WARC-Target-URI") == record.url
            assert read.raw_stream.read().startswith(b"<!DOCTYPE html>")
    # The same records give the same ids on every read: a second replay agrees.
    again = replay(tmp_path / name, "--out", tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert {u: d["capture"] for u, d in by_url(tmp_path / "again").items()} == {
        u: d["capture"] for u, d in found.items()
    }


def test_an_arc_page_gives_the_article_a_warc_of_it_gives(tmp_path: Path):
    write_arc(tmp_path / "old.arc.gz")
    with Warc(tmp_path / "same.warc.gz") as warc:
        warc.response(BASE + "bridge.html", page(), HTML, status="200 OK",
                      date="2008-01-05T09:00:00Z")
    assert replay(tmp_path / "old.arc.gz", "--out", tmp_path / "arc").returncode == 0
    assert replay(tmp_path / "same.warc.gz", "--out", tmp_path / "warc").returncode == 0
    from_arc = by_url(tmp_path / "arc")[BASE + "bridge.html"]
    (from_warc,) = by_url(tmp_path / "warc").values()
    assert from_arc.keys() == from_warc.keys()
    assert from_arc["capture"].keys() == from_warc["capture"].keys()
    for key in from_warc.keys() - {"capture"}:
        assert from_arc[key] == from_warc[key], key
    assert from_arc["title"] == "Harbour bridge reopens after repairs"
    assert from_arc["published"].startswith("2008-01-05")
    assert "six weeks of repairs" in from_arc["body"]
    assert sorted(article_tree(tmp_path / "arc")) == [
        "news.example/2008/01/" + from_arc["id"] + ".json",
        "news.example/2008/01/" + by_url(tmp_path / "arc")[BASE + "school.html"]["id"] + ".json",
    ]


def test_show_raw_follows_the_pointer_back_into_the_arc(tmp_path: Path):
    (tmp_path / "sources").mkdir()
    write_arc(tmp_path / "sources" / "old.arc.gz")
    out = tmp_path / "out"
    assert replay(tmp_path / "sources", "--out", out).returncode == 0
    article_id = by_url(out)[BASE + "bridge.html"]["id"]
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "show", article_id, "--dir", str(out), "--raw",
         "--warc-dir", str(tmp_path / "sources")],
        capture_output=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == http_block(page(), HTML)
    # Any captured URL of the ARC, found by reading it through (no index): the image.
    image = subprocess.run(
        [sys.executable, "-m", "crawler", "show", "http://news.example/logo.png", "--dir",
         str(tmp_path / "sources"), "--raw"],
        capture_output=True, check=False,
    )
    assert image.returncode == 0, image.stderr
    assert image.stdout.endswith(b"\r\n\r\n" + PNG)


def test_a_folder_of_arc_and_warc_files_is_replayed_in_name_order(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_arc(folder / "a-1998.arc.gz")
    with Warc(folder / "b-2026.warc.gz") as warc:
        warc.response(BASE + "bridge.html", page("Harbour bridge closes again"), HTML)
    result = replay(folder, "--out", tmp_path / "out", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "2 file(s)" in result.stdout
    versions = sorted(
        (d["version"], d["title"], d["capture"]["warc_file"])
        for d in article_tree(tmp_path / "out").values()
        if d["url"] == BASE + "bridge.html"
    )
    assert versions == [
        (1, "Harbour bridge reopens after repairs", "a-1998.arc.gz"),
        (2, "Harbour bridge closes again", "b-2026.warc.gz"),
    ]


# -- broken ARC files: one line each, never a traceback ------------------------------------


def _truncated(path: Path, gzip: bool) -> None:
    write_arc(path, gzip=gzip)
    data = path.read_bytes()
    path.write_bytes(data[:-200])  # into the last record, the second article


def _version_2(path: Path, gzip: bool) -> None:
    with Arc(path, gzip=gzip, version="2 0") as arc:
        arc.response(BASE + "bridge.html", page(), HTML)


def _no_filedesc(path: Path, gzip: bool) -> None:
    with Arc(path, gzip=gzip, filedesc=False) as arc:
        arc.response(BASE + "bridge.html", page(), HTML)


def _wrong_length(path: Path, gzip: bool) -> None:
    with Arc(path, gzip=gzip) as arc:
        arc.response(BASE + "bridge.html", page(), HTML)
        block = http_block(page("School roof mended before the rain"), HTML)
        line = f"{BASE}school.html 192.0.2.7 20080105091500 text/html {len(block) - 40}\n"
        arc.raw(line.encode(), block)


def _version_2_record(path: Path, gzip: bool) -> None:
    with Arc(path, gzip=gzip) as arc:
        arc.response(BASE + "bridge.html", page(), HTML)
        block = http_block(page("School roof"), HTML)
        line = (f"{BASE}school.html 192.0.2.7 20080105091500 text/html 200 "
                f"3F2A9C - 1234 old.arc {len(block)}\n")
        arc.raw(line.encode(), block)


BROKEN = {
    "truncated": (_truncated, "is cut short", True),
    "ARC version 2": (_version_2, "ARC version 2 file", False),
    "no filedesc record": (_no_filedesc, "nor an ARC file", False),
    "wrong Archive-length": (_wrong_length, "Archive-length is wrong", True),
    "a version 2 record": (_version_2_record, "an ARC version 2 record", True),
}


@pytest.mark.parametrize("gzip", [True, False], ids=["arc.gz", "arc"])
@pytest.mark.parametrize("how", BROKEN)
def test_a_broken_arc_is_named_in_one_line(tmp_path: Path, how: str, gzip: bool):
    make, message, first_article_kept = BROKEN[how]
    name = "old.arc.gz" if gzip else "old.arc"
    make(tmp_path / name, gzip)
    result = replay(tmp_path / name, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "WARNING" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"newsarchive replay: {tmp_path / name}: ") and message in line
    assert "1 file(s) failed" in result.stdout
    # Pages before the damage are replayed.
    expected = {BASE + "bridge.html"} if first_article_kept else set()
    assert set(by_url(tmp_path / "out")) == expected


def test_a_broken_arc_does_not_stop_the_others(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    _version_2(folder / "a.arc.gz", True)
    write_arc(folder / "b.arc")
    result = newsarchive("replay", folder, "--out", tmp_path / "out", "--jobs", "2")
    assert result.returncode == 1
    assert "a.arc.gz: ARC version 2 file" in result.stderr
    assert set(by_url(tmp_path / "out")) == {BASE + "bridge.html", BASE + "school.html"}

