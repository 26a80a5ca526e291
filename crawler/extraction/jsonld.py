"""JSON-LD blocks of a page (`<script type="application/ld+json">`) → schema.org nodes.

Pages ship broken JSON-LD (trailing commas, raw newlines in strings, HTML comments, several
objects in one block); what cannot be repaired cheaply is skipped, never raised.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle",
        "SatiricalArticle", "BlogPosting", "LiveBlogPosting", "Report", "ScholarlyArticle",
        "TechArticle", "SocialMediaPosting", "DiscussionForumPosting", "Review", "Blog",
    }
)  # fmt: skip
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "CollectionPage", "AboutPage", "ProfilePage"})
PERSON_TYPES = frozenset({"Person"})

_JSONLD_SCRIPTS = etree.XPath(
    "//script[translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'application/ld+json']"
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_CONTROL = re.compile(r"[\x00-\x1f]")
# Properties whose values are entities of the page itself rather than attributes of one.
_ENTITY_KEYS = ("@graph", "mainEntity", "mainEntityOfPage")


def type_names(node: dict[str, Any]) -> list[str]:
    """`@type` as a list of bare names ("http://schema.org/NewsArticle" → "NewsArticle")."""
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return [v.rstrip("/").rsplit("/", 1)[-1] for v in values if isinstance(v, str) and v.strip()]


@dataclass
class JsonLd:
    """The page's JSON-LD: its top-level entities and an index of everything with an `@id`."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def types(self) -> tuple[str, ...]:
        """Every `@type` of the page's entities: top level, `@graph`, `mainEntity`; in order."""
        seen: dict[str, None] = {}
        for node in self.entities:
            for name in type_names(node):
                seen.setdefault(name, None)
        return tuple(seen)

    def resolve(self, value: Any) -> Any:
        """Follow an `{"@id": ...}` reference to the node it names, when the page has it."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.by_id.get(str(value["@id"]), value)
        return value

    def of_types(self, types: frozenset[str]) -> Iterator[dict[str, Any]]:
        for node in self.entities:
            if types.intersection(type_names(node)):
                yield node

    def article(self) -> dict[str, Any] | None:
        """The page's article node (the first of an article type), else its WebPage node."""
        return next(self.of_types(ARTICLE_TYPES), None) or next(self.of_types(PAGE_TYPES), None)


def _loads(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    repaired = _WRAPPERS.sub("", text)
    repaired = _TRAILING_COMMA.sub(r"\1", repaired)
    repaired = _CONTROL.sub(" ", repaired)
    try:
        return json.loads(repaired, strict=False)
    except ValueError:
        pass
    # Several objects one after the other in one block.
    decoder = json.JSONDecoder(strict=False)
    values, index = [], 0
    while index < len(repaired):
        while index < len(repaired) and repaired[index] in " \t\r\n;,":
            index += 1
        if index >= len(repaired):
            break
        try:
            value, index = decoder.raw_decode(repaired, index)
        except ValueError:
            break
        values.append(value)
    return values or None


def _collect(value: Any, out: JsonLd, depth: int = 0) -> None:
    """Add the entities in `value` (dict, list, @graph, mainEntity) to `out`."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            _collect(item, out, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if type_names(value):
        out.entities.append(value)
    for key in _ENTITY_KEYS:
        if key in value:
            _collect(value[key], out, depth + 1)


def _index(value: Any, out: JsonLd, depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            _index(item, out, depth + 1)
    elif isinstance(value, dict):
        node_id = value.get("@id")
        if isinstance(node_id, str) and len(value) > 2:
            out.by_id.setdefault(node_id, value)
        for item in value.values():
            if isinstance(item, (dict, list)):
                _index(item, out, depth + 1)


def read_jsonld(root: etree._Element, scripts: Iterable[etree._Element] | None = None) -> JsonLd:
    """All JSON-LD of the page; blocks that do not parse are skipped.

    `scripts`: the page's <script> elements when the caller has already collected them.
    """
    result = JsonLd()
    if scripts is None:
        candidates = _JSONLD_SCRIPTS(root)
    else:
        candidates = [
            s for s in scripts if (s.get("type") or "").strip().lower() == "application/ld+json"
        ]
    for script in candidates:
        data = _loads(script.text or "")
        if data is None:
            logger.debug("skipping unreadable JSON-LD block")
            continue
        _collect(data, result)
        _index(data, result)
    return result
