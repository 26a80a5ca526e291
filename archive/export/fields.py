"""The article fields an export knows and how a column is read from a document: what the
writers and the choice of default columns share."""

from __future__ import annotations

from typing import Any

# The article JSON's fields in their stored order (crawler/article_record.py): the default
# columns of CSV and Parquet. Fields a document has beyond these are added after them.
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    "site",
    "version",
    "title",
    "authors",
    "published",
    "published_raw",
    "modified",
    "modified_raw",
    "section",
    "breadcrumbs",
    "tags",
    "language",
    "description",
    "site_name",
    "body",
    "body_html",
    "images",
    "word_count",
    "article_score",
    "capture",
    "extractor",
    "extracted_at",
)

_MISSING = object()


def get_field(document: dict[str, Any], name: str) -> Any:
    """`name` of `document`; a dotted name reaches into an object (`capture.fetched_at`)."""
    value = document.get(name, _MISSING)
    if value is not _MISSING or "." not in name:
        return None if value is _MISSING else value
    current: Any = document
    for part in name.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def default_columns(first: dict[str, Any] | None) -> list[str]:
    columns = list(ARTICLE_FIELDS)
    if first:
        columns += [key for key in first if key not in ARTICLE_FIELDS]
    return columns
