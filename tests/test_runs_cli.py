"""`newsarchive runs`: a catalog written here, read back as the command shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.catalog import SqliteCatalog, catalog_path
from archive.locks import crawl_lock
from crawler.cli import main
from crawler.cli.runs import human_bytes, human_duration

STATS = {
    "downloader/request_count": 120,
    "downloader/response_count": 118,
    "warc/revisits": 40,
    "warc/bytes": 2_345_678,
    "newsarchive/articles": 24,
    "newsarchive/article_versions": 3,
    "incremental/skipped": 310,
    "finish_reason": "finished",
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Four runs: demo finished, presstv failed, demo still running, presstv 'running'
    (killed: nobody holds its lock)."""
    with SqliteCatalog(catalog_path(tmp_path)) as catalog:
        first = catalog.start_run("demo", started_at="2026-12-01T10:00:02Z", pid=100, host="h")
        catalog.finish_run(first.id, state="finished", ended_at="2026-12-01T10:12:35Z", stats=STATS)
        second = catalog.start_run("presstv", started_at="2026-12-01T10:30:00Z", pid=101, host="h")
        catalog.finish_run(
            second.id,
            state="failed",
            ended_at="2026-12-01T10:30:09Z",
            stats={"downloader/request_count": 1, "downloader/response_count": 0},
        )
        catalog.start_run("demo", started_at="2026-12-01T11:00:00Z", pid=102, host="h")
        catalog.start_run("presstv", started_at="2026-12-01T11:00:01Z", pid=103, host="h")
    return tmp_path


def test_table_newest_first_with_crashed_runs(archive, capsys):
    with crawl_lock(archive, "demo"):  # the demo run is alive; presstv's is not
        assert main(["runs", str(archive)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["ID", "PROFILE", "STARTED", "(UTC)", "TOOK"]
    rows = [line.split() for line in lines[1:]]
    assert [row[0] for row in rows] == ["4", "3", "2", "1"]
    assert rows[0][1:6] == ["presstv", "2026-12-01", "11:00", "-", "crashed"]
    assert rows[1][1] == "demo" and rows[1][5] == "running"
    # Stats were recorded: a figure the run never counted is 0 (Scrapy omits zero counters).
    assert rows[2][4:] == ["9s", "failed", "1", "0", "0", "0", "(0)", "0", "0", "B"]
    assert rows[3] == [
        "1", "demo", "2026-12-01", "10:00", "12m33s", "finished",
        "120", "118", "40", "24", "(3)", "310", "2.3", "MB",
    ]  # fmt: skip


def test_profile_and_limit(archive, capsys):
    assert main(["runs", str(archive), "--profile", "demo", "--limit", "1"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) == 1 and rows[0].split()[:2] == ["3", "demo"]


def test_json_lines(archive, capsys):
    assert main(["runs", str(archive), "--json"]) == 0
    runs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [run["id"] for run in runs] == [4, 3, 2, 1]
    assert runs[0]["state"] == "crashed" and runs[0]["recorded_state"] == "running"
    assert runs[1]["state"] == "crashed"  # no lock held in this test
    finished = runs[3]
    assert finished["state"] == "finished"
    assert finished["duration_seconds"] == 753
    assert finished["requests"] == 120 and finished["responses"] == 118
    assert finished["revisits"] == 40 and finished["skipped"] == 310
    assert finished["articles"] == 24 and finished["article_versions"] == 3
    assert finished["warc_bytes"] == 2_345_678
    assert finished["stats"]["finish_reason"] == "finished"
    assert finished["started_at"] == "2026-12-01T10:00:02Z"


def test_a_dir_without_catalog_is_an_error(tmp_path, capsys):
    assert main(["runs", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsarchive runs: ") and "has no catalog" in err


def test_not_a_catalog(tmp_path, capsys):
    catalog_path(tmp_path).write_bytes(b"this is not sqlite" * 100)
    assert main(["runs", str(tmp_path)]) == 1
    assert "not a readable catalog" in capsys.readouterr().err


def test_no_runs_of_a_profile(archive, capsys):
    assert main(["runs", str(archive), "--profile", "other"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no runs of profile other" in captured.err


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0, "0s"), (59.9, "59s"), (61, "1m01s"), (3600, "1h00m"), (90000, "1d01h")],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_human_bytes():
    assert [human_bytes(n) for n in (None, 0, 999, 1000, 2_345_678, 5 * 10**12)] == [
        "-", "0 B", "999 B", "1.0 KB", "2.3 MB", "5.0 TB",
    ]  # fmt: skip
