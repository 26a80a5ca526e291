"""The replayed demo site looks like the site: in headless Chromium, from the archive alone.

The demo site (crawler/demo/site) has a stylesheet that @imports another, a web font, a
header background image, a script, and lead images in `srcset` served from a second host
name (`localhost`, as a CDN). It is crawled, shut down (a tripwire takes its port), served
with `newsarchive serve`, and read in Chromium at 1280 px through a proxy that forwards to
the pywb server only: the site's CSS applies, its font and script load, every image of the
article loads, and no request leaves the archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.serve.startpage import wayback_timestamp
from crawler.demo.server import SiteServer
from tests.serve.browser import DevTools, RecordingProxy, Tripwire
from tests.serve.conftest import Served, start_server, stop_server
from tests.serve.test_browser import assert_only_archive
from tests.support import articles, crawl

pytestmark = [pytest.mark.usefixtures("pywb_installed", "chromium_installed")]

DEMO_SITE = Path(__file__).resolve().parents[2] / "crawler" / "demo" / "site"
STORY = "/news/2026/10/29/library-opening-hours.html"


@pytest.fixture(scope="module")
def demo_archive(
    tmp_path_factory: pytest.TempPathFactory, pywb_installed: None
) -> Iterator[tuple[Path, Tripwire]]:
    out = tmp_path_factory.mktemp("demo-archive")
    with SiteServer(DEMO_SITE) as server:
        result = crawl(server.url("/"), out)
        port = int(urlsplit(server.base_url).port)
    assert result.returncode == 0, result.stderr[-3000:]
    tripwire = Tripwire(port)  # the site and its "CDN" are gone: any try is caught
    try:
        yield out, tripwire
    finally:
        tripwire.close()


@pytest.fixture(scope="module")
def demo_served(demo_archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    out, _ = demo_archive
    served = start_server(out, tmp_path_factory.mktemp("serve") / "serve.log")
    yield served
    assert stop_server(served) == 0, served.log()


def _replay_url(out: Path, served: Served) -> str:
    (doc,) = [d for d in articles(out) if urlsplit(d["url"]).path == STORY]
    stamp = wayback_timestamp(doc["capture"]["fetched_at"])
    return f"{served.url}archive/{stamp}/{doc['url']}"


def test_the_replayed_article_looks_like_the_site(demo_archive, demo_served):
    out, tripwire = demo_archive
    with RecordingProxy(allowed=demo_served.netloc) as proxy:
        devtools = DevTools(proxy)
        try:
            devtools.goto(_replay_url(out, demo_served))
            header = "getComputedStyle(document.querySelector('.site-header'))"
            # Set by the site's stylesheet only: the 7px red rule and the background image.
            assert devtools.evaluate(f"{header}.borderBottomWidth") == "7px"
            assert devtools.evaluate(f"{header}.borderBottomColor") == "rgb(200, 16, 46)"
            assert "wave.png" in devtools.evaluate(f"{header}.backgroundImage")
            # The web font of the @imported stylesheet, loaded from the archive.
            fonts = devtools.evaluate(
                "document.fonts.ready.then(s => [...s].map(f => f.family + ':' + f.status))",
                await_promise=True,
            )
            assert '"Harbour Sans":loaded' in fonts or "Harbour Sans:loaded" in fonts, fonts
            assert devtools.evaluate("document.documentElement.dataset.gazette") == "ready"
            images = devtools.evaluate(
                "[...document.images].map(i => [i.currentSrc, i.complete, i.naturalWidth])"
            )
        finally:
            devtools.close()
        assert len(images) >= 2  # the logo and the lead image
        for source, complete, width in images:
            assert complete and width > 0, (source, images)
        lead = [src for src, _, _ in images if "library-opening-hours" in src]
        assert lead and lead[0].endswith("/static/img/library-opening-hours-960.png"), images
        assert "http://localhost:" in lead[0]  # the CDN's copy, from the archive
        assert_only_archive(proxy, demo_served)
    assert tripwire.connections == [], "something tried the crawled site's port"
