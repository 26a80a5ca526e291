"""Politeness under errors: Retry-After on 429/503 is waited for (up to RETRY_AFTER_MAX), and a
host that keeps answering 5xx gets more and more time between requests.

Each test serves a scripted sequence of answers from a tiny `http.server` on 127.0.0.1 and
crawls it in a subprocess; the gaps are measured with `time.monotonic` between the requests the
server received.
"""

from __future__ import annotations

import email.utils
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.middlewares.retry import parse_retry_after
from tests.support import crawl

ARTICLE = (
    b"<html><head><title>Harbour dredging approved</title></head><body><article>"
    b"<h1>Harbour dredging approved</h1>"
    + b"<p>The harbour authority approved the dredging plan after a long debate.</p>" * 20
    + b"</article></body></html>"
)

# An answer: status, headers. A callable gives the headers at the time of the request.
Answer = tuple[int, dict[str, str] | Callable[[], dict[str, str]]]


@dataclass
class ScriptedServer:
    """Answers `path` with `script` in order (the last answer repeats), `pages` with their
    HTML, anything else 404; `times` and `seen` are when the requests came."""

    path: str
    script: list[Answer]
    pages: dict[str, bytes] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    seen: list[tuple[str, float]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(
        path: str, script: list[Answer], pages: dict[str, bytes] | None = None
    ) -> ScriptedServer:
        state = ScriptedServer(path, script, pages or {})
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    state.seen.append((self.path, time.monotonic()))
                if self.path in state.pages:
                    page = state.pages[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                if self.path != state.path:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with lock:
                    state.times.append(time.monotonic())
                    status, headers = state.script[min(len(state.times), len(state.script)) - 1]
                body = ARTICLE if status == 200 else b"<html><body>unavailable</body></html>"
                self.send_response(status)
                for name, value in (headers() if callable(headers) else headers).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        state.server = server
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(b"120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    for bad in (None, b"", b"soon", b"-5", b"1.5", b"Mon, 99 Foo 2024 12:00:00 GMT"):
        assert parse_retry_after(bad) is None


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_seconds_is_waited_for(scripted, tmp_path: Path, status: int) -> None:
    server = scripted("/story", [(status, {"Retry-After": "2"}), (200, {})])
    result = crawl(server.url(), tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(server.times) == 2
    assert _gaps(server.times)[0] >= 2.0
    assert "with Retry-After" in result.stderr


def test_retry_after_http_date_is_waited_for(scripted, tmp_path: Path) -> None:
    # Three seconds ahead, to the whole second an HTTP date has: at least two seconds' wait.
    def later() -> dict[str, str]:
        return {"Retry-After": email.utils.formatdate(time.time() + 3, usegmt=True)}

    server = scripted("/story", [(503, later), (200, {})])
    result = crawl(server.url(), tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(server.times) == 2
    assert _gaps(server.times)[0] >= 1.9


def test_retry_after_over_the_cap_is_given_up(scripted, tmp_path: Path) -> None:
    server = scripted("/story", [(503, {"Retry-After": "100000"}), (200, {})])
    started = time.monotonic()
    result = crawl(server.url(), tmp_path / "out", "-s", "RETRY_AFTER_MAX=30")
    assert time.monotonic() - started < 25  # the crawl did not wait 30 s, let alone 100,000
    assert len(server.times) == 1
    warnings = [line for line in result.stderr.splitlines() if "RETRY_AFTER_MAX" in line]
    assert len(warnings) == 1, result.stderr[-2000:]
    assert "WARNING" in warnings[0] and server.url() in warnings[0]


@pytest.mark.alone  # gaps of 0.25 s to 2 s compared: a busy CPU next door decides
def test_repeated_server_errors_slow_the_host_down(scripted, tmp_path: Path) -> None:
    server = scripted("/story", [(500, {})])
    result = crawl(
        server.url(),
        tmp_path / "out",
        *("-s", "RETRY_TIMES=4", "-s", "RETRY_BACKOFF_BASE=0.25", "-s", "RETRY_BACKOFF_MAX=5"),
        *("-s", "DOWNLOAD_DELAY_JITTER=0"),  # Scrapy's ±50% on a slot's delay: exact gaps
    )
    assert len(server.times) == 5, result.stderr[-2000:]
    gaps = _gaps(server.times)
    # 0.25, 0.5, 1, 2 s: each gap longer than the last.
    assert gaps[0] >= 0.2
    assert all(b > 1.5 * a for a, b in itertools.pairwise(gaps)), gaps
    assert "server errors in a row" in result.stderr


def test_the_crawl_goes_on_while_a_retry_waits(scripted, tmp_path: Path) -> None:
    """The wait is a reactor timer, not a sleep: other pages are fetched meanwhile."""

    def links(*paths: str) -> bytes:
        return "".join(f'<p><a href="{p}">{p}</a></p>' for p in paths).encode()

    pages = {"/": links("/story", "/a"), "/a": links("/b"), "/b": links("/c"), "/c": b"<p>c</p>"}
    server = scripted("/story", [(503, {"Retry-After": "3"}), (200, {})], pages)
    result = crawl(server.url().removesuffix("/story") + "/", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(server.times) == 2
    c_fetched = next(t for path, t in server.seen if path == "/c")
    assert server.times[0] < c_fetched < server.times[1]
