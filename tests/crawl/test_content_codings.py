"""br, zstd, gzip and deflate pages decode in a real crawl, in the environment `make test`
builds (the `[test]` extra, pywb and its brotlipy included), and Accept-Encoding lists exactly
the codings that decode (crawler/extensions/contentcodings.py)."""

from __future__ import annotations

import gzip
import importlib.metadata
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import brotlicffi
import pytest

from archive.replay.codings import zstd
from archive.replay.source import decoded_body
from archive.warc.reader import record_at
from tests.replay.helpers import article_html
from tests.support import crawl

CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "br": brotlicffi.compress,
    "zstd": zstd.compress if zstd is not None else (lambda data: data),
    "gzip": gzip.compress,
    "deflate": zlib.compress,
}
TITLES = {coding: f"Harbour bridge story served with {coding}" for coding in CODINGS}


class _Handler(BaseHTTPRequestHandler):
    seen_accept_encoding: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.seen_accept_encoding.append(self.headers.get("Accept-Encoding", ""))
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if self.path == "/":
            links = "".join(f'<a href="/news/2026/01/05/{c}.html">{c}</a>' for c in CODINGS)
            body = f"<html><head><title>Front</title></head><body>{links}</body></html>".encode()
        elif self.path.startswith("/news/2026/01/05/") and self.path.endswith(".html"):
            coding = self.path.rsplit("/", 1)[1].removesuffix(".html")
            if coding not in CODINGS:
                self.send_error(404)
                return
            body = CODINGS[coding](article_html(TITLES[coding]))
            headers.append(("Content-Encoding", coding))
        else:
            self.send_error(404)
            return
        self.send_response(200)
        for name, value in [*headers, ("Content-Length", str(len(body)))]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.seen_accept_encoding = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_every_coding_is_decoded_and_exactly_those_are_advertised(server: str, tmp_path: Path):
    result = crawl(server, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    documents = [json.loads(p.read_text("utf-8")) for p in (tmp_path / "articles").rglob("*.json")]
    assert sorted(doc["title"] for doc in documents) == sorted(TITLES.values())
    for doc in documents:
        assert "six weeks of repairs" in doc["body"]
    advertised = set(_Handler.seen_accept_encoding)
    assert advertised == {"gzip, deflate, br, zstd"}, advertised
    assert "has no attribute 'process'" not in result.stderr
    for doc in documents:  # the README's way back from an article to its page
        capture = doc["capture"]
        with record_at(tmp_path / "warc" / capture["warc_file"], capture["warc_offset"]) as record:
            assert record.http_headers.get_header("Content-Encoding") in CODINGS
            html = decoded_body(record).decode("utf-8")
        assert "six weeks of repairs" in html and doc["title"] in html


def test_dependencies_name_what_decodes_br_and_zstd():
    requires = importlib.metadata.requires("newsarchive") or []
    core = [r for r in requires if "extra ==" not in r]
    assert any(r.startswith("brotlicffi") for r in core), core
    assert any(r.startswith("backports-zstd") and "python_version < \"3.14\"" in r
               for r in core), core


def test_the_brotli_modules_installed_are_the_ones_the_crawl_and_replay_call():
    """With the test extra, `import brotli` is pywb's brotlipy; the crawl and replay use a
    module with Google's streaming API, and warcio (pywb's replay) keeps brotlipy's."""
    import brotli
    from scrapy.utils import _compression

    from archive.replay.codings import streaming_brotli
    from crawler.extensions.contentcodings import install

    module = streaming_brotli()
    assert module is not None and hasattr(module.Decompressor(), "process")
    assert hasattr(brotli.Decompressor(), "decompress")  # what warcio calls
    assert b"br" in install()
    assert hasattr(_compression.brotli.Decompressor(), "process")
