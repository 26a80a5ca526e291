"""The rotating writer on its own: names, rotation, `.open` files, exclusive creation."""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc.capture import write_exchange
from archive.warc.reader import record_at
from archive.warc.records import HttpExchange
from archive.warc.writer import RotatingWarcWriter

REPO = Path(__file__).resolve().parents[2]

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


def test_the_open_file_is_locked_while_written(tmp_path: Path):
    w = writer(tmp_path)
    write_exchange(w, exchange(1))
    (open_file,) = tmp_path.iterdir()
    with open(open_file, "rb") as probe:
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        w.close()
    (closed,) = tmp_path.iterdir()
    with open(closed, "rb") as probe:
        fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # released


# A file size limit makes a write fail for real (EFBIG), as a full disk would (ENOSPC).
FILL_DISK = textwrap.dedent(
    """
    import io, json, os, resource, signal, sys
    from archive.errors import WarcWriteError
    from archive.warc.writer import RotatingWarcWriter
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    writer = RotatingWarcWriter(sys.argv[1], prefix="t", hostname="h")
    written = 0
    try:
        while True:
            body = os.urandom(int(sys.argv[3]))  # incompressible: members grow as written
            writer.write(writer.builder.create_warc_record(
                f"http://x.test/{written}", "resource", payload=io.BytesIO(body),
                length=len(body)))
            written += 1
    except WarcWriteError as exc:
        error = str(exc)
    writer.close()  # closed already: nothing to do
    print(json.dumps({"written": written, "error": error, "files": writer.files_written,
                      "bytes": writer.bytes_written}))
    """
)


@pytest.mark.parametrize("limit,body_size", [(50_000, 3000), (30_000, 9000), (200_000, 70_000)])
def test_a_failed_write_leaves_a_whole_finished_file(tmp_path: Path, limit: int, body_size: int):
    result = subprocess.run(
        [sys.executable, "-c", FILL_DISK, str(tmp_path), str(limit), str(body_size)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=60,
    )
    outcome = json.loads(result.stdout)
    assert outcome["written"] > 0
    (path,) = tmp_path.iterdir()
    assert path.name == outcome["files"][0] and not path.name.endswith(".open")
    assert "File too large" in outcome["error"] and path.name in outcome["error"]
    assert path.stat().st_size == outcome["bytes"] <= limit
    subprocess.run(["gzip", "-t", str(path)], check=True)
    with open(path, "rb") as stream:
        records = 0
        for record in ArchiveIterator(stream, check_digests="raise"):
            record.content_stream().read()
            records += 1
    assert records == outcome["written"] + 1  # + the warcinfo record


def test_a_failed_first_record_leaves_no_file(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", FILL_DISK, str(tmp_path), "100", "10"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=60,
    )
    outcome = json.loads(result.stdout)
    assert outcome["written"] == 0 and "removed" in outcome["error"]
    assert list(tmp_path.iterdir()) == []
    assert os.path.basename(outcome["error"].split(":")[0]).endswith(".warc.gz.open")
