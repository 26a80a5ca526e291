"""One hand-made page per boilerplate pattern: the article's sentences stay, the widget goes."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from tests.extraction.helpers import fixture_bytes

CASES = {
    "share_widgets": (
        ["voted 6-1 on Tuesday night", "Construction is expected to begin in September"],
        ["Share on Facebook", "Share this:", "Twitter", "Email", "Julia Morales"],
    ),
    "related_most_read": (
        ["Hosepipe bans will come into force", "lift it as soon as reservoir levels recovered"],
        [
            "Related Articles",
            "Farmers warn of poor harvest",
            "Most Read",
            "Bypass opening",
            "Recommended for you",
            "Doctors stunned",
            "clock tower has stopped",
            "restored 1930s lido",
            "More Great Courier Stories",
        ],
    ),
    "newsletter_cookie": (
        ["has raised $40 million", "employ about 200 people"],
        [
            "We use cookies",
            "Accept All Cookies",
            "Sign up for The Charge",
            "weekly newsletter",
            "Subscribe now",
        ],
    ),
    "ads_promos": (
        [
            "May 30, two days ahead",
            "106% of the long-period average",
            "Farmers in large parts of the country",
        ],
        [
            "Advertisement",
            "ADVERTISEMENT",
            "Read more",
            "Heatwave grips",
            "ALSO READ",
            "Kharif sowing outlook",
            "Story continues below",
        ],
    ),
    "author_bio_comments": (
        ["stay open until 9 p.m. on weekdays", "add Sunday hours at the three busiest"],
        [
            "About Peter Nguyen",
            "Lakeside Gazette",
            "About time!",
            "potholes on Route 9",
            "Leave a Reply",
            "14 thoughts",
        ],
    ),
    "pull_quote": (
        ["climbed the 112 steps", "Lamp lit 16.40", "kitchen wall", "I never thought of it"],
        [],
    ),
    "print_email_scripts": (
        ["um elf Prozent", "Der Grundpreis bleibt unverändert."],
        ["Drucken", "Per E-Mail", "@context", "NewsArticle", "JavaScript", "pageProps"],
    ),
    "wire_credits": (
        [
            "Copper prices rose to their highest",
            "walked out after talks",
            "By Tuesday afternoon, prices had eased slightly",
        ],
        [
            "Image 1 of 5",
            "Close",
            "Text size",
            "Reporting by",
            "Editing by",
            "Write to",
            "You may also like",
            "contributed to this report",
            "Subscribe to Metals Weekly",
            "By Julia Payne",
        ],
    ),
    "split_body": (
        [
            "began in Madrid on Monday",
            "Only a few hundred spectators",
            "Players were divided",
            "lift the trophy in the main stadium",
        ],
        [
            "Related",
            "Nadal fit",
            "Listen to The Tennis Podcast",
            "Andy Murray has been named",
            "Next story",
        ],
    ),
    "breadcrumbs_captions": (
        ["More than 8,000 people gathered", "numbers peaking in late June"],
        [
            "Home",
            "Environment",
            "Photo: Nick Moir",
            "breaches off North Head",
            "Spectators line the cliffs",
            "Janie Barrett",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_boilerplate_removed(name: str) -> None:
    keep, junk = CASES[name]
    article = extract(fixture_bytes(f"boilerplate/{name}.html"), f"https://news.example/{name}")
    for sentence in keep:
        assert sentence in article.body, sentence
    for text in junk:
        assert text not in article.body, text
    assert article.is_article


def test_pull_quote_kept_once() -> None:
    article = extract(fixture_bytes("boilerplate/pull_quote.html"), "https://news.example/pq")
    assert article.body.count("kept the light alive") == 1
    # A real quotation (not repeating the text) stays, as a blockquote.
    assert "<blockquote>" in article.body_html and "All well." in article.body


def test_captions_become_image_metadata() -> None:
    article = extract(
        fixture_bytes("boilerplate/breadcrumbs_captions.html"),
        "https://www.harbourtimes.example/news/environment/whales",
    )
    by_url = {i.url.rsplit("/", 1)[-1]: i for i in article.images}
    lead = by_url["whales-1200.jpg"]
    assert lead.caption == "A humpback whale breaches off North Head on Saturday morning."
    assert lead.credit == "Nick Moir"
    crowd = by_url["crowd-800.jpg"]
    assert crowd.caption == "Spectators line the cliffs at North Head."
    assert crowd.credit == "Janie Barrett"
    assert article.images[0].url.endswith("whales-1200.jpg")  # og:image first


def test_figures_outside_the_article_are_not_its_images() -> None:
    page = b"""<html><body>
    <div class="promo-rail"><div class="thumb"><img src="/promo.jpg">
      <p class="caption">Win a cruise with our summer competition</p></div></div>
    <article><h1>Bridge reopens</h1>
      <figure><img src="/bridge.jpg"><figcaption>The bridge at dawn. Photo: Ann Lee</figcaption>
      </figure>
      <p>The bridge reopened to traffic on Monday after six weeks of repairs, the council said,
      and buses will return to their usual routes from Wednesday morning.</p>
      <p>Engineers replaced two expansion joints and resurfaced the whole deck.</p>
    </article></body></html>"""
    article = extract(page, "https://news.example/2024/06/bridge")
    assert [(i.url, i.caption, i.credit) for i in article.images] == [
        ("https://news.example/bridge.jpg", "The bridge at dawn.", "Ann Lee")
    ]
    assert "Win a cruise" not in article.body and "The bridge at dawn" not in article.body


def test_split_body_keeps_document_order() -> None:
    article = extract(fixture_bytes("boilerplate/split_body.html"), "https://news.example/t/1")
    starts = [p[:20] for p in article.body.split("\n\n")]
    assert starts == [
        "The new-look Davis C",
        "Only a few hundred s",
        "The organisers said ",
        "Players were divided",
        "The finals run until",
    ]


def test_app_follow_and_affiliate_lines_go() -> None:
    story = [
        "India beat Sri Lanka by 302 runs in Mumbai on Thursday, their seventh straight win of "
        "the tournament, to become the first team to reach the semi-finals.",
        "Mohammed Shami took five wickets for 18 runs as Sri Lanka were bowled out for 55 in "
        "under twenty overs, the lowest total of the competition so far.",
    ]
    furniture = [
        "Get alerts for live updates. Turn on notifications to receive alerts as stories "
        "develop in real time.",
        "Like us on Facebook or follow us on Twitter for more sports updates. You can also "
        "download the NDTV Cricket app for Android or iOS.",
        "This post contains affiliate links: we may earn a commission if you buy through them.",
    ]
    paragraphs = "".join(f"<p>{p}</p>" for p in story[:1] + furniture + story[1:])
    page = f"<html><body><article><h1>India into semis</h1>{paragraphs}</article></body></html>"
    body = extract(page.encode(), "https://sports.example/cricket/india-semis").body
    assert all(p in body for p in story), body
    assert not any(line[:30] in body for line in furniture), body


def test_author_description_box_goes() -> None:
    story = "".join(
        f"<p>Paragraph {i}: the council voted on Tuesday to keep the library open on Sundays, "
        "after a petition signed by four thousand residents reached the mayor's office.</p>"
        for i in range(4)
    )
    bio = (
        '<div class="wp-block-ak-authors author"><img src="/a.jpg"><div><a href="/a/sj">Simin '
        'Jawabreh</a><div class="wp-block-ak-authors__description">is studying political '
        "science in Berlin, teaches civic education and writes on policing and protest.</div>"
        "</div></div>"
    )
    page = f"<html><body><article><h1>Library stays open</h1>{story}{bio}</article></body></html>"
    body = extract(page.encode(), "https://news.example/library").body
    assert body.count("Paragraph ") == 4 and "political science" not in body, body


def test_story_wrapped_with_its_share_buttons_is_kept() -> None:
    """A page of stacked stories (infinite scroll) whose first story sits in a wrapper named
    for its body and its share bar: the wrapper is the story, not a share widget, even though
    it holds far less than half of the page's prose. A share bar holding prose of another
    kind still goes."""

    def story(n: int) -> str:
        return "".join(
            f"<p>Story {n}, paragraph {i}: the committee heard evidence from three ministers "
            "on Tuesday, and its report, due in the spring, is expected to be critical.</p>"
            for i in range(8)
        )

    share = '<ul class="share"><li><a href="/s/fb">Share on Facebook</a></li></ul>'
    first = f'<div class="sr-body-share-wrapper">{share}<div class="sr-text">{story(1)}</div></div>'
    others = "".join(
        f'<article class="sr-story"><h2>Other {n}</h2><div class="sr-text">{story(n)}</div>'
        "</article>"
        for n in range(2, 8)
    )
    promo = (
        '<div class="share-wrapper newsletter text-18">'
        + "".join(
            f"<p>Promo {i}: sign up for our morning briefing, the stories you need to know, "
            "with analysis from our correspondents around the world, free.</p>"
            for i in range(9)
        )
        + "</div>"
    )
    page = (
        f'<html><body><article class="sr-story"><h1>Committee hears ministers</h1>{first}'
        f"{promo}</article>{others}</body></html>"
    )
    body = extract(page.encode(), "https://news.example/speedreads/887020/committee").body
    assert "Story 1, paragraph 0" in body and "Story 1, paragraph 7" in body, body
    assert "Promo" not in body and "Share on Facebook" not in body, body


def test_a_paragraph_classed_teaser_is_the_lead() -> None:
    """German CMSs class the standfirst "teaser": as a plain paragraph it is the story's lead;
    a teaser box linking to another story still goes."""
    lead = (
        "Westerkappeln. Der Grundsatz ist immer noch, den Kindern eine Geschichte nahezubringen, "
        "sagt die Mitarbeiterin des Teams."
    )
    story = "".join(
        f"<p>Absatz {i}: Am Wochenende waren alle Kinder im Kindergartenalter eingeladen, um "
        "gemeinsam zu singen, zu basteln und zu spielen.</p>"
        for i in range(4)
    )
    other = (
        '<div class="teaser"><p><a href="/lokales/feuerwehr">Feuerwehr übt am Hafen: Großeinsatz '
        "mit sechzig Kräften und zwei Booten am Samstagmorgen</a></p></div>"
    )
    page = (
        '<html lang="de"><body><div class="article"><h1>Kindergottesdienst in Velpe</h1>'
        f'<p class="teaser">{lead}</p>{story}{other}</div></body></html>'
    )
    body = extract(page.encode(), "https://zeitung.example/lokales/velpe").body
    assert body.startswith(lead) and "Absatz 3" in body, body
    assert "Feuerwehr" not in body, body
