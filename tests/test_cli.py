"""The command line as users script it: extract, demo, and `scrapy crawl news`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.demo.server import SiteServer
from tests.support import FAST, TEST_SITE, articles, newsarchive, warc_files

REPO = Path(__file__).resolve().parents[1]
ARTICLE = TEST_SITE / "news/2026/01/05/harbour-bridge.html"


def test_extract_prints_article_json():
    result = newsarchive("extract", ARTICLE, "--url", "https://daily.test/news/2026/01/05/x.html")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Harbour bridge reopens after repairs"
    assert article["body"].startswith("The harbour bridge reopened to traffic on Monday")
    assert "SHARE THIS ARTICLE" not in article["body"]
    assert article["published"].startswith("2026-01-05T08:00:00")


def test_extract_jsonl_keeps_ids_and_reports_bad_lines():
    lines = [
        {"id": "a1", "url": "https://daily.test/a", "html": ARTICLE.read_text()},
        {"id": "b2", "url": "https://daily.test/b", "html": ""},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "extract", "--jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a1", "b2"]
    assert out[0]["title"] == "Harbour bridge reopens after repairs"
    assert "error" in out[1]
    assert "line 3" in result.stderr
    assert result.returncode == 1


def test_extract_missing_file_is_a_clear_error(tmp_path: Path):
    result = newsarchive("extract", tmp_path / "nope.html")
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_demo_crawls_the_bundled_site(tmp_path: Path):
    result = newsarchive("demo", "--out", tmp_path / "demo", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    docs = articles(tmp_path / "demo")
    assert len(docs) == 24
    assert "articles      : 24" in result.stdout
    for doc in docs:
        assert "SHARE THIS ARTICLE" not in doc["body"]
        assert "alternate addresses" not in doc["body"]
        assert doc["site"] == "demo" and doc["title"]
    assert len(warc_files(tmp_path / "demo")) == 1

    # Run again, as a user trying the quick start twice would: the demo site is served on
    # its profile's port when free, so the second crawl is a recrawl of the same URLs.
    again = newsarchive("demo", "--out", tmp_path / "demo", timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    if ":8000" in result.stderr and ":8000" in again.stderr:
        assert "24 known articles not fetched" in again.stdout
        assert len(articles(tmp_path / "demo")) == 24


def test_scrapy_crawl_news_from_the_repository_root(tmp_path: Path):
    with SiteServer(TEST_SITE) as server:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "news",
                "-a",
                f"site={server.url('/')}",
                "-s",
                f"NEWSARCHIVE_OUT={tmp_path}",
                *FAST,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(articles(tmp_path)) == 6
    assert warc_files(tmp_path)
