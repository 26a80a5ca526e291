"""Replay's view of a page equals the one Scrapy gives the spider (Scrapy is imported here only).

`archive.replay.pages` rebuilds `response.text`, `response.urljoin`, `response.xpath` and the
meta-refresh rule from w3lib and parsel; these tests hold it to Scrapy's own objects.
"""

from __future__ import annotations

import codecs
import re

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh
from w3lib.html import get_base_url

from archive.replay.pages import (
    META_REFRESH_MAX_DELAY,
    Page,
    decide,
    http_charset,
    is_meta_refresh_redirect,
    scrapy_text,
)
from crawler.siteprofile import SiteProfile
from crawler.spiders.news import _http_charset
from crawler.urls import strip_tracking

URL = "http://news.example/news/2026/01/05/story.html?utm_source=x"
EVERYTHING = SiteProfile(
    name="all", start_urls=(URL,), allowed_domains=("news.example",),
    article_patterns=(re.compile("."),),
)

CASES = {
    "utf-8 header": ("text/html; charset=utf-8", "<html><head><title>Café</title></head></html>"
                     .encode()),
    "meta charset only": ("text/html", '<html><head><meta charset="windows-1252">'
                          "<title>Caf\xe9 \u201cquoted\u201d</title></head></html>"
                          .encode("cp1252")),
    "header beats meta": ("text/html; charset=iso-8859-1", '<meta charset="utf-8"><p>é</p>'
                          .encode()),
    "no declaration, utf-8": ("text/html", "<html><p>Straße café</p></html>".encode()),
    "no declaration, cp1252": ("text/html", "<html><p>caf\xe9 na\xefve</p></html>"
                               .encode("cp1252")),
    "utf-16 BOM": ("text/html", codecs.BOM_UTF16_LE + "<html><p>ü</p></html>"
                   .encode("utf-16-le")),
    "no content type": ("", b"<html><head><title>x</title></head></html>"),
    "base href + relative canonical": (
        "text/html; charset=utf-8",
        b'<html><head><base href="/news/2026/01/"><link rel="canonical" href="x.html?utm_medium=y">'
        b"</head></html>",
    ),
    "absolute canonical": ("text/html", b'<link rel="canonical" href="http://news.example/a">'),
    "empty canonical": ("text/html", b'<link rel="canonical" href="">'),
    "two canonicals": ("text/html", b'<link rel="canonical" href="/one"><link rel="canonical" '
                       b'href="/two">'),
    "NUL bytes and blanks": ("text/html", b"  \x00<html>\x00<p>x</p></html>  "),
    "empty body": ("text/html", b""),
    "refresh now": ("text/html", b'<meta http-equiv="refresh" content="0; url=/elsewhere">'),
    "refresh later": ("text/html", b'<meta http-equiv="refresh" content="300; url=/elsewhere">'),
    "refresh in noscript": ("text/html", b'<noscript><meta http-equiv="refresh" '
                            b'content="0;url=/nojs"></noscript>'),
    "refresh without url": ("text/html", b'<meta http-equiv="refresh" content="5">'),
}


def _response(content_type: str, body: bytes) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse(URL, body=body, headers=headers)


@pytest.mark.parametrize("case", CASES)
def test_text_canonical_and_refresh_match_scrapy(case: str):
    content_type, body = CASES[case]
    response = _response(content_type, body)
    assert scrapy_text(body, content_type) == (response.encoding, response.text)

    interval, target = get_meta_refresh(response, ignore_tags=[])
    scrapy_redirects = bool(target) and interval < META_REFRESH_MAX_DELAY
    encoding, text = scrapy_text(body, content_type)
    base = get_base_url(text[:4096], URL, encoding)
    assert is_meta_refresh_redirect(text[:4096], base, encoding) == scrapy_redirects

    canonical, _ = decide(Page(URL, body, content_type, {}), EVERYTHING)
    if scrapy_redirects:
        assert canonical is None
    else:  # NewsSpider._article_page
        declared = response.xpath("//link[@rel='canonical']/@href").get()
        expected = strip_tracking(response.urljoin(declared) if declared else response.url)
        assert canonical == expected


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [("text/html; charset=UTF-8", "UTF-8"), ('text/html; Charset="latin1"', "latin1"),
     ("text/html", None), ("", None)],
)
def test_http_charset_as_the_spider_reads_it(content_type: str, charset: str | None):
    assert http_charset(content_type) == charset
    assert _http_charset(_response(content_type, b"")) == charset


def _gzip_cases() -> dict[str, bytes]:
    import gzip

    one = gzip.compress(b"<html>" + bytes(range(256)) * 200 + b"</html>")
    bad_crc = one[:-8] + b"\0\0\0\0" + one[-4:]
    return {
        "one member": one,
        "two members": gzip.compress(b"<html>first ") + gzip.compress(b"second</html>"),
        "bad CRC": bad_crc,
        "cut short": one[: len(one) // 2],
        "cut in the header": one[:5],
    }


@pytest.mark.parametrize("case", list(_gzip_cases()))
def test_gunzip_keeps_what_scrapy_keeps(case: str):
    from scrapy.utils.gz import gunzip

    from archive.replay.source import _gunzip

    def outcome(function):  # the bytes, or the exception's type
        try:
            return function(data)
        except Exception as exc:
            return type(exc)

    data = _gzip_cases()[case]
    assert outcome(_gunzip) == outcome(gunzip)
