"""Credentials given as settings reach neither the crawl's log nor its WARC files."""

from __future__ import annotations

import logging
from pathlib import Path

from crawler.demo.server import SiteServer
from crawler.logredact import install_log_redaction, redact, secret_values
from tests.support import crawl


def test_redact() -> None:
    secrets = secret_values(
        [("SOME_TOKEN", "s3cr3t"), ("X_URL", "http://u:p4ss@127.0.0.1:1/"), ("DEPTH", 3)]
    )
    assert secrets == {"s3cr3t", "p4ss"}
    text = redact("{'SOME_TOKEN': 's3cr3t', 'X_URL': 'http://u:p4ss@127.0.0.1:1/'}", secrets)
    assert "s3cr3t" not in text and "p4ss" not in text
    assert "http://u:***@127.0.0.1:1/" in text
    assert redact("see https://user:pw@example.org/x and ftp://a@b/") == (
        "see https://user:***@example.org/x and ftp://a@b/"
    )


def test_record_factory(caplog: object) -> None:
    before = logging.getLogRecordFactory()
    try:
        install_log_redaction({"API_KEY": "abcdef"})
        record = logging.getLogger("x.y").makeRecord(
            "x.y", logging.INFO, __file__, 1, "key %s, proxy %s", ("abcdef", "http://a:bc@h/"), None
        )
        assert record.getMessage() == "key ***, proxy http://a:***@h/"
    finally:
        logging.setLogRecordFactory(before)


def test_crawl_never_shows_secrets(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><p>Hello.</p></body></html>")
    with SiteServer(site) as server:
        result = crawl(
            server.base_url + "/",
            tmp_path / "out",
            "-s",
            "HTTPPROXY_AUTH_ENCODING=latin-1",
            "-s",
            "SOME_TOKEN=s3cr3t",
            "-s",
            "X_URL=http://u:p4ss@127.0.0.1:1/",
            "-s",
            "WARC_DESCRIPTION=mirror of http://u:p4ss@127.0.0.1:1/",
            # Settings Scrapy knows are printed in its "Overridden settings" line:
            "-s",
            "AWS_SECRET_ACCESS_KEY=s3cr3t",
            "-s",
            "TELNETCONSOLE_PASSWORD=s3cr3t",
            "-s",
            "AWS_ENDPOINT_URL=http://u:p4ss@127.0.0.1:1/",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Overridden settings" in result.stderr
    assert "'AWS_SECRET_ACCESS_KEY': '***'" in result.stderr
    assert "'AWS_ENDPOINT_URL': 'http://u:***@127.0.0.1:1/'" in result.stderr
    for secret in ("s3cr3t", "p4ss"):
        assert secret not in result.stderr
        assert secret not in result.stdout
    warcs = list((tmp_path / "out" / "warc").glob("*.warc.gz"))
    assert warcs
    import gzip

    for warc in warcs:
        data = gzip.decompress(warc.read_bytes())
        assert b"s3cr3t" not in data
        assert b"p4ss" not in data
        assert b"warcinfo" in data


def test_proxy_credentials_are_not_archived() -> None:
    """A proxy's Proxy-Authorization header belongs to us, not to the exchange with the site."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from crawler.extensions.warccapture import exchange_from_scrapy

    request = Request(
        "http://127.0.0.1:1/page.html",
        headers={"Proxy-Authorization": "Basic dTpwNHNz", "Accept": "text/html"},
    )
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    exchange = exchange_from_scrapy(request, response)
    names = [name.lower() for name, _ in exchange.request_headers]
    assert "proxy-authorization" not in names and "accept" in names
