"""Is it an article? Section fronts, tag/author pages, video pages, live-blog stubs, print
duplicates, soft 404s and error pages must not become articles; article pages must."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from tests.extraction.helpers import fixture_bytes

NOT_ARTICLES = {
    "section_front": "https://www.dailyledger.example/world/",
    "section_front_long_teasers": "https://www.northerncourier.example/business",
    "tag_page": "https://greenpost.example/tag/climate-change/",
    "author_page": "https://metrotribune.example/author/sarah-okonkwo/",
    "video_page": "https://news9.example/video/2024/01/18/firefighters-rescue-dog",
    "live_blog_stub": "https://thecourier.example/news/2024/03/06/budget-2024-live",
    "print_duplicate": "http://www.presstv.ir/Print/2016/03/25/457849",
    "soft_404": "https://gazette.example/news/2024/06/some-removed-story",
    "error_page": "https://news.example/2024/06/11/story",
}
ARTICLES = {
    "presstv-syria-truce.html": "http://www.presstv.ir/Detail/2016/03/25/457849/Iran-Russia",
    "boilerplate/share_widgets.html": "https://riversideherald.example/2024/05/14/bike-lanes/",
    "boilerplate/pull_quote.html": "https://coastalweekly.example/features/lighthouse-keeper",
    "boilerplate/print_email_scripts.html": "https://rundschau.example/lokales/fernwaerme-58211",
}


@pytest.mark.parametrize("name", sorted(NOT_ARTICLES))
def test_not_an_article(name: str) -> None:
    article = extract(fixture_bytes(f"kinds/{name}.html"), NOT_ARTICLES[name])
    assert not article.is_article, (name, article.article_score)
    assert 0.0 <= article.article_score < 0.5


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article(name: str) -> None:
    article = extract(fixture_bytes(name), ARTICLES[name])
    assert article.is_article, (name, article.article_score)
    assert 0.5 <= article.article_score <= 1.0


def test_print_duplicate_still_has_the_text() -> None:
    # Not an article (the /Detail/ page is), but the text is extracted all the same.
    article = extract(fixture_bytes("kinds/print_duplicate.html"), NOT_ARTICLES["print_duplicate"])
    assert "Foreign ministers of Iran and Russia" in article.body
    assert "alternate addresses" not in article.body


def test_empty_body_page_is_not_an_article() -> None:
    article = extract(b"<html><body><div></div></body></html>", "https://news.example/x")
    assert article.body == "" and not article.is_article
