"""Is it an article? Section fronts, tag/author pages, video pages, live-blog stubs, print
duplicates, soft 404s and error pages must not become articles; article pages must."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from tests.extraction.helpers import fixture_bytes

NOT_ARTICLES = {
    "section_front": "https://www.dailyledger.example/world/",
    "section_front_long_teasers": "https://www.northerncourier.example/business",
    "tag_page": "https://greenpost.example/tag/climate-change/",
    "author_page": "https://metrotribune.example/author/sarah-okonkwo/",
    "video_page": "https://news9.example/video/2024/01/18/firefighters-rescue-dog",
    "live_blog_stub": "https://thecourier.example/news/2024/03/06/budget-2024-live",
    "print_duplicate": "http://www.presstv.ir/Print/2016/03/25/457849",
    "soft_404": "https://gazette.example/news/2024/06/some-removed-story",
    "error_page": "https://news.example/2024/06/11/story",
}
ARTICLES = {
    "presstv-syria-truce.html": "http://www.presstv.ir/Detail/2016/03/25/457849/Iran-Russia",
    "boilerplate/share_widgets.html": "https://riversideherald.example/2024/05/14/bike-lanes/",
    "boilerplate/pull_quote.html": "https://coastalweekly.example/features/lighthouse-keeper",
    "boilerplate/print_email_scripts.html": "https://rundschau.example/lokales/fernwaerme-58211",
}


@pytest.mark.parametrize("name", sorted(NOT_ARTICLES))
def test_not_an_article(name: str) -> None:
    article = extract(fixture_bytes(f"kinds/{name}.html"), NOT_ARTICLES[name])
    assert not article.is_article, (name, article.article_score)
    assert 0.0 <= article.article_score < 0.5


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article(name: str) -> None:
    article = extract(fixture_bytes(name), ARTICLES[name])
    assert article.is_article, (name, article.article_score)
    assert 0.5 <= article.article_score <= 1.0


def test_print_duplicate_still_has_the_text() -> None:
    # Not an article (the /Detail/ page is), but the text is extracted all the same.
    article = extract(fixture_bytes("kinds/print_duplicate.html"), NOT_ARTICLES["print_duplicate"])
    assert "Foreign ministers of Iran and Russia" in article.body
    assert "alternate addresses" not in article.body


def test_empty_body_page_is_not_an_article() -> None:
    article = extract(b"<html><body><div></div></body></html>", "https://news.example/x")
    assert article.body == "" and not article.is_article


# --- live blogs and galleries: pages written here, in the shapes the sites use ----------------

_ENTRY = (
    "<div class='entry'><p class='ts'>{time}</p><p>{text}</p></div>"
)
_ENTRIES = [
    "Die Sitzung des Bundestags hat begonnen. Der Finanzminister wird gegen zwölf Uhr sprechen, "
    "die Opposition hat eine lange Debatte angekündigt.",
    "Die Märkte reagieren bisher gelassen, der DAX liegt leicht im Plus, der Euro ist stabil.",
    "Der Minister verteidigt die Schuldenbremse und kündigt Einsparungen im Verkehrsetat an, "
    "vor allem bei den Straßenbauprojekten, die noch nicht begonnen haben.",
    "Die Union wirft der Regierung vor, die Haushaltslage schönzurechnen, und verlangt einen "
    "Nachtragshaushalt noch vor der Sommerpause.",
    "Die Grünen verteidigen die Förderprogramme für Wärmepumpen, die FDP will sie kürzen. Ein "
    "Kompromiss zeichnet sich nach Angaben aus Koalitionskreisen bis zum Abend ab.",
]


def _live_page(title: str, entries: list[str], schema: str = "NewsArticle") -> bytes:
    times = [f"{h}:{m:02d}" for h in range(16, 9, -1) for m in (45, 15)]
    body = "".join(_ENTRY.format(time=t, text=e) for t, e in zip(times, entries, strict=False))
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"{schema}"}}
</script></head><body><main><article><h1>{title}</h1>
<div class="ticker-body">{body}</div></article></main></body></html>""".encode()


def test_liveticker_stub_is_not_an_article() -> None:
    page = _live_page("Liveticker: Haushaltsdebatte im Bundestag", _ENTRIES[:2])
    article = extract(page, "https://zeitung.example/politik/2024/05/14/haushalt-liveticker")
    assert not article.is_article, article.article_score
    assert "Die Sitzung des Bundestags hat begonnen" in article.body  # the text is still read


def test_timestamped_stub_without_live_in_title_or_url_is_not_an_article() -> None:
    # Only the shape says it: a run of entry times and a few lines under each.
    page = _live_page("Haushaltsdebatte im Bundestag", _ENTRIES[:3])
    article = extract(page, "https://zeitung.example/politik/2024/05/14/haushaltsdebatte-bundestag")
    assert not article.is_article, article.article_score


def test_live_blog_with_substantial_text_is_an_article() -> None:
    # A running story of several hundred words is news text worth keeping: an article.
    speakers = ["Anna Berger", "Tom Krause", "Lea Vogt", "Jan Roth", "Eva Lang", "Max Paul"]
    entries = [
        *_ENTRIES,
        *(
            f"Als {n + 6}. Rednerin oder Redner spricht {name}. Sie oder er fordert mehr Geld für "
            f"den Wohnungsbau in {city} und kritisiert, dass der Entwurf die Kommunen mit den "
            "Kosten der Unterbringung allein lasse."
            for n, (name, city) in enumerate(
                zip(speakers, ["Kiel", "Jena", "Trier", "Ulm", "Gera", "Hof"], strict=True)
            )
        ),
    ]
    page = _live_page("Liveticker: Haushaltsdebatte im Bundestag", entries, "LiveBlogPosting")
    article = extract(page, "https://zeitung.example/politik/2024/05/14/haushalt-liveticker")
    assert article.word_count >= 300
    assert article.is_article, article.article_score


def _gallery_page(title: str, figures: int, intro: str) -> bytes:
    figs = "".join(
        f'<figure><img src="/img/fest-{i}.jpg"><figcaption>Bild {i}: Besucher auf dem '
        f"Marktplatz am Samstagabend. Foto: Anna Weber</figcaption></figure>"
        for i in range(figures)
    )
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"></head><body><main><article><h1>{title}</h1>
<p>{intro}</p>{figs}</article></main></body></html>""".encode()


_INTRO = (
    "Mehr als 20.000 Menschen haben am Wochenende das Altstadtfest gefeiert, bei bestem Wetter "
    "und mit Musik auf drei Bühnen. Die Veranstalter zogen am Sonntagabend eine zufriedene "
    "Bilanz: Es habe keine größeren Zwischenfälle gegeben, die Polizei meldete nur zwei kleinere "
    "Rangeleien am Rande des Marktplatzes. Besonders voll war es am Samstag beim Konzert der "
    "Stadtkapelle und beim Feuerwerk über dem Fluss, das nach zwei Jahren Pause wieder stattfand. "
    "Im nächsten Jahr soll das Fest um einen Tag verlängert werden. Unsere Fotografin war dabei."
)


def test_gallery_of_captioned_figures_is_not_an_article() -> None:
    page = _gallery_page("Das Altstadtfest am Samstag", 12, _INTRO)
    article = extract(page, "https://zeitung.example/lokales/2024/06/09/altstadtfest-samstag")
    assert len(article.images) == 12 and article.images[0].caption
    assert not article.is_article, article.article_score


def test_page_that_says_it_is_a_gallery_is_not_an_article() -> None:
    page = _gallery_page("Bildergalerie: Das Altstadtfest", 3, _INTRO)
    article = extract(page, "https://zeitung.example/lokales/bildergalerie/altstadtfest-42")
    assert not article.is_article, article.article_score


def test_article_with_photos_in_its_title_and_thumbnails_is_an_article() -> None:
    paragraphs = "".join(f"<p>{e}</p>" for e in _ENTRIES)
    thumbs = "".join(f'<figure><img src="/thumb/{i}.jpg"></figure>' for i in range(10))
    page = f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Haushalt: Neue Photos zeigen den Minister im Bundestag</title>
<meta property="og:type" content="article"></head><body><main><article>
<h1>Haushalt: Neue Photos zeigen den Minister im Bundestag</h1>{paragraphs}{thumbs}
</article></main></body></html>""".encode()
    article = extract(page, "https://zeitung.example/politik/2024/05/14/haushalt-minister")
    assert article.is_article, article.article_score
