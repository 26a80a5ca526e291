"""Site-profile hints (`ExtractionRules`) on top of the generic rules."""

from __future__ import annotations

from crawler.extraction import ExtractionRules, extract

PAGE = b"""<html><head><title>Port strike ends</title></head><body>
<div class="layout">
  <div class="teaser-box"><p>Teaser: the port of Harwick has been closed for nine days by a
  strike over automation, and shipping lines have diverted to other ports on the coast.</p>
  <p>Another long teaser paragraph, with commas, clauses, and enough words to score as prose
  for a generic detector, which is exactly why the site profile names the container.</p>
  <p>And a third paragraph of teaser prose, long enough, with commas, to win on its own.</p></div>
  <div class="txt"><p>Dock workers at Harwick voted to end their strike on Friday.</p>
  <p class="promo-line">Get the Harwick Daily app for the latest port news.</p>
  <p>Cargo handling resumes on Monday, the port authority said.</p>
  <p>Zum Thema: Streik in Harwick beendet</p></div>
</div></body></html>"""


def test_content_selector_wins_over_scoring() -> None:
    rules = ExtractionRules(content_selector="div.txt")
    article = extract(PAGE, "https://harwick.example/news/1", rules=rules)
    assert article.body.startswith("Dock workers at Harwick voted")
    assert "Teaser" not in article.body


def test_remove_selectors_and_patterns() -> None:
    rules = ExtractionRules(
        content_selector="div.txt",
        remove_selectors=("p.promo-line",),
        remove_patterns=(r"^Zum Thema:",),
    )
    article = extract(PAGE, "https://harwick.example/news/1", rules=rules)
    assert article.body.split("\n\n") == [
        "Dock workers at Harwick voted to end their strike on Friday.",
        "Cargo handling resumes on Monday, the port authority said.",
    ]


def test_bad_site_rules_fall_back_to_generic() -> None:
    rules = ExtractionRules(
        content_selector="div[[", remove_selectors=("::nope",), remove_patterns=("(unclosed",)
    )
    article = extract(PAGE, "https://harwick.example/news/1", rules=rules)
    assert "Harwick" in article.body
