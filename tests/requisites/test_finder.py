"""What a page needs to be shown: the finder against the pages and stylesheets of real sites'
shapes, and the srcset choice against what Chromium loads at 1280 px (the replay test in
tests/serve checks the same choice in a real Chromium)."""

from __future__ import annotations

from lxml import html

from crawler.requisites.finder import (
    FONT,
    ICON,
    IMAGE,
    SCRIPT,
    STYLESHEET,
    Requisite,
    css_requisites,
    page_requisites,
    srcset_choice,
)

BASE = "https://news.example/2026/01/05/story.html"


def found(markup: str, base: str = BASE) -> list[tuple[str, str]]:
    return [(r.url, r.kind) for r in page_requisites(html.fromstring(markup), base)]


def test_a_news_page_needs_its_styles_scripts_images_icons_and_social_image():
    page = """<html><head>
      <link rel="stylesheet" href="/css/site.css">
      <link rel="alternate stylesheet" href="/css/high-contrast.css">
      <link rel="icon" href="/favicon.ico"><link rel="apple-touch-icon" href="/touch.png">
      <link rel="preload" as="font" href="https://cdn.example/f/serif.woff2" crossorigin>
      <link rel="canonical" href="/2026/01/05/story.html">
      <link rel="alternate" type="application/rss+xml" href="/feed.xml">
      <meta property="og:image" content="https://cdn.example/og/story.jpg">
      <script src="https://cdn.example/js/app.js"></script><script>var inline = 1;</script>
      </head><body>
      <img src="/img/lead.jpg" alt="">
      <a href="/other-story.html">Other story</a>
      <div style="background-image: url('/img/texture.png')"></div>
      <iframe src="https://video.example/embed/1"></iframe>
      </body></html>"""
    assert found(page) == [
        ("https://news.example/css/site.css", STYLESHEET),
        ("https://news.example/favicon.ico", ICON),
        ("https://news.example/touch.png", ICON),
        ("https://cdn.example/f/serif.woff2", FONT),
        ("https://cdn.example/og/story.jpg", IMAGE),
        ("https://cdn.example/js/app.js", SCRIPT),
        ("https://news.example/img/lead.jpg", IMAGE),
        ("https://news.example/img/texture.png", IMAGE),
    ]  # no links, feeds, alternate stylesheets or frames: a requisite is never followed


def test_each_url_once_and_nothing_that_is_not_a_web_url():
    page = """<html><body><img src="/a.png"><img src="/a.png#x"><img src="data:image/png;base64,AA">
      <img src="javascript:void(0)"><img src=""><script src="ftp://x/y.js"></script></body></html>"""
    assert found(page) == [("https://news.example/a.png", IMAGE)]


def test_base_href_is_the_callers_and_relative_urls_follow_it():
    assert found('<img src="i.png">', "https://cdn.example/assets/") == [
        ("https://cdn.example/assets/i.png", IMAGE)
    ]


def test_lazy_loading_attributes_are_requisites_too():
    page = """<img src="/placeholder.gif" data-src="/img/real.jpg"
                   data-srcset="/img/real-400.jpg 400w, /img/real-1400.jpg 1400w">"""
    assert [url for url, _ in found(page)] == [
        "https://news.example/placeholder.gif",
        "https://news.example/img/real.jpg",
        "https://news.example/img/real-1400.jpg",
    ]


def test_srcset_gives_the_candidate_a_desktop_browser_loads():
    srcset = "s.jpg 480w, m.jpg 960w, l.jpg 1600w"
    assert srcset_choice(srcset) == "l.jpg"  # 100vw at 1280 px: 960 is too small
    assert srcset_choice(srcset, "(max-width: 960px) 100vw, 960px") == "m.jpg"
    assert srcset_choice(srcset, "(min-width: 1200px) 33vw, 100vw") == "s.jpg"  # 422 px slot
    assert srcset_choice(srcset, "(max-width: 600px) 480px, 50vw") == "m.jpg"  # 640 px slot
    assert srcset_choice("a.jpg, b.jpg 2x") == "a.jpg"
    assert srcset_choice("b.jpg 2x, c.jpg 3x") == "b.jpg"  # none at 1x: the least dense above
    assert srcset_choice("s.jpg 100w, m.jpg 200w") == "m.jpg"  # none wide enough: the widest
    assert srcset_choice("/img/a,b.jpg 1x, /img/c.jpg 2x") == "/img/a,b.jpg"
    assert srcset_choice("nonsense qw, , data:image/png;base64,AA 1x") is None


def test_picture_takes_the_first_source_the_browser_can_show():
    page = """<picture>
      <source media="(max-width: 600px)" srcset="/img/phone.avif" type="image/avif">
      <source type="image/jxl" srcset="/img/wide.jxl">
      <source media="(min-width: 601px)" type="image/webp"
              srcset="/img/wide-960.webp 960w, /img/wide-1920.webp 1920w" sizes="100vw">
      <img src="/img/fallback.jpg" alt="">
    </picture>"""
    assert found(page) == [("https://news.example/img/wide-1920.webp", IMAGE)]


def test_picture_without_a_matching_source_uses_its_img():
    page = """<picture><source media="print" srcset="/p.jpg"><img src="/img/f.jpg"></picture>"""
    assert found(page) == [("https://news.example/img/f.jpg", IMAGE)]


def test_stylesheet_imports_fonts_and_images_relative_to_the_stylesheet():
    css = """/* url(commented-out.png) */
      @import url("print.css") print;
      @import 'fonts/faces.css';
      @font-face { font-family: X; src: url(../fonts/x.woff2) format("woff2"),
                                       url('../fonts/x.woff') format("woff"); }
      .hero { background: url( "../img/hero.jpg" ) no-repeat; }
      .mask { mask: url(#clip); filter: url(data:image/svg+xml;utf8,<svg/>); }"""
    assert css_requisites(css, "https://cdn.example/css/site.css") == [
        Requisite("https://cdn.example/css/print.css", STYLESHEET),
        Requisite("https://cdn.example/css/fonts/faces.css", STYLESHEET),
        Requisite("https://cdn.example/fonts/x.woff2", FONT),
        Requisite("https://cdn.example/fonts/x.woff", FONT),
        Requisite("https://cdn.example/img/hero.jpg", IMAGE),
    ]


def test_inline_style_elements_are_read_as_stylesheets_of_the_page():
    page = "<html><head><style>@import '/css/extra.css'; b { background: url(/b.png) }</style>"
    assert found(page) == [
        ("https://news.example/css/extra.css", STYLESHEET),
        ("https://news.example/b.png", IMAGE),
    ]
