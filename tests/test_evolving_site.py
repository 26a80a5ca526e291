"""The evolving test site: a real-looking news site, served over HTTP, that changes like one.

What recrawl tests and benchmarks rely on is checked through the server, as a crawler sees it:
every article reachable by links and listed in the sitemaps, feeds that name the latest
stories, and after `advance` exactly the edited and new pages (and the pages listing them)
answering 200 to conditional requests while everything else answers 304.
"""

from __future__ import annotations

import time
import tomllib
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.demo.server import SiteServer
from crawler.extraction import extract
from crawler.siteprofile import parse_profile
from tests.evolving_site import EvolvingSite, profile_toml, write_profile
from tests.support import articles as stored_articles
from tests.support import crawl

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(tmp_path: Path) -> EvolvingSite:
    return EvolvingSite(tmp_path / "site", articles=60)


@pytest.fixture
def served(site: EvolvingSite) -> Iterator[tuple[EvolvingSite, SiteServer]]:
    with SiteServer(site.root) as server:
        yield site, server


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def fetch(url: str, **headers: str) -> Response:
    request = urllib.request.Request(
        url, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Response(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), error.read())


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def reachable_pages(base: str) -> set[str]:
    """URL paths of every HTML page reachable by links from the home page (a small crawler)."""
    seen: set[str] = set()
    queue = ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        answer = fetch(base + path)
        assert answer.status == 200, path
        parser = _Links()
        parser.feed(answer.body.decode("utf-8"))
        for href in parser.hrefs:
            url = urljoin(base + path, href)
            parts = urlsplit(url)
            ours = url.startswith(base) and parts.path.endswith((".html", "/"))
            if ours and not parts.path.startswith(("/tag/", "/about/")):  # not generated
                queue.append(parts.path)
    return seen


def xml_of(url: str) -> ET.Element:
    answer = fetch(url)
    assert answer.status == 200, url
    return ET.fromstring(answer.body)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def url_path(relative_file: str) -> str:
    path = "/" + relative_file
    return path.removesuffix("index.html")


# -- the site as generated --------------------------------------------------------------------


def test_sixty_articles_generate_well_under_a_second(tmp_path: Path):
    started = time.perf_counter()
    site = EvolvingSite(tmp_path / "site", articles=60)
    assert time.perf_counter() - started < 1.0
    assert len(site.articles) == 60
    sizes = [site.file(p).stat().st_size for p in site.article_paths()]
    assert min(sizes) >= 4 * 1024 and max(sizes) <= 12 * 1024


def test_page_kb_makes_heavier_pages_that_are_still_articles(tmp_path: Path):
    site = EvolvingSite(tmp_path / "site", articles=20, page_kb=30)
    sizes = [site.file(p).stat().st_size for p in site.article_paths()]
    assert min(sizes) >= 28 * 1024 and max(sizes) <= 34 * 1024
    article = site.articles[3]
    page = extract(site.file(article.path).read_bytes(), "http://127.0.0.1:1" + article.path)
    assert page.is_article and page.title == article.title and len(page.body) > 500


def test_every_article_is_reachable_by_links_from_the_home_page(tmp_path: Path):
    site = EvolvingSite(tmp_path / "site", articles=400)  # enough for archive pages 2 and 3
    with SiteServer(site.root) as server:
        pages = reachable_pages(server.base_url)
    assert set(site.article_paths()) <= pages
    assert {f"/{s}/page/{n}/" for s in site.sections for n in (2, 3)} <= pages


def test_robots_names_the_sitemap_index_and_the_sitemaps_list_every_article(served):
    site, server = served
    base = server.base_url
    robots = fetch(base + "/robots.txt").body.decode()
    assert f"Sitemap: {base}/sitemap.xml" in robots.splitlines()
    index = xml_of(base + "/sitemap.xml")
    children = [loc.text for loc in index.iter(SM + "loc")]
    assert children == [base + "/sitemap-articles.xml", base + "/news-sitemap.xml"]

    urlset = xml_of(base + "/sitemap-articles.xml")
    lastmods = {
        url.findtext(SM + "loc"): url.findtext(SM + "lastmod") for url in urlset.iter(SM + "url")
    }
    assert lastmods == {base + a.path: a.modified.isoformat() for a in site.articles}

    news = xml_of(base + "/news-sitemap.xml")
    dates = {
        url.findtext(SM + "loc"): url.findtext(f"{NEWS}news/{NEWS}publication_date")
        for url in news.iter(SM + "url")
    }
    recent = [a for a in site.articles if a.published >= site.clock - timedelta(days=2)]
    assert recent and len(recent) < len(site.articles)
    assert dates == {base + a.path: a.published.isoformat() for a in recent}


def test_feeds_carry_the_latest_fifty(tmp_path: Path):
    site = EvolvingSite(tmp_path / "site", articles=80)
    latest = sorted(site.articles, key=lambda a: a.published, reverse=True)[:50]
    with SiteServer(site.root) as server:
        base = server.base_url
        rss = xml_of(base + "/feed.xml")
        items = [(i.findtext("link"), i.findtext("pubDate")) for i in rss.iter("item")]
        atom = xml_of(base + "/atom.xml")
        entries = [
            (e.find(ATOM + "link").get("href"), e.findtext(ATOM + "updated"))
            for e in atom.iter(ATOM + "entry")
        ]
    assert [link for link, _ in items] == [base + a.path for a in latest]
    assert [parsedate_to_datetime(date) for _, date in items] == [a.published for a in latest]
    assert entries == [(base + a.path, a.modified.isoformat()) for a in latest]


def test_the_extractor_sees_articles_as_articles_and_fronts_as_not(served):
    site, server = served
    for article in site.articles[::10]:
        url = server.base_url + article.path
        page = extract(fetch(url).body, url)
        assert page.is_article, url
        assert page.title == article.title
        assert len(page.body) > 500
        assert page.authors == [article.author]
        assert page.published == article.published.isoformat()
        assert "SHARE THIS ARTICLE" not in page.body and "Related articles" not in page.body
    for path in ("/", f"/{site.sections[0]}/", f"/{site.sections[0]}/page/2/"):
        assert not extract(fetch(server.base_url + path).body, server.base_url + path).is_article


def test_profile_is_valid_matches_articles_and_is_not_served(served):
    site, server = served
    base = server.base_url
    text = profile_toml(base)
    assert "{{BASE}}" in site.profile_path().read_text() and "{{BASE}}" not in text
    profile = parse_profile(tomllib.loads(text), "<evolving>")
    assert profile.start_urls == (base + "/",)
    assert profile.feeds == (base + "/feed.xml", base + "/atom.xml")
    assert profile.sitemaps == (base + "/sitemap.xml",)
    assert all(profile.is_article_url(base + p) for p in site.article_paths())
    assert not any(profile.is_article_url(base + p) for p in ("/", "/news/", "/news/page/2/"))
    assert fetch(base + "/_profile.toml").status == 404
    written = write_profile(site.root.parent / "evolving.toml", base)
    assert written.read_text() == text


def test_a_crawl_with_the_profile_stores_every_article(served, tmp_path: Path):
    site, server = served
    profile = write_profile(tmp_path / "evolving.toml", server.base_url)
    result = crawl(str(profile), tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    stored = {urlsplit(doc["url"]).path for doc in stored_articles(tmp_path / "out")}
    assert stored == set(site.article_paths())


# -- moving on --------------------------------------------------------------------------------


def test_advance_changes_what_it_says_and_nothing_else(served):
    site, server = served
    base = server.base_url
    before = snapshot(site.root)
    validators = {}
    for relative in before:
        if not relative.startswith("_"):
            answer = fetch(base + url_path(relative))
            validators[url_path(relative)] = (
                answer.headers["ETag"],
                answer.headers["Last-Modified"],
            )
    old_clock = site.clock
    existing = set(site.article_paths())

    change = site.advance()

    assert change.interval == 1 and change.clock == old_clock + timedelta(hours=1)
    assert len(change.edited) == 3 and len(change.added) == 1  # 5% and 2% of 60
    assert set(change.unchanged) | set(change.edited) == existing
    assert not set(change.unchanged) & set(change.edited)
    after = snapshot(site.root)
    rewritten = {url_path(r) for r in after if before.get(r) != after[r]}
    assert rewritten == set(change.files)
    assert set(change.edited) | set(change.added) | {"/", "/sitemap.xml", "/feed.xml"} <= rewritten
    for relative, (data, mtime) in after.items():
        if relative in before and before[relative] != (data, mtime):
            assert data != before[relative][0], relative  # a new mtime only with new bytes
            assert mtime // 10**9 > before[relative][1] // 10**9, relative

    for path, (etag, modified) in validators.items():
        by_etag = fetch(base + path, If_None_Match=etag).status
        by_date = fetch(base + path, If_Modified_Since=modified).status
        expected = 200 if path in rewritten else 304
        assert (by_etag, by_date) == (expected, expected), path
    for path in change.added:
        assert fetch(base + path).status == 200
    assert set(change.added) <= reachable_pages(base)


def test_an_edit_keeps_title_and_url_and_moves_the_dates(served):
    site, server = served
    base = server.base_url
    titles = {a.path: a.title for a in site.articles}
    change = site.advance()
    by_path = {a.path: a for a in site.articles}
    lastmods = {
        url.findtext(SM + "loc"): url.findtext(SM + "lastmod")
        for url in xml_of(base + "/sitemap-articles.xml").iter(SM + "url")
    }
    for path in change.edited:
        article = by_path[path]
        assert article.title == titles[path]
        assert change.clock - timedelta(hours=1) < article.modified <= change.clock
        page = fetch(base + path).body.decode()
        assert f'"dateModified": "{article.modified.isoformat()}"' in page
        assert lastmods[base + path] == article.modified.isoformat()
        assert extract(page.encode(), base + path).modified == article.modified.isoformat()
    for path in change.added:
        article = by_path[path]
        assert change.clock - timedelta(hours=1) < article.published <= change.clock
        assert path in fetch(base + "/").body.decode()
        assert path.startswith(f"/{article.section}/{article.published:%Y/%m/%d}/")


def test_touch_unchanged_moves_last_modified_but_not_the_payload(served):
    site, server = served
    base = server.base_url
    site.advance()
    old = {p: fetch(base + p) for p in site.article_paths()}
    change = site.touch_unchanged(3)
    assert len(change.touched) == 3 and not change.edited and not change.added
    for path in change.touched:
        before = old[path]
        again = fetch(base + path, If_Modified_Since=before.headers["Last-Modified"])
        assert again.status == 200 and again.body == before.body
        assert again.headers["ETag"] == before.headers["ETag"]
        assert again.headers["Last-Modified"] != before.headers["Last-Modified"]
        assert fetch(base + path, If_None_Match=before.headers["ETag"]).status == 304
    for path in change.unchanged:
        last_modified = old[path].headers["Last-Modified"]
        assert fetch(base + path, If_Modified_Since=last_modified).status == 304


def test_the_same_seed_gives_the_same_site_and_the_same_changes(tmp_path: Path):
    clock = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    one = EvolvingSite(tmp_path / "one", articles=40, seed=7, clock=clock)
    two = EvolvingSite(tmp_path / "two", articles=40, seed=7, clock=clock)
    other = EvolvingSite(tmp_path / "other", articles=40, seed=8, clock=clock)
    assert snapshot(one.root) == snapshot(two.root)
    assert snapshot(one.root) != snapshot(other.root)
    for _ in range(3):
        assert one.advance() == two.advance()
    assert one.touch_unchanged(2) == two.touch_unchanged(2)
    assert snapshot(one.root) == snapshot(two.root)
    assert one.clock == clock + timedelta(hours=3)


def test_fractions_of_zero_change_only_what_the_clock_moves(site: EvolvingSite):
    change = site.advance(edit_fraction=0, add_fraction=0)
    assert not change.edited and not change.added and len(change.unchanged) == 60
    # Only the Google News sitemap may move: its two-day window follows the clock.
    assert set(change.files) <= {"/news-sitemap.xml"}
