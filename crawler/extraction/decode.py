"""Stage 1 — bytes to text: pick the document's character encoding.

Order of trust:
1. a byte-order mark;
2. bytes that are valid UTF-8 (or UTF-8 with a stray byte or two among many valid multi-byte
   characters) are UTF-8, whatever the label: servers default to "iso-8859-1" for UTF-8 pages,
   while other text that happens to be valid UTF-8 is vanishingly rare;
3. the HTTP charset, then `<meta charset>` / `<meta http-equiv="Content-Type">`, then the XML
   declaration — each label mapped as browsers map it (WHATWG Encoding Standard: iso-8859-1,
   latin-1 and ascii mean windows-1252; gb2312 and gbk mean gb18030; shift_jis means
   windows-31j) and used when it decodes the bytes to plausible text (Arabic, Cyrillic or CJK
   bytes labelled Latin-1 are not);
4. detection with charset-normalizer on a bounded sample of the visible text, ties broken by
   how common each encoding is on the web; windows-1252 as the last resort.

Fast path: a page that is valid UTF-8 costs one `bytes.decode`, a declared single-byte page a
failed UTF-8 decode, one decode and a mojibake check; the detector runs only when nothing fits.

The names returned are Python codec names that lxml (libxml2/iconv) accepts too, so the
orchestrator can hand them to `lxml.html.HTMLParser(encoding=...)`.
"""

from __future__ import annotations

import codecs
import logging
import re
from contextlib import suppress

import charset_normalizer

from crawler.extraction.text import LETTERS

logger = logging.getLogger(__name__)

# How far into the document a <meta charset> or XML declaration is looked for. Browsers stop
# at 1024 bytes; real pages put long comments and scripts first, so look further.
PRESCAN_BYTES = 8192
# How many bytes of visible text the detector is given at most.
DETECTION_SAMPLE_BYTES = 16384
# UTF-8 with this small a share of invalid sequences is still UTF-8 (a stray byte from a
# template or an ad): decoding it with U+FFFD for the bad bytes beats garbling the rest.
UTF8_MAX_ERROR_SHARE = 0.02

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""", re.I)
# Parts of a page that carry no visible text, removed before detection.
_NON_TEXT = re.compile(
    rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", re.I | re.S
)
_SPACE_RUNS = re.compile(rb"\s{2,}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# How much of a page decoded with a Latin codec is checked for mojibake.
_MOJIBAKE_SCAN_CHARS = 65_536
_ASCII_BYTES = bytes(range(128))
_MOJIBAKE_WORDS_CHECKED = 400

# Browser (WHATWG) label → the Python codec browsers actually use, for labels where the two differ
# or Python lacks the label. Keys are lower-cased labels with "_" replaced by "-".
_WHATWG_LABELS: dict[str, str] = {
    **dict.fromkeys(
        (
            "ascii", "us-ascii", "ansi-x3.4-1968", "iso-8859-1", "iso8859-1", "iso88591",
            "iso-ir-100", "latin1", "latin-1", "l1", "cp819", "ibm819", "csisolatin1",
            "iso-8859-1:1987", "x-cp1252", "windows-1252", "cp1252",
        ),
        "cp1252",
    ),
    **dict.fromkeys(
        ("iso-8859-9", "iso8859-9", "latin5", "l5", "iso-ir-148", "windows-1254", "cp1254"),
        "cp1254",
    ),
    **dict.fromkeys(
        ("iso-8859-11", "iso8859-11", "tis-620", "dos-874", "windows-874", "cp874"), "cp874"
    ),
    **dict.fromkeys(
        (
            "gb2312", "gbk", "x-gbk", "chinese", "csgb2312", "csiso58gb231280", "gb-2312",
            "iso-ir-58", "cp936", "ms936", "windows-936", "gb18030", "euc-cn", "hz-gb-2312",
        ),
        "gb18030",
    ),
    **dict.fromkeys(
        (
            "shift-jis", "shift_jis", "sjis", "ms-kanji", "ms932", "x-sjis", "csshiftjis",
            "windows-31j", "cp932",
        ),
        "cp932",
    ),
    **dict.fromkeys(
        ("euc-kr", "ks-c-5601-1987", "ks-c-5601-1989", "ksc5601", "korean", "cseuckr",
         "windows-949", "cp949", "uhc"),
        "cp949",
    ),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"), "big5hkscs"),
    **dict.fromkeys(("euc-jp", "x-euc-jp", "cseucpkdfmtjapanese"), "euc-jp"),
    **dict.fromkeys(("iso-2022-jp", "csiso2022jp"), "iso-2022-jp"),
    **dict.fromkeys(("utf8", "utf-8", "unicode-1-1-utf-8", "unicode11utf8", "x-unicode20utf8"),
                    "utf-8"),
    **dict.fromkeys(("macintosh", "mac", "x-mac-roman", "csmacintosh", "mac-roman"), "macintosh"),
}  # fmt: skip

# Python's canonical codec names that lxml's libxml2/iconv spells differently.
_LXML_SPELLING = {
    "euc_jp": "euc-jp",
    "euc_kr": "cp949",
    "mac-roman": "macintosh",
    "iso2022_jp": "iso-2022-jp",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "utf-32-le": "utf-32le",
    "utf-32-be": "utf-32be",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}

# Encodings by how common they are on the web: the tie-breaker between equally good guesses.
_WEB_RANK = {
    name: rank
    for rank, name in enumerate(
        ("utf-8", "cp1252", "cp1251", "cp932", "gb18030", "cp1250", "cp949", "cp1256",
         "big5hkscs", "cp1254", "euc-jp", "iso8859-2", "cp1253", "cp1255", "cp874", "koi8-r")
    )
}  # fmt: skip

# East Asian multi-byte encodings, and how many high bytes a sample needs before the detector's
# word for one of them is taken over windows-1252.
_CJK_MULTIBYTE = frozenset({"cp932", "gb18030", "big5hkscs", "cp949", "euc-jp"})
_MIN_CJK_HIGH_BYTES = 8

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)
# Single-byte Latin encodings: they decode any byte string, so a wrong label never fails to
# decode; such text is checked for mojibake instead.
_LATIN_SINGLE_BYTE = frozenset({"cp1252", "cp1254", "iso8859-15", "macintosh", "cp1250"})


def normalize_encoding(label: str | None, *, in_document: bool = False) -> str | None:
    """Map an encoding label (HTTP, meta, detector) to the codec a browser would use.

    Returns None for labels Python does not know. A whole Content-Type value is accepted.
    In the page's own declaration (`in_document`) a UTF-16 label means UTF-8 — the bytes that
    carry the label are ASCII — as browsers treat it.
    """
    if not label:
        return None
    if "charset=" in label.lower():
        label = label[label.lower().rindex("charset=") + len("charset=") :].split(";")[0]
    key = label.strip().strip("\"'").lower().replace("_", "-")
    if not key:
        return None
    if key in _WHATWG_LABELS:
        return _WHATWG_LABELS[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    if in_document and name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return _LXML_SPELLING.get(name, name)


def _declared_in_document(data: bytes) -> str | None:
    head = data[:PRESCAN_BYTES]
    lowered = head.lower()
    if b"charset" not in lowered and b"encoding" not in lowered:
        return None
    match = _META_CHARSET.search(head) or _XML_DECLARATION.search(head)
    if not match:
        return None
    return normalize_encoding(match.group(1).decode("ascii", "replace"), in_document=True)


def _utf8_fits(data: bytes) -> bool:
    """Strictly valid UTF-8, or UTF-8 with only a few stray invalid bytes."""
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    good = non_ascii - bad
    # Genuine UTF-8 has many valid multi-byte characters; windows-1252 read as UTF-8 has none.
    return good >= 20 and bad <= max(2, UTF8_MAX_ERROR_SHARE * non_ascii)


def _looks_like_mojibake(data: bytes, text: str) -> bool:
    """Text decoded with a Latin codec that was really Arabic, Cyrillic, Greek, CJK or UTF-8.

    In real Latin-script text accented letters sit among ASCII letters ("café", "Größe"); when
    non-Latin bytes are read as windows-1252 whole words consist of accented letters ("ÇáÚÑÈíÉ").
    `text` is `data` decoded with a single-byte codec, so positions in both agree.
    """
    if len(data.translate(None, _ASCII_BYTES)) < 6:
        return False  # too few non-ASCII bytes for three garbled words
    first_high = _HIGH_BYTE.search(data)
    start = first_high.start() if first_high else 0
    tokens = [t for t in text[start : start + _MOJIBAKE_SCAN_CHARS].split() if not t.isascii()]
    suspicious = mixed = 0
    for token in tokens[:_MOJIBAKE_WORDS_CHECKED]:
        for word in LETTERS.findall(token):
            if len(word) < 2 or word.isascii():
                continue
            mixed += 1
            high = sum(1 for ch in word if ord(ch) > 127)
            if high >= 2 and high * 2 > len(word):
                suspicious += 1
    return suspicious >= 3 and suspicious * 10 > mixed * 3


def _fits(data: bytes, encoding: str) -> bool:
    """Whether `encoding` decodes `data` to plausible text (`data` is known not to be UTF-8)."""
    if encoding == "utf-8":
        return _utf8_fits(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    if encoding in _LATIN_SINGLE_BYTE:
        return not _looks_like_mojibake(data, text)
    return True


def _detection_sample(data: bytes) -> bytes:
    """Visible text only, from where the non-ASCII bytes start: markup is ASCII and says nothing.

    Safe on ASCII-compatible encodings, including Shift_JIS and GB18030, whose trail bytes are
    never `<` or `>`. Pages with NUL bytes (UTF-16 without a BOM) are sampled as they are.
    """
    if b"\x00" in data[:1024]:
        return data[:DETECTION_SAMPLE_BYTES]
    text = _SPACE_RUNS.sub(b" ", _NON_TEXT.sub(b" ", data))
    first_high = _HIGH_BYTE.search(text)
    start = max(0, first_high.start() - 256) if first_high else 0
    return text[start : start + DETECTION_SAMPLE_BYTES]


def _detect(data: bytes) -> str | None:
    sample = _detection_sample(data)
    try:
        matches = list(charset_normalizer.from_bytes(sample, preemptive_behaviour=False))
    except Exception:  # the detector is third-party code: never let it break extraction
        logger.debug("charset detection failed", exc_info=True)
        return None
    if not matches:
        return None
    best = matches[0]
    # On short Latin samples several code pages score the same; break ties by how common each
    # encoding is on the web, so that French in windows-1252 does not come out as windows-1250.
    tied = [
        m for m in matches if m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.02
    ]
    # Each match also lists the code pages that decode the sample to the same text.
    names = [
        normalize_encoding(name) or ""
        for m in tied
        for name in (m.encoding, *getattr(m, "could_be_from_charset", ()))
    ]
    encoding = min(names, key=lambda n: _WEB_RANK.get(n, len(_WEB_RANK))) or None
    if encoding in _CJK_MULTIBYTE and len(_HIGH_BYTE.findall(sample)) < _MIN_CJK_HIGH_BYTES:
        # One curly apostrophe (0x92) followed by a letter is also a valid Shift_JIS pair:
        # on so little evidence, the far more common Western page is the better guess.
        with suppress(UnicodeDecodeError):
            sample.decode("cp1252")
            encoding = "cp1252"
    if encoding and encoding != "utf-8" and not _fits(data, encoding):
        return None
    return encoding


def detect_encoding(data: bytes, http_charset: str | None = None) -> str:
    """Return the Python codec name to decode `data` with (also accepted by lxml).

    Never raises; falls back to windows-1252, which decodes every byte string.
    """
    return _detect_encoding(data, http_charset)[0]


def _detect_encoding(data: bytes, http_charset: str | None) -> tuple[str, str | None]:
    """`detect_encoding`, and the text when the check already decoded the whole page (valid
    UTF-8, as most pages are): `decode_html_as` need not decode it a second time."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, None
    declared = [
        name
        for name in (normalize_encoding(http_charset), _declared_in_document(data))
        if name is not None
    ]
    if declared and declared[0].startswith(("utf-16", "utf-32", "iso-2022")):
        # Encodings whose bytes may all be below 0x80: trusted when they decode.
        try:
            return declared[0], data.decode(declared[0])
        except UnicodeDecodeError:
            pass
    if data.isascii():
        return "utf-8", None  # every ASCII-compatible encoding reads ASCII alike
    try:
        # Fast path for most of the web. Text in another encoding that happens to be valid UTF-8
        # is vanishingly rare, while UTF-8 pages served as "iso-8859-1" by a server default are
        # common: valid UTF-8 is UTF-8 whatever the label says.
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _utf8_fits(data):
        return "utf-8", None  # many valid multi-byte characters and a stray byte or two
    for encoding in declared:
        if encoding != "utf-8" and _fits(data, encoding):
            return encoding, None
    detected = _detect(data)
    if detected:
        if declared:
            logger.debug("declared %s does not fit the bytes; detected %s", declared, detected)
        return detected, None
    return "cp1252", None


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode `data` to text; undecodable bytes become U+FFFD rather than an error.

    A byte-order mark is removed.
    """
    return decode_html_as(data, http_charset)[0]


def decode_html_as(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """`decode_html`, and the encoding it decoded with."""
    encoding, text = _detect_encoding(data, http_charset)
    if text is None:
        text = data.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff"), encoding
