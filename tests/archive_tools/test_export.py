"""`newsarchive export`: JSONL, CSV and Parquet of a real crawl, read back by real readers."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.export import ARTICLE_FIELDS, ArticleFilter, export_articles
from archive.layout import ArticleStore
from tests.archive_tools.conftest import demo_crawls
from tests.support import articles, newsarchive


def arrow():
    """pyarrow and pyarrow.parquet (the `parquet` extra): only the Parquet tests need it."""
    import pyarrow
    import pyarrow.parquet

    return pyarrow, pyarrow.parquet


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site crawled, and every article changed since: two versions of each.

    (A second crawl no longer stores an article again unless it changed, and the demo's
    articles never do: the second version is written as the crawl would write it.)"""
    out = tmp_path_factory.mktemp("export") / "data"
    demo_crawls(out)
    store = ArticleStore(out)
    for doc in articles(out):
        later = {**doc, "version": 2, "title": doc["title"] + " (updated)"}
        later["capture"] = {**doc["capture"], "fetched_at": "2099-01-01T00:00:00.000000Z"}
        store.write(later)
    return out


@pytest.fixture(scope="module")
def latest(archive: Path) -> dict[str, dict]:
    """The latest capture of each article, chosen here independently of the exporter."""
    best: dict[str, dict] = {}
    for doc in articles(archive):
        known = best.get(doc["canonical_url"])
        if known is None or doc["capture"]["fetched_at"] > known["capture"]["fetched_at"]:
            best[doc["canonical_url"]] = doc
    return best


def export(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "export", *map(str, args)],
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_jsonl_is_one_latest_capture_per_canonical_url(archive, latest):
    assert len(articles(archive)) == 2 * len(latest) == 48
    result = export(archive)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(rows) == len(latest) == 24
    assert {r["canonical_url"]: r for r in rows} == latest


def test_jsonl_of_single_captures_equals_the_stored_documents(site_archive):
    """Articles stored once take the fast path (bytes put on one line, not re-encoded)."""
    result = export(site_archive)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == sorted(
        articles(site_archive), key=lambda d: d["id"]
    )


def test_all_versions_keeps_every_capture(archive):
    result = export(archive, "--format", "jsonl", "--all-versions")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["capture"]["warc_record_id"] for r in rows) == sorted(
        d["capture"]["warc_record_id"] for d in articles(archive)
    )


def test_jsonl_pipes_into_jq(archive, latest):
    jq = shutil.which("jq")
    assert jq is not None, "jq is not installed (make test installs it)"
    result = subprocess.run(
        f"{sys.executable} -m crawler export {archive} --format jsonl | {jq} -r .title",
        shell=True, capture_output=True, text=True, check=True,
    )
    assert sorted(result.stdout.splitlines()) == sorted(d["title"] for d in latest.values())


def test_fields_selects_and_orders_columns(archive, latest):
    result = export(archive, "--fields", "id,title,capture.fetched_at,authors")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(r) == ["id", "title", "capture.fetched_at", "authors"] for r in rows)
    by_id = {d["id"]: d for d in latest.values()}
    for row in rows:
        assert row["capture.fetched_at"] == by_id[row["id"]]["capture"]["fetched_at"]
        assert row["authors"] == by_id[row["id"]]["authors"]


def test_csv_reads_back_with_the_csv_module(archive, latest, tmp_path):
    target = tmp_path / "articles.csv"
    result = export(archive, "--format", "csv", "-o", target)
    assert result.returncode == 0, result.stderr
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") >= len(latest) + 1  # CRLF ends every record
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(latest)
    assert list(rows[0]) == list(ARTICLE_FIELDS)
    by_url = {row["canonical_url"]: row for row in rows}
    for url, doc in latest.items():
        row = by_url[url]
        assert row["body"] == doc["body"] and "\n\n" in row["body"]  # newlines kept
        assert row["authors"] == "; ".join(doc["authors"])
        assert row["tags"] == "; ".join(doc["tags"]) and doc["tags"]
        assert json.loads(row["images"]) == doc["images"] and doc["images"]
        assert json.loads(row["capture"]) == doc["capture"]
        assert row["word_count"] == str(doc["word_count"])
        assert row["modified"] == ("" if doc["modified"] is None else doc["modified"])
    assert not list(tmp_path.glob(".*tmp")), "temporary file left behind"


def test_csv_excel_has_a_bom_and_quotes_what_needs_it(archive, tmp_path):
    result = export(archive, "--format", "csv", "--excel", "--fields", "id,title,body")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbfid,title,body\r\n")
    rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"), newline="")))
    assert len(rows) == 25 and all(len(r) == 3 for r in rows)


def test_csv_for_spreadsheets_does_not_run_formulas(tmp_path):
    doc = {"id": "0123456789abcdef", "title": '=HYPERLINK("http://x.example","y")',
           "section": "-1", "body": "plain", "capture": {}}
    folder = tmp_path / "articles" / "example.org" / "2026" / "01"
    folder.mkdir(parents=True)
    (folder / f"{doc['id']}.json").write_text(json.dumps(doc), "utf-8")
    for excel, title, section in ((True, "'" + doc["title"], "'-1"), (False, doc["title"], "-1")):
        out = io.BytesIO()
        export_articles(tmp_path, out, fmt="csv", fields=["title", "section", "body"], excel=excel)
        rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
        assert rows[1] == [title, section, "plain"]


def test_csv_cells_with_quotes_commas_and_line_breaks(tmp_path):
    doc = {
        "id": "0123456789abcdef",
        "canonical_url": "https://example.org/a",
        "title": 'Mayor says "no", then yes',
        "body": "First line\r\nsecond, line\n\nthird",
        "authors": ["Ann Lee", "Bo Ng"],
        "images": [{"url": "https://example.org/i.jpg", "caption": "A, b", "credit": None}],
        "capture": {"fetched_at": "2026-01-01T00:00:00Z"},
    }
    folder = tmp_path / "articles" / "example.org" / "2026" / "01"
    folder.mkdir(parents=True)
    (folder / f"{doc['id']}.json").write_text(json.dumps(doc), "utf-8")
    out = io.BytesIO()
    export_articles(tmp_path, out, fmt="csv", fields=["title", "body", "authors", "images"])
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))
    assert rows[1] == [
        doc["title"], doc["body"], "Ann Lee; Bo Ng", json.dumps(doc["images"])
    ]


def test_parquet_is_typed(archive, latest, tmp_path):
    pa, pq = arrow()
    target = tmp_path / "articles.parquet"
    result = export(archive, "--format", "parquet", "-o", target)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(target)
    schema = table.schema
    utc = pa.timestamp("us", tz="UTC")
    assert schema.field("published").type == utc
    assert schema.field("extracted_at").type == utc
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("word_count").type == pa.int64()
    image = schema.field("images").type.value_type
    names = [image.field(i).name for i in range(image.num_fields)]
    assert names == ["url", "caption", "credit", "capture"]
    capture = schema.field("capture").type
    assert capture.field("fetched_at").type == utc
    assert capture.field("warc_offset").type == pa.int64()
    assert table.num_rows == len(latest)
    for row in table.to_pylist():
        doc = latest[row["canonical_url"]]
        assert row["published"] == datetime.fromisoformat(doc["published"]).astimezone(UTC)
        assert row["authors"] == doc["authors"]
        assert row["tags"] == doc["tags"]
        assert [i["url"] for i in row["images"]] == [i["url"] for i in doc["images"]]
        for exported, image in zip(row["images"], doc["images"], strict=True):
            pointer = image["capture"]
            assert (exported["capture"] or {}).get("warc_offset") == (pointer or {}).get(
                "warc_offset"
            )
        assert row["capture"]["warc_offset"] == doc["capture"]["warc_offset"]
        assert row["capture"]["fetched_at"] == datetime.fromisoformat(
            doc["capture"]["fetched_at"]
        )
        assert row["body"] == doc["body"]


def test_parquet_row_groups_and_stdout(archive):
    _, pq = arrow()
    out = io.BytesIO()
    stats = export_articles(archive, out, fmt="parquet", row_group_size=10)
    assert stats.written == 24
    assert pq.ParquetFile(io.BytesIO(out.getvalue())).num_row_groups == 3
    piped = export(archive, "--format", "parquet", "--fields", "id,published")
    assert piped.returncode == 0, piped.stderr
    table = pq.read_table(io.BytesIO(piped.stdout))
    assert table.column_names == ["id", "published"] and table.num_rows == 24


def test_parquet_without_pyarrow_says_how_to_get_it(archive, tmp_path):
    fake = tmp_path / "nopyarrow" / "pyarrow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no pyarrow here')\n")
    result = subprocess.run(
        [sys.executable, "-c",
         f"import sys; sys.path.insert(0, {str(fake.parent)!r}); "
         "from crawler.cli import main; sys.exit(main(sys.argv[1:]))",
         "export", str(archive), "--format", "parquet", "-o", str(tmp_path / "x.parquet")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "pip install 'newsarchive[parquet]'" in result.stderr
    assert not (tmp_path / "x.parquet").exists()


def _ids(result: subprocess.CompletedProcess[bytes]) -> set[str]:
    assert result.returncode == 0, result.stderr
    return {json.loads(line)["id"] for line in result.stdout.splitlines()}


def test_date_filters_are_inclusive_iso_dates_and_times(archive, latest):
    def published(doc):
        return datetime.fromisoformat(doc["published"])

    docs = list(latest.values())
    november = {d["id"] for d in docs if published(d).month == 11}
    assert november and len(november) < len(docs)
    assert _ids(export(archive, "--since", "2026-11-01")) == november
    october = {d["id"] for d in docs if published(d).month == 10}
    assert _ids(export(archive, "--until", "2026-10-31")) == october
    day = docs[0]["published"][:10]
    assert _ids(export(archive, "--since", day, "--until", day)) == {
        d["id"] for d in docs if d["published"][:10] == day
    }
    moment = docs[0]["published"]
    assert docs[0]["id"] in _ids(export(archive, "--since", moment, "--until", moment))
    bad = export(archive, "--since", "last tuesday")
    assert bad.returncode == 2 and b"not an ISO date" in bad.stderr


def test_site_and_language_filters(archive, latest):
    site = next(iter(latest.values()))["site"]
    assert len(_ids(export(archive, "--site", site))) == 24
    assert _ids(export(archive, "--site", "elsewhere.example")) == set()
    assert len(_ids(export(archive, "--language", "en"))) == 24
    assert len(_ids(export(archive, "--language", "EN,fr"))) == 24
    assert _ids(export(archive, "--language", "fr")) == set()


def test_filter_object_rules():
    rule = ArticleFilter.build(languages=["en"], until="2026-01-31")
    assert rule.accepts({"language": "en-GB", "published": "2026-01-31T23:59:59+00:00"})
    assert not rule.accepts({"language": "en", "published": "2026-02-01T00:00:00+00:00"})
    assert not rule.accepts({"language": "de", "published": "2026-01-01"})
    assert not rule.accepts({"language": "en"})  # no date: not inside a date range
    shifted = ArticleFilter.build(since="2026-01-31T12:00:00+02:00")
    assert shifted.accepts({"published": "2026-01-31T10:00:00Z"})
    assert not shifted.accepts({"published": "2026-01-31T09:59:59Z"})


def test_an_unreadable_file_is_reported_and_the_rest_exported(archive, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(archive / "articles", copy / "articles")
    broken = next((copy / "articles").rglob("*.json")).with_name("ffffffffffffffff.json")
    broken.write_text('{"id": "ffffffffffffffff", "title": "cut off', "utf-8")
    for extra in ([], ["--language", "en"]):  # unparsed fast path, then parsed
        result = export(copy, *extra)
        assert result.returncode == 1
        assert b"skipped unreadable" in result.stderr and broken.name.encode() in result.stderr
        assert len(result.stdout.splitlines()) == 24


def test_missing_directory(tmp_path):
    result = newsarchive("export", tmp_path / "nope")
    assert result.returncode == 2 and "not a directory" in result.stderr
    empty = newsarchive("export", tmp_path)
    assert empty.returncode == 1 and "no articles/ directory" in empty.stderr


def test_the_export_benchmark_runs():
    """bench/export.py, tiny: it keeps working (its real figures are in the README)."""
    bench = Path(__file__).parents[2] / "bench" / "export.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--articles", "400", "--small", "100",
         "--formats", "jsonl,csv"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [(row[0], row[1]) for row in rows] == [
        ("100", "jsonl"), ("100", "csv"), ("400", "jsonl"), ("400", "csv")
    ]
    assert all(float(row[3].replace(",", "")) > 0 for row in rows)


def test_parquet_is_not_written_to_a_terminal(site_archive):
    import os
    import pty

    main, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "export", str(site_archive), "--format", "parquet"],
            stdout=terminal, stderr=subprocess.PIPE, timeout=120, check=False,
        )
    finally:
        os.close(terminal)
        os.close(main)
    assert result.returncode == 2
    assert b"Parquet is binary: give -o FILE or redirect stdout" in result.stderr


def _doc(fetched: str, body: str, **extra: object) -> dict:
    """An article file as written before versions existed: no `version` field."""
    return {
        "id": "00000000000000aa",
        "url": "http://example.org/a.html",
        "canonical_url": "http://example.org/a.html",
        "site": "example.org",
        "title": "A story",
        "published": "2026-01-02T00:00:00Z",
        "body": body,
        "capture": {"warc_file": "x.warc.gz", "fetched_at": fetched},
        "extracted_at": fetched,
        **extra,
    }


def test_all_versions_leaves_out_captures_that_changed_nothing(tmp_path):
    """Three captures, the first two with the same content: two versions. The files are
    written out of order, so that name order (`<id>.json` holds the second capture) is
    not capture order."""
    store = ArticleStore(tmp_path)
    first = _doc("2026-01-02T10:00:00Z", "First text.")
    same = _doc("2026-01-03T10:00:00Z", "First text.", modified="2026-01-03T09:00:00Z")
    changed = _doc("2026-01-04T10:00:00Z", "Corrected text.")
    for doc in (same, first, changed):
        store.write(doc)
    out = io.BytesIO()
    stats = export_articles(tmp_path, out, all_versions=True)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows == [first, changed]
    assert (stats.files, stats.written, stats.unchanged) == (3, 2, 1)
    latest = io.BytesIO()
    export_articles(tmp_path, latest)
    assert [json.loads(line) for line in latest.getvalue().splitlines()] == [changed]

    result = export(tmp_path, "--all-versions", "-o", tmp_path / "all.jsonl")
    assert result.returncode == 0, result.stderr
    assert b"2 articles" in result.stderr and b"1 unchanged captures left out" in result.stderr


def test_all_versions_compares_with_the_previous_kept_capture_only(tmp_path):
    """A change reverted is a version of its own: A, B, A is three versions."""
    store = ArticleStore(tmp_path)
    docs = [_doc(f"2026-01-0{day}T10:00:00Z", body) for day, body in ((2, "A"), (3, "B"), (4, "A"))]
    for doc in docs:
        store.write(doc)
    out = io.BytesIO()
    stats = export_articles(tmp_path, out, all_versions=True)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == docs
    assert stats.unchanged == 0
