"""The rotating writer on its own: names, rotation, `.open` files, exclusive creation."""

from __future__ import annotations

import gzip
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.capture import write_exchange
from archive.reader import record_at
from archive.records import HttpExchange
from archive.warc_writer import RotatingWarcWriter

NAME = re.compile(r"^test-(\d{17})-(\d{5})-myhost\.warc\.gz$")


def exchange(n: int, body: bytes = b"<html><p>hello</p></html>") -> HttpExchange:
    return HttpExchange(
        url=f"http://example.test/page/{n}?q=1#frag",
        method="GET",
        request_headers=[("Accept", "text/html")],
        request_body=b"",
        status=200,
        reason="OK",
        response_headers=[
            ("Content-Type", "text/html"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "99999"),
        ],
        response_body=body,
        ip_address="192.0.2.7",
        started_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )


def writer(tmp_path: Path, **kwargs) -> RotatingWarcWriter:
    return RotatingWarcWriter(
        tmp_path, prefix="test", hostname="myhost", warcinfo={"operator": "tests"}, **kwargs
    )


def test_file_is_open_while_written_and_renamed_on_close(tmp_path: Path):
    w = writer(tmp_path)
    write_exchange(w, exchange(1))
    (open_file,) = tmp_path.iterdir()
    assert open_file.name.endswith(".warc.gz.open")
    w.close()
    (closed,) = tmp_path.iterdir()
    assert NAME.match(closed.name)
    assert closed.name + ".open" == open_file.name


def test_records_describe_stored_bytes(tmp_path: Path):
    with writer(tmp_path) as w:
        capture = write_exchange(w, exchange(1))
    with record_at(tmp_path / capture.warc_file, capture.warc_offset) as record:
        assert (
            record.rec_headers.get_header("WARC-Target-URI")
            == "http://example.test/page/1?q=1#frag"
        )
        assert record.rec_headers.get_header("WARC-Date") == "2026-01-02T03:04:05.678901Z"
        assert record.rec_headers.get_header("WARC-IP-Address") == "192.0.2.7"
        headers = record.http_headers.headers
        assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]
        assert ("Content-Length", str(len(b"<html><p>hello</p></html>"))) in headers
        assert not [k for k, _ in headers if k.lower() == "transfer-encoding"]
    # the request line carries path and query, never the fragment
    with open(tmp_path / capture.warc_file, "rb") as stream:
        request = next(r for r in ArchiveIterator(stream) if r.rec_type == "request")
        assert request.http_headers.protocol == "GET"
        assert request.http_headers.statusline == "/page/1?q=1 HTTP/1.1"


def test_one_gzip_member_per_record(tmp_path: Path):
    with writer(tmp_path) as w:
        locations = [
            w.write(
                w.builder.create_warc_record(
                    f"http://x.test/{i}", "resource", payload=io.BytesIO(b"x"), length=1
                )
            )
            for i in range(3)
        ]
    data = next(tmp_path.iterdir()).read_bytes()
    for loc in locations:
        member = data[loc.offset : loc.offset + loc.length]
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
    assert locations[-1].offset + locations[-1].length == len(data)


def test_rotation_by_size(tmp_path: Path):
    with writer(tmp_path, max_size=3000) as w:
        for n in range(20):
            write_exchange(w, exchange(n, body=bytes(range(256)) * 8))
    files = sorted(tmp_path.iterdir())
    assert len(files) > 3
    serials = [int(NAME.match(f.name).group(2)) for f in files]
    assert serials == list(range(len(files)))
    for path in files:
        with open(path, "rb") as stream:
            types = [r.rec_type for r in ArchiveIterator(stream)]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert len(types) > 1


def test_never_reuses_an_existing_name(tmp_path: Path):
    first = writer(tmp_path)
    second = writer(tmp_path)
    write_exchange(first, exchange(1))
    write_exchange(second, exchange(2))
    first.close()
    second.close()
    assert len(list(tmp_path.iterdir())) == 2


def test_bad_size_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="max_size"):
        writer(tmp_path, max_size=0)
