"""A local news site that serves the worst of the web next to three ordinary articles.

Every hostile page is made on the fly (bombs are streamed, never held decompressed), so the
server costs the tests little memory. The home page links to all of them; robots.txt names a
sitemap bomb and a good sitemap; the good feed lists the control articles.
"""

from __future__ import annotations

import random
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CONTROL = ("/news/2026/03/01/harbour.html", "/news/2026/03/02/ferry.html",
           "/news/2026/03/03/school.html")  # fmt: skip
PROSE = (
    "The harbour board met on Tuesday evening to hear from residents about the plan. "
    "Officials said a final decision would follow a public consultation at the end of the "
    "month, and the council leader promised that every objection would be read in full. "
)


def article(title: str, paragraphs: int = 6, head: str = "") -> bytes:
    body = "".join(f"<p>{PROSE}</p>" for _ in range(paragraphs))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article">{head}</head><body><article>'
        f"<h1>{title}</h1><p class=byline>By Ada Writer</p>{body}</article></body></html>"
    ).encode()


def _zeros_gzip(decompressed: int) -> bytes:
    """gzip of `decompressed` zero bytes, built chunk by chunk (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = []
    for _ in range(decompressed // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts)


class HostileSite:
    """What the handler serves, by path: (status, headers, body or a body iterator)."""

    def __init__(self, base: str, *, bomb_bytes: int = 2 << 30, big_page: int = 12 << 20) -> None:
        rng = random.Random(9)
        bomb = _zeros_gzip(bomb_bytes)
        self.routes: dict[str, tuple[int, list[tuple[str, str]], Any]] = {}
        html = [("Content-Type", "text/html; charset=utf-8")]
        xml = [("Content-Type", "application/xml")]
        links = [*CONTROL, "/deep.html", "/headers.html", "/loop", "/js.html",
                 "/arabic.html", "/bomb.html", "/big.html", "/nul.html", "/random.html",
                 "/busy.html"]  # fmt: skip
        home = "".join(f'<a href="{p}">{p}</a> ' for p in links)
        self.routes["/"] = (200, html, f"<html><body>{home}</body></html>".encode())
        self.routes["/robots.txt"] = (
            200,
            [("Content-Type", "text/plain")],
            f"User-agent: *\nSitemap: {base}/sitemap.xml\nSitemap: {base}/bomb-sitemap.xml.gz\n"
            .encode(),
        )
        urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in CONTROL)
        self.routes["/sitemap.xml"] = (
            200, xml,
            ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
             '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
             '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<url><loc>&xxe;</loc></url><url><loc>&c;</loc></url>{urls}</urlset>").encode(),
        )  # fmt: skip
        self.routes["/bomb-sitemap.xml.gz"] = (200, [("Content-Type", "application/x-gzip")], bomb)
        for number, path in enumerate(CONTROL):
            self.routes[path] = (200, html, article(f"Control story {number}"))
        self.routes["/deep.html"] = (200, html, b"<div>" * 100_000 + article("Deep story"))
        self.routes["/headers.html"] = (
            200, html + [(f"X-Filler-{n}", "x" * 20) for n in range(2000)], article("Headers"),
        )  # fmt: skip
        self.routes["/loop"] = (302, [("Location", f"{base}/loop2")], b"")
        self.routes["/loop2"] = (302, [("Location", f"{base}/loop")], b"")
        self.routes["/js.html"] = (
            200, html,
            b'<html><body><a href="javascript:alert(1)">x</a><a href="data:text/html,hi">y</a>'
            b"</body></html>",
        )  # fmt: skip
        sentence = "هذا خبر عن الميناء والمجلس البلدي. "  # an Arabic sentence, no charset given
        arabic = (
            "<html><head><title>خبر</title></head><body><article>"
            f"<p>{sentence * 40}</p></article></body></html>"
        )
        self.routes["/arabic.html"] = (
            200, [("Content-Type", "text/html")], arabic.encode("windows-1256"),
        )  # fmt: skip
        self.routes["/bomb.html"] = (
            200, [*html, ("Content-Encoding", "gzip")], bomb,
        )  # fmt: skip
        filler = article("Big story", paragraphs=20)
        self.routes["/big.html"] = (200, html, filler + b" " * big_page)
        self.routes["/nul.html"] = (200, html, (b" \x00\n" * ((10 << 20) // 3)))
        self.routes["/random.html"] = (200, html, rng.randbytes(200_000))
        self.routes["/busy.html"] = (503, [*html, ("Retry-After", "1")], b"busy")
        self.requests: list[str] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.requests.append(self.path)
        route = site.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = route
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        view = memoryview(body)
        try:
            for start in range(0, len(view), 1 << 16):
                self.wfile.write(view[start : start + (1 << 16)])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler stopped reading: that is the point

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: HostileSite


def serve() -> Iterator[tuple[str, HostileSite]]:
    """Start the site on a free port of 127.0.0.1; yields (base URL, site)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.site = HostileSite(base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, server.site
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["CONTROL", "HostileSite", "article", "serve"]
