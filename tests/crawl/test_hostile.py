"""One crawl of a site that serves the worst of the web next to three ordinary articles.

Each hostile class has its own focused tests (test_size_limits, test_logs, test_polite_errors,
test_content_codings, tests/security, tests/extraction/test_not_text); this one checks that
they hold together in a single crawl, as a user meets them: the crawl completes, the control
articles are extracted, no hostile page becomes an article, every log line is short, memory
stays bounded and `newsarchive check` finds the archive clean.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile_server import CONTROL, HostileSite, serve
from tests.support import FAST, all_records, articles, newsarchive

# Runs the crawl and reports the peak RSS of it and its descendants (RUSAGE_CHILDREN of a
# process that ran nothing else), in KB, as the last line of stderr.
MEASURED = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)
PEAK_RSS_MB = 700


@pytest.fixture(scope="module")
def hostile_crawl(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str, str, list[str]]]:
    out = tmp_path_factory.mktemp("hostile") / "out"
    server: Iterator[tuple[str, HostileSite]] = serve()
    base, site = next(server)
    try:
        result = subprocess.run(
            [sys.executable, "-c", MEASURED, sys.executable, "-m", "crawler", "crawl",
             f"{base}/", "--out", str(out), *FAST, "-s", "RETRY_TIMES=1"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        server.close()
    assert result.returncode == 0, result.stderr[-3000:]
    yield out, base, result.stderr, list(site.requests)


def test_the_control_articles_are_extracted_and_no_hostile_page_is_one(hostile_crawl) -> None:
    out, base, _, _ = hostile_crawl
    urls = {document["url"] for document in articles(out)}
    assert {base + path for path in CONTROL} <= urls
    for hostile in ("/random.html", "/nul.html", "/big.html", "/bomb.html", "/busy.html"):
        assert base + hostile not in urls, hostile


def test_every_log_line_is_short_and_names_what_went_wrong(hostile_crawl) -> None:
    _, base, stderr, _ = hostile_crawl
    lines = stderr.splitlines()[:-1]  # the last one is the measured RSS
    assert max(map(len, lines)) < 1000
    for path in ("/big.html", "/bomb-sitemap.xml.gz", "/busy.html", "/deep.html"):
        assert any(base + path in line for line in lines), path
    (deep,) = [line for line in lines if base + "/deep.html" in line and "WARNING" in line]
    assert "deeper than the HTML parser reads" in deep


def test_memory_stays_bounded(hostile_crawl) -> None:
    _, _, stderr, _ = hostile_crawl
    peak_mb = int(stderr.splitlines()[-1]) / 1024
    assert peak_mb < PEAK_RSS_MB  # with a 2 GiB gzip bomb page and sitemap on the site


def test_the_archive_is_whole_and_holds_no_local_file(hostile_crawl) -> None:
    out, base, _, _ = hostile_crawl
    check = newsarchive("check", out)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    records = all_records(out)
    truncated = {r.uri for r in records if r.headers.get("WARC-Truncated")}
    assert base + "/big.html" in truncated
    passwd = Path("/etc/passwd").read_bytes()[:32]
    assert not any(passwd in r.raw_payload for r in records)  # the sitemap's XXE


def test_only_urls_the_site_names_are_requested(hostile_crawl) -> None:
    """An entity the sitemap parser leaves unresolved (`<loc>&xxe;</loc>`) is no URL."""
    _, _, _, requests = hostile_crawl
    assert not [path for path in requests if "&" in path], requests
