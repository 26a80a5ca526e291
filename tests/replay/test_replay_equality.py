"""Replaying a crawl's WARC files writes the crawl's article JSON, field by field.

Only `extracted_at` may differ. The capture pointer is compared too: replay records the WARC
file's name, as the crawl does, so both point into the same file at the same offset.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.crawl.test_crawl_warc import ARTICLE_PATHS
from tests.replay.helpers import article_html, article_tree, assert_same_articles, replay
from tests.support import FAST, TEST_SITE, crawl, newsarchive, warc_files


@pytest.fixture(scope="module")
def live(test_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("live")
    result = crawl(test_site.url("/"), out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, test_site.url("/")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_replay_equals_the_live_crawl(live, tmp_path: Path, jobs: str):
    out, target = live
    result = replay(out / "warc", "--out", tmp_path, "--profile", target, "--jobs", jobs)
    assert result.returncode == 0, result.stderr
    assert_same_articles(out, tmp_path)
    assert "1 file(s)" in result.stdout and "articles written" in result.stdout
    assert result.stderr == ""  # not a terminal: no progress line


def test_rotated_files_replay_in_parallel_and_equal(test_site, tmp_path: Path):
    live = tmp_path / "live"
    assert crawl(test_site.url("/"), live, "-s", "WARC_MAX_SIZE=4000").returncode == 0
    assert len(warc_files(live)) >= 3
    for jobs in ("2", "1"):  # one process per file, then one reader
        again = tmp_path / f"replay-{jobs}"
        result = replay(live / "warc", "--out", again, "--profile", test_site.url("/"),
                        "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        assert_same_articles(live, again)
        assert not list(again.glob(".replay-*")), "spool left behind"


def test_two_crawls_replay_to_the_crawls_versions(site_dir: Path, tmp_path: Path):
    """A crawl, an edit of one article, a full second crawl: replay writes what the crawls
    wrote, the edited article's second version included and no copy of the others."""
    shutil.copytree(TEST_SITE, site_dir, dirs_exist_ok=True)
    live = tmp_path / "live"
    with SiteServer(site_dir) as server:
        assert crawl(server.url("/"), live).returncode == 0
        page = site_dir / "news/2026/01/05/harbour-bridge.html"
        edited = page.read_text("utf-8").replace("repairs to its deck.", "repairs to it.")
        page.write_text(edited, "utf-8")
        assert crawl(server.url("/"), live, "--refresh").returncode == 0
        profile = server.url("/")
    again = tmp_path / "again"
    result = replay(live / "warc", "--out", again, "--profile", profile)
    assert result.returncode == 0, result.stderr
    assert_same_articles(live, again)
    names = [Path(name).name for name in article_tree(again)]
    assert len(names) == len(ARTICLE_PATHS) + 1
    assert sum(name.count(".") == 2 for name in names) == 1  # ID.<stamp>.json
    assert sorted(d["version"] for d in article_tree(again).values())[-2:] == [1, 2]


def test_demo_site_replays_equal_with_the_bundled_profile_found_by_host(tmp_path: Path):
    live = tmp_path / "live"
    result = newsarchive("demo", "--out", live, *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    again = tmp_path / "again"
    result = replay(live / "warc", "--out", again)  # no --profile: 127.0.0.1 is the demo's
    assert result.returncode == 0, result.stderr
    assert_same_articles(live, again)
    assert {d["site"] for d in article_tree(again).values()} == {"demo"}


TRICKY_PAGES = {
    "index.html": "<html><body>"
    + "".join(
        f'<a href="/{p}">{p}</a> '
        for p in (
            "news/2026/02/01/refresh.html",
            "news/2026/02/02/amp.html",
            "news/2026/02/02/story.html",
            "base/page.html",
            "news/2026/02/03/latin.html",
        )
    )
    + "</body></html>",
    # The spider never sees this page: Scrapy's MetaRefreshMiddleware follows the refresh.
    "news/2026/02/01/refresh.html": '<html><head><meta http-equiv="refresh" '
    'content="0; url=/news/2026/02/01/target.html"><meta property="og:type" content="article">'
    "<title>Refresh</title></head><body><p>Moved.</p></body></html>",
    "news/2026/02/01/target.html": None,
    # Same canonical: only the first one the crawl met is stored.
    "news/2026/02/02/amp.html": '<link rel="canonical" href="/news/2026/02/02/story.html">',
    "news/2026/02/02/story.html": '<link rel="canonical" href="/news/2026/02/02/story.html">',
    # A relative canonical resolved against <base href>, as response.urljoin does.
    "base/page.html": '<base href="/news/2026/02/04/"><link rel="canonical" href="x.html">',
    "news/2026/02/03/latin.html": '<meta name="x" content="caf\xe9">',
}


def _tricky_page(head: str) -> bytes:
    return article_html("Story", head=head, encoding="cp1252")


def test_spider_decisions_are_replayed(site_dir: Path, tmp_path: Path):
    for name, content in TRICKY_PAGES.items():
        path = site_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        is_full_page = content is not None and content.startswith("<html")
        path.write_bytes(content.encode() if is_full_page else _tricky_page(content or ""))
    live = tmp_path / "live"
    with SiteServer(site_dir) as server:
        assert crawl(server.url("/"), live).returncode == 0
        again = tmp_path / "again"
        result = replay(live / "warc", "--out", again, "--profile", server.url("/"))
    assert result.returncode == 0, result.stderr
    assert_same_articles(live, again)
    urls = {d["url"].split("/", 3)[3] for d in article_tree(again).values()}
    assert "news/2026/02/01/refresh.html" not in urls
    assert "news/2026/02/01/target.html" in urls
    assert len(urls & {"news/2026/02/02/amp.html", "news/2026/02/02/story.html"}) == 1
    assert "1 duplicate" in result.stdout
