"""End to end: crawl the test site, then read what was archived with several readers."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator as FastArchiveIterator
from fastwarc.warc import WarcRecordType

from archive.warc.reader import record_at
from crawler.demo.server import SiteServer
from tests.support import TEST_SITE, Rec, all_records, archived_files, articles, crawl, warc_files

ARTICLE_PATHS = {
    "/news/2026/01/05/harbour-bridge.html",
    "/news/2026/01/06/school-roof.html",
    "/news/2026/01/07/feed-only.html",
    "/news/2026/01/07/sitemap-only.html",
    "/news/2026/01/08/atom-only.html",
    "/news/2026/01/08/news-sitemap-only.html",
}
WARC_NAME = re.compile(r"^newsarchive-\d{17}-\d{5}-[^-]+\.warc\.gz$")


@pytest.fixture(scope="module")
def crawled(test_site: SiteServer, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("crawl")
    result = crawl(test_site.url("/"), out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, test_site, result


@pytest.fixture(scope="module")
def records(crawled) -> list[Rec]:
    out, _, _ = crawled
    return all_records(out)


def responses(records: list[Rec]) -> dict[str, Rec]:
    return {r.uri.split("/", 3)[3]: r for r in records if r.type == "response"}


def test_every_warc_passes_warcio_check(crawled):
    out, _, _ = crawled
    files = warc_files(out)
    assert files and all(WARC_NAME.match(f.name) for f in files)
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    assert not list((out / "warc").glob("*.open")), "a file was left open"


def test_fastwarc_verifies_every_digest(crawled):
    out, _, _ = crawled
    checked = Counter()
    for path in warc_files(out):
        # Block digests cover the HTTP headers too: read them before any HTTP parsing.
        with open(path, "rb") as stream:
            for record in FastArchiveIterator(stream, parse_http=False):
                assert record.verify_block_digest(), (path, record.record_id)
                checked[record.headers["WARC-Type"]] += 1
        with open(path, "rb") as stream:
            for record in FastArchiveIterator(stream, record_types=WarcRecordType.response):
                assert record.verify_payload_digest(), (path, record.record_id)
    assert checked["warcinfo"] == len(warc_files(out))
    assert checked["response"] >= 10
    assert checked["request"] == checked["response"]


def test_cdxj_indexer_indexes_every_capture(crawled, records):
    out, _, _ = crawled
    index = subprocess.run(
        [str(Path(sys.executable).with_name("cdxj-indexer")), *map(str, warc_files(out))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    urls = [line.split(" ", 2)[2] for line in index]
    assert (
        sum('"status": "200"' in u and "/news/2026/01/05/harbour-bridge.html" in u for u in urls)
        == 1
    )
    assert len([r for r in records if r.type == "response"]) <= len(index)


def test_warcinfo_describes_the_crawl(records):
    info = records[0]
    assert info.type == "warcinfo"
    assert info.headers["WARC-Filename"] and "WARC-Target-URI" not in info.headers
    fields = dict(
        line.split(": ", 1) for line in info.raw_payload.decode().splitlines() if ": " in line
    )
    assert fields["software"].startswith("newsarchive/")
    assert fields["format"] == "WARC File Format 1.1"
    assert "warc-1.1" in fields["conformsTo"]
    assert fields["robots"] == "obey"
    assert fields["http-header-user-agent"].startswith("newsarchive/")


def test_every_record_is_warc_1_1(crawled):
    out, _, _ = crawled
    for path in warc_files(out):
        with gzip.open(path, "rb") as stream:
            versions = set(re.findall(rb"^WARC/(\d\.\d)\r$", stream.read(), re.M))
        assert versions == {b"1.1"}


def test_requests_pair_with_responses(records):
    by_id = {r.id: r for r in records}
    requests = [r for r in records if r.type == "request"]
    assert requests
    for request in requests:
        response = by_id[request.headers["WARC-Concurrent-To"]]
        assert response.type == "response" and response.uri == request.uri
        line = request.http_headers.statusline
        method, target, version = (request.http_headers.protocol, *line.split(" "))
        assert method == "GET" and version == "HTTP/1.1"
        assert request.uri.endswith(target)
        assert request.http_headers.get_header("Host")
        assert request.http_headers.get_header("User-Agent").startswith("newsarchive/")


def test_status_lines_headers_and_ip(records):
    by_path = responses(records)
    ok = by_path["news/2026/01/05/harbour-bridge.html"]
    assert (ok.http_headers.protocol, ok.http_headers.statusline) == ("HTTP/1.1", "200 OK")
    assert ok.headers["WARC-IP-Address"] == "127.0.0.1"
    moved = by_path["old-school-story"]
    assert moved.http_headers.statusline == "301 Moved Permanently"
    assert moved.http_headers.get_header("Location").endswith("/news/2026/01/06/school-roof.html")
    assert by_path["missing.html"].http_headers.statusline == "404 Not Found"
    cookies = by_path["cookies.html"].http_headers
    assert [v for k, v in cookies.headers if k.lower() == "set-cookie"] == [
        "session=abc; Path=/",
        "theme=dark; Path=/",
    ]
    for rec in by_path.values():
        names = [k.lower() for k, _ in rec.http_headers.headers]
        assert "transfer-encoding" not in names
        assert int(rec.http_headers.get_header("Content-Length")) == len(rec.raw_payload)


def test_gzip_response_is_stored_compressed(crawled, records):
    _, server, _ = crawled
    page = responses(records)["news/2026/01/05/harbour-bridge.html"]
    assert page.http_headers.get_header("Content-Encoding") == "gzip"
    assert page.raw_payload[:2] == b"\x1f\x8b"
    served = (TEST_SITE / "news/2026/01/05/harbour-bridge.html").read_bytes()
    served = served.replace(b"{{BASE}}", server.base_url.encode())
    assert gzip.decompress(page.raw_payload) == served


def test_robots_feeds_sitemaps_redirects_and_errors_are_archived(records):
    paths = set(responses(records))
    assert {
        "robots.txt",
        "feed.xml",
        "atom.xml",
        "sitemap.xml",
        "sitemap-pages.xml",
        "news-sitemap.xml",
        "old-school-story",
        "missing.html",
    } <= paths
    assert {p.lstrip("/") for p in ARTICLE_PATHS} <= {p.split("?")[0] for p in paths}


def test_robots_disallowed_path_is_never_fetched(crawled, records):
    _, server, _ = crawled
    assert not [p for p in server.requested if p.startswith("/private/")]
    assert not [r for r in records if r.uri and "/private/" in r.uri]


def test_robots_txt_is_fetched_once_and_its_sitemaps_read(crawled, records):
    _, server, _ = crawled
    assert server.requested.count("/robots.txt") == 1
    assert [r.uri for r in records if r.type == "response"].count(server.url("/robots.txt")) == 1
    assert "/sitemap.xml" in server.requested  # named only in robots.txt


def test_tracking_parameters_do_not_cause_refetches(crawled):
    _, server, _ = crawled
    fetched = [p.split("?")[0] for p in server.requested]
    assert fetched.count("/news/2026/01/05/harbour-bridge.html") == 1


def test_article_json_only_for_article_pages(crawled):
    out, _, _ = crawled
    docs = articles(out)
    assert {d["canonical_url"].split("/", 3)[3] for d in docs} == {
        p.lstrip("/") for p in ARTICLE_PATHS
    }
    for doc in docs:
        path = out / "articles" / doc["site"] / "2026" / "01" / f"{doc['id']}.json"
        assert path.exists()
        assert doc["title"] and doc["body"] and doc["word_count"] > 10
        assert "SHARE THIS ARTICLE" not in doc["body"]
    feed_only = next(d for d in docs if "feed-only" in d["url"])
    assert "utm_source" in feed_only["url"] and "utm_source" not in feed_only["canonical_url"]


def test_pages_sharing_a_canonical_url_give_one_article(crawled):
    out, server, _ = crawled
    assert "/print/2026/01/05/harbour-bridge.html" in server.requested
    docs = [d for d in articles(out) if d["canonical_url"].endswith("harbour-bridge.html")]
    assert len(docs) == 1


def test_capture_pointer_reads_back_the_raw_response(crawled):
    out, _, _ = crawled
    for doc in articles(out):
        capture = doc["capture"]
        with record_at(out / "warc" / capture["warc_file"], capture["warc_offset"]) as record:
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == doc["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == capture["payload_digest"]
            assert record.rec_headers.get_header("WARC-Date") == capture["fetched_at"]
            assert record.http_headers.get_statuscode() == str(capture["status"])
            assert doc["title"].encode() in record.content_stream().read()
        with open(out / "warc" / capture["warc_file"], "rb") as stream:
            stream.seek(capture["warc_offset"])
            member = stream.read(capture["warc_length"])
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")


def test_articles_are_also_conversion_records(crawled, records):
    out, _, _ = crawled
    by_id = {r.id: r for r in records}
    conversions = [r for r in records if r.type == "conversion"]
    assert len(conversions) == len(articles(out))
    for conversion in conversions:
        original = by_id[conversion.headers["WARC-Refers-To"]]
        assert original.type == "response" and original.uri == conversion.uri
        assert conversion.headers["Content-Type"] == "application/json"


def test_summary_reports_pages_articles_and_warc(crawled):
    _, _, result = crawled
    assert f"articles      : {len(ARTICLE_PATHS)}" in result.stdout
    assert re.search(r"WARC files\s+: 1 \(\d", result.stdout)
    assert re.search(r"pages fetched : \d+", result.stdout)


def test_rotation_gives_several_valid_files(test_site, tmp_path: Path):
    result = crawl(test_site.url("/"), tmp_path, "-s", "WARC_MAX_SIZE=4000")
    assert result.returncode == 0, result.stderr[-2000:]
    files = warc_files(tmp_path)
    assert len(files) >= 3
    assert len({f.name.split("-")[2] for f in files}) == len(files)  # distinct serials
    for path in files:
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(path)],
            capture_output=True,
            check=False,
        )
        assert check.returncode == 0
    records = all_records(tmp_path)
    assert [r.type for r in records].count("warcinfo") == len(files)
    assert not list((tmp_path / "warc").glob("*.open"))
    for doc in articles(tmp_path):  # pointers stay right across files
        with record_at(
            tmp_path / "warc" / doc["capture"]["warc_file"], doc["capture"]["warc_offset"]
        ) as record:
            assert record.rec_headers.get_header("WARC-Target-URI") == doc["url"]


def test_second_crawl_adds_and_never_overwrites(test_site, tmp_path: Path):
    assert crawl(test_site.url("/"), tmp_path).returncode == 0
    first = archived_files(tmp_path)
    assert crawl(test_site.url("/"), tmp_path).returncode == 0
    for path, content in first.items():
        assert path.read_bytes() == content, f"{path} changed"
    assert len(warc_files(tmp_path)) == 2
    # Nothing changed on the site: no article is fetched or written again.
    json_files = list((tmp_path / "articles").rglob("*.json"))
    assert len(json_files) == len(ARTICLE_PATHS)
    assert {d["version"] for d in articles(tmp_path)} == {1}
