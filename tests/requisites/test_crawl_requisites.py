"""A crawl archives what its pages need to be shown, from another host too, once each.

Two real servers on 127.0.0.1: the news site, and a "CDN" with its own robots.txt, named
`localhost` in the pages (another host, as CDNs are), serving the stylesheets, fonts and
images. Read back with warcio and `newsarchive check`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.warc.reader import record_at
from crawler.demo.server import SiteServer
from tests.demo_assets import png
from tests.replay.helpers import assert_same_articles, replay
from tests.support import all_records, articles, crawl, newsarchive

STORIES = ("harbour-bridge", "ferry-strike", "lantern-festival")
PER_PAGE = 12
MAX_SIZE = 60_000
BIG_IMAGE = 200_000


def _article(cdn: str, slug: str, extra: str = "") -> str:
    title = slug.replace("-", " ").title()
    paragraphs = "".join(
        f"<p>Paragraph {n} of the {title} story, with enough words in it to read as prose "
        f"that a reporter wrote about the harbour and the people who live around it.</p>"
        for n in range(6)
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<meta property="og:type" content="article">
<meta property="og:image" content="{cdn}/img/{slug}-og.png">
<link rel="stylesheet" href="{cdn}/css/site.css">
<link rel="icon" href="/trap.html">
<script src="{cdn}/js/app.js"></script>
</head><body>
<header><img class="logo" src="{cdn}/img/logo.png" alt="Gazette"></header>
<article><h1>{title}</h1>
<p class="byline">By Mira Castell</p>
<time datetime="2026-01-05T09:00:00Z">5 January 2026</time>
<figure><img src="{cdn}/img/{slug}-480.png"
  srcset="{cdn}/img/{slug}-480.png 480w, {cdn}/img/{slug}-1600.png 1600w" alt="Lead">
<figcaption>The lead picture of {title}.</figcaption></figure>
{paragraphs}{extra}
</article></body></html>"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, SiteServer]]:
    cdn_dir = tmp_path_factory.mktemp("cdn")
    (cdn_dir / "robots.txt").write_text("User-agent: *\nDisallow: /secret/\n")
    (cdn_dir / "css").mkdir()
    (cdn_dir / "css" / "site.css").write_text(
        '@import "fonts.css";\n'
        "header { background: url(../img/bg.png); }\n"
        ".hidden { background: url(/secret/hidden.png); }\n"
    )
    (cdn_dir / "css" / "fonts.css").write_text(
        '@font-face { font-family: G; src: url(../fonts/g.woff2) format("woff2"); }\n'
        "@import url(site.css);\n"  # a cycle: site.css imports this file
    )
    (cdn_dir / "fonts").mkdir()
    (cdn_dir / "fonts" / "g.woff2").write_bytes(b"wOF2" + bytes(300))
    (cdn_dir / "js").mkdir()
    (cdn_dir / "js" / "app.js").write_text("document.body.dataset.ready = 1;\n")
    img = cdn_dir / "img"
    img.mkdir()
    for name, width in [("logo", 120), ("bg", 16)]:
        (img / f"{name}.png").write_bytes(png(width, 10, (20, 40, 60)))
    for slug in STORIES:
        (img / f"{slug}-og.png").write_bytes(png(60, 30, (200, 10, 10)))
        for width in (480, 1600):
            (img / f"{slug}-{width}.png").write_bytes(png(width, width // 2, (10, 90, 140)))
    for n in range(40):
        (img / f"teaser-{n}.png").write_bytes(png(30 + n, 20, (90, 90, 90)))
    (img / "big.png").write_bytes(b"\x89PNG" + bytes(BIG_IMAGE))
    (cdn_dir / "secret").mkdir()
    (cdn_dir / "secret" / "hidden.png").write_bytes(png(4, 4, (0, 0, 0)))

    with SiteServer(cdn_dir) as cdn:
        base = f"http://localhost:{cdn.base_url.rsplit(':', 1)[1]}"
        site_dir = tmp_path_factory.mktemp("site")
        (site_dir / "robots.txt").write_text("User-agent: *\nDisallow:\n")
        teasers = "".join(f'<img src="{base}/img/teaser-{n}.png" alt="">' for n in range(40))
        links = "".join(f'<a href="/news/{slug}.html">{slug}</a> ' for slug in STORIES)
        (site_dir / "index.html").write_text(
            f"<!doctype html><html><head><title>Front</title>"
            f'<link rel="stylesheet" href="{base}/css/site.css"></head>'
            f"<body><nav>{links}</nav>{teasers}</body></html>"
        )
        (site_dir / "news").mkdir()
        for slug in STORIES:
            extra = ""
            if slug == "ferry-strike":
                extra = f'<figure><img src="{base}/img/big.png" alt="Big"></figure>'
            (site_dir / "news" / f"{slug}.html").write_text(_article(base, slug, extra))
        trap = _article(base, "trap").replace("</article>", '<a href="/trap-link.html">x</a>')
        (site_dir / "trap.html").write_text(trap)
        with SiteServer(site_dir) as site:
            yield site, cdn


@pytest.fixture(scope="module")
def crawled(sites, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    site, cdn = sites
    out = tmp_path_factory.mktemp("out")
    site_before, cdn_before = len(site.requested), len(cdn.requested)
    result = crawl(
        site.url("/"), out,
        "-s", f"NEWSARCHIVE_REQUISITES_PER_PAGE={PER_PAGE}",
        "-s", f"NEWSARCHIVE_REQUISITES_MAX_SIZE={MAX_SIZE}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "requisites    :" in result.stdout
    return out, site.requested[site_before:], cdn.requested[cdn_before:]


def test_requisites_from_any_host_are_archived_each_once(crawled) -> None:
    out, _, cdn_requests = crawled
    counts = Counter(cdn_requests)
    assert max(counts.values()) == 1, counts  # once per crawl, however many pages need it
    for path in ["/robots.txt", "/css/site.css", "/css/fonts.css", "/fonts/g.woff2",
                 "/img/bg.png", "/js/app.js", "/img/logo.png"]:  # fmt: skip
        assert path in counts, path
    for slug in STORIES:
        assert f"/img/{slug}-1600.png" in counts  # the srcset candidate a desktop loads
        assert f"/img/{slug}-480.png" in counts  # src: the article's image, pointed at
        assert f"/img/{slug}-og.png" in counts
    archived = {r.uri for r in all_records(out) if r.type == "response"}
    from_cdn = {"/" + uri.split("/", 3)[3] for uri in archived if uri.startswith("http://localhost:")}
    assert set(counts) - {"/img/big.png"} <= from_cdn  # each archived (the big one cut short)


def test_robots_txt_of_the_requisites_host_is_obeyed(crawled) -> None:
    _, _, cdn_requests = crawled
    assert "/secret/hidden.png" not in cdn_requests
    assert cdn_requests.index("/robots.txt") < cdn_requests.index("/css/site.css")


def test_a_requisite_is_never_followed_nor_an_article(crawled) -> None:
    out, site_requests, _ = crawled
    assert "/trap.html" in site_requests  # fetched as the pages' icon
    assert "/trap-link.html" not in site_requests
    urls = {document["url"].rsplit("/", 1)[1] for document in articles(out)}
    assert urls == {f"{slug}.html" for slug in STORIES}


def test_per_page_and_size_limits(crawled) -> None:
    out, _, cdn_requests = crawled
    teasers = [path for path in cdn_requests if path.startswith("/img/teaser-")]
    assert len(teasers) == PER_PAGE - 1  # the front page's stylesheet, then 11 teasers
    truncated = {r.uri for r in all_records(out) if r.headers.get("WARC-Truncated")}
    assert any(uri.endswith("/img/big.png") for uri in truncated)
    (ferry,) = [d for d in articles(out) if d["url"].endswith("ferry-strike.html")]
    (big,) = [image for image in ferry["images"] if image["url"].endswith("/big.png")]
    capture = big["capture"]  # pointed at as archived: cut short, and saying so
    with record_at(out / "warc" / capture["warc_file"], capture["warc_offset"]) as record:
        assert record.rec_headers.get_header("WARC-Truncated") == "length"
        assert MAX_SIZE <= len(record.content_stream().read()) < BIG_IMAGE


def test_article_images_point_at_their_records(crawled) -> None:
    out, _, _ = crawled
    checked = set()
    for document in articles(out):
        for image in document["images"]:
            capture = image["capture"]
            assert capture is not None, image
            path = out / "warc" / capture["warc_file"]
            with record_at(path, capture["warc_offset"]) as record:
                assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
                assert record.rec_headers.get_header("WARC-Target-URI") == image["url"]
                assert record.content_stream().read(4) == b"\x89PNG"
            checked.add(image["url"].rsplit("/", 1)[1])
    assert {f"{slug}-480.png" for slug in STORIES} <= checked
    check = newsarchive("check", out)
    assert check.returncode == 0, check.stdout[-2000:]


def test_replay_gives_the_same_articles_and_image_pointers(sites, crawled, tmp_path: Path):
    """trap.html, an article-looking page fetched as an icon, is no article in replay
    either: its records say it was a requisite (WARC-Resource-Type)."""
    out, _, _ = crawled
    result = replay(out / "warc", "--out", tmp_path, "--profile", sites[0].url("/"))
    assert result.returncode == 0, result.stderr
    assert_same_articles(out, tmp_path)


def test_a_later_crawl_fetches_no_known_requisite(sites, crawled) -> None:
    site, cdn = sites
    out, _, _ = crawled
    before = len(cdn.requested)
    result = crawl(site.url("/"), out, "-s", f"NEWSARCHIVE_REQUISITES_PER_PAGE={PER_PAGE}",
                   "-s", f"NEWSARCHIVE_REQUISITES_MAX_SIZE={MAX_SIZE}")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    again = cdn.requested[before:]
    # Only what was not archived whole the first time (cut short, or beyond the page limit).
    assert set(again) <= {"/robots.txt", "/img/big.png"}, again


def test_no_requisites_and_max_pages_counts_pages(sites, tmp_path: Path) -> None:
    site, cdn = sites
    before = len(cdn.requested)
    result = crawl(site.url("/"), tmp_path / "plain", "--no-requisites")
    assert result.returncode == 0, result.stderr[-3000:]
    assert cdn.requested[before:] == []
    documents = articles(tmp_path / "plain")
    assert documents and all(i["capture"] is None for d in documents for i in d["images"])

    before = len(cdn.requested)
    result = crawl(site.url("/"), tmp_path / "two", "--max-pages", "2")
    assert "(closespider_pagecount)" in result.stdout, result.stdout
    assert len(cdn.requested) - before > PER_PAGE  # requisites, not counted as pages
    assert articles(tmp_path / "two")  # the second page, an article, counted and kept


def test_exports_keep_the_image_pointers(crawled, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out, _, _ = crawled
    result = newsarchive("export", out, "--format", "parquet", "-o", tmp_path / "a.parquet")
    assert result.returncode == 0, result.stderr
    rows = {row["url"]: row for row in pq.read_table(tmp_path / "a.parquet").to_pylist()}
    for document in articles(out):
        exported = rows[document["url"]]["images"]
        assert [i["capture"]["warc_record_id"] for i in exported] == [
            i["capture"]["warc_record_id"] for i in document["images"]
        ]
