"""`newsarchive catalog`: the summary, `--rebuild` against what real crawls indexed, and
`--import` of a wget WARC that the next crawl is incremental from."""

from __future__ import annotations

import gzip
import io
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.catalog import catalog_path
from archive.locks import crawl_lock
from archive.warc.records import SERVER_NOT_MODIFIED
from crawler.cli import main
from crawler.demo.server import SiteServer
from crawler.urls import strip_tracking
from tests.support import TEST_SITE, crawl, newsarchive, read_warc


def captures(out: Path) -> list[dict[str, Any]]:
    """Every capture row of `out`'s catalog, every column, in a fixed order."""
    db = sqlite3.connect(f"file:{catalog_path(out)}?mode=ro", uri=True)
    try:
        cursor = db.execute("SELECT * FROM captures")
        names = [column[0] for column in cursor.description]
        return sorted((dict(zip(names, row, strict=True)) for row in cursor), key=repr)
    finally:
        db.close()


def runs(out: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"file:{catalog_path(out)}?mode=ro", uri=True)
    try:
        return db.execute("SELECT * FROM runs ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test site crawled twice: responses, revisits of the 304s, articles, two runs."""
    out = tmp_path_factory.mktemp("catalog") / "data"
    with SiteServer(TEST_SITE) as server:
        for _ in range(2):
            result = crawl(server.url("/"), out)
            assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture
def archive(crawled: Path, tmp_path: Path) -> Path:
    """A copy of the crawled archive that a test may change."""
    copy = tmp_path / "data"
    shutil.copytree(crawled, copy)
    return copy


def test_summary_says_what_the_catalog_holds(crawled):
    result = newsarchive("catalog", crawled)
    assert result.returncode == 0, result.stderr
    rows = captures(crawled)
    revisits = sum(1 for row in rows if row["record_type"] == "revisit")
    assert revisits > 0
    urls = len({row["url_key"] for row in rows})
    ids = {row["article_id"] for row in rows if row["article_id"]}
    versions = {(row["article_id"], row["article_version"]) for row in rows if row["article_id"]}
    warcs = sorted(p.name for p in (crawled / "warc").iterdir())
    lines = result.stdout.splitlines()
    assert lines[1].split(":", 1)[1].split() == [
        str(len(rows)), f"({revisits}", "revisits)", "of", str(urls), "URLs",
    ]  # fmt: skip
    assert lines[2].split(":", 1)[1].split() == [
        str(len(ids)), f"({len(versions)}", "versions)",
    ]  # fmt: skip
    assert lines[3].split() == ["runs", ":", "2"]
    assert lines[4].split(":", 1)[1].split()[:4] == [
        str(len(warcs)), "indexed,", str(len(warcs)), "in",
    ]  # fmt: skip
    assert len(lines) == 5  # nothing unindexed, missing or unfinished


def test_a_directory_without_a_catalog(tmp_path):
    result = newsarchive("catalog", tmp_path)
    assert result.returncode == 1
    assert "has no catalog" in result.stderr and "--rebuild" in result.stderr
    assert newsarchive("catalog", tmp_path / "nowhere").returncode == 2


def test_rebuild_gives_back_every_row_and_keeps_the_runs(archive):
    before, before_runs = captures(archive), runs(archive)
    result = newsarchive("catalog", archive, "--rebuild")
    assert result.returncode == 0, result.stderr
    assert "rebuilt" in result.stderr
    assert captures(archive) == before
    assert runs(archive) == before_runs


def test_rebuild_of_a_deleted_catalog(archive):
    """Everything comes back from the WARC and article files — captures, validators,
    revisits' originals, article ids, versions and content hashes — except which run made
    each capture: the runs live in the catalog only, so a deleted one takes them along."""
    before = captures(archive)
    assert any(row["article_version"] for row in before)
    for path in archive.glob("catalog.sqlite*"):
        path.unlink()
    result = newsarchive("catalog", archive, "--rebuild")
    assert result.returncode == 0, result.stderr
    after = captures(archive)
    assert all(row["run_id"] is None for row in after)
    assert after == [{**row, "run_id": None} for row in before]
    assert runs(archive) == []


def test_rebuild_is_refused_while_a_crawl_runs(archive, capsys):
    catalog = catalog_path(archive)
    before = catalog.stat()
    with crawl_lock(archive, "demo"):
        assert main(["catalog", str(archive), "--rebuild"]) == 1
    err = capsys.readouterr().err
    assert "a crawl into this archive is running" in err
    assert str(archive / ".locks" / "demo.lock") in err
    after = catalog.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # A lock left behind by a crawl that ended is free: no refusal.
    assert main(["catalog", str(archive), "--rebuild"]) == 0


def test_a_warc_present_but_not_indexed_is_named(archive):
    source = next((archive / "warc").glob("*.warc.gz"))
    shutil.copy(source, archive / "warc" / "copied-by-hand.warc.gz")
    result = newsarchive("catalog", archive)
    assert result.returncode == 0, result.stderr
    assert "not indexed: copied-by-hand.warc.gz" in result.stdout
    assert f"newsarchive catalog {archive} --rebuild" in result.stdout


# -- import --------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    """A copy of the test site, served: each test gets its own request log."""
    directory = tmp_path / "site"
    shutil.copytree(TEST_SITE, directory)
    with SiteServer(directory) as server:
        yield server


def wget_warc(server: SiteServer, folder: Path, name: str = "wget-site") -> Path:
    """The site fetched by wget, as its `--warc-file` (a gzip member per record, WARC/1.0)."""
    wget = shutil.which("wget")
    assert wget is not None, "wget is not installed (make test installs it)"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [wget, "--recursive", "--level=2", f"--warc-file={folder / name}", "--no-verbose",
         "-e", "robots=off", "--delete-after", server.url("/")],
        cwd=folder, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    warc = folder / f"{name}.warc.gz"  # wget exits 8 for the site's 404: archived all the same
    assert warc.is_file()
    return warc


def test_imported_wget_warc_makes_the_next_crawl_incremental(site, tmp_path):
    warc = wget_warc(site, tmp_path / "wget")
    wget_records = read_warc(warc)
    fetched = {  # URL -> what wget got: its response record id and ETag
        rec.uri: (rec.id, rec.http_headers.get_header("ETag"))
        for rec in wget_records
        if rec.type == "response" and rec.http_headers.get_statuscode() == "200"
    }
    assert len(fetched) >= 8
    wget_ids = {rec.id: rec.uri for rec in wget_records if rec.type == "response"}
    out = tmp_path / "data"
    out.mkdir()
    imported = newsarchive("catalog", out, "--import", warc)
    assert imported.returncode == 0, imported.stderr
    assert (out / "warc" / warc.name).read_bytes() == warc.read_bytes()
    assert "0 revisits" in imported.stdout and "1 indexed, 1 in" in imported.stdout

    result = crawl(site.url("/"), out)
    assert result.returncode == 0, result.stderr[-3000:]
    ours = [p for p in sorted((out / "warc").glob("*.warc.gz")) if p.name != warc.name]
    records = [rec for path in ours for rec in read_warc(path)]
    requests = {rec.uri: rec for rec in records if rec.type == "request"}
    responses = {rec.id: rec for rec in records if rec.type in ("response", "revisit")}

    # Every page wget had fetched and the crawl asked for again was asked conditionally.
    again = sorted(set(fetched) & set(requests))
    assert len(again) >= 6, again
    for url in again:
        headers = requests[url].http_headers
        assert headers.get_header("If-None-Match") == fetched[url][1], url
        assert headers.get_header("If-Modified-Since"), url
    # ... and the server's 304s are revisit records of wget's responses.
    not_modified = [
        r for r in responses.values() if r.headers.get("WARC-Profile") == SERVER_NOT_MODIFIED
    ]
    assert {rec.uri for rec in not_modified} == set(again)
    for rec in not_modified:
        assert rec.type == "revisit"
        # wget's capture of that URL (the catalog's lookups ignore tracking parameters:
        # wget's last capture of a story may be the one linked with utm_source).
        original = wget_ids[rec.headers["WARC-Refers-To"]]
        assert strip_tracking(original) == strip_tracking(rec.uri)
        assert rec.headers["WARC-Refers-To-Target-URI"] == original


def test_import_into_an_archive_without_a_catalog_indexes_what_is_there(archive, site, tmp_path):
    """Once a catalog exists no crawl seeds it: the import must index DIR's own WARCs too."""
    for path in archive.glob("catalog.sqlite*"):
        path.unlink()
    warc = wget_warc(site, tmp_path / "wget")
    result = newsarchive("catalog", archive, "--import", warc)
    assert result.returncode == 0, result.stderr
    present = {p.name for p in (archive / "warc").glob("*.warc.gz")}
    assert {row["warc_file"] for row in captures(archive)} == present
    assert any(row["article_id"] for row in captures(archive))


def test_import_refuses_what_is_not_a_warc_and_copies_nothing(site, tmp_path):
    good = wget_warc(site, tmp_path / "wget")
    out = tmp_path / "data"
    out.mkdir()
    bad = tmp_path / "notes.warc.gz"
    bad.write_bytes(gzip.compress(b"these are not WARC records\r\n"))
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    misnamed = tmp_path / "wget-site.bin"
    shutil.copy(good, misnamed)
    for wrong, says in (
        (bad, "not a readable WARC file"),
        (empty, "holds no WARC records"),
        (misnamed, "not named like a WARC"),
        (tmp_path / "nope.warc", "no such"),
    ):
        result = newsarchive("catalog", out, "--import", good, wrong)
        assert result.returncode == 1, wrong
        assert says in result.stderr and "nothing was imported" in result.stderr, result.stderr
        assert not (out / "warc").exists() or not any((out / "warc").iterdir())
        assert not catalog_path(out).exists()


def test_import_never_overwrites(site, tmp_path):
    warc = wget_warc(site, tmp_path / "wget")
    out = tmp_path / "data"
    out.mkdir()
    assert newsarchive("catalog", out, "--import", warc).returncode == 0
    before = captures(out)
    again = newsarchive("catalog", out, "--import", warc)  # the same bytes: nothing to do
    assert again.returncode == 0, again.stderr
    assert "already in" in again.stderr
    assert captures(out) == before
    other = tmp_path / "other" / warc.name  # another file of that name
    other.parent.mkdir()
    tiny_warc(other)
    clash = newsarchive("catalog", out, "--import", other)
    assert clash.returncode == 1
    assert "holds other bytes" in clash.stderr and "nothing was imported" in clash.stderr
    assert (out / "warc" / warc.name).read_bytes() == warc.read_bytes()


def tiny_warc(path: Path) -> None:
    """A valid WARC of one response record."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "http://example.org/", "response", payload=io.BytesIO(b"x"), http_headers=http
            )
        )


def test_import_of_an_arc_file(tmp_path):
    """ARC files (Heritrix's and the Internet Archive's older format) are read by warcio."""
    body = b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: "a1"\r\n\r\nhello'
    head = b"1 0 Internet Archive\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = tmp_path / "old.arc"
    arc.write_bytes(
        b"filedesc://old.arc 0.0.0.0 20140216050221 text/plain %d\n%s\n" % (len(head), head)
        + b"http://example.com/ 93.184.216.119 20140216050221 text/html %d\n%s\n"
        % (len(body), body)
    )
    out = tmp_path / "data"
    out.mkdir()
    result = newsarchive("catalog", out, "--import", arc)
    assert result.returncode == 0, result.stderr
    [row] = captures(out)
    assert (row["url"], row["status"], row["etag"]) == ("http://example.com/", 200, '"a1"')
    assert row["warc_file"] == "old.arc" and row["fetched_at"].startswith("2014-02-16T05:02:21")
