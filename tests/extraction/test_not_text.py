"""Binary or undecodable bodies are never articles, whatever their Content-Type said.

Random bytes served as text/html decode (windows-1252 maps nearly every byte) to long runs of
"words": without the not-text check they became a 23,000-word article of mojibake. Real pages,
a stray control character included, must keep their verdict.
"""

from __future__ import annotations

import random

import pytest

from crawler.extraction import ExtractionError, extract, extract_parsed, parse_page
from crawler.extraction.kind import looks_like_text
from tests.extraction.helpers import fixture_bytes

ARTICLE_URL = "https://news.example/2024/03/15/harbour-dredging-plan-approved/"
PROSE = {
    "en": "The harbour authority approved the dredging plan on Tuesday after a long debate. ",
    "hi": "नगर निगम ने मंगलवार को बंदरगाह की खुदाई की योजना को मंज़ूरी दे दी। ",
    "zh": "港口管理局在周二经过长时间辩论后批准了疏浚计划。",
    "ar": "وافقت سلطة الميناء على خطة التجريف يوم الثلاثاء بعد نقاش طويل. ",
    "ru": "Управление порта во вторник одобрило план дноуглубления после долгих споров. ",
}


def _random_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("charset", [None, "utf-8", "windows-1251", "iso-8859-1"])
def test_random_bytes_are_not_an_article(seed: int, charset: str | None) -> None:
    article = extract(_random_bytes(seed, 200_000), ARTICLE_URL, http_charset=charset)
    assert not article.is_article
    assert article.article_score == 0.0


def test_random_bytes_in_an_html_shell_are_not_an_article() -> None:
    junk = _random_bytes(7, 100_000).replace(b"<", b" ").replace(b"&", b" ")
    page = b"<html><head><title>Harbour news</title><meta property='og:type' content='article'>"
    page += b"</head><body><article><p>" + junk + b"</p></article></body></html>"
    assert not extract(page, ARTICLE_URL, http_charset="utf-8").is_article


def test_nul_heavy_binary_is_not_an_article() -> None:
    rnd = random.Random(11)
    data = bytes(b if rnd.random() < 0.4 else 0 for b in _random_bytes(11, 200_000))
    assert not extract(b"\x89PNG\r\n\x1a\n" + data, ARTICLE_URL, http_charset="utf-8").is_article


def test_whitespace_and_nul_page_is_not_an_article() -> None:
    rnd = random.Random(5)
    data = bytes(rnd.choice(b" \t\r\n\x00") for _ in range(1_000_000))
    try:
        article = extract(data, ARTICLE_URL, http_charset="utf-8")
    except ExtractionError:
        return  # no document at all: not an article either
    assert not article.is_article


def test_replay_path_decides_alike() -> None:
    """Replay extracts from `parse_page`'s tree (`extract_parsed`): same verdict."""
    parsed = parse_page(_random_bytes(3, 200_000), "utf-8")
    assert not extract_parsed(parsed.root, ARTICLE_URL).is_article


@pytest.mark.parametrize("stray", ["\x01", "\x0b", "\x85", "\ufffd"])
def test_real_article_with_one_stray_character_is_still_an_article(stray: str) -> None:
    html = fixture_bytes("presstv-syria-truce.html").decode("utf-8")
    cut = html.index("<p", html.index("<body"))
    cut = html.index(">", cut) + 1
    page = (html[:cut] + stray + html[cut:]).encode("utf-8")
    url = "http://www.presstv.ir/Detail/2016/03/25/457849/Iran-Russia"
    assert extract(page, url).is_article


@pytest.mark.parametrize("lang", sorted(PROSE))
def test_prose_in_any_script_looks_like_text(lang: str) -> None:
    assert looks_like_text(PROSE[lang] * 40)
    assert looks_like_text(PROSE[lang] * 40 + "\x07" + "\ufffd" + "© 2024 ★")


def test_short_text_is_not_judged() -> None:
    assert looks_like_text("")
    assert looks_like_text("© ★ | 2024-03-04 16:52")


@pytest.mark.parametrize(
    "junk",
    [
        "\x01\x02\x03",  # controls (replay and other callers may pass text before C0 deletion)
        "\ufffd\ufffd\ufffd\ufffd",  # undecodable bytes
        "¤¦©®°±¬×÷",  # symbols of a single-byte codepage's upper half
        "0123456789.,;:-",  # no letters at all
    ],
)
def test_not_text(junk: str) -> None:
    text = (junk * 200)[:3000]
    assert not looks_like_text(text)
    if junk[0].isdigit():
        return  # digits within prose are prose (dates, scores, prices)
    # Mixed into prose at a tenth of the text: still not text.
    assert not looks_like_text("".join(PROSE["en"][:27] + junk[:3] for _ in range(200)))
