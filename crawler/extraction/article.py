"""The extracted article: what one news page yields, independent of how it was fetched.

Field names are the snake_case names of the article JSON (see README.md). Raw strings are kept
next to parsed dates so that a wrong parse can be seen and fixed later without refetching.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class ExtractionError(Exception):
    """The one error `extract()` raises: the input cannot be read as an HTML page at all."""


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass
class Article:
    url: str
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 with timezone offset when the page gives one
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    section: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    site_name: str | None = None
    body: str = ""  # plain text, paragraphs separated by one blank line
    body_html: str = ""  # minimal cleaned HTML: p, h2-h4, ul/ol/li, blockquote, a
    images: list[Image] = field(default_factory=list)
    word_count: int = 0
    # Whether the page is an article (not a section front, tag page, soft 404 ...), and the
    # score in [0, 1] that decision was taken from.
    is_article: bool = True
    article_score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
