"""htmldate (adbar/htmldate) as the last word on a page our own sources leave undated, before
the first date its text happens to name.

Our rules read the page as its publisher marks it up: JSON-LD, date metas, <time>, datelines
near the headline, the URL. When none of them dates the page, htmldate's search of the whole
page (dates in attributes, image paths, classes and ids that say "date", then a weighing of
every date the text names) finds the right day more often than our first date in the text
(bench/README.md has the figures). Pages with metas never get here, so its cost is paid by a
few pages in a hundred.

The page is not parsed again: htmldate reads a copy of the tree the other metadata stages read,
without the page's chrome (`chrome`: a header's "today" clock is not the story's date, as for
our own sources). It is imported on first use, keeping its import (dateparser, urllib3) out of
a process that never needs it; its extensive search loads dateparser's languages once per
process, which takes a second or two.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import datetime
from functools import cache
from typing import Any

from lxml import etree

from crawler.extraction.dates import MAX_YEAR, MIN_YEAR, ParsedDate


@cache
def _find_date() -> Any:
    from htmldate import find_date

    return find_date


def htmldate_day(
    root: etree._Element, url: str, chrome: Callable[[etree._Element], bool]
) -> ParsedDate | None:
    """The publication day htmldate finds in the page `root` (an lxml.html tree) once the
    elements `chrome` names are left out, or None. A day only: htmldate tells neither the time
    nor where it read the date. (htmldate copies the copy again: 1 ms on a large page.)
    """
    tree = deepcopy(root)
    for element in [e for e in tree.iter(etree.Element) if chrome(e)]:
        element.drop_tree()  # one inside another dropped one: harmless, already out
    found = _find_date()(tree, url=url, original_date=True, extensive_search=True)
    if not found:
        return None
    try:
        value = datetime.strptime(found, "%Y-%m-%d")
    except ValueError:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR or (value.month, value.day) == (1, 1):
        return None  # January 1: how htmldate writes a year alone ("© 2016")
    return ParsedDate(value, has_time=False, raw=found)
