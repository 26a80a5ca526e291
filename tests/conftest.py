from __future__ import annotations

import os
from collections.abc import Iterator
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
