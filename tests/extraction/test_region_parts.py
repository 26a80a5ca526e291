"""Bodies the region finder once kept only part of: the rest was a sibling section, a box with
a class that looks like boilerplate, or content the longest part outscored."""

from __future__ import annotations

import pytest

from crawler.extraction import extract

URL = "https://news.example/2024/06/water-law"
NAV = "".join(f'<a href="/s/{i}">Section {i}</a> ' for i in range(12))


def _para(i: int, topic: str = "water law") -> str:
    return (
        f"<p>Paragraph {i} on the {topic}: the regional parliament approved the text on "
        "Thursday, after a long debate, by 61 votes to 12, and farmers' unions said it was fair."
        "</p>"
    )


def test_collapsed_rest_of_story_with_a_boilerplate_class_is_kept() -> None:
    # "read-more" wraps the collapsed second half of the story, inside the story's own body.
    rest = "".join(_para(i) for i in range(2, 9))
    page = f"""<html><body><nav>{NAV}</nav><div id="story"><h1>Water law passes</h1>
        <div class="story-body">{_para(0)}{_para(1)}<div id="read-more">{rest}</div></div>
        </div><footer>{NAV}</footer></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 9, body


def test_small_box_with_a_boilerplate_class_is_still_dropped() -> None:
    box = '<div class="read-more"><p>Read more: <a href="/x">Another story</a></p></div>'
    page = f"""<html><body><div class="story-body">{_para(0)}{_para(1)}{box}{_para(2)}
        </div></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 3 and "Another story" not in body, body


def test_ad_slot_of_the_newspaper_theme_goes_with_the_appeal_in_it() -> None:
    # tagDiv's WordPress theme puts house appeals in its ad slots ("td-a-rec"), in the body.
    slot = (
        '<div class="td-a-rec td-a-rec-id-content_bottom td_uid_4_5e78"><p><strong>If our '
        "services have assisted you, our work would be much more secure with your help - For "
        "as little as 5, you can support us and it only takes a minute.</strong></p></div>"
    )
    page = f"""<html><body><div class="td-post-content">{_para(0)}{_para(1)}{slot}{_para(2)}
        </div></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 3 and "assisted you" not in body, body


@pytest.mark.parametrize(
    ("box", "gone"),
    [
        # a call to action inside the story: subscribe, donate, join
        ('<div class="well cta-abonnement"><h4>Déjà abonné.e ? Identifiez-vous</h4><p>En '
         "vous abonnant vous soutenez une manière de voir, critique et indépendante, depuis "
         "1989 à la radio et aujourd'hui sur le net.</p></div>", "En vous abonnant"),
        ('<div class="article-cta"><p>If you enjoyed this article, we have a proposition for '
         "you: join our members, who get all of our content, no paywalls or content meters, "
         "and an advertising-light site.</p></div>", "a proposition for you"),
        # a sidebar named "aside" beside the story, in the same container
        ('<div class="aside secondary" id="aside"><h2>Dernières publis</h2><p>La bibliothèque '
         "de la rédaction : des perles, des classiques, des découvertes, des outils et des "
         "raretés, choisis par l'équipe.</p></div>", "Dernières publis"),
    ],
)
def test_boxes_named_cta_subscription_or_aside_go(box: str, gone: str) -> None:
    page = f"""<html><body><div class="story-body">{_para(0)}{_para(1)}{box}{_para(2)}
        </div></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 3 and gone not in body, body


def test_sections_in_wrappers_of_their_own_are_one_body() -> None:
    # Each part of the story in <section class="s"><div><div>, parts cut by rules: the longest
    # part wins the scoring, its look-alike sections join it.
    def section(first: int, n: int) -> str:
        paras = "".join(_para(i) for i in range(first, first + n))
        wrapped = f'<div class="n p"><div class="z ab">{paras}</div></div>'
        return f'<section class="ef eg">{wrapped}</section>'

    parts = f"{section(0, 2)}<hr>{section(2, 8)}<hr>{section(10, 2)}"
    page = f"""<html><body><nav>{NAV}</nav><article><div><h1>Water law passes</h1>{parts}
        </div></article><div class="bio"><p>Jane Doe writes about rivers, lakes and the people
        who live by them, and has done so for twenty years.</p></div></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 12, body
    assert "Jane Doe" not in body


def test_body_split_into_short_items_climbs_to_their_container() -> None:
    # A notice paragraph scores best on its own; the feature list beside it holds most of the
    # page's prose in short items, each worth less: their common container wins.
    features = "".join(
        f'<li class="feature"><h2>Tool {i}</h2><p>Tool {i} lets you examine the structure of a '
        f"page and modify its layout, styles and scripts as you go.</p>"
        f'<a href="/tools/{i}">Learn more about tool {i}</a></li>'
        for i in range(8)
    )
    page = f"""<html><body><nav>{NAV}</nav><main class="page">
        <section class="intro"><div class="notice"><h4>Important</h4><p>The new edition comes
        with a profile of its own, so that you can run it alongside other versions, and keep your
        bookmarks, history and passwords apart.</p></div></section>
        <section class="tools"><div class="box"><ul class="features">{features}</ul></div></section>
        </main><footer>{NAV}</footer></body></html>"""
    body = extract(page.encode(), URL).body
    assert "profile of its own" in body
    assert body.count("lets you examine") == 8, body
    assert "Section 3" not in body


def test_climb_is_not_taken_for_a_standfirst() -> None:
    # The body's container scores more than the wrapper just above it only by its own weight;
    # what it adds is the standfirst, not more of the body.
    paras = "".join(_para(i) for i in range(6))
    page = f"""<html><body><article><section class="story"><div>
        <div class="abstract"><p>A short summary of what the law does for farmers.</p></div>
        <div class="detail-body">{paras}</div></div></section></article></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 6
    assert "short summary" not in body, body


def test_climb_takes_a_few_steps_only() -> None:
    # Four levels above the article, <main> outscores the wrapper below it thanks to a paywall
    # box beside the article: too far up for the article's paragraphs to count there.
    paras = "".join(_para(i) for i in range(8))
    box = (
        '<div class="capping"><p>You can read this newspaper on one device at a time, because '
        "another person, or you, is reading with this account on another device.</p><p>How do I "
        "stop seeing this message? By clicking the button, and making sure you are the only "
        "person reading with this account.</p><p>Will this message show elsewhere? Yes, it will "
        "be shown on the other device, which stays connected.</p></div>"
    )
    page = f"""<html><body><main class="main"><section class="article article--single">
        <section class="zone zone--article"><section class="article__wrapper">
        <article class="article__content">{paras}</article></section></section></section>{box}
        </main></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 8
    assert "one device at a time" not in body, body


def test_page_swallowed_by_an_unclosed_button_is_kept() -> None:
    # An unclosed <div> in a menu button: libxml2 keeps the <button> open to the end of the
    # page (browsers close it at </button>), so the article sits inside a form control.
    paras = "".join(_para(i) for i in range(4))
    page = f"""<html><body><header><div class="bar"><button class="menu-button" aria-label="Menu">
        <div class="menu-button-inner"><span>Menu</span><div></button></div></header>
        <main><article><h1>Water law passes</h1>{paras}</article></main>
        <footer>{NAV}</footer></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 4, body


def test_button_label_is_not_body_text() -> None:
    page = f"""<html><body><article><h1>Water law passes</h1>{_para(0)}{_para(1)}
        <button class="more"><span>Load more stories from the regional parliament</span></button>
        {_para(2)}</article></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 3 and "Load more" not in body, body


def test_short_story_with_a_boilerplate_class_beside_a_wordy_footer_is_kept() -> None:
    # "article-readmore ... shrink-ads" on the story's own <article>; the footer's paragraphs
    # made the story less than 40% of the page's paragraph text, so it was taken for a widget.
    footer = "".join(
        f"<p>Footer paragraph {i}: our newsroom, our editorial code, our owners, how to reach "
        "us, how to advertise and how we handle corrections and complaints.</p>"
        for i in range(6)
    )
    page = f"""<html><body><div class="page"><article class="col-9 article-readmore shrink-ads">
        <h1>Water law passes</h1>{_para(0)}{_para(1)}</article></div>
        <footer>{footer}</footer></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 2, body
    assert "Footer paragraph" not in body


def test_headline_row_of_a_grid_is_not_a_section_of_the_body() -> None:
    # Bootstrap rows: the headline's row has the body row's class; its byline is no section.
    paras = "".join(_para(i) for i in range(6))
    page = f"""<html><body><div class="wrap">
        <div class="row-fluid"><div class="span12"><h1>The regional parliament passes its new
        water law after a long debate</h1><p class="author">By admin - 2018-09-16</p></div></div>
        <div class="row-fluid"><div class="span12">{paras}</div></div></div></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 6
    assert "By admin" not in body, body


def test_body_printed_twice_is_kept_once() -> None:
    # The template prints the body in "content-body" and again in "content-continued-body".
    paras = "".join(_para(i) for i in range(5))
    page = f"""<html><body><section class="main"><h1>Water law passes</h1>
        <div class="content-body">{paras}</div>
        <section class="content-continued-body">{paras}</section></section></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph 0 ") == 1 and body.count("Paragraph ") == 5, body


def test_text_block_in_wrappers_between_plain_paragraphs_is_one_body() -> None:
    # A CMS nests its text-and-image block in four wrappers of its own, inside the story's
    # plain paragraphs: the block outscores the paragraphs beside it, which belong to it.
    block = "".join(_para(i) for i in range(3, 15))
    wrapped = (
        '<div class="frame"><div class="ce-textpic"><div class="col">'
        f'<div class="ce-bodytext">{block}</div></div></div></div>'
    )
    page = f"""<html><body><nav>{NAV}</nav><article><h1>Water law passes</h1>
        <div class="article-text">{_para(0)}<h2>The vote</h2>{_para(1)}{_para(2)}{wrapped}</div>
        <section class="further-links"><h3>More</h3>{NAV}</section></article></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 15, body
    assert "The vote" in body and "Section 3" not in body


def test_content_class_around_a_caption_does_not_outweigh_the_story() -> None:
    # A photo's caption in a box whose class looks like content ("main-media-container")
    # outscores the story's few paragraphs, each wrapped in a classless div of its own; ranked
    # again without class weights (Readability's second try), the paragraphs win.
    paras = "".join(f'<div class="x9"><p class="p1">{_para(i)[3:-4]}</p></div>' for i in range(3))
    page = f"""<html><body><nav>{NAV}</nav><section>
        <div class="main-media-container"><div><img src="/a.jpg">
        <span>An invitation to the exhibition on the river. Photo: the city library</span></div>
        </div><div class="g1"><article><h6>Water law passes</h6><div class="q1"><div class="q2">
        {paras}</div></div></article></div></section><footer>{NAV}</footer></body></html>"""
    body = extract(page.encode(), URL).body
    assert body.count("Paragraph ") == 3, body
