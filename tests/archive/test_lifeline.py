"""Pool workers end when the process that owns the pool dies, even by SIGKILL.

Everything here is real processes: a child Python process builds a forkserver pool, makes its
workers run, reports their pids and is then killed; the test watches /proc until every one of
them is gone. An exited process that nobody reaps stays a zombie (PID 1 of a container often
does not reap), so "gone" means: no such pid, a zombie, or a pid now used by a newer process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.support import FAST

REPO = Path(__file__).resolve().parents[2]
WORKERS = 2
DEADLINE = 15.0  # seconds; pidfd ends workers at once, polling within POLL_INTERVAL


# Run as a file so its functions reach the forkserver workers (as __mp_main__).
POOL_OWNER = textwrap.dedent(
    """
    import json, multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor

    from archive.lifeline import pool_kwargs

    def set_flag(value):
        os.environ["LIFELINE_CHAINED"] = value

    def who(delay):
        time.sleep(delay)
        return os.getpid(), os.environ.get("LIFELINE_CHAINED")

    if __name__ == "__main__":
        mode, method, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(
            workers, mp_context=context, **pool_kwargs(set_flag, ("yes",), method=method)
        )
        answers = set()
        for _ in range(50):  # until every worker has run a task
            answers.update(pool.map(who, [0.1] * workers))
            if len({pid for pid, _ in answers}) == workers:
                break
        pids = sorted({pid for pid, _ in answers})
        flags = sorted({flag for _, flag in answers})
        if mode == "kill":
            for _ in range(workers):
                pool.submit(time.sleep, 600)  # busy workers must end too
            print(json.dumps({"pids": pids, "flags": flags}), flush=True)
            time.sleep(600)
        else:
            pool.shutdown(wait=True)
            print(json.dumps({"pids": pids, "flags": flags}), flush=True)
    """
)


# -- the process table ------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, start time) of `pid` from /proc, or None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw.rpartition(b")")[2].split()  # after "pid (comm)": state, ppid, ...
    return fields[0].decode(), int(fields[1]), int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def _processes() -> dict[int, tuple[str, int, int]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            table[int(entry)] = stat
    return table


def _descendants(root: int) -> dict[int, int]:
    """Living descendants of `root`: pid -> start time (which tells a reused pid apart)."""
    table = _processes()
    found: dict[int, int] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (state, ppid, start) in table.items():
            if ppid == parent and pid not in found and state not in ("Z", "X"):
                found[pid] = start
                frontier.append(pid)
    return found


def _alive(pid: int, start: int | None = None) -> bool:
    stat = _stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return False
    return start is None or stat[2] == start


def _survivors(processes: dict[int, int | None], timeout: float = DEADLINE) -> list[int]:
    """Wait (bounded) for every process to be gone; the ones still alive at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [pid for pid, start in processes.items() if _alive(pid, start)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _describe(pids: list[int]) -> str:
    return "; ".join(f"{pid}: {_cmdline(pid)[:120]}" for pid in pids)


# -- a pool owner killed, or shut down ------------------------------------------------------


def _start_owner(tmp_path: Path, mode: str, method: str) -> subprocess.Popen[str]:
    script = tmp_path / "pool_owner.py"
    script.write_text(POOL_OWNER, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, str(script), mode, method, str(WORKERS)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("method", ["pidfd", "poll"])
def test_workers_end_when_the_owner_is_killed(tmp_path: Path, method: str):
    owner = _start_owner(tmp_path, "kill", method)
    try:
        assert owner.stdout is not None
        report = json.loads(owner.stdout.readline())
        assert len(report["pids"]) == WORKERS
        assert report["flags"] == ["yes"]  # the pool's own initializer still runs
        family = _descendants(owner.pid)  # workers, the fork server, the resource tracker
        assert set(report["pids"]) <= set(family)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=DEADLINE)
        survivors = _survivors(dict(family))
        assert not survivors, f"still running after the owner was killed: {_describe(survivors)}"
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_ordinary_shutdown_still_works(tmp_path: Path):
    owner = _start_owner(tmp_path, "shutdown", "auto")
    out, _ = owner.communicate(timeout=60)
    assert owner.returncode == 0
    report = json.loads(out)
    assert len(report["pids"]) == WORKERS
    assert report["flags"] == ["yes"]
    assert not _survivors(dict.fromkeys(report["pids"]))


def test_a_worker_whose_owner_is_already_gone_ends_at_once():
    """The pid died between the pool's construction and the worker's start."""
    code = (
        "import sys, time\n"
        "from archive.lifeline import watch_parent\n"
        "watch_parent(int(sys.argv[1]), method=sys.argv[2])\n"
        "time.sleep(60)\n"
    )
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for method in ("auto", "poll"):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", code, str(dead.pid), method], cwd=REPO, timeout=30, check=False
        )
        assert result.returncode == 70
        assert time.monotonic() - started < 20


# -- a real crawl killed mid-way ------------------------------------------------------------


def _extraction_workers(crawl: int) -> list[int]:
    """Children of the crawl's fork server: the extraction pool's workers."""
    table = _processes()
    family = _descendants(crawl)
    servers = [pid for pid in family if "multiprocessing.forkserver" in _cmdline(pid)]
    return [pid for pid in family if table.get(pid, ("", 0, 0))[1] in servers]


def test_killed_crawl_leaves_no_extraction_worker(test_site: SiteServer, tmp_path: Path):
    log = (tmp_path / "crawl.log").open("w")
    crawl = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            test_site.base_url + "/",
            "--out",
            str(tmp_path / "out"),
            *FAST,
            # slow enough to be killed mid-crawl, once extraction has started
            "-s",
            "DOWNLOAD_DELAY=0.5",
            "-s",
            "RANDOMIZE_DOWNLOAD_DELAY=False",
            "-s",
            f"EXTRACTION_WORKERS={WORKERS}",
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def extracting() -> bool:
            if crawl.poll() is not None:
                pytest.fail("the crawl ended before its extraction workers were seen")
            return bool(_extraction_workers(crawl.pid))

        _wait_for(extracting, 120, "the crawl's extraction workers")
        family = _descendants(crawl.pid)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=DEADLINE)
        survivors = _survivors(dict(family))
        assert not survivors, f"left behind by the killed crawl: {_describe(survivors)}"
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
        log.close()
