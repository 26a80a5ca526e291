"""A real S3-compatible server for the object-storage tests: moto's, on 127.0.0.1.

Every subprocess the tests start (the CLI) inherits the environment set here: the endpoint
of the local server, dummy credentials, no instance-metadata lookups, and a cache
directory of the test's own. Nothing contacts the internet.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import free_port

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto")


class MotoServer:
    """`moto_server` in a subprocess: it can be stopped (an unreachable store) and started
    again on the same port (an empty one: moto keeps its state in memory)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> Any:  # a boto3 S3 client
        return boto3.client("s3", endpoint_url=self.url)


@pytest.fixture(scope="module")
def s3_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(free_port())
    env = {
        "AWS_ENDPOINT_URL": server.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "2",
        "NEWSARCHIVE_CACHE": str(tmp_path_factory.mktemp("cache")),
    }
    empty = tmp_path_factory.mktemp("aws") / "empty"
    empty.write_text("")  # no ~/.aws files of the machine's user are read
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        patch.setenv("AWS_CONFIG_FILE", str(empty))
        for name, value in env.items():
            patch.setenv(name, value)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def make_bucket(server: MotoServer, name: str) -> None:
    server.client().create_bucket(Bucket=name)


def cache_root() -> Path:
    return Path(os.environ["NEWSARCHIVE_CACHE"])
