"""The order of day and month in a page's numeric dates (`10/05/2015`): from its locale,
else from its other numeric dates and the days its metas name, else its country domain."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from crawler.extraction.dates import DayFirst
from crawler.extraction.language import normalize_language
from crawler.extraction.metasources import Page
from crawler.extraction.text import NOT_TEXT_TAGS

# Day-first English: Britain and most of the Commonwealth; month-first: the US, Canada, the
# Philippines. Other languages write the day first, except those writing year-month-day.
_DAY_FIRST_LOCALES = ("en-gb", "en-uk", "en-au", "en-nz", "en-ie", "en-in", "en-za", "en-sg",
                      "en-pk", "en-ng", "en-ke", "en-my", "en-hk")  # fmt: skip
_MONTH_FIRST_LOCALES = ("en-us", "en-ca", "en-ph")
_YEAR_FIRST_LANGUAGES = ("zh", "ja", "ko", "hu", "lt")


# Country domains, when the page names no locale: most countries write the day first; the US
# and the Philippines the month; China, Japan, Korea, Taiwan, Hungary, Lithuania, Iran the year.
# Country codes sold as generic names (.io, .co, .tv ...) say nothing.
_MONTH_FIRST_DOMAINS = frozenset({"us", "gov", "mil", "ph"})
_NO_ORDER_DOMAINS = frozenset({"cn", "jp", "kr", "tw", "hu", "lt", "ir", "ca", "io", "co", "me",
                               "tv", "ai", "ly", "fm", "to", "gg", "so", "sh", "ws", "cc", "la",
                               "am", "nu", "ag", "sc", "vc", "gl", "im"})  # fmt: skip
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](?:19|20)\d{2}(?![\d/])")
_MAX_ORDER_TEXT = 100_000


def day_order(page: Page) -> DayFirst:
    """Order of day and month in numeric dates: from the page's locale, else from its other
    numeric dates and its country domain, read only if a date is ambiguous."""
    locale = (
        (page.root.get("lang") or page.metas.first("og:locale", "content-language") or "")
        .lower()
        .replace("_", "-")
    )
    if locale.startswith(_MONTH_FIRST_LOCALES):
        return False
    if locale.startswith(_DAY_FIRST_LOCALES):
        return True
    language = normalize_language(locale)
    if language is None or language == "en":
        return PageOrder(page)
    return language not in _YEAR_FIRST_LANGUAGES


class PageOrder:
    """The order the page's numeric dates use: those that are unambiguous (`25/12/2019`: day
    first), and those that read as one of the page's known days (its metas' dates) one way
    only; else its country domain's. Computed once, when first asked."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.known: set[date] = set()
        self.order: bool | None = None
        self.asked = False

    def __call__(self) -> bool | None:
        if not self.asked:
            self.asked = True
            order = self._from_dates()
            self.order = self._domain() if order is None else order
        return self.order

    def _from_dates(self) -> bool | None:
        day_first = month_first = 0
        size = 0
        for element in self.page.root.iter():
            if not isinstance(element.tag, str) or element.tag in NOT_TEXT_TAGS:
                continue
            for text in (element.text, element.tail):
                if not text:
                    continue
                size += len(text)
                for match in _NUMERIC_DATE.finditer(text):
                    a, b = int(match[1]), int(match[2])
                    if a <= 12 and b <= 12 and a != b and self.known:
                        year = int(match[0][-4:])
                        a, b = (13, b) if _is_day(year, b, a, self.known) else (a, b)
                        a, b = (a, 13) if _is_day(year, a, b, self.known) else (a, b)
                    day_first += a > 12 >= b
                    month_first += b > 12 >= a
            if size > _MAX_ORDER_TEXT:
                break
        if day_first != month_first:
            return day_first > month_first
        return None

    def _domain(self) -> bool | None:
        suffix = (urlsplit(self.page.url).hostname or "").lower().rsplit(".", 1)[-1]
        if suffix in _MONTH_FIRST_DOMAINS:
            return False
        if len(suffix) == 2 and suffix.isalpha() and suffix not in _NO_ORDER_DOMAINS:
            return True
        return None


def _is_day(year: int, month: int, day: int, known: set[date]) -> bool:
    try:
        return date(year, month, day) in known
    except ValueError:
        return False


def written_numerically(page: Page, day: date) -> bool:
    """Whether the page's text writes `day` as a numeric date that reads either way round."""
    pattern = re.compile(
        rf"(?<![\d/.-])(?:0?{day.day}[/.-]0?{day.month}|0?{day.month}[/.-]0?{day.day})"
        rf"[/.-]{day.year}(?![\d/])"
    )
    size = 0
    for text in page.root.itertext():
        if pattern.search(text):
            return True
        size += len(text)
        if size > _MAX_ORDER_TEXT:
            break
    return False
