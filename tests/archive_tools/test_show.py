"""`newsarchive show`: an article by id, prefix or URL; its raw response from the WARC."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.catalog import catalog_path
from archive.catalog.rebuild import rebuild
from archive.layout import ArticleStore
from archive.warc.capture import Capture, write_exchange
from archive.warc.records import (
    IDENTICAL_PAYLOAD_DIGEST,
    SERVER_NOT_MODIFIED,
    HttpExchange,
    Original,
)
from archive.warc.writer import RotatingWarcWriter
from crawler.urls import strip_tracking
from tests.support import TEST_SITE, articles


def show(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "show", *map(str, args)],
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def archive(site_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the crawl this module may add files to."""
    copy = tmp_path_factory.mktemp("show") / "data"
    shutil.copytree(site_archive, copy)
    return copy


@pytest.fixture(scope="module")
def docs(archive: Path) -> dict[str, dict]:
    return {Path(d["url"]).name.split("?")[0]: d for d in articles(archive)}


def test_show_by_id_prints_the_stored_article(archive, docs):
    doc = docs["harbour-bridge.html"]
    result = show(doc["id"], "--dir", archive)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == doc


def test_show_by_unique_prefix(archive, docs):
    doc = docs["school-roof.html"]
    result = show(doc["id"][:6], "--dir", archive)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == doc["id"]


def test_unknown_id_and_bad_input_are_clear_errors(archive):
    result = show("0123456789abcdef", "--dir", archive)
    assert result.returncode == 1
    assert b"no article with id 0123456789abcdef" in result.stderr
    assert show("not-an-id", "--dir", archive).returncode == 1
    missing = show("abc", "--dir", archive / "nowhere")
    assert missing.returncode == 2 and b"not a directory" in missing.stderr


def test_ambiguous_prefix_lists_the_candidates(archive, docs):
    doc = docs["sitemap-only.html"]
    other = "1" if doc["id"][4] == "0" else "0"  # the two ids part at the fifth character
    twin = {**doc, "id": doc["id"][:4] + other * 12}
    path = next((archive / "articles").rglob(f"{doc['id']}.json")).with_name(f"{twin['id']}.json")
    path.write_text(json.dumps(twin), "utf-8")
    try:
        result = show(doc["id"][:4], "--dir", archive)
        assert result.returncode == 1
        assert b"matches 2 articles" in result.stderr
        assert doc["id"].encode() in result.stderr and twin["id"].encode() in result.stderr
        assert show(doc["id"][:5], "--dir", archive).returncode == 0
    finally:
        path.unlink()


def test_show_by_canonical_url_and_by_tracking_url(archive, docs):
    doc = docs["feed-only.html"]
    assert "utm_source" in doc["url"]
    for url in (doc["canonical_url"], doc["url"]):
        result = show(url, "--dir", archive)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["id"] == doc["id"]


def test_latest_capture_wins(archive, docs):
    doc = docs["harbour-bridge.html"]
    first = next((archive / "articles").rglob(f"{doc['id']}.json"))
    later = {**doc, "title": "Harbour bridge: later capture"}
    later["capture"] = {**doc["capture"], "fetched_at": "2099-01-01T00:00:00.000000Z"}
    later_path = first.with_name(f"{doc['id']}.20990101000000.json")
    later_path.write_text(json.dumps(later, indent=2), "utf-8")
    try:
        for target in (doc["id"], doc["canonical_url"]):
            result = show(target, "--dir", archive)
            assert json.loads(result.stdout)["title"] == "Harbour bridge: later capture"
    finally:
        later_path.unlink()


def test_raw_prints_the_archived_response_as_stored(archive, docs):
    doc = docs["harbour-bridge.html"]
    result = show(doc["id"], "--raw", "--dir", archive)
    assert result.returncode == 0, result.stderr
    head, body = result.stdout.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert b"Content-Encoding: gzip" in lines
    assert f"Content-Length: {len(body)}".encode() in lines
    served = (TEST_SITE / "news/2026/01/05/harbour-bridge.html").read_bytes()
    port = doc["url"].split(":")[2].split("/")[0]
    served = served.replace(b"{{BASE}}", f"http://127.0.0.1:{port}".encode())
    assert gzip.decompress(body) == served


def test_raw_decode_gives_the_page(archive, docs):
    doc = docs["harbour-bridge.html"]
    result = show(doc["canonical_url"], "--raw", "--decode", "--dir", archive)
    assert result.returncode == 0, result.stderr
    body = result.stdout.split(b"\r\n\r\n", 1)[1]
    assert body.startswith(b"<!DOCTYPE html>")
    assert doc["title"].encode() in body


def _base(docs) -> str:
    return docs["harbour-bridge.html"]["url"].split("/news/")[0]


def test_raw_of_a_page_with_no_article_via_index_and_via_scan(archive, docs):
    url = _base(docs) + "/missing.html"
    index = archive / "index.cdxj"
    index.unlink(missing_ok=True)
    scanned = show(url, "--raw", "--decode", "--dir", archive)
    assert scanned.returncode == 0, scanned.stderr
    assert scanned.stdout.startswith(b"HTTP/1.1 404 Not Found\r\n")
    built = subprocess.run(
        [sys.executable, "-m", "crawler", "index", str(archive)], capture_output=True, check=False
    )
    assert built.returncode == 0
    via_index = show(url, "--raw", "--decode", "--dir", archive)
    assert via_index.stdout == scanned.stdout
    # An up-to-date index is what is read: one without the page does not find it ...
    index.write_text("", "utf-8")
    assert show(url, "--raw", "--dir", archive).returncode == 1
    # ... and one older than a WARC is not trusted: the WARCs are read instead.
    os.utime(index, (1, 1))
    stale = show(url, "--raw", "--decode", "--dir", archive)
    assert stale.stdout == scanned.stdout
    index.unlink()


def test_redirect_is_shown_raw_with_its_location(archive, docs):
    result = show(_base(docs) + "/old-school-story", "--raw", "--dir", archive)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"HTTP/1.1 301 Moved Permanently\r\n")
    assert b"/news/2026/01/06/school-roof.html" in result.stdout


def test_captured_page_without_article_suggests_raw(archive, docs):
    result = show(_base(docs) + "/robots.txt", "--dir", archive)
    assert result.returncode == 1
    assert b"gave no article; add --raw" in result.stderr


def test_url_not_in_the_archive(archive, docs):
    result = show(_base(docs) + "/never-fetched.html", "--raw", "--dir", archive)
    assert result.returncode == 1
    assert b"is not in the archive" in result.stderr


def test_articles_whose_warcs_live_elsewhere(archive, docs, tmp_path):
    """A replay writes articles that point into the source WARCs: --warc-dir finds them."""
    shutil.copytree(archive / "articles", tmp_path / "articles")
    doc = docs["school-roof.html"]
    lost = show(doc["id"], "--raw", "--dir", tmp_path)
    assert lost.returncode == 1 and b"--warc-dir" in lost.stderr
    found = show(doc["id"], "--raw", "--dir", tmp_path, "--warc-dir", archive / "warc")
    assert found.returncode == 0 and found.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    robots = show(_base(docs) + "/robots.txt", "--raw", "--dir", tmp_path,
                  "--warc-dir", archive / "warc")
    assert robots.returncode == 0 and robots.stdout.startswith(b"HTTP/1.1 200 OK\r\n")


def test_output_into_a_closed_pipe_is_not_an_error(archive, docs):
    result = subprocess.run(
        f"{sys.executable} -m crawler show {docs['harbour-bridge.html']['id']} --dir {archive}"
        " --raw --decode | head -c 10",
        shell=True, capture_output=True, check=False,
    )
    assert result.stdout == b"HTTP/1.1 2" and b"Traceback" not in result.stderr


def test_the_highest_version_wins(archive, docs):
    """Files of one article are ordered by `version` first: a version 2 is shown even when
    a version-1 file has a later capture time (capture time decides only without versions)."""
    doc = docs["school-roof.html"]
    first = next((archive / "articles").rglob(f"{doc['id']}.json"))
    written = []
    try:
        for version, title, when in ((2, "second", "2099-01-01"), (1, "late one", "2099-06-01")):
            later = {**doc, "version": version, "title": f"School roof: {title}"}
            later["capture"] = {**doc["capture"], "fetched_at": f"{when}T00:00:00.000000Z"}
            path = first.with_name(f"{doc['id']}.{when.replace('-', '')}000000.json")
            path.write_text(json.dumps(later, indent=2), "utf-8")
            written.append(path)
        for target in (doc["id"], doc["canonical_url"]):
            result = show(target, "--dir", archive)
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["title"] == "School roof: second"
    finally:
        for path in written:
            path.unlink()


# -- revisit records -----------------------------------------------------------------------

PAGE = b"<!DOCTYPE html><html><body><p>The harbour bridge reopens.</p></body></html>"


def _exchange(status: int, body: bytes, when: datetime, etag: str) -> HttpExchange:
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("ETag", etag)]
    return HttpExchange(
        url="http://example.test/news/bridge.html",
        method="GET",
        request_headers=[("Host", "example.test")],
        request_body=b"",
        status=status,
        reason="OK" if status == 200 else "Not Modified",
        response_headers=headers if status == 200 else headers[2:],
        response_body=body,
        started_at=when,
    )


def revisited_archive(out: Path, profile: str) -> tuple[Capture, Capture]:
    """A response, then a revisit of it (a 304, or a 200 with the same payload), and an
    article whose capture is the revisit, as an incremental crawl writes them."""
    body = gzip.compress(PAGE, mtime=0)
    first_at = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
    with RotatingWarcWriter(out / "warc", prefix="t", hostname="h") as writer:
        original = write_exchange(writer, _exchange(200, body, first_at, '"v1"'))
        again = _exchange(304 if profile == SERVER_NOT_MODIFIED else 200, b"", first_at, '"v2"')
        if profile == IDENTICAL_PAYLOAD_DIGEST:
            again = dataclasses.replace(again, response_body=body)
        again = dataclasses.replace(again, started_at=datetime(2026, 2, 1, tzinfo=UTC))
        revisit = write_exchange(
            writer,
            again,
            revisit_of=Original(
                original.warc_record_id, again.url, original.fetched_at, original.payload_digest
            ),
            revisit_profile=profile,
        )
    ArticleStore(out).write(
        {
            "id": "00000000000000ab",
            "url": again.url,
            "canonical_url": again.url,
            "site": "example",
            "version": 1,
            "title": "Bridge",
            "capture": revisit.to_dict(),
        }
    )
    return original, revisit


@pytest.mark.parametrize("profile", [SERVER_NOT_MODIFIED, IDENTICAL_PAYLOAD_DIGEST])
@pytest.mark.parametrize("how", ["catalog", "index", "scan"])
def test_raw_of_a_revisit_prints_the_original_payload(tmp_path, profile, how):
    out = tmp_path / "data"
    original, revisit = revisited_archive(out, profile)
    if how == "catalog":
        rebuild(out, catalog_path(out), url_key=strip_tracking)
    elif how == "index":
        subprocess.run([sys.executable, "-m", "crawler", "index", str(out)], check=True)
    for target in ("00000000000000ab", "http://example.test/news/bridge.html"):
        result = show(target, "--raw", "--decode", "--dir", out)
        assert result.returncode == 0, result.stderr
        head, body = result.stdout.split(b"\r\n\r\n", 1)
        assert body == PAGE
        # The status line and headers: a 304's say nothing of the payload, so the
        # original's are shown; an identical payload fetched again keeps its own.
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Content-Encoding: gzip" in head
        etag = b'"v2"' if profile == IDENTICAL_PAYLOAD_DIGEST else b'"v1"'
        assert b"ETag: " + etag in head
        assert b"a revisit record" in result.stderr
        assert original.fetched_at.encode() in result.stderr
    raw = show("00000000000000ab", "--raw", "--dir", out)
    assert raw.stdout.split(b"\r\n\r\n", 1)[1] == gzip.compress(PAGE, mtime=0)
    assert revisit.warc_record_id != original.warc_record_id


def test_raw_of_a_revisit_whose_original_is_gone(tmp_path):
    out = tmp_path / "data"
    _, revisit = revisited_archive(out, SERVER_NOT_MODIFIED)
    warc = out / "warc" / revisit.warc_file
    data = warc.read_bytes()
    warc.write_bytes(data[revisit.warc_offset :])  # the original's record cut away
    # The article's offset pointed past the cut: the revisit is at 0 now.
    path = next((out / "articles").rglob("*.json"))
    doc = json.loads(path.read_text("utf-8"))
    doc["capture"]["warc_offset"] = 0
    path.write_text(json.dumps(doc), "utf-8")
    result = show("00000000000000ab", "--raw", "--dir", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"HTTP/1.1 304 Not Modified\r\n")
    assert result.stdout.endswith(b"\r\n\r\n")
    assert b"not in the archive, so there is no body to show" in result.stderr
