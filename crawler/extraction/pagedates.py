"""Published and modified dates of a page: JSON-LD and date metas, checked against what the
reader sees (<time>, itemprop dates, dateline text read with the site's `date_format`) and the
URL. The visible page wins when they disagree on the day — CMS metas are often the date of a
re-save, an update or the template — but only a dateline does: a date near the headline, inside
the article region (or anywhere when the page marks none). Page chrome — a header, top bar or
navigation with a "today" clock widget — is not read at all; other dates (a sidebar's, a date
far below the headline) fill in when the metas are missing, never overrule them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone

from lxml import etree

from crawler.extraction.chrome import (
    article_headline,
    contains,
    headline_blocks,
    in_article,
    in_chrome,
    page_chrome,
)
from crawler.extraction.dates import DayFirst, ParsedDate, parse_date, url_date, url_month
from crawler.extraction.dayorder import PageOrder, day_order, written_numerically
from crawler.extraction.htmldates import htmldate_day
from crawler.extraction.metasources import (
    MAX_CANDIDATES,
    Named,
    Page,
    elsewhere,
    guard,
    named,
    naming,
    strings,
)
from crawler.extraction.text import NOT_TEXT_TAGS, text_of

PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "published_time",
    "article:published", "ptime", "pdate",
    "article.published", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate",
    "publish-date", "publish_date", "pub_date", "dc.date.issued", "dcterms.issued",
    "citation_publication_date", "cxenseparse:recs:publishtime", "originalpublicationdate",
    "article_date_original", "dc.date", "dcterms.created", "dc.date.created", "date",
    "og:pubdate", "rnews:datepublished", "article:post_date", "article:published_date",
    "article:publicationdate", "og:published_time", "og:publish_date", "og:datepublished",
    "date_published", "published_date", "published-date", "publisheddate", "publication_date",
    "publish_time", "dateposted", "dcterms.date", "dc:date", "dc.date.publication",
    "dc.created", "datecreated", "date_created", "displaydate", "rbpubdate",
    "bt:pubdate", "citation_date", "shareaholic:article_published_time", "twt-published-at",
    "vr:published_time", "dcsext.articlefirstpublished", "analyticsattributes.articledate",
)  # fmt: skip
MODIFIED_METAS = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "article:modified",
    "modified_time", "article.updated", "dcterms.modified", "dc.date.modified", "last-modified",
    "lastmod", "revised", "article:modified_date", "article:post_modified", "og:modified_time",
    "dc.modified", "lastmodified", "modificationdate", "updated_time", "revision_date",
    "bt:moddate", "dateupdate",
)  # fmt: skip

_X = etree.XPath
# A dateline's class or id says so (matched as written: "date" and "Date", not "DATE").
_DATELINE_CLASS = re.compile("date|Date|time|Time|publish|posted|stamp|byline|meta|info")
_DATELINE_ID = re.compile("date|publish")
_DATELINE_TAGS = frozenset(
    {"div", "span", "p", "li", "small", "em", "strong", "header", "section", "dd", "time"}
)
_UPDATED = re.compile(
    r"(?:updated|modified|last\s+updated|edited|aktualisiert|mis\s+à\s+jour|actualizado|"
    r"aggiornato|atualizado|更新|تحديث)\W{0,3}(?:on|at|am|le|el|il|em)?\W{0,3}$",
    re.I,
)
_SAYS_MODIFIED = re.compile(
    r"\W*(?:last\s+)?(?:updated|modified|edited|aktualisiert|geändert|mis à jour|actualizado|"
    r"aggiornato|atualizado|bijgewerkt|zaktualizowano|обновлено|更新)",
    re.I,
)
_SAYS_PUBLISHED = re.compile(
    r"\W*(?:(?:first\s+)?published|posted|veröffentlicht|erschienen|publié|publicado|"
    r"pubblicato|gepubliceerd|opublikowano|опубликовано|発表|发布)",
    re.I,
)
_MAX_DATELINE_CHARS = 250
_MAX_HEADLINE_BLOCK_CHARS = 1500
# A dateline sits next to the headline: at most this much text (a standfirst, a byline) between.
_MAX_HEADLINE_GAP_CHARS = 600


def _structured_dates(
    page: Page, dayfirst: DayFirst, evidence: list[tuple[str, ParsedDate]]
) -> dict[str, tuple[ParsedDate, str]]:
    """The first JSON-LD or meta date of each kind; every one read goes to `evidence`."""
    found: dict[str, tuple[ParsedDate, str]] = {}
    fmt = page.date_format
    for kind, ld_keys, meta_keys in (
        ("published", ("datePublished", "dateCreated", "uploadDate"), PUBLISHED_METAS),
        ("modified", ("dateModified",), MODIFIED_METAS),
    ):
        values: list[tuple[str, str]] = []
        if page.article:
            values.extend((v, "jsonld") for key in ld_keys for v in strings(page.article.get(key)))
        values.extend((v, "meta") for v in page.metas.all(*meta_keys))
        for value, source in values[:MAX_CANDIDATES]:
            parsed = parse_date(value, None, dayfirst=dayfirst) or (
                parse_date(value, fmt, dayfirst=dayfirst) if fmt else None
            )
            if parsed:
                evidence.append((kind, parsed))
                found.setdefault(kind, (parsed, source))
    return found


def _dated_text(
    text: str, fmt: str | None, dayfirst: DayFirst
) -> Iterator[tuple[str, ParsedDate]]:
    """("published" | "modified", date) for each date in a dateline such as
    "Published March 1, 2024 · Updated March 3, 2024 10:30 a.m."."""
    # Split before each date-like keyword so each piece holds one date.
    pieces = re.split(
        r"(?i)(?=\b(?:updated|modified|last updated|edited|aktualisiert|mis à jour|actualizado|"
        r"published|posted|veröffentlicht|publié|publicado|pubblicato)\b)|\||·|•",
        text,
    )
    for piece in pieces:
        parsed = parse_date(piece, fmt, dayfirst=dayfirst)
        if parsed is not None:
            yield _said_kind(piece) or "published", parsed


def _said_kind(text: str) -> str | None:
    """What a dateline says its date is: "Updated ..." → modified, "Published ..." → published."""
    if _SAYS_MODIFIED.match(text):
        return "modified"
    return "published" if _SAYS_PUBLISHED.match(text) else None


@dataclass(frozen=True)
class _Visible:
    date: ParsedDate
    # A dateline: near the headline (or marked up as the item's date with itemprop), inside the
    # article (or the page marks no article region). Such a date overrules the metas; any other
    # only fills in when they are missing.
    trusted: bool
    # Inside the article, if far from the headline ("First published ..." under the body): it may
    # add the time of day to metas that agree on the day.
    in_article: bool = False


def _visible_dates(
    page: Page,
    dayfirst: DayFirst,
    evidence: list[tuple[str, ParsedDate]],
    need_outside: bool = True,
) -> dict[str, _Visible]:
    """Dates the reader sees — <time>, itemprop dates, dateline text — the first of each kind,
    in this order: <time> in the article, datelines in the article, then the same outside
    (only when `need_outside`: outside dates cannot overrule the metas). A dateline near the
    headline is preferred to the first date found."""
    fmt = page.date_format
    regions = [
        e
        for e in page.elements["article"] + page.elements["main"]
        if not any(a.tag in ("article", "main") for a in e.iterancestors())
    ]
    headline = article_headline(page)
    seen = _Seen(headline, fmt, dayfirst)
    seen.evidence = evidence
    marked = [e for e in page.marked("date")[:MAX_CANDIDATES] if e.tag != "meta"]
    times = marked + page.elements["time"][:MAX_CANDIDATES]
    inside = [e for e in times if in_article(e)]
    seen.read(inside, True)
    if seen.settled("published"):
        return seen.found
    # Dateline text: a class search, run on the article region alone when there is one.
    inside_datelines = [
        e for r in regions for e in _datelines(naming(r.iterdescendants(*_DATELINE_TAGS)))
    ]
    seen.read(inside_datelines, True)
    if regions and ("published" in seen.found or not need_outside):
        return seen.found
    in_regions = set(inside_datelines)
    datelines = [
        e
        for e in _datelines(page.names)
        if e not in in_regions
    ]
    outside = [e for e in times if e not in inside] + datelines
    seen.read(outside, not regions)
    return seen.found


def _datelines(elements: list[Named]) -> list[etree._Element]:
    """The first of `elements` that a dateline's tag, class or id names. (Below a region, only
    elements of its tags are listed: the walk skips the others in C.)"""
    return [
        e for e in named(elements, _DATELINE_CLASS, _DATELINE_ID) if e.tag in _DATELINE_TAGS
    ][:MAX_CANDIDATES]


class _Seen:
    """The visible dates found so far: per kind, the first dateline, else the first date."""

    def __init__(
        self, headline: etree._Element | None, fmt: str | None, dayfirst: DayFirst
    ) -> None:
        self.found: dict[str, _Visible] = {}
        self.evidence: list[tuple[str, ParsedDate]] = []  # every date read, for _localised
        self.headline = headline
        self.layout = headline_blocks(headline)
        self.fmt = fmt
        self.dayfirst = dayfirst

    def settled(self, kind: str) -> bool:
        return kind in self.found and self.found[kind].trusted

    def read(self, elements: list[etree._Element], in_article: bool) -> None:
        """Take the dates `elements` show; `in_article`: whether they may be datelines."""
        for element in elements:
            if self.settled("published") and self.settled("modified"):
                return
            if elsewhere(element, layout=self.layout) or in_chrome(element, self.headline):
                continue
            near: bool | None = None  # computed once, when it matters
            for kind, parsed, sure in self._dates_of(element):
                if parsed.has_time:  # a day alone may be any day the text names
                    self.evidence.append((kind, parsed))
                current = self.found.get(kind)
                if current is not None and (current.trusted or not in_article):
                    continue
                if near is None:
                    marked = element.get("itemprop") in ("datePublished", "dateModified")
                    near = sure and in_article and (marked or _near(self.headline, element))
                if current is None or near:
                    self.found[kind] = _Visible(parsed, near, in_article)

    def _dates_of(self, element: etree._Element) -> list[tuple[str, ParsedDate, bool]]:
        """(kind, date, sure) for each date `element` shows; not `sure`: it cannot be a
        dateline (a <time> whose text names another day than its datetime)."""
        itemprop = element.get("itemprop")
        if element.tag == "time" or itemprop in ("datePublished", "dateModified"):
            parsed, sure = _time_element(element, self.fmt, self.dayfirst)
            if parsed is None:
                return []
            kind = {"datePublished": "published", "dateModified": "modified"}.get(
                itemprop or "", ""
            ) or _time_kind(element)
            said = _said_kind(text_of(element))  # "Veröffentlicht: ..." marked dateModified
            return [(said or kind, parsed, sure)]
        text = text_of(element)
        if not text or len(text) > _MAX_DATELINE_CHARS:
            return []
        return [(kind, parsed, True) for kind, parsed in _dated_text(text, self.fmt, self.dayfirst)]




def _near(headline: etree._Element | None, element: etree._Element) -> bool:
    """Whether `element` is next to the headline: at most `_MAX_HEADLINE_GAP_CHARS` of text
    between them, before or after it. Without a headline, every date is near."""
    if headline is None or contains(headline, element) or contains(element, headline):
        return True
    ancestors = set(element.iterancestors())
    common = next((a for a in headline.iterancestors() if a in ancestors), None)
    if common is None:
        return False
    gap: int | None = None  # counting from the end of the first of the two
    for event, node in etree.iterwalk(common, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if node is headline or node is element:
                if gap is not None:
                    return True
            elif gap is not None and node.text and tag and tag not in NOT_TEXT_TAGS:
                gap += len(node.text.strip())
        else:
            if node is headline or node is element:
                gap = 0
            if gap is not None and node.tail:
                gap += len(node.tail.strip())
        if gap is not None and gap > _MAX_HEADLINE_GAP_CHARS:
            return False
    return False


def _time_kind(element: etree._Element) -> str:
    marker = f"{element.get('class', '')} {element.get('itemprop', '')} {element.get('id', '')}"
    before = ""
    parent = element.getparent()
    if parent is not None:
        before = (parent.text or "") + "".join(
            (text_of(s) + (s.tail or "")) for s in element.itersiblings(preceding=True)
        )
        marker += f" {parent.get('class', '')}"
    if re.search(r"updat|modif|edit", marker, re.I) or _UPDATED.search(before.strip()[-40:]):
        return "modified"
    return "published"


def _time_element(
    element: etree._Element, fmt: str | None, dayfirst: DayFirst
) -> tuple[ParsedDate | None, bool]:
    """The date a <time> (or itemprop date) gives, and whether its datetime and its text agree
    on the day. When they do not, the reader's text is its date, but the element is unsure of
    itself (a republished story's "display" date over the stored one): it may fill in a missing
    date, not overrule the page's metas."""
    machine = element.get("datetime") or element.get("content")
    shown = text_of(element)
    parsed_machine = parse_date(machine, None, dayfirst=dayfirst) if machine else None
    parsed_shown = parse_date(shown, fmt, dayfirst=dayfirst) if shown else None
    if parsed_machine and parsed_shown and not _same_day(parsed_machine, parsed_shown):
        return parsed_shown, False
    return parsed_machine or parsed_shown, True


def _same_day(structured: ParsedDate, visible: ParsedDate) -> bool:
    """Whether two dates name the same day, allowing for a UTC value shown in local time."""
    if structured.has_tz and visible.has_tz:
        return structured.value.astimezone(visible.value.tzinfo).date() == visible.day
    if structured.day == visible.day:
        return True
    offset = structured.value.utcoffset() if structured.has_tz else None
    return offset is not None and not offset and abs((structured.day - visible.day).days) == 1


def _choose(
    structured: tuple[ParsedDate, str] | None,
    seen: _Visible | None,
    from_url: ParsedDate | None,
) -> tuple[ParsedDate, str] | None:
    """The visible page wins when it disagrees on the day; else the more precise value. A date
    seen away from the headline (a "related" teaser's) does not overrule the day in the URL."""
    if (
        seen is not None
        and structured is None
        and not seen.trusted
        and from_url is not None
        and not _same_day(seen.date, from_url)
    ):
        return from_url, "url"
    if seen is not None and (structured is None or seen.trusted):
        visible = seen.date
        if structured is None or not _same_day(structured[0], visible):
            return visible, "visible"
        if visible.precision > structured[0].precision:
            return visible, "visible"
        return structured
    if (
        seen is not None
        and structured is not None
        and seen.in_article
        and _same_day(structured[0], seen.date)
        and seen.date.precision > structured[0].precision
    ):
        return seen.date, "visible"
    if from_url is not None and (structured is None or not _same_day(structured[0], from_url)):
        return from_url, "url"
    return structured


def _near_headline(page: Page, dayfirst: DayFirst) -> ParsedDate | None:
    """The last resort: a date written next to the headline, in a block with no telling
    class ("<p class="h6"><em>November 15, 2019</em></p>" under the <h1>); not the clock of a
    site header that shares the block."""
    headline = article_headline(page)
    if headline is None:
        return None
    block = headline
    for _ in range(3):  # the headline's block: up to three levels up, while it stays small
        parent = block.getparent()
        if parent is None or len(text_of(parent)) > _MAX_HEADLINE_BLOCK_CHARS:
            break
        block = parent
    for element in block.iter():
        if element.tag in ("h1", "script", "style") or not isinstance(element.tag, str):
            continue
        text = (element.text or "").strip()
        if 6 <= len(text) <= _MAX_DATELINE_CHARS:
            found = parse_date(text, page.date_format, dayfirst=dayfirst)
            if found and not in_chrome(element, headline) and _near(headline, element):
                return found
    return None


def _labelled(page: Page, dayfirst: DayFirst) -> ParsedDate | None:
    """A dateline that says what it is ("Publié le 2 nov. 2023 à 16:00", "Veröffentlicht am
    12.03.2024"), whatever its element: on a site whose class names are hashes (CSS-in-JS), the
    label is all that tells a dateline from any other date; not in the chrome or a sidebar."""
    headline = article_headline(page)
    layout = headline_blocks(headline)
    for element, text in _short_texts(page):
        if not _SAYS_PUBLISHED.match(text):
            continue
        for kind, found in _dated_text(text, page.date_format, dayfirst):
            if (
                kind == "published"
                and not in_chrome(element, headline)
                and not elsewhere(element, layout=layout)
            ):
                return found
    return None


def _short_texts(page: Page) -> Iterator[tuple[etree._Element, str]]:
    """The <body>'s elements whose own text is short enough for a dateline, with that text
    (not scripts or styles), in document order."""
    body = page.root.find("body")
    if body is None:
        return
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in NOT_TEXT_TAGS:
            continue
        text = element.text
        if text and len(text) <= _MAX_DATELINE_CHARS:
            yield element, text


# The last resorts, for a page whose metas, datelines and URL give no date.
# hAtom microformat (Blogger, old WordPress themes): <abbr class="published" title="ISO date">.
_HATOM = _X(
    "//*[@title][contains(concat(' ', normalize-space(@class), ' '), ' published ')"
    " or contains(@class, 'dt-published')]"
)
# Publication dates in a page's script data: `"publishDate": "2019-07-30 09:35"`.
_SCRIPT_DATE = re.compile(
    r"""["']?(?:date_?published|publish(?:ed)?[_-]?(?:date|time|at|on)|first[_-]?publi"""
    r"""(?:shed|cation)(?:[_-]?at)?|pub_?date|date_?created|release_?date|upload_?date)"""
    r"""["']?\s*[:=]\s*(?:["']([^"'\n]{6,40})["']|(\d{10}(?:\d{3})?)(?![\d.]))""",
    re.I,
)
# Seconds or milliseconds since 1970, as JavaScript state writes a moment ("firstPublishedAt":
# 1426609660294, Medium): taken from 2000 on only.
_EPOCH_2000 = 946_684_800
_MAX_SCRIPT_CHARS = 200_000
_NOT_THE_POST = frozenset({"aside", "nav"})
# A year a page's text may date itself by, to skip text with none before reading its dates.
_A_YEAR = re.compile(r"(?<!\d)(?:199\d|20\d\d)(?!\d)")
_MAX_TEXT_DATES = 200


def _hatom(page: Page, dayfirst: DayFirst) -> ParsedDate | None:
    """The first hAtom date; one in a sidebar or comments only when it is the only one (a
    blog puts the post's timestamp in the "post-footer")."""
    reserve = None
    for element in _HATOM(page.root)[:MAX_CANDIDATES]:
        found = parse_date(element.get("title"), None, dayfirst=dayfirst)
        if found and not elsewhere(element, _NOT_THE_POST):
            return found
        reserve = reserve or found
    return reserve


def _script_date(page: Page, dayfirst: DayFirst) -> ParsedDate | None:
    read = 0
    for script in page.elements["script"]:
        text = script.text or ""
        if not text or (script.get("type") or "").lower().strip() == "application/ld+json":
            continue
        read += len(text)
        if read > _MAX_SCRIPT_CHARS:
            return None
        for match in _SCRIPT_DATE.finditer(text):
            if match[2]:
                found = _epoch(match[2])
            else:
                found = parse_date(match[1], page.date_format, dayfirst=dayfirst)
            if found:
                return found
    return None


def _epoch(digits: str) -> ParsedDate | None:
    """A moment written as seconds (10 digits) or milliseconds (13) since 1970, in UTC."""
    seconds = int(digits) / (1000 if len(digits) == 13 else 1)
    if seconds < _EPOCH_2000:
        return None
    moment = datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=0)
    return ParsedDate(moment, True, digits)


def _text_date(page: Page, dayfirst: DayFirst) -> ParsedDate | None:
    """The first date written in the page's text, outside its chrome (a header clock), a
    sidebar or comments counting only when nothing else has one."""
    headline = article_headline(page)
    layout = headline_blocks(headline)
    reserve: ParsedDate | None = None
    tried = 0
    for element, text in _short_texts(page):
        if not _A_YEAR.search(text):
            continue
        tried += 1
        if tried > _MAX_TEXT_DATES:
            break
        found = parse_date(text, page.date_format, dayfirst=dayfirst)
        if found is None or in_chrome(element, headline):
            continue
        if not elsewhere(element, layout=layout):
            return found
        reserve = reserve or found
    return reserve


def _htmldate(page: Page, dayfirst: DayFirst) -> ParsedDate | None:
    """htmldate's day for the page (`htmldates`) read without its chrome; not a day outside
    the year and month of the URL (`/2011/12/`), nor one it may have read from a numeric date
    whose order the page leaves open ("03/04/2024" on a page with no locale, no unambiguous
    numeric date and a generic domain), which we leave unread. Our first date in the text
    when it is the same day: it may tell the time."""
    found = htmldate_day(page.root, page.url, page_chrome)
    month = url_month(page.url)
    if found is None or (month is not None and month != (found.day.year, found.day.month)):
        return None
    if found.day.day <= 12 and found.day.day != found.day.month:
        order = dayfirst() if callable(dayfirst) else dayfirst
        if order is None and written_numerically(page, found.day):
            return None
    text = _text_date(page, dayfirst)
    return text if text is not None and text.day == found.day else found


# A UTC offset is at most 14 hours; offsets are whole quarter hours.
_MAX_OFFSET = timedelta(hours=14)
_QUARTER_HOUR = timedelta(minutes=15)


def _localised(
    chosen: ParsedDate, kind: str, evidence: list[tuple[str, ParsedDate]]
) -> ParsedDate:
    """A value in UTC (`Z`, `+00:00`) told in the page's own time, when another of its dates
    gives that time: the same instant with an offset; the same clock time without one (the
    offset is their difference); the offset of its other dates; or the local day only (the
    URL's, a dateline's) one day off the UTC day — then the day is all that is known. Readers
    count the day the page states, and a story posted at 8 p.m. in New York is dated the next
    day in UTC."""
    value = chosen.value
    offset = value.utcoffset()
    if not chosen.has_time or offset is None or offset:
        return chosen
    local_day: date | None = None
    zone = None  # the offset the page's other dates are written in
    for other_kind, other in evidence:
        other_offset = other.value.utcoffset()
        if other.has_time and other_offset:
            if other.value == value:
                return replace(chosen, value=value.astimezone(other.value.tzinfo))
            zone = zone or other.value.tzinfo
        elif other.has_time and other_offset is None and other_kind == kind:
            gap = other.value - value.replace(tzinfo=None)
            if gap and abs(gap) <= _MAX_OFFSET and not gap % _QUARTER_HOUR:
                return replace(chosen, value=value.astimezone(timezone(gap)))
        elif not other.has_time and local_day is None and other_kind in (kind, f"url-{kind}"):
            days = (other.day - value.date()).days
            # the day before in the Americas (west of UTC), the day after in Asia/Oceania
            if (days == -1 and value.hour < 14) or (days == 1 and value.hour >= 10):
                local_day = other.day
    if zone is not None:
        return replace(chosen, value=value.astimezone(zone))
    if local_day is None:
        return chosen
    return ParsedDate(datetime(local_day.year, local_day.month, local_day.day), False, chosen.raw)


def page_dates(page: Page) -> dict[str, tuple[ParsedDate, str]]:
    dayfirst = day_order(page)
    evidence: list[tuple[str, ParsedDate]] = []
    structured = guard("structured dates", {}, _structured_dates, page, dayfirst, evidence)
    if isinstance(dayfirst, PageOrder):
        dayfirst.known = {parsed.day for _, parsed in evidence}
    visible = guard(
        "visible dates", {}, _visible_dates, page, dayfirst, evidence,
        "published" not in structured,
    )  # fmt: skip
    from_url = url_date(page.url)
    if from_url is not None:
        evidence.append(("url-published", from_url))
    evidence.extend((k, v.date) for k, v in visible.items() if v.trusted and not v.date.has_time)
    chosen: dict[str, tuple[ParsedDate, str]] = {}
    published = _choose(structured.get("published"), visible.get("published"), from_url)
    if published is None:
        for label, fallback, source in (
            ("headline dates", _near_headline, "visible"),
            ("labelled dates", _labelled, "visible"),
            ("hAtom dates", _hatom, "visible"),
            ("script dates", _script_date, "visible"),
            ("htmldate", _htmldate, "htmldate"),
            ("text dates", _text_date, "visible"),
        ):
            found = guard(label, None, fallback, page, dayfirst)
            if found:
                published = (found, source)
                break
    if published:
        published = (_localised(published[0], "published", evidence), published[1])
        chosen["published"] = published
    modified = _choose(structured.get("modified"), visible.get("modified"), None)
    if modified:
        modified = (_localised(modified[0], "modified", evidence), modified[1])
        if published and modified[0].day < published[0].day:
            modified = None  # an "updated" date before publication is a template's
        elif published and modified[0].raw == published[0].raw:
            modified = None
    if modified:
        chosen["modified"] = modified
    return chosen
