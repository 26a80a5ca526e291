"""End to end: a page in a legacy encoding comes out of `extract` as the text its author wrote."""

from __future__ import annotations

import pytest

from crawler.extraction import extract

TEXTS = {
    "cp1256": (
        "ar",
        "أعلنت وزارة الخارجية الإيرانية يوم الجمعة أن وزيري خارجية إيران وروسيا بحثا في اتصال "
        "هاتفي آخر التطورات في سوريا، ولا سيما تطبيق وقف إطلاق النار في البلاد.",
    ),
    "cp1252": (
        "fr",
        "Le ministère a confirmé vendredi que la réunion aurait lieu à Genève, où les délégués "
        "étudieront « les conditions d’un cessez-le-feu durable » dès lundi prochain.",
    ),
    "iso-8859-1": (
        "de",
        "Die Stadtwerke senken den Fernwärmepreis zum Jahreswechsel um elf Prozent, teilte die "
        "Geschäftsführung am Montag mit; ein Haushalt spart damit rund 180 Euro.",
    ),
    "shift_jis": (
        "ja",
        "政府は金曜日、来年度の予算案を閣議決定した。一般会計の総額は過去最大となり、防衛費と"
        "社会保障費の伸びが目立つ。",
    ),
    "gb18030": (
        "zh",
        "国家统计局周五公布的数据显示，十月份全国居民消费价格同比上涨百分之零点三，"
        "涨幅比上月扩大零点一个百分点。",
    ),
}


def _page(lang: str, text: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f'<html lang="{lang}"><head>{meta}<title>News</title></head><body><nav>'
        f'<a href="/">Home</a></nav><article><p>{text}</p><p>{text}</p></article></body></html>'
    )


@pytest.mark.parametrize("codec", sorted(TEXTS))
def test_declared_encoding(codec: str) -> None:
    lang, text = TEXTS[codec]
    data = _page(lang, text, codec).encode(codec)
    assert extract(data, "https://news.example/a").body == f"{text}\n\n{text}"


@pytest.mark.parametrize("codec", sorted(TEXTS))
def test_http_charset_wins_over_a_wrong_meta(codec: str) -> None:
    lang, text = TEXTS[codec]
    data = _page(lang, text, "utf-8").encode(codec)
    assert extract(data, "https://news.example/a", http_charset=codec).body == f"{text}\n\n{text}"


@pytest.mark.parametrize("codec", sorted(TEXTS))
def test_undeclared_encoding_is_detected(codec: str) -> None:
    lang, text = TEXTS[codec]
    data = _page(lang, text, None).encode(codec)
    assert extract(data, "https://news.example/a").body == f"{text}\n\n{text}"


def test_text_input_is_taken_as_decoded() -> None:
    lang, text = TEXTS["cp1256"]
    assert extract(_page(lang, text, "windows-1256"), "https://x/").body == f"{text}\n\n{text}"
