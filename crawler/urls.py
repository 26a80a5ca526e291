"""URL rules shared by the spider, extraction records and replay (no Scrapy here)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track where a reader came from; they never select content.
TRACKING_PARAMS = frozenset(
    "fbclid gclid dclid gbraid wbraid msclkid yclid twclid mc_cid mc_eid igshid ocid cmpid"
    " _ga _gl ncid sr_share at_medium at_campaign smid".split()
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "itm_", "__hs", "hsa_")

# /2024/03/15/ or /2024-03-15/ or /20240315/ in a path: the mark of a dated article URL.
DATED_PATH = re.compile(
    r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?:[/-](?:0?[1-9]|[12]\d|3[01]))?(?:/|-|$)"
    r"|/(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])/"
)


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """`url` without tracking parameters and without its fragment (a URL that cannot be
    parsed, such as `http://[`, is returned as it is: it names nothing to strip)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def url_key(url: str) -> str:
    """What the archive's catalog looks a URL up by: `strip_tracking(url)`, without its cost
    for the common URL that has no query, no fragment and a path (asked for every link)."""
    if "?" not in url and "#" not in url and url.count("/") >= 3:
        return url
    return strip_tracking(url)


# scheme://[userinfo@]host — enough to read the host without a full urlsplit (hot path).
_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)")


def host_of(url: str) -> str:
    match = _HOST.match(url)
    if match is None:
        try:
            return (urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""
    return match.group(1).strip("[]").lower()


@lru_cache(maxsize=4096)
def _host_in(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def in_domains(url: str, domains: Iterable[str]) -> bool:
    """Whether the URL's host (port ignored) is one of `domains` or a subdomain of one."""
    return _host_in(host_of(url), tuple(domains))


def absolute(url: str | None, base: str) -> str | None:
    """`url` (a link as written: relative, padded with spaces) joined with `base`; None when
    it is empty or the result is not an http(s) URL (`javascript:`, `data:`, `mailto:`)."""
    url = (url or "").strip()
    if not url:
        return None
    try:
        joined = urljoin(base, url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a link we can follow
        return None
    return joined if joined.startswith(("http://", "https://")) else None


def has_dated_path(url: str) -> bool:
    try:
        return bool(DATED_PATH.search(urlsplit(url).path))
    except ValueError:
        return False
