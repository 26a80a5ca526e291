"""Two workers, one crawl: `newsarchive crawl --frontier redis://… --catalog postgresql://…`.

Against a real redis-server and PostgreSQL and the local test site: the two workers'
articles are a single-worker crawl's, no URL is fetched twice, no article written twice,
every WARC file valid; a worker killed with SIGKILL mid-crawl loses nothing that the other
(and a restarted one) cannot finish.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.evolving_site import served_site
from tests.support import (
    article_set,
    articles,
    crawl,
    newsarchive,
    read_warc,
    start_crawl,
    wait_for_requests,
    warc_files,
)

ARTICLES = 40
SLOW = ["-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
PACED = ["-s", "DOWNLOAD_DELAY=0.15", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]
# A killed worker counts as dead after 2 s without a heartbeat (30 s by default).
QUICK_DEATH = ["-s", "FRONTIER_WORKER_TTL=2", "-s", "FRONTIER_HEARTBEAT=0.2"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Path]]:
    with served_site(tmp_path_factory.mktemp("shared-site"), ARTICLES) as served:
        yield served.server, served.profile


@pytest.fixture(scope="module")
def reference(site: tuple[SiteServer, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The articles of one ordinary crawl of the site (no frontier, SQLite catalog)."""
    _, profile = site
    out = tmp_path_factory.mktemp("reference")
    result = crawl(str(profile), out)
    assert result.returncode == 0, result.stderr[-2000:]
    return article_set(out)


def _worker(profile: Path, out: Path, redis_url: str, catalog: str, *extra: str):
    return start_crawl(
        profile, out, "--frontier", redis_url, "--catalog", catalog, *extra, output=True
    )


def _finish(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-3000:]
    return stdout


def _assert_valid(out: Path) -> None:
    assert not list((out / "warc").glob("*.open"))
    result = newsarchive("check", out)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_two_workers_crawl_the_site_once(
    site: tuple[SiteServer, Path],
    reference: dict,
    redis_url: str,
    database: str,
    tmp_path: Path,
) -> None:
    server, profile = site
    out = tmp_path / "out"
    before = len(server.requested)
    # Started together; paced so that one worker alone needs ~15 s for the site, far more
    # than the other's start-up even on a loaded machine: a worker that joins after the
    # crawl has ended starts the next (incremental) crawl, and would fetch the hubs again.
    first, second = (_worker(profile, out, redis_url, database, *PACED) for _ in range(2))
    summaries = [_finish(first), _finish(second)]
    fetched = Counter(server.requested[before:])
    for summary in summaries:  # both took part
        pages = int(summary.split("pages fetched :", 1)[1].split()[0])
        assert pages > 0, summaries

    twice = {path: n for path, n in fetched.items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"
    assert article_set(out) == reference
    assert all("articles      :" in s for s in summaries)
    names = [p.name for p in warc_files(out)]
    assert len(names) == 2 and len({n.rsplit("-", 1)[-1] for n in names}) == 2, names
    _assert_valid(out)


def test_a_worker_killed_mid_crawl_loses_nothing(
    site: tuple[SiteServer, Path],
    reference: dict,
    redis_url: str,
    database: str,
    tmp_path: Path,
) -> None:
    server, profile = site
    out = tmp_path / "out"
    before = len(server.requested)
    victim = _worker(profile, out, redis_url, database, *SLOW, *QUICK_DEATH)
    # The victim seeds the crawl (its first request asked) before the survivor joins.
    assert wait_for_requests(server, victim, 1), "crawl ended too soon"
    survivor = _worker(profile, out, redis_url, database, *SLOW, *QUICK_DEATH)
    assert wait_for_requests(server, victim, 25 - (len(server.requested) - before)), (
        "crawl ended too soon"
    )
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=60)
    _finish(survivor)  # takes back the victim's requests once its heartbeat is gone

    assert article_set(out) == reference
    # The killed worker's unfinished WARC is closed by the next crawl into `out`: here a
    # restarted worker, which resumes its run in the catalog.
    restarted = _worker(profile, out, redis_url, database, "--resume")
    _finish(restarted)
    assert article_set(out) == reference
    _assert_valid(out)


def test_frontier_needs_a_shared_catalog(
    site: tuple[SiteServer, Path], redis_url: str, tmp_path: Path
) -> None:
    _, profile = site
    result = crawl(str(profile), tmp_path / "out", "--frontier", redis_url)
    assert result.returncode == 1
    assert "--frontier needs --catalog" in result.stderr


def test_a_plain_crawl_is_kept_out_while_workers_run(
    site: tuple[SiteServer, Path], redis_url: str, database: str, tmp_path: Path
) -> None:
    _, profile = site
    out = tmp_path / "out"
    # Paced, so that it surely still runs (and holds the lock) when the plain crawl starts.
    worker = _worker(profile, out, redis_url, database, *PACED)
    try:
        deadline = time.monotonic() + 30
        while not list((out / "warc").glob("*.open")):
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.02)
        plain = crawl(str(profile), out)
        assert worker.poll() is None, "the worker ended before the plain crawl was tried"
        assert plain.returncode == 75, plain.stderr[-1000:]
    finally:
        worker.terminate()  # a graceful stop: no need to wait for the paced crawl
        worker.communicate(timeout=120)


def test_runs_reads_the_workers_runs_from_the_server_catalog(
    site: tuple[SiteServer, Path], redis_url: str, database: str, tmp_path: Path
) -> None:
    """A shared crawl's runs live in the server catalog: `runs --catalog` lists them."""
    _, profile = site
    out = tmp_path / "out"
    _finish(_worker(profile, out, redis_url, database))
    assert newsarchive("runs", out).returncode == 1  # DIR has no catalog of its own
    result = newsarchive("runs", out, "--catalog", database, "--json")
    assert result.returncode == 0, result.stderr
    (run,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert run["state"] == "finished" and run["articles"] == ARTICLES
    bad = newsarchive("runs", out, "--catalog", "mysql://nowhere/x")
    assert bad.returncode == 1 and "unsupported catalog URL" in bad.stderr


def test_a_second_shared_crawl_is_incremental(
    redis_url: str, database: str, tmp_path: Path
) -> None:
    """Workers crawl a site, it moves on, two workers crawl it again into the same archive:
    only the edited and added articles are fetched (once), the edited get version 2, and
    unchanged hubs are revisits, as for one process."""
    with served_site(tmp_path, 20) as served:
        site, server, profile = served.site, served.server, served.profile
        out = tmp_path / "out"
        _finish(_worker(profile, out, redis_url, database))
        assert len(article_set(out)) == 20
        first_warcs = set(warc_files(out))

        change = site.advance(edit_fraction=0.1, add_fraction=0.1)
        before = len(server.requested)
        workers = [_worker(profile, out, redis_url, database, *PACED) for _ in range(2)]
        for worker in workers:
            _finish(worker)
        second = [path.split("?", 1)[0] for path in server.requested[before:]]

    assert not [p for p, n in Counter(second).items() if n > 1], "a URL fetched twice"
    known = set(change.unchanged) | set(change.edited)
    fetched_articles = {p for p in second if p in known or p in change.added}
    assert fetched_articles == set(change.edited) | set(change.added)

    versions: dict[str, set[int]] = {}
    for document in articles(out):
        path = "/" + document["url"].split("://", 1)[1].split("/", 1)[1]
        versions.setdefault(path, set()).add(document["version"])
    assert all(versions[p] == {1, 2} for p in change.edited)
    assert all(versions[p] == {1} for p in (*change.added, *change.unchanged))

    new_warcs = set(warc_files(out)) - first_warcs
    new_records = [r for path in new_warcs for r in read_warc(path)]
    assert [r for r in new_records if r.type == "revisit"], "no unchanged hub stored as a revisit"
    _assert_valid(out)
