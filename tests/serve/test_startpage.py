"""The start page: article JSON read, grouped by article, sorted, escaped and paginated."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import lxml.html
import pytest

from archive.serve.startpage import (
    ArticleEntry,
    Capture,
    load_articles,
    render,
    replay_path,
    wayback_timestamp,
)


def write_article(out: Path, article_id: str, name: str | None = None, **fields) -> Path:
    doc = {
        "id": article_id,
        "url": f"https://news.example/{article_id}.html",
        "site": "example",
        "site_name": "The Example",
        "title": f"Title {article_id}",
        "published": "2026-01-05T08:00:00+00:00",
        "capture": {"fetched_at": "2026-11-28T17:25:28.525499Z"},
        **fields,
    }
    path = out / "articles" / "example" / "2026" / "01" / (name or f"{article_id}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), "utf-8")
    return path


@pytest.mark.parametrize(
    ("fetched_at", "expected"),
    [
        ("2026-11-28T17:25:28.525499Z", "20261128172528"),
        ("2026-11-28T17:25:28Z", "20261128172528"),
        ("2026-11-28T17:25:28+00:00", "20261128172528"),
        ("2026-11-28", None),
        ("", None),
        (None, None),
    ],
)
def test_wayback_timestamp(fetched_at, expected):
    assert wayback_timestamp(fetched_at) == expected


def test_replay_path_keeps_the_url_as_crawled():
    stamp = "20261128172528"
    assert replay_path("archive", "http://h:1/a.html?x=1&y=2", stamp) == (
        "/archive/20261128172528/http://h:1/a.html?x=1&y=2"
    )
    assert replay_path("archive", "http://h/a%20b.html", stamp).endswith("/http://h/a%20b.html")
    assert replay_path("archive", "http://h/a b é.html", stamp).endswith(
        "/http://h/a%20b%20%C3%A9.html"
    )
    assert replay_path("archive", "http://h/", None) == "/archive/http://h/"


def test_captures_of_one_article_are_grouped_newest_first(tmp_path):
    write_article(tmp_path, "a1", title="Old title")
    write_article(
        tmp_path,
        "a1",
        name="a1.20261201090000.json",
        title="New title",
        capture={"fetched_at": "2026-12-01T09:00:00Z"},
    )
    (entry,) = load_articles(tmp_path)
    assert entry.title == "New title"
    assert [c.timestamp for c in entry.captures] == ["20261201090000", "20261128172528"]


def test_sorted_newest_published_first_undated_last(tmp_path):
    write_article(tmp_path, "old", published="2025-03-01T00:00:00Z")
    write_article(tmp_path, "none", published=None)
    write_article(tmp_path, "new", published="2026-02-01T00:00:00Z")
    write_article(tmp_path, "new-b", published="2026-02-01T00:00:00Z", title="A first")
    assert [e.id for e in load_articles(tmp_path)] == ["new-b", "new", "old", "none"]


def test_bad_files_are_skipped_with_a_warning(tmp_path, caplog):
    write_article(tmp_path, "good")
    bad = tmp_path / "articles" / "example" / "broken.json"
    bad.write_text("{not json", "utf-8")
    (tmp_path / "articles" / "example" / "list.json").write_text("[1, 2]", "utf-8")
    (tmp_path / "articles" / "example" / ".tmp-x.json").write_text("{", "utf-8")
    with caplog.at_level(logging.WARNING):
        assert [e.id for e in load_articles(tmp_path)] == ["good"]
    assert "broken.json" in caplog.text and "list.json" in caplog.text
    assert ".tmp-x.json" not in caplog.text


def test_no_articles_directory_is_an_empty_list(tmp_path):
    assert load_articles(tmp_path) == []
    assert "No article JSON" in render([], "archive")


def test_everything_from_the_json_is_escaped(tmp_path):
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    write_article(
        tmp_path,
        "x",
        title=hostile,
        site_name='"><img src=x onerror=alert(1)>',
        url='https://news.example/a.html?q="><script>1</script>&r=1',
    )
    page = render(load_articles(tmp_path), "archive")
    dom = lxml.html.fromstring(page)
    assert not dom.cssselect("script") and not dom.cssselect("img") and not dom.cssselect("b")
    (link,) = dom.cssselect("td.title a")
    assert link.text_content() == hostile
    assert dom.cssselect("td.site")[0].text_content() == '"><img src=x onerror=alert(1)>'
    assert link.get("href") == (
        "/archive/20261128172528/https://news.example/a.html?q=%22%3E%3Cscript%3E1%3C/script%3E&r=1"
    )


def entries(count: int) -> list[ArticleEntry]:
    capture = Capture("https://news.example/a.html", "2026-01-01T00:00:00Z", "20260101000000")
    return [
        ArticleEntry(f"id{n}", f"Article {n}", "Example", None, [capture]) for n in range(count)
    ]


def test_pages_of_a_hundred():
    articles = entries(250)
    third = lxml.html.fromstring(render(articles, "archive", page=3))
    assert len(third.cssselect("tr.article")) == 50
    assert third.cssselect('a[rel="prev"]')[0].get("href") == "/?page=2"
    assert not third.cssselect('a[rel="next"]')
    first = lxml.html.fromstring(render(articles, "archive", page=1))
    assert len(first.cssselect("tr.article")) == 100
    assert first.cssselect('a[rel="next"]')[0].get("href") == "/?page=2"
    assert "page 1 of 3" in first.text_content()
    beyond = lxml.html.fromstring(render(articles, "archive", page=99))
    assert "page 3 of 3" in beyond.text_content()
    single = lxml.html.fromstring(render(entries(3), "archive"))
    assert not single.cssselect("nav.pages")
