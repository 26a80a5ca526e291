"""Per-site extraction hints, read from the `[extraction]` table of a site profile.

They sit on top of the generic rules: a site profile can point at the article container,
name extra things to remove and say how the site writes its dates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionRules:
    # CSS selector of the element that holds the article body; tried before generic detection.
    content_selector: str | None = None
    # CSS selectors of elements to drop from the page before extraction.
    remove_selectors: tuple[str, ...] = ()
    # Regular expressions; a body block whose text matches one is dropped.
    remove_patterns: tuple[str, ...] = ()
    # strptime format of the site's visible dates, for dates no generic parser reads.
    date_format: str | None = None
