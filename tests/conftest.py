from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.support import TEST_SITE

# The suite starts Python in a subprocess some 700 times (the CLI 500 of them). Where the
# environment says PYTHONDONTWRITEBYTECODE (as CI's does), each compiled crawler/ and archive/
# anew: 0.1-0.2 s of every start-up (a test-site crawl: 1.65 s, 1.42 s with bytecode). The
# subprocesses cache their bytecode as Python does by default, in the __pycache__ folders
# .gitignore leaves out; what they run is the same.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


# -- tests that time the crawler run alone ----------------------------------------------------
# The suite runs in parallel (pytest-xdist, one worker per core). A test marked `alone`
# asserts on intervals of wall-clock time a fraction of a second long (a backoff's growing
# gaps, a heartbeat's TTL): a neighbour's crawl taking the CPU would decide its outcome.
# It runs while no other test does: every test holds a shared lock of the run for its whole
# protocol (module fixtures' set-up and tear-down included), an `alone` test the exclusive
# one; a turnstile taken first lets no new test in while an `alone` test waits its turn.


@contextlib.contextmanager
def _turn(config: pytest.Config, alone: bool) -> Iterator[None]:
    basetemp = config.option.basetemp  # xdist gives each worker RUN_ROOT/popen-gwN
    if not os.environ.get("PYTEST_XDIST_WORKER") or not basetemp:
        yield  # one process: nothing runs beside the test
        return
    root = Path(basetemp).parent
    with open(root / "alone.turnstile", "a") as gate, open(root / "alone.lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    with _turn(item.config, item.get_closest_marker("alone") is not None):
        return (yield)


@pytest.fixture(scope="module")
def test_site() -> Iterator[SiteServer]:
    """The test news site (tests/fixtures/site) served on a free port of 127.0.0.1."""
    with SiteServer(TEST_SITE) as server:
        yield server


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """An empty site directory for a test to write its own pages into."""
    directory = tmp_path / "site"
    directory.mkdir()
    return directory
