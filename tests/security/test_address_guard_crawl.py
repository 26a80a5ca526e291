"""A real crawl meets links to local addresses: only the start URL's own address is fetched.

The site is served on 127.0.0.2 (the start URL); a second server on 127.0.0.1 stands for a
service of the crawling machine. The site links to it by address and by name (`localhost`,
which resolves to 127.0.0.1 here), and redirects to it. 127.0.0.2 is allowed because it is
the start URL's address; 127.0.0.1 is not, so the service must receive nothing. Only
loopback addresses are used: these tests never send a packet off the machine (private and
link-local addresses are tested on the policy and the resolver, with a fake name service).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from crawler.demo.server import SiteServer
from tests.support import crawl


def _site(root: Path, service: str) -> Path:
    site = root / "site"
    site.mkdir()
    port = service.rsplit(":", 1)[1]
    (site / "index.html").write_text(
        "<html><head><title>Front</title></head><body>"
        f'<a href="{service}/by-address.html">a</a>'
        f'<a href="http://localhost:{port}/by-name.html">b</a>'
        '<a href="/go">c</a>'
        '<a href="/about.html">d</a>'
        "</body></html>"
    )
    (site / "about.html").write_text("<html><body><p>About us.</p></body></html>")
    (site / "_routes.toml").write_text(
        f'[[redirect]]\npath = "/go"\nto = "{service}/redirected.html"\nstatus = 302\n'
    )
    return site


def _profile(root: Path, start: str) -> Path:
    path = root / "guarded.toml"
    path.write_text(
        'name = "guarded"\n'
        f'start_urls = ["{start}/"]\n'
        'allowed_domains = ["127.0.0.2", "127.0.0.1", "localhost"]\n'
    )
    return path


def test_only_the_start_address_is_fetched(tmp_path: Path) -> None:
    service_dir = tmp_path / "service"
    service_dir.mkdir()
    for name in ("by-address.html", "by-name.html", "redirected.html", "robots.txt"):
        (service_dir / name).write_text("<html><body>internal</body></html>")
    with SiteServer(service_dir, host="127.0.0.1") as service:
        site = _site(tmp_path, service.base_url)
        with SiteServer(site, host="127.0.0.2") as server:
            began = time.monotonic()
            result = crawl(str(_profile(tmp_path, server.base_url)), tmp_path / "out")
            took = time.monotonic() - began
            fetched = server.requested
        assert service.requested == []

    assert result.returncode == 0, result.stderr[-3000:]
    assert "/about.html" in fetched
    blocked = [line for line in result.stderr.splitlines() if "address guard: not fetching" in line]
    assert len(blocked) == 3, "\n".join(blocked)
    assert all("127.0.0.1 is a loopback address" in line for line in blocked)
    assert all(" WARNING: " in line or "WARNING" in line for line in blocked)
    for path in ("/by-address.html", "/by-name.html", "/redirected.html"):
        assert sum(path in line for line in blocked) == 1, path
    assert re.search(r"'addressguard/blocked': 3\b", result.stderr)
    assert took < 60


def test_no_code_execution_endpoint_listens(tmp_path: Path) -> None:
    """Without the test helpers' own `TELNETCONSOLE_ENABLED=False`: the project's defaults."""
    from crawler import settings

    assert settings.TELNETCONSOLE_ENABLED is False
    assert settings.REMOTE_CONTROL_ENABLED is False
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><p>Hello.</p></body></html>")
    from tests.support import newsarchive

    with SiteServer(site) as server:
        result = newsarchive(
            "crawl",
            server.base_url + "/",
            "--out",
            tmp_path / "out",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Telnet console listening" not in result.stderr
    assert "Remote control HTTP server listening" not in result.stderr
    assert "address guard: not fetching" not in result.stderr
