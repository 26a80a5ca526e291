"""Fixtures of the `newsarchive serve` tests: a crawled archive and a running server."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

STARTUP_TIMEOUT = 60.0


@dataclass
class Served:
    """A `newsarchive serve` subprocess and what it printed."""

    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/
    stderr: Path

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def log(self) -> str:
        return self.stderr.read_text("utf-8", "replace")


def start_server(
    directory: Path, log: Path, *extra: str, env: dict[str, str] | None = None
) -> Served:
    """Start `newsarchive serve DIR --port 0`, read its URL, wait until the port answers."""
    stderr = open(log, "w")  # noqa: SIM115 - a file, not a pipe: the request log must not block
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", str(directory), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, **(env or {})},
    )
    stderr.close()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    url = _read_line(process, deadline).strip()
    if not url.startswith("http://"):
        process.kill()
        process.wait()
        raise AssertionError(f"serve printed {url!r}; log:\n{log.read_text()}")
    served = Served(process, url, log)
    split = urlsplit(url)
    while True:  # readiness: the port accepts connections
        try:
            socket.create_connection((split.hostname, split.port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_server(served)
                raise AssertionError(f"serve never listened; log:\n{served.log()}") from None
            time.sleep(0.05)
    return served


def _read_line(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            process.kill()
            process.wait()
            raise AssertionError("serve printed no URL in time")
    return process.stdout.readline()


def stop_server(served: Served) -> int:
    served.process.terminate()
    try:
        return served.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()
        raise AssertionError("serve ignored SIGTERM") from None
    finally:
        if served.process.stdout:
            served.process.stdout.close()


@pytest.fixture(scope="session")
def pywb_installed() -> None:
    """Serving is tested for real: a missing pywb fails the suite (`make test` installs it)."""
    try:
        import pywb  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"pywb is not installed ({exc}); run `make test` or pip install -e '.[test]'")


@pytest.fixture
def server_factory(tmp_path: Path, pywb_installed: None) -> Iterator:
    """Starts servers for one test and stops them all after it."""
    started: list[Served] = []

    def start(directory: Path, *extra: str, env: dict[str, str] | None = None) -> Served:
        served = start_server(directory, tmp_path / f"serve-{len(started)}.log", *extra, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            stop_server(served)
        elif served.process.stdout:
            served.process.stdout.close()


@pytest.fixture(scope="session")
def chromium_installed() -> None:
    """The browser tests are not optional: `make test` installs Debian's chromium."""
    from tests.serve.browser import CHROMIUM

    if CHROMIUM is None:
        pytest.fail("Debian's chromium is not installed; run `make test` (it apt-installs it)")
