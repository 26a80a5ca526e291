"""The WACZ opens in ReplayWeb.page: headless Chromium replays an archived article from it."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive.layout import timestamp14
from tests.archive_tools.conftest import demo_crawls
from tests.archive_tools.replayweb import (
    REPLAYWEBPAGE,
    REPLAYWEBPAGE_DIR,
    StaticServer,
    replaywebpage_assets,
)
from tests.serve.browser import CHROMIUM, DevTools
from tests.support import all_records, articles, newsarchive

# All the text of a document, shadow roots included (ReplayWeb.page is web components).
DEEP_TEXT = """(() => {
  const out = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === 3) out.push(child.textContent);
      else if (child.nodeType === 1) walk(child);
    }
  };
  walk(document.documentElement);
  return out.join(" ");
})()"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (make test installs it)")
    assets = replaywebpage_assets()
    if assets is None:
        pytest.fail(f"{REPLAYWEBPAGE} is not in {REPLAYWEBPAGE_DIR} (make test installs it)")
    out = tmp_path_factory.mktemp("replayweb") / "data"
    demo_crawls(out, times=2)  # the second crawl stores the unchanged hubs as revisits
    root = tmp_path_factory.mktemp("replayweb-site")
    result = newsarchive("wacz", out, "-o", root / "archive.wacz", "--text")
    assert result.returncode == 0, result.stderr
    (root / "replay").mkdir()
    shutil.copy(assets / "ui.js", root / "ui.js")
    for name in ("ui.js", "sw.js"):  # the replay frame loads both from replayBase
        shutil.copy(assets / name, root / "replay" / name)
    revisits = [r for r in all_records(out) if r.type == "revisit"]
    return root, articles(out), revisits


def _page(root: Path, url: str, ts: str = "") -> None:
    stamp = f' ts="{ts}"' if ts else ""
    (root / "index.html").write_text(
        '<!doctype html><html><head><script src="/ui.js"></script></head><body>'
        f'<replay-web-page style="display:block;height:800px" source="/archive.wacz" '
        f'url="{url}"{stamp} replayBase="/replay/" embed="replayonly"></replay-web-page>'
        "</body></html>",
        "utf-8",
    )


def _replay(root: Path) -> tuple[str, StaticServer]:
    with StaticServer(root) as server:
        devtools = DevTools(server, timeout=60)
        try:
            devtools.goto(f"http://{server.netloc}/index.html")
            return replayed_text(devtools), server
        except AssertionError as exc:  # what the browser asked for, to tell why
            raise AssertionError(f"{exc}; requests: {server.requests[-20:]}") from None
        finally:
            devtools.close()


def _frames(node: dict):
    yield node["frame"]
    for child in node.get("childFrames", []):
        yield from _frames(child)


def replayed_text(devtools: DevTools, timeout: float = 90) -> str:
    """The text of the archived page once ReplayWeb.page shows it (its `mp_` frame)."""
    text = in_replayed_page(devtools, DEEP_TEXT, timeout=timeout)
    return " ".join(text.split())


def in_replayed_page(devtools: DevTools, expression: str, *, timeout: float = 90) -> Any:
    """The value of `expression` in the archived page's frame (`mp_`) once the frame has
    loaded and the value is not empty (a promise is awaited). Before its load the frame
    may hold only the replay's own injected scripts, whose text is no page."""
    expression = f"document.readyState === 'complete' ? ({expression}) : null"
    deadline = time.monotonic() + timeout
    seen: list[str] = []  # the frames last seen, for the failure's message
    while time.monotonic() < deadline:
        tree = devtools.send("Page.getFrameTree", session=True)["frameTree"]
        seen = [frame["url"] for frame in _frames(tree)]
        for frame in _frames(tree):
            if "mp_/" not in frame["url"]:
                continue
            world = devtools.send(
                "Page.createIsolatedWorld", {"frameId": frame["id"]}, session=True
            )
            result = devtools.send(
                "Runtime.evaluate",
                {
                    "expression": expression,
                    "contextId": world["executionContextId"],
                    "returnByValue": True,
                    "awaitPromise": True,
                },
                session=True,
            )
            value = result["result"].get("value")
            if value and (not isinstance(value, str) or value.strip()):
                return value
        time.sleep(0.5)
    raise AssertionError(f"ReplayWeb.page showed no archived page; frames: {seen}")


def test_replaywebpage_replays_an_article_from_the_wacz(site):
    root, docs, _ = site
    doc = next(d for d in docs if "utm_" not in d["url"] and d["body"])
    _page(root, doc["url"])
    text, server = _replay(root)
    assert "Archived Page Not Found" not in text
    assert " ".join(doc["title"].split()) in text
    first_sentence = " ".join(doc["body"].split("\n\n")[0].split())[:60]
    assert first_sentence in text
    # The archive came from our one server; nothing asked for the crawled site or the web.
    assert any(urlsplit(r).path == "/archive.wacz" for r in server.requests)
    others = [r for r in server.refused if not _chromium_service(r)]
    assert others == [], json.dumps(others)


def test_replaywebpage_replays_a_revisit_as_its_original(site):
    """The home page answered 304 to the second crawl: at that capture's time the WACZ
    shows the page stored by the first."""
    root, docs, revisits = site
    home = next(r for r in revisits if urlsplit(r.uri).path == "/")
    _page(root, home.uri, timestamp14(home.headers["WARC-Date"]))
    text, _ = _replay(root)
    assert "Archived Page Not Found" not in text
    assert "Harbour Gazette" in text
    titles = [" ".join(d["title"].split()) for d in docs]
    assert any(title in text for title in titles)  # the front page lists the stories


def _chromium_service(request: str) -> bool:
    """Chromium's own calls home (updates, autofill, sign-in), refused like all the rest."""
    host = request.rsplit(":", 1)[0] if "://" not in request else urlsplit(request).hostname
    return (host or "").endswith((".googleapis.com", ".google.com"))


# Once the page has loaded: what the site's stylesheet, font and images did to it.
LOOKS = """new Promise(done => {
  const look = () => document.fonts.ready.then(fonts => done({
    rule: getComputedStyle(document.querySelector('.site-header')).borderBottomWidth,
    fonts: [...fonts].filter(f => f.status === 'loaded').map(f => f.family),
    images: [...document.images].map(i => [i.currentSrc, i.complete, i.naturalWidth]),
  }));
  if (document.readyState === 'complete') look(); else addEventListener('load', look);
})"""


def test_replaywebpage_shows_the_article_with_its_styles_font_and_images(site):
    root, docs, _ = site
    doc = next(d for d in docs if d["images"] and "utm_" not in d["url"])
    _page(root, doc["url"])
    with StaticServer(root) as server:
        devtools = DevTools(server, timeout=60)
        try:
            devtools.goto(f"http://{server.netloc}/index.html")
            looks = in_replayed_page(devtools, LOOKS)
        finally:
            devtools.close()
    assert looks["rule"] == "7px"  # set by the site's stylesheet only
    assert any("Harbour Sans" in family for family in looks["fonts"]), looks
    assert len(looks["images"]) >= 2, looks
    for source, complete, width in looks["images"]:
        assert complete and width > 0, (source, looks)
    others = [r for r in server.refused if not _chromium_service(r)]
    assert others == [], json.dumps(others)
