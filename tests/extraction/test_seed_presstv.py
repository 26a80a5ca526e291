"""The seed page: a Press TV article must come out as `presstv-syria-truce.expected.json`.

The HTML fixture is hand-made after the visible text of the real page (header menu, breadcrumb,
share lists, figures with credited captions, an inline ad, the alternate-domain footer, related and
most-viewed lists, scripts with embedded state).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from crawler.extraction import ExtractionRules, Image, extract
from tests.extraction.helpers import FIXTURES, fixture_bytes

URL = "http://www.presstv.ir/Detail/2016/03/25/457849/Iran-Russia-Syria-Zarif-Lavrov"
EXPECTED = json.loads((FIXTURES / "presstv-syria-truce.expected.json").read_text("utf-8"))
PROFILE = Path(__file__).resolve().parents[2] / "crawler" / "profiles" / "presstv.toml"


def _profile_rules() -> ExtractionRules:
    table = tomllib.loads(PROFILE.read_text("utf-8")).get("extraction", {})
    return ExtractionRules(
        content_selector=table.get("content_selector"),
        remove_selectors=tuple(table.get("remove_selectors", ())),
        remove_patterns=tuple(table.get("remove_patterns", ())),
        date_format=table.get("date_format"),
    )


RULE_SETS = {"generic": None}
if PROFILE.exists():
    RULE_SETS["profile"] = _profile_rules()


@pytest.fixture(params=sorted(RULE_SETS), scope="module")
def article(request):
    return extract(fixture_bytes("presstv-syria-truce.html"), URL, rules=RULE_SETS[request.param])


def test_title(article) -> None:
    assert article.title == EXPECTED["title"]


def test_body_is_exactly_the_nine_paragraphs(article) -> None:
    assert article.body.split("\n\n") == EXPECTED["body"]
    assert article.body == "\n\n".join(EXPECTED["body"])


def test_no_boilerplate_in_body(article) -> None:
    for junk in EXPECTED["must_not_be_in_body"]:
        assert junk not in article.body
        assert junk not in article.body_html
    for junk in (
        "Advertisement",
        "Share on Facebook",
        "Related News",
        "Most Viewed",
        "We use cookies",
        "newsletter",
        "INITIAL_STATE",
    ):
        assert junk not in article.body


def test_images_carry_caption_and_credit(article) -> None:
    got = [{"caption": i.caption, "credit": i.credit} for i in article.images]
    assert got == EXPECTED["images"]
    assert all(isinstance(i, Image) and i.url.startswith("http://") for i in article.images)
    # The lazy-loaded second photo is found by its data-src, not the placeholder.
    assert article.images[1].url.endswith("7c1e5f0b-8d44-4a38-b6d1-2f3e9a8c0d22.jpg")


def test_body_html_is_minimal(article) -> None:
    assert article.body_html.count("<p>") == 9
    assert "<figure" not in article.body_html and "<script" not in article.body_html


def test_it_is_an_article(article) -> None:
    assert article.is_article
    assert article.article_score >= 0.8
    assert article.word_count == 313


def test_published_is_the_article_date_not_the_header_clock(article) -> None:
    # article:published_time and JSON-LD say 2016-03-25T18:41:00+03:30; the dateline next to the
    # headline ("Fri Mar 25, 2016 6:41PM") agrees. The header's "Sat Mar 26, 2016 | 08:12" is
    # the site's today-clock, not a dateline.
    assert article.published == "2016-03-25T18:41:00+03:30"
    assert article.published_raw == "2016-03-25T18:41:00+03:30"


def test_section_from_breadcrumb(article) -> None:
    # The page has no article:section meta: the section comes from "News / Politics / News".
    assert article.breadcrumbs == EXPECTED["breadcrumbs"]
    assert article.section == EXPECTED["section"]
