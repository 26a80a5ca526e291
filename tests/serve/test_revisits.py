"""Revisit records replay: a page stored once and found unchanged later shows, at the later
capture's time, as it was captured the first time (pywb, through `newsarchive serve`)."""

from __future__ import annotations

import gzip
import shutil
import urllib.request
from pathlib import Path

from archive.layout import timestamp14
from archive.warc.records import IDENTICAL_PAYLOAD_DIGEST, SERVER_NOT_MODIFIED
from crawler.demo.server import SiteServer
from tests.support import TEST_SITE, all_records, crawl


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body


def test_both_kinds_of_revisit_replay_as_the_original(
    site_dir: Path, tmp_path: Path, server_factory
) -> None:
    shutil.copytree(TEST_SITE, site_dir, dirs_exist_ok=True)
    # A page served without validators: the second crawl gets it whole, byte for byte the
    # same, and stores an identical-payload-digest revisit; the home page answers 304.
    section = (site_dir / "section" / "index.html").read_text("utf-8")
    routes = site_dir / "_routes.toml"
    routes.write_text(
        routes.read_text("utf-8")
        + f'\n[[status]]\npath = "/section/"\nstatus = 200\nbody = """{section}"""\n',
        "utf-8",
    )
    out = tmp_path / "out"
    with SiteServer(site_dir) as site:
        for _ in range(2):
            result = crawl(site.url("/"), out)
            assert result.returncode == 0, result.stderr[-2000:]
        home, section_url = site.url("/"), site.url("/section/")
    revisits = {r.uri: r for r in all_records(out) if r.type == "revisit"}
    assert revisits[home].headers["WARC-Profile"] == SERVER_NOT_MODIFIED
    assert revisits[section_url].headers["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST

    served = server_factory(out)
    for url, text in ((home, b"Test Daily"), (section_url, b"<h1>World</h1>")):
        stamp = timestamp14(revisits[url].headers["WARC-Date"])
        status, body = _fetch(f"{served.url}archive/{stamp}id_/{url}")
        assert status == 200, url
        assert text in body, url
