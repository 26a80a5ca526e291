"""Servers for the shared-crawl tests: one redis-server and one PostgreSQL per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scale.servers import postgres_bin, postgres_server, redis_binary, redis_server

pytest.importorskip("scrapy_redis", reason="the [scale] extra (make test installs it)")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if redis_binary() is None:
        pytest.fail("redis-server is not installed: `make test` installs it (Debian package)")
    with redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed: `make test` installs it (Debian package)")
    with postgres_server() as url:
        yield url


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A fresh database of its own on the module's server."""
    import uuid

    import psycopg

    name = "t" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
