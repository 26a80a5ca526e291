"""Stage 5 — serialisation: the cleaned region as blocks, plain text and minimal HTML.

The region is walked once (non-recursively, so no page is too deep); every block-level element
or <br> ends a block. A block is a paragraph, a subheading (h2-h4), a list item, a blockquote or
preformatted text; only links survive as inline markup. Blocks that are boilerplate by their text
(share prompts, "Advertisement", inline "Read more:" promos, alternate-domain footers, pull quotes
repeating the body) are dropped here, where the text is known.

`body_html` then goes through the sanitiser (sanitise.py), the one place that decides what
HTML may reach the output.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from crawler.extraction import patterns as pt
from crawler.extraction.bylines import NEWS_AGENCIES
from crawler.extraction.cleaning import text_len
from crawler.extraction.sanitise import sanitise_html
from crawler.extraction.text import WORD, collapse_spaces, nfc

_KIND = {
    "h1": "h1",
    "h2": "h2",
    "h3": "h3",
    "h4": "h4",
    "h5": "h4",
    "h6": "h4",
    "li": "li",
    "dt": "p",
    "dd": "p",
    "blockquote": "blockquote",
    "pre": "pre",
}


@dataclass
class Block:
    kind: str  # p, h1, h2, h3, h4, li, blockquote, pre
    text: str
    html: str
    link_chars: int = 0
    list_tag: str = "ul"
    data_cell: bool = False  # in a table with header cells: a linked cell is data, not a teaser


class _Buffer:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.html: list[str] = []
        self.link_chars = 0
        self.open_links = 0

    def add(self, text: str, in_link: bool) -> None:
        self.text.append(text)
        self.html.append(html.escape(text, quote=False))
        if in_link:
            self.link_chars += len(text.strip())


def blocks_of(elements: Iterable[etree._Element]) -> list[Block]:
    """The region's blocks. Links keep their href as written: `to_html` resolves and vets them."""
    blocks: list[Block] = []
    for root in elements:
        _walk(root, blocks)
    return blocks


def _walk(root: etree._Element, blocks: list[Block]) -> None:
    buf = _Buffer()
    kinds: list[str] = ["p"]
    lists: list[str] = ["ul"]
    tables: list[bool] = [False]  # per open table: whether it has header cells
    links = 0

    def flush() -> None:
        nonlocal buf
        raw = nfc("".join(buf.text))
        if kinds[-1] == "pre":  # code and verse keep their lines and indentation
            text = "\n".join(line.rstrip() for line in raw.split("\n")).strip("\n")
        else:
            text = collapse_spaces(raw).strip()
        if text:
            markup = nfc("".join(buf.html)) + "</a>" * buf.open_links  # spaced by the sanitiser
            blocks.append(Block(kinds[-1], text, markup, buf.link_chars, lists[-1], tables[-1]))
        buf = _Buffer()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):
            if event == "end" and el.tail and el is not root:
                buf.add(el.tail, links > 0)
            continue
        if event == "start":
            if tag in pt.BLOCK_TAGS or tag == "br":
                flush()
                if tag in pt.BLOCK_TAGS:
                    kind = _KIND.get(tag, kinds[-1] if kinds[-1] != "h1" else "p")
                    if kind in _HEADINGS and tag in _KIND and text_len(el) > _LONGEST_HEADING:
                        kind = "p"  # a story's text in an unclosed or misused <h4>
                    kinds.append(kind)
                    if tag in ("ul", "ol"):
                        lists.append(tag)
                    elif tag == "table":
                        tables.append(next(el.iter("th"), None) is not None)
            elif tag == "a":
                href = html.escape(el.get("href") or "", quote=True)
                buf.html.append(f'<a href="{href}">')
                buf.open_links += 1
                links += 1
            if el.text:
                buf.add(el.text, links > 0)
        else:
            if tag in pt.BLOCK_TAGS:
                flush()
                kinds.pop()
                if tag in ("ul", "ol"):
                    lists.pop()
                elif tag == "table":
                    tables.pop()
            elif tag == "a":
                links = max(0, links - 1)
                if buf.open_links:  # not when the link began in an earlier block
                    buf.html.append("</a>")
                    buf.open_links -= 1
            if el.tail and el is not root:
                buf.add(el.tail, links > 0)
    flush()


def filter_blocks(
    blocks: list[Block], title: str | None, extra: tuple[re.Pattern[str], ...] = ()
) -> list[Block]:
    """Drop blocks that are boilerplate by their text."""
    title_key = _key(title) if title else None
    kept: list[Block] = []
    for i, block in enumerate(blocks):
        text = block.text
        length = len(text)
        if not WORD.search(text):
            continue
        if block.kind != "p" and title_key and _key(text) == title_key:
            continue  # the headline repeated at the top of the body
        if block.kind == "h1":
            # A leading <h1> is the headline; later ones are section headings.
            if not any(b.kind == "p" for b in kept):
                continue
            block.kind = "h2"
        if pt.BOILERPLATE_BLOCK_RE.match(text):
            continue
        if length < 160 and pt.DATELINE_RE.match(text):
            continue
        if length < 300 and pt.CONTACT_LINE_RE.match(text):
            continue
        if length < 100 and pt.BYLINE_RE.match(text):
            continue
        if length < 40 and block.kind == "p" and _agency_line(text):
            continue  # (a list's "Spa" or a heading's "Reuters" is not a credit)
        if length < 400 and pt.PROMO_PREFIX_RE.match(text):
            continue
        if length < 200 and pt.PROMO_START_RE.match(text):
            continue
        if length < 300 and furniture_text(text):
            continue
        if any(p.search(text) for p in extra):
            continue
        # A short block that is (nearly) all link: "Related: ...", a teaser headline.
        if (
            block.link_chars >= 0.8 * length
            and length < 150
            and block.kind != "h2"
            and not block.data_cell
            and not (block.kind in _HEADINGS and _heads_prose(blocks, i))
        ):
            continue
        kept.append(block)
    return _drop_orphan_headings(_drop_repeats(kept))


_AGENCIES = frozenset(NEWS_AGENCIES)


def _agency_line(text: str) -> bool:
    """A block that only names a news agency ("The Associated Press", "(dpa)") credits the
    story; a page that marks its byline by class loses it with the byline."""
    name = text.strip(" ()[]-–—.,:|").lower()
    return name in _AGENCIES


def _heads_prose(blocks: list[Block], i: int) -> bool:
    """Whether the heading `blocks[i]` is followed by a paragraph of prose (a linked product or
    section name over its review), not by a list of links or nothing (a box's title)."""
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    return (
        nxt is not None
        and nxt.kind == "p"
        and len(nxt.text) >= 80
        and nxt.link_chars < 0.5 * len(nxt.text)
    )


def furniture_text(text: str) -> bool:
    """`patterns.FURNITURE_TEXT_RE.search(text)`, in a sixth of the time on most text."""
    if pt.CASE_FOLD_EXCEPTIONS.isdisjoint(text):
        lower = text.lower()
        return bool(
            (
                any(key in lower for key in pt.FURNITURE_LINE_KEYS)
                and pt.FURNITURE_LINES_LOWER_RE.search(lower)
            )
            or pt.FURNITURE_PHRASE_LOWER_RE.search(lower)
        )
    return bool(pt.FURNITURE_TEXT_RE.search(text))


_HEADINGS = frozenset({"h2", "h3", "h4"})
# Longer than this, a heading's text is paragraphs.
_LONGEST_HEADING = 250


def _drop_orphan_headings(blocks: list[Block]) -> list[Block]:
    """A heading with nothing under it (the title of a widget cleaned away) goes too."""
    out = []
    for i, block in enumerate(blocks):
        if block.kind in _HEADINGS:
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if nxt is None or (nxt.kind in _HEADINGS and nxt.kind <= block.kind):
                continue
        out.append(block)
    return out


def _key(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def _drop_repeats(blocks: list[Block]) -> list[Block]:
    """Drop pull quotes: quotes whose text repeats a body paragraph or part of one.

    Repeated paragraphs are kept (recipes and lists repeat lines on purpose)."""
    keys = [_key(b.text) for b in blocks]
    counts = Counter(keys)
    everything = "\n".join(keys)
    # The containment test scans the whole text per block: on very long pages (transcripts,
    # live pages) only quotes are tested.
    test_paragraphs = len(blocks) <= 400
    seen: set[str] = set()
    out = []
    for block, key in zip(blocks, keys, strict=True):
        if block.kind == "blockquote" and len(key) > 20 and key in seen:
            continue
        seen.add(key)
        # Found elsewhere than in its own block: part of a longer paragraph.
        if (
            (block.kind == "blockquote" or (block.kind == "p" and test_paragraphs))
            and 20 < len(key) < 300
            and everything.count(key) > counts[key]
        ):
            continue
        out.append(block)
    return out


def to_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks)


def to_html(blocks: list[Block], base_url: str = "") -> str:
    """The blocks as minimal HTML, through `sanitise_html`."""
    return sanitise_html(_markup(blocks), base_url)


def _markup(blocks: list[Block]) -> str:
    parts: list[str] = []
    open_list: str | None = None
    for block in blocks:
        if block.kind == "li":
            if open_list != block.list_tag:
                if open_list:
                    parts.append(f"</{open_list}>")
                parts.append(f"<{block.list_tag}>")
                open_list = block.list_tag
            parts.append(f"<li>{block.html}</li>")
            continue
        if open_list:
            parts.append(f"</{open_list}>")
            open_list = None
        tag = {"pre": "p", "h1": "h2"}.get(block.kind, block.kind)
        parts.append(f"<{tag}>{block.html}</{tag}>")
    if open_list:
        parts.append(f"</{open_list}>")
    return "\n".join(parts)
