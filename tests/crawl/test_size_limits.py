"""NEWSARCHIVE_MAX_BODY: a page over it is archived truncated, bombs stay bombs on the wire.

A page larger than the limit is archived with `WARC-Truncated: length` and gets no article;
a gzip bomb (page or robots.txt sitemap) is decompressed only as far as the limit, so the
crawl's memory stays flat, and the site's other articles are still found.
"""

from __future__ import annotations

import base64
import random
import re
import resource
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import SiteServer
from tests.support import all_records, articles, crawl, newsarchive, warc_files

MEMORY_CEILING = 400 * 1024 * 1024  # bytes of peak RSS for a crawl meeting a bomb


def _article(title: str, path: str, filler: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Test Daily</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-01-05T08:00:00+00:00">
<link rel="canonical" href="{{{{BASE}}}}{path}">
</head><body>
<article>
<h1>{title}</h1>
<p class="byline">By Ada Writer</p>
<p>The harbour bridge reopened to traffic on Monday after six weeks of repairs to its deck.</p>
<p>The council met on Tuesday evening and heard from residents who had waited months.</p>
<p>Officials said a final decision would follow after a public consultation next month.</p>
<p>Engineers replaced forty steel plates and resurfaced both lanes, working through the night
so that the ferry terminal could stay open for the morning commuters and delivery lorries.</p>
<p>Shop owners on the quay said trade had fallen by a third during the closure, and several
asked the council for help with their rates while the diversion sent visitors elsewhere.</p>
<p>The mayor thanked residents for their patience and promised a review of how future repairs
are planned, including an earlier warning and a shuttle bus across the water.</p>
{filler}
</article>
</body></html>
"""


def _write(site: Path, path: str, text: str) -> None:
    target = site / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")


def _gzip_bomb(gigabytes: float) -> bytes:
    """A gzip stream of `gigabytes` GB of zeros, about 1 MB per GB: one member made by
    streaming 100 MB of zeros through `zlib.compressobj`, repeated (a multi-member gzip file
    is one stream to every gunzip). The decompressed data is never held."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    member = b"".join(compressor.compress(zeros) for _ in range(100)) + compressor.flush()
    return member * round(gigabytes * 10)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_bomb(5)


class _BombServer(ThreadingHTTPServer):
    """Serves fixed bodies with fixed headers; anything else is a 404."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, tuple[list[tuple[str, str]], bytes]]) -> None:
        super().__init__(("127.0.0.1", 0), _BombHandler)
        self.routes = routes


class _BombHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _BombServer

    def do_GET(self) -> None:
        headers, body = self.server.routes.get(self.path, ([], b""))
        self.send_response(200 if body else 404)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), 1 << 16):
                self.wfile.write(body[start : start + (1 << 16)])
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bomb_server() -> Iterator[_BombServer]:
    server = _BombServer({})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _base(server: _BombServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def _warnings_naming(log: str, url: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line and url in line]


def _peak_rss_of_children() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux


def _assert_archive_valid(out: Path, *, newsarchive_check: bool = True) -> None:
    """warcio and `newsarchive check` accept the files. (`newsarchive_check=False` for a
    WARC holding a record over 1 MB decompressed: `archive.warc.stream.read_members` then
    yields the members after it twice, a bug of the reader, not of the file.)"""
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", *map(str, warc_files(out))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    if newsarchive_check:
        result = newsarchive("check", out)
        assert result.returncode == 0, result.stdout + result.stderr


def test_page_over_the_limit_is_archived_truncated(site_dir: Path, tmp_path: Path):
    # Random text: gzip on the wire keeps it over the limit, as a real big page would be.
    rng = random.Random(9)
    filler = "<p>" + base64.b64encode(rng.randbytes(2_300_000)).decode() + "</p>"
    huge, control = "/news/2026/01/06/huge.html", "/news/2026/01/05/control.html"
    _write(site_dir, huge, _article("A page too big to keep", huge, filler))
    _write(site_dir, control, _article("Harbour bridge reopens", control))
    _write(
        site_dir,
        "/index.html",
        f'<html><body><a href="{huge}">1</a> <a href="{control}">2</a></body></html>',
    )
    out = tmp_path / "out"
    with SiteServer(site_dir) as server:
        result = crawl(server.url("/"), out, "-s", "NEWSARCHIVE_MAX_BODY=1000000")
        huge_url = server.url(huge)
        page = (
            (site_dir / huge.lstrip("/"))
            .read_bytes()
            .replace(b"{{BASE}}", server.base_url.encode())
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(page) > 3_000_000

    (record,) = [r for r in all_records(out) if r.type == "response" and r.uri == huge_url]
    assert record.headers.get("WARC-Truncated") == "length"
    assert 1_000_000 < len(record.raw_payload) <= 1_000_000 + 65_536
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    kept = zlib.decompressobj(31).decompress(record.raw_payload)
    assert len(kept) > 900_000 and page.startswith(kept)
    _assert_archive_valid(out)

    titles = [a["title"] for a in articles(out)]
    assert titles == ["Harbour bridge reopens"]
    (line,) = _warnings_naming(result.stderr, huge_url)
    assert "archived truncated" in line
    assert "'newsarchive/truncated': 1" in result.stderr


def test_gzip_bomb_page_is_not_decompressed_past_the_limit(
    site_dir: Path, tmp_path: Path, bomb: bytes, bomb_server: _BombServer
):
    bomb_url = _base(bomb_server) + "/news/2026/01/06/bomb.html"
    bomb_server.routes["/news/2026/01/06/bomb.html"] = (
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
        bomb,
    )
    control = "/news/2026/01/05/control.html"
    _write(site_dir, control, _article("Harbour bridge reopens", control))
    _write(
        site_dir,
        "/index.html",
        f'<html><body><a href="{bomb_url}">1</a> <a href="{control}">2</a></body></html>',
    )
    out = tmp_path / "out"
    with SiteServer(site_dir) as server:
        result = crawl(server.url("/"), out)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _peak_rss_of_children() < MEMORY_CEILING

    (record,) = [r for r in all_records(out) if r.type == "response" and r.uri == bomb_url]
    assert record.raw_payload == bomb  # archived whole, as received: it was not too long
    assert "WARC-Truncated" not in record.headers
    _assert_archive_valid(out, newsarchive_check=False)
    assert [a["title"] for a in articles(out)] == ["Harbour bridge reopens"]
    (line,) = _warnings_naming(result.stderr, bomb_url)
    assert "DOWNLOAD_MAXSIZE" in line


def test_gzipped_sitemap_bomb_from_robots_txt(
    site_dir: Path, tmp_path: Path, bomb: bytes, bomb_server: _BombServer
):
    sitemap_bomb = _base(bomb_server) + "/sitemap-bomb.xml.gz"
    bomb_server.routes["/sitemap-bomb.xml.gz"] = ([("Content-Type", "application/gzip")], bomb)
    listed = "/news/2026/01/07/sitemap-only.html"
    _write(site_dir, listed, _article("Library extends opening hours", listed))
    _write(site_dir, "/index.html", "<html><body><p>Nothing linked here.</p></body></html>")
    _write(
        site_dir,
        "/sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{{{{BASE}}}}{listed}</loc></url></urlset>\n",
    )
    _write(
        site_dir,
        "/robots.txt",
        f"User-agent: *\nDisallow:\n\nSitemap: {sitemap_bomb}\nSitemap: {{{{BASE}}}}/sitemap.xml\n",
    )
    out = tmp_path / "out"
    with SiteServer(site_dir) as server:
        result = crawl(server.url("/"), out)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _peak_rss_of_children() < MEMORY_CEILING

    assert any(r.uri == sitemap_bomb for r in all_records(out) if r.type == "response")
    _assert_archive_valid(out, newsarchive_check=False)
    assert [a["title"] for a in articles(out)] == ["Library extends opening hours"]
    (line,) = _warnings_naming(result.stderr, sitemap_bomb)
    assert re.search(r"over NEWSARCHIVE_MAX_BODY \(10485760 bytes\)", line)
    assert "'newsarchive/bad_sitemaps': 1" in result.stderr
