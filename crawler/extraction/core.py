"""Extraction entry point: HTML bytes + URL (+ site rules) -> Article.

Stages, in order (one module each):
1. decode    — bytes to text with the right encoding (decode.py)
2. parse     — one lxml parse of the page (parse.py)
3. metadata  — title, authors, dates, section ... from the whole, uncleaned tree (metadata.py)
4. clean     — drop scripts/JSON state, hidden elements and page furniture: nav, share widgets,
               related lists, newsletter/cookie boxes, ad slots, comments (cleaning.py)
5. content   — find the article region: readability-style scoring of prose containers, or the
               site profile's content selector (content.py)
6. images    — figures of the article with caption and credit, then drop captions (images.py)
7. region    — conditional cleaning of the region by link/text density (cleaning.py)
8. serialise — blocks, filtered by text patterns, to plain text and minimal HTML; body_html
               through the BeautifulSoup allow-list sanitiser (serialise.py, sanitise.py)
9. kind      — is it an article? score from page-kind signals (kind.py)

Generic rules live in patterns.py; a site's `ExtractionRules` add to them.

The page is parsed once, with lxml, and every stage up to the blocks runs on that tree.
BeautifulSoup (with the lxml parser) does one job, where it serves best at a small cost: the
`body_html` sanitiser (`sanitise.sanitise_html`), on the extracted fragment only (5 KB on
average, not the page). There its tree API (unwrap, decompose, attrs) states the allow-list
plainly and its parser tolerates any fragment; a BeautifulSoup tree of the whole page costs
about as much as all of our extraction (the `parse:bs4+lxml` row of the Zyte set's README).
"""

from __future__ import annotations

import logging
import re

from lxml import etree

from crawler.extraction import cleaning, images, kind, serialise
from crawler.extraction import patterns as pt
from crawler.extraction.article import Article, ExtractionError, Image
from crawler.extraction.content import enclosing_article, find_region
from crawler.extraction.metadata import Metadata, extract_metadata
from crawler.extraction.metasources import attributed
from crawler.extraction.parse import parse_page
from crawler.extraction.rules import ExtractionRules
from crawler.extraction.text import WORD, nfc

logger = logging.getLogger(__name__)


def extract(
    html: bytes | str,
    url: str,
    *,
    http_charset: str | None = None,
    rules: ExtractionRules | None = None,
) -> Article:
    """Extract the article of one page. Raises only `ExtractionError` (input is not a page)."""
    return extract_parsed(parse_page(html, http_charset, url=url).root, url, rules=rules)


def extract_parsed(
    root: etree._Element, url: str, *, rules: ExtractionRules | None = None
) -> Article:
    """`extract` on a tree from `parse.parse_page`, which it consumes (cleaning edits it).

    For callers that need the tree before extraction, as replay's page decision does.
    """
    try:
        return _extract(root, url, rules)
    except ExtractionError:
        raise
    except Exception as exc:
        # The contract: ExtractionError is the only exception. A bug in any stage (metadata's
        # included) or a pathological page must not take the crawl down: it is reported as that
        # error, logged with its traceback, the cause attached. The property tests treat such a
        # conversion as a failure, so bugs still surface in the test suite.
        logger.warning("extraction failed for %s", url, exc_info=True)
        raise ExtractionError(f"extraction failed: {type(exc).__name__}: {exc}") from exc


def _extract(root: etree._Element, url: str, rules: ExtractionRules | None) -> Article:
    names, classed = attributed(root)  # one walk for metadata and the cleaner
    meta = extract_metadata(root, url, rules, names)
    page_link_density = _page_link_density(root)

    cleaning.strip_junk(root)
    cleaning.prune_page(root, rules, classed)
    region = find_region(root, rules, meta.title)

    blocks: list[serialise.Block] = []
    found_images = []
    coverage = 0.0
    link_headings = region_paragraphs = 0
    if region is not None:
        coverage = region.coverage
        link_headings = int(sum(pt.XP_LINK_HEADINGS(el) for el in region.elements))
        region_paragraphs = int(sum(pt.XP_PROSE_PARAGRAPHS(el) for el in region.elements))
        found_images = images.extract_images(_image_scopes(region.elements), url, meta.lead_image)
        for el in region.elements:
            cleaning.drop_captions(el)
            cleaning.drop_line_numbers(el)
            cleaning.clean_region(el)
        extra = _compiled(rules.remove_patterns) if rules else ()
        blocks = serialise.filter_blocks(serialise.blocks_of(region.elements), meta.title, extra)
    elif meta.lead_image is not None:
        found_images = [meta.lead_image]

    body = serialise.to_text(blocks)
    words = len(WORD.findall(body))
    score = kind.article_score(
        kind.PageSignals(
            url=url,
            title=meta.title,
            og_type=meta.og_type,
            schema_types=tuple(meta.schema_types),
            words=words,
            paragraphs=sum(1 for b in blocks if b.kind == "p"),
            coverage=coverage,
            page_link_density=page_link_density,
            body_text=body,
            link_headings=link_headings,
            region_paragraphs=region_paragraphs,
            captioned_images=sum(1 for image in found_images if image.caption),
        )
    )
    return _article(url, meta, body, serialise.to_html(blocks, url), found_images, words, score)


def _article(
    url: str,
    meta: Metadata,
    body: str,
    body_html: str,
    imgs: list[Image],
    words: int,
    score: float,
) -> Article:
    return Article(
        url=url,
        canonical_url=meta.canonical_url,
        title=_nfc(meta.title),
        authors=[nfc(name) for name in meta.authors],
        published=meta.published,
        published_raw=meta.published_raw,
        modified=meta.modified,
        modified_raw=meta.modified_raw,
        section=_nfc(meta.section),
        breadcrumbs=[nfc(item) for item in meta.breadcrumbs],
        tags=[nfc(item) for item in meta.tags],
        language=meta.language,
        description=_nfc(meta.description),
        site_name=_nfc(meta.site_name),
        body=body,
        body_html=body_html,
        images=[Image(image.url, _nfc(image.caption), _nfc(image.credit)) for image in imgs],
        word_count=words,
        is_article=score >= 0.5,
        article_score=round(score, 3),
    )


def _nfc(text: str | None) -> str | None:
    return None if text is None else nfc(text)


def _image_scopes(elements: list[etree._Element]) -> list[etree._Element]:
    """Where the article's figures are: the region's enclosing <article>, else its parent (the
    lead photo sits just above the body), else the region itself."""
    first = elements[0]
    article = enclosing_article(first)
    if article is not None:
        return [article]
    parent = first.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        return [parent]
    return list(elements)


def _page_link_density(root: etree._Element) -> float:
    body = root.find("body")
    return 0.0 if body is None else cleaning.link_density(body)


_PATTERN_CACHE: dict[tuple[str, ...], tuple[re.Pattern[str], ...]] = {}


def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    if patterns not in _PATTERN_CACHE:
        out = []
        for p in patterns:
            try:
                out.append(re.compile(p, re.I))
            except re.error:
                logger.warning("ignoring invalid remove pattern %r", p)
        _PATTERN_CACHE[patterns] = tuple(out)
    return _PATTERN_CACHE[patterns]
