"""What sitemaps and feeds share when they say a page changed: dates, and a safe XML read.

The crawl is incremental: a known article is fetched again only when a sitemap or a feed
says it changed after our last capture. Both sources write dates in their own dialect
(W3C datetime in sitemaps and Atom, RFC 822 in RSS, and each site's own mistakes), so the
readers here are lenient, always answer an aware UTC datetime, and answer None rather than
raise on anything they cannot read: one bad date must cost one entry's signal, not a feed.

Choices the callers rely on:

- A date without a time ("2026-12-10", W3C also allows "2026-12" and "2026") means the
  *start* of that day (month, year) in UTC. A capture taken at any time that day compares
  as newer, so a lastmod of today's date never makes today's captures look stale on every
  crawl. The price: a change made later that day (by the site's clock) than our capture is
  seen only once the date moves on; a full timestamp, as news sitemaps give, has no such gap.
- A time without a zone, or with a zone name nobody can pin down (IST, BST, a typo), is
  read as UTC: the W3C profile requires a zone, RFC 822 names few, and sites do as they like.
- A date more than `FUTURE_TOLERANCE` ahead of now is no signal (see `plausible`).

The XML is read the way Scrapy reads sitemaps (`scrapy.utils.sitemap.Sitemap`): recover
from broken markup, never resolve entities (no XXE, no billion laughs), never touch the
network, and allow the huge trees that 50 MB sitemaps make.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from lxml import etree

# A date this far in the future is a broken clock or a scheduled post, not a change we can
# fetch; a day covers every time zone's "today" and ordinary clock skew.
FUTURE_TOLERANCE = timedelta(days=1)

# W3C datetime (https://www.w3.org/TR/NOTE-datetime), leniently: a space for the T, one-digit
# month/day/hour, a comma for the decimal point, "+0100" or "+01" offsets, "UTC"/"GMT".
_W3C_DATETIME = re.compile(
    r"""(?P<year>\d{4})
        (?:-(?P<month>\d{1,2})
          (?:-(?P<day>\d{1,2})
            (?:(?:T|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})
              (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
              \s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?
            )?
          )?
        )?""",
    re.VERBOSE | re.IGNORECASE,
)

# Zone names email.utils does not know (it knows UT, UTC, GMT, Z and the North American
# ones), limited to names that mean one offset only: IST and BST are left out on purpose.
_ZONE_NAMES = {
    "WET": "+0000",
    "WEST": "+0100",
    "CET": "+0100",
    "CEST": "+0200",
    "MEZ": "+0100",
    "MESZ": "+0200",
    "EET": "+0200",
    "EEST": "+0300",
    "MSK": "+0300",
    "HKT": "+0800",
    "SGT": "+0800",
    "AWST": "+0800",
    "JST": "+0900",
    "KST": "+0900",
    "ACST": "+0930",
    "AEST": "+1000",
    "AEDT": "+1100",
    "NZST": "+1200",
    "NZDT": "+1300",
    "AKST": "-0900",
    "AKDT": "-0800",
    "HST": "-1000",
}
_TRAILING_ZONE_NAME = re.compile(r"\b([A-Za-z]{3,4})\s*$")

# Longer than any date, even RFC 822 with a "(Coordinated Universal Time)" comment: such
# text is not read, and not kept in the parse cache.
_LONGEST_DATE = 128

# The errors datetime arithmetic and email.utils raise on out-of-range or malformed input.
_DATE_ERRORS = (ValueError, TypeError, OverflowError, IndexError)


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """A W3C datetime (sitemap `lastmod`, Atom, `dc:date`) as aware UTC, or None."""
    if not text:
        return None
    match = _W3C_DATETIME.fullmatch(text.strip())
    if match is None:
        return None
    part = match.groupdict()
    try:
        second = min(int(part["second"] or 0), 59)  # a leap second is read as :59
        fraction = (part["fraction"] or "")[:6].ljust(6, "0")
        moment = datetime(
            int(part["year"]),
            int(part["month"] or 1),
            int(part["day"] or 1),
            int(part["hour"] or 0),
            int(part["minute"] or 0),
            second,
            int(fraction),
            tzinfo=_zone(part["zone"]),
        )
        return moment.astimezone(UTC)
    except _DATE_ERRORS:
        return None


def parse_rfc822_datetime(text: str | None) -> datetime | None:
    """An RFC 822/2822 date (RSS `pubDate`) as aware UTC, or None.

    Two-digit years, missing seconds or weekday and numeric or North American zones are
    email.utils' business; a few more unambiguous zone names are mapped here. A date with
    no zone, or "-0000", is read as UTC.
    """
    if not text:
        return None
    text = text.strip()
    name = _TRAILING_ZONE_NAME.search(text)
    if name and name.group(1).upper() in _ZONE_NAMES:
        text = text[: name.start()] + _ZONE_NAMES[name.group(1).upper()]
    try:
        moment = email.utils.parsedate_to_datetime(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except _DATE_ERRORS:
        return None


def parse_datetime(text: str | None) -> datetime | None:
    """Either dialect: sites put RFC 822 dates in `lastmod` and ISO dates in `pubDate`."""
    if not text or len(text) > _LONGEST_DATE:
        return None
    return _parse_either(text)


@lru_cache(maxsize=4096)
def _parse_either(text: str) -> datetime | None:
    # Cached: a sitemap repeats its dates (one publication day, one generation time).
    return parse_w3c_datetime(text) or parse_rfc822_datetime(text)


def plausible(moment: datetime | None, now: datetime) -> datetime | None:
    """`moment` unless it lies more than `FUTURE_TOLERANCE` after `now`."""
    if moment is None or moment > now + FUTURE_TOLERANCE:
        return None
    return moment


def latest(moments: Iterable[datetime | None]) -> datetime | None:
    """The latest of the dates that were read, or None when none was."""
    return max((m for m in moments if m is not None), default=None)


def utc_now(now: datetime | None = None) -> datetime:
    """`now` (tests pin it) or the current time, aware UTC."""
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def parse_xml(body: bytes | str) -> etree._Element | None:
    """The root element of an XML document, read safely; None when there is none.

    A UTF-8 byte-order mark and whitespace before the XML declaration are dropped (libxml2
    refuses a declaration that is not at the very start). Text (already decoded by the
    caller, who knows the HTTP charset) is parsed as UTF-8 whatever its declaration says.
    """
    encoding = None
    if isinstance(body, str):
        body = body.lstrip("\ufeff \t\r\n").encode("utf-8", "surrogatepass")
        encoding = "utf-8"
    else:
        body = body.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not body:
        return None
    parser = etree.XMLParser(
        encoding=encoding,
        recover=True,
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        collect_ids=False,
    )
    try:
        return etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError, UnicodeError):
        return None


def any_namespace(*names: str) -> tuple[str, ...]:
    """lxml tag patterns (the "{*}" wildcard) for `names` in any namespace or none, for
    `iter`/`iterchildren`: a site may bind the sitemap or news namespace to any prefix."""
    return tuple(f"{{*}}{name}" for name in names)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace, whatever prefix the document chose ("" for entities
    and other nodes that are not elements)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def text_of(element: etree._Element) -> str:
    """The element's text, stripped (CDATA included). An entity reference left unresolved
    (`parse_xml` resolves none but XML's five) counts as nothing: lxml's `itertext` gives
    `<loc>&xxe;</loc>` as the text "&xxe;", which a crawler then requests as a URL."""
    if not len(element):  # the common case, and the fast one
        return (element.text or "").strip()
    return "".join(_texts(element)).strip()


def _texts(element: etree._Element) -> Iterator[str]:
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):  # an element, not an entity, comment or PI
            yield from _texts(child)
        if child.tail:
            yield child.tail


def _zone(zone: str | None) -> tzinfo:
    if not zone or zone.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
