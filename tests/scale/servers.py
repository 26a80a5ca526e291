"""Real Redis and PostgreSQL servers on 127.0.0.1, started by the tests (Debian packages
`redis-server` and `postgresql`; `make test` installs them).

PostgreSQL's `initdb` refuses to run as root: as root, the cluster is made and run by the
`postgres` user the Debian package creates, in a temporary directory it owns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support import free_port


def _wait_port(port: int, process: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"no server on port {port} after {timeout}s")


def redis_binary() -> str | None:
    return shutil.which("redis-server")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server; yields its URL (`redis://127.0.0.1:PORT/0`)."""
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="redis-") as workdir:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_port(port, process)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields a URL of its database `newsarchive`."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    port = free_port()
    root = os.geteuid() == 0
    as_user = ["runuser", "-u", "postgres", "--"] if root else []
    user = "postgres" if root else os.environ.get("USER", "postgres")
    workdir = Path(tempfile.mkdtemp(prefix="pg-"))
    data = workdir / "data"
    try:
        if root:
            shutil.chown(workdir, "postgres", "postgres")
        run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
        subprocess.run(
            [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust",
             "--no-sync", "-E", "UTF8"],
            **run,
        )
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
             str(workdir / "log"), "-o",
             f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
             "-c max_connections=50",
             "start"],
            **run,
        )
        try:
            _wait_port(port, None)
            subprocess.run(
                [*as_user, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                 "-U", user, "newsarchive"],
                **run,
            )
            yield f"postgresql://{user}@127.0.0.1:{port}/newsarchive"
        finally:
            subprocess.run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
