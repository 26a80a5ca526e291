"""Extraction entry point: HTML bytes + URL (+ site rules) -> Article.

Stages, in order (one module each):
1. decode    — bytes to text with the right encoding (decode.py)
2. parse     — one lxml parse of the page
3. metadata  — title, authors, dates, section ... from the whole tree (metadata.py)
4. content   — find the article body and clean it
5. serialise — plain text and minimal HTML

A first, deliberately simple body stage (the <p> elements of <article>/<main>); the
extraction issue replaces it.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from crawler.extraction.article import Article, ExtractionError
from crawler.extraction.decode import detect_encoding
from crawler.extraction.metadata import extract_metadata
from crawler.extraction.rules import ExtractionRules

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def _text(node: etree._Element) -> str:
    return _SPACES.sub(" ", node.text_content()).strip()


def extract(
    html: bytes | str,
    url: str,
    *,
    http_charset: str | None = None,
    rules: ExtractionRules | None = None,
) -> Article:
    if isinstance(html, str):
        html = html.encode("utf-8")
        http_charset = "utf-8"
    if not html.strip():
        raise ExtractionError("empty document")
    parser = lxml.html.HTMLParser(encoding=detect_encoding(html, http_charset))
    try:
        root = lxml.html.fromstring(html, parser=parser)
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise ExtractionError(f"cannot parse HTML: {exc}") from exc

    meta = extract_metadata(root, url, rules)

    for junk in root.xpath("//script|//style|//noscript"):
        junk.drop_tree()
    container = None
    if rules and rules.content_selector:
        found = root.cssselect(rules.content_selector)
        container = found[0] if found else None
    if container is None:
        found = root.xpath("//article|//main")
        container = found[0] if found else root
    paragraphs = [t for t in (_text(p) for p in container.iter("p")) if t]
    body = "\n\n".join(paragraphs)

    return Article(
        url=url,
        canonical_url=meta.canonical_url,
        title=meta.title,
        authors=meta.authors,
        published=meta.published,
        published_raw=meta.published_raw,
        modified=meta.modified,
        modified_raw=meta.modified_raw,
        section=meta.section,
        breadcrumbs=meta.breadcrumbs,
        tags=meta.tags,
        language=meta.language,
        description=meta.description,
        site_name=meta.site_name,
        body=body,
        body_html="".join(f"<p>{p}</p>" for p in paragraphs),
        images=[meta.lead_image] if meta.lead_image else [],
        word_count=len(_WORD.findall(body)),
        is_article=bool(paragraphs),
        article_score=1.0 if paragraphs else 0.0,
    )
