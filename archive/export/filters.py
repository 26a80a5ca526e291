"""Which articles an export keeps: `ArticleFilter` (site, published date, language) and
the timestamp parsing it shares with the Parquet writer."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from archive.export.errors import ExportError
from archive.layout import safe_segment


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive ones are taken as UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _date_only(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()))


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles to export. Date bounds apply to `published`; `until` is inclusive."""

    sites: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None  # exclusive bound (a date `until` ends after that day)
    languages: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        sites: Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        languages: Iterable[str] = (),
    ) -> ArticleFilter:
        lower = upper = None
        if since:
            lower = parse_timestamp(since.strip())
            if lower is None:
                raise ExportError(f"--since {since!r} is not an ISO date or date-time")
        if until:
            upper = parse_timestamp(until.strip())
            if upper is None:
                raise ExportError(f"--until {until!r} is not an ISO date or date-time")
            # Inclusive: a date means the whole day, a date-time that very microsecond.
            upper += timedelta(days=1) if _date_only(until) else timedelta(microseconds=1)
        return cls(
            sites=frozenset(s for s in sites if s),
            since=lower,
            until=upper,
            languages=tuple(lang.lower() for lang in languages if lang),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.sites or self.languages or self.dated)

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def site_directories(self) -> frozenset[str] | None:
        return frozenset(safe_segment(s) for s in self.sites) if self.sites else None

    def accepts(self, document: dict[str, Any]) -> bool:
        if self.sites and document.get("site") not in self.sites:
            return False
        if self.languages:
            language = str(document.get("language") or "").lower()
            if not any(language == w or language.startswith(w + "-") for w in self.languages):
                return False
        if self.dated:
            published = parse_timestamp(document.get("published"))
            if published is None:
                return False
            if self.since is not None and published < self.since:
                return False
            if self.until is not None and published >= self.until:
                return False
        return True
