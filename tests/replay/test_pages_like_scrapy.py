"""Replay's view of a page equals the one Scrapy gives the spider (Scrapy is imported here only).

`archive.replay.pages` rebuilds `response.text`, `response.urljoin`, `response.xpath` and the
meta-refresh rule from w3lib and parsel; these tests hold it to Scrapy's own objects.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh
from w3lib.html import get_base_url

from archive.replay.pages import (
    META_REFRESH_MAX_DELAY,
    Page,
    _same_tree_as_selector,
    decide,
    is_meta_refresh_redirect,
    scrapy_text,
)
from crawler.extraction import ExtractionError, ParsedPage, parse_page
from crawler.pagekind import _jsonld_texts, _og_types, declared_canonical, http_charset
from crawler.siteprofile import SiteProfile
from crawler.spiders.news import _content_type
from crawler.urls import strip_tracking

_XPATH = "//link[@rel='canonical']/@href"
URL = "http://news.example/news/2026/01/05/story.html?utm_source=x"
EVERYTHING = SiteProfile(
    name="all", start_urls=(URL,), allowed_domains=("news.example",),
    article_patterns=(re.compile("."),),
)
# No URL signal: the decision rests on the page's og:type and JSON-LD.
BY_PAGE = SiteProfile(name="page", start_urls=(URL,), allowed_domains=("news.example",))
UNDATED = "http://news.example/story?id=7"

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

    page = Page(URL, body, content_type, {})
    canonical = decide(page, EVERYTHING)
    assert decide(page, EVERYTHING, _parsed(body, content_type)) == canonical
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
    assert http_charset(_content_type(_response(content_type, b""))) == charset


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

    from archive.replay.codings import gunzip as our_gunzip

    def outcome(function):  # the bytes, or the exception's type
        try:
            return function(data)
        except Exception as exc:
            return type(exc)

    data = _gzip_cases()[case]
    assert outcome(our_gunzip) == outcome(gunzip)


# -- one parse for decision and extraction -------------------------------------------------
#
# Replay decides on the extractor's tree when `_same_tree_as_selector` holds. These tests hold
# that tree to parsel's for everything the decision reads, and check that the condition does
# hold for ordinary pages (or the saving would quietly be lost).

def _parsed(body: bytes, content_type: str) -> ParsedPage | None:
    try:
        return parse_page(body, http_charset(content_type))
    except ExtractionError:
        return None


def _assert_signals_as_xpath(response: HtmlResponse) -> None:
    """`crawler.pagekind` reads the tree with iter(); it finds what its XPaths would."""
    root = response.selector.root
    assert declared_canonical(root) == response.xpath(_XPATH).get()
    assert list(_og_types(root)) == response.xpath(
        "//meta[@property='og:type']/@content").getall()
    assert list(_jsonld_texts(root)) == response.xpath(
        "//script[@type='application/ld+json']/text()").getall()


def _elements(root) -> list[tuple]:
    """Every element in document order: tag, attributes, and the text of scripts."""
    return [
        (el.tag, sorted(el.attrib.items()), el.text if el.tag == "script" else None)
        for el in root.getroottree().xpath("//*")
    ]


REPO = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [*(REPO / "tests" / "fixtures").rglob("*.html"), *(REPO / "crawler" / "demo").rglob("*.html")]
)
ODD_PAGES = {
    "comment and PI first": b'<?xml version="1.0"?><!-- c --><!DOCTYPE html><html><head>'
    b'<meta property="og:type" content="article"></head><body><p>x</p></body></html>',
    "conditional comments": b"<html><head><!--[if IE]><link rel=canonical href=/ie><![endif]-->"
    b'<link rel="canonical" href="/real"></head></html>',
    "leading and trailing blanks": b"\n\n  \t<html><head><link rel=canonical href=/a></head>"
    b"<body><p>x</p></body></html>\n\n",
    "head after text": b'text first<link rel="canonical" href="/late"><meta property="og:type" '
    b'content="Article"><p>x',
    "link in body": b'<html><body><p>x</p><link rel="canonical" href="/in-body"></body></html>',
    "json-ld with comment": b'<script type="application/ld+json"><!-- {"@type": "NewsArticle"}'
    b" --></script><p>x</p>",
    "NUL bytes": b'<html>\x00<head><link rel="canonical" href="/n\x00ul"></head></html>',
    "unclosed everything": b'<html><head><link rel=canonical href="/u"><title>t<body><div><p>x',
    "processing instruction in body": b"<p>a<?php echo 1 ?>b</p><link rel=canonical href=/p>",
    "deep nesting": b"<html><body>" + b"<div>" * 600 + b'<script type="application/ld+json">'
    b'{"@type": "Article"}</script>' + b"</div>" * 600 + b"</body></html>",
}


@pytest.mark.parametrize(
    ("name", "body"),
    [*((str(p.relative_to(REPO)), p.read_bytes()) for p in PAGES), *ODD_PAGES.items()],
)
def test_extractor_tree_is_the_selectors_tree_when_replay_uses_it(name: str, body: bytes):
    content_type = "text/html; charset=utf-8"
    parsed = _parsed(body, content_type)
    response = _response(content_type, body)
    assert parsed is not None and _same_tree_as_selector(parsed, response.text), name
    assert _elements(parsed.root) == _elements(response.selector.root)
    _assert_signals_as_xpath(response)
    for page, profile in ((Page(URL, body, content_type, {}), EVERYTHING),
                          (Page(UNDATED, body, content_type, {}), BY_PAGE)):
        assert decide(page, profile, parsed) == decide(page, profile)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # Scrapy trusts the header; the extractor sees valid UTF-8 and decodes it as such.
        ("text/html; charset=iso-8859-1", '<link rel="canonical" href="/caf\u00e9">'.encode()),
        # Deleted by the extractor, kept by parsel.
        ("text/html; charset=utf-8", b"<p>a\x01b</p><link rel=canonical href=/c>"),
        # Stripped by parsel, kept by the extractor.
        ("text/html; charset=utf-8", "\u00a0<link rel=canonical href=/d>".encode()),
    ],
    ids=["texts differ", "control character", "Unicode blank at the start"],
)
def test_the_selector_decides_when_parsel_would_see_other_text(content_type: str, body: bytes):
    parsed = _parsed(body, content_type)
    response = _response(content_type, body)
    assert parsed is not None and not _same_tree_as_selector(parsed, response.text)
    page = Page(URL, body, content_type, {})
    expected = strip_tracking(response.urljoin(response.xpath(_XPATH).get()))
    assert decide(page, EVERYTHING, parsed) == decide(page, EVERYTHING) == expected


_TAGS = st.sampled_from(["html", "head", "body", "div", "p", "script", "title", "table", "td"])
_PIECES = st.one_of(
    _TAGS.map(lambda t: f"<{t}>"),
    _TAGS.map(lambda t: f"</{t}>"),
    st.just('<link rel="canonical" href="/c1">'),
    st.just('<link rel=canonical href="/c2?utm_source=x">'),
    st.just('<meta property="og:type" content="article">'),
    st.just('<meta property="og:type" content=" NewsArticle ">'),
    st.just('<meta property="og:type">'),
    st.just('<link rel="canonical">'),
    st.just('<script type="application/ld+json"></script>'),
    st.just('<script type="application/ld+json">{"@type": "NewsArticle"}</script>'),
    st.just("<!-- comment -->"),
    st.just("<?pi x?>"),
    st.just("<!DOCTYPE html>"),
    st.just('<base href="/base/">'),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=25))
def test_one_decision_whichever_tree_decides(pieces: list[str]):
    body = "".join(pieces).encode()
    content_type = "text/html; charset=utf-8"
    parsed = _parsed(body, content_type)
    for page, profile in ((Page(UNDATED, body, content_type, {}), BY_PAGE),
                          (Page(URL, body, content_type, {}), EVERYTHING)):
        assert decide(page, profile, parsed) == decide(page, profile)
    response = _response(content_type, body)
    _assert_signals_as_xpath(response)
    if parsed is not None and _same_tree_as_selector(parsed, response.text):
        assert _elements(parsed.root) == _elements(response.selector.root)
