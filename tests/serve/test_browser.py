"""End to end in headless Chromium: crawl the test site, stop it, browse the archive.

The crawled site is shut down before anything is replayed, and a tripwire listens on its port:
whatever the browser shows came from the WARC files. Chromium sends every request through a
recording proxy that forwards only to the pywb server and cannot resolve any host name, so the
test sees every URL the browser asked for, and each must be on the pywb server. The article
page is given references to other hosts (a stylesheet, a script, an image, a `fetch()`), which
pywb must rewrite into the archive rather than let the browser fetch live.
"""

from __future__ import annotations

import shutil
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from archive.serve.startpage import wayback_timestamp
from crawler.demo.server import SiteServer
from tests.serve.browser import Chromium, DevTools, RecordingProxy, Tripwire
from tests.serve.conftest import Served, start_server, stop_server
from tests.support import TEST_SITE, articles, crawl

pytestmark = [pytest.mark.usefixtures("pywb_installed", "chromium_installed")]



ARTICLE = "news/2026/01/05/harbour-bridge.html"
# Other hosts the article refers to: replay must never let the browser fetch them.
FOREIGN = """
<link rel="stylesheet" href="https://cdn.example.net/gazette.css">
<script src="https://cdn.example.net/track.js"></script>
<script>fetch("https://api.example.net/comments.json?article=bridge").catch(function () {});
</script>
"""
FOREIGN_IMAGE = '<img src="https://images.example.net/bridge.jpg" alt="The bridge at dawn">'


@dataclass
class Archive:
    out: Path
    site_port: int
    tripwire: Tripwire
    docs: list[dict[str, Any]]

    def doc(self, path: str) -> dict[str, Any]:
        return next(d for d in self.docs if urlsplit(d["url"]).path == f"/{path}")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, pywb_installed: None) -> Iterator[Archive]:
    site = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(TEST_SITE, site)
    page = site / ARTICLE
    html = page.read_text("utf-8")
    html = html.replace("</head>", FOREIGN + "</head>", 1)
    html = html.replace("</article>", FOREIGN_IMAGE + "\n</article>", 1)
    page.write_text(html, "utf-8")

    out = tmp_path_factory.mktemp("archive")
    with SiteServer(site) as server:
        result = crawl(server.url("/"), out)
        port = int(urlsplit(server.base_url).port)
    assert result.returncode == 0, result.stderr[-3000:]
    # The site is gone; anyone who tries its port now is caught.
    tripwire = Tripwire(port)
    try:
        yield Archive(out, port, tripwire, articles(out))
    finally:
        tripwire.close()


@pytest.fixture(scope="module")
def server_side() -> Iterator[RecordingProxy]:
    """A proxy that forwards nothing, for the pywb server's own outgoing requests."""
    with RecordingProxy(allowed=None) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def served(
    archive: Archive, server_side: RecordingProxy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    # pywb's live-web loader (requests) honours these: any live fetch it tried would land in
    # the server-side proxy's log. Loopback stays direct, where the tripwire watches.
    env = {
        "HTTP_PROXY": f"http://{server_side.address}",
        "HTTPS_PROXY": f"http://{server_side.address}",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    served = start_server(archive.out, tmp_path_factory.mktemp("serve") / "serve.log", env=env)
    yield served
    assert stop_server(served) == 0, served.log()


@pytest.fixture
def browser(served: Served) -> Iterator[tuple[Chromium, RecordingProxy]]:
    with RecordingProxy(allowed=served.netloc) as proxy:
        yield Chromium(proxy), proxy


def assert_only_archive(proxy: RecordingProxy, served: Served) -> None:
    """Every request of the page was for the pywb server; nothing else was let through."""
    page = proxy.page_requests()
    assert page, "the proxy saw nothing: the browser did not go through it"
    elsewhere = [u for u in page if urlsplit(u).netloc != served.netloc]
    assert elsewhere == [], f"requests left the archive: {elsewhere}"
    assert all(urlsplit(u).netloc == served.netloc for u in proxy.forwarded)


def test_start_page_lists_every_article_with_its_replay_link(archive, served, browser):
    chromium, proxy = browser
    dom = lxml.html.fromstring(chromium.dump_dom(served.url))
    rows = {row.get("data-id"): row for row in dom.cssselect("#articles tr.article")}
    assert set(rows) == {doc["id"] for doc in archive.docs}
    for doc in archive.docs:
        row = rows[doc["id"]]
        (link,) = row.cssselect("td.title a")
        assert link.text_content() == doc["title"]
        stamp = wayback_timestamp(doc["capture"]["fetched_at"])
        assert link.get("href") == f"/archive/{stamp}/{doc['url']}"
        assert row.cssselect("td.date")[0].text_content() == doc["published"][:10]
        assert row.cssselect("td.site")[0].text_content() == (doc["site_name"] or doc["site"])
    dates = [row.cssselect("td.date")[0].text_content() for row in rows.values()]
    assert dates == sorted(dates, reverse=True), "newest first"
    assert_only_archive(proxy, served)
    assert archive.tripwire.connections == []


def test_replayed_article_renders_from_the_archive_alone(archive, served, browser):
    chromium, proxy = browser
    doc = archive.doc(ARTICLE)
    stamp = wayback_timestamp(doc["capture"]["fetched_at"])
    replay = f"{served.url}archive/{stamp}/{doc['url']}"

    dom = lxml.html.fromstring(chromium.dump_dom(replay))

    text = " ".join(dom.text_content().split())
    for paragraph in doc["body"].split("\n\n"):
        assert " ".join(paragraph.split()) in text
    assert dom.findtext(".//h1") == doc["title"]
    banner = " ".join(dom.get_element_by_id("newsarchive-banner").text_content().split())
    when = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[8:10]}:{stamp[10:12]}:{stamp[12:]} UTC"
    assert banner == f"Archived copy of {doc['url']}, captured {when}. All archived articles"
    # wombat.js shows scripts (and outerHTML) the original URLs, so the DOM cannot tell where
    # the image came from: the proxy's log below does.
    assert dom.cssselect('img[alt="The bridge at dawn"]')

    assert_only_archive(proxy, served)
    asked = "\n".join(proxy.requests)
    assert replay in proxy.forwarded
    # The foreign references were requested, but from the archive, not from their hosts:
    # pywb rewrote the HTML (stylesheet, script, image) and wombat.js the script's fetch().
    for foreign in (
        "https://cdn.example.net/gazette.css",
        "https://cdn.example.net/track.js",
        "https://images.example.net/bridge.jpg",
        "https://api.example.net/comments.json?article=bridge",
    ):
        through_pywb = [
            r for r in proxy.forwarded
            if r.startswith(f"{served.url}archive/{stamp}") and r.endswith(f"/{foreign}")
        ]
        assert through_pywb, f"{foreign} was not asked from the archive: {asked}"
    assert archive.tripwire.connections == [], "something tried the crawled site's port"


def test_a_reader_clicks_from_the_list_to_the_article_and_back(archive, served, browser):
    _, proxy = browser
    doc = archive.doc(ARTICLE)
    stamp = wayback_timestamp(doc["capture"]["fetched_at"])
    devtools = DevTools(proxy)
    try:
        devtools.goto(served.url)
        devtools.click_and_wait(f'tr[data-id="{doc["id"]}"] td.title a')
        assert devtools.evaluate("location.href") == f"{served.url}archive/{stamp}/{doc['url']}"
        text = devtools.evaluate("document.body.innerText")
        assert doc["body"].split("\n\n")[0] in text

        devtools.click_and_wait("#newsarchive-banner button")
        assert devtools.evaluate("location.href") == served.url
        assert devtools.evaluate("document.title").startswith("Archived articles")
    finally:
        devtools.close()
    assert_only_archive(proxy, served)
    assert archive.tripwire.connections == []


def test_screenshot_of_the_replayed_article(archive, served, browser, tmp_path):
    chromium, proxy = browser
    doc = archive.doc(ARTICLE)
    stamp = wayback_timestamp(doc["capture"]["fetched_at"])
    shot = chromium.screenshot(f"{served.url}archive/{stamp}/{doc['url']}", tmp_path / "a.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 900)
    assert len(data) > 10_000, "a blank page compresses to almost nothing"
    assert_only_archive(proxy, served)


def test_the_witnesses_catch_a_page_that_is_not_rewritten(archive, served, browser):
    """Proof that the checks above can fail: pywb's `id_` mode serves the page as it was
    archived, unrewritten, so the browser asks the other hosts directly; the proxy logs and
    refuses those requests."""
    chromium, proxy = browser
    doc = archive.doc(ARTICLE)
    stamp = wayback_timestamp(doc["capture"]["fetched_at"])
    chromium.dump_dom(f"{served.url}archive/{stamp}id_/{doc['url']}")
    leaks = [u for u in proxy.page_requests() if urlsplit(u).netloc != served.netloc]
    assert "CONNECT cdn.example.net:443" in leaks, proxy.requests
    assert "CONNECT images.example.net:443" in leaks, proxy.requests
    assert all(urlsplit(u).netloc == served.netloc for u in proxy.forwarded)
    with pytest.raises(AssertionError, match="requests left the archive"):
        assert_only_archive(proxy, served)

    witness = Tripwire(0)
    try:
        socket.create_connection(("127.0.0.1", witness.port), timeout=5).close()
        deadline = time.monotonic() + 10
        while not witness.connections and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(witness.connections) == 1
    finally:
        witness.close()


def test_a_page_never_archived_is_not_fetched_live(archive, served):
    missing = f"http://127.0.0.1:{archive.site_port}/never-crawled.html"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{served.url}archive/20260101000000/{missing}", timeout=30)
    assert error.value.code == 404
    assert archive.tripwire.connections == []


def test_pywb_itself_never_went_out(archive, served, server_side):
    """Last: after everything above, the server made no request but to itself."""
    assert server_side.requests == []
    assert archive.tripwire.connections == []
    assert served.process.poll() is None, served.log()
