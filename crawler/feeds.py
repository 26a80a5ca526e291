"""Read a feed for what the incremental crawl needs: each entry's URL and when it changed.

`read_feed(body, base_url)` reads RSS 2.0, RSS 1.0 (RDF) and Atom, with any namespace
prefixes, and takes the links the spider always took (`item/link` text; an Atom entry's
`link` without `rel` or with `rel="alternate"`), plus, for an RSS item with no link, the
permalink its spec offers instead (`guid` that is a URL, RSS 1.0 `rdf:about`).

An entry's `changed_at` is the latest date it gives: RSS `pubDate`, `dc:date`,
`atom:updated`; Atom `updated` and `published` (`updated` is never earlier when the feed
follows RFC 4287, so that is "updated, else published"). Dates are read by
`crawler.changedates`, which also says how date-only values and zones are taken. The
sitemaps' guard against lastmods stamped with the request time is not applied here: feed
dates are publication dates, and a short feed of one burst of news would lose them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from crawler.changedates import (
    any_namespace,
    latest,
    local_name,
    parse_datetime,
    parse_xml,
    plausible,
    text_of,
    utc_now,
)
from crawler.urls import absolute

# Roots that make a document a feed even when it lists nothing yet.
FEED_ROOTS = frozenset(("rss", "RDF", "feed"))
# Date elements by local name: RSS 2.0 pubDate, dc:date (RSS 1.0 and 2.0), atom:updated in
# RSS; updated and published in Atom.
_ITEM_DATES = any_namespace("pubDate", "date", "updated")
_ENTRY_DATES = any_namespace("updated", "published")
_ITEMS = any_namespace("item", "entry")
_LINK = any_namespace("link")
_GUID = any_namespace("guid")
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An entry's page: `url` absolute (http or https), `changed_at` aware UTC or None
    when the entry gave no usable date."""

    url: str
    changed_at: datetime | None = None


def read_feed(
    body: bytes | str, base_url: str, *, now: datetime | None = None
) -> list[FeedEntry] | None:
    """The feed's entries, in feed order, or None when `body` is not a readable feed.

    `body` as bytes lets the XML declaration choose the encoding; as text, the caller has
    decoded it (the spider's `response.text` honours the HTTP charset). Links are resolved
    against `xml:base` where the feed sets it, else `base_url`. A URL listed twice gives
    one entry, at its first place, with the latest date. `now` (default: the current time)
    is what "in the future" is measured against.
    """
    root = parse_xml(body)
    if root is None:
        return None
    items = list(root.iter(*_ITEMS))
    if not items and local_name(root) not in FEED_ROOTS:
        return None
    now = utc_now(now)
    changed: dict[str, datetime | None] = {}
    for item in items:
        if local_name(item) == "item":
            urls, date_tags = _item_urls(item, base_url), _ITEM_DATES
        else:
            urls, date_tags = _entry_urls(item, base_url), _ENTRY_DATES
        moment = latest(
            plausible(parse_datetime(text_of(child)), now)
            for child in item.iterchildren(*date_tags)
        )
        for url in urls:
            changed[url] = latest((changed.get(url), moment))
    return [FeedEntry(url, moment) for url, moment in changed.items()]


def _item_urls(item: etree._Element, base_url: str) -> list[str]:
    """RSS: every `link` child's text; failing that, the item's permalink."""
    urls = [_resolve(text_of(c), c, base_url) for c in item.iterchildren(*_LINK)]
    if not any(urls):
        # A guid is a permalink unless it says otherwise, but many feeds put ids there
        # without saying so: only one that is already an absolute URL is taken.
        for child in item.iterchildren(*_GUID):
            guid = text_of(child)
            permalink = child.get("isPermaLink", "true").strip().lower() != "false"
            if permalink and guid.lower().startswith(("http://", "https://")):
                urls.append(_resolve(guid, child, base_url))
        about = next((v for k, v in item.attrib.items() if k.rpartition("}")[2] == "about"), "")
        urls.append(_resolve(about, item, base_url))
    return [url for url in urls if url]


def _entry_urls(entry: etree._Element, base_url: str) -> list[str]:
    """Atom: each `link` without `rel` or with `rel="alternate"` (RFC 4287's default)."""
    urls = [
        _resolve(child.get("href", ""), child, base_url)
        for child in entry.iterchildren(*_LINK)
        if child.get("rel", "alternate").strip().lower() == "alternate"
    ]
    return [url for url in urls if url]


def _resolve(href: str, element: etree._Element, base_url: str) -> str:
    """`href` made absolute against the `xml:base` chain above it, then `base_url`; ""
    for an empty or non-web link. (lxml's `element.base` would do it too, but it
    percent-escapes a non-ASCII host of `base_url`.)"""
    href = href.strip()
    if not href:
        return ""
    base = base_url
    for node in reversed([element, *element.iterancestors()]):
        declared = (node.get(_XML_BASE) or "").strip()
        if declared:
            base = urljoin(base, declared)
    return absolute(href, base) or ""
