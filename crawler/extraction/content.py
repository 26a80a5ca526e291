"""Stage 4b — main-content detection: which part of the (pruned) page is the article body.

Readability's idea, on lxml: every paragraph of real prose scores its ancestors (by length and
commas, discounted by link density and by distance); containers get a bonus or malus from their
tag and class/id; the best container wins and its siblings that score nearly as well, or are
prose paragraphs themselves, join it (bodies split around ads and embeds). A site profile's
content selector, when it matches, is taken instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from crawler.extraction import patterns as pt
from crawler.extraction.cleaning import (
    _attr_info,
    class_weight,
    is_comment_thread,
    link_density,
    text_len,
)
from crawler.extraction.rules import ExtractionRules
from crawler.extraction.text import COMMAS, clean, is_ancestor, norm, text_of

_SENTENCE_END = re.compile(r"[.!?。！？…»\"”]\s*$|[.!?]\s")
_MIN_PARAGRAPH = 25
_TAG_WEIGHT = {
    "div": 5,
    "article": 10,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
    "body": -10,
}
_DECAY = (1.0, 2.0, 6.0, 9.0, 12.0)
# An ancestor that outscores the one below it is taken as the body if it holds this much more text.
_CLIMB_GAIN = 1.25
_CLIMB_STEPS = 3
# A region element repeating an earlier one, this long or more, is a copy of it.
_MIN_COPY = 200
# A candidate scoring this share of the best one is a strong candidate (`_promote`).
_STRONG = 0.75
# Below this much text, the region found with class weights is tried again without them
# (Readability's charThreshold).
_MIN_BODY = 500


@dataclass
class Region:
    """The article body: one or more elements (siblings, or same-class chunks), in document
    order."""

    elements: list[etree._Element]
    # Share of the page's prose (paragraph text) that the region holds.
    coverage: float


def find_region(
    root: etree._Element, rules: ExtractionRules | None = None, title: str | None = None
) -> Region | None:
    """The article body. `title`, the page's, picks the page's own story out of a stack of
    stories (`titled_story`); a site's content selector is taken as it is."""
    if rules and rules.content_selector:
        try:
            found = [el for el in root.cssselect(rules.content_selector) if text_of(el)]
        except Exception:  # cssselect's SelectorError, lxml's XPath errors: use generic rules
            found = []
        if found:
            return Region(_outermost(found), 1.0)

    scores: dict[etree._Element, float] = {}
    prose = 0
    for p in pt.XP_SCORED(root):
        text = text_of(p)
        if len(text) < _MIN_PARAGRAPH:
            continue
        density = link_density(p, len(text))
        if density > 0.5:
            continue
        prose += len(text)
        _credit(p, _prose_score(text) * (1 - density), scores)
    loose: dict[etree._Element, list[str]] = {}
    for node in pt.XP_LOOSE_TEXT(root):
        block = node.getparent()  # the text's element (or, for a tail, its sibling's parent)
        if node.is_tail and block is not None:
            block = block.getparent()
        while block is not None and block.tag in pt.INLINE_TAGS:
            block = block.getparent()
        if block is not None and block.tag not in ("body", "html"):
            loose.setdefault(block, []).append(str(node))
    for block, texts in loose.items():
        for raw in texts:
            text = clean(raw)
            prose += len(text)
            # Loose text counts for its block as if it were a paragraph inside it.
            score = _prose_score(text)
            scores[block] = scores.get(block, _initial(block)) + score
            _credit(block, score, scores)
    if not scores:
        return None

    elements = _region_elements(root, scores)
    covered = sum(text_len(el) for el in elements)
    if covered < _MIN_BODY and prose > covered:
        # Readability's second try: on a page of little prose, a class or id that looks like
        # content ("main-media-container" around a photo's caption) can outweigh every
        # paragraph; ranked on their text alone, the paragraphs may win.
        unweighted = {el: score - _class_bonus(el) for el, score in scores.items()}
        second = _region_elements(root, unweighted)
        second_covered = sum(text_len(el) for el in second)
        if second_covered > covered:
            elements, covered = second, second_covered
    coverage = min(1.0, covered / prose) if prose else 0.0
    return titled_story(Region(elements, coverage), title)


def _region_elements(root: etree._Element, scores: dict) -> list[etree._Element]:
    """The best candidate by `scores`, walked up and joined by the rest of the body."""
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:8]
    # A comment thread can hold more prose than the story it comments on.
    threads: dict[etree._Element, bool] = {}  # the candidates share most of their ancestors
    ranked = [kv for kv in ranked if not _in_comment_thread(kv[0], threads)] or ranked
    # Scores discounted by link density, computed once per element (the candidates, and the
    # ancestors the walk up looks at, are mostly the same elements). Discounting lowers no score
    # below zero and no positive one above itself: once a raw score is under _STRONG of a
    # positive best, that candidate and the rest can neither win nor count for _promote, and
    # are not measured.
    adjusted: dict[etree._Element, float] = {}
    best = 0.0
    for el, raw in ranked:
        if best > 0 and raw < _STRONG * best:
            break
        score = adjusted[el] = raw * (1 - link_density(el))
        best = max(best, score)
    final = sorted(
        ((score, el) for el, score in adjusted.items()), key=lambda se: se[0], reverse=True
    )
    top_score, top = final[0]
    chosen = _climb(_promote(top, top_score, final), top_score, scores, adjusted)
    if chosen is not top:
        top = chosen
        top_score = max(top_score, _adjusted(top, scores, adjusted))

    elements = _with_chunks(root, _with_siblings(top, top_score, scores), top_score, scores)
    if len(elements) > 1:
        elements = _without_copies(elements)
    return elements


def _initial(el: etree._Element) -> float:
    return float(_TAG_WEIGHT.get(el.tag, 0) + _class_bonus(el))


def _class_bonus(el: etree._Element) -> int:
    """What the page's own markup says of `el`: its class/id, and a body's itemprop."""
    weight = class_weight(el)
    if el.get("itemprop") in ("articleBody", "reviewBody"):
        weight += 50
    return weight


def _prose_score(text: str) -> float:
    """What a piece of prose is worth: one, a point a comma, a point per 100 characters (to 3)."""
    return 1 + len(COMMAS.findall(text)) + min(len(text) / 100, 3)


def _credit(p: etree._Element, score: float, scores: dict) -> None:
    """Add `p`'s score to its ancestors, less with each level up."""
    node = p.getparent()
    for divisor in _DECAY:
        if node is None or not isinstance(node.tag, str) or node.tag == "html":
            break
        if node not in scores:
            scores[node] = _initial(node)
        scores[node] += score / divisor
        node = node.getparent()


def _promote(top: etree._Element, top_score: float, final: list) -> etree._Element:
    """If several strong candidates sit in one ancestor, that ancestor is the body."""
    strong = [el for s, el in final[1:6] if s >= _STRONG * top_score and el is not top]
    if len(strong) < 3:
        return top
    node = top.getparent()
    while node is not None and node.tag not in ("body", "html"):
        inside = sum(1 for el in strong if is_ancestor(node, el))
        if inside >= 3:
            return node
        node = node.getparent()
    return top


def _adjusted(el: etree._Element, scores: dict, adjusted: dict) -> float:
    """`el`'s score discounted by its link density (kept in `adjusted`)."""
    score = adjusted.get(el)
    if score is None:
        score = adjusted[el] = scores.get(el, 0.0) * (1 - link_density(el))
    return score


def _climb(top: etree._Element, top_score: float, scores: dict, adjusted: dict) -> etree._Element:
    """Readability's walk up: if an ancestor scores more than the one below it, the body goes on
    beyond `top` (a story split by headings, lists, tables or figures into sections that each
    score less than the longest)."""
    threshold = top_score / 3
    last = top_score
    node = top.getparent()
    # A few steps only: higher up, an ancestor gets a sixth or less of the credit of the top's
    # paragraphs, and what lifts its score is its own tag and class (a paywall box beside the
    # article, in <main>).
    for _ in range(_CLIMB_STEPS):
        if node is None or node.tag in ("body", "html"):
            break
        raw = scores.get(node)
        if raw is None:
            node = node.getparent()
            continue
        if raw < threshold:  # the discounted score is no more than the raw one
            break
        score = _adjusted(node, scores, adjusted)
        if score < threshold:
            break
        if score > last:
            # Only for more text: a wrapper that adds a standfirst or a byline is no more body.
            return node if text_len(node) >= _CLIMB_GAIN * text_len(top) else top
        last = score
        node = node.getparent()
    return top


def _with_siblings(top: etree._Element, top_score: float, scores: dict) -> list[etree._Element]:
    """`top` and the siblings that continue it: its own, else those of its outermost wrapper."""
    out = _siblings(top, top_score, scores)
    if len(out) == 1:
        outer = _outer_wrapper(top)
        if outer is not top:
            sections = _sections(outer)
            if len(sections) > 1:
                return sections
            parent = outer.getparent()
            if parent is not None and _continues_paragraphs(parent, outer):
                return [parent]
    return out


def _continues_paragraphs(parent: etree._Element, outer: etree._Element) -> bool:
    """Whether `outer` is one part of a body whose other parts are plain paragraphs beside it
    (a CMS's text-and-image block inside the story's own paragraphs): two prose paragraphs or
    more among `parent`'s children, holding most of the text `outer` lacks."""
    if parent.tag in ("body", "html") or _is_other_content(parent):
        return False
    paragraphs = [
        length
        for child in parent
        if child.tag == "p"
        and (length := text_len(child)) > 80
        and link_density(child, length) < 0.25
    ]
    extra = text_len(parent) - text_len(outer)
    return len(paragraphs) >= 2 and sum(paragraphs) >= 0.5 * extra


def _sections(outer: etree._Element) -> list[etree._Element]:
    """`outer` and its siblings built alike (same tag, same class) that hold prose: the other
    sections of a body cut by rules or headings into <section class="s"><div><div>text. The
    headline's row of a grid ("row-fluid" like the body's) counts without its <h1>: a byline
    under it is no section of the body."""
    cls = outer.get("class")
    parent = outer.getparent()
    if not cls or parent is None:
        return [outer]
    return [
        sib
        for sib in parent
        if sib is outer
        or (
            sib.tag == outer.tag
            and sib.get("class") == cls
            and _is_prose(sib, sum(text_len(h) for h in sib.iter("h1")))
            and not _is_other_content(sib)
        )
    ]


def _siblings(top: etree._Element, top_score: float, scores: dict) -> list[etree._Element]:
    parent = top.getparent()
    if parent is None or top.tag in ("body", "html"):
        return [top]
    threshold = max(10.0, top_score * 0.2)
    top_class = top.get("class") or ""
    out = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is top:
            out.append(sib)
            continue
        if _is_other_content(sib):
            continue
        bonus = top_score * 0.2 if top_class and sib.get("class") == top_class else 0.0
        if sib in scores and scores[sib] + bonus >= threshold:
            out.append(sib)
        elif sib.tag == "p":
            text = text_of(sib)
            density = link_density(sib, len(text))
            if (len(text) > 80 and density < 0.25) or (
                0 < len(text) <= 80 and density == 0 and _SENTENCE_END.search(text)
            ):
                out.append(sib)
    return out


def _without_copies(elements: list[etree._Element]) -> list[etree._Element]:
    """The region's elements less those that repeat an earlier one word for word: templates
    that print the body twice ("content-body", then "content-continued-body" with the same
    text), one copy for each layout."""
    kept: list[etree._Element] = []
    seen: dict[int, list[str]] = {}
    for el in elements:
        length = text_len(el)
        if length >= _MIN_COPY:
            text = text_of(el)
            if text in seen.setdefault(length, []):
                continue
            seen[length].append(text)
        kept.append(el)
    return kept


def _outer_wrapper(top: etree._Element) -> etree._Element:
    """The outermost ancestor of `top` that adds no text to it: its siblings are the body's other
    sections when each section sits in wrappers of its own (<section><div><div>text)."""
    node = top
    parent = node.getparent()
    while parent is not None and parent.tag not in ("body", "html") and _only_text(parent, node):
        node = parent
        parent = node.getparent()
    return node


def _only_text(parent: etree._Element, child: etree._Element) -> bool:
    """Whether all of `parent`'s text is `child`'s (its other children hold none: empty ad slots,
    images). Stops at the first text found elsewhere, as most parents have some."""
    if (parent.text or "").strip() or (child.tail or "").strip():
        return False
    for other in parent:
        if other is not child and (
            (other.tail or "").strip() or any(t.strip() for t in other.itertext())
        ):
            return False
    return True


def _with_chunks(
    root: etree._Element, elements: list[etree._Element], top_score: float, scores: dict
) -> list[etree._Element]:
    """Bodies cut into chunks ("article__body" repeated around ads, a lead paragraph set apart
    from the rest): elements elsewhere in the same story that hold prose and share the region's
    content class join it, in document order."""
    keys = {key for el in elements if (key := _chunk_key(el))}
    if not keys:
        return elements
    threshold = max(10.0, top_score * 0.2)
    story = enclosing_article(elements[0])
    found: list[etree._Element] = []
    for el in _XP_CLASSED_ANY(root):
        if (
            _chunk_key(el) in keys
            and el not in elements
            and el not in found
            and enclosing_article(el) is story  # not the next story of an endless-scroll page
            and (scores.get(el, 0.0) >= threshold or _is_prose(el))
            and not _is_other_content(el)
        ):
            found.append(el)
    if not found:
        return elements
    merged = _outermost(elements + found)
    merged.sort(key=_XP_POSITION)  # document order
    return merged


def _chunk_key(el: etree._Element) -> str | None:
    """What chunks of one body share: the first class name when it names content on its own
    ("article-body-text component version-2" ~ "article-body-text component"), else the whole
    class attribute when that does ("grid--item body article__body")."""
    cls = " ".join((el.get("class") or "").split())
    if not cls:
        return None
    first = cls.split(" ", 1)[0]
    info = _attr_info(first, "")
    if info.content or info.body:
        return first
    info = _attr_info(cls, "")
    return cls if info.content or info.body else None


_XP_CLASSED_ANY = etree.XPath("//*[@class]")
_XP_POSITION = etree.XPath("count(preceding::*) + count(ancestor::*)")


def _in_comment_thread(el: etree._Element, known: dict[etree._Element, bool]) -> bool:
    """Whether `el` or an ancestor below the body is a comment thread; `known` keeps each
    ancestor's verdict for the next candidate."""
    node: etree._Element | None = el
    while node is not None and node.tag not in ("body", "html"):
        verdict = known.get(node)
        if verdict is None:
            verdict = known[node] = is_comment_thread(node)
        if verdict:
            return True
        node = node.getparent()
    return False


def _is_other_content(el: etree._Element) -> bool:
    """Prose next to the body that is not the body: a list of teasers (headline links with
    summaries) or a comment thread (under a "12 comments" heading)."""
    link_headings = pt.XP_LINK_HEADINGS(el)
    if link_headings >= 3 and 2 * link_headings >= pt.XP_PROSE_PARAGRAPHS(el):
        return True
    return is_comment_thread(el)


def _is_prose(el: etree._Element, besides: int = 0) -> bool:
    """Over 80 characters of text, `besides` not counted, less than a quarter of it linked."""
    length = text_len(el)
    return length - besides > 80 and link_density(el, length) < 0.25


def enclosing_article(el: etree._Element) -> etree._Element | None:
    """The nearest <article> above `el` (a chunk of the body belongs to the same one)."""
    node = el.getparent()
    while node is not None:
        if node.tag == "article":
            return node
        node = node.getparent()
    return None


def _outermost(found: list[etree._Element]) -> list[etree._Element]:
    return [el for el in found if not any(o is not el and is_ancestor(o, el) for o in found)]


# A story of a stack is taken for the page's own only with this much text.
_MIN_STORY = 500


def titled_story(region: Region, title: str | None) -> Region:
    """The page's own story, when the region found is a stack of stories: an infinite-scroll
    page appends the next articles below the first, a briefs page lists the day's stories,
    and their common container outscores each of them. The story is the one of the stack's
    outermost <article> elements whose heading is the page's title; the region is left as it
    is when none or several are, or when that story is short. The coverage stays the stack's:
    the page's prose is the stack's, and a page kind judged on one story of eight would take
    the article for a teaser."""
    if not title or len(region.elements) != 1:
        return region
    container = region.elements[0]
    stories = _outermost([el for el in container.iter("article") if el is not container])
    if len(stories) < 2:
        return region
    key = norm(title)
    titled = [el for el in stories if _headed_by(el, key)]
    if len(titled) != 1 or text_len(titled[0]) < _MIN_STORY:
        return region
    return Region(titled, region.coverage)


def _headed_by(story: etree._Element, key: str) -> bool:
    heading = next(story.iter("h1", "h2", "h3"), None)
    if heading is None or not key:
        return False
    text = norm(heading.text_content())
    return text == key or (min(len(text), len(key)) >= 20 and (key in text or text in key))
