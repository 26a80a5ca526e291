"""Headlines without the site's name in front of them: "Site Name - Headline", whatever the
separator, when the page names its site, when only the domain does, and when another title of
the page shows which side is the headline."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.extraction.metadata import extract_metadata


def title_of(head: str, body: str, url: str) -> str | None:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    root = lxml.html.fromstring(html.encode(), parser=lxml.html.HTMLParser(encoding="utf-8"))
    return extract_metadata(root, url).title


@pytest.mark.parametrize(
    ("head", "body", "url", "title"),
    [
        # the site's name and a colon with no space before it
        (
            "<title>Noticias Hoy: El presupuesto fue aprobado</title>"
            '<meta property="og:site_name" content="Noticias Hoy">',
            "",
            "https://www.noticiashoy.example/a/1",
            "El presupuesto fue aprobado",
        ),
        # the domain is the site name's initials
        (
            '<meta property="og:title" content="Nouvelles du Jour - Le budget est voté">',
            "",
            "https://www.ndj.example/politique/1",
            "Le budget est voté",
        ),
        # og:title has the prefix, the JSON-LD headline has not: they agree on the headline
        (
            '<meta property="og:title" content="Gazeta Regional - Orçamento aprovado na câmara">'
            '<script type="application/ld+json">{"@type": "NewsArticle",'
            ' "headline": "Orçamento aprovado na câmara"}</script>',
            "",
            "https://www.gr-noticias.example/a/1",
            "Orçamento aprovado na câmara",
        ),
        # a section between the site and the headline goes with the site
        (
            "<title>Tagesblatt - Nachrichten - Der Haushalt ist beschlossen</title>"
            '<meta property="og:site_name" content="Tagesblatt">',
            "",
            "https://www.tagesblatt.example/a/1",
            "Der Haushalt ist beschlossen",
        ),
        # right to left, the site's name first
        (
            "<title>البيان - إقرار الميزانية العامة للدولة</title>"
            '<meta property="og:site_name" content="البيان">',
            "",
            "https://www.albayan.example/a/1",
            "إقرار الميزانية العامة للدولة",
        ),
    ],
)
def test_site_name_in_front_of_the_headline_goes(head: str, body: str, url: str, title: str):
    assert title_of(head, body, url) == title


def test_a_title_that_is_only_the_site_name_does_not_win() -> None:
    head = (
        '<meta property="og:title" content="Council approves the harbour budget | Gazette">'
        '<meta name="twitter:title" content="Gazette">'
    )
    assert title_of(head, "", "https://news.example.org/a/1") == (
        "Council approves the harbour budget | Gazette"
    )
