"""The local site server that the demo and the crawl tests rely on behaves like a real server."""

from __future__ import annotations

import gzip
import http.client
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import DEMO_SITE_DIR, RoutesError, SiteServer
from crawler.demo.server import Routes, accepts_gzip

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Hello</title>
<link rel="canonical" href="{{BASE}}/index.html"></head>
<body><p>Caf\u00e9 on the harbour front.</p><a href="{{BASE}}/about/">About</a></body></html>
"""

ROUTES = """
[[redirect]]
path = "/old"
to = "/index.html"
status = 301

[[redirect]]
path = "/elsewhere"
to = "{{BASE}}/about/"
status = 302

[[headers]]
path = "/cookies.html"
set = [["Set-Cookie", "a=1; Path=/"], ["Set-Cookie", "b=2; Path=/"], ["X-Demo", "yes"]]

[[headers]]
path = "/plain.txt"
set = [["Content-Type", "text/plain; charset=iso-8859-1"]]

[[status]]
path = "/gone"
status = 410

[[status]]
path = "/teapot"
status = 418
body = "short and stout"
content_type = "text/plain"
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text("<p>About us</p>", encoding="utf-8")
    (tmp_path / "cookies.html").write_text("<p>cookies</p>", encoding="utf-8")
    (tmp_path / "plain.txt").write_text("plain", encoding="utf-8")
    (tmp_path / "feed.xml").write_text("<rss><link>{{BASE}}/</link></rss>", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n{{BASE}}")
    (tmp_path / "_routes.toml").write_text(ROUTES, encoding="utf-8")
    (tmp_path / "_private").mkdir()
    (tmp_path / "_private" / "secret.html").write_text("classified contents", encoding="utf-8")
    return tmp_path


@pytest.fixture
def server(site: Path) -> Iterator[SiteServer]:
    with SiteServer(site) as running:
        yield running


def connect(server: SiteServer) -> http.client.HTTPConnection:
    host, port = server.base_url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=5)


def fetch(
    server: SiteServer, path: str, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = connect(server)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_base_url_is_loopback_with_a_real_port(server: SiteServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert not server.base_url.endswith("/")
    assert int(server.base_url.rsplit(":", 1)[1]) > 0
    assert server.url("x.html") == server.base_url + "/x.html"


def test_base_placeholder_substituted_in_text_files(server: SiteServer, site: Path) -> None:
    response, body = fetch(server, "/index.html")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    expected = (site / "index.html").read_bytes().replace(b"{{BASE}}", server.base_url.encode())
    assert body == expected
    assert b"{{BASE}}" not in body
    _, feed = fetch(server, "/feed.xml")
    assert feed == f"<rss><link>{server.base_url}/</link></rss>".encode()


def test_binary_files_are_served_verbatim(server: SiteServer, site: Path) -> None:
    response, body = fetch(server, "/logo.png", {"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Type") == "image/png"
    assert response.getheader("Content-Encoding") is None
    assert body == (site / "logo.png").read_bytes()


def test_gzip_when_accepted(server: SiteServer, site: Path) -> None:
    response, raw = fetch(server, "/index.html", {"Accept-Encoding": "gzip, deflate"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept-Encoding"
    assert int(response.getheader("Content-Length")) == len(raw)
    expected = (site / "index.html").read_bytes().replace(b"{{BASE}}", server.base_url.encode())
    assert gzip.decompress(raw) == expected


def test_no_gzip_when_not_accepted(server: SiteServer) -> None:
    for accept in (None, "identity", "gzip;q=0"):
        headers = {"Accept-Encoding": accept} if accept else {}
        response, body = fetch(server, "/index.html", headers)
        assert response.getheader("Content-Encoding") is None, accept
        assert int(response.getheader("Content-Length")) == len(body)
        assert body.startswith(b"<!DOCTYPE html>")


def test_urllib_reads_the_page(server: SiteServer) -> None:
    with urllib.request.urlopen(server.url("/index.html"), timeout=5) as response:
        assert "Café" in response.read().decode("utf-8")


def test_directory_index_and_slash_redirect(server: SiteServer) -> None:
    response, body = fetch(server, "/about/")
    assert response.status == 200
    assert body == b"<p>About us</p>"
    response, _ = fetch(server, "/about")
    assert response.status == 301
    assert response.getheader("Location") == "/about/"
    response, body = fetch(server, "/")
    assert response.status == 200 and b"Hello" in body


def test_404_is_an_html_page(server: SiteServer) -> None:
    response, body = fetch(server, "/no/such/page.html")
    assert response.status == 404
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"<h1>404 Not Found</h1>" in body
    assert int(response.getheader("Content-Length")) == len(body)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server.url("/missing"), timeout=5)
    assert info.value.code == 404


@pytest.mark.parametrize(
    "path",
    ["/_routes.toml", "/_private/secret.html", "/_private/", "/%5Froutes.toml", "/../etc/passwd"],
)
def test_underscore_files_and_traversal_never_served(server: SiteServer, path: str) -> None:
    response, body = fetch(server, path)
    assert response.status == 404
    assert b"[[redirect]]" not in body and b"classified" not in body


def test_redirects_from_routes(server: SiteServer) -> None:
    response, _ = fetch(server, "/old")
    assert response.status == 301
    assert response.getheader("Location") == "/index.html"
    response, _ = fetch(server, "/elsewhere?x=1")
    assert response.status == 302
    assert response.getheader("Location") == server.base_url + "/about/"
    # urllib follows the redirect to the real page.
    with urllib.request.urlopen(server.url("/old"), timeout=5) as followed:
        assert followed.url == server.url("/index.html")


def test_repeated_headers_both_sent(server: SiteServer) -> None:
    response, body = fetch(server, "/cookies.html")
    assert response.status == 200
    assert response.msg.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert response.getheader("X-Demo") == "yes"
    assert body == b"<p>cookies</p>"


def test_header_in_routes_replaces_server_default(server: SiteServer) -> None:
    response, _ = fetch(server, "/plain.txt")
    assert response.msg.get_all("Content-Type") == ["text/plain; charset=iso-8859-1"]


def test_status_routes(server: SiteServer) -> None:
    response, body = fetch(server, "/gone")
    assert response.status == 410
    assert b"410 Gone" in body
    response, body = fetch(server, "/teapot")
    assert response.status == 418
    assert response.getheader("Content-Type") == "text/plain"
    assert body == b"short and stout"


def test_keep_alive_serves_several_requests_on_one_connection(server: SiteServer) -> None:
    conn = connect(server)
    bodies = []
    for path in ("/index.html", "/no-such", "/about/", "/gone", "/index.html"):
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        assert response.version == 11
        assert not response.will_close
        bodies.append((response.status, response.read()))
    sock = conn.sock
    conn.request("GET", "/cookies.html")
    conn.getresponse().read()
    assert conn.sock is sock  # the same socket served every request
    conn.close()
    assert [status for status, _ in bodies] == [200, 404, 200, 410, 200]
    assert gzip.decompress(bodies[0][1]) == gzip.decompress(bodies[4][1])


def test_head_has_headers_but_no_body(server: SiteServer) -> None:
    conn = connect(server)
    conn.request("HEAD", "/index.html")
    response = conn.getresponse()
    assert response.status == 200
    assert int(response.getheader("Content-Length")) > 0
    assert response.read() == b""
    # the connection is still usable afterwards
    conn.request("GET", "/about/")
    assert conn.getresponse().read() == b"<p>About us</p>"
    conn.close()


def test_conditional_get_returns_304(server: SiteServer) -> None:
    response, _ = fetch(server, "/index.html")
    etag = response.getheader("ETag")
    last_modified = response.getheader("Last-Modified")
    assert etag and last_modified
    response, body = fetch(server, "/index.html", {"If-None-Match": etag})
    assert response.status == 304 and body == b""
    response, _ = fetch(server, "/index.html", {"If-Modified-Since": last_modified})
    assert response.status == 304


def test_stop_releases_and_restart_is_possible(site: Path) -> None:
    server = SiteServer(site)
    with pytest.raises(RuntimeError):
        _ = server.base_url
    server.start()
    first = server.base_url
    server.stop()
    server.stop()  # idempotent
    with SiteServer(site) as again:
        assert again.base_url.startswith("http://127.0.0.1:")
    assert first


@pytest.mark.parametrize(
    "text",
    [
        "[[redirect]]\npath = 'old'\nto = '/new'\n",
        "[[redirect]]\npath = '/old'\nto = '/new'\nstatus = 200\n",
        "[[headers]]\npath = '/x'\nset = [['only-name']]\n",
        "[[status]]\npath = '/x'\nstatus = 'gone'\n",
        "[[stauts]]\npath = '/x'\n",
        "[[status]]\npath = '/x'\nstatus = 410\nbogus = 1\n",
        "not toml at all [",
    ],
)
def test_malformed_routes_rejected_with_file_name(tmp_path: Path, text: str) -> None:
    (tmp_path / "_routes.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RoutesError, match=r"_routes\.toml"):
        Routes.load(tmp_path / "_routes.toml")
    with pytest.raises(RoutesError):
        SiteServer(tmp_path).start()


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        SiteServer(tmp_path / "nope")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("*", True),
        ("br, x-gzip", True),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_demo_site_is_served() -> None:
    """The bundled demo site: real URLs in feeds and robots.txt, special routes, hidden files."""
    article = "/news/2026/11/03/harbour-bridge-reopens.html"
    with SiteServer(DEMO_SITE_DIR) as demo:
        for path in ("/", "/robots.txt", "/feed.xml", "/atom.xml", "/sitemap.xml", article):
            response, body = fetch(demo, path)
            assert response.status == 200, path
            assert b"{{BASE}}" not in body, path
        _, robots = fetch(demo, "/robots.txt")
        assert f"Sitemap: {demo.base_url}/sitemap.xml".encode() in robots
        assert b"Disallow: /private/" in robots
        _, about = fetch(demo, "/about/")
        assert b'href="/private/staff-rota.html"' in about
        _, page = fetch(demo, article)
        assert f'<link rel="canonical" href="{demo.base_url}{article}">'.encode() in page
        response, _ = fetch(demo, "/")
        assert len(response.msg.get_all("Set-Cookie")) == 2
        response, _ = fetch(demo, "/2026/11/03/harbour-bridge-reopens")
        assert (response.status, response.getheader("Location")) == (301, demo.url(article))
        for hidden in ("/_about.txt", "/_routes.toml"):
            assert fetch(demo, hidden)[0].status == 404
