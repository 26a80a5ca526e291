"""Stage 4a — boilerplate removal on the lxml tree.

Two passes. `prune_page` runs on the whole page before the article is looked for: it drops what
is never article text (scripts and embedded JSON state, form controls, hidden elements) and page
furniture recognised by semantics (nav/aside/footer, ARIA roles) and by class/id tokens (share
widgets, related and most-read lists, newsletter and cookie boxes, ad slots, comments, author
boxes, breadcrumbs), but never an element that holds the marked article body. `clean_region`
runs on the chosen article region only: conditional removal by link and text density
(readability-style), which would be too costly and too risky on the whole page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from crawler.extraction import patterns as pt
from crawler.extraction.metasources import Classed, attributed
from crawler.extraction.rules import ExtractionRules
from crawler.extraction.text import COMMAS, clean, raw_text, text_of

# Text nodes under links. Written as one descendant step with a predicate: the
# "//a//text()" form makes libxml2 merge one node-set per link, quadratic on link-heavy pages
# (20,000 links: 334 ms against 22), though it is 0.08 ms a page faster on the Zyte set.
_XP_LINK_TEXT = etree.XPath("descendant::text()[ancestor::a]", smart_strings=False)
_XP_TEXT_LEN = etree.XPath("string-length(normalize-space())")


def drop(el: etree._Element) -> None:
    """Remove `el` and its content, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def text_len(el: etree._Element) -> int:
    """Length of the element's whitespace-normalised text (computed in C)."""
    return int(_XP_TEXT_LEN(el))


def link_density(el: etree._Element, text_len: int | None = None) -> float:
    total = int(_XP_TEXT_LEN(el)) if text_len is None else text_len
    if total == 0:
        return 0.0
    linked = len(clean(" ".join(_XP_LINK_TEXT(el))))
    return min(1.0, linked / total)


class AttrInfo(NamedTuple):
    """What an element's class and id say about it (computed once per distinct value pair).

    A named tuple, not a frozen dataclass: built in a third of the time, and a page of a site
    not seen before brings a hundred new pairs."""

    tokens: tuple[str, ...]
    boilerplate: bool
    large_boilerplate: bool  # comment threads: removed whatever their size
    caption: bool
    content: bool
    body: bool  # a class naming exactly the article body ("article-body", "entry-content")

    @property
    def weight(self) -> int:
        """Readability's class weight: + for content-like class/id, - for boilerplate-like."""
        return (
            (-25 if self.boilerplate else 0)
            + (25 if self.content else 0)
            + (25 if self.body else 0)
        )


@lru_cache(maxsize=16384)
def _attr_info(cls: str, ident: str) -> AttrInfo:
    # Cached, and kept cheap on a miss (token sets tested in C, each class name's tokens cached):
    # a page of a site not seen before brings 60-110 new class/id pairs.
    tokens = pt.class_tokens(cls)
    # Ids built from the headline slug ("nasa-moon-shot-...-191119") say nothing.
    if ident and ident.count("-") + ident.count("_") < 4:
        tokens += pt.tokens_of(ident)
    boilerplate = not pt.BOILERPLATE_TOKEN_SET.isdisjoint(tokens) or bool(
        tokens and pt.BOILERPLATE_COMPOUND_RE.search("".join(tokens))
    )
    if boilerplate and not pt.EMBED_TOKENS.isdisjoint(tokens):
        boilerplate = False
    return AttrInfo(
        tokens=tuple(tokens),
        boilerplate=boilerplate,
        large_boilerplate=not pt.LARGE_BOILERPLATE_TOKENS.isdisjoint(tokens),
        caption=not pt.CAPTION_TOKEN_SET.isdisjoint(tokens),
        content=not pt.CONTENT_TOKEN_SET.isdisjoint(tokens),
        body=bool(pt.maybe_body_class(cls) and pt.BODY_CLASS_RE.search(cls)),
    )


def attr_info(el: etree._Element) -> AttrInfo:
    return _attr_info(el.get("class") or "", el.get("id") or "")


def class_weight(el: etree._Element) -> int:
    return attr_info(el).weight


def _marked_bodies(classed: list[tuple[etree._Element, AttrInfo]]) -> list[etree._Element]:
    """Elements the page marks as its article body (itemprop or a body-like class)."""
    return [
        el
        for el, info in classed
        if (info.body or el.get("itemprop") in pt.BODY_ITEMPROPS) and text_len(el) >= 200
    ]


def _protected(bodies: Iterable[etree._Element]) -> set[etree._Element]:
    keep: set[etree._Element] = set()
    for el in bodies:
        node: etree._Element | None = el
        while node is not None and node not in keep:
            keep.add(node)
            node = node.getparent()
    return keep


def strip_junk(root: etree._Element) -> None:
    """Drop scripts, styles, embedded JSON state, form controls, media players, hidden elements."""
    for el in list(root.iter(*_CONTROLS)):
        if _holds_prose(el):
            el.drop_tag()  # a parse accident, not a control: keep what it swallowed
    for el in list(root.iter(*pt.JUNK_TAGS)):
        if el.getparent() is not None:
            drop(el)
    for el in hidden(root):
        if el.tag not in ("html", "body") and el.getparent() is not None:
            drop(el)


# Form controls that libxml2 leaves open when their content is malformed (an unclosed <div> in
# a <button>): the rest of the page, article included, then sits inside them. Browsers close
# them at their end tag.
_CONTROLS = ("button", "label")


def _holds_prose(el: etree._Element) -> bool:
    """Whether a control holds paragraphs or an article: no control does, unless the parser
    put the page inside it."""
    return next(el.iter("p", "article", "main"), None) is not None and text_len(el) >= 200


# Style values with case and the characters ": " ignored, as XPath's translate() would do it.
_DISPLAY = str.maketrans("DISPLAYNOE", "displaynoe", ": ")
_VISIBILITY = str.maketrans("VISIBLTYHD", "visibltyhd", ": ")


def hidden(root: etree._Element) -> list[etree._Element]:
    """Elements hidden from readers, in document order: with a hidden attribute,
    aria-hidden="true", or a style that says display:none or visibility:hidden."""
    found: dict[etree._Element, None] = {}
    for value in pt.XP_HIDING_ATTRS(root):
        name = value.attrname
        if (
            name == "hidden"
            or (name == "aria-hidden" and value == "true")
            or (
                name == "style"
                and (
                    "displaynone" in value.translate(_DISPLAY)
                    or "visibilityhidden" in value.translate(_VISIBILITY)
                )
            )
        ):
            found.setdefault(value.getparent(), None)
    return list(found)


def prune_page(
    root: etree._Element,
    rules: ExtractionRules | None = None,
    candidates: list[Classed] | None = None,
) -> None:
    """Remove page furniture and boilerplate widgets from the whole page (in place).

    `candidates`: the page's elements with a class, id, role or itemprop, and their class and
    id, when the caller listed them before cleaning (`metasources.attributed`); those dropped
    since are skipped."""
    if rules and rules.remove_selectors:
        for selector in rules.remove_selectors:
            for el in _select(root, selector):
                drop(el)
    # What each class/id says, looked up once per element. The list also holds every element
    # with an itemprop or a role: the marked bodies and the ARIA furniture come from it, not from
    # walks of their own.
    if candidates is None:
        candidates = _classed(root)
    classed = [(el, _attr_info(cls, ident)) for el, cls, ident in candidates]
    keep = _protected(_marked_bodies(classed))
    # An element holding most of the page's paragraph text is not a widget, whatever its class
    # says ("main has-sidebar", WordPress's "tag-<slug>"), except comment threads, which can
    # outgrow the article.
    prose = _prose_len(root)
    big = max(200.0, 0.4 * prose)
    furniture: list[tuple[etree._Element, int]] = []  # dropped from the page, with their prose
    for el in list(root.iter(*pt.FURNITURE_TAGS)):
        if el in keep:
            continue
        # <header> and <aside> are sometimes misused as wrappers of the whole article.
        length = _prose_len(el) if el.tag in ("header", "aside") else -1
        if length < big:
            if _in_page(el, root):
                furniture.append((el, length))
            drop(el)
    # The widgets below are measured against the paragraph text left once the furniture is gone
    # (a footer's or a menu's paragraphs make no short article smaller); worked out only for an
    # element of 200 characters or more, as most widgets are smaller.
    left: list[float] = []

    def small(el: etree._Element) -> bool:
        length = _prose_len(el)
        if length < 200:
            return True
        if not left:
            gone = sum(n if n >= 0 else _prose_len(f) for f, n in furniture)
            left.append(max(200.0, 0.4 * (prose - gone)))
        return length < left[0]

    # Most candidates below (nine in ten on the Zyte set) sit in a subtree dropped before them,
    # a <nav> or <footer> say: they are skipped, not measured and dropped in vain.
    for el, _ in classed:
        if (
            el.get("role") in pt.FURNITURE_ROLES
            and el not in keep
            and _in_page(el, root)
            and small(el)
        ):
            drop(el)
    for el, info in classed:
        if (
            info.boilerplate
            and not info.caption
            and el.tag not in _NEVER_PRUNED
            and not _in_sentence(el)
            and el not in keep
            and _in_page(el, root)
            and (info.large_boilerplate or small(el))
            and not _body_wrapper(el, info)
            and not _lead_paragraph(el, info)
        ):
            drop(el)


# Class words that name an article body, and the paragraph text that makes a boilerplate-classed
# element a wrapper of one rather than a widget.
_BODY_WORDS = frozenset({"body", "bodytext", "articlebody", "storybody", "postbody"})
_WRAPPED_BODY = 1000
_LEAD = 80


def _body_wrapper(el: etree._Element, info: AttrInfo) -> bool:
    """Whether a boilerplate-classed element also names a body and holds one: the wrapper of a
    story and its share buttons ("sr-body-share-wrapper") is not a share widget. Only "body"
    words count: "text" is also Tailwind's ("text-18"), on newsletter boxes as on anything."""
    return not _BODY_WORDS.isdisjoint(info.tokens) and _prose_len(el) >= _WRAPPED_BODY


def _lead_paragraph(el: etree._Element, info: AttrInfo) -> bool:
    """Whether a "teaser" is the story's own lead: German CMSs call the standfirst so, on a
    plain <p> ("p.teaser") of 80 characters or more. A teaser of another story is a box or a
    list item, or it links to that story."""
    return (
        el.tag == "p"
        and "teaser" in info.tokens
        and next(el.iter("a"), None) is None
        and text_len(el) >= _LEAD
    )


def _in_page(el: etree._Element, root: etree._Element) -> bool:
    """Whether `el` is still below `root`, not in a subtree dropped from it. The ancestors are
    walked in C: only those with the root's tag reach Python."""
    return any(ancestor is root for ancestor in el.iterancestors(root.tag))


def _classed(root: etree._Element) -> list[Classed]:
    """`metasources.attributed`'s candidates, for a caller that did not list them."""
    return attributed(root)[1]


_NEVER_PRUNED = frozenset({"html", "body", "figure", "figcaption"})
# Inline elements, links included: one inside a paragraph is part of its sentence.
_INLINE = pt.INLINE_TAGS | {"a"}
_TEXT_BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "td"})


def _in_sentence(el: etree._Element) -> bool:
    """An inline element inside a paragraph is part of its sentence ("deep <a class='tag'>space
    travel</a>"), whatever its class says."""
    if el.tag not in _INLINE:
        return False
    parent = el.getparent()
    return parent is not None and parent.tag in _TEXT_BLOCKS


def _prose_len(el: etree._Element) -> int:
    """Characters of paragraph text under `el` (the text nodes with a <p> above them).

    Counted from the paragraphs' itertext(): half the cost of the XPath
    "descendant::text()[ancestor::p]" on a whole page, whose predicate walks up from every text
    node; ".//p//text()" would merge one node-set per paragraph, quadratic on long pages.
    """
    if next(el.iterancestors("p"), None) is not None:
        return sum(map(len, el.itertext()))
    return sum(
        sum(map(len, p.itertext()))
        for p in el.iter("p")
        if p is el or next(p.iterancestors("p"), None) is None
    )


def _select(root: etree._Element, selector: str) -> list[etree._Element]:
    try:
        return list(root.cssselect(selector))
    except Exception:
        return []


def drop_captions(region: etree._Element) -> None:
    """Figures, captions and credits are image metadata, not body text. A figure that holds a
    code listing, a table or a quotation is the story's own content: only its caption goes."""
    for el in list(region.iter("figure", "figcaption")):
        if el.getparent() is not None and (el.tag == "figcaption" or not _figure_of_text(el)):
            drop(el)
    # Figures and figcaptions are settled above; a caption or credit by its class goes here.
    for el in list(pt.XP_CLASSED_BELOW(region)):
        if (
            el.getparent() is not None
            and el is not region
            and el.tag != "figure"
            and attr_info(el).caption
            and not _in_sentence(el)
        ):
            drop(el)


def _figure_of_text(figure: etree._Element) -> bool:
    return next(figure.iter("pre", "table", "blockquote"), None) is not None


def drop_line_numbers(region: etree._Element) -> None:
    """A code listing's gutter of line numbers ("1 2 3 4" before the code) is not its text."""
    for el in pt.XP_LINE_NUMBER_CANDIDATES(region):
        if el.getparent() is not None and pt.LINE_NUMBERS_RE.fullmatch("".join(el.itertext())):
            drop(el)


def clean_region(region: etree._Element) -> None:
    """Readability-style conditional cleaning of the article region (in place)."""
    candidates = [
        el
        for el in region.iter("div", "section", "ul", "ol", "table", "aside", "header", "dl")
        if el is not region
    ]
    # A box holding much of the region's text is the story, whatever its class says: the
    # collapsed rest of it ("read-more"), its sections ("more-features"). Measured once, when a
    # box of 200 characters or more has such a class.
    big: list[float] = []

    def is_big(length: int) -> bool:
        if length < 200:
            return False
        if not big:
            big.append(0.4 * text_len(region))
        return length >= big[0]

    for el in reversed(candidates):  # innermost first
        if el.getparent() is None:
            continue
        if _should_drop(el, is_big):
            title = _widget_title(el)
            drop(el)
            if title is not None:
                drop(title)


_TITLE_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "div", "p", "span", "strong", "b"})


def _widget_title(el: etree._Element) -> etree._Element | None:
    """The title line just before a dropped list or box ("More Great Stories", "Related"):
    short, no child elements, no sentence punctuation, no text between it and the box."""
    prev = el.getprevious()
    if prev is None or prev.tag not in _TITLE_TAGS or len(prev) or (prev.tail or "").strip():
        return None
    text = text_of(prev)
    if not text or len(text) > 80 or text[-1] in '.!?:;,"”…':
        return None
    return prev


def _headline_list(el: etree._Element) -> bool:
    """Most items are short lines, each carrying a link."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < 3:
        return False
    linked = sum(1 for li in items if pt.XP_LINKS(li) and text_len(li) < 120)
    return linked >= 0.75 * len(items)


def is_comment_thread(el: etree._Element) -> bool:
    """A block that opens with a "12 responses" / "Leave a reply" heading, whatever its
    classes (a heading further down, after the block's own paragraphs, does not count)."""
    for first in el.iter("h2", "h3", "h4", "h5", "h6", "p"):
        return first.tag != "p" and bool(pt.COMMENTS_HEADING_RE.match(text_of(first)))
    return False


# Elements whose whole text is one line (a box's title is one of them, or a div's own text).
_LINE_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "p", "span", "strong", "b", "em", "a"})


def opens_with_promo_title(el: etree._Element) -> bool:
    """A box whose first line is a related/"read also" title ("Lesen Sie auch", "Mehr zum
    Thema", "اقرأ أيضا"), in any of the languages of `patterns.PROMO_TITLE_RE`."""
    for node in el.iter():
        if isinstance(node.tag, str) and node.text and node.text.strip():
            title = text_of(node) if node.tag in _LINE_TAGS else node.text
            return len(title) < 80 and bool(pt.PROMO_TITLE_RE.match(title))
    return False


def _should_drop(el: etree._Element, is_big: Callable[[int], bool]) -> bool:
    length = text_len(el)
    info = attr_info(el)
    weight = info.weight
    if is_comment_thread(el):
        return True
    if weight < 0:
        # Negative weight drops the box, unless it holds a big share of the region's text.
        if info.large_boilerplate or not is_big(length):
            return True
        weight = 0
    if length == 0:
        return not len(pt.XP_IMAGES(el))
    if el.tag == "table" and next(el.iter("th"), None) is not None:
        return False  # a data table: its linked cells (names, titles) are its data
    density = link_density(el, length)
    # A related/"read also" box: its title, then teasers (linked, or too short to be the story).
    if length < 1500 and (density > 0.2 or length < 300) and opens_with_promo_title(el):
        return True
    if el.tag in ("ul", "ol"):
        # A list whose items are mostly links is a related/more list; so is one where every
        # item is a short line carrying a link ("How Facebook <a>gets it backward</a>").
        return length < 2000 and (density > 0.5 or (density > 0.35 and _headline_list(el)))
    if len(COMMAS.findall(raw_text(el))) >= 10:
        return False
    paragraphs = sum(1 for _ in el.iter("p"))
    items = sum(1 for _ in el.iter("li"))
    images = len(pt.XP_IMAGES(el))
    # A gallery or a link list, unless it carries real prose (text written with <br>s
    # rather than <p>s counts no paragraphs).
    if images > 1 and paragraphs / images < 0.5 and (length < 300 or density > 0.3):
        return True
    if items > paragraphs + 10 and density > 0.2:
        return True
    if weight < 25 and density > 0.33 and length < 1500:
        return True
    return weight >= 25 and density > 0.6
