"""The spider's link finder gives Scrapy's LinkExtractor's links, on a page of every kind."""

from __future__ import annotations

import re

from lxml import html
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.response import get_base_url

from crawler.links import page_links

PAGE = """<!doctype html><html><head><meta charset="{charset}">{base}</head><body>
<a href="/news/2026/01/05/story.html">absolute path</a>
<a href="relative.html">relative</a> <a href="../up.html">up</a>
<a href="  /spaces.html
  ">whitespace around</a>
<a href="/news/2026/01/05/story.html#comments">the same, with a fragment</a>
<a href="?page=2">query only</a> <a href="#top">fragment only</a> <a href="">empty</a>
<a href="https://other.example/x">another host</a>
<a href="HTTP://Example.ORG/Caps">caps scheme</a>
<a href="mailto:desk@example.org">mail</a> <a href="javascript:void(0)">js</a>
<a href="tel:+441234">tel</a> <a href="ftp://files.example/a">ftp</a>
<a href="data:text/html,hi">data</a> <a href="http://[broken">bad</a>
<a href="/photo.JPG">image</a> <a href="/report.pdf?x=1">pdf</a> <a href="/a.tar.gz">archive</a>
<a href="/img.jpg;jsessionid=9">params</a> <a href="/dir.pdf/page">dir looks like a file</a>
<a href="/search?q=harbour">denied by the profile</a>
<a href="/caf\u00e9/men\u00fc.html?q=\u00e9t\u00e9">non-ASCII</a>
<a href="/a b.html">space</a> <a href="/quote&quot;.html">quote</a>
<map><area href="/area.html" alt="map"></map>
<a name="anchor-only">no href</a> <link href="/not-a-link.html">
<A HREF="/upper.html">upper-case tag</A>
<a href="/news/../dots.html">dot segments</a> <a href="//cdn.example/p.html">scheme-relative</a>
<a href="/back\\slash.html">backslash</a>
<a href="https://news.example/./x/../abs.html">abs dots</a>
<a href="https://[::1]/v6.html">IPv6 host</a> <a href="https://news.example">no path</a>
</body></html>"""


def _both(charset: str = "utf-8", base: str = "") -> tuple[list[str], list[str]]:
    body = PAGE.format(charset=charset, base=base).encode(charset, "xmlcharrefreplace")
    response = HtmlResponse("https://news.example/section/page.html", body=body)
    deny = [r"/search"]
    scrapy_links = LinkExtractor(deny=deny).extract_links(response)
    expected = {
        Request(link.url).url.partition("#")[0]
        for link in scrapy_links
        if link.url.startswith(("http://", "https://"))  # no ftp:// for a crawler of the web
    }
    ours = page_links(
        response.selector.root,
        get_base_url(response),
        response.encoding,
        [re.compile(p) for p in deny],
    )
    return sorted({Request(url).url for url in ours}), sorted(expected)


def test_same_links_as_scrapys_link_extractor():
    ours, scrapys = _both()
    assert ours == scrapys
    assert "https://news.example/news/2026/01/05/story.html" in ours
    assert not any(url.endswith((".JPG", ".pdf?x=1", ".tar.gz")) for url in ours)


def test_same_links_with_a_base_element_and_a_legacy_charset():
    ours, scrapys = _both("windows-1252", '<base href="https://cdn.example/base/">')
    assert ours == scrapys
    assert "https://cdn.example/base/relative.html" in ours


def test_each_link_once_in_page_order_without_fragments():
    root = html.fromstring(
        '<p><a href="/b">b</a><a href="/a#x">a</a><a href="/b#y">b again</a><a href="/a">a</a>'
    )
    assert page_links(root, "http://h/") == ["http://h/b", "http://h/a"]
