"""Bodies written in the layouts the web really has, without any helpful class names."""

from __future__ import annotations

import pytest

from crawler.extraction import ExtractionRules, extract
from tests.extraction.helpers import fixture_bytes

S1 = "The regional parliament approved the new water law on Thursday by 61 votes to 12."
S2 = "Farmers' unions, which had opposed the first draft, said the final text was a fair deal."
S3 = "The law caps abstraction from rivers during droughts and creates a public register."
NAV = "".join(f'<a href="/s/{i}">Section {i}</a> | ' for i in range(12))
SIDE = "".join(f'<li><a href="/n/{i}">Other headline number {i} today</a></li>' for i in range(8))

LAYOUTS = {
    "table": f"""<html><body><table width="100%"><tr><td colspan="2">{NAV}</td></tr>
        <tr><td width="200"><ul>{SIDE}</ul></td>
        <td><font size="2">{S1}<br><br>{S2}<br><br>{S3}</font></td></tr></table></body></html>""",
    "div-br": f"""<html><body><div id="top">{NAV}</div><div id="left"><ul>{SIDE}</ul></div>
        <div id="txt">{S1}<br/>{S2}<br/>{S3}</div><div id="bottom">{NAV}</div></body></html>""",
    "main-sections": f"""<html><body><header>{NAV}</header><main><h1>Water law passes</h1>
        <section><p>{S1}</p></section><section><p>{S2}</p></section>
        <section><p>{S3}</p></section></main><aside><ul>{SIDE}</ul></aside></body></html>""",
    "spans": f"""<html><body><div>{NAV}</div><div><div><span>{S1}</span></div>
        <div><span>{S2}</span></div><div><span>{S3}</span></div></div>
        <div><ul>{SIDE}</ul></div></body></html>""",
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout(name: str) -> None:
    article = extract(LAYOUTS[name].encode(), "https://news.example/2024/06/water-law")
    for sentence in (S1, S2, S3):
        assert sentence in article.body, (name, article.body)
    assert "Section 3" not in article.body and "Other headline" not in article.body


BODY = "".join(
    f"<p>Body paragraph {i}: the council voted on Tuesday to approve the plan, which includes "
    "new parks, wider pavements and a tram stop near the station.</p>"
    for i in range(5)
)
TEASERS = "".join(
    f'<article class="card"><h3><a href="/n/{i}">Teaser headline {i}</a></h3><p>Teaser '
    f"summary {i}: a different story about something else entirely, with commas, clauses, and "
    "enough words to look like prose.</p></article>"
    for i in range(6)
)
COMMENTS = "".join(
    f'<div class="c"><p>Reader {i} wrote: I have lived here for thirty years, and honestly, '
    "nobody asked us, the residents, what we wanted for the square.</p></div>"
    for i in range(12)
)
TRAPS = {
    # a teaser list next to the body, as a sibling of the body's container
    "teasers": f"""<html><body><main><h1>Plan approved</h1><div class="x">{BODY}</div>
        <div class="y">{TEASERS}</div></main></body></html>""",
    # an unlabelled comment thread with more prose than the story
    "comments": f"""<html><body><div><h1>Plan approved</h1><div class="t">{BODY}</div>
        <div class="r"><h3>12 responses</h3>{COMMENTS}</div></div></body></html>""",
    "comments-inside": f"""<html><body><div class="wrap">{BODY}<div><h3>3 comments</h3>
        {COMMENTS}</div></div></body></html>""",
    # a thread headed by its sort order, as forums print it (macrumors.com)
    "comments-sorted": f"""<html><body><div><h1>Plan approved</h1><div class="t">{BODY}</div>
        <div><h2>Top Rated Comments <a href="/c">(View all)</a></h2>{COMMENTS}</div></div>
        </body></html>""",
}


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_neighbouring_prose_is_not_the_story(name: str) -> None:
    article = extract(TRAPS[name].encode(), "https://news.example/2024/06/plan-approved")
    assert article.body.count("Body paragraph") == 5
    assert "Teaser" not in article.body and "Reader" not in article.body
    assert article.is_article


def test_listicle_written_as_list_items() -> None:
    items = "".join(
        f"<li>Tip {i}: keep a spare key with a neighbour you trust, and check the batteries of "
        f"your smoke alarms every month, especially before going away on holiday.</li>"
        for i in range(6)
    )
    page = f"""<html><body><nav><ul><li><a href="/">Home</a></li><li><a href="/tips">Tips</a>
        </li></ul></nav><h1>Six home safety tips</h1><ol class="tips">{items}</ol>
        <footer><ul><li><a href="/about">About us</a></li></ul></footer></body></html>"""
    article = extract(page.encode(), "https://news.example/2024/06/six-home-safety-tips")
    assert article.body.count("Tip ") == 6
    assert "<ol>\n<li>Tip 0: keep a spare key" in article.body_html
    assert "About us" not in article.body and "Home" not in article.body


def _layout(name: str):
    path = f"layouts/{name}.html"
    return extract(fixture_bytes(path), f"https://news.example/2024/11/12/{name}")


def test_component_blocks_page() -> None:
    # Every paragraph in its own <div data-component="text-block">, link blocks in between.
    article = _layout("component_blocks")
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("A ferry operator has cancelled its winter timetable")
    assert paragraphs[-1].endswith('restore a full service," he said.')
    for junk in (
        "Related topics",
        "Scottish islands",
        "More on this story",
        "Top Stories",
        "By Morag Campbell",
        "Copyright 2024",
    ):
        assert junk not in article.body
    assert article.images[0].caption == "The MV Loch Seaforth has been out of service since October"


def test_reader_funding_appeal_and_photograph_credits() -> None:
    article = _layout("commercial_selector")
    assert article.body.startswith("Thirty-two countries have now called for a pause")
    assert article.body.endswith("also cause environmental damage.")
    for junk in (
        "Before you move on",
        "Support independent journalism",
        "Thousands of new species",
        "Share on Facebook",
        "Most viewed",
        "Oceans",
    ):
        assert junk not in article.body
    assert [(i.caption, i.credit) for i in article.images] == [
        ("A deep-sea mining vehicle being tested off the coast of Japan.", "Kyodo/Reuters"),
        ("Polymetallic nodules collected from the Clarion-Clipperton zone.", "Handout"),
    ]


def _stack(headlines: list[str]) -> str:
    """Stories stacked as an infinite-scroll page appends them, each in its <article>."""
    return "".join(
        f'<section class="story-{n}"><article class="story"><h2>{headline}</h2>'
        + "".join(
            f"<p>{headline}, paragraph {i}: the minister told reporters on Monday that the "
            "figures, published by the statistics office, showed a clear improvement.</p>"
            for i in range(5)
        )
        + "</article></section>"
        for n, headline in enumerate(headlines)
    )


STACKED = ["Rail strike called off", "Harbour bridge reopens", "Schools get new funding"]


def test_stacked_stories_give_the_one_the_page_is_titled_for() -> None:
    page = (
        "<html><head><title>Harbour bridge reopens | The Courier</title></head><body>"
        f'<div class="stories-main">{_stack(STACKED)}</div></body></html>'
    )
    body = extract(page.encode(), "https://news.example/briefs/1234/harbour-bridge").body
    assert "Harbour bridge reopens, paragraph 4" in body, body
    assert "Rail strike" not in body and "Schools get" not in body, body


def test_a_stack_without_the_titled_story_stays_whole() -> None:
    page = (
        "<html><head><title>Today's briefing | The Courier</title></head><body>"
        f'<div class="stories-main">{_stack(STACKED)}</div></body></html>'
    )
    body = extract(page.encode(), "https://news.example/briefing/today").body
    assert all(f"{headline}, paragraph 4" in body for headline in STACKED), body


def test_a_site_rule_choosing_the_stack_keeps_it_whole() -> None:
    """A profile's content selector says what the body is: the titled story does not
    overrule it."""
    page = (
        "<html><head><title>Harbour bridge reopens | The Courier</title></head><body>"
        f'<div class="stories-main">{_stack(STACKED)}</div></body></html>'
    )
    rules = ExtractionRules(content_selector="div.stories-main")
    body = extract(page.encode(), "https://news.example/briefs/1234/harbour", rules=rules).body
    assert all(f"{headline}, paragraph 4" in body for headline in STACKED), body
