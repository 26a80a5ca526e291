"""Stage 2 — one lxml parse of the page.

The bytes are decoded in Python with the encoding `decode.detect_encoding` chose (undecodable
bytes become U+FFFD) and handed to libxml2 as UTF-8, so that neither a wrong `<meta charset>` nor
an XML encoding declaration can make libxml2 decode the page differently.

`parse_page` also hands back the decoded text and whether control characters were deleted:
replay uses them to prove that this tree is the one Scrapy's selector would build, and then
makes the spider's page decision on it instead of parsing the page a second time.
"""

from __future__ import annotations

import codecs
import logging
import threading
from dataclasses import dataclass

import lxml.html
from lxml import etree

from crawler.extraction.article import ExtractionError
from crawler.extraction.decode import decode_html_as

# C0 controls (but tab, LF, CR) and DEL. In UTF-8 these bytes never occur inside a multi-byte
# sequence, so deleting them from the encoded page deletes exactly those characters.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])

# lxml parsers must not be shared between threads: one per thread.
_LOCAL = threading.local()

logger = logging.getLogger(__name__)

# libxml2 stops building the tree at this depth even with huge_tree; what is deeper is left
# out, and says so only in the parser's error log.
_TOO_DEEP = "Excessive depth"


def _parser() -> lxml.html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        # huge_tree as parsel's (Scrapy's) parser: no libxml2 depth or text-size cut-off, so
        # a deep page gives both the same tree (see `ParsedPage`). No table of id attributes:
        # nothing looks elements up by XPath id(), and libxml2 spent 4% of the parse on it.
        parser = lxml.html.HTMLParser(
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            default_doctype=False,
            huge_tree=True,
            collect_ids=False,
        )
        # Every element an HtmlElement (text_content, cssselect ...), chosen in C: lxml.html's
        # default per-tag lookup calls back into Python for each element proxy, which costs
        # more than the parse itself on a large page.
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        _LOCAL.parser = parser
    return parser


def decode(html: bytes | str, http_charset: str | None = None) -> str:
    """The page as text, without a byte-order mark: `str` input is taken as already decoded."""
    return _decode(html, http_charset)[0]


def _decode(html: bytes | str, http_charset: str | None) -> tuple[str, bytes | None]:
    """`decode`, and the text's UTF-8 bytes when the input already is them (valid UTF-8, as
    most pages are): libxml2 gets those rather than the text encoded again (0.13 ms a page)."""
    if isinstance(html, str):
        return html.removeprefix("\ufeff"), None
    if not isinstance(html, bytes | bytearray | memoryview):
        raise ExtractionError(f"expected bytes or str, got {type(html).__name__}")
    data = bytes(html)
    try:
        text, encoding = decode_html_as(data, http_charset)
    except (LookupError, ValueError):
        return data.decode("utf-8", errors="replace").removeprefix("\ufeff"), None
    if encoding == "utf-8" and "\ufffd" not in text:  # nothing replaced: the bytes were valid
        return text, data.removeprefix(codecs.BOM_UTF8)
    return text, None


@dataclass(frozen=True)
class ParsedPage:
    """A page's decoded text and its tree.

    `controls_deleted` says whether C0 control characters other than NUL were deleted from
    the text before parsing. When they were not, the tree has the same elements, attributes
    and script text as parsel's `Selector(text=text, type="html")`: both hand libxml2 the
    text as UTF-8 without NULs, and the options that differ (comments, processing
    instructions, doctype) add or drop no element.
    """

    text: str
    root: etree._Element
    controls_deleted: bool


def parse_page(
    html: bytes | str, http_charset: str | None = None, *, url: str = ""
) -> ParsedPage:
    """Decode and parse a page; `ExtractionError` when there is no document.

    A page nested deeper than libxml2 builds (2,048 levels) is parsed as far as that, with
    one warning naming `url`: its deeper part is silently missing otherwise.
    """
    text, utf8 = _decode(html, http_charset)
    # C0 controls are not HTML text, and lxml refuses them when text is moved around. Deleted
    # from the bytes with bytes.translate: a regex over the text cost 0.4 ms a page.
    encoded = utf8 if utf8 is not None else text.encode("utf-8", errors="replace")
    data = encoded.translate(None, _CONTROL_BYTES)
    if not data.strip() or not text.strip():  # the text's strip knows Unicode spaces too
        raise ExtractionError("empty document")
    parser = _parser()
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"cannot parse HTML: {exc}") from exc
    if any(_TOO_DEEP in entry.message for entry in parser.error_log):
        logger.warning(
            "%s: nested deeper than the HTML parser reads (2,048 levels): the deeper part "
            "is left out",
            url or "a page",
        )
    if root is None or not isinstance(root.tag, str):
        raise ExtractionError("cannot parse HTML: no root element")
    # NUL is among the deleted bytes: when nothing was deleted there is none to count.
    deleted = len(encoded) - len(data)
    controls_deleted = deleted > 0 and deleted != encoded.count(0)
    return ParsedPage(text, root, controls_deleted)


def parse(html: bytes | str, http_charset: str | None = None) -> etree._Element:
    """Parse a page into an lxml HTML tree; `ExtractionError` when there is no document."""
    return parse_page(html, http_charset).root
