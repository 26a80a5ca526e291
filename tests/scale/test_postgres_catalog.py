"""The PostgreSQL catalog answers as the SQLite one does, and several writers share it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive.catalog import CaptureRow, CatalogError, SqliteCatalog
from archive.catalog.postgres import PostgresCatalog


def _row(n: int, url: str, when: str, **extra: Any) -> CaptureRow:
    return CaptureRow(
        record_id=f"<urn:uuid:{n}>",
        url=url,
        fetched_at=when,
        status=200,
        record_type="response",
        payload_digest=f"sha1:{n}",
        warc_file="a.warc.gz",
        warc_offset=n * 100,
        warc_length=100,
        **extra,
    )


def _exercise(catalog: Any) -> list[Any]:
    """The same writes and reads on any backend; what each read answered."""
    run = catalog.start_run("harbour", started_at="2026-12-01T10:00:00+00:00", pid=1, host="h")
    catalog.add_capture(_row(1, "http://x/a?utm_source=rss", "2026-12-01T10:00:01Z", run_id=run.id))
    catalog.add_capture(_row(2, "http://x/a", "2026-12-01T10:00:05Z", run_id=run.id))
    catalog.add_capture(_row(3, "http://x/b", "2026-12-01T10:00:03Z", run_id=run.id,
                             last_modified="Mon, 30 Nov 2026 10:00:00 GMT"))
    catalog.add_capture(_row(3, "http://x/dup", "2026-12-01T10:00:03Z"))  # same id: ignored
    catalog.set_article("<urn:uuid:2>", article_id="a1", version=1, content_hash="h1",
                        canonical_url="http://x/a")
    catalog.set_article("<urn:uuid:3>", article_id="b1", version=1, content_hash="h2",
                        canonical_url=None)
    catalog.register_warc_file("a.warc.gz", run.id)
    catalog.commit()
    answers = [
        catalog.last_capture("http://x/a"),
        catalog.last_capture("http://x/a?utm_source=mail"),
        [r.record_id for r in catalog.captures_of("http://x/a")],
        catalog.capture("<urn:uuid:3>"),
        catalog.capture_at("http://x/b", "2026-12-01T10:00:03.5Z"),
        catalog.latest_version("a1"),
        sorted(catalog.captures_of_run(run.id)),
        sorted(catalog.known_articles().items()),
        catalog.warc_files(),
        catalog.warc_files_of_run(run.id),
        catalog.count_captures(),
        catalog.count_articles(),
    ]
    resumed = catalog.resume_run(run.id, pid=2, host="h2")
    catalog.finish_run(run.id, state="finished", ended_at="2026-12-01T11:00:00+00:00",
                       stats={"pages": 3})
    answers += [
        (resumed.resumes, resumed.pid),
        [(r.profile, r.state, dict(r.stats)) for r in catalog.runs(profile="harbour")],
        catalog.drop_records_from("a.warc.gz", 200),
        catalog.count_captures(),
    ]
    return answers


def _strip(url: str) -> str:
    return url.split("?", 1)[0]


def test_postgres_answers_as_sqlite(database: str, tmp_path: Path) -> None:
    with SqliteCatalog(tmp_path / "catalog.sqlite", url_key=_strip) as sqlite:
        expected = _exercise(sqlite)
    with PostgresCatalog(database, url_key=_strip) as postgres:
        got = _exercise(postgres)
    assert got == expected


def test_new_catalog_is_empty_and_reopens(database: str) -> None:
    with PostgresCatalog(database) as catalog:
        assert catalog.is_empty()
        catalog.start_run("p", started_at="2026-12-01T10:00:00+00:00", pid=1, host="h")
    with PostgresCatalog(database) as again:  # the schema is there: opened as it is
        assert not again.is_empty()
        assert again.last_run("p") is not None


def test_two_writers_at_once(database: str) -> None:
    one, two = PostgresCatalog(database), PostgresCatalog(database)
    try:
        run1 = one.start_run("p", started_at="2026-12-01T10:00:00+00:00", pid=1, host="a")
        run2 = two.start_run("p", started_at="2026-12-01T10:00:00+00:00", pid=2, host="b")
        assert run1.id != run2.id
        for n in range(50):
            (one if n % 2 else two).add_capture(_row(n, f"http://x/{n}", "2026-12-01T10:00:01Z"))
        one.commit()
        two.commit()
        assert one.count_captures() == two.count_captures() == 50
    finally:
        one.close()
        two.close()


def test_unreachable_server_is_a_catalog_error() -> None:
    from tests.support import free_port

    with pytest.raises(CatalogError, match="cannot open the catalog"):
        PostgresCatalog(f"postgresql://nobody:secret@127.0.0.1:{free_port()}/x?connect_timeout=2")
