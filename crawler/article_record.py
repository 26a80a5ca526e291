"""From a captured page to the article JSON document: the one path crawl and replay share.

Everything a record holds comes from the page bytes, its URL, the site profile and the
capture pointer, so replaying a WARC gives the same JSON as the live crawl that wrote it
(only `extracted_at` differs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from archive.layout import article_id, encode_article
from archive.warc.capture import Capture
from crawler import __version__
from crawler.extraction import Article, ExtractionRules, extract
from crawler.urls import absolute, strip_tracking

EXTRACTOR = f"newsarchive/{__version__}"


class ArticleDocument(dict[str, Any]):
    """An article JSON document, the crawl's one article item, with its bytes (`encoded`).

    A `dict` of exactly the document's fields, so that feed exports (`scrapy crawl news
    -o items.jsonl`), itemadapter and anything else reading items see the plain mapping
    the JSON file holds; `encoded` is an attribute, never a field.

    `encoded` is `archive.layout.encode_article` of the fields, made on construction. It is
    made once, where extraction runs (a worker process), so the crawl process only writes
    bytes: to OUT/articles and as the WARC conversion record. A step that changes the
    document makes a new one with `with_fields`, which encodes again; changing the mapping
    in place would leave `encoded` stale.
    """

    __slots__ = ("encoded",)  # no attribute besides `encoded`; pickles with the document

    encoded: bytes

    def __init__(self, fields: Mapping[str, Any]) -> None:
        super().__init__(fields)
        self.encoded = encode_article(self)

    def with_fields(self, **fields: Any) -> ArticleDocument:
        """A copy with `fields` set (an existing field keeps its place), encoded again."""
        return ArticleDocument({**self, **fields})

    def image_urls(self) -> list[str]:
        return [i["url"] for i in self.get("images") or () if isinstance(i, dict) and i.get("url")]

    def with_image_captures(self, capture_of: Callable[[str], Capture | None]) -> ArticleDocument:
        """A copy whose images point at where each was archived (`capture_of` an image URL;
        None: not archived). The one place crawl and replay fill `images[].capture`."""
        images = [
            {**image, "capture": None if (found := capture_of(image.get("url") or "")) is None
             else found.to_dict()}
            if isinstance(image, dict) else image
            for image in self.get("images") or ()
        ]  # fmt: skip
        return self.with_fields(images=images)


def build_article_document(html: bytes, url: str, **kwargs: Any) -> ArticleDocument | None:
    """`build_article_record` as the crawl's item (see `ArticleDocument`)."""
    record = build_article_record(html, url, **kwargs)
    return None if record is None else ArticleDocument(record)


def canonical_url(declared: str | None, url: str) -> str:
    """The page's declared canonical URL when usable, else its URL without tracking noise."""
    resolved = absolute(declared, url)
    return strip_tracking(resolved or url)


def build_article_record(
    html: bytes,
    url: str,
    *,
    site: str,
    capture: Capture,
    http_charset: str | None = None,
    rules: ExtractionRules | None = None,
) -> dict[str, Any] | None:
    """Extract `html`; the article JSON document, or None when the page is no article.

    Raises `ExtractionError` when the bytes are not a readable HTML page.
    """
    article = extract(html, url, http_charset=http_charset, rules=rules)
    return article_record(article, url, site=site, capture=capture)


def article_record(
    article: Article, url: str, *, site: str, capture: Capture
) -> dict[str, Any] | None:
    """The JSON document of an extracted page, or None when the page is no article."""
    if not article.is_article:
        return None
    fields = article.to_dict()
    canonical = canonical_url(fields.pop("canonical_url"), url)
    fields.pop("url")
    fields.pop("is_article")
    # Where each image was archived is the crawl's (or replay's) to say: null until then.
    fields["images"] = [{**image, "capture": None} for image in fields["images"]]
    return {
        "id": article_id(canonical),
        "url": url,
        "canonical_url": canonical,
        "site": site,
        "version": 1,  # the article store numbers later versions (content changed)
        **fields,
        "capture": capture.to_dict(),
        "extractor": EXTRACTOR,
        "extracted_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
