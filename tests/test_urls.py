from __future__ import annotations

import pytest

from crawler.urls import absolute, has_dated_path, in_domains, strip_tracking


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://a.test/x?utm_source=rss&utm_medium=feed", "https://a.test/x"),
        ("https://a.test/x?id=7&fbclid=abc&gclid=1", "https://a.test/x?id=7"),
        ("https://a.test/x?page=2#comments", "https://a.test/x?page=2"),
        ("https://a.test", "https://a.test/"),
    ],
)
def test_strip_tracking(url, clean):
    assert strip_tracking(url) == clean


@pytest.mark.parametrize(
    ("url", "dated"),
    [
        ("https://a.test/news/2024/03/15/story.html", True),
        ("https://a.test/2024-03-15-story", True),
        ("https://a.test/news/20240315/story", True),
        ("https://a.test/world/europe/", False),
        ("https://a.test/tags/2024", False),
        ("https://a.test/item/123456789", False),
    ],
)
def test_dated_paths(url, dated):
    assert has_dated_path(url) is dated


def test_domains_ignore_ports_and_include_subdomains():
    assert in_domains("http://127.0.0.1:8080/x", ["127.0.0.1"])
    assert in_domains("https://www.presstv.co.uk/a", ["presstv.ir", "presstv.co.uk"])
    assert not in_domains("https://notpresstv.ir/a", ["presstv.ir"])


@pytest.mark.parametrize(
    ("href", "joined"),
    [
        (" /news/a.html ", "https://a.test/news/a.html"),
        ("b.html", "https://a.test/news/b.html"),
        ("   ", None),  # a blank canonical or og:url is no link, not the page itself
        ("", None),
        (None, None),
        ("javascript:void(0)", None),
        ("data:image/png;base64,AAAA", None),
        ("mailto:desk@a.test", None),
        ("http://[", None),
    ],
)
def test_absolute_joins_links_as_pages_write_them(href, joined):
    assert absolute(href, "https://a.test/news/x.html") == joined

