"""Decoding: every page must come out as the text its author wrote, whatever its label says.

Fixtures are news pages written here as text and turned into bytes with the codec a site of that
language really uses; the assertions compare the decoded paragraph with the original text.
"""

from __future__ import annotations

import codecs

import lxml.html
import pytest

from crawler.extraction.decode import decode_html, detect_encoding, normalize_encoding

ARABIC = (
    "أعلنت وزارة الخارجية الإيرانية يوم الجمعة أن وزيري خارجية إيران وروسيا بحثا في اتصال "
    "هاتفي آخر التطورات في سوريا، ولا سيما تطبيق وقف إطلاق النار في البلاد التي تمزقها الأزمة."
)
JAPANESE = (
    "東京都は15日、新型ウイルスの感染者が新たに確認されたと発表した。"
    "都の担当者は「引き続き警戒が必要だ」と話している。"
)
# 镕 is not in GB2312 and 𠮷 needs GB18030's four-byte form: a gb2312 label must not lose them.
CHINESE = "国务院总理朱镕基今天在北京会见了来访的代表团。双方就经济合作交换了意见。𠮷野家"
CZECH = "Vláda schválila návrh zákona o státním rozpočtu; příliš žluťoučký kůň úpěl ďábelské ódy."
GERMAN = "Größere Übungen für die Straße"
RUSSIAN = "Министры иностранных дел России и Ирана обсудили по телефону ситуацию в Сирии."
# Curly quotes, the euro sign and the em dash are 0x80–0x9F in windows-1252 and control
# characters in true ISO-8859-1: a page labelled iso-8859-1 means windows-1252.
FRENCH = "Le président a déclaré : « C’est l’été des décisions » — un budget de 5 € par élève."


def page(paragraph: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{head}\n<title>News</title>\n"
        '<script>window.dataLayer = [{"page": "article"}];</script>\n'
        '<link rel="stylesheet" href="/static/site.css">\n'
        "</head>\n<body>\n"
        '<nav class="menu"><a href="/">Home</a> <a href="/world">World</a></nav>\n'
        f"<article>\n<h1>Headline</h1>\n<p>{paragraph}</p>\n</article>\n"
        '<footer><a href="/contact">Contact</a></footer>\n</body>\n</html>\n'
    )


def paragraph_via_lxml(data: bytes, encoding: str) -> str:
    root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding=encoding))
    return root.xpath("//p")[0].text_content()


CASES = {
    "arabic windows-1256 with meta": (
        page(ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'),
        "cp1256", None, ARABIC,
    ),
    "arabic windows-1256 undeclared": (page(ARABIC), "cp1256", None, ARABIC),
    "arabic windows-1256 labelled iso-8859-1": (
        page(ARABIC, '<meta charset="iso-8859-1">'), "cp1256", None, ARABIC,
    ),
    "arabic windows-1256 with wrong http charset": (page(ARABIC), "cp1256", "ISO-8859-1", ARABIC),
    "japanese shift_jis with meta": (
        page(JAPANESE, '<meta charset="Shift_JIS">'), "cp932", None, JAPANESE,
    ),
    "japanese shift_jis undeclared": (page(JAPANESE), "cp932", None, JAPANESE),
    "chinese gb18030 labelled gb2312": (
        page(CHINESE, '<meta http-equiv="content-type" content="text/html;charset=gb2312">'),
        "gb18030", None, CHINESE,
    ),
    "chinese gb18030 undeclared": (page(CHINESE), "gb18030", None, CHINESE),
    "russian windows-1251 undeclared": (page(RUSSIAN), "cp1251", None, RUSSIAN),
    "windows-1252 labelled iso-8859-1": (
        page(FRENCH, '<meta charset="ISO-8859-1">'), "cp1252", None, FRENCH,
    ),
    "windows-1252 undeclared": (page(FRENCH), "cp1252", None, FRENCH),
    "windows-1252 labelled utf-8": (page(GERMAN, '<meta charset="utf-8">'), "cp1252", None, GERMAN),
    "czech windows-1250 undeclared": (page(CZECH), "cp1250", None, CZECH),
    "windows-1252 with http charset utf-8, meta right": (
        page(FRENCH, '<meta charset="windows-1252">'), "cp1252", "utf-8", FRENCH,
    ),
    "utf-8 served as iso-8859-1 by a server default": (
        page(ARABIC, '<meta charset="iso-8859-1">'), "utf-8", "iso-8859-1", ARABIC,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_page_decodes_to_the_original_text(name: str) -> None:
    html, codec, http_charset, paragraph = CASES[name]
    data = html.encode(codec)
    encoding = detect_encoding(data, http_charset)
    assert paragraph in decode_html(data, http_charset)
    # The orchestrator hands the name to lxml, which must accept it and read the same text
    # (an explicit encoding overrides the page's wrong <meta>).
    assert paragraph_via_lxml(data, encoding) == paragraph


def test_right_to_left_text_keeps_its_order_and_marks() -> None:
    text = "\u200fقال المتحدث: «الهدنة صامدة» في حلب ودمشق.\u200f"
    data = page(text, '<meta charset="windows-1256">').encode("cp1256")
    assert text in decode_html(data)


def test_byte_order_mark_beats_a_wrong_meta() -> None:
    data = codecs.BOM_UTF8 + page(FRENCH, '<meta charset="windows-1252">').encode("utf-8")
    assert detect_encoding(data) == "utf-8"
    decoded = decode_html(data)
    assert FRENCH in decoded
    assert not decoded.startswith("\ufeff")


def test_utf16_with_bom() -> None:
    data = page(ARABIC, '<meta charset="utf-16">').encode("utf-16")
    assert ARABIC in decode_html(data)


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    # One windows-1252 byte pasted into an otherwise UTF-8 page must not turn it all to mojibake.
    data = page(ARABIC + " (\x96) " + ARABIC).encode("utf-8").replace(b"(\xc2\x96)", b"(\x96)")
    assert detect_encoding(data, "utf-8") == "utf-8"
    assert ARABIC in decode_html(data, "utf-8")


def test_one_curly_apostrophe_is_windows_1252_not_shift_jis() -> None:
    # b"\x92s" is also a valid Shift_JIS character: too little evidence for a Japanese page.
    text = "It’s a deal, the minister said after the talks in Geneva."
    assert text in decode_html(page(text).encode("cp1252"))


def test_undeclared_utf8_with_a_stray_byte_stays_utf8() -> None:
    text = "Le président a déclaré que l’été serait décisif pour les négociations à Genève."
    data = page(text + " \x96 " + text).encode("utf-8").replace(b"\xc2\x96", b"\x96")
    assert detect_encoding(data) == "utf-8"
    assert text in decode_html(data)


def test_ascii_page_is_utf8_whatever_the_label() -> None:
    data = page("Plain ASCII text.", '<meta charset="iso-8859-1">').encode("ascii")
    assert detect_encoding(data) == "utf-8"


def test_charset_declared_late_in_the_head_is_found() -> None:
    padding = "<!-- " + "x" * 3000 + " -->"
    data = page(FRENCH, padding + '<meta charset="windows-1252">').encode("cp1252")
    assert detect_encoding(data) == "cp1252"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("US-ASCII", "cp1252"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("Shift_JIS", "cp932"),
        ("EUC-KR", "cp949"),
        ("windows-1256", "cp1256"),
        ("ISO-8859-9", "cp1254"),
        ("euc-jp", "euc-jp"),
        ('"utf-8"', "utf-8"),
        ("text/html; charset=ISO-8859-1", "cp1252"),
        ("no-such-charset", None),
        ("", None),
    ],
)
def test_labels_are_mapped_as_browsers_map_them(label: str, codec: str | None) -> None:
    assert normalize_encoding(label) == codec


def test_utf16_label_in_the_page_means_utf8() -> None:
    data = page(FRENCH, '<meta charset="utf-16">').encode("utf-8")
    assert detect_encoding(data) == "utf-8"


def test_utf16_without_bom_from_http() -> None:
    data = page(ARABIC).encode("utf-16-le")
    assert ARABIC in decode_html(data, "UTF-16LE")


def test_garbage_never_raises() -> None:
    data = bytes(range(256)) * 40
    encoding = detect_encoding(data, "x-no-such-charset")
    assert isinstance(decode_html(data), str)
    codecs.lookup(encoding)
