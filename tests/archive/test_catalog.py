"""The catalog: what it records, what it answers, and that it can be rebuilt from the files."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.catalog import CaptureRow, CatalogError, SqliteCatalog, open_catalog
from archive.catalog.rebuild import capture_rows, rebuild, sync
from archive.layout import ArticleStore, content_hash
from archive.warc.capture import write_exchange
from archive.warc.records import (
    IDENTICAL_PAYLOAD_DIGEST,
    HttpExchange,
    Original,
    payload_digest,
)
from archive.warc.writer import RotatingWarcWriter


def _row(record_id: str, url: str, when: str, **extra: object) -> CaptureRow:
    fields: dict[str, object] = {
        "status": 200,
        "record_type": "response",
        "payload_digest": "sha1:X",
        "warc_file": "a.warc.gz",
        "warc_offset": 0,
        "warc_length": 10,
    }
    fields.update(extra)
    return CaptureRow(record_id=record_id, url=url, fetched_at=when, **fields)  # type: ignore[arg-type]


def test_last_capture_orders_by_time_not_text(tmp_path: Path) -> None:
    with open_catalog(tmp_path) as catalog:
        # As text, "...00Z" sorts after "...00.5Z"; as time it is earlier.
        catalog.add_capture(_row("<a>", "http://x/", "2026-01-01T00:00:00.500000Z"))
        catalog.add_capture(_row("<b>", "http://x/", "2026-01-01T00:00:00Z"))
        catalog.add_capture(_row("<c>", "http://x/", "2025-12-31T23:59:59Z"))
        last = catalog.last_capture("http://x/")
    assert last is not None and last.record_id == "<a>"


def test_known_articles_take_the_last_recorded_of_two_captures_at_one_time(tmp_path: Path):
    """As `last_capture` does (and the PostgreSQL backend): a page captured twice within one
    timestamp is known as an article when the capture recorded last holds one."""
    when = "2026-01-01T00:00:00Z"
    with open_catalog(tmp_path) as catalog:
        catalog.add_capture(_row("<a>", "http://x/1", when))
        catalog.add_capture(_row("<b>", "http://x/1", when, article_id="a1", article_version=1))
        catalog.add_capture(_row("<c>", "http://x/2", when, article_id="a2", article_version=1))
        catalog.add_capture(_row("<d>", "http://x/2", when))
        assert catalog.last_capture("http://x/1").record_id == "<b>"  # type: ignore[union-attr]
        assert set(catalog.known_articles()) == {"http://x/1"}


def test_a_record_id_is_recorded_once(tmp_path: Path) -> None:
    with open_catalog(tmp_path) as catalog:
        catalog.add_capture(_row("<a>", "http://x/", "2026-01-01T00:00:00Z", etag='"1"'))
        catalog.add_capture(_row("<a>", "http://x/", "2026-01-01T00:00:00Z", etag='"2"'))
        assert catalog.count_captures() == 1
        assert catalog.capture("<a>").etag == '"1"'  # type: ignore[union-attr]


def test_article_versions(tmp_path: Path) -> None:
    with open_catalog(tmp_path) as catalog:
        catalog.add_capture(_row("<a>", "http://x/1", "2026-01-01T00:00:00Z"))
        catalog.add_capture(_row("<b>", "http://x/1", "2026-01-02T00:00:00Z"))
        assert catalog.latest_version("id1") is None
        for record, version, digest in (("<a>", 1, "h1"), ("<b>", 2, "h2")):
            catalog.set_article(
                record,
                article_id="id1",
                version=version,
                content_hash=digest,
                canonical_url="http://x/1",
            )
        latest = catalog.latest_version("id1")
        assert latest is not None and (latest.version, latest.content_hash) == (2, "h2")
        assert catalog.last_capture("http://x/1").has_article  # type: ignore[union-attr]


def test_dropping_a_truncated_tail(tmp_path: Path) -> None:
    with open_catalog(tmp_path) as catalog:
        for offset in (0, 100, 200):
            catalog.add_capture(
                _row(
                    f"<{offset}>", f"http://x/{offset}", "2026-01-01T00:00:00Z", warc_offset=offset
                )
            )
        assert catalog.drop_records_from("a.warc.gz", 100) == 2
        assert catalog.count_captures() == 1


def test_runs(tmp_path: Path) -> None:
    with open_catalog(tmp_path) as catalog:
        first = catalog.start_run("demo", started_at="2026-01-01T00:00:00+00:00", pid=1, host="h")
        catalog.finish_run(
            first.id,
            state="finished",
            ended_at="2026-01-01T00:01:00+00:00",
            stats={"downloader/response_count": 5},
        )
        second = catalog.start_run("demo", started_at="2026-01-02T00:00:00+00:00", pid=2, host="h")
        resumed = catalog.resume_run(second.id, pid=3, host="h")
        runs = catalog.runs(profile="demo")
    assert [r.id for r in runs] == [second.id, first.id]
    assert runs[1].stats == {"downloader/response_count": 5} and runs[1].state == "finished"
    assert resumed.resumes == 1 and resumed.pid == 3 and resumed.state == "running"


def test_readers_see_committed_rows_while_the_writer_holds_the_file(tmp_path: Path) -> None:
    """WAL: `newsarchive runs` reads while a crawl writes."""
    writer = open_catalog(tmp_path)
    writer.start_run("demo", started_at="2026-01-01T00:00:00+00:00", pid=1, host="h")
    writer.add_capture(_row("<a>", "http://x/", "2026-01-01T00:00:00Z"))  # not committed yet
    script = (
        "import sys; from archive.catalog import open_catalog;"
        "c = open_catalog(sys.argv[1], readonly=True);"
        "print(len(c.runs()), c.count_captures())"
    )
    seen = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert seen.stdout.split() == ["1", "0"]
    writer.close()
    assert (
        sqlite3.connect(tmp_path / "catalog.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
        == "wal"
    )


def test_not_a_catalog(tmp_path: Path) -> None:
    (tmp_path / "catalog.sqlite").write_bytes(b"this is no database" * 100)
    with pytest.raises(CatalogError, match="not a readable catalog"):
        open_catalog(tmp_path)
    with pytest.raises(CatalogError, match="has no catalog"):
        open_catalog(tmp_path / "elsewhere", readonly=True)


def _exchange(url: str, body: bytes, status: int = 200) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("Host", "example.org")],
        request_body=b"",
        status=status,
        reason="OK",
        response_headers=[("Content-Type", "text/html"), ("ETag", '"v1"')],
        response_body=body,
    )


def _archive(out: Path) -> dict[str, object]:
    """A small archive as a crawl leaves it: two responses, a revisit, an article file."""
    with RotatingWarcWriter(out / "warc") as writer:
        first = write_exchange(writer, _exchange("https://example.org/a", b"<html>A</html>"))
        write_exchange(writer, _exchange("https://example.org/", b"<html>home</html>"))
        revisit = write_exchange(
            writer,
            _exchange("https://example.org/a", b"<html>A</html>"),
            revisit_of=Original(
                first.warc_record_id,
                "https://example.org/a",
                first.fetched_at,
                payload_digest(b"<html>A</html>"),
            ),
            revisit_profile=IDENTICAL_PAYLOAD_DIGEST,
        )
    document = {
        "id": "0123456789abcdef",
        "url": "https://example.org/a",
        "canonical_url": "https://example.org/a",
        "site": "example",
        "title": "A",
        "body": "A",
        "capture": first.to_dict(),
    }
    ArticleStore(out).write(document)
    return {"first": first, "revisit": revisit, "document": document}


def test_rebuild_from_the_files(tmp_path: Path) -> None:
    made = _archive(tmp_path)
    report = rebuild(tmp_path, tmp_path / "catalog.sqlite")
    assert (report.warc_files, report.captures, report.articles) == (1, 3, 1)
    with open_catalog(tmp_path, readonly=True) as catalog:
        last = catalog.last_capture("https://example.org/a")
        assert last is not None and last.record_type == "revisit"
        assert last.refers_to == made["first"].warc_record_id  # type: ignore[attr-defined]
        assert last.etag == '"v1"'
        latest = catalog.latest_version("0123456789abcdef")
        assert latest is not None and latest.version == 1
        assert latest.content_hash == content_hash(made["document"])  # type: ignore[arg-type]


def test_rebuild_keeps_the_runs_of_the_old_catalog(tmp_path: Path) -> None:
    _archive(tmp_path)
    with open_catalog(tmp_path) as catalog:
        run = catalog.start_run("demo", started_at="2026-01-01T00:00:00+00:00", pid=1, host="h")
    rebuild(tmp_path, tmp_path / "catalog.sqlite")
    with open_catalog(tmp_path, readonly=True) as catalog:
        assert [r.id for r in catalog.runs()] == [run.id]


def test_sync_twice_changes_nothing(tmp_path: Path) -> None:
    _archive(tmp_path)
    with open_catalog(tmp_path) as catalog:
        sync(catalog, tmp_path)
        before = catalog.count_captures(), catalog.count_articles()
        sync(catalog, tmp_path)
        assert (catalog.count_captures(), catalog.count_articles()) == before


def test_capture_rows_of_a_wget_warc(tmp_path: Path) -> None:
    """A revisit of another tool that names its original by URI and date only."""
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "other.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        builder = writer
        from warcio.statusandheaders import StatusAndHeaders

        http = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html"), ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")],
            protocol="HTTP/1.1",
        )
        response = builder.create_warc_record(
            "http://example.org/",
            "response",
            payload=io.BytesIO(b"<html>x</html>"),
            http_headers=http,
        )
        writer.write_record(response)
        date = response.rec_headers.get_header("WARC-Date")
        revisit = builder.create_revisit_record(
            "http://example.org/",
            response.rec_headers.get_header("WARC-Payload-Digest"),
            "http://example.org/",
            date,
            http_headers=http,
        )
        writer.write_record(revisit)
    rows = list(capture_rows(path))
    assert [r.record_type for r in rows] == ["response", "revisit"]
    assert rows[0].last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    with SqliteCatalog(tmp_path / "c.sqlite") as catalog:
        (tmp_path / "warc").mkdir()
        path.rename(tmp_path / "warc" / path.name)
        sync(catalog, tmp_path)
        last = catalog.last_capture("http://example.org/")
        assert last is not None and last.refers_to == rows[0].record_id
    assert json.dumps(rows[0].to_dict())  # plain values
