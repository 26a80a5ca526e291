"""Body text and body_html: paragraphs, subheadings, lists, quotes and links; nothing else."""

from __future__ import annotations

import pytest

from crawler.extraction import extract, serialise
from crawler.extraction.images import split_credit
from crawler.extraction.sanitise import sanitise_html

PAGE = """<!DOCTYPE html><html><head><title>Rail strike called off</title></head><body>
<article><h1>Rail strike called off</h1><div class="article-body">
<p>Unions called off next week's rail strike on Monday after a late-night deal on pay, ending
   a dispute that had shut down most of the network for three days in May.</p>
<h2>What the deal says</h2>
<p>The agreement, seen by this newspaper, gives drivers a
<a href="https://news.example/pay">4.5% rise</a> this year and <em>another 3%</em> next year,
with a <strong>review of rosters</strong>.</p>
<ul><li>4.5% pay rise backdated to April</li><li>Roster review within six months</li></ul>
<h3>Reaction</h3>
<blockquote><p>"This is a fair deal for passengers and for staff," the transport secretary
said.</p></blockquote>
<p>Line one of an address<br>Line two of an address</p>
<p>Services will run normally from Tuesday, <a href="javascript:alert(1)">operators</a> said.</p>
</div></article></body></html>"""


@pytest.fixture(scope="module")
def article():
    return extract(PAGE.encode(), "https://news.example/2024/06/11/rail-strike")


def test_paragraphs_separated_by_one_blank_line(article) -> None:
    blocks = article.body.split("\n\n")
    assert blocks[0].startswith("Unions called off") and "\n" not in blocks[0]
    assert "a dispute that had shut down" in blocks[0]  # source line breaks collapse
    assert "What the deal says" in blocks
    assert "4.5% pay rise backdated to April" in blocks
    assert "\n\n\n" not in article.body and not article.body.startswith("Rail strike")


def test_inline_markup_becomes_plain_text(article) -> None:
    assert "gives drivers a 4.5% rise this year and another 3% next year" in article.body


def test_body_html_keeps_structure_and_safe_links(article) -> None:
    html = article.body_html
    assert '<a href="https://news.example/pay">4.5% rise</a>' in html
    assert "<h2>What the deal says</h2>" in html and "<h3>Reaction</h3>" in html
    assert "<ul>\n<li>4.5% pay rise backdated to April</li>" in html
    assert "<blockquote>" in html
    assert "<em>" not in html and "<strong>" not in html and "<h1>" not in html
    assert "javascript:" not in html and "operators" in html


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "Police at the scene on Monday. (AFP Photo)",
            ("Police at the scene on Monday.", "AFP Photo"),
        ),
        ("Talks in Geneva on March 18, 2016. ©AFP", ("Talks in Geneva on March 18, 2016.", "AFP")),
        ("The new bridge at dusk. Photo: Jane Smith", ("The new bridge at dusk.", "Jane Smith")),
        ("Crowds in the square (Reuters Photo)", ("Crowds in the square", "Reuters Photo")),
        ("A caption without any credit.", ("A caption without any credit.", None)),
        ("Map of Titan. (NASA/JPL-Caltech/ASU)", ("Map of Titan.", "NASA/JPL-Caltech/ASU")),
        ("Protesters in Hong Kong. (Reuters)", ("Protesters in Hong Kong.", "Reuters")),
        ("A map of the region (in red).", ("A map of the region (in red).", None)),
    ],
)
def test_split_credit(caption: str, expected: tuple[str, str | None]) -> None:
    assert split_credit(caption) == expected


def test_right_to_left_text_survives() -> None:
    text = (
        "أعلنت وزارة الخارجية الإيرانية يوم الجمعة أن وزيري خارجية إيران وروسيا بحثا في "
        "اتصال هاتفي آخر التطورات في سوريا، ولا سيما تطبيق وقف إطلاق النار."
    )
    page = (
        f'<html lang="ar" dir="rtl"><head><meta charset="windows-1256"></head><body>'
        f"<article><p>{text}</p><p>{text}</p></article></body></html>"
    )
    article = extract(page.encode("cp1256"), "https://arabic.example/news/1")
    assert article.body.split("\n\n") == [text, text]


def test_inline_elements_with_widget_classes_stay_in_their_sentence() -> None:
    page = b"""<html><body><article>
    <p>Radiation from high-energy particles is a key hazard of deep
    <a class="textTag" href="/tags/space+travel/">space travel</a>, the agency said on Monday,
    and <span class="share-quote">shielding could be concentrated</span> around the pods.</p>
    <p>Existing research into hibernation shows it also gives some radiation protection.</p>
    </article></body></html>"""
    article = extract(page, "https://news.example/2024/06/hibernation")
    assert "a key hazard of deep space travel, the agency said" in article.body
    assert "and shielding could be concentrated around the pods." in article.body


def test_links_in_body_html_are_absolute() -> None:
    page = b"""<html><body><article>
    <p>The council published <a href="/docs/budget-2024.pdf">its budget</a> and the
    <a href="minutes.html">minutes</a> of Monday's meeting, <a href="#fn1">with notes</a>.</p>
    <p>Residents have until 6 January to comment on the plans, the council said on Monday.</p>
    </article></body></html>"""
    article = extract(page, "https://news.example/2024/06/council/budget.html")
    assert '<a href="https://news.example/docs/budget-2024.pdf">its budget</a>' in article.body_html
    assert '<a href="https://news.example/2024/06/council/minutes.html">' in article.body_html
    assert "#fn1" not in article.body_html and "with notes" in article.body_html


BASE = "https://news.example/2024/06/council/budget.html"


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # Tags off the allow-list lose their tag, not their text; attributes other than href go.
        (
            '<p class="lead" style="x">A <span><b>bold</b> <em>move</em></span>.</p>',
            "<p>A bold move.</p>",
        ),
        ("<div><h2 id='s1'>Heading</h2><h5>Small</h5></div>", "<h2>Heading</h2>Small"),
        # Scripts, styles, embeds and comments go with their content.
        ("<p>Text<script>track()</script><style>p{}</style></p>", "<p>Text</p>"),
        ("<p>Text<!-- ad slot --> <iframe src='x'>frame</iframe>more</p>", "<p>Text more</p>"),
        # Links: made absolute; in-page, javascript: and data: links keep only their text.
        (
            '<p><a href="../docs/b.pdf" target="_blank" rel="nofollow">budget</a></p>',
            '<p><a href="https://news.example/2024/06/docs/b.pdf">budget</a></p>',
        ),
        (
            '<p><a href="#fn1">note</a> <a href="javascript:go()">go</a> <a>bare</a></p>',
            "<p>note go bare</p>",
        ),
        # Empty elements go; a link around a space still separates two words.
        (
            '<p><a href="/x"></a>Lead</p>\n<p> </p>\n'
            '<ul><li><a href="/y"><img src="i.jpg"></a></li></ul>',
            "<p>Lead</p>",
        ),
        ('<p>strategically <a href="/y"> </a>located</p>', "<p>strategically located</p>"),
        # Whitespace: runs collapse, block edges are trimmed, a no-break space stays inside.
        (
            "<p>\n  one\t two  </p>\n\n\n<p>three\u00a0four</p>",
            "<p>one two</p>\n<p>three\u00a0four</p>",
        ),
        ("<ul>\n\n<li> a </li>  <li>b</li>\n</ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_sanitise_html(fragment: str, expected: str) -> None:
    assert sanitise_html(fragment, BASE) == expected


def test_sanitise_html_is_idempotent_on_the_output(article) -> None:
    assert sanitise_html(article.body_html, BASE) == article.body_html


def _block(kind: str, text: str, linked: bool = False) -> serialise.Block:
    return serialise.Block(kind, text, text, len(text) if linked else 0)


def test_linked_heading_over_prose_is_kept_and_over_links_dropped() -> None:
    review = (
        "A rhythm game that turns every level into a light show, and the best reason yet to "
        "buy the headset."
    )
    blocks = [
        _block("p", "Eight games to play first on the new virtual reality headset, and why."),
        _block("h3", "“Thumper” ($20)", linked=True),  # a product name over its review
        _block("p", review),
        _block("h3", "More games news", linked=True),  # a box's title over its links
        _block("li", "Review: a racing game at its own speed", linked=True),
    ]
    kept = [b.text for b in serialise.filter_blocks(blocks, None)]
    assert "“Thumper” ($20)" in kept and review in kept
    assert "More games news" not in kept


@pytest.mark.parametrize(
    "line",
    [
        "Image 1 of / 9",  # a photo gallery's counter and link, as class-less markup gives them
        "1 \u00a0/\u00a0 9",
        "Photo 2/9",
        "Back to Gallery",
        "Photo: Gene J. Puskar",  # a credit line with initials
        "Photo: Ringo H.W. Chiu, AP",
        "Published Monday, November 18, 2019 8:22AM EST",
        "The Associated Press",  # an agency's credit on its own line
        "(dpa)",
    ],
)
def test_furniture_lines_go_when_no_class_names_them(line: str) -> None:
    story = [
        "The council voted on Tuesday to rebuild the bridge, at a cost of four million.",
        "Work starts in March; the bridge reopens to traffic in the autumn of next year.",
    ]
    blocks = [_block("p", story[0]), _block("p", line), _block("p", story[1])]
    assert [b.text for b in serialise.filter_blocks(blocks, None)] == story


@pytest.mark.parametrize(
    "line", ["24/15", "10/10", "Published in 1998, the novel sold a million copies."]
)
def test_figures_and_sentences_like_furniture_lines_stay(line: str) -> None:
    blocks = [_block("p", "The season in figures, game by game, as the club counts them."),
              _block("p", line)]  # fmt: skip
    assert line in [b.text for b in serialise.filter_blocks(blocks, None)]


def test_a_list_item_named_like_an_agency_stays() -> None:
    blocks = [_block("p", "The hotel has everything a family needs for a week by the sea:"),
              _block("li", "Pool"), _block("li", "Spa"), _block("li", "Gym")]  # fmt: skip
    assert [b.text for b in serialise.filter_blocks(blocks, None)][1:] == ["Pool", "Spa", "Gym"]


def test_linked_cells_of_a_data_table_are_kept() -> None:
    # A results table: the linked team names are the table's data, not teaser headlines.
    rows = "".join(
        f'<tr><td><a href="/teams/{team}">{team}</a></td><td>{points}</td></tr>'
        for team, points in (("Rovers", 54), ("United", 51), ("Athletic", 47))
    )
    story = "".join(
        f"<p>Paragraph {i}: the league table after Saturday's games, with two rounds left to "
        "play and the title still open between the first three clubs.</p>"
        for i in range(3)
    )
    page = f"""<html><body><article><h1>Title race goes to the wire</h1>{story}
        <table><tr><th>Club</th><th>Points</th></tr>{rows}</table></article></body></html>"""
    body = extract(page.encode(), "https://news.example/2024/05/title-race").body
    assert "Rovers" in body and "Athletic" in body, body


_STORY = (
    "<p>Paths in Python used to be strings, passed from one function to the next, and every "
    "script that handled files nested os.path calls three deep to find its own folder.</p>"
)


def _story_with(figure: str) -> str:
    page = f"<html><body><article><h1>Use pathlib</h1>{_STORY}{figure}{_STORY}</article></body>"
    return extract(page.encode(), "https://blog.example/pathlib").body


def test_code_listing_in_a_figure_keeps_its_lines_without_the_line_numbers() -> None:
    # Octopress writes each listing as <figure class="code"> with a table: a gutter of line
    # numbers, then the code. The figure is the story's content; the numbers are not.
    listing = (
        '<figure class="code"><figcaption><span>setup.py</span></figcaption>'
        '<div class="highlight"><table><tr><td class="gutter"><pre class="line-numbers">'
        '<span class="line-number">1</span>\n<span class="line-number">2</span>\n'
        '<span class="line-number">3</span>\n</pre></td><td class="code"><pre><code>'
        '<span class="line">from pathlib import Path\n</span><span class="line">\n</span>'
        '<span class="line">for path in Path.cwd().rglob("*.py"):\n</span>'
        '<span class="line">    print(path)\n</span></code></pre></td></tr></table></div></figure>'
    )
    body = _story_with(listing)
    code = 'from pathlib import Path\n\nfor path in Path.cwd().rglob("*.py"):\n    print(path)'
    assert code in body
    assert "1\n2" not in body and "1 2 3" not in body and "setup.py" not in body


def test_photo_figure_is_still_dropped() -> None:
    figure = (
        '<figure><img src="/a.jpg"><figcaption>The old folder tree, drawn by hand in 1998, '
        "before anyone had heard of pathlib.</figcaption></figure>"
    )
    body = _story_with(figure)
    assert "drawn by hand" not in body and body.count("Paths in Python") == 2


def test_story_inside_a_misused_heading_is_paragraphs() -> None:
    # A Korean daily writes its whole story inside one <h4>, lines cut by <br>: they are the
    # story's paragraphs, not a run of empty subheadings dropped as orphans.
    lines = [
        f"Line {i}: the city and the community chest held a ceremony at city hall on the "
        "fourth, where two local firms each gave five million won."
        for i in range(4)
    ]
    story = "<br><br>".join(lines)
    page = (
        "<html><body><article><h2>Donations keep coming</h2><div>By Lee Yong-min</div>"
        f"<h4><div class='m_cont'>{story}</div></h4><p>{lines[0][8:]} It was the third such "
        "ceremony this month, and more firms have pledged to give before the end of March.</p>"
        "</article></body></html>"
    )
    body = extract(page.encode(), "https://news.example/donations").body
    assert all(line in body for line in lines), body


def test_short_heading_stays_a_heading() -> None:
    story = "".join(f"<p>{_STORY[3:-4]} Part {i}.</p>" for i in range(3))
    page = f"<html><body><article><h1>Use pathlib</h1>{story}<h3>Globbing</h3>{story}</article>"
    article = extract(page.encode(), "https://blog.example/pathlib")
    assert "<h3>Globbing</h3>" in article.body_html
