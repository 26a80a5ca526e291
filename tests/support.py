"""Helpers shared by the tests: run the CLI in a subprocess, read WARC files back."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

FIXTURES = Path(__file__).parent / "fixtures"
TEST_SITE = FIXTURES / "site"

# Our own servers on loopback: no politeness delays, so crawls finish in a second or two.
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "LOG_LEVEL=INFO",
    "-s",
    "TELNETCONSOLE_ENABLED=False",
]


def _port_block() -> range:
    """This test process's own ports: below the kernel's ephemeral range, where no `bind` to
    port 0 and no outgoing connection takes one, and a block of their own for each xdist
    worker (`PYTEST_XDIST_WORKER`, `gw0`, `gw1`...), so that no other test takes it either."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    size = 500
    first = max(1024, low - size * (index + 1))
    return range(first, first + size)


_PORTS = _port_block()
_next_port = random.randrange(len(_PORTS))


def free_port() -> int:
    """A port of 127.0.0.1 for a server that must be told its port (redis-server,
    PostgreSQL, moto): free now, and outside the range that other tests' servers get from
    port 0, so that none of them takes it before the server binds it, or while the test
    has it stopped and restarts it on the same port."""
    global _next_port
    for _ in range(len(_PORTS)):
        port = _PORTS[_next_port % len(_PORTS)]
        _next_port += 1
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_PORTS}")


def newsarchive(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run `newsarchive ARGS` in a subprocess (Twisted's reactor runs once per process)."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def crawl(target: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return newsarchive("crawl", target, "--out", out, *FAST, *extra)


def start_crawl(
    target: str | Path,
    out: str | Path,
    *extra: str,
    output: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """`newsarchive crawl TARGET --out OUT` in the background, for a test that stops or
    kills it; its output is kept (`communicate()`) only with `output`; `env` is added to
    this process's environment."""
    where = subprocess.PIPE if output else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", str(target), "--out", str(out), *FAST, *extra],
        stdout=where,
        stderr=where,
        text=True,
        env={**os.environ, **env} if env else None,
    )


def wait_for_requests(
    server: Any, process: subprocess.Popen[str], n: int, *, timeout: float = 120
) -> bool:
    """Wait until `server` (a SiteServer) has answered `n` more requests than it had when
    called; False when `process` ended first. Progress is polled, the moment is the count."""
    start = len(server.requested)
    deadline = time.monotonic() + timeout
    while len(server.requested) - start < n:
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.005)
    return True


@dataclass
class Rec:
    """One WARC record, read eagerly (files in tests are small)."""

    type: str
    headers: dict[str, str]
    http_headers: Any
    raw_payload: bytes  # as stored: still content-encoded
    offset: int
    file: Path

    @property
    def id(self) -> str:
        return self.headers["WARC-Record-ID"]

    @property
    def uri(self) -> str | None:
        return self.headers.get("WARC-Target-URI")


def read_warc(path: Path) -> list[Rec]:
    records = []
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            raw = record.raw_stream.read()
            records.append(
                Rec(
                    type=record.rec_type,
                    headers=dict(record.rec_headers.headers),
                    http_headers=record.http_headers,
                    raw_payload=raw,
                    offset=iterator.get_record_offset(),
                    file=path,
                )
            )
    return records


def warc_files(out: Path) -> list[Path]:
    return sorted((out / "warc").glob("*.warc.gz"))


def all_records(out: Path) -> list[Rec]:
    return [rec for path in warc_files(out) for rec in read_warc(path)]


def articles(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((out / "articles").rglob("*.json"))]


def article_set(out: Path) -> dict[str, tuple[int, str, str]]:
    """Article id -> (version, title, body) of every article file under `out`, failing on an
    article written twice: what two crawls that should agree are compared by."""
    found: dict[str, tuple[int, str, str]] = {}
    for document in articles(out):
        assert document["id"] not in found, f"article {document['url']} written twice"
        found[document["id"]] = (document["version"], document["title"], document["body"])
    return found


def archived_files(out: Path) -> dict[Path, bytes]:
    """Every file of an archive and its bytes, but the catalog (an index, which records each
    run) and the crawl locks: what no later crawl may change."""
    return {
        p: p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith("catalog.sqlite") and ".locks" not in p.parts
    }
