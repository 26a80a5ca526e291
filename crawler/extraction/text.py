"""Helpers every stage shares: whitespace normalisation, the text of an element, ancestry."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

SPACES = re.compile(r"\s+")
# A word, as word counts and text comparisons count them (the benchmark's metric too).
WORD = re.compile(r"\w+")
# A run of letters (no digits, no underscore): the words of language and mojibake checks.
LETTERS = re.compile(r"[^\W\d_]+")
# Commas as the scripts of the crawled sites write them (Latin, Arabic, CJK): prose has them.
COMMAS = re.compile(r"[,،、，]")
_XP_STRING = etree.XPath("string()", smart_strings=False)
# Elements whose content is code or markup, not text a reader sees.
NOT_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})


def clean(text: str | None) -> str:
    """`text` with each run of whitespace one space, stripped ("" for None).

    str.split() and the regex `SPACES` know the same whitespace (str.isspace, checked over all
    of Unicode); splitting and joining costs a third of `SPACES.sub(" ", text).strip()`.
    """
    return " ".join(text.split()) if text else ""


# Runs of ASCII whitespace collapse to one space; a no-break space is the author's choice and stays.
_ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def collapse_spaces(text: str) -> str:
    """Each run of ASCII whitespace one space (a no-break space stays); most strings have no run
    to collapse, found by two scans in C rather than by the regex (str.isprintable is false for
    tab, newline, CR, FF and VT)."""
    if "  " not in text and text.isprintable():
        return text
    return _ASCII_SPACES.sub(" ", text)


def nfc(text: str) -> str:
    """`text` in Unicode's composed form (NFC): "é" as one character, as readers search for it
    and as most pages write it. Some write "e" + U+0301 (text from macOS, some CMS editors);
    left so, "préfère" would not be found in the body, nor would the phrases of patterns.py."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def raw_text(element: etree._Element) -> str:
    """All text below `element`, as written (computed in C)."""
    return _XP_STRING(element)


def is_ancestor(ancestor: etree._Element, element: etree._Element) -> bool:
    """Whether `ancestor` is above `element` in the tree (an element is not its own)."""
    node = element.getparent()
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def text_of(element: etree._Element) -> str:
    """The whitespace-normalised text below `element`."""
    try:
        return clean(_XP_STRING(element))
    except (ValueError, AttributeError):  # comments and processing instructions
        return clean(getattr(element, "text", "") or "")


def norm(text: str) -> str:
    """Comparison key: case, spacing, punctuation and quote style ignored."""
    return "".join(filter(str.isalnum, text.casefold()))
