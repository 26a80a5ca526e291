"""The crawl lock, held by real processes: busy while one lives, free once it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.locks import LockBusy, crawl_lock, is_locked, lock_path

# Takes the lock, says so on stdout, then holds it until stdin closes (or it is killed).
HOLDER = """
import sys
from archive.locks import crawl_lock
with crawl_lock(sys.argv[1], sys.argv[2]):
    print("locked", flush=True)
    sys.stdin.read()
print("released", flush=True)
"""

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A process holding the crawl lock of `demo` in tmp_path, once its first line is read."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), "demo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "locked\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_a_second_process_gets_lockbusy_naming_profile_out_and_pid(tmp_path, holder):
    assert is_locked(tmp_path, "demo")
    with pytest.raises(LockBusy) as caught, crawl_lock(tmp_path, "demo"):
        pytest.fail("took a lock another process holds")
    message = str(caught.value)
    assert "demo" in message
    assert str(tmp_path) in message
    assert f"pid {holder.pid}" in message
    assert caught.value.holder.pid == holder.pid
    assert isinstance(caught.value, ArchiveError)


def test_sigkill_frees_the_lock(tmp_path, holder):
    os.kill(holder.pid, signal.SIGKILL)
    assert holder.wait(timeout=30) == -signal.SIGKILL
    assert not is_locked(tmp_path, "demo")
    with crawl_lock(tmp_path, "demo") as me:
        assert me.pid == os.getpid()
        assert is_locked(tmp_path, "demo")


def test_a_normal_exit_frees_the_lock_and_clears_the_holder(tmp_path, holder):
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    assert holder.stdout.readline() == "released\n"
    assert holder.wait(timeout=30) == 0
    assert not is_locked(tmp_path, "demo")
    assert lock_path(tmp_path, "demo").read_text() == ""


def test_other_profiles_and_other_dirs_are_not_locked(tmp_path, holder):
    with crawl_lock(tmp_path, "presstv"):
        assert is_locked(tmp_path, "presstv")
    with crawl_lock(tmp_path / "elsewhere", "demo"):
        pass


def test_the_same_process_cannot_take_it_twice(tmp_path):
    with (
        crawl_lock(tmp_path, "demo"),
        pytest.raises(LockBusy, match=f"pid {os.getpid()}"),
        crawl_lock(tmp_path, "demo"),
    ):
        pytest.fail("took the lock twice")
    assert not is_locked(tmp_path, "demo")


def test_is_locked_creates_nothing(tmp_path):
    assert not is_locked(tmp_path / "missing", "demo")
    assert not (tmp_path / "missing").exists()


def test_lock_file_names_are_safe_and_distinct(tmp_path):
    names = ["demo", "my/site.toml", "my_site.toml", ".hidden", "ex ample"]
    paths = [lock_path(tmp_path, name) for name in names]
    assert paths[0] == tmp_path / ".locks" / "demo.lock"
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert path.parent == tmp_path / ".locks"
        assert not path.name.startswith(".")
    with pytest.raises(ValueError):
        lock_path(tmp_path, "")
