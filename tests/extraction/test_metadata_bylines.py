"""Bylines as sites in many languages write them: the phrase before the names, a name alone in
a byline element, links to author pages; and what is no one's name (the newsroom, agencies,
the site, a picture's credit)."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.extraction import extract
from crawler.extraction.metadata import extract_metadata
from crawler.extraction.names import split_names

STORY = "<p>" + "Le conseil municipal a voté le budget après une longue séance de débats. " * 8


def authors_of(header: str, url: str = "https://www.journal.example/monde/1", head: str = ""):
    """Authors of a page whose article header (after the <h1>) is `header`."""
    html = (
        f"<html><head><title>Le budget est voté</title>{head}</head><body>"
        "<nav><a href='/'>Accueil</a></nav>"
        f"<article><header><h1>Le budget est voté</h1>{header}</header>{STORY}</p></article>"
        "</body></html>"
    )
    root = lxml.html.fromstring(html.encode(), parser=lxml.html.HTMLParser(encoding="utf-8"))
    return extract_metadata(root, url).authors


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        ('<p class="byline">Par Jeanne Dupont</p>', ["Jeanne Dupont"]),
        ('<div class="meta">Par <a href="/auteur/jeanne-dupont">Jeanne Dupont</a></div>',
         ["Jeanne Dupont"]),
        ('<span class="autor">Von Hans Müller, Berlin</span>', ["Hans Müller"]),
        ('<div class="meta">Von <a href="/autoren/hm">Hans Müller</a> | 12.03.2024</div>',
         ["Hans Müller"]),
        ("<p>Por María García y Juan Pérez</p>", ["María García", "Juan Pérez"]),
        ('<p class="article__signature">Door Jan de Vries</p>', ["Jan de Vries"]),
        ("<p>Di Giulia Rossi</p>", ["Giulia Rossi"]),
        ('<div class="author">بقلم أحمد علي</div>', ["أحمد علي"]),
        ('<div class="firma">Por Juan Pérez, corresponsal en Roma</div>', ["Juan Pérez"]),
        ("<p>Von Anna Schmidt und Jonas Weber</p>", ["Anna Schmidt", "Jonas Weber"]),
        # a byline element holding only the name
        ('<span class="byline">Jeanne Dupont</span>', ["Jeanne Dupont"]),
        ('<span class="auteur">Claire MARTIN</span>', ["Claire Martin"]),
        # only links to the site's author pages, no phrase
        ('<div><a href="/writer/jane-doe/">Jane Doe</a></div>', ["Jane Doe"]),
        ('<p class="byline">Martin Untersinger (avec Damien Leloup et Morgane Tual)</p>',
         ["Martin Untersinger", "Damien Leloup", "Morgane Tual"]),
        # names in elements of their own, the words between them in the elements' tails
        ('<span class="authors">Par <span class="author"><a href="/a/1">Alexandre Hervaud</a>'
         '</span> et <span class="author"><a href="/a/2">Jérémy Piette</a></span></span>',
         ["Alexandre Hervaud", "Jérémy Piette"]),
        ('<div class="byline"><span><a href="/toireporter/author-ap-1.cms">Ashok Pradhan</a>'
         "</span> | TNN | Apr 7, 2020, 15:43 IST</div>", ["Ashok Pradhan"]),
        # marks before the phrase
        ('<span class="dr-typography-t5">// By Arun Sai Krishnan • Nov 11, 2020</span>',
         ["Arun Sai Krishnan"]),
        # a widget about the author before the byline: "X’s Discussions" is no one's name
        ('<a class="tab-author" href="/chat"><span>Patrick Allan</span>’s Discussions</a>'
         '<span class="display-name author vcard"><a href="//pa.kinja.com">Patrick Allan</a>'
         "</span>", ["Patrick Allan"]),
    ],
)  # fmt: skip
def test_bylines_in_the_pages_language(header: str, authors: list[str]) -> None:
    assert authors_of(header) == authors


@pytest.mark.parametrize(
    "header",
    [
        '<div class="byline">By Staff</div>',
        '<div class="byline">Par AFP</div>',
        '<div class="byline">Von dpa/AFP</div>',
        '<div class="byline">Redaktion</div>',
        '<div class="byline">Por Redacción</div>',
        '<div class="byline">Par La Rédaction</div>',
        '<div class="author">Reuters</div>',
        '<div class="byline">The Associated Press</div>',
        # a date or a place where the name should be
        '<div class="byline">Mis à jour le 12 mars 2024</div>',
        '<div class="byline">WASHINGTON</div>',
        # a picture's credit is not the story's byline
        '<figure><img src="a.jpg"><figcaption class="photo-credit">Photo by Jane Doe'
        "</figcaption></figure>",
        "<small>Photo by <a href='https://unsplash.com/photos/km'>Ricardo Gomez Angel</a></small>",
        # "Par" opening a sentence of the story
        "<p>Par ailleurs, le maire a annoncé des travaux.</p>",
        # newsrooms, desks, agencies, police press offices and credit lines, in many languages
        '<div class="byline">Συντακτική Ομάδα</div>',
        '<div class="byline">Auswärtige Autoren</div>',
        '<div class="author">वाराणसी ब्यूरो</div>',
        '<div class="byline">Agência O Globo</div>',
        '<div class="byline">Sputnik International</div>',
        '<div class="author">Polizei Steinfurt</div>',
        '<div class="author">Developed by Jane Doe</div>',
    ],
)
def test_no_one_is_not_an_author(header: str) -> None:
    assert authors_of(header) == []


def test_the_newsroom_signing_as_the_site_is_not_an_author() -> None:
    head = '<meta property="og:site_name" content="Le Journal.fr">'
    assert authors_of('<p class="byline">Le Journal</p>', head=head) == []


def test_on_a_personal_site_the_author_may_share_the_sites_name() -> None:
    head = (
        '<meta property="og:site_name" content="Haki Benita">'
        '<script type="application/ld+json">{"@type": "Article", "headline": "H",'
        ' "author": {"@type": "Person", "name": "Haki Benita"},'
        ' "publisher": {"@type": "Organization", "name": "Haki Benita"}}</script>'
    )
    assert authors_of("", url="https://hakibenita.com/sql", head=head) == ["Haki Benita"]


def test_the_articles_own_microdata_author_counts_even_in_an_aside() -> None:
    html = (
        '<html><body><article itemscope itemtype="http://schema.org/BlogPosting">'
        "<h1>Get your code covered</h1>" + STORY + "</p>"
        '<aside><p><span itemprop="author" itemscope itemtype="http://schema.org/Person">'
        '<span itemprop="name">Nicolas Perriault</span></span></p></aside></article>'
        '<div class="related"><span class="byline">By <a rel="author" href="/p/x">Shara Tibken'
        "</a></span></div></body></html>"
    )
    assert extract(html.encode(), "https://nicolas.example.net/code/1").authors == [
        "Nicolas Perriault"
    ]


def test_an_agency_byline_does_not_borrow_names_from_related_stories() -> None:
    header = (
        '<div class="info"><span class="author" itemprop="author" itemscope '
        'itemtype="http://schema.org/Person"><span itemprop="name">AFP</span></span></div>'
        '<aside class="related"><a href="/a/2"><h2>Exode sous pression</h2></a>'
        '<span class="author">Par <span class="authorname">Sébastien Farcis</span></span></aside>'
    )
    assert authors_of(header) == []


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Par Jeanne Dupont et Paul Martin", ["Jeanne Dupont", "Paul Martin"]),
        ("Texte : Jeanne Dupont", ["Jeanne Dupont"]),
        ("Autorin: Anna Schmidt", ["Anna Schmidt"]),
        ("Escrito por Ana López", ["Ana López"]),
        ("Geschreven door Jan de Vries en Els Jansen", ["Jan de Vries", "Els Jansen"]),
        ("Richard (R.J.) Eskow", ["Richard Eskow"]),
        ("홍길동 기자", ["홍길동"]),
        ("記者 王小明", ["王小明"]),
        ("Jane Doe, Reuters", ["Jane Doe"]),
        ("AP Foto/Martin Meissner", ["Martin Meissner"]),
        # the last name of a list written with the serial comma
        ("By Alice Smith, Bob Jones, and Carol White", ["Alice Smith", "Bob Jones", "Carol White"]),
        ("Par Alice Martin, Bruno Petit, et Claire Dubois",
         ["Alice Martin", "Bruno Petit", "Claire Dubois"]),
        # a role, then the author's organisation: no one's name, up to the next "and"
        ("By Daniel Kahn Gillmor, Senior Staff Technologist, ACLU Speech, Privacy, and "
         "Technology Project", ["Daniel Kahn Gillmor"]),
        ("By Jane Doe, Staff Writer, and John Smith, Senior Reporter", ["Jane Doe", "John Smith"]),
        ("Jane Doe, Senior Policy Analyst, Brookings Institution", ["Jane Doe"]),
        ("Autor", []),
        ("dpa", []),
        ("Redazione Ansa", []),
        # a call for submissions in a "signature" block: a list of phrases, not of names
        ("【上報徵稿】\n上報歡迎各界投書，來稿請寄至本報，並請附上真實姓名、聯絡方式與職業身分簡介。"
         "\n一起加入，上報Telegram，新聞不漏接！", []),
    ],
)
def test_split_names_in_many_languages(byline: str, names: list[str]) -> None:
    assert split_names(byline) == names


def _page_without_metas(body: str) -> str:
    return f"<html><head><title>Budget passed</title></head><body>{body}</body></html>"


def test_a_byline_in_the_headline_blocks_footer_is_the_articles() -> None:
    # The New York Times: byline and dateline in "story-meta-footer", under the headline.
    page = _page_without_metas(
        '<div class="story-meta"><h1 class="headline">Budget passed</h1>'
        '<div class="story-meta-footer"><p class="byline-dateline"><span class="byline">By '
        '<a href="/by/jane-doe"><span class="byline-author">JANE DOE</span></a></span>'
        "</p></div></div>" + STORY + "</p>"
        '<footer class="site-footer"><p>By Site Team</p></footer>'
    )
    assert extract(page.encode(), "https://news.example/2024/06/budget").authors == ["Jane Doe"]


def test_the_pages_one_headline_counts_in_a_layout_named_sidebar() -> None:
    # ACLU's Drupal panels: the headline and the byline in "panel-two-col-sidebar".
    page = _page_without_metas(
        '<div class="panel-display panel-two-col-sidebar"><div class="inner">'
        '<div class="pane-node-title"><h1>Budget passed</h1></div>'
        '<div class="pane-blog-byline"><div class="blog-author">By <a href="/x">Jane Doe</a>, '
        "Senior Staff Technologist, ACLU Speech, Privacy, and Technology Project</div></div>"
        "</div></div>" + STORY + "</p>"
    )
    assert extract(page.encode(), "https://news.example/2024/06/budget").authors == ["Jane Doe"]


def test_a_name_linked_to_a_profile_after_its_photo_linked_there_too() -> None:
    # Medium: the avatar's link, then the name's, both to "/@handle".
    page = _page_without_metas(
        "<article><h1>Budget passed</h1><div><div><a href='/@janedoe?source=post_page'>"
        "<img src='/a.png' alt=''></a></div><span><a href='/@janedoe?source=post_page'>"
        "Jane Doe</a></span><span>6 min read</span></div>" + STORY + "</p></article>"
    )
    assert extract(page.encode(), "https://blog.example/budget-1a2b").authors == ["Jane Doe"]


def test_the_sites_logo_as_h1_in_the_page_header_is_not_the_headline() -> None:
    # engadget: the logo's <h1> in the page's <header>, the story's in <main>.
    page = _page_without_metas(
        '<header class="o-sticky_header"><a href="/"><h1>Gadgetsite</h1></a></header>'
        '<main><header><h1>Budget passed</h1><div><a class="meta" '
        'href="/about/editors/jane-doe/">Jane Doe</a>, @janedoe</div></header>'
        + STORY + "</p></main>"
    )
    assert extract(page.encode(), "https://news.example/2024/06/budget").authors == ["Jane Doe"]
