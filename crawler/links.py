"""The links of a page the spider may follow: Scrapy's LinkExtractor's answer, cheaper.

`page_links(root, base_url, encoding, deny)` gives what `LinkExtractor(deny=...)` gives for
the same page — `href` of `<a>` and `<area>`, HTML whitespace stripped, made absolute
against the page's base, http(s) only, no file Scrapy's `IGNORED_EXTENSIONS` names (images,
media, documents, archives), none a deny pattern matches, each once — without what the
spider never reads: the link text (a `text_content()` per link), `Link` objects and a
`canonicalize_url` per link for the uniqueness check. On a news page of ~60 links that was
a third of the crawl process's CPU. Fragments are dropped (they never change what is
fetched, and a WARC-Target-URI has none); a non-ASCII URL is escaped as LinkExtractor
escapes it (`safe_url_string` in the page's encoding); the request's own `safe_url_string`
does the rest. tests/test_links.py holds it to LinkExtractor's answer on a page of every
kind of link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree
from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.url import safe_url_string

_DENIED_EXTENSIONS = frozenset(f".{ext}" for ext in IGNORED_EXTENSIONS)
_HTML_WHITESPACE = " \t\n\r\x0c"
_FOR_URLJOIN = re.compile(r"/\.|[\\\t\r\n]")  # what only urljoin resolves or removes


def page_links(
    root: etree._Element,
    base_url: str,
    encoding: str = "utf-8",
    deny: Sequence[re.Pattern[str]] = (),
) -> list[str]:
    """The absolute URLs the page's `<a href>` and `<area href>` lead to, in page order."""
    found: dict[str, None] = {}
    for element in root.iter("a", "area"):
        href = element.get("href")
        if href is None:
            continue
        url = join_url(href.strip(_HTML_WHITESPACE), base_url)
        if url is None:
            continue
        if not url[:8].lower().startswith(("http://", "https://")):
            continue  # (LinkExtractor keeps ftp:// and file:// too, which no crawl follows)
        url = url.partition("#")[0]
        if url in found:
            continue
        if not url.isascii():
            try:
                url = safe_url_string(url, encoding=encoding)
            except ValueError:
                continue
        if _denied_extension(url) or any(pattern.search(url) for pattern in deny):
            continue
        found[url] = None
    return list(found)


def join_url(href: str, base_url: str) -> str | None:
    """`urljoin(base_url, href)`, None where it raises (`http://[`); an empty query
    (`font.eot?`) stays, as a browser asks for it, where urljoin drops it. The two commonest
    forms, an absolute http(s) URL and a root-relative path, are put together directly
    when there is nothing for urljoin to resolve (no dot segment, no backslash, none of
    the tabs and newlines urlsplit deletes): a page has dozens of links and requisites,
    and urljoin parses two URLs for each."""
    if not _FOR_URLJOIN.search(href):
        if href.startswith(("http://", "https://")) and "[" not in href:
            return href
        origin = _origin(base_url)
        if href.startswith("/") and not href.startswith("//") and origin:
            return origin + href
    try:
        return urljoin(base_url, href)
    except ValueError:
        return None


@lru_cache(maxsize=64)
def _origin(base_url: str) -> str:
    """`scheme://host[:port]` of an http(s) base URL, '' for any other."""
    scheme, sep, rest = base_url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return ""
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return f"{scheme}://{host}" if host else ""


def _denied_extension(url: str) -> bool:
    """Whether the URL's path ends in an extension LinkExtractor ignores (the host's
    `.com` is no file extension)."""
    rest = url.partition("://")[2]
    slash = rest.find("/")
    if slash < 0:
        return False
    path = rest[slash:].partition("?")[0]
    name = path[path.rfind("/") + 1 :].partition(";")[0].lower()  # `;params`: urlparse's
    dot = name.rfind(".")
    if dot < 0:
        return False
    if name[dot:] in _DENIED_EXTENSIONS:
        return True
    second = name.rfind(".", 0, dot)  # `.tar.gz`, the one two-part extension of the list
    return second >= 0 and name[second:] in _DENIED_EXTENSIONS
