"""Bodies the region finder once kept only part of: the rest was a sibling section, a box with
a class that looks like boilerplate, or content the longest part outscored."""

from __future__ import annotations

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
