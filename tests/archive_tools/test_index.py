"""`newsarchive index`: a CDXJ index that pywb's tools would write, and lookups in it."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import surt

from archive.warc.cdxj import CdxjEntry, lookup, sorted_lines, url_key
from archive.warc.reader import record_at
from tests.support import all_records, newsarchive, warc_files


@pytest.fixture(scope="module")
def indexed(site_archive: Path) -> list[str]:
    result = newsarchive("index", site_archive)
    assert result.returncode == 0, result.stderr
    assert "captures from 1 WARC files" in result.stderr
    return (site_archive / "index.cdxj").read_text("utf-8").splitlines(keepends=True)


def test_index_equals_cdxj_indexer_output(site_archive, indexed):
    """Line for line what Webrecorder's cdxj-indexer (as used by py-wacz) writes, sorted."""
    reference = subprocess.run(
        [str(Path(sys.executable).with_name("cdxj-indexer")), "--sort",
         *map(str, warc_files(site_archive))],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines(keepends=True)
    assert indexed == reference


def test_lines_are_sorted_surt_keyed_cdxj(indexed):
    assert indexed == sorted(indexed)
    for line in indexed:
        entry = CdxjEntry.parse(line)
        assert entry.urlkey == surt.surt(entry.url)
        assert len(entry.timestamp) == 14 and entry.timestamp.isdigit()
        assert list(entry.fields) == [
            "url", "mime", "status", "digest", "length", "offset", "filename"
        ]
        assert entry.fields["digest"].startswith("sha1:")


def test_offsets_seek_to_the_indexed_records(site_archive, indexed):
    warc_dir = site_archive / "warc"
    for line in indexed:
        entry = CdxjEntry.parse(line)
        with record_at(warc_dir / entry.filename, entry.offset) as record:
            headers = record.rec_headers
            assert headers.get_header("WARC-Target-URI") == entry.url
            assert headers.get_header("WARC-Date").replace("-", "").replace(":", "").replace(
                "T", ""
            ).startswith(entry.timestamp)
            assert headers.get_header("WARC-Payload-Digest") == entry.fields["digest"]
            assert record.http_headers.get_statuscode() == entry.status
        with open(warc_dir / entry.filename, "rb") as stream:
            stream.seek(entry.offset)
            member = stream.read(entry.length)
        # `length` spans exactly one gzip member: one whole record, nothing more.
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
        assert gzip.decompress(member).count(b"WARC/1.1\r\nWARC-") == 1


def test_indexes_every_response_and_no_request_info_or_conversion(site_archive, indexed):
    records = all_records(site_archive)
    responses = {(r.file.name, r.offset) for r in records if r.type == "response"}
    entries = [CdxjEntry.parse(line) for line in indexed]
    assert {(e.filename, e.offset) for e in entries} == responses
    by_url = {e.url.split("/", 3)[3]: e for e in entries}
    assert by_url["missing.html"].status == "404"
    assert by_url["old-school-story"].status == "301"
    assert by_url["robots.txt"].fields["mime"] == "text/plain"


def test_stdout_and_output_option(site_archive, indexed, tmp_path):
    to_stdout = newsarchive("index", site_archive, "-o", "-")
    assert to_stdout.returncode == 0
    assert to_stdout.stdout.splitlines(keepends=True) == indexed
    target = tmp_path / "elsewhere.cdxj"
    assert newsarchive("index", site_archive, "-o", target).returncode == 0
    assert target.read_text("utf-8").splitlines(keepends=True) == indexed


def test_a_directory_of_warcs_and_several_files(site_archive, indexed, tmp_path):
    """DIR may hold the WARCs itself; two files index as one sorted whole."""
    for number, path in enumerate([*warc_files(site_archive)] * 2):
        shutil.copy(path, tmp_path / f"copy-{number}.warc.gz")
    result = newsarchive("index", tmp_path, "-o", "-")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines(keepends=True)
    assert lines == sorted(lines)
    assert len(lines) == 2 * len(indexed)
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in lines} == {
        "copy-0.warc.gz", "copy-1.warc.gz"
    }


def test_no_warcs_is_a_clear_error(tmp_path):
    result = newsarchive("index", tmp_path)
    assert result.returncode == 1
    assert "no WARC files" in result.stderr


def test_lookup_finds_every_capture_of_a_url(site_archive, indexed):
    index = site_archive / "index.cdxj"
    entries = [CdxjEntry.parse(line) for line in indexed]
    for url in {e.url for e in entries}:
        expected = [e for e in entries if e.urlkey == url_key(url)]
        assert lookup(index, url) == expected
    assert lookup(index, "http://127.0.0.1:1/never-captured") == []


def test_bisect_lookup_on_a_large_index(tmp_path):
    rng = random.Random(7)
    urls = [f"https://example.org/{rng.randrange(10**9)}/{n}" for n in range(20_000)]
    lines = []
    for number, url in enumerate(urls):
        fields = {"url": url, "offset": str(number), "length": "1", "filename": "a.warc.gz"}
        for stamp in ("20260101000000", "20260102000000")[: 1 + number % 2]:
            lines.append(CdxjEntry(url_key(url), stamp, fields).line())
    index = tmp_path / "big.cdxj"
    index.write_text("".join(sorted(lines)), "utf-8")
    ordered = sorted(urls, key=url_key)
    for url in [ordered[0], ordered[-1], *rng.sample(urls, 300)]:
        found = lookup(index, url)
        assert found and {e.url for e in found} == {url}
        assert len(found) == 1 + int(url.rsplit("/", 1)[1]) % 2
    assert lookup(index, "https://example.org/") == []
    assert lookup(index, "https://zzz.example/") == []
    assert lookup(index, "http://a.example/") == []


def test_external_sort_merges_runs_and_drops_duplicates():
    rng = random.Random(3)
    lines = [f"{rng.randrange(500):05d} x\n" for _ in range(3000)]
    assert list(sorted_lines(lines, chunk_lines=64)) == sorted(set(lines))


def test_pywb_reads_the_index_and_loads_every_capture(site_archive, indexed):
    """pywb's own index reader and record loader, on our index and our WARCs."""
    from pywb.warcserver.index.indexsource import FileIndexSource
    from pywb.warcserver.index.query import CDXQuery
    from pywb.warcserver.resource.pathresolvers import PrefixResolver
    from pywb.warcserver.resource.resolvingloader import ResolvingLoader

    source = FileIndexSource(str(site_archive / "index.cdxj"))
    loader = ResolvingLoader([PrefixResolver(str(site_archive / "warc") + "/")])
    entries = [CdxjEntry.parse(line) for line in indexed]
    for entry in entries:
        found = list(source.load_index(CDXQuery({"url": entry.url}).params))
        assert len(found) == sum(e.urlkey == entry.urlkey for e in entries)
        for cdx in found:
            http_headers, _ = loader(cdx, set(), None)
            assert http_headers.get_statuscode() == cdx["status"]


def test_same_captures_as_pywb_wb_manager_without_article_records(site_archive, indexed, tmp_path):
    """pywb's indexer (`wb-manager add`) gives the same lines, plus our `conversion`
    records (the article JSON at the page's own URL), which we leave out so that replay
    of a URL can only find the page. pywb writes digests without the `sha1:` prefix."""
    manager = Path(sys.executable).with_name("wb-manager")
    assert manager.exists(), "pywb is not installed (it is in the test extra)"
    for command in (["init", "c"], ["add", "c", *map(str, warc_files(site_archive))]):
        subprocess.run([str(manager), *command], cwd=tmp_path, capture_output=True, check=True)
    theirs = (tmp_path / "collections/c/indexes/index.cdxj").read_text("utf-8").splitlines(True)
    conversions = [line for line in theirs if '"mime": "application/json"' in line]
    ours = [line.replace('"digest": "sha1:', '"digest": "') for line in indexed]
    assert sorted(set(theirs) - set(conversions)) == ours
    assert len(conversions) == len(articles_in(site_archive))


def articles_in(out: Path) -> list[Path]:
    return list((out / "articles").rglob("*.json"))


def _foreign_warc(path: Path, *, compress: bool) -> None:
    """Every record type, as other tools write them (a resource without a payload digest)."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=compress, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        body = b"<html><title>x</title></html>"
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=UTF-8")], protocol="HTTP/1.1"
        )
        response = writer.create_warc_record(
            "https://www.example.com/a?b=1&a=2", "response", payload=io.BytesIO(body),
            length=len(body), http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"},
        )
        request = writer.create_warc_record(
            "https://www.example.com/a?b=1&a=2", "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(
                "GET /a?b=1&a=2 HTTP/1.1", [("Host", "www.example.com")], is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"},
        )
        writer.write_request_response_pair(request, response)
        revisit = writer.create_revisit_record(
            "https://www.example.com/a?b=1&a=2",
            digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            refers_to_uri="https://www.example.com/a?b=1&a=2",
            refers_to_date="2024-03-01T10:00:00Z",
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-03-02T10:00:00Z"},
        )
        writer.write_record(revisit)
        for kind, content_type, data in (
            ("metadata", "application/warc-fields", b"outlink: https://x.example/\r\n"),
            ("metadata", "application/json", b'{"a": 1}'),
            ("conversion", "application/json", b'{"b": 2}'),
        ):
            writer.write_record(writer.create_warc_record(
                "https://www.example.com/a?b=1&a=2", kind, payload=io.BytesIO(data),
                length=len(data), warc_content_type=content_type,
                warc_headers_dict={"WARC-Date": "2024-03-03T10:00:00Z"},
            ))
        # A resource record from a tool that writes no payload digest.
        data = b"plain text resource"
        head = (
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: http://example.org/r.txt\r\n"
            "WARC-Date: 2024-03-04T10:00:00Z\r\n"
            "WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        raw = head + data + b"\r\n\r\n"
        out.write(gzip.compress(raw) if compress else raw)


@pytest.mark.parametrize("name", ["foreign.warc.gz", "foreign.warc"])
def test_foreign_record_types_index_as_cdxj_indexer_does(tmp_path, name):
    _foreign_warc(tmp_path / name, compress=name.endswith(".gz"))
    ours = newsarchive("index", tmp_path, "-o", "-")
    assert ours.returncode == 0, ours.stderr
    reference = subprocess.run(
        [str(Path(sys.executable).with_name("cdxj-indexer")), "--sort", str(tmp_path / name)],
        capture_output=True, text=True, check=True,
    ).stdout
    assert ours.stdout == reference
    kinds = [json.loads(line.split(" ", 2)[2]).get("mime") for line in ours.stdout.splitlines()]
    assert sorted(kinds) == ["application/json", "text/html", "text/plain", "warc/revisit"]
