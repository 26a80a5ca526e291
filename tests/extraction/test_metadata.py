"""Metadata of whole pages, one fixture per kind of source (tests/fixtures/extraction/metadata/)."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from crawler.extraction.article import Image
from crawler.extraction.metadata import Metadata, extract_metadata
from crawler.extraction.rules import ExtractionRules

FIXTURES = Path(__file__).parent.parent / "fixtures" / "extraction" / "metadata"


def metadata_of(name: str, url: str, rules: ExtractionRules | None = None) -> Metadata:
    data = (FIXTURES / name).read_bytes()
    root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    before = lxml.html.tostring(root)
    meta = extract_metadata(root, url, rules)
    assert lxml.html.tostring(root) == before, "extract_metadata must not change the tree"
    return meta


def test_jsonld_graph_page() -> None:
    url = "https://www.dailyledger.example/world/europe/heatwave-breaks-june-records"
    meta = metadata_of("jsonld_graph.html", url)

    assert meta.title == "Heatwave breaks June records across southern Europe"
    # Authors are @id references resolved through the @graph's Person nodes.
    assert meta.authors == ["Marta Gómez", "Oliver Grant"]
    assert meta.published == "2024-06-14T07:45:00+01:00"
    assert meta.published_raw == "2024-06-14T07:45:00+01:00"
    assert meta.modified == "2024-06-14T16:10:12+01:00"
    # ListItems are ordered by position, not by their order in the file.
    assert meta.breadcrumbs == [
        "Home",
        "World",
        "Europe",
        "Heatwave breaks June records across southern Europe",
    ]
    assert meta.section == "Europe"
    assert meta.tags == ["Heatwaves", "Spain", "Climate crisis"]
    assert meta.language == "en"
    assert meta.site_name == "The Daily Ledger"
    assert meta.canonical_url == url
    assert meta.description.startswith("Temperatures passed 44C in Seville as forecasters")
    assert meta.lead_image == Image(
        url="https://cdn.dailyledger.example/2024/06/seville-heat.jpg",
        caption="A thermometer in Seville shows 44C on Thursday.",
        credit="Jorge Ruiz/Reuters",
    )
    assert meta.og_type == "article"
    # Every entity type, @graph included; the broken block is skipped, the one with a
    # trailing comma repaired.
    assert meta.schema_types == (
        "NewsArticle",
        "Article",
        "WebPage",
        "BreadcrumbList",
        "Organization",
        "Person",
        "WebSite",
    )


def test_meta_only_page() -> None:
    url = "https://www.quotidien-rhone.example/economie/greve-sncf-trafic-perturbe-mardi-20240311"
    meta = metadata_of("meta_only.html", url)

    assert meta.title == "Grève à la SNCF : le trafic reste perturbé mardi"
    # "Par", the upper-case surname and the Facebook URL in article:author are all handled.
    assert meta.authors == ["Claire Martin", "Julien Roche"]
    assert meta.published == "2024-03-11T18:02:00+01:00"
    assert meta.modified == "2024-03-12T08:15:30+01:00"
    assert meta.section == "Économie"
    assert meta.tags == ["SNCF", "Grève", "Transports"]
    assert meta.language == "fr"
    assert meta.site_name == "Le Quotidien du Rhône"
    assert meta.lead_image == Image(
        url="https://www.quotidien-rhone.example/images/2024/03/gare-part-dieu.jpg"
    )
    assert meta.canonical_url == url


def test_byline_only_page() -> None:
    url = "https://www.riversidegazette.example/news/council-approves-bike-lanes"
    meta = metadata_of("byline_only.html", url)

    assert meta.title == "Council approves new bike lanes on Main Street"
    # No "By", no role, no "Follow @handle", no e-mail, and not the commenter "Bob Smith".
    assert meta.authors == ["Sarah O'Neill", "Tom Becker"]
    assert meta.published == "2024-04-09T17:45:00"
    assert meta.published_raw == "Posted: Tue Apr 9, 2024 5:45PM"
    assert meta.modified == "2024-04-10T09:05:00"
    assert meta.published_source == "visible"


def test_visible_dateline_wins_over_rewritten_structured_dates() -> None:
    url = "https://www.lakesideherald.example/news/storm-power-outage"
    meta = metadata_of("conflicting_dates.html", url)

    # The metas say March 22 (a re-save); the article says March 15. The reader is right, and
    # the header's "today" date outside the article is not the article's date.
    assert meta.published == "2024-03-15T06:40:00-04:00"
    assert meta.published_raw == "Published March 15, 2024 at 6:40 a.m. EDT"
    assert meta.published_source == "visible"
    # The organisation named as JSON-LD author is the site itself: the byline names the person.
    assert meta.authors == ["Dana Whitfield"]


def test_structured_date_kept_when_the_page_agrees() -> None:
    url = "https://www.dailyledger.example/world/europe/heatwave-breaks-june-records"
    meta = metadata_of("jsonld_graph.html", url)
    # The visible "Fri 14 Jun 2024 07.45 BST" agrees on the day; the precise value stays, and
    # neither the header's date nor the sidebar's dates interfere.
    assert meta.published_source == "jsonld"


def test_press_tv_page_with_site_date_format() -> None:
    url = "https://www.presstv.ir/Detail/2016/03/26/457824/Iran-Russia-Syria-truce-Zarif-Lavrov"
    rules = ExtractionRules(date_format="%a %b %d, %Y %I:%M%p")
    meta = metadata_of("presstv.html", url, rules)

    assert meta.title == "Iran, Russia FMs discuss ways to boost Syria truce"
    assert meta.breadcrumbs == ["News", "Politics", "News"]
    assert meta.section == "Politics"
    assert meta.published == "2016-03-26T01:41:00"
    assert meta.published_raw == "Sat Mar 26, 2016 1:41AM"
    assert meta.site_name == "PressTV"
    assert meta.tags == ["Iran", "Russia", "Syria", "Zarif", "Lavrov", "ceasefire"]
    assert meta.language == "en"
    assert meta.canonical_url == (
        "http://www.presstv.ir/Detail/2016/03/26/457824/Iran-Russia-Syria-truce-Zarif-Lavrov"
    )


HEADER_CLOCK_URL = "https://www.baysidecourier.example/news/harbour-ferry-service-to-resume"


def test_header_clock_is_not_the_dateline() -> None:
    # No <article>/<main> on the page: the top bar's "today" (May 4) is page chrome, not the
    # visible dateline; the dateline next to the headline agrees with the meta, which stays.
    meta = metadata_of("header_clock.html", HEADER_CLOCK_URL)
    assert meta.published == "2024-05-02T09:15:00+10:00"
    assert meta.published_source == "meta"


def test_date_far_from_the_headline_does_not_overrule_the_meta() -> None:
    # Without the dateline, the next visible date is an info box under the body (May 6): not a
    # dateline, so the meta stays.
    data = (FIXTURES / "header_clock.html").read_bytes()
    root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    for dateline in root.find_class("story-meta"):
        dateline.drop_tree()
    meta = extract_metadata(root, HEADER_CLOCK_URL, None)
    assert meta.published == "2024-05-02T09:15:00+10:00"
    assert meta.published_source == "meta"


def test_header_clock_does_not_fill_in_missing_metas() -> None:
    # No date metas and no dateline: the clock's "today" is still not the article's date.
    data = (FIXTURES / "header_clock.html").read_bytes()
    root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    for element in root.find_class("story-meta") + root.find_class("info-box"):
        element.drop_tree()
    for meta_tag in root.xpath("//meta[@property='article:published_time']"):
        meta_tag.drop_tree()
    assert extract_metadata(root, HEADER_CLOCK_URL, None).published is None
