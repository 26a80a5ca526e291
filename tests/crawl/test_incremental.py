"""Crawling a site again: only what changed is fetched and stored, the rest is a revisit.

A generated news site (tests/evolving_site.py) is crawled, moved on one interval (some
articles edited, some added, fronts, sitemaps and feeds rewritten), and crawled again into
the same OUT, as cron would.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.catalog import open_catalog
from archive.warc.records import SERVER_NOT_MODIFIED
from crawler.demo.server import SiteServer
from tests.evolving_site import Change, EvolvingSite, ServedSite, served_site, write_profile
from tests.support import Rec, articles, crawl, newsarchive, read_warc, warc_files

ARTICLES = 60


@pytest.fixture
def evolving(tmp_path: Path) -> Iterator[ServedSite]:
    with served_site(tmp_path, ARTICLES) as served:
        yield served


def _run(site: ServedSite, out: Path, *extra: str) -> list[str]:
    """Crawl; the paths the server was asked for."""
    start = len(site.server.requested)
    result = crawl(str(site.profile), out, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return site.requested_since(start)


def _newest_warcs(out: Path, before: set[Path]) -> list[Rec]:
    return [rec for path in warc_files(out) if path not in before for rec in read_warc(path)]


def _by_version(out: Path) -> dict[str, dict[int, dict]]:
    found: dict[str, dict[int, dict]] = {}
    for document in articles(out):
        path = document["url"].split("://", 1)[1].split("/", 1)[1]
        found.setdefault("/" + path, {})[document["version"]] = document
    return found


def test_a_recrawl_fetches_hubs_conditionally_and_only_changed_articles(
    evolving: ServedSite, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = _run(evolving, out)
    known = set(evolving.site.article_paths())
    assert known <= set(first)
    assert len(articles(out)) == ARTICLES
    first_hubs = {p for p in first if p not in known}
    warcs_of_first = set(warc_files(out))

    change: Change = evolving.site.advance()
    assert change.edited and change.added
    second = _run(evolving, out)

    assert not [p for p, n in Counter(second).items() if n > 1], "a URL fetched twice"
    fetched_articles = {p for p in second if p in known or p in change.added}
    assert fetched_articles == set(change.edited) | set(change.added)
    second_hubs = set(second) - fetched_articles
    # Every hub is asked again (new archive pages may appear); tag pages are linked from
    # articles only, so those of unchanged articles are not reached.
    hubs = {p for p in first_hubs if not p.startswith("/tag/")}
    assert hubs <= second_hubs
    first_hubs &= second_hubs

    records = _newest_warcs(out, warcs_of_first)
    requests = {r.uri: r for r in records if r.type == "request"}
    first_records = {r.id: r for path in warcs_of_first for r in read_warc(path)}
    revisits = [r for r in records if r.type == "revisit"]
    ok_before = {
        r.uri
        for r in first_records.values()
        if r.type == "response" and r.http_headers.get_statuscode() == "200"
    }
    hub_urls = {evolving.server.url(p) for p in first_hubs if p != "/robots.txt"} & ok_before
    for url in hub_urls:
        assert requests[url].http_headers.get_header("If-None-Match"), url
    changed = {evolving.server.url(p) for p in change.files}
    unchanged_hubs = hub_urls - changed
    assert unchanged_hubs and {r.uri for r in revisits} == unchanged_hubs
    for revisit in revisits:
        assert revisit.headers["WARC-Profile"] == SERVER_NOT_MODIFIED
        original = first_records[revisit.headers["WARC-Refers-To"]]
        # The 304 is stored as the response it confirms (what replay tools serve).
        assert revisit.http_headers.get_statuscode() == "200"
        assert revisit.http_headers.get_header("ETag") == original.http_headers.get_header("ETag")
        assert original.type == "response" and original.uri == revisit.uri
        assert revisit.headers["WARC-Refers-To-Target-URI"] == original.uri
        assert revisit.headers["WARC-Refers-To-Date"] == original.headers["WARC-Date"]
        assert revisit.headers["WARC-Payload-Digest"] == original.headers["WARC-Payload-Digest"]

    versions = _by_version(out)
    assert len(articles(out)) == ARTICLES + len(change.edited) + len(change.added)
    for path in change.edited:
        assert set(versions[path]) == {1, 2}
        assert versions[path][2]["body"] != versions[path][1]["body"]
        assert versions[path][2]["id"] == versions[path][1]["id"]
    for path in change.added:
        assert set(versions[path]) == {1}
    assert all(set(v) == {1} for p, v in versions.items() if p in change.unchanged)

    with open_catalog(out, readonly=True) as catalog:
        runs = catalog.runs()
        assert [r.state for r in runs] == ["finished", "finished"]
        assert runs[0].stats["incremental/skipped"] > 0
        assert runs[0].stats["newsarchive/article_versions"] == len(change.edited)
    check = newsarchive("check", out)
    assert check.returncode == 0, check.stdout + check.stderr


def test_nothing_changed_nothing_stored_again(evolving: ServedSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(evolving, out)
    before = set(warc_files(out))
    first_bytes = sum(p.stat().st_size for p in before)
    files_before = sorted((out / "articles").rglob("*.json"))
    second = _run(evolving, out)
    assert not set(second) & set(evolving.site.article_paths())
    records = _newest_warcs(out, before)
    assert not [r for r in records if r.type == "conversion"]
    assert {r.type for r in records} == {"warcinfo", "request", "response", "revisit"}
    # Stored whole: robots.txt (always fetched whole) and error pages (no validators to ask
    # with); every other answer is a 304.
    whole = [r for r in records if r.type == "response"]
    assert {r.uri for r in whole if r.http_headers.get_statuscode() == "200"} == {
        evolving.server.url("/robots.txt")
    }
    second_bytes = sum(p.stat().st_size for p in set(warc_files(out)) - before)
    assert second_bytes < first_bytes / 10
    assert sorted((out / "articles").rglob("*.json")) == files_before


def test_refresh_asks_for_every_known_url_and_touched_pages_stay_one_version(
    evolving: ServedSite, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = _run(evolving, out)
    touched = evolving.site.touch_unchanged(3)
    second = _run(evolving, out, "--refresh")
    assert set(first) <= set(second)
    before = len(articles(out))
    assert before == ARTICLES
    by_path = _by_version(out)
    for path in touched.touched:
        assert set(by_path[path]) == {1}
    summary = json.loads(newsarchive("runs", out, "--json", "--limit", "1").stdout.splitlines()[0])
    assert summary["stats"].get("incremental/skipped", 0) == 0
    assert summary["stats"]["incremental/not_modified"] >= ARTICLES


def test_a_date_in_the_sitemap_after_the_capture_refetches_an_article(
    evolving: ServedSite, tmp_path: Path
) -> None:
    """`lastmod` is the only signal: the page itself is byte for byte the same, so the
    answer is a 304 and the article keeps one version."""
    out = tmp_path / "out"
    _run(evolving, out)
    change = evolving.site.advance(edit_fraction=0.0, add_fraction=0.0)
    assert not change.edited
    target = evolving.site.article_paths()[-1]
    sitemap = evolving.site.file("/sitemap-articles.xml")
    text = sitemap.read_text("utf-8")
    loc = f"<loc>{{{{BASE}}}}{target}</loc>"
    assert loc in text
    head, tail = text.split(loc, 1)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    tail = re.sub(r"<lastmod>[^<]*</lastmod>", f"<lastmod>{stamp}</lastmod>", tail, count=1)
    sitemap.write_text(head + loc + tail, "utf-8")
    second = _run(evolving, out)
    assert target in second
    assert set(second) & set(evolving.site.article_paths()) == {target}
    assert len(articles(out)) == ARTICLES


def test_edits_are_found_when_the_sites_clock_runs_behind_ours(tmp_path: Path) -> None:
    """A sitemap's dates are compared with the capture's Last-Modified (the site's clock),
    not with when we fetched it: this site's clock is days behind ours."""
    site = EvolvingSite(tmp_path / "site", 30)  # its clock: 2026-12-01 06:00 UTC
    assert site.clock < datetime.now(UTC)
    with SiteServer(site.root) as server:
        behind = ServedSite(site, server, write_profile(tmp_path / "site.toml", server.base_url))
        out = tmp_path / "out"
        _run(behind, out)
        change = site.advance()
        second = _run(behind, out)
    assert set(change.edited) <= set(second)
    versions = _by_version(out)
    assert all(set(versions[path]) == {1, 2} for path in change.edited)
