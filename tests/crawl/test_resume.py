"""A crawl killed at any moment and resumed ends as if it had never been interrupted.

Killed with SIGKILL (no chance to clean up) after a seeded random number of requests, or
stopped with SIGTERM (Scrapy's graceful stop), then `crawl --resume` — possibly killed
again — must end with the same articles as an uninterrupted crawl of the same site: none
missing, none twice, no URL archived twice, and `newsarchive check` clean.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.catalog import open_catalog
from crawler.demo.server import SiteServer
from tests.evolving_site import served_site
from tests.support import (
    all_records,
    article_set,
    crawl,
    newsarchive,
    start_crawl,
    wait_for_requests,
)

ARTICLES = 40
# Few requests at a time, so that a kill lands in the middle of the crawl.
SLOW = ["-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Path]]:
    with served_site(tmp_path_factory.mktemp("resume-site"), ARTICLES) as served:
        yield served.server, served.profile


@pytest.fixture(scope="module")
def reference(site: tuple[SiteServer, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    _, profile = site
    out = tmp_path_factory.mktemp("reference")
    result = crawl(str(profile), out, *SLOW)
    assert result.returncode == 0, result.stderr[-2000:]
    return article_set(out)


def _start(profile: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return start_crawl(profile, out, *SLOW, *extra)


def _interrupt_after(
    server: SiteServer, process: subprocess.Popen[str], requests: int, how: signal.Signals
) -> bool:
    """Send `how` once the server has answered `requests` more requests; False when the
    crawl ended first."""
    if not wait_for_requests(server, process, requests):
        return False
    os.kill(process.pid, how)
    process.wait(timeout=120)
    return True


def _assert_archived_once(out: Path) -> None:
    captured = Counter(r.uri for r in all_records(out) if r.type in ("response", "revisit"))
    twice = {uri: n for uri, n in captured.items() if n > 1}
    assert not twice, f"archived more than once: {twice}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_and_resumed_equals_uninterrupted(
    site: tuple[SiteServer, Path], reference: dict, tmp_path: Path, seed: int
) -> None:
    server, profile = site
    rng = random.Random(seed)
    out = tmp_path / "out"
    total = ARTICLES + 20  # about what one crawl of the site asks for
    interrupted = 0
    process = _start(profile, out)
    for _ in range(2 if seed == 3 else 1):  # seed 3: the resumed crawl is killed too
        if _interrupt_after(server, process, rng.randrange(3, total - 10), signal.SIGKILL):
            interrupted += 1
        process = _start(profile, out, "--resume")
    assert process.wait(timeout=300) == 0
    assert interrupted, "no kill landed: the crawl finished too fast"

    assert article_set(out) == reference
    _assert_archived_once(out)
    assert not list((out / "warc").glob("*.open"))
    check = newsarchive("check", out)
    assert check.returncode == 0, check.stdout + check.stderr
    with open_catalog(out, readonly=True) as catalog:
        runs = catalog.runs()
    assert len(runs) == 1 and runs[0].state == "finished" and runs[0].resumes >= 1


def test_sigterm_stops_cleanly_and_resume_finishes(
    site: tuple[SiteServer, Path], reference: dict, tmp_path: Path
) -> None:
    server, profile = site
    out = tmp_path / "out"
    process = _start(profile, out)
    assert _interrupt_after(server, process, 15, signal.SIGTERM)
    assert not list((out / "warc").glob("*.open")), "a clean stop closes its WARC"
    with open_catalog(out, readonly=True) as catalog:
        assert catalog.runs()[0].state == "interrupted"
    result = crawl(str(profile), out, *SLOW, "--resume")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "read back from the archive (resumed run)" in result.stdout
    assert article_set(out) == reference
    _assert_archived_once(out)


def test_resume_with_nothing_to_resume_is_a_normal_crawl(
    site: tuple[SiteServer, Path], reference: dict, tmp_path: Path
) -> None:
    _, profile = site
    out = tmp_path / "out"
    result = crawl(str(profile), out, "--resume")
    assert result.returncode == 0, result.stderr[-2000:]
    assert article_set(out) == reference
    again = crawl(str(profile), out, "--resume")  # the last run finished: a new, incremental one
    assert again.returncode == 0
    with open_catalog(out, readonly=True) as catalog:
        assert [r.resumes for r in catalog.runs()] == [0, 0]
    assert article_set(out) == reference


def test_a_second_crawl_of_the_profile_waits_for_the_lock(
    site: tuple[SiteServer, Path], tmp_path: Path
) -> None:
    _, profile = site
    out = tmp_path / "out"
    # Slowed down so that it surely still runs (and holds the lock) when the second starts.
    process = _start(profile, out, "-s", "DOWNLOAD_DELAY=1")
    try:
        deadline = time.monotonic() + 60
        while not (out / ".locks").is_dir() or not any((out / ".locks").iterdir()):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        busy = crawl(str(profile), out)
        assert process.poll() is None, "the first crawl ended before the second was tried"
        assert busy.returncode == 75
        assert "pid" in busy.stderr and str(process.pid) in busy.stderr
    finally:
        process.terminate()  # a graceful stop: no need to wait for the slowed crawl
        process.wait(timeout=120)
