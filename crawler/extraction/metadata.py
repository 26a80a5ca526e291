"""Stage 3 — page metadata from the whole (uncleaned) tree: <meta>, JSON-LD, <link>, <title>.

Runs before the body is cleaned and never changes the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.extraction.article import Image
from crawler.extraction.rules import ExtractionRules

_SPACES = re.compile(r"\s+")


@dataclass
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    section: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    lead_image: Image | None = None
    # Page-kind signals for the is-it-an-article decision.
    og_type: str | None = None
    schema_types: tuple[str, ...] = ()


def _meta(root: etree._Element, *keys: str) -> str | None:
    for key in keys:
        for value in root.xpath("//meta[@property=$k or @name=$k]/@content", k=key):
            value = value.strip()
            if value:
                return value
    return None


def extract_metadata(
    root: etree._Element, url: str, rules: ExtractionRules | None = None
) -> Metadata:
    title = _meta(root, "og:title")
    if not title:
        h1 = root.xpath("//h1")
        title = _SPACES.sub(" ", h1[0].text_content()).strip() if h1 else None
    canonical = root.xpath("//link[@rel='canonical']/@href")
    published_raw = _meta(root, "article:published_time", "date")
    modified_raw = _meta(root, "article:modified_time")
    image = _meta(root, "og:image")
    return Metadata(
        title=title,
        authors=[a for a in [_meta(root, "author", "article:author")] if a],
        published=published_raw,
        published_raw=published_raw,
        modified=modified_raw,
        modified_raw=modified_raw,
        section=_meta(root, "article:section"),
        tags=[t.strip() for t in root.xpath("//meta[@property='article:tag']/@content")],
        language=root.get("lang") or _meta(root, "og:locale"),
        description=_meta(root, "og:description", "description"),
        canonical_url=canonical[0].strip() if canonical else None,
        site_name=_meta(root, "og:site_name"),
        lead_image=Image(url=image) if image else None,
        og_type=_meta(root, "og:type"),
    )
