"""Read a sitemap for what the incremental crawl needs: each URL and when it last changed.

`read_sitemap(body)` understands a sitemap index, a plain urlset and a Google News sitemap
(any namespace prefix). An entry's `changed_at` is the latest of its `<lastmod>` and its
`<news:publication_date>`; dates are read by `crawler.changedates` (a date-only lastmod
means that day 00:00 UTC, so today's captures stay current; see there).

Many sites stamp every `<lastmod>` with the time of the request. Trusted, that would make
every known article look changed on every crawl, so a urlset whose lastmods all lie within
`UNTRUSTED_LASTMOD_SPREAD` of each other says nothing through its lastmods. News
publication dates are exempt: they name the article, not the request. The caller gunzips
(the spider does, from the response); this module never imports Scrapy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

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

logger = logging.getLogger(__name__)

SitemapKind = Literal["urlset", "sitemapindex"]

# Lastmods this close together across a whole urlset are the generation time, not edits:
# a real site does not edit every listed page within two minutes, while a generator that
# stamps "now" per entry finishes even 50,000 entries well inside it.
UNTRUSTED_LASTMOD_SPREAD = timedelta(minutes=2)
# One lastmod alone cannot show the pattern; two equal ones already do.
UNTRUSTED_LASTMOD_MIN_ENTRIES = 2

# Either kind of entry in either kind of document, as Scrapy's `Sitemap` reads them: sites
# do mix them up, and the spider never lost a URL to that.
_ENTRY_TAGS = any_namespace("url", "sitemap")
_ENTRY_FIELDS = any_namespace("loc", "lastmod")
_PUBLICATION_DATE = any_namespace("publication_date")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """A `<url>` or `<sitemap>`: `loc` as written (stripped; the caller joins it with the
    sitemap's URL), `changed_at` aware UTC or None when the sitemap gave no usable date."""

    loc: str
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SitemapDocument:
    """A read sitemap. `lastmod_ignored` tells a caller (for a stat or a log line) that
    the lastmods were dropped as the request time rather than missing."""

    kind: SitemapKind
    entries: list[SitemapEntry]
    lastmod_ignored: bool = False


@dataclass(slots=True)
class _RawEntry:
    loc: str
    lastmod: datetime | None
    published: datetime | None


def read_sitemap(body: bytes, *, now: datetime | None = None) -> SitemapDocument | None:
    """The sitemap's entries with their change times, or None when `body` is not a sitemap.

    `now` (default: the current time) is what "in the future" is measured against. A
    `loc` listed twice gives one entry, at its first place, with the latest date.
    """
    root = parse_xml(body)
    if root is None:
        return None
    name = local_name(root)
    if name not in ("urlset", "sitemapindex"):
        return None
    kind: SitemapKind = "urlset" if name == "urlset" else "sitemapindex"
    now = utc_now(now)
    raw = [_raw_entry(element, now) for element in root.iter(*_ENTRY_TAGS)]
    raw = [entry for entry in raw if entry.loc]
    ignored = kind == "urlset" and _lastmods_are_request_time(raw)
    if ignored:
        logger.debug("sitemap lastmods all within %s: ignored", UNTRUSTED_LASTMOD_SPREAD)
    changed: dict[str, datetime | None] = {}
    for entry in raw:
        lastmod = None if ignored else entry.lastmod
        moment = latest((lastmod, entry.published))
        changed[entry.loc] = latest((changed.get(entry.loc), moment))
    entries = [SitemapEntry(loc, moment) for loc, moment in changed.items()]
    return SitemapDocument(kind, entries, lastmod_ignored=ignored)


def _raw_entry(element: etree._Element, now: datetime) -> _RawEntry:
    loc = ""
    lastmod: datetime | None = None
    published: datetime | None = None
    for child in element.iterchildren(*_ENTRY_FIELDS):
        name = local_name(child)
        if name == "loc" and not loc:
            loc = text_of(child)
        elif name == "lastmod":
            lastmod = latest((lastmod, plausible(parse_datetime(text_of(child)), now)))
    # <news:news><news:publication_date> sits one level down; look anywhere in the entry.
    for child in element.iter(*_PUBLICATION_DATE):
        moment = plausible(parse_datetime(text_of(child)), now)
        published = latest((published, moment))
    return _RawEntry(loc, lastmod, published)


def _lastmods_are_request_time(entries: list[_RawEntry]) -> bool:
    lastmods = [entry.lastmod for entry in entries if entry.lastmod is not None]
    if len(lastmods) < UNTRUSTED_LASTMOD_MIN_ENTRIES:
        return False
    return max(lastmods) - min(lastmods) <= UNTRUSTED_LASTMOD_SPREAD
