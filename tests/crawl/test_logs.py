"""Logs a person can read: one bounded line per problem, naming the URL, never a page body.

A 10 MB page of whitespace and NULs used to give one log line of 22.5 MB (the dropped item's
repr, page included); a redirect loop was cut at REDIRECT_MAX_TIMES with DEBUG lines only.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from subprocess import CompletedProcess

import pytest

from crawler.items import ArticlePage
from crawler.logformatter import ReadableLogFormatter, clip
from tests.support import crawl

NUL_PAGE = "/news/2026/03/04/whitespace-and-nuls.html"
DEEP_PAGE = "/news/2026/03/05/deep.html"
ARTICLE_PAGE = "/news/2026/03/01/harbour-dredging.html"
PROSE = "<p>The harbour board approved the dredging plan after a long public debate.</p>" * 12


def _nul_page() -> bytes:
    rnd = random.Random(9)
    return bytes(rnd.choice(b" \t\r\n\x00\x00") for _ in range(10_000_000))


class _Handler(BaseHTTPRequestHandler):
    nul_page = b""

    def do_GET(self) -> None:
        if self.path == "/":
            links = "".join(
                f'<a href="{p}">{p}</a> '
                for p in (NUL_PAGE, DEEP_PAGE, ARTICLE_PAGE, "/loop/0", "/chain/0")
            )
            self._send(200, f"<html><body>{links}</body></html>".encode())
        elif self.path.startswith("/loop/"):
            n = int(self.path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": f"/loop/{(n + 1) % 3}"})
        elif self.path.startswith("/chain/"):  # never ends: cut at REDIRECT_MAX_TIMES
            n = int(self.path.rsplit("/", 1)[1])
            self._send(301, b"", {"Location": f"/chain/{n + 1}"})
        elif self.path == NUL_PAGE:
            self._send(200, self.nul_page)
        elif self.path == DEEP_PAGE:
            deep = "<div>" * 100_000 + "deep" + "</div>" * 100_000
            self._send(200, f"<html><body>{deep}</body></html>".encode())
        elif self.path == ARTICLE_PAGE:
            page = f"<html><head><title>Harbour dredging</title></head><body><article>{PROSE}"
            self._send(200, (page + "</article></body></html>").encode())
        else:
            self._send(404, b"")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    _Handler.nul_page = _nul_page()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def result(site: str, tmp_path_factory: pytest.TempPathFactory) -> CompletedProcess[str]:
    out = tmp_path_factory.mktemp("logs")
    done = crawl(f"{site}/", out, "-s", "EXTRACTION_WORKERS=0")
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def stderr(result: CompletedProcess[str]) -> str:
    return result.stderr


def test_every_line_is_short(stderr: str) -> None:
    longest = max(stderr.splitlines(), key=len)
    assert len(longest) < 1_000, longest[:300]


def test_the_nul_page_is_named(site: str, stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if NUL_PAGE in line]
    assert lines, stderr[-3000:]
    assert any(" INFO: " in line or " WARNING: " in line for line in lines), lines


def test_redirect_limit_at_info(site: str, stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if "redirect limit reached" in line]
    assert len(lines) == 1, stderr[-3000:]
    assert " INFO: " in lines[0] and f"at {site}/chain/20:" in lines[0]
    assert lines[0].endswith(f"from {site}/chain/0")


def test_redirect_loop_at_info(site: str, stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if "redirect loop" in line]
    assert len(lines) == 1, stderr[-3000:]
    assert " INFO: " in lines[0] and f"{site}/loop/2 redirects back to {site}/loop/0" in lines[0]


def test_the_control_article_is_still_extracted(result: CompletedProcess[str]) -> None:
    assert "articles      : 1 " in result.stdout, result.stdout


def test_formatter_never_logs_the_item() -> None:
    body = b"\x00 " * 1_000_000
    item = ArticlePage("https://news.example/a", body, None, "x", None, None)  # type: ignore[arg-type]
    formatter = ReadableLogFormatter()

    class Drop(Exception):
        log_level = "WARNING"

    for result in (
        formatter.dropped(item, Drop("x" * 10_000), None, None),  # type: ignore[arg-type]
        formatter.scraped({"url": "https://news.example/a", "body": "b" * 10_000}, None, None),  # type: ignore[arg-type]
        formatter.item_error(item, ValueError("\n" * 5000), None, None),  # type: ignore[arg-type]
    ):
        line = result["msg"] % result["args"]
        assert "https://news.example/a" in line
        assert len(line) < 1_000 and "\n" not in line


def test_clip() -> None:
    assert clip("short") == "short"
    assert clip("a\nb\x00") == "a\\nb\\x00"
    assert len(clip("x" * 10_000)) == 300 and clip("x" * 10_000).endswith("…")
