from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.support import TEST_SITE


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
