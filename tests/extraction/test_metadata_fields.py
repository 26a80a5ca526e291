"""One metadata field at a time, on small pages: title affixes, author noise, language, and
pages that are broken in every way a real page can be (never an exception)."""

from __future__ import annotations

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extraction.decode import decode_html
from crawler.extraction.metadata import extract_metadata
from crawler.extraction.names import split_names


def meta_of(html: str | bytes, url: str = "https://news.example.com/a/1"):
    data = html.encode("utf-8") if isinstance(html, str) else html
    root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    return extract_metadata(root, url)


@pytest.mark.parametrize(
    ("head", "body", "url", "title"),
    [
        # suffix naming og:site_name
        (
            "<title>Markets slide as oil jumps | Finance Daily</title>"
            '<meta property="og:site_name" content="Finance Daily">',
            "",
            "https://financedaily.example/markets/1",
            "Markets slide as oil jumps",
        ),
        # prefix naming the site
        (
            "<title>Finance Daily - Markets slide as oil jumps</title>"
            '<meta property="og:site_name" content="Finance Daily">',
            "",
            "https://financedaily.example/markets/1",
            "Markets slide as oil jumps",
        ),
        # suffix naming the domain, no og:site_name
        (
            "<title>Taylor Swift allowed to play her music at the AMAs - BBC News</title>",
            "",
            "https://www.bbc.co.uk/news/entertainment-arts-50473513",
            "Taylor Swift allowed to play her music at the AMAs",
        ),
        # section and site around the headline; the h1 says which part is the headline
        (
            "<title>Opinion | Republicans Are Following Trump to Nowhere"
            " - The New York Times</title>",
            "<h1>Republicans Are Following Trump to Nowhere</h1>",
            "https://www.nytimes.com/2019/11/19/opinion/republicans.html",
            "Republicans Are Following Trump to Nowhere",
        ),
        # a dash that belongs to the headline stays
        (
            "<title>Covid-19 - what we know about the new variant</title>",
            "",
            "https://health.example.org/covid",
            "Covid-19 - what we know about the new variant",
        ),
        # right-to-left headline, site name in Arabic after the separator
        (
            "<title>وزيرا خارجية إيران وروسيا يبحثان تعزيز الهدنة في سوريا | قناة الأخبار</title>"
            '<meta property="og:site_name" content="قناة الأخبار">',
            "",
            "https://arabic.example.com/news/1",
            "وزيرا خارجية إيران وروسيا يبحثان تعزيز الهدنة في سوريا",
        ),
    ],
)
def test_title_without_site_name(head: str, body: str, url: str, title: str) -> None:
    meta = meta_of(f"<html><head>{head}</head><body>{body}</body></html>", url)
    assert meta.title == title


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        ("By JANE DOE, Senior Correspondent", ["Jane Doe"]),
        ("Jane Doe - Staff Writer", ["Jane Doe"]),
        ("Written by: Ahmed Al-Masri", ["Ahmed Al-Masri"]),
        ("By Jane Doe | jane.doe@example.com | Follow @janedoe", ["Jane Doe"]),
        ("Jean-Pierre Dupont et Marie Curie", ["Jean-Pierre Dupont", "Marie Curie"]),
        ("John Smith (Reuters)", ["John Smith"]),
        ("Ludwig van Beethoven", ["Ludwig van Beethoven"]),
        ("Follow the author of this article", []),
        ("Staff", []),
        ("https://www.facebook.com/janedoe", []),
    ],
)
def test_author_names_are_cleaned(byline: str, names: list[str]) -> None:
    assert split_names(byline) == names


def test_authors_from_all_meta_sources_deduplicated() -> None:
    meta = meta_of(
        "<html><head>"
        '<meta name="author" content="Jane Doe">'
        '<meta name="parsely-author" content="JANE DOE">'
        '<meta name="sailthru.author" content="John Smith">'
        '<meta property="og:site_name" content="The Gazette">'
        '<meta name="dc.creator" content="The Gazette">'
        "</head><body></body></html>"
    )
    assert meta.authors == ["Jane Doe", "John Smith"]


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ('<html lang="pt-BR"><body><p>Texto.</p></body></html>', "pt"),
        ('<html><head><meta http-equiv="content-language" content="de-AT"></head></html>', "de"),
        ('<html><head><meta property="og:locale" content="es_MX"></head></html>', "es"),
        # no declaration: the text tells
        (
            "<html><body><p>The ministers said that the ceasefire has been holding and that "
            "talks will resume in Geneva next week, according to the statement.</p></body></html>",
            "en",
        ),
        (
            "<html><body><p>Les ministres ont déclaré que le cessez-le-feu est respecté et que "
            "les discussions reprendront à Genève la semaine prochaine.</p></body></html>",
            "fr",
        ),
        ("<html><body><p>東京都は15日、新たな感染者を確認したと発表した。</p></body></html>", "ja"),
        ("<html><body><p>国务院总理今天在北京会见了来访的代表团。</p></body></html>", "zh"),
        (
            "<html><body><p>Министры иностранных дел обсудили ситуацию в Сирии.</p></body></html>",
            "ru",
        ),
        # a German edition's template over an English article
        (
            '<html lang="de-DE"><body><p>The Federal Reserve said on Wednesday that it would '
            "keep interest rates on hold, and that the economy was growing at a moderate pace "
            "with the labor market strong and inflation near its target of 2 percent, which "
            "was in line with what the markets had expected from the bank.</p></body></html>",
            "en",
        ),
        # a template that says "en" on every page, over Persian text
        (
            '<html lang="en"><body><p>وزیران امور خارجه ایران و روسیه درباره آتش‌بس در سوریه '
            "گفتگو کردند و بر ادامه رایزنی‌ها تأکید کردند.</p></body></html>",
            "fa",
        ),
    ],
)
def test_language(html: str, language: str) -> None:
    assert meta_of(html).language == language


def test_arabic_windows_1256_page_end_to_end() -> None:
    title = "وزيرا خارجية إيران وروسيا يبحثان تعزيز الهدنة في سوريا"
    html = (
        '<html dir="rtl"><head><meta charset="iso-8859-1">'
        f"<title>{title} - برس تي في</title>"
        '<meta name="author" content="بقلم: محمد الأحمد"></head>'
        f"<body><h1>{title}</h1><p>بحث وزيرا خارجية إيران وروسيا في اتصال هاتفي آخر "
        "التطورات في سوريا ولا سيما تطبيق وقف إطلاق النار.</p></body></html>"
    )
    data = html.encode("cp1256")  # mislabelled as ISO-8859-1, as such sites often are
    text = decode_html(data)
    root = lxml.html.fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    meta = extract_metadata(root, "https://arabic.example.com/news/1")
    assert meta.title == title
    assert meta.authors == ["محمد الأحمد"]
    assert meta.language == "ar"


BROKEN_PAGES = [
    "",
    "<html></html>",
    "<!-- only a comment -->",
    '<script type="application/ld+json">{"@type": "NewsArticle", "author": </script>',
    '<script type="application/ld+json">[1, "x", null, {"@graph": "nope"}]</script>',
    '<script type="application/ld+json">{"@type": ["NewsArticle"], "author": [null, 3, {}],'
    ' "datePublished": ["0000-00-00"], "image": [[]], "keywords": {"a": 1}}</script>',
    '<meta property="article:published_time" content="2024-02-30T25:61:00+99:00">',
    '<meta property="article:published_time" content="9999999999999999999999">',
    '<time datetime="yesterday">a while ago</time><time>32/13/2024</time>',
    '<div class="breadcrumb"></div><nav aria-label="breadcrumb"><ol><li></li></ol></nav>',
    '<link rel="canonical" href="http://[::1:bad">',
    '<meta property="og:image" content="javascript:alert(1)">',
    "<html><head><title>" + "x | " * 500 + "</title></head></html>",
]


@pytest.mark.parametrize("html", BROKEN_PAGES)
def test_broken_pages_never_raise(html: str) -> None:
    root = lxml.html.fromstring(f"<html><head></head><body>{html}<p>x</p></body></html>")
    meta = extract_metadata(root, "not even a url")
    assert meta.published is None or meta.published.startswith(("19", "20"))


_TAGS = st.sampled_from(
    ["p", "div", "span", "time", "h1", "title", "meta", "a", "nav", "li", "script", "article"]
)
_ATTRS = st.sampled_from(
    [
        "",
        ' class="byline"',
        ' class="breadcrumb"',
        ' class="date"',
        ' rel="author"',
        ' itemprop="datePublished"',
        ' datetime="2024-01-01T00:00:00Z"',
        ' property="og:title" content="T | S"',
        ' name="author" content="By A and B"',
        ' type="application/ld+json"',
    ]
)


@st.composite
def _pages(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag, attrs = draw(_TAGS), draw(_ATTRS)
        text = draw(st.text(max_size=40))
        parts.append(f"<{tag}{attrs}>{text}" + (f"</{tag}>" if draw(st.booleans()) else ""))
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pages(), st.text(max_size=30))
def test_random_markup_never_raises(html: str, url: str) -> None:
    try:
        root = lxml.html.fromstring(f"<html><body>{html}<p>x</p></body></html>")
    except Exception:  # lxml refusing the input is not our concern here
        return
    extract_metadata(root, url)


def test_dates_of_related_stories_are_not_the_articles() -> None:
    meta = meta_of(
        "<html><head>"
        '<meta property="article:published_time" content="2019-11-19T09:44:09+00:00">'
        "</head><body><article><h1>Swift allowed to play her music</h1>"
        "<p>The singer can perform her old hits at the awards after all.</p>"
        '<div class="story-more"><h2>More on this story</h2><ul>'
        '<li><a href="/n/1">Swift wants to re-record her hits</a>'
        '<div class="date">22 August 2019</div></li></ul></div>'
        "</article></body></html>"
    )
    assert meta.published == "2019-11-19T09:44:09+00:00"
    assert meta.published_source == "meta"


def test_site_name_glued_to_the_title() -> None:
    meta = meta_of(
        "<html><head><title>PressTV-Iran, Russia FMs discuss ways to boost Syria truce</title>"
        "</head><body></body></html>",
        "https://www.presstv.ir/Detail/2016/03/26/457824/Iran-Russia-Syria-truce",
    )
    assert meta.title == "Iran, Russia FMs discuss ways to boost Syria truce"
    assert meta.site_name == "PressTV"


def test_hyphenated_headline_starting_with_the_site_name_is_kept() -> None:
    meta = meta_of(
        "<html><head><title>BBC-funded study finds rise in news avoidance</title></head></html>",
        "https://www.bbc.co.uk/news/uk-1",
    )
    assert meta.title == "BBC-funded study finds rise in news avoidance"


@pytest.mark.parametrize(
    ("body", "breadcrumbs", "section"),
    [
        (  # nav with aria-label, an ordered list, the current page last
            '<nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>'
            '<li><a href="/sport">Sport</a></li><li><a href="/sport/tennis">Tennis</a></li>'
            '<li aria-current="page">Nadal keeps Spain alive</li></ol></nav>',
            ["Home", "Sport", "Tennis", "Nadal keeps Spain alive"],
            "Tennis",
        ),
        (  # microdata trail with separators between the items
            '<div itemscope itemtype="https://schema.org/BreadcrumbList">'
            '<span itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
            '<a itemprop="item" href="/"><span itemprop="name">Inicio</span></a></span> › '
            '<span itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
            '<a itemprop="item" href="/economia"><span itemprop="name">Economía</span></a>'
            "</span></div>",
            ["Inicio", "Economía"],
            "Economía",
        ),
        (  # a trail of generic items only: no section from it
            '<ul class="breadcrumbs"><li><a href="/">Home</a></li><li>News</li></ul>',
            ["Home", "News"],
            None,
        ),
    ],
)
def test_breadcrumbs_and_section(body: str, breadcrumbs: list[str], section: str | None) -> None:
    meta = meta_of(
        "<html><head><title>Nadal keeps Spain alive</title></head>"
        f"<body>{body}<h1>Nadal keeps Spain alive</h1></body></html>"
    )
    assert meta.breadcrumbs == breadcrumbs
    assert meta.section == section


@pytest.mark.parametrize(
    ("author", "authors"),
    [
        ('"Jane Doe"', ["Jane Doe"]),
        ('"By Jane Doe and John Smith"', ["Jane Doe", "John Smith"]),
        ('[{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "jane doe"}]',
         ["Jane Doe"]),
        ('{"@type": "Person", "name": "Jane Doe", "url": "https://x.example/jane"}', ["Jane Doe"]),
        # authors are people: neither an agency nor the site itself is one
        ('{"@type": "Organization", "name": "Associated Press"}', []),
        ('{"@type": "Organization", "name": "The Gazette"}', []),
        ('[{"@type": "Organization", "name": "Reuters"}, {"@type": "Person", "name": "Jo Li"}]',
         ["Jo Li"]),
    ],
)  # fmt: skip
def test_jsonld_author_shapes(author: str, authors: list[str]) -> None:
    meta = meta_of(
        '<html><head><meta property="og:site_name" content="The Gazette">'
        '<script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "H", "author": {author}}}'
        "</script></head><body></body></html>"
    )
    assert meta.authors == authors


def test_date_next_to_the_headline_as_a_last_resort() -> None:
    meta = meta_of(
        "<html><body><main><div class='post__title'>"
        "<h1>Cells That Taste Danger Set Off Immune Responses</h1>"
        "<h6><a href='/authors/carrie-arnold/'>Carrie Arnold</a></h6>"
        "<p class='h6 o6'><em>November 15, 2019</em></p></div>"
        "<p>Tuft cells in the gut were long a mystery.</p></main></body></html>",
        "https://www.quantamagazine.org/tuft-cells/",
    )
    assert meta.published == "2019-11-15"
    assert meta.published_raw == "November 15, 2019"
