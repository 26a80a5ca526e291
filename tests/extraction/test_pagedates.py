"""Published and modified dates of whole pages: every source a page offers, read as its reader
would read them (the day the page states, in its own time and language)."""

from __future__ import annotations

import pytest
from lxml import etree

from crawler.extraction import extract
from crawler.extraction.metadata import extract_metadata
from crawler.extraction.parse import parse_page


def published(html: str, url: str = "https://news.example/story/a-story") -> str | None:
    return extract(html.encode(), url).published


def test_utc_meta_told_in_the_time_of_the_page_dateline() -> None:
    # 8:09 p.m. in Denver is the next day in UTC; the reader sees November 8.
    html = """<html lang="en-US"><head>
      <meta property="article:published_time" content="2023-11-09T01:09:55+00:00">
    </head><body><article><h1>Playoffs, second weekend</h1>
      <p class="byline">By Kyle Newman | <time datetime="2023-11-08T18:09:55-07:00">
        November 8, 2023 at 6:09 p.m.</time></p>
      <p>The second weekend of the playoffs brought three upsets and a record crowd.</p>
    </article></body></html>"""
    assert published(html) == "2023-11-08T18:09:55-07:00"


def test_utc_meta_and_a_local_clock_time_give_the_offset() -> None:
    # A CMS meta in UTC, another in New York time without an offset: 5 hours apart.
    html = """<html><head>
      <meta property="article:published_time" content="2023-11-09T03:28:35+00:00">
      <meta name="sailthru.date" content="2023-11-08 22:28:35">
    </head><body><h1>Haley rips Ramaswamy</h1><p>In a fiery exchange on stage.</p></body></html>"""
    assert published(html) == "2023-11-08T22:28:35-05:00"


def test_utc_meta_one_day_off_the_url_day_takes_the_url_day() -> None:
    # Rome is an hour ahead of UTC: 23:01 UTC on the 1st is past midnight on the 2nd.
    html = """<html lang="it"><head>
      <meta property="article:published_time" content="2023-11-01T23:01:00Z">
    </head><body><h1>Israele-Hamas, le notizie di oggi</h1><p>La diretta.</p></body></html>"""
    url = "https://www.repubblica.it/esteri/2023/11/02/diretta/israele_hamas_news-419364605/"
    assert published(html, url) == "2023-11-02"


def test_teaser_date_does_not_overrule_the_url_day() -> None:
    # No metas, no dateline: the only date shown is a "related" teaser's, in a box whose class
    # we have no word for. The URL says when the story ran.
    story = "<p>The county council will hear residents on the new permits on Monday.</p>" * 6
    html = f"""<html lang="en"><head><title>Permits hearing</title></head><body><article>
      <h1>Public hearing on permits set for Monday</h1>{story}</article>
      <div class="rcom--it"><a href="/obituaries/anna-brashears-20200815-story.html">Anna
        Brashears, social worker, dies</a><span class="timestamp">Aug 15, 2020</span></div>
    </body></html>"""
    url = "https://www.paper.example/maryland/permits-public-hearing-20200817-hntmbt-story.html"
    assert published(html, url) == "2020-08-17"


def test_utc_meta_kept_when_nothing_says_otherwise() -> None:
    html = """<html><head>
      <meta property="article:published_time" content="2020-05-02T02:54:29.000Z">
    </head><body><h1>Penn Station to close overnight</h1><p>For cleaning.</p></body></html>"""
    assert published(html) == "2020-05-02T02:54:29+00:00"


def test_offset_of_the_page_is_kept() -> None:
    html = """<html><head>
      <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Storm",
        "datePublished": "2024-03-15T10:30:00-05:00"}</script>
    </head><body><h1>Storm</h1><p>Heavy rain is expected tonight.</p></body></html>"""
    assert published(html) == "2024-03-15T10:30:00-05:00"


def test_german_page_says_veroeffentlicht_under_a_date_modified_marker() -> None:
    # The only date is marked itemprop=dateModified, but it says "published".
    html = """<html lang="de"><body><article><h1>Reise durch Sierra Leone</h1>
      <p>Es ist Zeit für den Tourismus.</p>
      <p itemprop="dateModified" class="lastUpdated">Veröffentlicht: 30.07.2019 09:35 Uhr</p>
    </article></body></html>"""
    assert published(html) == "2019-07-30T09:35:00"


def test_article_header_dateline_when_the_site_logo_is_the_h1() -> None:
    html = """<html lang="en"><body>
      <header id="banner"><h1><a href="/">Trey Hunner</a></h1></header>
      <div id="main"><article class="hentry"><header>
        <h1 class="entry-title">Why you should be using pathlib</h1>
        <p class="meta"><time class="entry-date" datetime="2018-12-21T14:00:00-08:00">
          Dec 21st, 2018 2:00 pm</time></p>
      </header><p>When I discovered Python's new pathlib module a few years ago...</p>
      </article></div></body></html>"""
    assert published(html) == "2018-12-21T14:00:00-08:00"


def test_blogger_hatom_timestamp() -> None:
    html = """<html><body><div class="post hentry"><h3 class="post-title">Python 3.6.0</h3>
      <div class="post-body">Python 3.6.0 is now available.</div>
      <div class="post-footer">Posted by Ned at <a class="timestamp-link" href="#">
        <abbr class="published" title="2016-12-23T05:11:00-05:00">5:11 AM</abbr></a></div>
    </div></body></html>"""
    assert published(html) == "2016-12-23T05:11:00-05:00"


def test_date_in_the_page_script_data() -> None:
    html = """<html><head><script>
      var layer = {"last-updated": "2019-07-30 09:35", "first-publication": "2019-07-30 09:35"};
    </script></head><body><h1>Es ist Zeit</h1><p>Ein Bericht.</p></body></html>"""
    assert published(html) == "2019-07-30T09:35:00"


@pytest.mark.parametrize(
    ("state", "day"),
    [
        ('{"post": {"firstPublishedAt": 1426609660294}}', "2015-03-17T16:27:40+00:00"),  # Medium
        ('{"publishedAt": 1426609660, "views": 12}', "2015-03-17T16:27:40+00:00"),
        ('{"publishedAt": 0, "pubDate": "2019-07-30"}', "2019-07-30"),  # no moment: read on
    ],
)
def test_a_moment_in_script_state_in_seconds_or_milliseconds(state: str, day: str) -> None:
    html = f"""<html><head><script>window.__STATE__ = {state};</script></head><body>
      <h1>Es ist Zeit</h1><p>Ein Bericht.</p></body></html>"""
    assert published(html) == day


def test_a_date_written_anywhere_when_nothing_else_dates_the_page() -> None:
    html = """<html lang="de"><body><div id="main"><h1>Neuigkeiten</h1>
      <div class="newsentry"><p>[<a href="/sh/landesparteitag/">Samstag, 19. Juli 2014</a>]</p>
      <h2>LandesPARTEItag 2014</h2><p>Der Landesparteitag fand in Kiel statt.</p></div>
    </div></body></html>"""
    assert published(html) == "2014-07-19"


def test_a_header_clock_is_not_the_date_of_an_undated_page() -> None:
    html = """<html lang="en"><body>
      <div class="top-bar"><span class="today">Saturday, May 4, 2024</span></div>
      <h1>Harbour ferry service to resume</h1><p>The ferry will run again from June.</p>
      <aside class="sidebar"><p>Most read</p></aside></body></html>"""
    assert published(html) is None


def test_french_page_reads_numeric_dates_day_first() -> None:
    html = """<html lang="fr"><body><article><h1>Le budget voté</h1>
      <p class="date">Publié le 10/05/2015 à 18h30</p><p>L'Assemblée a voté le budget.</p>
    </article></body></html>"""
    assert published(html) == "2015-05-10T18:30:00"


def test_american_page_reads_numeric_dates_month_first() -> None:
    html = """<html lang="en-US"><body><article><h1>Budget passes</h1>
      <p class="date">Posted 10/05/2015 6:30 PM</p><p>The House passed the budget.</p>
    </article></body></html>"""
    assert published(html) == "2015-10-05T18:30:00"


def test_english_page_order_from_its_other_dates() -> None:
    # "en" says nothing of the order; the comment dated 25/05/2015 says day first.
    html = """<html lang="en"><body><article><h1>Budget passes</h1>
      <p class="date">Posted 10/05/2015</p><p>The House passed the budget.</p></article>
      <div class="comments"><p class="comment-date">25/05/2015</p><p>Good news.</p></div>
    </body></html>"""
    assert published(html) == "2015-05-10"


def test_english_page_order_from_its_metas_day() -> None:
    # The dateline's "03/04/2024" is the meta's day only when read month first.
    html = """<html><head><meta name="date" content="2024-03-04"></head><body><article>
      <h1>Budget passes</h1><p class="date">Posted 03/04/2024 6:30 PM</p>
      <p>The House passed the budget.</p></article></body></html>"""
    assert published(html) == "2024-03-04T18:30:00"


def test_english_page_without_clues_leaves_an_ambiguous_date_unread() -> None:
    html = """<html lang="en"><body><article><h1>Budget passes</h1>
      <p class="date">Posted 03/04/2024</p><p>The House passed the budget.</p>
    </article></body></html>"""
    assert published(html, "https://news.example/budget") is None


def test_british_domain_reads_day_first() -> None:
    html = """<html lang="en"><body><article><h1>Budget passes</h1>
      <p class="date">Posted 03/04/2024</p><p>The House passed the budget.</p>
    </article></body></html>"""
    assert published(html, "https://www.news.example.co.uk/budget") == "2024-04-03"


def test_undeclared_language_on_a_country_domain_reads_day_first() -> None:
    html = """<html><body><div class="post"><h3>Come Together</h3>
      <div class="abstract"><p>06.05.2018</p></div>
      <p>Unter dem Motto Come Together wurde das erste inklusive Turnier ausgetragen.</p>
    </div></body></html>"""
    assert published(html, "https://www.wienbadminton.at/news/119843/Come-Together") == (
        "2018-05-06"
    )


def test_two_digit_year_dateline_of_a_german_page() -> None:
    html = """<html lang="de"><body><div class="text"><div class="date"> Party, 30.10.23 </div>
      <h1>Last-Minute Halloween-Kostüme</h1><p>Halloween steht vor der Tür.</p>
    </div></body></html>"""
    assert published(html) == "2023-10-30"


def test_breadcrumb_in_the_article_header_is_not_the_site_navigation() -> None:
    # A <header> with the site's <nav> is chrome; one whose <nav> is a breadcrumb trail above
    # the headline is the article's, and so is the date beside the headline.
    html = """<html lang="de"><body><div class="main-content"><article>
      <header class="content-header"><nav class="breadcrumb"><a href="/en/">Home</a>
        <a href="/en/debate/">Debate</a></nav>
        <span style="color: #bf2d38">02.12.19</span>
        <h1>What's on the cards for von der Leyen?</h1></header>
      <p>The new Commission takes office this week.</p></article></div></body></html>"""
    assert published(html, "https://www.school.example/en/debate/leyen/") == "2019-12-02"


def test_share_buttons_in_the_article_header_are_not_the_site_navigation() -> None:
    # WordPress: the entry header holds the date and a <nav> of share buttons; the dates of the
    # related posts below are not the story's.
    related = "".join(
        f'<li><article><h2><a href="/p{i}/">Other story {i}</a></h2><span class="posted-on">'
        f'<time class="entry-date published" datetime="2023-10-1{i}T12:00:00+02:00">'
        f"1{i}.10.2023</time></span></article></li>"
        for i in range(3)
    )
    html = f"""<html lang="de"><body><main><article><header class="entry-header">
      <h1>Das Rebranding von EA Fifa zu EA FC</h1><div class="entry-meta">
      <span class="posted-on"><time class="entry-date published"
        datetime="2023-11-07T08:28:00+01:00">07.11.2023</time></span>
      <nav class="f4-nav-share"><a href="https://www.facebook.com/sharer">Teilen</a></nav>
      </div></header><p>Aus EA Fifa wird EA FC: ein Markenwechsel mit Risiko.</p></article>
      <div class="yarpp"><ul>{related}</ul></div></main></body></html>"""
    assert published(html) == "2023-11-07T08:28:00+01:00"


def test_labelled_dateline_in_markup_whose_classes_say_nothing() -> None:
    # CSS-in-JS class names and no metas: "Publié le" tells the dateline from the dates of
    # the story's own text and of the "read also" teasers.
    standfirst = "Un sondage exclusif montre que la cote du président recule encore. " * 10
    html = f"""<html lang="fr"><body><main><article>
      <h1 class="sc-1x0k">Emmanuel Macron continue de pâtir d'une forte impopularité</h1>
      <p class="sc-7f">{standfirst}</p><figure><img src="/m.jpg">
      <figcaption class="sc-9c">Le président à Paris.</figcaption>
      </figure><p class="sc-kla0"><span class="sc-1jv">Par </span><a href="/@s">S. Dupont</a>
      </p><div class="sc-17if"><span class="sc-17ia">Publié le 2 nov. 2023 à 16:00</span>
      <span class="sc-17ia">Mis à jour le 2 nov. 2023 à 16:16</span></div>
      <p class="sc-x">Depuis le 24 juillet 2023, sa cote n'a cessé de baisser.</p>
    </article><aside><a href="/p/1">Sondage : la cote de popularité de juillet</a>
      <span class="date">24/07/2023</span></aside></main></body></html>"""
    assert published(html)[:10] == "2023-11-02"


def test_the_article_masthead_is_not_the_site_masthead() -> None:
    # TownNews BLOX (hundreds of US local papers) heads each story with an "asset-masthead"
    # holding its headline and dateline; the related cards below carry their own dates.
    cards = "".join(
        f'<article class="card"><h3><a href="/s{i}">Story {i}</a></h3>'
        f'<time datetime="2020-09-2{i}T13:15:00-07:00">Sep 2{i}, 2020</time></article>'
        for i in range(5, 8)
    )
    html = f"""<html lang="en"><body><div class="masthead site"><a href="/">Tucson</a></div>
      <article class="asset"><div class="asset-masthead"><header class="asset-header">
      <h1>College football player arrested on murder charge</h1><div class="meta"><ul>
      <li><time datetime="2020-09-30T02:00:07-07:00">Sep 30, 2020</time></li></ul></div>
      </header></div><p>A college football player was arrested on Tuesday.</p>
      <div id="article-related-bottom">{cards}</div></article></body></html>"""
    assert published(html) == "2020-09-30T02:00:07-07:00"


def test_a_clock_in_an_article_that_wraps_the_page_is_still_chrome() -> None:
    # The whole page in one <article>: the "today" widget beside the masthead is not the
    # article's own block (it does not hold the headline), its date is not the story's.
    html = """<html lang="en"><body><article><div class="masthead"><a href="/">The Post</a>
      <div class="today">Monday, 4 May 2020</div></div>
      <h1>Council approves the bridge</h1><p>The council approved the new bridge.</p>
      </article></body></html>"""
    assert published(html, "https://news.example/bridge/") is None


def test_site_navigation_clock_is_chrome() -> None:
    html = """<html lang="en"><head>
      <meta name="pubdate" content="2020-04-28T22:57:38Z"></head><body>
      <div class="b-sitenav"><a href="/login">Log in</a><div class="b-sitenav__time">
        <span>11:39 GMT</span><span>29 April 2020</span></div></div>
      <h1>Some US States Begin Lifting Lockdowns</h1><p>The radio show discussed it.</p>
    </body></html>"""
    assert published(html) == "2020-04-28T22:57:38+00:00"


def test_time_at_odds_with_its_own_datetime_does_not_overrule_the_metas() -> None:
    # A republished story's <time> shows another day than its datetime: it is no dateline.
    html = """<html lang="en"><head>
      <meta property="article:published_time" content="2015-09-17T16:57:43+01:00">
    </head><body><article><header><h1>The seven secrets of hotel owners</h1>
      <ul class="meta"><li class="author">Hazel Sheffield</li>
        <li><time datetime="17:00, 24 December 2015">Friday 25 December 2015</time></li></ul>
    </header><p>Hotel bosses spill the beans on cost cutting.</p></article></body></html>"""
    assert published(html) == "2015-09-17T16:57:43+01:00"


def test_block_named_comment_that_holds_the_headline_is_the_page_layout() -> None:
    # An opinion page's "commentHeader" holds the headline and its date; the <time> of a post
    # quoted far below it is not the story's.
    body = "<p>Vor wenigen Tagen hat das Kammergericht Berlin sein Urteil begründet.</p>" * 12
    html = f"""<html lang="de"><body><div class="PageArticle">
      <div class="PageArticle_commentHeader"><article class="ArticleHeaderComment">
        <h1 class="ArticleHeaderComment_headline">Was sich nach dem Urteil ändert</h1>
        <div class="PublishDate"><span>Dienstag,</span> <span>29. Januar 2019</span></div>
      </article></div>
      <div class="PageArticle_body">{body}<blockquote><p>Ein Beitrag, geteilt am
        <time datetime="2018-03-12T19:30:12+00:00">Mär 12, 2018</time></p></blockquote></div>
    </div></body></html>"""
    assert published(html, "https://www.horizont.example/kommentare/urteil-172529") == (
        "2019-01-29"
    )


def test_htmldate_dates_a_page_our_sources_leave_undated() -> None:
    # No meta, dateline or URL date: htmldate reads the day from the picture's path.
    html = """<html lang="en"><body><h1>Spring in China</h1><p>A photo of blossoms.</p>
      <img src="/media/photos/2013/02/16/blossoms.jpg"></body></html>"""
    assert published(html, "https://photos.example/photo/26034451/spring") == "2013-02-16"


def test_htmldate_year_alone_is_not_a_day() -> None:
    # htmldate writes "Copyright 2016" as 2016-01-01.
    html = """<html lang="en"><body><h1>Spring</h1><p>Blossoms.</p><p>Copyright 2016</p>
    </body></html>"""
    assert published(html, "https://photos.example/photo/spring") is None


def test_htmldate_day_outside_the_url_month_is_not_taken() -> None:
    html = """<html lang="en"><body><h1>Spring</h1><p>Blossoms.</p>
      <img src="/media/photos/2013/02/16/blossoms.jpg"></body></html>"""
    assert published(html, "https://blog.example/2019/05/spring/") is None


def test_htmldate_does_not_read_the_site_chrome() -> None:
    html = """<html lang="en"><body><div class="top-bar"><img src="/media/2024/05/04/logo.png">
      </div><h1>Spring</h1><p>Blossoms.</p></body></html>"""
    assert published(html, "https://photos.example/photo/spring") is None


def test_htmldate_day_takes_the_time_our_text_search_reads_on_that_day() -> None:
    body = "<p>The blossoms came early this year along the river, and the city came out.</p>" * 24
    html = f"""<html lang="en"><body><div class="title"><h1>Spring in China</h1></div>
      <div class="story">{body}<img src="/media/photos/2013/02/16/blossoms.jpg"></div>
      <div class="x"><p>16 February 2013, 10:30</p></div></body></html>"""
    assert published(html, "https://photos.example/photo/spring") == "2013-02-16T10:30:00"


def test_htmldate_reads_a_copy_and_leaves_the_tree_as_it_was() -> None:
    html = """<html lang="en"><body><div class="top-bar">Menu</div><h1>Spring in China</h1>
      <p>A photo of blossoms.</p><img src="/media/photos/2013/02/16/blossoms.jpg"></body></html>"""
    url = "https://photos.example/photo/26034451/spring"
    root = parse_page(html.encode(), url=url).root
    before = etree.tostring(root)
    metadata = extract_metadata(root, url)
    assert (metadata.published, metadata.published_source) == ("2013-02-16", "htmldate")
    assert etree.tostring(root) == before
