"""One archived HTML page -> the spider's decision -> the crawl's article document.

The spider decides on Scrapy objects; replay has none, so it rebuilds what the spider looks
at with the very libraries Scrapy uses to make those objects (Scrapy 2.19):

* `response.text` — `TextResponse.encoding` (BOM, `Content-Type` charset, `<meta>` charset,
  then ascii/utf-8/charset-normalizer detection) and w3lib's `html_to_unicode`;
* `response.selector.root` — a parsel `Selector` of type html over that text, whose base URL
  is w3lib's `get_base_url` of the first 4,096 characters (so `<base href>` counts);
* `MetaRefreshMiddleware` — a page whose `<meta http-equiv=refresh>` sends the crawler
  elsewhere within 100 s is never parsed by the spider, so replay skips it too.

Then it asks `crawler.pagekind.looks_like_article` and computes the canonical URL exactly as
`NewsSpider._article_page` does, and extracts with the functions the crawl's extraction
pipeline calls. This module runs in worker processes.

One parse serves both: the extractor parses the page first, and when its decoded text is
Scrapy's `response.text` (and no control character was deleted, and the text has no Unicode
blanks at its ends for parsel to strip) that tree holds the same elements, attributes and
script text as the selector's, so the decision is made on it. Otherwise the selector is
built as Scrapy builds it. Both ways give one decision (tests/replay/test_pages_like_scrapy.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from charset_normalizer import from_bytes
from parsel import Selector
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)
from w3lib.html import get_base_url, get_meta_refresh

from archive.replay.codings import NO_CODINGS, BodyDecodeError, Codings
from archive.warc.capture import Capture
from crawler.article_record import ArticleDocument, article_record
from crawler.extraction import ExtractionError, ParsedPage, extract_parsed, parse_page
from crawler.pagekind import (
    declared_canonical,
    dedup_canonical,
    http_charset,
    looks_like_article,
)
from crawler.siteprofile import SiteProfile

logger = logging.getLogger(__name__)

# scrapy.settings.default_settings: METAREFRESH_MAXDELAY, METAREFRESH_IGNORE_TAGS.
META_REFRESH_MAX_DELAY = 100
META_REFRESH_IGNORE_TAGS: tuple[str, ...] = ()
_ASCII_BLANKS = " \t\n\r"


@dataclass(frozen=True)
class Page:
    """An archived HTML response.

    `stored` is the payload as the WARC holds it and `body` the one Scrapy would have handed
    the spider, `codings` undone on first use. The reader leaves that to the worker that
    extracts the page: an encoded page is a fifth of the bytes to move between processes,
    and the decompression runs on every core.
    """

    url: str
    stored: bytes
    content_type: str  # the last Content-Type value, '' when there is none
    capture: Capture
    codings: Codings = NO_CODINGS

    @cached_property
    def body(self) -> bytes:
        """The decoded body; `BodyDecodeError` when it cannot be decoded."""
        return self.codings.undo(self.stored)


@dataclass(frozen=True)
class Outcome:
    """What the spider and the extraction pipeline would have made of one page.

    `canonical` is None when the spider would not have handed the page on (not an article by
    its cheap signals, or a meta-refresh redirect); otherwise `record` is the article document,
    or None when extraction vetoed the page or failed (`error`).
    """

    url: str
    canonical: str | None
    record: ArticleDocument | None = None
    error: str | None = None


def _auto_detect(body: bytes) -> str | None:
    # scrapy.http.TextResponse._auto_detect_fun
    for encoding in ("ascii", "utf-8"):
        try:
            body.decode(encoding)
        except UnicodeError:
            continue
        return resolve_encoding(encoding)
    match = from_bytes(body).best()
    return resolve_encoding(match.encoding) if match else None


def scrapy_text(body: bytes, content_type: str) -> tuple[str, str]:
    """(encoding, text) of a body as `TextResponse.encoding` and `.text` compute them."""
    encoding = (
        read_bom(body)[0]
        or http_content_type_encoding(content_type)
        or html_body_declared_encoding(body)
    )
    if not encoding:
        encoding, _ = html_to_unicode(
            content_type, body, auto_detect_fun=_auto_detect, default_encoding="ascii"
        )
    return encoding, html_to_unicode(f"charset={encoding}", body)[1]


def is_meta_refresh_redirect(head: str, base_url: str, encoding: str) -> bool:
    """Whether Scrapy's MetaRefreshMiddleware would replace this response by a redirect."""
    interval, target = get_meta_refresh(
        head, base_url, encoding, ignore_tags=META_REFRESH_IGNORE_TAGS
    )
    if not target or urlsplit(target).scheme not in ("http", "https"):
        return False
    return float(interval) < META_REFRESH_MAX_DELAY


def _same_tree_as_selector(parsed: ParsedPage | None, text: str) -> bool:
    """Whether `parsed.root` stands for `Selector(text=text)` (see the module docstring)."""
    return (
        parsed is not None
        and not parsed.controls_deleted
        and parsed.text == text
        and len(text.strip()) == len(text.strip(_ASCII_BLANKS))
    )


def decide(page: Page, profile: SiteProfile, parsed: ParsedPage | None = None) -> str | None:
    """The spider's decision: the canonical URL when the page is handed to extraction.

    `parsed` is the extractor's parse of the page, used instead of a selector when it can be.
    """
    encoding, text = scrapy_text(page.body, page.content_type)
    head = text[:4096]
    base_url = get_base_url(head, page.url, encoding)
    if is_meta_refresh_redirect(head, base_url, encoding):
        return None
    if _same_tree_as_selector(parsed, text):
        root = parsed.root
    else:
        root = Selector(text=text, type="html", base_url=base_url).root
    if not looks_like_article(page.url, root, profile):
        return None
    declared = declared_canonical(root)
    return dedup_canonical(declared, base_url, page.url)


def process_page(page: Page, profile: SiteProfile) -> Outcome:
    """Decide, then extract: the spider's `parse_page` plus the extraction pipeline.

    Failures read as the crawl's extraction pipeline words them.
    """
    try:
        body = page.body
    except BodyDecodeError as exc:  # Scrapy would have dropped the response
        where = f"record at offset {page.capture.warc_offset} of {page.capture.warc_file}"
        return Outcome(page.url, None, error=f"{exc} ({where})")
    parsed: ParsedPage | None = None
    unreadable: Exception | None = None
    try:
        parsed = parse_page(body, http_charset(page.content_type), url=page.url)
    except Exception as exc:  # raised below if the page is to be extracted; the selector decides
        unreadable = exc
    try:
        canonical = decide(page, profile, parsed)
    except Exception as exc:  # a page the spider's Scrapy objects would also choke on
        logger.warning("cannot parse %s: %s", page.url, exc, exc_info=True)
        return Outcome(page.url, None, error=f"cannot parse: {exc!r}")
    if canonical is None:
        return Outcome(page.url, None)
    try:
        if parsed is None:
            raise unreadable or ExtractionError("cannot parse HTML")
        article = extract_parsed(parsed.root, page.url, rules=profile.extraction)
        record = article_record(article, page.url, site=profile.name, capture=page.capture)
    except ExtractionError as exc:
        return Outcome(page.url, canonical, error=f"cannot extract: {exc}")
    except Exception as exc:
        logger.error("extractor crashed on %s", page.url, exc_info=True)
        return Outcome(page.url, canonical, error=f"extractor crashed: {exc!r}")
    return Outcome(page.url, canonical, None if record is None else ArticleDocument(record))


def process_batch(batch: list[tuple[Page, SiteProfile]]) -> list[Outcome]:
    """Worker entry point: a batch keeps inter-process traffic to a few messages per MB."""
    return [process_page(page, profile) for page, profile in batch]
